/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-remote-client.h"

/* `videoannotator token --server URL COMMAND`: key administration of a
 * running server over REST (/api/v1/keys), the same engine calls as the
 * local commands and `token --dbus`, with the same output. The key
 * (admin scope) comes from VIDEOANNOTATOR_API_KEY or --api-key-file. */

typedef struct {
  const char *server;
  gboolean json;
  char *key_file;
  VaRemoteClient *client;
  GAsyncResult *result;
} VaCliTokenRemote;

static int
va_cli_token_remote_fail (const char *command, const GError *error)
{
  g_printerr ("videoannotator token %s: %s\n", command, va_cli_error_message (error));
  if (g_error_matches (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED)
      || g_error_matches (error, VA_ERROR, VA_ERROR_FORBIDDEN))
    return VA_EXIT_DENIED;
  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR
      || g_error_matches (error, VA_ERROR, VA_ERROR_RATE_LIMITED))
    return VA_EXIT_UNAVAILABLE;
  return va_cli_exit_code_for_error (error);
}

static int
va_cli_token_remote_setup (VaCliTokenRemote *self, int argc, char **argv, const char *parameter,
                           const GOptionEntry *extra, GStrv *rest)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &self->json, N_ ("Print JSON"), NULL },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &self->key_file,
      N_ ("Read the API key from FILE (“-”: standard input) instead of VIDEOANNOTATOR_API_KEY"),
      N_ ("FILE") },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;
  g_autofree char *what = g_strconcat ("token ", argv[0], NULL);
  g_autofree char *key = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, GETTEXT_PACKAGE);
  *rest = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, rest, &error)) {
    g_printerr ("videoannotator %s: %s\n", what, va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  self->client = va_remote_client_new (self->server, &error);
  if (self->client == NULL) {
    g_printerr ("videoannotator %s: %s (--server)\n", what, va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  if (self->key_file != NULL) {
    key = va_cli_read_key_file (self->key_file, &error);
    if (key == NULL) {
      g_printerr ("videoannotator %s: %s\n", what, va_cli_error_message (error));
      return VA_EXIT_USAGE;
    }
  } else if (g_getenv ("VIDEOANNOTATOR_API_KEY") != NULL) {
    key = g_strstrip (g_strdup (g_getenv ("VIDEOANNOTATOR_API_KEY")));
  }
  if (key != NULL && *key != '\0') {
    va_remote_client_set_api_key (self->client, key);
    if (!va_remote_client_is_private (self->client))
      g_printerr (_ ("videoannotator: warning: the API key is sent unencrypted to %s; use "
                     "https:// for a server on another machine\n"),
                  va_remote_client_get_base_url (self->client));
    memset (key, 0, strlen (key));
  }
  return -1;
}

static void
va_cli_token_remote_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaCliTokenRemote *self = user_data;

  self->result = g_object_ref (result);
}

/* One call, waited for; the answer must be a JSON object. */
static JsonObject *
va_cli_token_remote_call (VaCliTokenRemote *self, const char *method, const char *path,
                          JsonNode *body, GError **error)
{
  g_autoptr (JsonNode) node = NULL;

  va_remote_client_call_json_async (self->client, method, path, body, NULL,
                                    va_cli_token_remote_done, self);
  while (self->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  node = va_remote_client_call_finish (self->client, self->result, error);
  g_clear_object (&self->result);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         _ ("The server's answer is not a JSON object"));
    return NULL;
  }
  return json_object_ref (json_node_get_object (node));
}

static void
va_cli_token_remote_print (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, TRUE);

  g_print ("%s\n", text);
}

static const char *
va_cli_token_remote_field (JsonObject *key, const char *field, const char *none)
{
  const char *value = json_object_get_string_member_with_default (key, field, NULL);

  return value != NULL ? value : none;
}

/* As the local `token list` prints times: compact UTC. */
static char *
va_cli_token_remote_time (JsonObject *key, const char *field, const char *none)
{
  return va_cli_token_format_iso8601 (json_object_get_string_member_with_default (key, field, NULL),
                                      none);
}

static int
va_cli_token_remote_list (VaCliTokenRemote *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *keys;
  int status;

  if ((status = va_cli_token_remote_setup (self, argc, argv, NULL, NULL, &rest)) >= 0)
    return status;
  if (rest[1] != NULL) {
    g_printerr (_ ("videoannotator token list: unexpected argument “%s”\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  reply = va_cli_token_remote_call (self, "GET", "/api/v1/keys", NULL, &error);
  if (reply == NULL)
    return va_cli_token_remote_fail ("list", error);
  if (self->json) {
    json_object_remove_member (reply, "count");
    va_cli_token_remote_print (reply);
    return VA_EXIT_OK;
  }
  keys = json_object_get_array_member (reply, "keys");
  if (keys == NULL || json_array_get_length (keys) == 0) {
    g_print ("%s\n", _ ("No API keys. Create one with “videoannotator token create”."));
    return VA_EXIT_OK;
  }
  va_cli_token_print_header ();
  for (guint i = 0; i < json_array_get_length (keys); i++) {
    JsonObject *key = json_array_get_object_element (keys, i);
    JsonArray *scope_list = json_object_get_array_member (key, "scopes");
    g_autoptr (GString) scopes = g_string_new (NULL);
    g_autofree char *created = va_cli_token_remote_time (key, "created_at", "-");
    g_autofree char *expires = va_cli_token_remote_time (key, "expires_at", _ ("never"));
    g_autofree char *used = va_cli_token_remote_time (key, "last_used_at", _ ("never"));

    for (guint j = 0; scope_list != NULL && j < json_array_get_length (scope_list); j++)
      g_string_append_printf (scopes, "%s%s", j > 0 ? "," : "",
                              json_array_get_string_element (scope_list, j));
    va_cli_token_print_row (va_cli_token_remote_field (key, "id", "-"),
                            va_cli_token_remote_field (key, "prefix", "-"),
                            va_cli_token_remote_field (key, "username", "-"), scopes->str, created,
                            expires, used, va_cli_token_remote_field (key, "state", "-"));
  }
  return VA_EXIT_OK;
}

static int
va_cli_token_remote_create (VaCliTokenRemote *self, int argc, char **argv)
{
  g_autofree char *user_id = NULL, *username = NULL, *email = NULL, *scopes_text = NULL;
  g_autofree char *description = NULL;
  gint expires_in_days = 0;
  gboolean no_expiry = FALSE;
  const GOptionEntry entries[] = {
    { "user-id", 0, 0, G_OPTION_ARG_STRING, &user_id, N_ ("Owner id (required)"), N_ ("ID") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_ ("Owner name (required)"), N_ ("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_ ("Owner e-mail (required)"), N_ ("EMAIL") },
    { "scopes", 0, 0, G_OPTION_ARG_STRING, &scopes_text,
      N_ ("Comma-separated scopes: read, write, admin (required)"), N_ ("SCOPES") },
    { "expires-in-days", 0, 0, G_OPTION_ARG_INT, &expires_in_days,
      N_ ("Lifetime in days (default: key-expiry-days; at most key-max-expiry-days)"), N_ ("N") },
    { "no-expiry", 0, 0, G_OPTION_ARG_NONE, &no_expiry,
      N_ ("Create a key that never expires (not recommended)"), NULL },
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_ ("Free text, e.g. the purpose"),
      N_ ("TEXT") },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_auto (GStrv) scopes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  const char *key;
  int status;

  if ((status = va_cli_token_remote_setup (self, argc, argv, NULL, entries, &rest)) >= 0)
    return status;
  if (rest[1] != NULL || user_id == NULL || username == NULL || email == NULL || scopes_text == NULL
      || expires_in_days < 0) {
    g_printerr ("%s\n", _ ("Usage: videoannotator token --server URL create --user-id ID "
                           "--username NAME --email EMAIL --scopes SCOPES [--expires-in-days N]"));
    return VA_EXIT_USAGE;
  }
  scopes = g_strsplit (scopes_text, ",", -1);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, user_id);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, email);
  json_builder_set_member_name (b, "scopes");
  json_builder_begin_array (b);
  for (guint i = 0; scopes[i] != NULL; i++)
    json_builder_add_string_value (b, g_strstrip (scopes[i]));
  json_builder_end_array (b);
  if (expires_in_days > 0) {
    json_builder_set_member_name (b, "expires_in_days");
    json_builder_add_int_value (b, expires_in_days);
  }
  if (no_expiry) {
    json_builder_set_member_name (b, "no_expiry");
    json_builder_add_boolean_value (b, TRUE);
  }
  if (description != NULL) {
    json_builder_set_member_name (b, "description");
    json_builder_add_string_value (b, description);
  }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  reply = va_cli_token_remote_call (self, "POST", "/api/v1/keys", body, &error);
  if (reply == NULL)
    return va_cli_token_remote_fail ("create", error);
  key = json_object_get_string_member_with_default (reply, "key", NULL);
  if (key == NULL) {
    g_printerr ("videoannotator token create: %s\n", _ ("The server's answer has no key"));
    return VA_EXIT_FAILURE;
  }
  if (self->json) {
    va_cli_token_remote_print (reply);
  } else {
    g_print ("  %-8s %s\n", _ ("id:"), va_cli_token_remote_field (reply, "id", "-"));
    g_print ("  %-8s %s\n", _ ("prefix:"), va_cli_token_remote_field (reply, "prefix", "-"));
    g_print ("%s\n", _ ("Store the key now: it is not kept and cannot be shown again."));
    g_print ("%s\n", key);
  }
  return VA_EXIT_OK;
}

static int
va_cli_token_remote_revoke (VaCliTokenRemote *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *escaped = NULL, *path = NULL;
  int status;

  if ((status = va_cli_token_remote_setup (self, argc, argv, _ ("ID|PREFIX"), NULL, &rest)) >= 0)
    return status;
  if (rest[1] == NULL || rest[2] != NULL) {
    g_printerr ("%s\n", _ ("Usage: videoannotator token --server URL revoke ID|PREFIX"));
    return VA_EXIT_USAGE;
  }
  escaped = g_uri_escape_string (rest[1], NULL, FALSE);
  path = g_strconcat ("/api/v1/keys/", escaped, NULL);
  reply = va_cli_token_remote_call (self, "DELETE", path, NULL, &error);
  if (reply == NULL)
    return va_cli_token_remote_fail ("revoke", error);
  if (json_object_get_boolean_member_with_default (reply, "newly_revoked", FALSE))
    g_print (_ ("Revoked API key %s (%s, %s).\n"), va_cli_token_remote_field (reply, "id", "-"),
             va_cli_token_remote_field (reply, "prefix", "-"),
             va_cli_token_remote_field (reply, "username", "-"));
  else
    g_print (_ ("API key %s (%s) was already revoked at %s.\n"),
             va_cli_token_remote_field (reply, "id", "-"),
             va_cli_token_remote_field (reply, "prefix", "-"),
             va_cli_token_remote_field (reply, "revoked_at", "-"));
  return VA_EXIT_OK;
}

static int
va_cli_token_remote_revoke_all (VaCliTokenRemote *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = NULL;
  guint count;
  int status;

  if ((status = va_cli_token_remote_setup (self, argc, argv, NULL, NULL, &rest)) >= 0)
    return status;
  if (rest[1] != NULL) {
    g_printerr (_ ("videoannotator token revoke-all: unexpected argument “%s”\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  reply = va_cli_token_remote_call (self, "POST", "/api/v1/keys/revoke-all", NULL, &error);
  if (reply == NULL)
    return va_cli_token_remote_fail ("revoke-all", error);
  count = (guint)json_object_get_int_member_with_default (reply, "revoked", 0);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Revoked %u API key.\n", "Revoked %u API keys.\n", count),
           count);
  return VA_EXIT_OK;
}

static const struct {
  const char *name;
  int (*run) (VaCliTokenRemote *self, int argc, char **argv);
} va_cli_token_remote_commands[] = {
  { "list", va_cli_token_remote_list },
  { "create", va_cli_token_remote_create },
  { "revoke", va_cli_token_remote_revoke },
  { "revoke-all", va_cli_token_remote_revoke_all },
};

/**
 * va_cli_token_remote:
 * @argv: `--server URL COMMAND ARGS…` or `--server=URL COMMAND ARGS…`
 */
int
va_cli_token_remote (int argc, char **argv)
{
  VaCliTokenRemote self = { 0 };
  int code = VA_EXIT_USAGE;
  int first;

  if (g_str_has_prefix (argv[0], "--server=")) {
    self.server = argv[0] + strlen ("--server=");
    first = 1;
  } else {
    self.server = argc >= 2 ? argv[1] : NULL;
    first = 2;
  }
  for (guint i = 0;
       self.server != NULL && argc > first && i < G_N_ELEMENTS (va_cli_token_remote_commands);
       i++) {
    if (g_str_equal (argv[first], va_cli_token_remote_commands[i].name)) {
      code = va_cli_token_remote_commands[i].run (&self, argc - first, argv + first);
      g_clear_object (&self.client);
      g_clear_object (&self.result);
      g_free (self.key_file);
      return code;
    }
  }
  g_printerr ("%s\n", _ ("Usage: videoannotator token --server URL list|create|revoke|revoke-all "
                         "[--json] [--api-key-file FILE] …"));
  return code;
}
