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
#include "va-settings.h"

/* `videoannotator server`: the long-running service. It checks who it runs
 * as, sets a umask that keeps job files private, opens the engine, shows
 * the first admin key once, serves HTTP, and on SIGTERM/SIGINT stops
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

/* Shown on the terminal only: a key in a log file would outlive its
 * secrecy. */
static void
va_cli_server_print_key (const char *key)
{
  g_print ("\n%s\n", _ ("A first admin API key was created. It is shown only this once: store it "
                        "now."));
  g_print ("%s\n", _ ("Use it as “Authorization: Bearer KEY”; create more with “videoannotator "
                      "token create”."));
  g_print ("\n%s\n\n", key);
  fflush (stdout);
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
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (VaLog) log = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaHttpServer) http = NULL;
  g_autoptr (VaDBusService) dbus = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *key = NULL;
  g_autofree char *uri = NULL;
  g_auto (GStrv) args = NULL;
  VaCliServer server = { 0 };
  GOptionGroup *group;
  guint sigterm, sigint;

  /* before anything is created: job files 0640, directories 0750 */
  umask (027);

  settings = va_settings_new (&error);
  if (settings == NULL) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (
      context, _ ("Run the VideoAnnotator service: the REST API and the job queue.\n\n"
                  "Every setting is also a flag (--port, --bind-address, --data-dir, "
                  "--read-only, …); flags override environment variables and the "
                  "settings backend."));
  group = va_settings_get_option_group (settings);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  /* --dev only changes defaults: explicit flags still win */
  if (va_cli_server_wants_dev (argv)) {
    va_settings_set_override (settings, "auth-required", "false", NULL);
    va_settings_set_override (settings, "cors-origins", "*", NULL);
  }
  args = g_strdupv (argv);
  if (!va_settings_parse_command_line (settings, context, &args, &error)) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return VA_EXIT_USAGE;
  }
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

  if (!va_settings_load (settings, NULL, &error)) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }

  log = va_log_new (settings, VA_LOG_OUTPUT_CONSOLE | VA_LOG_OUTPUT_FILE, &error);
  if (log == NULL) {
    g_printerr ("videoannotator server: %s\n", error->message);
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
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }
  va_engine_set_log (engine, log);
  va_engine_set_dev_mode (engine, dev);

  if (!va_engine_create_initial_key (engine, &key, &error)) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }
  if (key != NULL)
    va_cli_server_print_key (key);

  if (!va_engine_start (engine, &error)) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }

  http = va_http_server_new (engine, va_engine_get_token_store (engine), dev, log, &error);
  if (http == NULL || !va_http_server_start (http, &error)) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }
  uri = va_http_server_get_base_uri (http);
  g_message ("Listening on %s", uri);
  if (va_http_server_get_redirect_port (http) > 0)
    g_message ("Plain HTTP on port %u redirects to %s", va_http_server_get_redirect_port (http),
               uri);

  dbus = va_dbus_service_start (engine, va_settings_get_string (settings, "dbus"), &error);
  if (error != NULL) {
    g_printerr ("videoannotator server: %s\n", error->message);
    return va_cli_exit_code_for_error (error);
  }
  if (dbus != NULL) {
    va_dbus_service_watch_alerts (dbus, G_OBJECT (http));
    g_message ("On the %s D-Bus as %s", va_settings_get_string (settings, "dbus"),
               VA_DBUS_BUS_NAME);
  }

  loop = g_main_loop_new (NULL, FALSE);
  server.loop = loop;
  server.engine = engine;
  server.http = http;
  sigterm = g_unix_signal_add (SIGTERM, va_cli_server_signal_cb, &server);
  sigint = g_unix_signal_add (SIGINT, va_cli_server_signal_cb, &server);
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
