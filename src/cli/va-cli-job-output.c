/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli-job-private.h"
#include "va-error.h"

/* What the `job` commands print from the server's answers: one job, the
 * job table, the results table, and errors. */

/* ---- errors ---------------------------------------------------------------- */

/**
 * va_cli_job_fail:
 *
 * `videoannotator: <message> (<code>)` on stderr, a hint where we have a
 * better one than the server's (which names HTTP routes); with --json the
 * server's `error` object (or one of ours) also goes to stdout.
 *
 * Returns: the exit code for @error
 */
int
va_cli_job_fail (VaCliJob *self, const GError *error)
{
  JsonObject *body = self->client != NULL ? va_remote_client_get_error_body (self->client) : NULL;
  const char *code
      = body != NULL ? json_object_get_string_member_with_default (body, "code", NULL) : NULL;
  int status = va_cli_exit_code_for_error (error);
  g_autofree char *hint = NULL;

  va_cli_job_clear_progress (self);
  if (status == VA_EXIT_CANCELLED) {
    /* submit and download say what an interruption left behind */
    if (!self->said_interrupted)
      g_printerr ("%s\n", _ ("videoannotator: interrupted"));
    return status;
  }

  if (code != NULL)
    g_printerr ("videoannotator: %s (%s)\n", va_cli_error_message (error), code);
  else if (va_cli_error_is_unreachable (error))
    g_printerr (_ ("videoannotator: cannot reach the server at %s: %s\n"),
                va_remote_client_get_base_url (self->client), va_cli_error_message (error));
  else
    g_printerr ("videoannotator: %s\n", va_cli_error_message (error));

  if (g_error_matches (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED) && !self->have_key)
    hint = g_strdup (_ ("no API key was sent: set VIDEOANNOTATOR_API_KEY or use --api-key-file "
                        "FILE (“videoannotator token create” makes one)"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    hint = g_strdup (_ ("is the server running? Choose another with --server URL or "
                        "VIDEOANNOTATOR_SERVER_URL"));
  else if (g_strcmp0 (code, "JOB_NOT_FOUND") == 0)
    hint = g_strdup (_ ("“videoannotator job list” shows the jobs this key can see"));
  if (hint != NULL)
    g_printerr (_ ("videoannotator: hint: %s\n"), hint);

  if (self->json)
    va_cli_print_json_error (error, body);
  return status;
}

/* ---- fields of the server's answers ---------------------------------------- */

const char *
va_cli_job_string (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

double
va_cli_job_number (JsonObject *o, const char *member, double fallback)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double)json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return fallback;
}

/* "2026-11-27T20:41:38.547934Z" → "2026-11-27 20:41:38 UTC"; the list
 * leaves out the seconds and the zone (its CREATED column says UTC). */
static char *
va_cli_job_format_time (const char *iso, gboolean seconds)
{
  g_autoptr (GDateTime) when = NULL;

  if (iso == NULL)
    return g_strdup ("-");
  when = g_date_time_new_from_iso8601 (iso, NULL);
  if (when == NULL)
    return g_strdup (iso);
  return g_date_time_format (when, seconds ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M");
}

static char *
va_cli_job_pipelines (JsonObject *job)
{
  JsonNode *node = json_object_get_member (job, "selected_pipelines");
  g_autoptr (GString) text = g_string_new (NULL);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup (_ ("(defaults)"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *item = json_array_get_element (array, i);
    if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
      g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", json_node_get_string (item));
  }
  return text->len > 0 ? g_strdup (text->str) : g_strdup (_ ("(defaults)"));
}

JsonObject *
va_cli_job_object (JsonNode *node, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         _ ("The server's answer is not a JSON object"));
    return NULL;
  }
  return json_node_get_object (node);
}

gboolean
va_cli_job_is_terminal (const char *status)
{
  return g_strcmp0 (status, "completed") == 0 || g_strcmp0 (status, "failed") == 0
         || g_strcmp0 (status, "cancelled") == 0;
}

/* ---- one job, the job table, the results table ------------------------------ */

void
va_cli_job_print_status (JsonObject *job)
{
  const char *status = va_cli_job_string (job, "status");
  const char *filename = va_cli_job_string (job, "video_filename");
  const char *error_message = va_cli_job_string (job, "error_message");
  double size = va_cli_job_number (job, "video_size_bytes", -1);
  double duration = va_cli_job_number (job, "video_duration_seconds", -1);
  double queue = va_cli_job_number (job, "queue_position", -1);
  g_autofree char *pipelines = va_cli_job_pipelines (job);
  g_autofree char *created = va_cli_job_format_time (va_cli_job_string (job, "created_at"), TRUE);
  g_autofree char *started = va_cli_job_format_time (va_cli_job_string (job, "started_at"), TRUE);
  g_autofree char *completed
      = va_cli_job_format_time (va_cli_job_string (job, "completed_at"), TRUE);
  g_autoptr (GString) video = g_string_new (filename != NULL ? filename : "-");

  if (size >= 0) {
    g_autofree char *text = g_format_size ((guint64)size);
    g_string_append_printf (video, " (%s", text);
    if (duration > 0)
      g_string_append_printf (video, ", %.1f s", duration);
    g_string_append (video, ")");
  }
  g_print ("%-12s %s\n", _ ("Job:"), va_cli_job_string (job, "id"));
  if (g_strcmp0 (status, "running") == 0)
    g_print ("%-12s %s (%.0f%%)\n", _ ("Status:"), status, va_cli_job_number (job, "progress", 0));
  else
    g_print ("%-12s %s\n", _ ("Status:"), status != NULL ? status : "?");
  if (queue >= 1)
    g_print ("%-12s %.0f\n", _ ("Queue:"), queue);
  g_print ("%-12s %s\n", _ ("Video:"), video->str);
  g_print ("%-12s %s\n", _ ("Pipelines:"), pipelines);
  g_print ("%-12s %s\n", _ ("Created:"), created);
  g_print ("%-12s %s\n", _ ("Started:"), started);
  g_print ("%-12s %s\n", _ ("Finished:"), completed);
  if (error_message != NULL)
    g_print ("%-12s %s\n", _ ("Message:"), error_message);
}

/* The answer of `GET /api/v1/jobs` as a table, with the page it shows. */
int
va_cli_job_print_list (VaCliJob *self, JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  JsonObject *root = va_cli_job_object (node, &error);
  JsonArray *jobs;
  double total, shown_page, shown_per_page;

  if (root == NULL || !json_object_has_member (root, "jobs")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "jobs"))) {
    if (error == NULL)
      g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL,
                           _ ("The server's answer has no job list"));
    return va_cli_job_fail (self, error);
  }
  jobs = json_object_get_array_member (root, "jobs");
  total = va_cli_job_number (root, "total", json_array_get_length (jobs));
  shown_page = va_cli_job_number (root, "page", 1);
  shown_per_page = va_cli_job_number (root, "per_page", 10);

  if (json_array_get_length (jobs) == 0) {
    if (total > 0)
      g_print (_ ("No jobs on page %.0f (%.0f jobs in all).\n"), shown_page, total);
    else
      g_print ("%s\n", _ ("No jobs."));
    return VA_EXIT_OK;
  }
  g_print ("%-36s  %-9s  %4s  %-16s  %-24s  %s\n", _ ("ID"), _ ("STATUS"), "%", _ ("CREATED (UTC)"),
           _ ("VIDEO"), _ ("PIPELINES"));
  for (guint i = 0; i < json_array_get_length (jobs); i++) {
    JsonNode *item = json_array_get_element (jobs, i);
    JsonObject *job;
    g_autofree char *created = NULL;
    g_autofree char *pipelines = NULL;
    const char *filename;

    if (!JSON_NODE_HOLDS_OBJECT (item))
      continue;
    job = json_node_get_object (item);
    created = va_cli_job_format_time (va_cli_job_string (job, "created_at"), FALSE);
    pipelines = va_cli_job_pipelines (job);
    filename = va_cli_job_string (job, "video_filename");
    g_print ("%-36s  %-9s  %4.0f  %-16s  %-24s  %s\n", va_cli_job_string (job, "id"),
             va_cli_job_string (job, "status"), va_cli_job_number (job, "progress", 0), created,
             filename != NULL ? filename : "-", pipelines);
  }
  if (total > json_array_get_length (jobs))
    g_print (_ ("Page %.0f of %.0f (%.0f jobs; --page N for more)\n"), shown_page,
             shown_per_page > 0 ? (double)(((guint64)total + (guint64)shown_per_page - 1)
                                           / (guint64)shown_per_page)
                                : 1.0,
             total);
  return VA_EXIT_OK;
}

static void
va_cli_job_print_result_row (const char *pipeline, JsonObject *r)
{
  const char *file = va_cli_job_string (r, "output_file");
  const char *message = va_cli_job_string (r, "error_message");
  g_autofree char *base = file != NULL ? g_path_get_basename (file) : g_strdup ("-");
  double count = va_cli_job_number (r, "annotation_count", -1);
  double seconds = va_cli_job_number (r, "processing_time", -1);
  g_autofree char *count_text = count >= 0 ? g_strdup_printf ("%.0f", count) : g_strdup ("-");
  g_autofree char *time_text = seconds >= 0 ? g_strdup_printf ("%.2f", seconds) : g_strdup ("-");

  g_print ("%-22s  %-9s  %11s  %9s  %s\n", pipeline,
           va_cli_job_string (r, "status") != NULL ? va_cli_job_string (r, "status") : "?",
           count_text, time_text, base);
  if (message != NULL)
    g_print ("    %s\n", message);
}

/* The answer of `GET /api/v1/jobs/ID/results` as a table. */
int
va_cli_job_print_results (VaCliJob *self, const char *job_id, JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  JsonObject *root = va_cli_job_object (node, &error);
  JsonObject *results = NULL;
  JsonNode *results_node;
  g_autoptr (GList) names = NULL;

  if (root == NULL)
    return va_cli_job_fail (self, error);
  results_node = json_object_get_member (root, "pipeline_results");
  if (results_node != NULL && JSON_NODE_HOLDS_OBJECT (results_node))
    results = json_node_get_object (results_node);

  g_print (_ ("Job %s: %s\n"), job_id,
           va_cli_job_string (root, "status") != NULL ? va_cli_job_string (root, "status") : "?");
  if (va_cli_job_string (root, "error_message") != NULL)
    g_print ("%s\n", va_cli_job_string (root, "error_message"));
  if (results == NULL || json_object_get_size (results) == 0) {
    g_print ("%s\n", _ ("No pipeline results yet."));
    return VA_EXIT_OK;
  }
  g_print ("%-22s  %-9s  %11s  %9s  %s\n", _ ("PIPELINE"), _ ("STATUS"), _ ("ANNOTATIONS"),
           _ ("TIME (s)"), _ ("FILE"));
  names = json_object_get_members (results);
  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *item = json_object_get_member (results, l->data);

    if (JSON_NODE_HOLDS_OBJECT (item))
      va_cli_job_print_result_row (l->data, json_node_get_object (item));
  }
  return VA_EXIT_OK;
}
