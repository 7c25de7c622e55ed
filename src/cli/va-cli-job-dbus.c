/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "va-cli.h"
#include "va-cli-dbus.h"
#include "va-error.h"

/* `videoannotator job --dbus COMMAND`: the job commands against a running
 * service over D-Bus instead of HTTP. The bus says who we are, so no key
 * is needed; files are handed over as descriptors (SubmitFd), so this
 * works whatever user the service runs as. */

typedef struct {
  gboolean system;
  gboolean json;
  VaDBusManager *proxy;
} VaCliJobDBus;

/**
 * va_cli_dbus_fail:
 * @command: e.g. `job list`, for the message
 * @json: also print the `{"error": …}` object of `--json` on stdout
 * @error: (transfer full): from a call on the service
 *
 * Prints @error and returns its exit code (va_cli_exit_code_for_error():
 * a D-Bus error is the VA_ERROR itself, so the code is that of the same
 * failure over HTTP or on this machine).
 */
int
va_cli_dbus_fail (const char *command, gboolean json, GError *error)
{
  g_autoptr (GError) owned = error;

  g_dbus_error_strip_remote_error (error);
  g_printerr ("videoannotator %s: %s\n", command, va_cli_error_message (error));
  if (json)
    va_cli_print_json_error (error, NULL);
  return va_cli_exit_code_for_error (error);
}

static int
va_cli_job_dbus_fail (VaCliJobDBus *self, const char *command, GError *error)
{
  g_autofree char *what = g_strconcat ("job ", command, NULL);

  return va_cli_dbus_fail (what, self->json, error);
}

/**
 * va_cli_dbus_proxy_new:
 * @system: the system bus rather than the session bus
 *
 * Returns: (transfer full) (nullable): a proxy for the running service
 */
VaDBusManager *
va_cli_dbus_proxy_new (gboolean system, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDBusConnection) bus
      = g_bus_get_sync (system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION, NULL, &local_error);

  /* the error names must be known before the first reply arrives */
  (void)VA_ERROR;
  /* however the connection failed (no socket, no address, refused), the
   * service cannot be reached */
  if (bus == NULL) {
    g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER, local_error->message);
    return NULL;
  }
  return va_dbus_manager_proxy_new_sync (bus, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                         VA_DBUS_BUS_NAME, VA_DBUS_OBJECT_PATH, NULL, error);
}

/* Parses the options; @rest gets the arguments left. */
static int
va_cli_job_dbus_setup (VaCliJobDBus *self, int argc, char **argv, const char *parameter,
                       const GOptionEntry *extra, GStrv *rest)
{
  const GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &self->system,
      N_ ("Use the system bus (default: the session bus)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &self->json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, GETTEXT_PACKAGE);
  *rest = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, rest, &error)) {
    g_printerr ("videoannotator job: %s\n", va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  self->proxy = va_cli_dbus_proxy_new (self->system, &error);
  if (self->proxy == NULL)
    return va_cli_job_dbus_fail (self, argv[0], g_steal_pointer (&error));
  return VA_EXIT_OK;
}

static void
va_cli_job_dbus_print (GVariant *value)
{
  g_autoptr (JsonNode) node = json_gvariant_serialize (value);

  va_cli_print_json (node);
}

static const char *
va_cli_job_dbus_field (GVariant *job, const char *field)
{
  const char *value = NULL;

  if (!g_variant_lookup (job, field, "&s", &value))
    return "-";
  return value;
}

static void
va_cli_job_dbus_print_job (GVariant *job)
{
  double progress = 0;

  g_variant_lookup (job, "progress", "d", &progress);
  g_print ("%s  %-9s %5.1f%%  %s  %s\n", va_cli_job_dbus_field (job, "id"),
           va_cli_job_dbus_field (job, "status"), progress,
           va_cli_job_dbus_field (job, "created_at"),
           va_cli_job_dbus_field (job, "video_filename"));
}

static gboolean
va_cli_job_dbus_need_id (GStrv rest, const char *command)
{
  if (rest[1] != NULL && rest[2] == NULL)
    return TRUE;
  g_printerr (_ ("Usage: videoannotator job --dbus %s JOB_ID\n"), command);
  return FALSE;
}

static int
va_cli_job_dbus_list (VaCliJobDBus *self, int argc, char **argv)
{
  char *status = NULL;
  int page = 1, per_page = 100;
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, N_ ("Only jobs in this state"), N_ ("STATE") },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, N_ ("Page, from 1"), N_ ("N") },
    { "per-page", 0, 0, G_OPTION_ARG_INT, &per_page, N_ ("Jobs per page (1–100)"), N_ ("N") },
    { NULL },
  };
  g_autofree char *status_owned = NULL;
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) jobs = NULL;
  g_auto (GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  guint64 total = 0;
  int code = va_cli_job_dbus_setup (self, argc, argv, NULL, entries, &rest);

  status_owned = status;
  if (code != VA_EXIT_OK)
    return code;
  if (page < 1 || per_page < 1) {
    g_printerr ("%s\n", _ ("videoannotator job list: --page and --per-page must be 1 or more"));
    return VA_EXIT_USAGE;
  }
  g_variant_dict_insert (&options, "page", "u", (guint32)page);
  g_variant_dict_insert (&options, "per_page", "u", (guint32)per_page);
  if (status != NULL)
    g_variant_dict_insert (&options, "status", "s", status);
  if (!va_dbus_manager_call_list_jobs_sync (self->proxy, g_variant_dict_end (&options), &jobs,
                                            &total, NULL, &error))
    return va_cli_job_dbus_fail (self, "list", g_steal_pointer (&error));
  if (self->json) {
    va_cli_job_dbus_print (jobs);
    return VA_EXIT_OK;
  }
  for (gsize i = 0; i < g_variant_n_children (jobs); i++) {
    g_autoptr (GVariant) job = g_variant_get_child_value (jobs, i);
    va_cli_job_dbus_print_job (job);
  }
  g_print (ngettext ("%llu job\n", "%llu jobs\n", (gulong)total), (unsigned long long)total);
  return VA_EXIT_OK;
}

static int
va_cli_job_dbus_get (VaCliJobDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  int code = va_cli_job_dbus_setup (self, argc, argv, _ ("JOB_ID"), NULL, &rest);

  if (code != VA_EXIT_OK)
    return code;
  if (!va_cli_job_dbus_need_id (rest, "get"))
    return VA_EXIT_USAGE;
  if (!va_dbus_manager_call_get_job_sync (self->proxy, rest[1], &job, NULL, &error))
    return va_cli_job_dbus_fail (self, "get", g_steal_pointer (&error));
  if (self->json)
    va_cli_job_dbus_print (job);
  else
    va_cli_job_dbus_print_job (job);
  return VA_EXIT_OK;
}

static int
va_cli_job_dbus_cancel (VaCliJobDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  int code = va_cli_job_dbus_setup (self, argc, argv, _ ("JOB_ID"), NULL, &rest);

  if (code != VA_EXIT_OK)
    return code;
  if (!va_cli_job_dbus_need_id (rest, "cancel"))
    return VA_EXIT_USAGE;
  if (!va_dbus_manager_call_cancel_job_sync (self->proxy, rest[1], &job, NULL, &error))
    return va_cli_job_dbus_fail (self, "cancel", g_steal_pointer (&error));
  if (self->json)
    va_cli_job_dbus_print (job);
  else
    va_cli_job_dbus_print_job (job);
  return VA_EXIT_OK;
}

static int
va_cli_job_dbus_delete (VaCliJobDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  gboolean purge = FALSE;
  const GOptionEntry entries[] = {
    { "purge", 0, 0, G_OPTION_ARG_NONE, &purge,
      N_ ("Erase the job for good (PurgeJob, administrators): audited as job.purge"), NULL },
    { NULL },
  };
  int code = va_cli_job_dbus_setup (self, argc, argv, _ ("JOB_ID"), entries, &rest);
  gboolean ok;

  if (code != VA_EXIT_OK)
    return code;
  if (!va_cli_job_dbus_need_id (rest, "delete"))
    return VA_EXIT_USAGE;
  ok = purge ? va_dbus_manager_call_purge_job_sync (self->proxy, rest[1], NULL, &error)
             : va_dbus_manager_call_delete_job_sync (self->proxy, rest[1], NULL, &error);
  if (!ok)
    return va_cli_job_dbus_fail (self, "delete", g_steal_pointer (&error));
  if (!self->json)
    g_print (purge ? _ ("Erased job %s\n") : _ ("Deleted job %s\n"), rest[1]);
  return VA_EXIT_OK;
}

static int
va_cli_job_dbus_submit (VaCliJobDBus *self, int argc, char **argv)
{
  char *pipelines = NULL;
  char *config = NULL;
  char *consent = NULL;
  const GOptionEntry entries[] = {
    { "pipelines", 0, 0, G_OPTION_ARG_STRING, &pipelines,
      N_ ("Comma-separated pipelines (default: the server's)"), N_ ("LIST") },
    { "config", 0, 0, G_OPTION_ARG_STRING, &config, N_ ("Job configuration as a JSON object"),
      N_ ("JSON") },
    { "consent", 0, 0, G_OPTION_ARG_STRING, &consent, N_ ("Consent metadata as a JSON object"),
      N_ ("JSON") },
    { NULL },
  };
  g_autofree char *pipelines_owned = NULL, *config_owned = NULL, *consent_owned = NULL;
  g_auto (GStrv) rest = NULL;
  g_auto (GStrv) names = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  g_autoptr (GUnixFDList) fds = g_unix_fd_list_new ();
  g_autofree char *basename = NULL;
  g_auto (GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  int code = va_cli_job_dbus_setup (self, argc, argv, _ ("VIDEO"), entries, &rest);
  int fd, index;

  pipelines_owned = pipelines;
  config_owned = config;
  consent_owned = consent;
  if (code != VA_EXIT_OK)
    return code;
  if (rest[1] == NULL || rest[2] != NULL) {
    g_printerr ("%s\n", _ ("Usage: videoannotator job --dbus submit VIDEO [--pipelines LIST]"));
    return VA_EXIT_USAGE;
  }
  fd = g_open (rest[1], O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    g_printerr ("videoannotator job submit: %s: %s\n", rest[1], g_strerror (saved));
    return VA_EXIT_NOT_FOUND;
  }
  index = g_unix_fd_list_append (fds, fd, &error);
  g_close (fd, NULL);
  if (index < 0)
    return va_cli_job_dbus_fail (self, "submit", g_steal_pointer (&error));
  names = g_strsplit (pipelines != NULL ? pipelines : "", ",", -1);
  if (pipelines != NULL)
    g_variant_dict_insert (&options, "pipelines", "^as", names);
  if (config != NULL)
    g_variant_dict_insert (&options, "config", "s", config);
  if (consent != NULL)
    g_variant_dict_insert (&options, "consent", "s", consent);
  basename = g_path_get_basename (rest[1]);
  if (!va_dbus_manager_call_submit_fd_sync (self->proxy, g_variant_new_handle (index), basename,
                                            g_variant_dict_end (&options), fds, &job, NULL, NULL,
                                            &error))
    return va_cli_job_dbus_fail (self, "submit", g_steal_pointer (&error));
  if (self->json)
    va_cli_job_dbus_print (job);
  else
    g_print ("%s\n", va_cli_job_dbus_field (job, "id"));
  return VA_EXIT_OK;
}

static const struct {
  const char *name;
  int (*run) (VaCliJobDBus *self, int argc, char **argv);
} va_cli_job_dbus_commands[] = {
  { "list", va_cli_job_dbus_list },     { "get", va_cli_job_dbus_get },
  { "status", va_cli_job_dbus_get },    { "submit", va_cli_job_dbus_submit },
  { "cancel", va_cli_job_dbus_cancel }, { "delete", va_cli_job_dbus_delete },
};

/**
 * va_cli_job_dbus:
 * @argv: `--dbus COMMAND ARGS…`
 */
int
va_cli_job_dbus (int argc, char **argv)
{
  VaCliJobDBus self = { 0 };
  int code = VA_EXIT_USAGE;

  /* the error names must be known before the first reply arrives */
  (void)VA_ERROR;
  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (va_cli_job_dbus_commands); i++) {
    if (g_str_equal (argv[1], va_cli_job_dbus_commands[i].name)) {
      code = va_cli_job_dbus_commands[i].run (&self, argc - 1, argv + 1);
      g_clear_object (&self.proxy);
      return code;
    }
  }
  g_printerr ("%s\n", _ ("Usage: videoannotator job --dbus list|get|submit|cancel|delete "
                         "[--system] [--json] …"));
  return code;
}
