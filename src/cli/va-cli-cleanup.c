/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-retention.h"

/* `videoannotator cleanup [--dry-run] [--older-than DAYS]`: the retention
 * cleanup the server runs on its schedule, by hand. It deletes through the
 * engine, so each job is audited like a scheduled deletion, and works while
 * a server runs on the same data directory (SQLite WAL). */

static int
va_cli_cleanup_fail (const GError *error)
{
  g_printerr ("videoannotator cleanup: %s\n", va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}

static void
va_cli_cleanup_print (VaJob *job, const char *verb)
{
  GDateTime *ended = va_job_get_completed_at (job);
  g_autofree char *when
      = g_date_time_format_iso8601 (ended != NULL ? ended : va_job_get_created_at (job));

  g_print ("%s %s  %s  %s  %s\n", verb, va_job_get_id (job),
           va_job_status_to_string (va_job_get_status (job)), when,
           va_job_get_user_id (job) != NULL ? va_job_get_user_id (job) : "-");
}

static void
va_cli_cleanup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

int
va_cli_cleanup (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaRetention) retention = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GPtrArray) jobs = NULL;
  g_auto (GStrv) args = NULL;
  gboolean dry_run = FALSE;
  int older_than = -1;
  guint days;
  const GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_ ("List the jobs that would be deleted, delete nothing"), NULL },
    { "older-than", 0, 0, G_OPTION_ARG_INT, &older_than,
      N_ ("Jobs finished more than DAYS days ago (default: the retention-days setting)"),
      N_ ("DAYS") },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "cleanup",
    .summary = _ ("Delete finished jobs (completed, failed, cancelled) past the retention "
                  "period: their database rows and their files. Pending and running jobs are "
                  "never deleted."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (g_strv_length (args) > 1) {
    g_printerr (_ ("videoannotator cleanup: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;

  if (older_than == 0 || older_than < -1) {
    g_printerr (_ ("videoannotator cleanup: --older-than must be at least 1 day\n"));
    return VA_EXIT_USAGE;
  }
  days = older_than > 0 ? (guint)older_than : va_settings_get_uint (settings, "retention-days");
  if (days == 0) {
    g_printerr (_ ("videoannotator cleanup: retention-days is 0 (keep jobs forever); pass "
                   "--older-than DAYS to delete anyway\n"));
    return VA_EXIT_USAGE;
  }
  engine = va_engine_new (settings, &error);
  if (engine == NULL)
    return va_cli_cleanup_fail (error);
  retention = va_retention_new (engine);

  if (dry_run) {
    jobs = va_retention_list_expired (retention, now, days, &error);
    if (jobs == NULL)
      return va_cli_cleanup_fail (error);
    for (guint i = 0; i < jobs->len; i++)
      va_cli_cleanup_print (g_ptr_array_index (jobs, i), _ ("would delete"));
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u job finished more than %u days ago\n",
                          "%u jobs finished more than %u days ago\n", jobs->len),
             jobs->len, days);
    return VA_EXIT_OK;
  }

  {
    GAsyncResult *result = NULL;

    va_retention_run_async (retention, now, days, NULL, va_cli_cleanup_done, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    jobs = va_retention_run_finish (retention, result, &error);
    g_object_unref (result);
  }
  if (jobs == NULL)
    return va_cli_cleanup_fail (error);
  for (guint i = 0; i < jobs->len; i++)
    va_cli_cleanup_print (g_ptr_array_index (jobs, i), _ ("deleted"));
  g_print (g_dngettext (GETTEXT_PACKAGE, "Deleted %u job finished more than %u days ago\n",
                        "Deleted %u jobs finished more than %u days ago\n", jobs->len),
           jobs->len, days);
  return VA_EXIT_OK;
}
