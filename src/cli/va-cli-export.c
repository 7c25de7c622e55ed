/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-export.h"

/* `videoannotator export --job ID | --user USER -o FILE.zip
 * [--with-media]`: src/core/va-export.c, as the local admin on the data
 * directory (works while a server runs on it). */

static void
va_cli_export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

int
va_cli_export (int argc, char **argv)
{
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaCaller) caller = va_caller_new_local ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *job = NULL, *user = NULL, *output = NULL;
  g_auto (GStrv) args = NULL;
  gboolean with_media = FALSE;
  guint n_jobs = 0;
  const GOptionEntry entries[] = {
    { "job", 0, 0, G_OPTION_ARG_STRING, &job, N_ ("Export this job"), N_ ("ID") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_ ("Export every job of this user"), N_ ("USER") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_ ("The ZIP file to write"), N_ ("FILE") },
    { "with-media", 0, 0, G_OPTION_ARG_NONE, &with_media, N_ ("Include the uploaded videos"),
      NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "export",
    .summary = _ ("Export a job or all of a user's jobs (data portability): metadata JSON, the "
                  "annotation files and, with --with-media, the videos, in one ZIP with a "
                  "manifest of sha256 sums."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (g_strv_length (args) != 1 || output == NULL || (job == NULL) == (user == NULL)) {
    g_printerr ("%s\n", _ ("Usage: videoannotator export --job ID | --user USER -o FILE.zip "
                           "[--with-media]"));
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;
  engine = va_engine_new (settings, &error);
  if (engine == NULL)
    goto fail;
  va_export_write_async (engine, caller, job, user, output,
                         with_media ? VA_EXPORT_FLAGS_WITH_MEDIA : VA_EXPORT_FLAGS_NONE, NULL,
                         va_cli_export_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!va_export_write_finish (engine, result, &n_jobs, &error))
    goto fail;
  g_print (_ ("Exported %u job(s) to %s\n"), n_jobs, output);
  return VA_EXIT_OK;

fail:
  g_printerr ("videoannotator export: %s\n", va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}
