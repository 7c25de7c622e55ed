/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-audit-query.h"
#include "va-cli.h"
#include "va-codec.h"
#include "va-error.h"

/* `videoannotator audit list`: the audit trail of a data directory, read
 * through the engine (src/core/va-audit-query.c) as the local admin. It
 * works while a server runs on the same directory (SQLite WAL). */

static void
va_cli_audit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
va_cli_audit_print (GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++) {
    VaAuditEntry *entry = g_ptr_array_index (entries, i);
    GDateTime *when = va_audit_entry_get_time (entry);
    g_autofree char *time = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("-");
    JsonObject *detail = va_audit_entry_get_detail (entry);
    g_autofree char *detail_text = NULL;

    if (detail != NULL) {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
      detail_text = json_to_string (node, FALSE);
    }
    g_print ("%s  %-20s  %-12s  %-14s  %s  %s\n", time, va_audit_entry_get_action (entry),
             va_audit_entry_get_user_id (entry) != NULL ? va_audit_entry_get_user_id (entry) : "-",
             va_audit_entry_get_key_prefix (entry) != NULL ? va_audit_entry_get_key_prefix (entry)
                                                           : "-",
             va_audit_entry_get_target (entry) != NULL ? va_audit_entry_get_target (entry) : "-",
             detail_text != NULL ? detail_text : "");
  }
}

static int
va_cli_audit_list (int argc, char **argv)
{
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaCaller) caller = va_caller_new_local ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) since = NULL;
  g_autoptr (GDateTime) until = NULL;
  g_autofree char *key = NULL, *user = NULL, *action = NULL;
  g_autofree char *since_text = NULL, *until_text = NULL;
  g_auto (GStrv) args = NULL;
  gboolean json = FALSE;
  int limit = 100, offset = 0;
  const GOptionEntry entries_options[] = {
    { "key", 0, 0, G_OPTION_ARG_STRING, &key,
      N_ ("Only what this key did (its prefix, as token list shows it)"), N_ ("PREFIX") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_ ("Only what this user did"), N_ ("USER") },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action,
      N_ ("Only this action (job.submit, job.delete, job.purge, key.create, …)"), N_ ("ACTION") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
      N_ ("From this time on: ISO 8601, a date, or an age (90m, 24h, 7d)"), N_ ("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until_text, N_ ("Before this time"), N_ ("TIME") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_ ("At most N entries (1–1000, default 100)"),
      N_ ("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_ ("Skip the N newest entries"), N_ ("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print a JSON array"), NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "audit list",
    .summary = _ ("List the audit trail, newest first: who (user, key prefix) did what (action) "
                  "to what (target), when."),
    .entries = entries_options,
  };
  VaAuditQuery query = { 0 };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (g_strv_length (args) > 1 || limit < 1 || limit > VA_STORE_MAX_PER_PAGE || offset < 0) {
    g_printerr ("%s\n", _ ("Usage: videoannotator audit list [--key PREFIX] [--user USER] "
                           "[--action A] [--since TIME] [--until TIME] [--limit 1–1000] "
                           "[--offset N] [--json]"));
    return VA_EXIT_USAGE;
  }
  if ((since_text != NULL && (since = va_audit_query_parse_time (since_text, now, &error)) == NULL)
      || (until_text != NULL
          && (until = va_audit_query_parse_time (until_text, now, &error)) == NULL)) {
    g_printerr ("videoannotator audit list: %s\n", va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;
  engine = va_engine_new (settings, &error);
  if (engine == NULL)
    goto fail;

  query.key_prefix = key;
  query.user_id = user;
  query.action = action;
  query.since = since;
  query.until = until;
  query.limit = limit;
  query.offset = offset;
  va_audit_query_async (engine, caller, &query, NULL, va_cli_audit_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  entries = va_audit_query_finish (engine, result, &error);
  if (entries == NULL)
    goto fail;
  if (json) {
    g_autoptr (JsonNode) node = va_codec_list_to_json (entries);
    va_cli_print_json (node);
  } else {
    va_cli_audit_print (entries);
  }
  return VA_EXIT_OK;

fail:
  g_printerr ("videoannotator audit list: %s\n", va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}

int
va_cli_audit (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return va_cli_audit_list (argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))) {
    g_print ("%s\n", _ ("Usage: videoannotator audit list [OPTIONS…]"));
    return VA_EXIT_OK;
  }
  g_printerr ("%s\n", _ ("Usage: videoannotator audit list [OPTIONS…]"));
  return VA_EXIT_USAGE;
}
