/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli-job-private.h"
#include "va-error.h"
#include "va-json.h"

/* `videoannotator job submit VIDEO`: a streamed multipart upload of the
 * video with the job's fields, then (with --wait) the job polled until it
 * ends. */

/* A JSON object from @path, re-serialized compactly for the form field. */
static char *
va_cli_job_read_object (const char *option, const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error)) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, _ ("%s: no such file: %s"), option, path);
    else
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s %s: %s"), option, path,
                   local_error->message);
    return NULL;
  }
  /* the server's limits, so that a file it would refuse is refused here */
  root = va_json_parse (contents, (gssize)length, VA_JSON_MAX_SIZE, &local_error);
  if (root == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s %s: %s"), option, path,
                 local_error->message);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("%s %s: expected a JSON object, e.g. {\"scene_detection\": {\"threshold\": "
                    "30}}"),
                 option, path);
    return NULL;
  }
  return json_to_string (root, FALSE);
}

/* Polls the job until it is completed, failed or cancelled. */
static JsonNode *
va_cli_job_wait_for (VaCliJob *self, const char *job_id, GError **error)
{
  g_autofree char *path = va_cli_job_path (job_id, "");

  va_cli_job_begin_progress (self, _ ("job"));
  for (;;) {
    g_autoptr (JsonNode) node = va_cli_job_call (self, "GET", path, error);
    JsonObject *job;
    const char *status;

    if (node == NULL)
      return NULL;
    job = va_cli_job_object (node, error);
    if (job == NULL)
      return NULL;
    status = va_cli_job_string (job, "status");
    if (va_cli_job_is_terminal (status)) {
      if (g_strcmp0 (status, "completed") == 0)
        va_cli_job_show_job_progress (self, status, 100);
      va_cli_job_clear_progress (self);
      return g_steal_pointer (&node);
    }
    va_cli_job_show_job_progress (self, status != NULL ? status : "?",
                                  va_cli_job_number (job, "progress", 0));
    if (!va_cli_job_sleep (self, VA_CLI_JOB_POLL_MS)) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
      return NULL;
    }
  }
}

int
va_cli_job_submit (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *pipelines = NULL, *config_file = NULL, *consent_file = NULL;
  gboolean wait = FALSE, json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "pipelines", 'p', 0, G_OPTION_ARG_STRING, &pipelines,
      N_ ("Comma-separated pipelines (default: the server's defaults)"), N_ ("LIST") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
      N_ ("Job configuration: a JSON object, e.g. {\"scene_detection\": {\"threshold\": 20}}"),
      N_ ("FILE.json") },
    { "consent", 0, 0, G_OPTION_ARG_FILENAME, &consent_file,
      N_ ("Consent record: a JSON object, e.g. {\"granted\": true, \"reference\": \"study-42\"}"),
      N_ ("FILE.json") },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_ ("Wait until the job is completed, failed or cancelled, showing its progress"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the job as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_ ("No progress display"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GFile) video = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *job_id = NULL;
  JsonObject *job;
  const char *status;
  int code;

  code = va_cli_job_setup (&self, "submit", _ ("VIDEO"),
                           _ ("Upload VIDEO to the server as a new job and print the job id alone "
                              "on the last line of standard output."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  self.quiet = quiet;
  if (!va_cli_job_check_args (&self, rest, 1,
                              _ ("Usage: videoannotator job submit VIDEO [-p LIST] [--config "
                                 "FILE.json] [--consent FILE.json] [--wait] [--json]")))
    return VA_EXIT_USAGE;

  if (!g_file_test (rest[1], G_FILE_TEST_EXISTS)) {
    g_printerr (_ ("videoannotator job submit: no such file: %s\n"), rest[1]);
    return VA_EXIT_NOT_FOUND;
  }
  if (g_file_test (rest[1], G_FILE_TEST_IS_DIR)) {
    g_printerr (_ ("videoannotator job submit: %s is a directory\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  /* the fields go before the video: the server checks them first */
  if (pipelines != NULL) {
    g_ptr_array_add (fields, g_strdup ("selected_pipelines"));
    g_ptr_array_add (fields, g_strdup (pipelines));
  }
  if (config_file != NULL) {
    char *text = va_cli_job_read_object ("--config", config_file, &error);
    if (text == NULL)
      return va_cli_job_fail (&self, error);
    g_ptr_array_add (fields, g_strdup ("config"));
    g_ptr_array_add (fields, text);
  }
  if (consent_file != NULL) {
    char *text = va_cli_job_read_object ("--consent", consent_file, &error);
    if (text == NULL)
      return va_cli_job_fail (&self, error);
    g_ptr_array_add (fields, g_strdup ("consent"));
    g_ptr_array_add (fields, text);
  }
  g_ptr_array_add (fields, NULL);

  video = g_file_new_for_commandline_arg (rest[1]);
  va_cli_job_begin_progress (&self, _ ("upload"));
  va_remote_client_submit_async (self.client, video, (const char *const *)fields->pdata,
                                 self.cancellable, va_cli_job_result_cb, &self);
  node = va_remote_client_submit_finish (self.client, va_cli_job_wait_result (&self), &error);
  g_clear_object (&self.result);
  va_cli_job_clear_progress (&self);
  if (node == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr ("%s\n", _ ("videoannotator: upload interrupted; no job was created"));
    }
    return va_cli_job_fail (&self, error);
  }
  job = va_cli_job_object (node, &error);
  if (job == NULL || va_cli_job_string (job, "id") == NULL) {
    if (error == NULL)
      g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL,
                           _ ("The server's answer has no job id"));
    return va_cli_job_fail (&self, error);
  }
  job_id = g_strdup (va_cli_job_string (job, "id"));

  if (!wait) {
    if (json) {
      va_cli_print_json (node);
    } else {
      double queue = va_cli_job_number (job, "queue_position", -1);
      g_autofree char *name = g_file_get_basename (video);
      g_autofree char *display = g_filename_display_name (name);

      if (queue >= 1)
        g_print (_ ("Submitted %s: job %s is %s, position %.0f in the queue.\n"), display, job_id,
                 va_cli_job_string (job, "status"), queue);
      else
        g_print (_ ("Submitted %s: job %s is %s.\n"), display, job_id,
                 va_cli_job_string (job, "status"));
      g_print ("%s\n", job_id);
    }
    return VA_EXIT_OK;
  }

  if (!quiet && !json)
    g_printerr (_ ("Submitted job %s; waiting for it to finish (Ctrl-C stops waiting, not the "
                   "job)\n"),
                job_id);
  g_clear_pointer (&node, json_node_unref);
  node = va_cli_job_wait_for (&self, job_id, &error);
  if (node == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr (_ ("videoannotator: stopped waiting; job %s goes on (“videoannotator job status "
                     "%s”, “videoannotator job cancel %s”)\n"),
                  job_id, job_id, job_id);
    }
    return va_cli_job_fail (&self, error);
  }
  job = json_node_get_object (node);
  status = va_cli_job_string (job, "status");
  if (json) {
    va_cli_print_json (node);
  } else {
    const char *message = va_cli_job_string (job, "error_message");
    if (g_strcmp0 (status, "completed") == 0) {
      g_print (_ ("Job %s completed.\n"), job_id);
      if (message != NULL)
        g_print (_ ("Warning: %s\n"), message);
      g_print (_ ("Results: “videoannotator job results %s”; files: “videoannotator job download "
                  "%s”\n"),
               job_id, job_id);
    } else {
      g_print (_ ("Job %s %s.\n"), job_id, status);
    }
    g_print ("%s\n", job_id);
  }
  if (g_strcmp0 (status, "completed") != 0) {
    const char *message = va_cli_job_string (job, "error_message");
    g_printerr (_ ("videoannotator: job %s %s: %s\n"), job_id, status,
                message != NULL ? message : _ ("no reason given"));
    return VA_EXIT_FAILURE;
  }
  return VA_EXIT_OK;
}
