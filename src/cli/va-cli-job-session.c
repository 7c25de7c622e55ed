/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "va-cli-job-private.h"
#include "va-error.h"

/* What every `job` command does around its request: options, the client
 * for the `server-url` setting (`--server`) with the key of
 * VIDEOANNOTATOR_API_KEY or --api-key-file sent as `Authorization:
 * Bearer`, async calls waited for on the main context, and Ctrl-C, which
 * cancels the call being waited for. */

void
va_cli_job_clear (VaCliJob *self)
{
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_pointer (&self->last_status, g_free);
  g_clear_object (&self->result);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
}

int
va_cli_job_usage_error (VaCliJob *self, const char *message)
{
  g_printerr ("videoannotator job %s: %s\n", self->command, message);
  return VA_EXIT_USAGE;
}

static gboolean
va_cli_job_on_sigint (gpointer user_data)
{
  VaCliJob *self = user_data;

  self->interrupted = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_CONTINUE;
}

void
va_cli_job_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaCliJob *self = user_data;

  g_set_object (&self->result, result);
}

GAsyncResult *
va_cli_job_wait_result (VaCliJob *self)
{
  while (self->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return self->result;
}

JsonNode *
va_cli_job_call (VaCliJob *self, const char *method, const char *path, GError **error)
{
  JsonNode *node;

  va_remote_client_call_async (self->client, method, path, self->cancellable, va_cli_job_result_cb,
                               self);
  node = va_remote_client_call_finish (self->client, va_cli_job_wait_result (self), error);
  g_clear_object (&self->result);
  return node;
}

static gboolean
va_cli_job_timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Returns FALSE when interrupted. */
gboolean
va_cli_job_sleep (VaCliJob *self, guint milliseconds)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (milliseconds, va_cli_job_timeout_cb, &expired);

  while (!expired && !self->interrupted)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return !self->interrupted;
}

/* The client for the server-url setting, with the key if there is one. */
static int
va_cli_job_open_client (VaCliJob *self, const char *key_file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;

  self->client
      = va_remote_client_new (va_settings_get_string (self->settings, "server-url"), &error);
  if (self->client == NULL) {
    const char *origin = NULL;
    VaSettingsSource source = va_settings_get_source (self->settings, "server-url", &origin);
    g_autofree char *message
        = g_strdup_printf ("%s (%s)", va_cli_error_message (error),
                           source == VA_SETTINGS_SOURCE_COMMAND_LINE ? "--server"
                           : origin != NULL                          ? origin
                                            : va_settings_source_to_string (source));
    return va_cli_job_usage_error (self, message);
  }
  g_signal_connect (self->client, "progress", G_CALLBACK (va_cli_job_on_transfer), self);

  if (!va_cli_get_api_key (key_file, &key, &error)) {
    g_printerr ("videoannotator job %s: %s\n", self->command, va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  if (key != NULL) {
    self->have_key = TRUE;
    va_remote_client_set_api_key (self->client, key);
    if (!va_remote_client_is_private (self->client))
      g_printerr (_ ("videoannotator: warning: the API key is sent unencrypted to %s; use "
                     "https:// for a server on another machine\n"),
                  va_remote_client_get_base_url (self->client));
    memset (key, 0, strlen (key));
  }
  return -1;
}

/**
 * va_cli_job_setup:
 *
 * Parses @entries with --server, --api-key-file and every setting flag,
 * loads the settings and makes the client.
 *
 * Returns: the exit code on failure, -1 on success
 */
int
va_cli_job_setup (VaCliJob *self, const char *command, const char *parameter, const char *summary,
                  GOptionEntry *entries, int argc, char **argv, GStrv *rest)
{
  g_autofree char *server = NULL;
  g_autofree char *key_file = NULL;
  const GOptionEntry common[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_ ("Server address (default: the server-url setting, http://127.0.0.1:18011)"), N_ ("URL") },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("Read the API key from FILE (“-”: standard input) instead of VIDEOANNOTATOR_API_KEY"),
      N_ ("FILE") },
    { NULL },
  };
  g_autofree char *name = g_strconcat ("job ", command, NULL);
  /* settings flags are accepted, and listed by --help-settings */
  const VaCliCommandSpec spec = {
    .command = name,
    .parameter = parameter,
    .summary = summary,
    .entries = entries,
    .shared_entries = common,
    .flags = VA_CLI_SETTINGS_SEPARATE_HELP,
  };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  int code;

  self->command = command;
  self->cancellable = g_cancellable_new ();
  self->tty = isatty (STDERR_FILENO);
  code = va_cli_settings_parse (&spec, argc, argv, &self->settings, &args);
  if (code >= 0)
    return code;
  if (server != NULL && !va_settings_set_override (self->settings, "server-url", server, &error))
    return va_cli_job_usage_error (self, va_cli_error_message (error));
  code = va_cli_settings_load (&spec, self->settings);
  if (code >= 0)
    return code;
  code = va_cli_job_open_client (self, key_file);
  if (code >= 0)
    return code;

  self->sigint_source = g_unix_signal_add (SIGINT, va_cli_job_on_sigint, self);
  *rest = g_steal_pointer (&args);
  return -1;
}

/* Exactly @count positional arguments after the command name. */
gboolean
va_cli_job_check_args (VaCliJob *self, GStrv rest, guint count, const char *usage)
{
  if (g_strv_length (rest) != count + 1) {
    g_printerr ("%s\n", usage);
    return FALSE;
  }
  return TRUE;
}

char *
va_cli_job_path (const char *job_id, const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (job_id, NULL, FALSE);

  return g_strconcat ("/api/v1/jobs/", escaped, suffix, NULL);
}
