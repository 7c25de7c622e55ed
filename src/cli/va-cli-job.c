/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "va-cli-job-private.h"
#include "va-error.h"

/* `videoannotator job submit|list|status|results|download|cancel|delete`:
 * the REST API of a running server (`server-url`, `--server`), with the
 * key of VIDEOANNOTATOR_API_KEY or --api-key-file sent as
 * `Authorization: Bearer`. The key is never a flag value: the process
 * list shows every argument to every user of the machine.
 * va-cli-job-private.h lists the files that make up the command. */

/* ---- job list --------------------------------------------------------------- */

static int
va_cli_job_list (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *status_filter = NULL;
  /* G_MININT: not given; any given value goes to the server, which checks it */
  gint page = G_MININT, per_page = G_MININT;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_filter,
      N_ ("Only jobs in this state: pending, running, completed, failed or cancelled"),
      N_ ("STATUS") },
    /* the name VideoAnnotator 1.4's CLI used, so its scripts keep working */
    { "status-filter", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &status_filter,
      N_ ("Same as --status"), N_ ("STATUS") },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, N_ ("Page to show (default 1)"), N_ ("N") },
    { "per-page", 0, 0, G_OPTION_ARG_INT, &per_page, N_ ("Jobs per page, 1–1000 (default 10)"),
      N_ ("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the server's JSON answer"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) path = g_string_new ("/api/v1/jobs");
  g_autoptr (JsonNode) node = NULL;
  int code;

  code = va_cli_job_setup (&self, "list", NULL,
                           _ ("List the jobs the key can see (its own; every job for an admin "
                              "key), oldest first."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 0,
                              _ ("Usage: videoannotator job list [--status STATUS] [--page N] "
                                 "[--per-page N] [--json]")))
    return VA_EXIT_USAGE;

  /* ranges are the server's to check: one rule, one message */
  {
    const char *sep = "?";
    if (status_filter != NULL) {
      g_autofree char *escaped = g_uri_escape_string (status_filter, NULL, FALSE);
      g_string_append_printf (path, "%sstatus_filter=%s", sep, escaped);
      sep = "&";
    }
    if (page != G_MININT) {
      g_string_append_printf (path, "%spage=%d", sep, page);
      sep = "&";
    }
    if (per_page != G_MININT)
      g_string_append_printf (path, "%sper_page=%d", sep, per_page);
  }
  node = va_cli_job_call (&self, "GET", path->str, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_print_json (node);
    return VA_EXIT_OK;
  }
  return va_cli_job_print_list (&self, node);
}

/* ---- job status / results / cancel / delete ---------------------------------- */

static int
va_cli_job_status (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the job as JSON"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  JsonObject *job;
  int code;

  code = va_cli_job_setup (&self, "status", _ ("ID"),
                           _ ("Show one job: state, progress, video, "
                              "pipelines, times and any message."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job status ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "");
  node = va_cli_job_call (&self, "GET", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_print_json (node);
    return VA_EXIT_OK;
  }
  job = va_cli_job_object (node, &error);
  if (job == NULL)
    return va_cli_job_fail (&self, error);
  va_cli_job_print_status (job);
  return VA_EXIT_OK;
}

static int
va_cli_job_results (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the server's JSON answer"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  int code;

  code = va_cli_job_setup (&self, "results", _ ("ID"),
                           _ ("Show the outcome of each pipeline of a job: state, annotation "
                              "count, processing time and output file."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job results ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "/results");
  node = va_cli_job_call (&self, "GET", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_print_json (node);
    return VA_EXIT_OK;
  }
  return va_cli_job_print_results (&self, rest[1], node);
}

static int
va_cli_job_cancel (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the cancelled job as JSON"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  int code;

  code = va_cli_job_setup (&self, "cancel", _ ("ID"),
                           _ ("Cancel a pending or running job. Cancelling a cancelled job again "
                              "succeeds; a completed or failed job cannot be cancelled."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job cancel ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "/cancel");
  node = va_cli_job_call (&self, "POST", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json)
    va_cli_print_json (node);
  else
    g_print (_ ("Cancelled job %s.\n"), rest[1]);
  return VA_EXIT_OK;
}

static int
va_cli_job_delete (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  GOptionEntry entries[] = { { NULL } };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  int code;

  for (int i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--purge"))
      return va_cli_erasure_purge_job (argc, argv);
  }
  code = va_cli_job_setup (&self, "delete", _ ("ID"),
                           _ ("Delete a job in any state (a running one is stopped first): its "
                              "records, its video and every result file on the server."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job delete ID")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "");
  node = va_cli_job_call (&self, "DELETE", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  g_print (_ ("Deleted job %s.\n"), rest[1]);
  return VA_EXIT_OK;
}

/* ---- job download ------------------------------------------------------------ */

static int
va_cli_job_download (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *output = NULL, *pipeline = NULL;
  gboolean quiet = FALSE, eaf = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_ ("Directory to write into (default: the current directory; created if missing)"),
      N_ ("DIR") },
    { "pipeline", 0, 0, G_OPTION_ARG_STRING, &pipeline,
      N_ ("Download only this pipeline's result file instead of the artifacts ZIP"), N_ ("NAME") },
    { "eaf", 0, 0, G_OPTION_ARG_NONE, &eaf,
      N_ ("Download the transcript, speakers, voice activity and scenes as one ELAN .eaf file"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_ ("No progress display"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL, *fallback = NULL, *written = NULL, *directory = NULL;
  int code;

  code = va_cli_job_setup (
      &self, "download", _ ("ID"),
      _ ("Download the job's artifacts (a ZIP of every result file, without "
         "the video), with --pipeline one result file, or with --eaf the results "
         "as an ELAN document. The file appears whole or not at all; a file of the "
         "same name is replaced."),
      entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.quiet = quiet;
  if (!va_cli_job_check_args (
          &self, rest, 1,
          _ ("Usage: videoannotator job download ID [-o DIR] [--pipeline NAME | --eaf]")))
    return VA_EXIT_USAGE;
  if (eaf && pipeline != NULL)
    return va_cli_job_usage_error (&self, _ ("--eaf and --pipeline exclude each other"));

  directory = g_canonicalize_filename (output != NULL ? output : ".", NULL);
  if (g_file_test (directory, G_FILE_TEST_EXISTS) && !g_file_test (directory, G_FILE_TEST_IS_DIR))
    return va_cli_job_usage_error (&self, _ ("--output must name a directory"));
  if (g_mkdir_with_parents (directory, 0777) != 0) {
    int saved = errno;
    g_printerr (_ ("videoannotator job download: cannot create %s: %s\n"), directory,
                g_strerror (saved));
    return VA_EXIT_FAILURE;
  }

  if (eaf) {
    path = va_cli_job_path (rest[1], "/results/eaf");
    fallback = g_strdup_printf ("job_%s.eaf", rest[1]);
  } else if (pipeline != NULL) {
    g_autofree char *escaped = g_uri_escape_string (pipeline, NULL, FALSE);
    g_autofree char *suffix = g_strconcat ("/results/files/", escaped, NULL);
    path = va_cli_job_path (rest[1], suffix);
    fallback = g_strdup_printf ("job_%s_%s", rest[1], pipeline);
  } else {
    path = va_cli_job_path (rest[1], "/artifacts");
    fallback = g_strdup_printf ("job_%s_artifacts.zip", rest[1]);
  }
  /* the fallback is a file name: no directory part from the arguments */
  g_strdelimit (fallback, "/\\", '_');

  va_cli_job_begin_progress (&self, _ ("download"));
  va_remote_client_download_async (self.client, path, directory, fallback, self.cancellable,
                                   va_cli_job_result_cb, &self);
  written = va_remote_client_download_finish (self.client, va_cli_job_wait_result (&self), &error);
  g_clear_object (&self.result);
  va_cli_job_clear_progress (&self);
  if (written == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr ("%s\n", _ ("videoannotator: download interrupted; nothing was written"));
    }
    return va_cli_job_fail (&self, error);
  }
  {
    GStatBuf st;
    g_autofree char *size = g_stat (written, &st) == 0 ? g_format_size (st.st_size) : NULL;
    if (size != NULL)
      g_print (_ ("Saved %s (%s)\n"), written, size);
  }
  g_print ("%s\n", written);
  return VA_EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------------- */

static const VaCliCommand va_cli_job_commands[] = {
  { "submit", N_ ("Upload a video as a new job"), va_cli_job_submit },
  { "list", N_ ("List jobs"), va_cli_job_list },
  { "status", N_ ("Show one job"), va_cli_job_status },
  { "results", N_ ("Show a job's pipeline results"), va_cli_job_results },
  { "download", N_ ("Download a job's artifacts or one result file"), va_cli_job_download },
  { "cancel", N_ ("Cancel a pending or running job"), va_cli_job_cancel },
  { "delete", N_ ("Delete a job and its files"), va_cli_job_delete },
};

static void
va_cli_job_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _ ("Usage: videoannotator job COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _ ("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (va_cli_job_commands); i++)
    fprintf (out, "  %-10s %s\n", va_cli_job_commands[i].name, _ (va_cli_job_commands[i].summary));
  fprintf (out, "\n%s\n",
           _ ("Every command takes --server URL (or VIDEOANNOTATOR_SERVER_URL) and reads the API "
              "key from VIDEOANNOTATOR_API_KEY or --api-key-file FILE; run “videoannotator job "
              "COMMAND --help”."));
}

int
va_cli_job (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "--dbus"))
    return va_cli_job_dbus (argc - 1, argv + 1);
  if (argc >= 2) {
    for (guint i = 0; i < G_N_ELEMENTS (va_cli_job_commands); i++) {
      if (g_str_equal (argv[1], va_cli_job_commands[i].name))
        return va_cli_job_commands[i].run (argc - 1, argv + 1);
    }
    /* VideoAnnotator 1.4's name for it, so its scripts keep working */
    if (g_str_equal (argv[1], "download-annotations"))
      return va_cli_job_download (argc - 1, argv + 1);
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
      va_cli_job_usage (stdout);
      return VA_EXIT_OK;
    }
    g_printerr (_ ("videoannotator job: unknown command “%s”\n\n"), argv[1]);
  }
  va_cli_job_usage (stderr);
  return VA_EXIT_USAGE;
}
