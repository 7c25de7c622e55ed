/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-cli.h"
#include "va-dbus-service.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-http-server.h"
#include "va-log.h"
#include "va-secure-file.h"
#include "va-settings.h"
#include "va-token-store.h"

/* `videoannotator server`: the long-running service. It checks who it runs
 * as and every setting before it creates anything, sets a umask that keeps
 * job files private, opens the engine, serves HTTP, hands over the first
 * admin key, and on SIGTERM/SIGINT stops
 * gracefully: running jobs get `shutdown-timeout` seconds, then go back
 * to the queue for the next start. */

typedef struct {
  GMainLoop *loop;
  VaEngine *engine;
  VaHttpServer *http;
  gboolean stopping;
  GError *error;
} VaCliServer;

static void
va_cli_server_shutdown_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaCliServer *server = user_data;

  if (!va_engine_shutdown_finish (VA_ENGINE (source), result, &server->error))
    g_warning ("Shutdown: %s", server->error->message);
  g_message ("Stopped");
  g_main_loop_quit (server->loop);
}

static gboolean
va_cli_server_signal_cb (gpointer user_data)
{
  VaCliServer *server = user_data;

  if (server->stopping) {
    /* a second signal: stop now; the next start recovers running jobs */
    g_warning ("Second signal: exiting without waiting for running jobs");
    g_main_loop_quit (server->loop);
    return G_SOURCE_REMOVE;
  }
  server->stopping = TRUE;
  g_message ("Shutting down: no new jobs; running jobs get %u s to finish",
             va_settings_get_uint (va_engine_get_settings (server->engine), "shutdown-timeout"));
  if (server->http != NULL)
    va_http_server_stop (server->http);
  va_engine_shutdown_async (server->engine, NULL, va_cli_server_shutdown_cb, server);
  return G_SOURCE_CONTINUE;
}

#define VA_CLI_SERVER_KEY_FILE "initial-admin-key"

/* The first admin key goes to a private file in the data directory, and
 * to the terminal only when there is one: under systemd standard output
 * is the journal, which keeps it readable long after it was shown. A key
 * that cannot be handed over is revoked, so the next start makes another.
 * Returns the exit code on failure, -1 on success. */
static int
va_cli_server_hand_over_key (VaEngine *engine, VaSettings *settings, char *key)
{
  g_autofree char *path
      = g_build_filename (va_settings_get_data_dir (settings), VA_CLI_SERVER_KEY_FILE, NULL);
  g_autofree char *contents = g_strconcat (key, "\n", NULL);
  g_autoptr (GError) error = NULL;

  if (!va_secure_file_write (path, contents, strlen (contents), &error)) {
    g_autoptr (GError) revoke_error = NULL;
    gboolean revoked = va_engine_withdraw_initial_key (engine, key, &revoke_error);

    g_printerr (_ ("videoannotator server: cannot write the first admin key to %s: %s; the key "
                   "was revoked%s%s\n"),
                path, va_cli_error_message (error), !revoked ? ": " : "",
                !revoked ? revoke_error->message : "");
    memset (contents, 0, strlen (contents));
    return va_cli_exit_code_for_error (error);
  }
  memset (contents, 0, strlen (contents));

  g_print ("\n%s\n", _ ("A first admin API key was created."));
  g_print (_ ("It is in %s (mode 0600): store it elsewhere, then delete that file.\n"), path);
  g_print ("%s\n", _ ("Use it as “Authorization: Bearer KEY”; create more with “videoannotator "
                      "token create”."));
  if (isatty (STDOUT_FILENO))
    g_print ("\n%s\n", key);
  g_print ("\n");
  fflush (stdout);
  return -1;
}

/* Everything that can refuse the start, before anything is created. */
static gboolean
va_cli_server_check (VaSettings *settings, gboolean dev, GError **error)
{
  const char *dirs[]
      = { va_settings_get_data_dir (settings), va_settings_get_storage_dir (settings),
          va_settings_get_log_dir (settings) };

  if (!va_http_server_check_settings (settings, dev, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    if (!va_secure_file_check_closed_dir (dirs[i], error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
va_cli_server_wants_dev (char **argv)
{
  for (guint i = 1; argv[i] != NULL; i++) {
    if (g_str_equal (argv[i], "--"))
      break;
    if (g_str_equal (argv[i], "--dev"))
      return TRUE;
  }
  return FALSE;
}

int
va_cli_server (int argc, char **argv)
{
  gboolean allow_root = FALSE;
  gboolean dev = FALSE;
  const GOptionEntry entries[] = {
    { "allow-root", 0, 0, G_OPTION_ARG_NONE, &allow_root, N_ ("Run even as root (not recommended)"),
      NULL },
    { "dev", 0, 0, G_OPTION_ARG_NONE, &dev,
      N_ ("Development mode: no authentication, any CORS origin (never in production)"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  /* --dev only changes defaults: explicit flags still win */
  static const char *const dev_defaults[] = { "auth-required=false", "cors-origins=*", NULL };
  const VaCliCommandSpec spec = {
    .command = "server",
    .summary = _ ("Run the VideoAnnotator service: the REST API and the job queue.\n\n"
                  "Every setting is also a flag (--port, --bind-address, --data-dir, "
                  "--read-only, …); flags override environment variables and the "
                  "settings backend."),
    .entries = entries,
    .defaults = va_cli_server_wants_dev (argv) ? dev_defaults : NULL,
  };
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaLog) log = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaHttpServer) http = NULL;
  g_autoptr (VaDBusService) dbus = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *key = NULL;
  g_autofree char *uri = NULL;
  g_auto (GStrv) args = NULL;
  VaCliServer server = { 0 };
  guint sigterm, sigint;
  int code;

  /* before anything is created: job files 0640, directories 0750 */
  umask (027);

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator server: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }

  if (geteuid () == 0 && !allow_root) {
    g_printerr ("%s\n",
                _ ("videoannotator server: refusing to run as root. A service that parses "
                   "uploaded media should not hold every privilege: run it as an unprivileged "
                   "user (e.g. a dedicated “videoannotator” account, or uid 1000 in a "
                   "container). If you really must, pass --allow-root."));
    return VA_EXIT_USAGE;
  }

  /* the log is set up again below, with its file, once the checks pass */
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;
  if (!va_cli_server_check (settings, dev, &error)) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }

  log = va_log_new (settings, VA_LOG_OUTPUT_CONSOLE | VA_LOG_OUTPUT_FILE, &error);
  if (log == NULL) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return VA_EXIT_FAILURE;
  }
  va_log_install (log);

  if (geteuid () == 0)
    g_warning ("Running as root (--allow-root); this is not recommended");
  if (dev)
    g_warning ("Development mode (--dev): never use it in production");
  if (!va_settings_get_boolean (settings, "auth-required"))
    g_warning ("AUTHENTICATION IS DISABLED (auth-required=false): anyone who can reach the "
               "server can submit and read jobs");
  if (va_settings_get_boolean (settings, "read-only"))
    g_message ("Read-only mode: reads are served, every write is refused");

  engine = va_engine_new (settings, &error);
  if (engine == NULL) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  va_engine_set_log (engine, log);
  va_engine_set_dev_mode (engine, dev);

  /* from here on a signal stops the server gracefully, even one that
   * arrives while it is still starting (handled once the loop runs) */
  loop = g_main_loop_new (NULL, FALSE);
  server.loop = loop;
  server.engine = engine;
  sigterm = g_unix_signal_add (SIGTERM, va_cli_server_signal_cb, &server);
  sigint = g_unix_signal_add (SIGINT, va_cli_server_signal_cb, &server);

  if (!va_engine_start (engine, &error)) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }

  http = va_http_server_new (engine, dev, log, &error);
  if (http == NULL || !va_http_server_start (http, &error)) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  server.http = http;

  dbus = va_dbus_service_start (engine, va_settings_get_string (settings, "dbus"), &error);
  if (error != NULL) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  if (dbus != NULL) {
    g_message ("On the %s D-Bus as %s", va_settings_get_string (settings, "dbus"),
               VA_DBUS_BUS_NAME);
  }

  /* last: a start refused above (port in use, ...) leaves no key behind */
  if (!va_engine_create_initial_key (engine, &key, &error)) {
    g_printerr ("videoannotator server: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  if (key != NULL) {
    int status = va_cli_server_hand_over_key (engine, settings, key);

    memset (key, 0, strlen (key));
    if (status >= 0)
      return status;
  }
  uri = va_http_server_get_base_uri (http);
  g_message ("Listening on %s", uri);
  if (va_http_server_get_redirect_port (http) > 0)
    g_message ("Plain HTTP on port %u redirects to %s", va_http_server_get_redirect_port (http),
               uri);

  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);

  if (server.error != NULL) {
    int code = va_cli_exit_code_for_error (server.error);
    g_clear_error (&server.error);
    return code;
  }
  return VA_EXIT_OK;
}
