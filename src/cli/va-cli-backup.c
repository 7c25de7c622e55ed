/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-backup.h"
#include "va-cli.h"
#include "va-error.h"

/* `videoannotator backup -o FILE.tar.gz [--no-media]` and
 * `videoannotator restore FILE`: src/core/va-backup*.c. A backup runs
 * beside a server writing to the same data directory (the database is
 * copied with sqlite's online backup API); a restore needs an empty one. */

static void
va_cli_backup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
va_cli_backup_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
va_cli_backup_print (const char *verb, const char *file, const VaBackupReport *report,
                     gboolean json)
{
  g_autofree char *size = g_format_size (report->bytes);

  if (json) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "file");
    json_builder_add_string_value (b, file);
    json_builder_set_member_name (b, "jobs");
    json_builder_add_int_value (b, report->jobs);
    json_builder_set_member_name (b, "files");
    json_builder_add_int_value (b, report->files);
    json_builder_set_member_name (b, "bytes");
    json_builder_add_int_value (b, (gint64)report->bytes);
    json_builder_set_member_name (b, "jobs_dropped");
    json_builder_add_int_value (b, report->jobs_dropped);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    va_cli_print_json (root);
    return;
  }
  g_print (_ ("%s %s: %u job(s), %u file(s), %s\n"), verb, file, report->jobs, report->files, size);
}

int
va_cli_backup (int argc, char **argv)
{
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *output = NULL;
  g_auto (GStrv) rest = NULL;
  gboolean no_media = FALSE, json = FALSE;
  VaBackupReport report = { 0 };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_ ("The archive to write (.tar.gz)"),
      N_ ("FILE") },
    { "no-media", 0, 0, G_OPTION_ARG_NONE, &no_media, N_ ("Leave the uploaded videos out"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the outcome as JSON"), NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "backup",
    .summary = _ ("Back up the data directory (database, API key files, job storage) into one "
                  ".tar.gz with a manifest of sha256 sums. Safe while a server runs on it."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_open (&spec, argc, argv, &settings, &rest);
  if (code >= 0)
    return code;
  if (output == NULL || g_strv_length (rest) != 1) {
    g_printerr ("%s\n", _ ("Usage: videoannotator backup -o FILE.tar.gz [--no-media] "
                           "[--data-dir DIR]"));
    return VA_EXIT_USAGE;
  }
  engine = va_engine_new (settings, &error);
  if (engine == NULL) {
    g_printerr ("videoannotator backup: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  va_backup_create_async (engine, output, no_media ? VA_BACKUP_FLAGS_NO_MEDIA : 0, NULL,
                          va_cli_backup_done, &result);
  if (!va_backup_create_finish (engine, va_cli_backup_wait (&result), &report, &error)) {
    g_printerr ("videoannotator backup: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  va_cli_backup_print (_ ("Backed up to"), output, &report, json);
  return VA_EXIT_OK;
}

int
va_cli_restore (int argc, char **argv)
{
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_auto (GStrv) rest = NULL;
  gboolean json = FALSE;
  VaBackupReport report = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the outcome as JSON"), NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "restore",
    .parameter = _ ("FILE"),
    .summary = _ ("Restore a backup into an empty data directory (--data-dir), checking every "
                  "file against the manifest and the database's integrity. Nothing is left "
                  "behind on failure."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_open (&spec, argc, argv, &settings, &rest);
  if (code >= 0)
    return code;
  if (g_strv_length (rest) != 2) {
    g_printerr ("%s\n", _ ("Usage: videoannotator restore FILE --data-dir DIR"));
    return VA_EXIT_USAGE;
  }
  va_backup_restore_async (settings, rest[1], NULL, va_cli_backup_done, &result);
  if (!va_backup_restore_finish (va_cli_backup_wait (&result), &report, &error)) {
    g_printerr ("videoannotator restore: %s\n", va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }
  va_cli_backup_print (_ ("Restored"), va_settings_get_data_dir (settings), &report, json);
  return VA_EXIT_OK;
}
