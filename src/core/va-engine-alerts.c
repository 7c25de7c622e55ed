/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-alerts.h"

#include "va-engine-private.h"
#include "va-error.h"
#include "va-json.h"

/* Listing the security alerts the engine raised (va-engine-auth.c): the
 * records of `<log-dir>/security.log` and its rotated files, newest first.
 * The log is the only store of alerts: it survives a restart, is already
 * sanitized and rotated, and an operator's retention of it (log-max-files)
 * is the retention of the listing. An alert is written before it is
 * signalled, so a listing made after ::security-alert contains it. */

/* a line longer than this is not one of ours */
#define VA_ALERT_LINE_MAX (64 * 1024)

typedef struct {
  GDateTime *since;
  guint limit;
} VaAlertQuery;

static void
va_alert_query_free (VaAlertQuery *q)
{
  g_clear_pointer (&q->since, g_date_time_unref);
  g_free (q);
}

/* Adds the alerts of one file, newest first, until @out holds @q->limit;
 * returns FALSE once an alert older than @q->since was seen (older files
 * cannot hold newer ones). */
static gboolean
va_alerts_read_file (const char *path, VaAlertQuery *q, JsonArray *out, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local_error = NULL;
  guint n;

  if (!g_file_get_contents (path, &contents, NULL, &local_error)) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read the security log: %s",
                 local_error->message);
    return FALSE;
  }
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = n; i > 0 && json_array_get_length (out) < q->limit; i--) {
    const char *line = lines[i - 1];
    g_autoptr (JsonNode) node = NULL;
    g_autoptr (GDateTime) when = NULL;
    JsonObject *alert;
    const char *timestamp;

    if (*line == '\0')
      continue;
    node = va_json_parse (line, -1, VA_ALERT_LINE_MAX, NULL);
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
      continue; /* a line cut by a crash: skip it, keep the others */
    alert = json_node_get_object (node);
    timestamp = json_object_get_string_member_with_default (alert, "timestamp", NULL);
    if (timestamp == NULL
        || json_object_get_string_member_with_default (alert, "alert", NULL) == NULL)
      continue;
    when = g_date_time_new_from_iso8601 (timestamp, NULL);
    if (when == NULL)
      continue;
    if (q->since != NULL && g_date_time_compare (when, q->since) < 0)
      return FALSE;
    json_array_add_object_element (out, json_object_ref (alert));
  }
  return TRUE;
}

static void
va_alerts_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaEngine *self = source;
  VaAlertQuery *q = task_data;
  VaLog *log = va_engine_get_log (self);
  guint max_files = va_settings_get_uint (va_engine_get_settings (self), "log-max-files");
  g_autoptr (JsonArray) out = json_array_new ();
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (log == NULL) { /* an engine without logs (tests) has raised nothing it kept */
    g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify)json_array_unref);
    return;
  }
  path = g_build_filename (va_log_get_dir (log), "security.log", NULL);

  /* security.log, then security.log.1 … .N (older and older) */
  for (guint i = 0; i <= max_files && json_array_get_length (out) < q->limit; i++) {
    g_autofree char *rotated = i == 0 ? g_strdup (path) : g_strdup_printf ("%s.%u", path, i);
    gboolean more = va_alerts_read_file (rotated, q, out, &error);

    if (error != NULL) {
      g_task_return_error (task, error);
      return;
    }
    if (!more)
      break;
  }
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify)json_array_unref);
}

/**
 * va_engine_list_alerts_async:
 * @caller: needs the admin scope
 * @since: (nullable): only alerts raised at or after this time
 * @limit: at most this many (1 to %VA_ENGINE_ALERTS_MAX)
 *
 * Lists the security alerts the engine raised (failed authentications,
 * request floods; each blocked its client), newest first, as they were
 * written to logs/security.log.
 */
void
va_engine_list_alerts_async (VaEngine *self, VaCaller *caller, GDateTime *since, guint limit,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  VaAlertQuery *q;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_engine_list_alerts_async);
  if (!va_caller_check_scope (caller, VA_SCOPE_ADMIN, &error)) {
    g_task_return_error (task, error);
    return;
  }
  if (limit == 0 || limit > VA_ENGINE_ALERTS_MAX) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                             "limit must be an integer from 1 to %u", VA_ENGINE_ALERTS_MAX);
    return;
  }
  q = g_new0 (VaAlertQuery, 1);
  q->since = since != NULL ? g_date_time_ref (since) : NULL;
  q->limit = limit;
  g_task_set_task_data (task, q, (GDestroyNotify)va_alert_query_free);
  g_task_run_in_thread (task, va_alerts_thread);
}

/**
 * va_engine_list_alerts_finish:
 *
 * Returns: (transfer full): the alerts (objects: alert, client, count,
 *   window_seconds, blocked_seconds, message, timestamp), or %NULL with
 *   %VA_ERROR_FORBIDDEN without the admin scope
 */
JsonArray *
va_engine_list_alerts_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
