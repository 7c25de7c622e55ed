/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "va-http-private.h"

/* Human-readable error texts in the client's language: the `message` and
 * `hint` of the error envelope follow Accept-Language when a catalogue has
 * a translation (codes stay English). The catalogues are the JSON form of
 * po/<lang>.po that the web UI uses too (build-aux/po-to-json.py), compiled in
 * as resources; they are read once and never change, so every serving
 * thread may look them up without a lock. */

#define VA_HTTP_CATALOGUE_DIR "/org/videoannotator/VideoAnnotator/web/"

static GHashTable *
va_http_i18n_load_one (GResource *resource, const char *path)
{
  g_autoptr (GBytes) bytes = g_resource_lookup_data (resource, path, 0, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  GHashTable *messages = NULL;
  JsonObject *root = NULL;
  JsonObject *table = NULL;
  GList *members = NULL;

  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      (gssize)g_bytes_get_size (bytes), NULL))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  table = json_object_get_object_member (root, "messages");
  messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (table);
  for (GList *l = members; l != NULL; l = l->next) {
    JsonNode *value = json_object_get_member (table, l->data);
    /* plural entries (arrays) never reach an error envelope */
    if (JSON_NODE_HOLDS_VALUE (value))
      g_hash_table_insert (messages, g_strdup (l->data), g_strdup (json_node_get_string (value)));
  }
  g_list_free (members);
  return messages;
}

/* language code → GHashTable of msgid → translation */
static GHashTable *
va_http_i18n_catalogues (void)
{
  static gsize loaded = 0;
  static GHashTable *catalogues = NULL;

  if (g_once_init_enter (&loaded)) {
    GResource *resource = va_catalogues_get_resource ();
    g_auto (GStrv) names = g_resource_enumerate_children (resource, VA_HTTP_CATALOGUE_DIR, 0, NULL);

    catalogues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref);
    for (guint i = 0; names != NULL && names[i] != NULL; i++) {
      g_autofree char *path = NULL;
      GHashTable *messages = NULL;
      char *lang = NULL;

      if (!g_str_has_prefix (names[i], "messages-") || !g_str_has_suffix (names[i], ".json"))
        continue;
      path = g_strconcat (VA_HTTP_CATALOGUE_DIR, names[i], NULL);
      messages = va_http_i18n_load_one (resource, path);
      if (messages == NULL)
        continue;
      lang = g_strndup (names[i] + strlen ("messages-"),
                        strlen (names[i]) - strlen ("messages-") - strlen (".json"));
      g_hash_table_insert (catalogues, lang, messages);
    }
    g_once_init_leave (&loaded, 1);
  }
  return catalogues;
}

/* The catalogue of the language the client prefers most among English
 * (the messages as written) and the translated ones; NULL for English.
 * "fr-CH" is served by "fr"; "*" and unknown languages never pick one. */
static GHashTable *
va_http_i18n_negotiate (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Accept-Language");
  GHashTable *catalogues = NULL;
  GHashTable *chosen = NULL;
  GSList *ranked = NULL;

  if (header == NULL)
    return NULL;
  catalogues = va_http_i18n_catalogues ();
  ranked = soup_header_parse_quality_list (header, NULL);
  for (GSList *l = ranked; l != NULL && chosen == NULL; l = l->next) {
    g_autofree char *primary = g_ascii_strdown (l->data, -1);
    char *dash = strchr (primary, '-');

    if (dash != NULL)
      *dash = '\0';
    if (g_str_equal (primary, "en"))
      break;
    chosen = g_hash_table_lookup (catalogues, primary);
  }
  soup_header_free_list (ranked);
  return chosen;
}

/**
 * va_http_i18n_translate:
 * @msg: the request being answered
 * @text: (nullable): an English message as written in the source
 *
 * Returns: (transfer none) (nullable): @text in the language the request
 * asks for, or @text itself when there is no translation.
 */
const char *
va_http_i18n_translate (SoupServerMessage *msg, const char *text)
{
  GHashTable *messages = NULL;
  const char *translated = NULL;

  if (text == NULL || (messages = va_http_i18n_negotiate (msg)) == NULL)
    return text;
  translated = g_hash_table_lookup (messages, text);
  return translated != NULL && *translated != '\0' ? translated : text;
}
