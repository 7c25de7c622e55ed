/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "va-error.h"
#include "va-cron.h"
#include "va-settings-value.h"

/* Text from variables and flags, and values from stored settings, become
 * values of a key's type here, checked against the schema's range and the
 * rules the schema cannot express. Every failure is a
 * VA_ERROR_INVALID_ARGUMENT that names where the value came from and what
 * is allowed. */

gboolean
va_settings_value_invalid (GError **error, const char *where, const char *text,
                           const char *expected)
{
  /* environment variables and key files may hold any bytes; the message
   * ends up in JSON and logs, which must stay UTF-8 */
  g_autofree char *shown = g_utf8_make_valid (text, -1);

  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Invalid value “%s” for %s: %s"),
               shown, where, expected);
  return FALSE;
}

/* The schema's range, in words, for error messages. */
char *
va_settings_value_describe_expected (GSettingsSchemaKey *key)
{
  g_autoptr (GVariant) range = g_settings_schema_key_get_range (key);
  const GVariantType *type = g_settings_schema_key_get_value_type (key);
  g_autoptr (GVariant) detail = NULL;
  const char *kind = NULL;

  g_variant_get (range, "(&sv)", &kind, &detail);

  if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (_ ("expected true or false (or 1/0, yes/no, on/off)"));

  if (g_str_equal (kind, "enum")) {
    g_autofree const char **choices = g_variant_get_strv (detail, NULL);
    g_autofree char *list = g_strjoinv (", ", (char **)choices);
    return g_strdup_printf (_ ("expected one of: %s"), list);
  }

  if (g_str_equal (kind, "range")) {
    g_autoptr (GVariant) min = g_variant_get_child_value (detail, 0);
    g_autoptr (GVariant) max = g_variant_get_child_value (detail, 1);
    g_autofree char *min_s = g_variant_print (min, FALSE);
    g_autofree char *max_s = g_variant_print (max, FALSE);

    if (g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE))
      return g_strdup_printf (_ ("expected a number from %s to %s"), min_s, max_s);
    if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT64))
      return g_strdup_printf (_ ("expected a size in bytes from %s to %s (suffixes K, M, G, T "
                                 "allowed)"),
                              min_s, max_s);
    return g_strdup_printf (_ ("expected a whole number from %s to %s"), min_s, max_s);
  }

  if (g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE))
    return g_strdup (_ ("expected a number"));
  if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT64))
    return g_strdup (_ ("expected a size in bytes (suffixes K, M, G, T allowed)"));
  if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32)
      || g_variant_type_equal (type, G_VARIANT_TYPE_UINT32))
    return g_strdup (_ ("expected a whole number"));
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY))
    return g_strdup (_ ("expected a comma-separated list"));
  return g_strdup (_ ("expected a text value"));
}

static gboolean
va_settings_parse_boolean (const char *text, gboolean *out)
{
  static const char *const yes[] = { "true", "1", "yes", "on" };
  static const char *const no[] = { "false", "0", "no", "off" };
  g_autofree char *t = g_strstrip (g_strdup (text));

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++) {
    if (g_ascii_strcasecmp (t, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp (t, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

/* Bytes, with an optional binary suffix: 512, 64K, 10M, 10G, 1T, 10GiB. */
static gboolean
va_settings_parse_size (const char *text, guint64 *out)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  char *end = NULL;
  guint64 n, mult = 1;

  if (!g_ascii_isdigit (t[0]))
    return FALSE;
  errno = 0;
  n = g_ascii_strtoull (t, &end, 10);
  if (errno != 0)
    return FALSE;
  if (*end != '\0') {
    switch (g_ascii_toupper (*end)) {
    case 'K':
      mult = G_GUINT64_CONSTANT (1) << 10;
      break;
    case 'M':
      mult = G_GUINT64_CONSTANT (1) << 20;
      break;
    case 'G':
      mult = G_GUINT64_CONSTANT (1) << 30;
      break;
    case 'T':
      mult = G_GUINT64_CONSTANT (1) << 40;
      break;
    default:
      return FALSE;
    }
    end++;
    if (*end != '\0' && g_ascii_strcasecmp (end, "iB") != 0)
      return FALSE;
  }
  if (n > G_MAXUINT64 / mult)
    return FALSE;
  *out = n * mult;
  return TRUE;
}

/* Five fields, numeric only: what the retention scheduler understands
 * (one parser: VaCron's). */
static gboolean
va_settings_check_cron (const char *text)
{
  g_autoptr (VaCron) cron = va_cron_new (text, NULL);
  return cron != NULL;
}

/* An origin is scheme://host[:port] with nothing after it. */
static gboolean
va_settings_check_origin (const char *origin)
{
  g_autoptr (GUri) uri = NULL;

  if (g_str_equal (origin, "*"))
    return TRUE; /* refused by the server unless --dev, with its own message */
  if (!g_str_has_prefix (origin, "http://") && !g_str_has_prefix (origin, "https://"))
    return FALSE;
  uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0'
         && g_uri_get_userinfo (uri) == NULL && *g_uri_get_path (uri) == '\0'
         && g_uri_get_query (uri) == NULL && g_uri_get_fragment (uri) == NULL;
}

/* Checks that the schema cannot express. */
static gboolean
va_settings_check_semantics (GSettingsSchemaKey *key, GVariant *value, const char *where,
                             const char *shown, GError **error)
{
  const char *name = g_settings_schema_key_get_name (key);

  if (g_str_equal (name, "cleanup-schedule")) {
    if (!va_settings_check_cron (g_variant_get_string (value, NULL)))
      return va_settings_value_invalid (
          error, where, shown,
          _ ("expected five cron fields (minute hour day-of-month month "
             "day-of-week) made of numbers, *, a-b, lists and /steps, "
             "e.g. “0 2 * * *”"));
  } else if (g_str_equal (name, "bind-address")) {
    const char *addr = g_variant_get_string (value, NULL);
    g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (addr);

    if (inet == NULL && !g_str_equal (addr, "localhost"))
      return va_settings_value_invalid (
          error, where, shown, _ ("expected an IP address such as 127.0.0.1, 0.0.0.0 or ::"));
  } else if (g_str_equal (name, "trusted-proxies")) {
    g_autofree const char **list = g_variant_get_strv (value, NULL);

    for (guint i = 0; list[i] != NULL; i++) {
      g_autoptr (GInetAddressMask) mask = g_inet_address_mask_new_from_string (list[i], NULL);
      if (mask == NULL)
        return va_settings_value_invalid (
            error, where, list[i],
            _ ("expected IP addresses or networks such as 10.0.0.1 or "
               "10.0.0.0/8"));
    }
  } else if (g_str_equal (name, "cors-origins")) {
    g_autofree const char **list = g_variant_get_strv (value, NULL);

    for (guint i = 0; list[i] != NULL; i++) {
      if (!va_settings_check_origin (list[i]))
        return va_settings_value_invalid (
            error, where, list[i],
            _ ("expected origins such as https://app.example.org or "
               "http://localhost:3000 (scheme://host[:port], no path)"));
    }
  } else if (g_str_equal (name, "alert-command")) {
    const char *cmd = g_variant_get_string (value, NULL);
    g_auto (GStrv) argv = NULL;
    g_autoptr (GError) local = NULL;

    if (*cmd != '\0' && !g_shell_parse_argv (cmd, NULL, &argv, &local)) {
      g_autofree char *expected = g_strdup_printf (
          _ ("expected a command line with balanced quotes (%s)"), local->message);
      return va_settings_value_invalid (error, where, shown, expected);
    }
  }
  return TRUE;
}

gboolean
va_settings_value_check (GSettingsSchemaKey *key, GVariant *value, const char *where,
                         const char *shown, GError **error)
{
  g_autofree char *printed = NULL;

  if (shown == NULL)
    shown = printed = g_variant_print (value, FALSE);
  if (!g_settings_schema_key_range_check (key, value)) {
    g_autofree char *expected = va_settings_value_describe_expected (key);
    return va_settings_value_invalid (error, where, shown, expected);
  }
  return va_settings_check_semantics (key, value, where, shown, error);
}

/* Text from a variable or a flag → a value of the key's type. */
GVariant *
va_settings_value_parse (GSettingsSchemaKey *key, const char *text, const char *where,
                         GError **error)
{
  const GVariantType *type = g_settings_schema_key_get_value_type (key);
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr (GVariant) value = NULL;
  g_autofree char *expected = va_settings_value_describe_expected (key);

  /* environment variables and key files may hold any bytes, but a GVariant
   * string must be UTF-8 (g_variant_new_string() refuses anything else) */
  if (!g_utf8_validate (text, -1, NULL)) {
    va_settings_value_invalid (error, where, text, _ ("the value is not valid UTF-8"));
    return NULL;
  }

  if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN)) {
    gboolean b;
    if (!va_settings_parse_boolean (stripped, &b))
      goto invalid;
    value = g_variant_new_boolean (b);
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32)) {
    gint64 n;
    if (!g_ascii_string_to_signed (stripped, 10, G_MININT32, G_MAXINT32, &n, NULL))
      goto invalid;
    value = g_variant_new_int32 ((gint32)n);
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT32)) {
    guint64 n;
    if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXUINT32, &n, NULL))
      goto invalid;
    value = g_variant_new_uint32 ((guint32)n);
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT64)) {
    guint64 n;
    if (!va_settings_parse_size (stripped, &n))
      goto invalid;
    value = g_variant_new_uint64 (n);
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE)) {
    char *end = NULL;
    double d;
    if (*stripped == '\0')
      goto invalid;
    d = g_ascii_strtod (stripped, &end);
    if (*end != '\0' || !isfinite (d))
      goto invalid;
    value = g_variant_new_double (d);
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING)) {
    g_autoptr (GVariant) range = g_settings_schema_key_get_range (key);
    const char *kind = NULL;
    g_autoptr (GVariant) detail = NULL;

    g_variant_get (range, "(&sv)", &kind, &detail);
    if (g_str_equal (kind, "enum")) {
      /* LOG_LEVEL=INFO is what the checklist writes */
      g_autofree const char **choices = g_variant_get_strv (detail, NULL);
      for (guint i = 0; choices[i] != NULL; i++) {
        if (g_ascii_strcasecmp (choices[i], stripped) == 0)
          value = g_variant_new_string (choices[i]);
      }
      if (value == NULL)
        goto invalid;
    } else {
      /* paths and commands keep their spaces */
      value = g_variant_new_string (text);
    }
  } else if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY)) {
    g_auto (GStrv) parts = g_strsplit (text, ",", -1);
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_auto (GStrv) list = NULL;

    for (guint i = 0; parts[i] != NULL; i++) {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
    list = g_strv_builder_end (builder);
    value = g_variant_new_strv ((const char *const *)list, -1);
  } else {
    g_assert_not_reached ();
  }
  g_variant_ref_sink (value);

  if (!va_settings_value_check (key, value, where, text, error))
    return NULL;
  return g_steal_pointer (&value);

invalid:
  va_settings_value_invalid (error, where, text, expected);
  return NULL;
}

/* DATABASE_URL as the 1.4 service wrote it: sqlite:///relative or
 * sqlite:////absolute. Other databases are not supported (yet). */
char *
va_settings_value_from_database_url (const char *url, GError **error)
{
  if (!g_str_has_prefix (url, "sqlite:///") || url[strlen ("sqlite:///")] == '\0') {
    va_settings_value_invalid (error, "DATABASE_URL", url,
                               _ ("only SQLite URLs of the form sqlite:///PATH are supported"));
    return NULL;
  }
  return g_strdup (url + strlen ("sqlite:///"));
}
