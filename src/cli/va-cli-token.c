/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "va-caller-local.h"
#include "va-cli.h"
#include "va-codec.h"
#include "va-engine-keys.h"
#include "va-error.h"
#include "va-serializable.h"
#include "va-settings.h"

/* `videoannotator token create|list|revoke|revoke-all`: API keys in the
 * data directory (`--data-dir` > VIDEOANNOTATOR_DATA_DIR >
 * $XDG_DATA_HOME/videoannotator, as every command resolves it). A running
 * server sees the changes within a second. The commands are the engine's
 * key administration calls (va-engine-keys.c), as REST and D-Bus make
 * them: the operator is the local user (an administrator when root or the
 * data directory's owner), and the engine audits every change. */

typedef struct {
  VaSettings *settings;
  VaEngine *engine;
  VaCaller *caller;
} VaCliToken;

static void
va_cli_token_clear (VaCliToken *self)
{
  g_clear_object (&self->caller);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCliToken, va_cli_token_clear)

static int
va_cli_token_fail (const char *command, const GError *error)
{
  g_printerr ("videoannotator token %s: %s\n", command, va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}

/* Parses @entries plus every setting flag (--data-dir, --token-dir,
 * --secret-backend, --key-expiry-days, ...), loads the settings and opens
 * the key store. Returns the exit code on failure, -1 on success. */
static int
va_cli_token_setup (VaCliToken *self, const char *command, const char *parameter,
                    const char *summary, const GOptionEntry *entries, int argc, char **argv,
                    GStrv *rest)
{
  g_autofree char *name = g_strconcat ("token ", command, NULL);
  const VaCliCommandSpec spec = {
    .command = name,
    .parameter = parameter,
    .summary = summary,
    .entries = entries,
  };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  int code;

  code = va_cli_settings_open (&spec, argc, argv, &self->settings, &args);
  if (code >= 0)
    return code;
  self->engine = va_engine_new (self->settings, &error);
  if (self->engine == NULL)
    return va_cli_token_fail (command, error);
  self->caller = va_engine_authenticate_uid (self->engine, (guint32)getuid (), &error);
  if (self->caller == NULL)
    return va_cli_token_fail (command, error);
  va_caller_set_transport (self->caller, "cli");
  *rest = g_steal_pointer (&args);
  return -1;
}

/* Compact UTC time for tables */
static char *
va_cli_token_format_time (GDateTime *when, const char *none)
{
  g_autoptr (GDateTime) utc = NULL;

  if (when == NULL)
    return g_strdup (none);
  utc = g_date_time_to_utc (when);
  return g_date_time_format (utc, "%Y-%m-%d %H:%M");
}

/* The key table of `token list`, the same whether the keys come from the
 * data directory, a server over HTTP or the service over D-Bus. */
void
va_cli_token_print_header (void)
{
  g_print ("%-36s  %-11s  %-16s  %-16s  %-16s  %-16s  %-16s  %s\n", _ ("ID"), _ ("PREFIX"),
           _ ("OWNER"), _ ("SCOPES"), _ ("CREATED"), _ ("EXPIRES"), _ ("LAST USED"), _ ("STATE"));
}

void
va_cli_token_print_row (const char *id, const char *prefix, const char *owner, const char *scopes,
                        const char *created, const char *expires, const char *last_used,
                        const char *state)
{
  g_print ("%-36s  %-11s  %-16s  %-16s  %-16s  %-16s  %-16s  %s\n", id, prefix, owner, scopes,
           created, expires, last_used, state);
}

/* An ISO 8601 time of a remote key list as the table shows times (UTC,
 * to the minute); @none when absent or unreadable. */
char *
va_cli_token_format_iso8601 (const char *text, const char *none)
{
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) utc = NULL;

  if (text == NULL || (when = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
    return g_strdup (none);
  utc = g_date_time_to_utc (when);
  return g_date_time_format (utc, "%Y-%m-%d %H:%M");
}

static int
va_cli_token_create (int argc, char **argv)
{
  g_auto (VaCliToken) self = { NULL };
  g_autofree char *user_id = NULL, *username = NULL, *email = NULL, *scopes_text = NULL;
  g_autofree char *description = NULL;
  gint expires_in_days = 0;
  gboolean no_expiry = FALSE, json = FALSE;
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
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print a JSON object; its “key” holds the key"),
      NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autofree char *key = NULL;
  VaTokenRequest request = { 0 };
  VaScopes scopes = VA_SCOPE_NONE;
  int status;

  status = va_cli_token_setup (
      &self, "create", NULL,
      _ ("Create an API key and print it once, alone on the last line of standard output."),
      entries, argc, argv, &rest);
  if (status >= 0)
    return status;
  if (rest[1] != NULL) {
    g_printerr (_ ("videoannotator token create: unexpected argument “%s”\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  if (user_id == NULL || username == NULL || email == NULL || scopes_text == NULL) {
    g_printerr ("%s\n", _ ("videoannotator token create: --user-id, --username, --email and "
                           "--scopes are required"));
    return VA_EXIT_USAGE;
  }
  if (!va_scopes_parse (scopes_text, &scopes, &error))
    return va_cli_token_fail ("create", error);
  if (expires_in_days < 0) {
    g_printerr ("%s\n", _ ("videoannotator token create: --expires-in-days must be positive"));
    return VA_EXIT_USAGE;
  }
  if (no_expiry && expires_in_days == 0)
    g_printerr ("%s\n", _ ("videoannotator token create: warning: this key never expires; "
                           "prefer --expires-in-days and rotate keys"));

  request.user_id = user_id;
  request.username = username;
  request.email = email;
  request.scopes = scopes;
  request.description = description;
  request.expires_in_days = (guint)expires_in_days;
  request.no_expiry = no_expiry;
  record = va_engine_create_key (self.engine, self.caller, &request, &key, &error);
  if (record == NULL)
    return va_cli_token_fail ("create", error);

  if (json) {
    g_autoptr (JsonNode) root = va_codec_to_json (VA_SERIALIZABLE (record));
    json_object_set_string_member (json_node_get_object (root), "key", key);
    va_cli_print_json (root);
  } else {
    g_autofree char *scope_names = va_scopes_to_string (scopes);
    g_autofree char *expires = va_codec_format_datetime (va_api_key_get_expires_at (record));
    g_print (_ ("Created API key for %s <%s>\n"), username, email);
    g_print ("  %-8s %s\n", _ ("id:"), va_api_key_get_id (record));
    g_print ("  %-8s %s\n", _ ("prefix:"), va_api_key_get_prefix (record));
    g_print ("  %-8s %s\n", _ ("scopes:"), scope_names);
    g_print ("  %-8s %s\n", _ ("expires:"), expires != NULL ? expires : _ ("never"));
    g_print ("%s\n", _ ("Store the key now: it is not kept and cannot be shown again."));
    g_print ("%s\n", key);
  }
  memset (key, 0, strlen (key));
  return VA_EXIT_OK;
}

static int
va_cli_token_list (int argc, char **argv)
{
  g_auto (VaCliToken) self = { NULL };
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON instead of a table"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  int status;

  status = va_cli_token_setup (
      &self, "list", NULL,
      _ ("List API keys: id, prefix, owner, scopes, created, expires, last used and state. "
         "Keys themselves are never shown."),
      entries, argc, argv, &rest);
  if (status >= 0)
    return status;
  if (rest[1] != NULL) {
    g_printerr (_ ("videoannotator token list: unexpected argument “%s”\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  keys = va_engine_list_keys (self.engine, self.caller, &error);
  if (keys == NULL)
    return va_cli_token_fail ("list", error);

  if (json) {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "keys");
    json_builder_add_value (builder, va_codec_list_to_json (keys));
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    va_cli_print_json (root);
    return VA_EXIT_OK;
  }

  if (keys->len == 0) {
    g_print ("%s\n", _ ("No API keys. Create one with “videoannotator token create”."));
    return VA_EXIT_OK;
  }
  va_cli_token_print_header ();
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = keys->pdata[i];
    g_autofree char *scopes = va_scopes_to_string (va_api_key_get_scopes (key));
    g_autofree char *created = va_cli_token_format_time (va_api_key_get_created_at (key), "-");
    g_autofree char *expires
        = va_cli_token_format_time (va_api_key_get_expires_at (key), _ ("never"));
    g_autofree char *last_used
        = va_cli_token_format_time (va_api_key_get_last_used_at (key), _ ("never"));

    va_cli_token_print_row (va_api_key_get_id (key), va_api_key_get_prefix (key),
                            va_api_key_get_username (key), scopes, created, expires, last_used,
                            va_api_key_state_to_string (va_api_key_get_state (key, now)));
  }
  return VA_EXIT_OK;
}

/* "-" reads the key from standard input, so it stays out of the process
 * list and the shell history. */
static char *
va_cli_token_read_stdin (void)
{
  char line[256];

  if (fgets (line, sizeof line, stdin) == NULL)
    return NULL;
  g_strstrip (line);
  return g_strdup (line);
}

static int
va_cli_token_revoke (int argc, char **argv)
{
  g_auto (VaCliToken) self = { NULL };
  const GOptionEntry entries[] = { { NULL } };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) key = NULL;
  g_autofree char *query = NULL;
  gboolean newly = FALSE;
  int status;

  status = va_cli_token_setup (
      &self, "revoke", _ ("KEY|ID|PREFIX"),
      _ ("Revoke one API key, named by the key itself (“-” reads it from standard input), its id "
         "or its prefix (va_api_AbCd, which must match a single key)."),
      entries, argc, argv, &rest);
  if (status >= 0)
    return status;
  if (rest[1] == NULL || rest[2] != NULL) {
    g_printerr ("%s\n", _ ("Usage: videoannotator token revoke KEY|ID|PREFIX"));
    return VA_EXIT_USAGE;
  }
  query = g_str_equal (rest[1], "-") ? va_cli_token_read_stdin () : g_strdup (rest[1]);
  if (query == NULL) {
    g_printerr ("%s\n", _ ("videoannotator token revoke: no key on standard input"));
    return VA_EXIT_USAGE;
  }

  key = va_engine_revoke_key (self.engine, self.caller, query, &newly, &error);
  memset (query, 0, strlen (query));
  if (key == NULL)
    return va_cli_token_fail ("revoke", error);
  if (newly) {
    g_print (_ ("Revoked API key %s (%s, %s).\n"), va_api_key_get_id (key),
             va_api_key_get_prefix (key), va_api_key_get_username (key));
  } else {
    g_autofree char *when = va_codec_format_datetime (va_api_key_get_revoked_at (key));
    g_print (_ ("API key %s (%s) was already revoked at %s.\n"), va_api_key_get_id (key),
             va_api_key_get_prefix (key), when);
  }
  return VA_EXIT_OK;
}

static int
va_cli_token_revoke_all (int argc, char **argv)
{
  g_auto (VaCliToken) self = { NULL };
  const GOptionEntry entries[] = { { NULL } };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;
  int status;

  status = va_cli_token_setup (
      &self, "revoke-all", NULL,
      _ ("Revoke every API key (incident response). Running servers refuse them within a "
         "second."),
      entries, argc, argv, &rest);
  if (status >= 0)
    return status;
  if (rest[1] != NULL) {
    g_printerr (_ ("videoannotator token revoke-all: unexpected argument “%s”\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  if (!va_engine_revoke_all_keys (self.engine, self.caller, &count, &error))
    return va_cli_token_fail ("revoke-all", error);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Revoked %u API key.\n", "Revoked %u API keys.\n", count),
           count);
  return VA_EXIT_OK;
}

static const VaCliCommand va_cli_token_commands[] = {
  { "create", N_ ("Create a key and print it once"), va_cli_token_create },
  { "list", N_ ("List keys (never the keys themselves)"), va_cli_token_list },
  { "revoke", N_ ("Revoke a key by key, id or prefix"), va_cli_token_revoke },
  { "revoke-all", N_ ("Revoke every key"), va_cli_token_revoke_all },
};

static void
va_cli_token_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _ ("Usage: videoannotator token COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _ ("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (va_cli_token_commands); i++)
    fprintf (out, "  %-12s %s\n", va_cli_token_commands[i].name,
             _ (va_cli_token_commands[i].summary));
  fprintf (out, "\n%s\n",
           _ ("Every command takes --data-dir DIR and the other setting flags; run "
              "“videoannotator token COMMAND --help”. “videoannotator token --dbus COMMAND "
              "[--system]” asks a running service over D-Bus instead, “videoannotator token "
              "--server URL "
              "COMMAND” a server over REST (admin key in VIDEOANNOTATOR_API_KEY)."));
}

int
va_cli_token (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "--dbus"))
    return va_cli_token_dbus (argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--server") || g_str_has_prefix (argv[1], "--server=")))
    return va_cli_token_remote (argc - 1, argv + 1);
  if (argc >= 2) {
    for (guint i = 0; i < G_N_ELEMENTS (va_cli_token_commands); i++) {
      if (g_str_equal (argv[1], va_cli_token_commands[i].name))
        return va_cli_token_commands[i].run (argc - 1, argv + 1);
    }
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
      va_cli_token_usage (stdout);
      return VA_EXIT_OK;
    }
    g_printerr (_ ("videoannotator token: unknown command “%s”\n\n"), argv[1]);
  }
  va_cli_token_usage (stderr);
  return VA_EXIT_USAGE;
}
