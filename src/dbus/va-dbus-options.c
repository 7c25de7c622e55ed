/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-error.h"
#include "va-json.h"

/* Method options arrive as a{sv}. Unknown keys and wrong types are
 * refused by name rather than ignored: a misspelt "consent" must not
 * submit a job without it. */

/* JSON text in an option; as large as a REST form field may be */
#define VA_DBUS_MAX_JSON_OPTION (64 * 1024)

static gboolean
va_dbus_options_check_type (const char *key, GVariant *value, const GVariantType *type,
                            GError **error)
{
  if (g_variant_is_of_type (value, type))
    return TRUE;
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "options.%s: must be of type “%s”, not “%s”", key, (const char *)type,
               g_variant_get_type_string (value));
  return FALSE;
}

static gboolean
va_dbus_options_unknown (const char *key, const char *known, GError **error)
{
  g_autofree char *shown = g_strescape (key, NULL);

  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "options: unknown option “%.64s” (known: %s)", shown, known);
  return FALSE;
}

static JsonObject *
va_dbus_options_parse_json (const char *key, GVariant *value, GError **error)
{
  gsize length = 0;
  const char *text = g_variant_get_string (value, &length);
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (length > VA_DBUS_MAX_JSON_OPTION) {
    g_set_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE, "options.%s: larger than %u bytes",
                 key, VA_DBUS_MAX_JSON_OPTION);
    return NULL;
  }
  /* the one bounded parser of outside JSON: a deeply nested option must
   * not overflow json-glib's recursion */
  node = va_json_parse (text, (gssize)length, VA_DBUS_MAX_JSON_OPTION, &parse_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "options.%s: must be a JSON object, e.g. {\"scene_detection\": {\"threshold\": "
                 "30}}%s%s",
                 key, parse_error != NULL ? ": " : "",
                 parse_error != NULL ? parse_error->message : "");
    return NULL;
  }
  return json_object_ref (json_node_get_object (node));
}

/**
 * va_dbus_options_parse_submission:
 * @options: `a{sv}` with `pipelines` (as), `config` (s), `consent` (s)
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT
 */
gboolean
va_dbus_options_parse_submission (GVariant *options, GStrv *pipelines, JsonObject **config,
                                  JsonObject **consent, GError **error)
{
  GVariantIter iter;
  const char *key;
  g_autoptr (GVariant) raw = NULL;

  *pipelines = NULL;
  *config = NULL;
  *consent = NULL;
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &raw)) {
    if (g_str_equal (key, "pipelines")) {
      if (!va_dbus_options_check_type (key, raw, G_VARIANT_TYPE_STRING_ARRAY, error))
        return FALSE;
      g_strfreev (*pipelines);
      *pipelines = g_variant_dup_strv (raw, NULL);
    } else if (g_str_equal (key, "config") || g_str_equal (key, "consent")) {
      JsonObject **slot = g_str_equal (key, "config") ? config : consent;

      if (!va_dbus_options_check_type (key, raw, G_VARIANT_TYPE_STRING, error))
        return FALSE;
      g_clear_pointer (slot, json_object_unref);
      *slot = va_dbus_options_parse_json (key, raw, error);
      if (*slot == NULL)
        return FALSE;
    } else {
      return va_dbus_options_unknown (key, "pipelines, config, consent", error);
    }
    g_clear_pointer (&raw, g_variant_unref);
  }
  return TRUE;
}

/**
 * va_dbus_options_parse_list:
 * @options: `a{sv}` with `page` (u), `per_page` (u), `status` (s)
 *
 * Fills in the REST defaults (page 1, 10 per page, any status); the
 * engine checks the ranges.
 */
gboolean
va_dbus_options_parse_list (GVariant *options, guint *page, guint *per_page, char **status,
                            GError **error)
{
  GVariantIter iter;
  const char *key;
  g_autoptr (GVariant) raw = NULL;

  *page = 1;
  *per_page = 10;
  *status = NULL;
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &raw)) {
    if (g_str_equal (key, "page") || g_str_equal (key, "per_page")) {
      if (!va_dbus_options_check_type (key, raw, G_VARIANT_TYPE_UINT32, error))
        return FALSE;
      *(g_str_equal (key, "page") ? page : per_page) = g_variant_get_uint32 (raw);
    } else if (g_str_equal (key, "status")) {
      if (!va_dbus_options_check_type (key, raw, G_VARIANT_TYPE_STRING, error))
        return FALSE;
      g_free (*status);
      *status = g_variant_dup_string (raw, NULL);
    } else {
      return va_dbus_options_unknown (key, "page, per_page, status", error);
    }
    g_clear_pointer (&raw, g_variant_unref);
  }
  return TRUE;
}
