/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "va-cli.h"
#include "va-erasure.h"
#include "va-error.h"
#include "va-recovery.h"
#include "va-remote-client.h"

/* `videoannotator job delete ID --purge` and `videoannotator user delete
 * USER --purge`: the engine's erasure (src/core/va-erasure.c).
 *
 * Where it runs: on the data directory itself when no server uses it
 * (this process then holds the storage lock, so no server can start
 * meanwhile). A running server holds that lock and may be running the
 * job: only it can stop the run, so the command then goes through its
 * REST API (an admin key from VIDEOANNOTATOR_API_KEY or --api-key-file,
 * the server-url setting or --server), and without a key it refuses and
 * says so. */

typedef struct {
  const char *what; /* "job delete", "user delete" */
  gboolean purge;
  gboolean json;
  char *server;
  char *key_file;
  VaSettings *settings;
  GAsyncResult *result;
} VaCliErasure;

static void
va_cli_erasure_clear (VaCliErasure *self)
{
  g_free (self->server);
  g_free (self->key_file);
  g_clear_object (&self->settings);
  g_clear_object (&self->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCliErasure, va_cli_erasure_clear)

static int
va_cli_erasure_fail (VaCliErasure *self, const GError *error)
{
  g_printerr ("videoannotator %s: %s\n", self->what, va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}

static void
va_cli_erasure_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaCliErasure *self = user_data;
  self->result = g_object_ref (result);
}

static GAsyncResult *
va_cli_erasure_wait (VaCliErasure *self)
{
  while (self->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return self->result;
}

/* Parses the options; returns the exit code on failure, -1 on success
 * with the single positional argument in @argument. */
static int
va_cli_erasure_parse (VaCliErasure *self, const char *parameter, const char *summary, int argc,
                      char **argv, char **argument)
{
  const GOptionEntry entries[] = {
    { "purge", 0, 0, G_OPTION_ARG_NONE, &self->purge,
      N_ ("Required: confirms that everything goes, for good"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &self->json, N_ ("Print the outcome as JSON"), NULL },
    { "server", 0, 0, G_OPTION_ARG_STRING, &self->server,
      N_ ("Server to go through when one runs on the data directory (default: the server-url "
          "setting)"),
      N_ ("URL") },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &self->key_file,
      N_ ("Admin key for that server, from FILE (“-”: standard input) instead of "
          "VIDEOANNOTATOR_API_KEY"),
      N_ ("FILE") },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = self->what,
    .parameter = parameter,
    .summary = summary,
    .entries = entries,
  };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &self->settings, &args);
  if (code >= 0)
    return code;
  if (g_strv_length (args) != 2) {
    g_printerr (_ ("Usage: videoannotator %s %s --purge [--data-dir DIR]\n"), self->what,
                parameter);
    return VA_EXIT_USAGE;
  }
  if (!self->purge) {
    g_printerr (_ ("videoannotator %s: erasure cannot be undone; add --purge to confirm\n"),
                self->what);
    return VA_EXIT_USAGE;
  }
  if (self->server != NULL
      && !va_settings_set_override (self->settings, "server-url", self->server, &error)) {
    g_printerr ("videoannotator %s: %s\n", self->what, va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, self->settings);
  if (code >= 0)
    return code;
  *argument = g_strdup (args[1]);
  return -1;
}

/* The server that holds the data directory: POST @path with an admin key. */
static JsonNode *
va_cli_erasure_remote (VaCliErasure *self, const char *path, GError **error)
{
  g_autoptr (VaRemoteClient) client = NULL;
  g_autofree char *key = NULL;
  JsonNode *node;

  if (!va_cli_get_api_key (self->key_file, &key, error))
    return NULL;
  if (key == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_READ_ONLY,
                 _ ("a server is running on %s and may be running the job: the erasure must go "
                    "through it. Set VIDEOANNOTATOR_API_KEY (or --api-key-file) to an admin key, "
                    "and --server if it does not listen on %s; or stop the server first"),
                 va_settings_get_string (self->settings, "data-dir"),
                 va_settings_get_string (self->settings, "server-url"));
    return NULL;
  }
  client = va_remote_client_new (va_settings_get_string (self->settings, "server-url"), error);
  if (client == NULL)
    return NULL;
  va_remote_client_set_api_key (client, key);
  memset (key, 0, strlen (key));
  va_remote_client_call_async (client, "POST", path, NULL, va_cli_erasure_done, self);
  node = va_remote_client_call_finish (client, va_cli_erasure_wait (self), error);
  g_clear_object (&self->result);
  return node;
}

/* The local engine when this process can lock the storage; otherwise
 * @remote_path through the server. @run starts the engine call. */
typedef void (*VaCliErasureRun) (VaEngine *engine, VaCaller *caller, const char *id,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);

static VaEngine *
va_cli_erasure_local (VaCliErasure *self, VaCliErasureRun run, const char *id, int *lock,
                      gboolean *busy, GError **error)
{
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaCaller) caller = va_caller_new_local ();
  g_autoptr (GError) local_error = NULL;

  engine = va_engine_new (self->settings, error);
  if (engine == NULL)
    return NULL;
  *lock = va_recovery_lock_storage (va_engine_get_storage (engine), &local_error);
  if (*lock < 0) {
    if (g_error_matches (local_error, VA_ERROR, VA_ERROR_CONFLICT))
      *busy = TRUE;
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  run (engine, caller, id, NULL, va_cli_erasure_done, self);
  va_cli_erasure_wait (self);
  return g_steal_pointer (&engine);
}

int
va_cli_erasure_purge_job (int argc, char **argv)
{
  g_auto (VaCliErasure) self = { .what = "job delete" };
  g_autofree char *id = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  gboolean busy = FALSE;
  int lock = -1;
  int code;

  code = va_cli_erasure_parse (
      &self, _ ("ID"),
      _ ("With --purge: erase the job for good (right to erasure): its records, its video and "
         "every result file, audited as job.purge. Works on the data directory, or through the "
         "server that runs on it."),
      argc, argv, &id);
  if (code >= 0)
    return code;

  engine = va_cli_erasure_local (&self, va_erasure_purge_job_async, id, &lock, &busy, &error);
  if (engine != NULL) {
    gboolean ok = va_erasure_purge_job_finish (engine, self.result, &error);
    g_close (lock, NULL);
    if (!ok)
      return va_cli_erasure_fail (&self, error);
  } else if (busy) {
    g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s/purge", escaped);
    g_autoptr (JsonNode) node = va_cli_erasure_remote (&self, path, &error);
    if (node == NULL)
      return va_cli_erasure_fail (&self, error);
  } else {
    return va_cli_erasure_fail (&self, error);
  }
  if (self.json) {
    g_autoptr (JsonObject) o = json_object_new ();
    g_autoptr (JsonNode) root = NULL;

    json_object_set_string_member (o, "job_id", id);
    json_object_set_boolean_member (o, "purged", TRUE);
    root = json_node_init_object (json_node_alloc (), o);
    va_cli_print_json (root);
  } else {
    g_print (_ ("Erased job %s.\n"), id);
  }
  return VA_EXIT_OK;
}

static void
va_cli_erasure_print_user (VaCliErasure *self, const char *id, const VaErasureReport *report)
{
  if (self->json) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "user_id");
    json_builder_add_string_value (b, id);
    json_builder_set_member_name (b, "jobs_deleted");
    json_builder_add_int_value (b, report->jobs_deleted);
    json_builder_set_member_name (b, "keys_removed");
    json_builder_add_int_value (b, report->keys_removed);
    json_builder_set_member_name (b, "user_record_removed");
    json_builder_add_boolean_value (b, report->user_row);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    va_cli_print_json (root);
    return;
  }
  g_print (_ ("Erased user %s: %u job(s), %u API key(s)%s.\n"), id, report->jobs_deleted,
           report->keys_removed, report->user_row ? _ (", the user record") : "");
}

static int
va_cli_user_delete (int argc, char **argv)
{
  g_auto (VaCliErasure) self = { .what = "user delete" };
  g_autofree char *id = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  VaErasureReport report = { 0 };
  gboolean busy = FALSE;
  int lock = -1;
  int code;

  code = va_cli_erasure_parse (
      &self, _ ("USER"),
      _ ("Erase a user for good (right to erasure): their API keys (removed, not just revoked), "
         "every job with its video and result files, and their user record (username, e-mail), "
         "audited as user.purge. Works on the data directory, or through the server that runs "
         "on it."),
      argc, argv, &id);
  if (code >= 0)
    return code;

  engine = va_cli_erasure_local (&self, va_erasure_purge_user_async, id, &lock, &busy, &error);
  if (engine != NULL) {
    gboolean ok = va_erasure_purge_user_finish (engine, self.result, &report, &error);
    g_close (lock, NULL);
    if (!ok)
      return va_cli_erasure_fail (&self, error);
  } else if (busy) {
    g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("/api/v1/users/%s/purge", escaped);
    g_autoptr (JsonNode) node = va_cli_erasure_remote (&self, path, &error);
    JsonObject *o;

    if (node == NULL)
      return va_cli_erasure_fail (&self, error);
    o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    if (o != NULL) {
      report.jobs_deleted = json_object_get_int_member_with_default (o, "jobs_deleted", 0);
      report.keys_removed = json_object_get_int_member_with_default (o, "keys_removed", 0);
      report.user_row
          = json_object_get_boolean_member_with_default (o, "user_record_removed", FALSE);
    }
  } else {
    return va_cli_erasure_fail (&self, error);
  }
  va_cli_erasure_print_user (&self, id, &report);
  return VA_EXIT_OK;
}

int
va_cli_user (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "delete"))
    return va_cli_user_delete (argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))) {
    g_print ("%s\n", _ ("Usage: videoannotator user delete USER --purge [--data-dir DIR]"));
    return VA_EXIT_OK;
  }
  g_printerr ("%s\n", _ ("Usage: videoannotator user delete USER --purge [--data-dir DIR]"));
  return VA_EXIT_USAGE;
}
