/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>
#include <sys/stat.h>

#include "va-config-report.h"
#include "va-engine.h"
#include "va-engine-private.h"
#include "va-store-open.h"
#include "va-retention.h"
#include "va-error.h"
#include "va-job-queue.h"
#include "va-recovery.h"
#include "va-security-monitor.h"
#include "va-upload-private.h"

/**
 * VaEngine:
 *
 * The one object transports talk to (HTTP, D-Bus, the local CLI). It owns
 * the settings, the database, the job storage, the audit trail and the
 * job queue, and it holds every rule: scopes, job ownership, read-only
 * mode, consent, submission validation and auditing. A transport parses
 * a request into a #VaCaller and arguments, calls one method here and
 * serializes what comes back; it never decides on its own.
 *
 * Methods that do I/O come as `_async`/`_finish` pairs: the database and
 * file work runs in a worker thread, queue actions and signals happen on
 * the main context the engine was created on. The blocking variants
 * (without suffix) are for the CLI and tests and must be called on that
 * main context too.
 *
 * Errors are always %VA_ERROR. A job that does not exist and a job owned
 * by someone else give the same %VA_ERROR_NOT_FOUND, so ids cannot be
 * probed.
 */
struct _VaEngine {
  GObject parent_instance;

  VaSettings *settings;
  VaStore *store;
  VaStorage *storage;
  VaAudit *audit;
  VaPipelineRegistry *registry;
  VaTokenStore *tokens;
  VaJobQueue *queue;
  VaRetention *retention; /* NULL unless the automatic cleanup runs */
  VaEventTickets *event_tickets;
  VaSecurityMonitor *monitor; /* alert rules every transport feeds */
  VaLog *log;                 /* JSON records: audit.log, security.log */
  GMainContext *context;
  int storage_lock; /* va_recovery_lock_storage(), -1 when not held */

  gboolean read_only;
  gboolean require_consent;
  gboolean dev_mode;
  gboolean started;
  gint accepting; /* atomic: FALSE once shutdown began */
};

G_DEFINE_FINAL_TYPE (VaEngine, va_engine, G_TYPE_OBJECT)

enum {
  SIGNAL_JOB_UPDATED,
  SIGNAL_JOB_COMPLETED,
  SIGNAL_JOB_FAILED,
  SIGNAL_JOB_CANCELLED,
  SIGNAL_JOB_DELETED,
  SIGNAL_SECURITY_ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
va_artifact_free (VaArtifact *artifact)
{
  if (artifact == NULL)
    return;
  g_free (artifact->name);
  g_free (artifact->path);
  g_free (artifact);
}

/* ---- operations: one worker-thread part, one main-context part ---------- */

void
va_engine_op_free (VaEngineOp *op)
{
  g_clear_object (&op->caller);
  g_free (op->job_id);
  g_free (op->pipeline);
  g_free (op->status_filter);
  g_clear_object (&op->upload);
  g_clear_pointer (&op->config, json_object_unref);
  g_strfreev (op->pipelines);
  g_clear_pointer (&op->consent, json_object_unref);
  g_clear_object (&op->job);
  g_clear_pointer (&op->items, g_ptr_array_unref);
  g_clear_object (&op->stream);
  g_free (op->basename);
  if (op->data_free != NULL)
    op->data_free (op->data);
  g_free (op);
}

VaEngineOp *
va_engine_op_new (VaCaller *caller, const char *job_id, VaEngineOpFunc func,
                  VaEngineOpMainFunc main_func)
{
  VaEngineOp *op = g_new0 (VaEngineOp, 1);

  op->func = func;
  op->main_func = main_func;
  op->caller = g_object_ref (caller);
  op->job_id = g_strdup (job_id);
  return op;
}

static void
va_engine_op_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaEngineOp *op = task_data;
  GError *error = NULL;

  /* cancellation counts until the work starts, not after */
  if (g_cancellable_is_cancelled (cancellable)) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_CANCELLED, "Cancelled");
    return;
  }
  if (op->func (op->engine, op, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
va_engine_op_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  VaEngineOp *op = g_task_get_task_data (outer);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    g_task_return_error (outer, error);
    return;
  }
  if (op->main_func != NULL)
    op->main_func (op->engine, op);
  g_task_return_boolean (outer, TRUE);
}

/* TRUE when the calling thread runs the engine's own context. */
static gboolean
va_engine_on_own_context (VaEngine *self)
{
  GMainContext *current = g_main_context_get_thread_default ();

  return (current != NULL ? current : g_main_context_default ()) == self->context;
}

static void
va_engine_op_start_inner (GTask *outer)
{
  VaEngineOp *op = g_task_get_task_data (outer);
  g_autoptr (GTask) inner = NULL;

  inner
      = g_task_new (NULL, g_task_get_cancellable (outer), va_engine_op_done, g_object_ref (outer));
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, op, NULL);
  g_task_run_in_thread (inner, va_engine_op_thread);
}

static gboolean
va_engine_op_start_inner_cb (gpointer user_data)
{
  va_engine_op_start_inner (user_data);
  return G_SOURCE_REMOVE;
}

/* Takes @op. The outer task carries it to the _finish function and
 * completes on the caller's context; the inner one runs op->func in a
 * thread and completes on the engine's context, where op->main_func runs
 * (queue actions and signals). A caller on another context (an HTTP
 * serving thread) has the inner task started on the engine's context for
 * that; GTask returns the outer one to the caller's context from there.
 * Only the outer task references the engine: a worker thread may release
 * the inner task late, and the engine's last unref must never happen
 * there. */
void
va_engine_op_run_async (VaEngine *self, VaEngineOp *op, gpointer source_tag,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) outer = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (outer, source_tag);
  g_task_set_task_data (outer, op, (GDestroyNotify)va_engine_op_free);
  /* once the work is done (a job created, a file removed) the caller must
   * hear about it: a late cancellation must not turn it into an error */
  g_task_set_check_cancellable (outer, FALSE);
  op->engine = self;
  if (op->main_func == NULL || va_engine_on_own_context (self))
    va_engine_op_start_inner (outer);
  else
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, va_engine_op_start_inner_cb,
                                g_object_ref (outer), g_object_unref);
}

VaEngineOp *
va_engine_op_finish (VaEngine *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

gboolean
va_engine_op_run_sync (VaEngine *self, VaEngineOp *op, GError **error)
{
  op->engine = self;
  if (!op->func (self, op, error))
    return FALSE;
  if (op->main_func != NULL)
    op->main_func (self, op);
  return TRUE;
}

/* ---- job queue glue ------------------------------------------------------------ */

static void
va_engine_queue_started_cb (VaJobQueue *queue, VaJob *job, VaEngine *self)
{
  g_signal_emit (self, signals[SIGNAL_JOB_UPDATED], 0, job, 0.0);
}

static void
va_engine_queue_progress_cb (VaJobQueue *queue, VaJob *job, double progress, VaEngine *self)
{
  g_signal_emit (self, signals[SIGNAL_JOB_UPDATED], 0, job, progress);
}

static void
va_engine_queue_finished_cb (VaJobQueue *queue, VaJob *job, VaEngine *self)
{
  switch (va_job_get_status (job)) {
  case VA_JOB_STATUS_COMPLETED:
    g_signal_emit (self, signals[SIGNAL_JOB_COMPLETED], 0, job);
    break;
  case VA_JOB_STATUS_FAILED:
    g_signal_emit (self, signals[SIGNAL_JOB_FAILED], 0, job);
    break;
  case VA_JOB_STATUS_PENDING:
    /* re-queued by shutdown */
    g_signal_emit (self, signals[SIGNAL_JOB_UPDATED], 0, job, 0.0);
    break;
  default:
    /* cancelled: announced when the cancel was made */
    break;
  }
}

static gboolean
va_engine_queue_init (VaEngine *self, GError **error)
{
  self->queue = va_job_queue_new (self->store, self->storage, self->registry);
  va_job_queue_set_settings (self->queue, self->settings);
  va_job_queue_set_max_concurrent (self->queue,
                                   va_settings_get_uint (self->settings, "max-concurrent-jobs"));
  g_signal_connect_object (self->queue, "job-started", G_CALLBACK (va_engine_queue_started_cb),
                           self, 0);
  g_signal_connect_object (self->queue, "job-progress", G_CALLBACK (va_engine_queue_progress_cb),
                           self, 0);
  g_signal_connect_object (self->queue, "job-finished", G_CALLBACK (va_engine_queue_finished_cb),
                           self, 0);
  return TRUE;
}

/* Read-only mode writes nothing: no recovery, no processing; pending jobs
 * wait for a normal start. */
static gboolean
va_engine_queue_start (VaEngine *self, GError **error)
{
  if (self->read_only) {
    g_message ("Read-only mode: the job queue does not run");
    return TRUE;
  }
  return va_job_queue_start (self->queue, va_settings_get_uint (self->settings, "max-job-retries"),
                             error);
}

void
va_engine_queue_job_added (VaEngine *self, VaJob *job)
{
  va_job_queue_wake (self->queue);
}

static void
va_engine_queue_job_cancelled (VaEngine *self, const char *job_id)
{
  va_job_queue_cancel (self->queue, job_id);
}

static void
va_engine_queue_shutdown_async (VaEngine *self, GAsyncReadyCallback callback, gpointer user_data)
{
  va_job_queue_shutdown_async (self->queue,
                               va_settings_get_uint (self->settings, "shutdown-timeout"), NULL,
                               callback, user_data);
}

static gboolean
va_engine_queue_shutdown_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  return va_job_queue_shutdown_finish (self->queue, result, error);
}

static void
va_engine_queue_dispose (VaEngine *self)
{
  g_clear_object (&self->queue);
}

/* ---- rules ------------------------------------------------------------------ */

/* The id as it may appear in a message: printable and short. */
static char *
va_engine_display_id (const char *job_id)
{
  g_autofree char *escaped = NULL;

  if (job_id == NULL)
    return g_strdup ("(none)");
  escaped = g_strescape (job_id, NULL);
  if (strlen (escaped) > 64)
    escaped[64] = '\0';
  return g_steal_pointer (&escaped);
}

static void
va_engine_set_not_found (GError **error, const char *job_id)
{
  g_autofree char *shown = va_engine_display_id (job_id);
  g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s not found", shown);
}

gboolean
va_engine_check_writable (VaEngine *self, VaCaller *caller, GError **error)
{
  if (!va_caller_check_scope (caller, VA_SCOPE_WRITE, error))
    return FALSE;
  if (self->read_only) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_READ_ONLY,
                         N_ ("The server is in read-only mode: job submission, cancellation and "
                             "deletion are disabled"));
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_engine_check_accepting (VaEngine *self, GError **error)
{
  if (!g_atomic_int_get (&self->accepting)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_READ_ONLY,
                         N_ ("The server is shutting down and accepts no new jobs"));
    return FALSE;
  }
  return TRUE;
}

void
va_engine_audit (VaEngine *self, VaCaller *caller, const char *action, const char *target,
                 JsonObject *detail)
{
  g_autoptr (GError) error = NULL;

  if (!va_audit_record (self->audit, caller, action, target, detail, &error))
    g_warning ("Cannot record audit entry %s: %s", action, error->message);
}

JsonObject *
va_engine_owner_detail (VaCaller *caller, VaJob *job)
{
  JsonObject *detail = json_object_new ();

  if (g_strcmp0 (va_job_get_user_id (job), va_caller_get_user_id (caller)) != 0)
    json_object_set_string_member (detail, "owner", va_job_get_user_id (job));
  return detail;
}

/* Finds a job the caller may act on with @scope. Other users' jobs are
 * %VA_ERROR_NOT_FOUND, exactly like missing ones, unless the caller is
 * admin. Thread-safe. */
VaJob *
va_engine_lookup_job (VaEngine *self, VaCaller *caller, const char *job_id, VaScopes scope,
                      GError **error)
{
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!va_caller_check_scope (caller, scope, error))
    return NULL;
  if (!va_storage_check_job_id (job_id, NULL)) {
    va_engine_set_not_found (error, job_id);
    return NULL;
  }
  job = va_store_get_job (self->store, job_id, &local_error);
  if (job == NULL) {
    if (g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      va_engine_set_not_found (error, job_id);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (!va_caller_is_admin (caller)
      && g_strcmp0 (va_job_get_user_id (job), va_caller_get_user_id (caller)) != 0) {
    va_engine_set_not_found (error, job_id);
    return NULL;
  }
  return g_steal_pointer (&job);
}

/* ---- submission validation ---------------------------------------------------- */

/**
 * va_engine_parse_pipeline_list:
 * @text: (nullable): comma-separated pipeline names, as in the
 *   `selected_pipelines` form field
 *
 * Returns: (transfer full) (nullable): the trimmed, non-empty names, or
 *   %NULL when there are none (the server's default pipelines)
 */
GStrv
va_engine_parse_pipeline_list (const char *text)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    g_strstrip (parts[i]);
    if (*parts[i] == '\0')
      continue;
    g_strv_builder_add (builder, parts[i]);
    n++;
  }
  if (n == 0)
    return NULL;
  return g_strv_builder_end (builder);
}

static gboolean
va_engine_check_consent (VaEngine *self, JsonObject *consent, GError **error)
{
  JsonNode *granted;

  if (consent == NULL || json_object_get_size (consent) == 0) {
    if (self->require_consent) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           N_ ("consent: this server requires consent metadata with every job "
                               "(e.g. {\"granted\": true, \"reference\": \"study-42/form-7\"})"));
      return FALSE;
    }
    return TRUE;
  }
  granted = json_object_get_member (consent, "granted");
  if (granted == NULL) {
    if (self->require_consent) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           N_ ("consent.granted: required (true) on this server"));
      return FALSE;
    }
    return TRUE;
  }
  if (JSON_NODE_TYPE (granted) != JSON_NODE_VALUE
      || json_node_get_value_type (granted) != G_TYPE_BOOLEAN) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("consent.granted: must be a boolean"));
    return FALSE;
  }
  if (!json_node_get_boolean (granted)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("consent.granted: is false; a job without consent is not processed"));
    return FALSE;
  }
  return TRUE;
}

/* Resolves the selection (names or aliases) to available pipelines; %NULL
 * or empty means the registry's defaults. */
static GPtrArray *
va_engine_resolve_pipelines (VaEngine *self, const char *const *pipelines, GError **error)
{
  g_autoptr (GPtrArray) infos = NULL;

  if (pipelines == NULL || pipelines[0] == NULL)
    return va_pipeline_registry_get_defaults (self->registry);
  infos = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; pipelines[i] != NULL; i++) {
    VaPipelineInfo *info = va_pipeline_registry_lookup (self->registry, pipelines[i]);
    g_autofree char *shown = va_engine_display_id (pipelines[i]);

    if (info == NULL) {
      g_autofree char *known = va_pipeline_registry_dup_known_names (self->registry);
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "selected_pipelines[%u]: unknown pipeline “%s” (known pipelines: %s)", i, shown,
                   known);
      return NULL;
    }
    if (!va_pipeline_info_get_enabled (info)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "selected_pipelines[%u]: pipeline “%s” is not available on this server: %s", i,
                   va_pipeline_info_get_name (info),
                   va_pipeline_info_get_unavailable_reason (info));
      return NULL;
    }
    if (g_ptr_array_find (infos, info, NULL)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "selected_pipelines[%u]: pipeline “%s” is selected twice", i,
                   va_pipeline_info_get_name (info));
      return NULL;
    }
    g_ptr_array_add (infos, g_object_ref (info));
  }
  return g_steal_pointer (&infos);
}

static gboolean
va_engine_validate_request (VaEngine *self, JsonObject *config, const char *const *pipelines,
                            JsonObject *consent, GStrv *canonical, GError **error)
{
  g_autoptr (GPtrArray) infos = NULL;
  g_autoptr (VaConfigReport) report = NULL;

  if (!va_engine_check_consent (self, consent, error))
    return FALSE;
  infos = va_engine_resolve_pipelines (self, pipelines, error);
  if (infos == NULL)
    return FALSE;
  report = va_config_report_new (self->registry, config, infos);
  if (!va_config_report_is_valid (report)) {
    g_autofree char *summary = va_config_report_dup_summary (report);
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s", summary);
    return FALSE;
  }
  /* the job keeps what was asked for: NULL stays "the defaults" */
  if (canonical != NULL && pipelines != NULL && pipelines[0] != NULL) {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    for (guint i = 0; i < infos->len; i++)
      g_strv_builder_add (builder, va_pipeline_info_get_name (g_ptr_array_index (infos, i)));
    *canonical = g_strv_builder_end (builder);
  } else if (canonical != NULL) {
    *canonical = NULL;
  }
  return TRUE;
}

/**
 * va_engine_validate_config:
 * @config: (nullable): a job configuration
 * @pipelines: (nullable): selected pipeline names or aliases; %NULL for
 *   the defaults
 * @error: return location for a %VA_ERROR_INVALID_ARGUMENT (unknown or
 *   unavailable pipeline)
 *
 * The check submission applies, as a report with every error and warning
 * (for the validation endpoints). Needs no scope: it reads nothing of
 * anyone's.
 *
 * Returns: (transfer full) (nullable): the report
 */
VaConfigReport *
va_engine_validate_config (VaEngine *self, JsonObject *config, const char *const *pipelines,
                           GError **error)
{
  g_autoptr (GPtrArray) infos = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  infos = va_engine_resolve_pipelines (self, pipelines, error);
  if (infos == NULL)
    return NULL;
  return va_config_report_new (self->registry, config, infos);
}

/**
 * va_engine_check_submission:
 * @config: (nullable): the job configuration object
 * @pipelines: (nullable): selected pipeline names; %NULL for the defaults
 * @consent: (nullable): consent metadata
 *
 * Everything va_engine_submit_job_async() checks except the upload: scope,
 * read-only mode, consent and the configuration. A transport may call it
 * before receiving a large upload to fail early.
 *
 * Returns: %FALSE with %VA_ERROR_FORBIDDEN, %VA_ERROR_READ_ONLY or
 *   %VA_ERROR_INVALID_ARGUMENT (the message starts with the field path)
 */
gboolean
va_engine_check_submission (VaEngine *self, VaCaller *caller, JsonObject *config,
                            const char *const *pipelines, JsonObject *consent, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VA_IS_CALLER (caller), FALSE);

  if (!va_engine_check_writable (self, caller, error) || !va_engine_check_accepting (self, error))
    return FALSE;
  return va_engine_validate_request (self, config, pipelines, consent, NULL, error);
}

/* ---- uploads ------------------------------------------------------------------ */

/**
 * va_engine_create_upload:
 * @caller: who uploads; needs the write scope
 * @client_filename: (nullable): the client's file name (display only)
 * @expected_size: the announced size, or -1
 *
 * Starts an upload after the checks that must come before any byte is
 * stored: scope, read-only mode, shutdown, size limit and free space.
 *
 * Returns: (transfer full) (nullable): the upload to stream into
 */
VaUpload *
va_engine_create_upload (VaEngine *self, VaCaller *caller, const char *client_filename,
                         gint64 expected_size, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  VaUpload *upload;

  if (!va_engine_check_writable (self, caller, error) || !va_engine_check_accepting (self, error))
    return NULL;
  upload = va_upload_create (self->storage, client_filename, expected_size, error);
  if (upload != NULL)
    va_upload_set_owner (upload, va_caller_get_user_id (caller));
  return upload;
}

/* ---- submit ----------------------------------------------------------------- */

gboolean
va_engine_submit_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  VaCaller *caller = op->caller;
  g_auto (GStrv) canonical = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (JsonObject) detail = NULL;
  g_autoptr (JsonArray) names = NULL;
  const char *username;

  if (!va_engine_check_writable (self, caller, error) || !va_engine_check_accepting (self, error))
    return FALSE;
  if (g_strcmp0 (va_upload_get_owner (op->upload), va_caller_get_user_id (caller)) != 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                         N_ ("video: the upload belongs to another user"));
    return FALSE;
  }
  /* in this worker thread, with the insert: one trip through a thread
   * for the whole submission instead of two, which is what a submission
   * waits for on a busy machine */
  if (!va_upload_is_complete (op->upload) && !va_upload_complete (op->upload, NULL, error))
    return FALSE;
  if (!va_engine_validate_request (self, op->config, (const char *const *)op->pipelines,
                                   op->consent, &canonical, error))
    return FALSE;
  if ((va_upload_get_batch_id (op->upload) != NULL
       && !va_batch_check_id (va_upload_get_batch_id (op->upload), "batch_id", error))
      || (va_upload_get_batch_name (op->upload) != NULL
          && !va_batch_check_id (va_upload_get_batch_name (op->upload), "batch_name", error)))
    return FALSE;

  username = va_caller_get_username (caller);
  if (!va_store_upsert_user (self->store, va_caller_get_user_id (caller),
                             username != NULL ? username : va_caller_get_user_id (caller),
                             va_caller_get_email (caller), va_caller_is_admin (caller), error))
    return FALSE;

  job = va_job_new_with_id (va_upload_get_job_id (op->upload));
  va_job_set_status (job, VA_JOB_STATUS_PENDING);
  va_job_set_user_id (job, va_caller_get_user_id (caller));
  va_job_set_video_path (job, va_upload_get_path (op->upload));
  va_job_set_video_filename (job, va_upload_get_filename (op->upload));
  va_job_set_video_size_bytes (job, (gint64)va_upload_get_size (op->upload));
  va_job_set_input_sha256 (job, va_upload_get_sha256 (op->upload));
  va_job_set_rerun_of (job, va_upload_get_rerun_of (op->upload));
  va_job_set_batch_id (job, va_upload_get_batch_id (op->upload));
  va_job_set_batch_name (job, va_upload_get_batch_name (op->upload));
  /* the duration stays unknown (null) until the job's run reads it from
   * the container: a submission does not wait for a decoder */
  if (op->config != NULL)
    va_job_set_config (job, op->config);
  va_job_set_selected_pipelines (job, (const char *const *)canonical);
  if (op->consent != NULL && json_object_get_size (op->consent) > 0)
    va_job_set_consent (job, op->consent);
  va_job_set_storage_path (job, va_upload_get_job_id (op->upload));
  va_job_set_created_at (job, now);
  if (!va_store_insert_job (self->store, job, error))
    return FALSE;
  /* from here on the job owns the directory */
  va_upload_commit (op->upload);

  op->job = va_store_get_job (self->store, va_job_get_id (job), error);
  if (op->job == NULL)
    return FALSE;

  detail = json_object_new ();
  json_object_set_int_member (detail, "size", (gint64)va_upload_get_size (op->upload));
  json_object_set_string_member (detail, "media_type", va_upload_get_media_type (op->upload));
  names = json_array_new ();
  for (guint i = 0; canonical != NULL && canonical[i] != NULL; i++)
    json_array_add_string_element (names, canonical[i]);
  json_object_set_array_member (detail, "pipelines", g_steal_pointer (&names));
  json_object_set_boolean_member (detail, "consent", va_job_get_consent (job) != NULL);
  va_engine_audit (self, caller, "job.submit", va_job_get_id (job), detail);
  return TRUE;
}

void
va_engine_submit_main (VaEngine *self, VaEngineOp *op)
{
  va_engine_queue_job_added (self, op->job);
  g_signal_emit (self, signals[SIGNAL_JOB_UPDATED], 0, op->job, 0.0);
}

static VaEngineOp *
va_engine_submit_op_new (VaCaller *caller, VaUpload *upload, JsonObject *config,
                         const char *const *pipelines, JsonObject *consent)
{
  VaEngineOp *op = va_engine_op_new (caller, NULL, va_engine_submit_func, va_engine_submit_main);

  op->upload = g_object_ref (upload);
  op->config = config != NULL ? json_object_ref (config) : NULL;
  op->pipelines = g_strdupv ((char **)pipelines);
  op->consent = consent != NULL ? json_object_ref (consent) : NULL;
  return op;
}

/**
 * va_engine_submit_job_async:
 * @caller: the submitter; needs the write scope, becomes the owner
 * @upload: an upload from va_engine_create_upload() with all its data
 *   written; completed here (va_upload_complete(): typefound, renamed,
 *   synced) unless the caller did
 * @config: (nullable): job configuration (per pipeline: `config[name]`
 *   if present, else the whole object)
 * @pipelines: (nullable): selected pipeline names; %NULL for the defaults
 * @consent: (nullable): consent metadata (mandatory with `require-consent`)
 *
 * Creates a pending job for the upload. On failure the upload's files
 * are removed when @upload is released. Fails as va_upload_complete()
 * does for an upload that is not audio or video
 * (%VA_ERROR_UNSUPPORTED_MEDIA).
 */
void
va_engine_submit_job_async (VaEngine *self, VaCaller *caller, VaUpload *upload, JsonObject *config,
                            const char *const *pipelines, JsonObject *consent,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));
  g_return_if_fail (VA_IS_UPLOAD (upload));

  va_engine_op_run_async (self,
                          va_engine_submit_op_new (caller, upload, config, pipelines, consent),
                          va_engine_submit_job_async, cancellable, callback, user_data);
}

/**
 * va_engine_submit_job_finish:
 *
 * Returns: (transfer full) (nullable): the pending job, with its
 *   queue_position
 */
VaJob *
va_engine_submit_job_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_submit_job_async, error);
  return op != NULL ? g_steal_pointer (&op->job) : NULL;
}

VaJob *
va_engine_submit_job (VaEngine *self, VaCaller *caller, VaUpload *upload, JsonObject *config,
                      const char *const *pipelines, JsonObject *consent, GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);
  g_return_val_if_fail (VA_IS_UPLOAD (upload), NULL);

  op = va_engine_submit_op_new (caller, upload, config, pipelines, consent);
  if (!va_engine_op_run_sync (self, op, error))
    return NULL;
  return g_steal_pointer (&op->job);
}

/* ---- get ------------------------------------------------------------------------ */

static gboolean
va_engine_get_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (op->job == NULL)
    return FALSE;
  /* reading another user's job is an admin act */
  if (g_strcmp0 (va_job_get_user_id (op->job), va_caller_get_user_id (op->caller)) != 0) {
    g_autoptr (JsonObject) detail = va_engine_owner_detail (op->caller, op->job);
    va_engine_audit (self, op->caller, "job.read", op->job_id, detail);
  }
  return TRUE;
}

/**
 * va_engine_get_job_async:
 *
 * Unlike the other operations, the read is done at once on the calling
 * context: it is one indexed row through the store's reader connection,
 * which never waits for a writer, and a worker thread's round trip cost
 * more than the read. An admin reading another user's job is audited,
 * which writes and may wait for the write lock: that case still runs in a
 * worker thread. The callback is called from the context's next iteration
 * either way.
 */
void
va_engine_get_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VaEngineOp *op;
  GError *error = NULL;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_get_func, NULL);
  op->job = va_engine_lookup_job (self, caller, job_id, VA_SCOPE_READ, &error);
  if (op->job != NULL
      && g_strcmp0 (va_job_get_user_id (op->job), va_caller_get_user_id (caller)) != 0) {
    g_clear_object (&op->job);
    va_engine_op_run_async (self, op, va_engine_get_job_async, cancellable, callback, user_data);
    return;
  }
  op->engine = self;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_engine_get_job_async);
  g_task_set_task_data (task, op, (GDestroyNotify)va_engine_op_free);
  g_task_set_check_cancellable (task, FALSE);
  if (op->job != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * va_engine_get_job_finish:
 *
 * Returns: (transfer full) (nullable): the job, or %NULL with
 *   %VA_ERROR_NOT_FOUND (also for another user's job) or
 *   %VA_ERROR_FORBIDDEN (no read scope)
 */
VaJob *
va_engine_get_job_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_get_job_async, error);
  return op != NULL ? g_steal_pointer (&op->job) : NULL;
}

VaJob *
va_engine_get_job (VaEngine *self, VaCaller *caller, const char *job_id, GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  op = va_engine_op_new (caller, job_id, va_engine_get_func, NULL);
  if (!va_engine_op_run_sync (self, op, error))
    return NULL;
  return g_steal_pointer (&op->job);
}

/* ---- list ----------------------------------------------------------------------- */

static gboolean
va_engine_list_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  guint mask = 0;
  gboolean admin = va_caller_is_admin (op->caller);
  VaJobFilter filter = { 0 };

  if (!va_caller_check_scope (op->caller, VA_SCOPE_READ, error))
    return FALSE;
  if (op->status_filter != NULL && *op->status_filter != '\0') {
    VaJobStatus status;
    if (!va_job_status_from_string (op->status_filter, &status)) {
      /* the 1.4 contract: an unknown status matches no job */
      if (op->page < 1 || op->per_page < 1 || op->per_page > VA_STORE_MAX_PER_PAGE)
        return va_store_list_jobs (self->store, op->page, op->per_page, 0, NULL, NULL, error)
               != NULL;
      op->items = g_ptr_array_new_with_free_func (g_object_unref);
      op->total = 0;
      return TRUE;
    }
    mask = VA_JOB_STATUS_MASK (status);
  }
  filter.status_mask = mask;
  filter.user_id = admin ? NULL : va_caller_get_user_id (op->caller);
  if (op->data != NULL) {
    const VaJobFilter *batch = op->data;
    filter.batch_id = batch->batch_id;
    filter.unbatched_only = batch->unbatched_only;
  }
  op->items = va_store_list_jobs_filtered (self->store, op->page, op->per_page, &filter, &op->total,
                                           error);
  if (op->items == NULL)
    return FALSE;
  if (admin) {
    g_autoptr (JsonObject) detail = json_object_new ();
    json_object_set_string_member (detail, "scope", "all users");
    va_engine_audit (self, op->caller, "job.list", NULL, detail);
  }
  return TRUE;
}

static VaEngineOp *
va_engine_list_op_new (VaCaller *caller, guint page, guint per_page, const char *status_filter)
{
  VaEngineOp *op = va_engine_op_new (caller, NULL, va_engine_list_func, NULL);

  op->page = page;
  op->per_page = per_page;
  op->status_filter = g_strdup (status_filter);
  return op;
}

/**
 * va_engine_list_jobs_async:
 * @page: 1-based page
 * @per_page: 1 … %VA_STORE_MAX_PER_PAGE
 * @status_filter: (nullable): a status name; an unknown one matches
 *   nothing (1.4 contract)
 *
 * The caller's own jobs, oldest first; all jobs for an admin (audited).
 */
void
va_engine_list_jobs_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                           const char *status_filter, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (self, va_engine_list_op_new (caller, page, per_page, status_filter),
                          va_engine_list_jobs_async, cancellable, callback, user_data);
}

static void
va_engine_job_filter_free (gpointer data)
{
  VaJobFilter *filter = data;

  g_free ((char *)filter->batch_id);
  g_free (filter);
}

/**
 * va_engine_list_batch_jobs_async:
 * @batch_id: (nullable): only the jobs of this batch
 * @unbatched_only: only jobs of no batch
 *
 * va_engine_list_jobs_async() with the batch filters of 1.5 clients;
 * finish with va_engine_list_jobs_finish().
 */
void
va_engine_list_batch_jobs_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                                 const char *status_filter, const char *batch_id,
                                 gboolean unbatched_only, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  VaEngineOp *op;
  VaJobFilter *filter;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_list_op_new (caller, page, per_page, status_filter);
  filter = g_new0 (VaJobFilter, 1);
  filter->batch_id = g_strdup (batch_id);
  filter->unbatched_only = unbatched_only;
  op->data = filter;
  op->data_free = va_engine_job_filter_free;
  va_engine_op_run_async (self, op, va_engine_list_jobs_async, cancellable, callback, user_data);
}

/**
 * va_engine_list_jobs_finish:
 * @total: (out) (optional): matching jobs over all pages
 *
 * Returns: (transfer container) (element-type VaJob) (nullable): the page
 */
GPtrArray *
va_engine_list_jobs_finish (VaEngine *self, GAsyncResult *result, guint64 *total, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_list_jobs_async, error);

  if (op == NULL)
    return NULL;
  if (total != NULL)
    *total = op->total;
  return g_steal_pointer (&op->items);
}

GPtrArray *
va_engine_list_jobs (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                     const char *status_filter, guint64 *total, GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  op = va_engine_list_op_new (caller, page, per_page, status_filter);
  if (!va_engine_op_run_sync (self, op, error))
    return NULL;
  if (total != NULL)
    *total = op->total;
  return g_steal_pointer (&op->items);
}

/* ---- cancel ---------------------------------------------------------------------- */

#define VA_ENGINE_CANCEL_MESSAGE "Job cancelled by user request"

static gboolean
va_engine_cancel_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonObject) detail = NULL;
  VaJobStatus status;

  if (!va_engine_check_writable (self, op->caller, error))
    return FALSE;
  job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_WRITE, error);
  if (job == NULL)
    return FALSE;

  status = va_job_get_status (job);
  if (status == VA_JOB_STATUS_PENDING || status == VA_JOB_STATUS_RUNNING) {
    if (va_store_set_job_status (self->store, op->job_id, VA_JOB_STATUS_CANCELLED,
                                 VA_ENGINE_CANCEL_MESSAGE, &local_error)) {
      op->was_active = TRUE;
    } else if (!g_error_matches (local_error, VA_ERROR, VA_ERROR_CONFLICT)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }
  /* re-read: a job may have finished between the read and the update */
  g_clear_object (&job);
  job = va_store_get_job (self->store, op->job_id, error);
  if (job == NULL)
    return FALSE;
  status = va_job_get_status (job);
  if (status == VA_JOB_STATUS_COMPLETED || status == VA_JOB_STATUS_FAILED) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT, "Cannot cancel job %s in %s state", op->job_id,
                 va_job_status_to_string (status));
    return FALSE;
  }

  if (op->was_active) {
    detail = va_engine_owner_detail (op->caller, job);
    va_engine_audit (self, op->caller, "job.cancel", op->job_id, detail);
  }
  op->job = g_steal_pointer (&job);
  return TRUE;
}

static void
va_engine_cancel_main (VaEngine *self, VaEngineOp *op)
{
  if (!op->was_active)
    return;
  va_engine_queue_job_cancelled (self, op->job_id);
  g_signal_emit (self, signals[SIGNAL_JOB_CANCELLED], 0, op->job);
}

/**
 * va_engine_cancel_job_async:
 *
 * Cancels a pending or running job (a running pipeline is stopped). The
 * job stays `cancelled` even if its pipeline finishes a moment later.
 * Cancelling a cancelled job returns it unchanged.
 */
void
va_engine_cancel_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (
      self, va_engine_op_new (caller, job_id, va_engine_cancel_func, va_engine_cancel_main),
      va_engine_cancel_job_async, cancellable, callback, user_data);
}

/**
 * va_engine_cancel_job_finish:
 *
 * Returns: (transfer full) (nullable): the cancelled job, or %NULL with
 *   %VA_ERROR_CONFLICT for a completed or failed job, %VA_ERROR_NOT_FOUND,
 *   %VA_ERROR_FORBIDDEN or %VA_ERROR_READ_ONLY
 */
VaJob *
va_engine_cancel_job_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_cancel_job_async, error);
  return op != NULL ? g_steal_pointer (&op->job) : NULL;
}

VaJob *
va_engine_cancel_job (VaEngine *self, VaCaller *caller, const char *job_id, GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  op = va_engine_op_new (caller, job_id, va_engine_cancel_func, va_engine_cancel_main);
  if (!va_engine_op_run_sync (self, op, error))
    return NULL;
  return g_steal_pointer (&op->job);
}

/* for sibling operations, from the main context */
void
va_engine_emit_job_updated (VaEngine *self, VaJob *job)
{
  g_signal_emit (self, signals[SIGNAL_JOB_UPDATED], 0, job, 0.0);
}

void
va_engine_emit_job_cancelled (VaEngine *self, VaJob *job)
{
  va_engine_queue_job_cancelled (self, va_job_get_id (job));
  g_signal_emit (self, signals[SIGNAL_JOB_CANCELLED], 0, job);
}

/* ---- delete ---------------------------------------------------------------------- */

/* A deletion goes in three steps so that it never races with the job's own
 * run, which may be starting at that very moment (creating its output
 * folder) or writing its files, and so that a crash at any point leaves
 * something the next start finishes (va-recovery.c): the row is marked
 * first (worker thread; a marked job is cancelled, hidden from every read,
 * and cannot start any more), then a run of the job in this process is
 * stopped and waited for (main context), then the directory is removed
 * and only then the row (worker thread), with nothing writing into it. */

static gboolean
va_engine_delete_mark (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!va_engine_check_writable (self, op->caller, error))
    return FALSE;
  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_WRITE, error);
  if (op->job == NULL)
    return FALSE;
  if (!va_store_mark_job_deleting (self->store, op->job_id, &op->was_active, &local_error)) {
    /* a concurrent delete got there first */
    if (g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      va_engine_set_not_found (error, op->job_id);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_engine_delete_files (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonObject) detail = va_engine_owner_detail (op->caller, op->job);
  guint64 bytes = 0;

  /* NOT_FOUND: the upload failed before the job had files, or the run
   * ended by itself after the mark and removed them */
  if (!va_storage_delete_job (self->storage, op->job_id, &bytes, &local_error)
      && !g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "Job %s was deleted, but its files could not all be removed (the next start "
                 "tries again): %s",
                 op->job_id, local_error->message);
    json_object_set_string_member (detail, "error", local_error->message);
    va_engine_audit (self, op->caller, "job.delete", op->job_id, detail);
    return FALSE;
  }
  g_clear_error (&local_error);
  /* the row goes last: until then the mark says what is left to do */
  if (!va_store_delete_job (self->store, op->job_id, &local_error)
      && !g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "Job %s was deleted, but its row could not be removed (the next start tries "
                 "again): %s",
                 op->job_id, local_error->message);
    json_object_set_string_member (detail, "error", local_error->message);
    va_engine_audit (self, op->caller, "job.delete", op->job_id, detail);
    return FALSE;
  }
  json_object_set_int_member (detail, "bytes_freed", (gint64)bytes);
  va_engine_audit (self, op->caller, "job.delete", op->job_id, detail);
  return TRUE;
}

static void
va_engine_delete_files_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  VaEngineOp *op = g_task_get_task_data (outer);
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* the job is gone for every reader either way */
  g_signal_emit (op->engine, signals[SIGNAL_JOB_DELETED], 0, op->job);
  if (ok)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

static void
va_engine_delete_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data;
  VaEngineOp *op = g_task_get_task_data (outer);
  g_autoptr (GTask) inner = NULL;

  va_job_queue_stop_job_finish (VA_JOB_QUEUE (source), result, NULL);
  op->func = va_engine_delete_files;
  /* no cancellable: once the job is marked its files must go too */
  inner = g_task_new (NULL, NULL, va_engine_delete_files_done, outer);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, op, NULL);
  g_task_run_in_thread (inner, va_engine_op_thread);
}

static void
va_engine_delete_marked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) outer = user_data;
  VaEngineOp *op = g_task_get_task_data (outer);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    g_task_return_error (outer, error);
    return;
  }
  va_job_queue_stop_job_async (op->engine->queue, op->job_id, NULL, va_engine_delete_stopped,
                               g_steal_pointer (&outer));
}

static gboolean
va_engine_delete_start_cb (gpointer user_data)
{
  GTask *outer = user_data;
  g_autoptr (GTask) inner = NULL;

  inner = g_task_new (NULL, g_task_get_cancellable (outer), va_engine_delete_marked,
                      g_object_ref (outer));
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, g_task_get_task_data (outer), NULL);
  g_task_run_in_thread (inner, va_engine_op_thread);
  return G_SOURCE_REMOVE;
}

/**
 * va_engine_delete_job_async:
 *
 * Deletes the job whatever its state: marks its row (the job disappears
 * from every read and cannot start), then stops its run if it has one in
 * this process (and waits for it), then removes its whole storage
 * directory (upload and outputs), then its rows. The database uses
 * secure_delete and its write-ahead log is checkpointed, so nothing
 * remains. A crash on the way leaves the mark, and the next start
 * finishes the deletion. Completes when all of it is gone.
 */
void
va_engine_delete_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) outer = NULL;
  g_autoptr (GTask) inner = NULL;
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  /* as va_engine_op_run_async(): only the outer task references the engine */
  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, va_engine_delete_job_async);
  g_task_set_check_cancellable (outer, FALSE);
  op = va_engine_op_new (caller, job_id, va_engine_delete_mark, NULL);
  op->engine = self;
  g_task_set_task_data (outer, op, (GDestroyNotify)va_engine_op_free);
  /* the run is stopped and the signal emitted on the engine's context */
  if (!va_engine_on_own_context (self)) {
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, va_engine_delete_start_cb,
                                g_steal_pointer (&outer), g_object_unref);
    return;
  }
  inner = g_task_new (NULL, cancellable, va_engine_delete_marked, g_object_ref (outer));
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, op, NULL);
  g_task_run_in_thread (inner, va_engine_op_thread);
}

/**
 * va_engine_delete_job_finish:
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND (no such job, or not the
 *   caller's), %VA_ERROR_FORBIDDEN, %VA_ERROR_READ_ONLY, or
 *   %VA_ERROR_INTERNAL when the job is gone for every reader but its files
 *   or rows could not be removed (a real I/O error, never a race with the
 *   job's run; the next start tries again)
 */
gboolean
va_engine_delete_job_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  return va_engine_op_finish (self, result, va_engine_delete_job_async, error) != NULL;
}

static void
va_engine_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/**
 * va_engine_delete_job:
 *
 * As va_engine_delete_job_async(), synchronously. Call it on the engine's
 * main context: a running job's run ends there.
 */
gboolean
va_engine_delete_job (VaEngine *self, VaCaller *caller, const char *job_id, GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;
  g_autoptr (GAsyncResult) stopped = NULL;
  gboolean ok;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VA_IS_CALLER (caller), FALSE);

  op = va_engine_op_new (caller, job_id, va_engine_delete_mark, NULL);
  op->engine = self;
  if (!va_engine_delete_mark (self, op, error))
    return FALSE;
  va_job_queue_stop_job_async (self->queue, job_id, NULL, va_engine_store_result, &stopped);
  while (stopped == NULL)
    g_main_context_iteration (self->context, TRUE);
  va_job_queue_stop_job_finish (self->queue, stopped, NULL);
  ok = va_engine_delete_files (self, op, error);
  g_signal_emit (self, signals[SIGNAL_JOB_DELETED], 0, op->job);
  return ok;
}

/* ---- results ---------------------------------------------------------------------- */

static gboolean
va_engine_results_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (JsonObject) detail = NULL;

  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (op->job == NULL)
    return FALSE;
  op->items = va_store_list_results (self->store, op->job_id, error);
  if (op->items == NULL)
    return FALSE;
  for (guint i = 0; i < op->items->len; i++) {
    g_auto (GStrv) files = va_engine_dup_result_files (self, self->registry, op->items->pdata[i]);
    va_job_result_set_files (op->items->pdata[i], (const char *const *)files);
  }
  detail = va_engine_owner_detail (op->caller, op->job);
  va_engine_audit (self, op->caller, "job.results.read", op->job_id, detail);
  return TRUE;
}

void
va_engine_get_results_async (VaEngine *self, VaCaller *caller, const char *job_id,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (self, va_engine_op_new (caller, job_id, va_engine_results_func, NULL),
                          va_engine_get_results_async, cancellable, callback, user_data);
}

/**
 * va_engine_get_results_finish:
 * @job: (out) (optional) (transfer full): the job the results belong to
 *
 * Returns: (transfer container) (element-type VaJobResult) (nullable): one
 *   result per pipeline that ran; `output_file` is relative to the storage
 *   root
 */
GPtrArray *
va_engine_get_results_finish (VaEngine *self, GAsyncResult *result, VaJob **job, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_get_results_async, error);

  if (op == NULL)
    return NULL;
  if (job != NULL)
    *job = g_steal_pointer (&op->job);
  return g_steal_pointer (&op->items);
}

GPtrArray *
va_engine_get_results (VaEngine *self, VaCaller *caller, const char *job_id, VaJob **job,
                       GError **error)
{
  g_autoptr (VaEngineOp) op = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  op = va_engine_op_new (caller, job_id, va_engine_results_func, NULL);
  if (!va_engine_op_run_sync (self, op, error))
    return NULL;
  if (job != NULL)
    *job = g_steal_pointer (&op->job);
  return g_steal_pointer (&op->items);
}

/* Opens a file of a job without following links, after checking that its
 * stored relative path lies in that job's directory. */
GInputStream *
va_engine_open_job_file (VaEngine *self, const char *job_id, const char *relative, guint64 *size,
                         GError **error)
{
  g_autofree char *prefix = g_strconcat (job_id, "/", NULL);
  g_autofree char *path = NULL;
  struct stat st;
  int fd;

  if (!g_str_has_prefix (relative, prefix)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "The output file of job %s is outside its directory", job_id);
    return NULL;
  }
  path = va_storage_resolve (self->storage, relative, error);
  if (path == NULL)
    return NULL;
  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The output file %s is missing: %s", relative,
                 g_strerror (saved));
    return NULL;
  }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
    g_close (fd, NULL);
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The output file %s is not a regular file",
                 relative);
    return NULL;
  }
  *size = (guint64)st.st_size;
  return g_unix_input_stream_new (fd, TRUE);
}

static gboolean
va_engine_open_result_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (JsonObject) detail = NULL;
  VaJobResult *found = NULL;
  g_autofree char *named = NULL;
  const char *output;

  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (op->job == NULL)
    return FALSE;
  results = va_store_list_results (self->store, op->job_id, error);
  if (results == NULL)
    return FALSE;
  for (guint i = 0; i < results->len; i++) {
    if (g_strcmp0 (va_job_result_get_pipeline_name (results->pdata[i]), op->pipeline) == 0)
      found = results->pdata[i];
  }
  if (found == NULL) {
    g_autofree char *shown = va_engine_display_id (op->pipeline);
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Job %s has no result for pipeline “%s”", op->job_id, shown);
    return FALSE;
  }
  output = va_job_result_get_output_file (found);
  if (output == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Pipeline “%s” of job %s produced no output file", op->pipeline, op->job_id);
    return FALSE;
  }
  if (op->data != NULL) {
    /* one of the pipeline's files by name: only a listed name, never a path */
    g_auto (GStrv) files = va_engine_dup_result_files (self, self->registry, found);
    g_autofree char *dir = g_path_get_dirname (output);

    if (files == NULL || !g_strv_contains ((const char *const *)files, op->data)) {
      g_autofree char *shown = va_engine_display_id (op->data);
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND,
                   "Pipeline “%s” of job %s has no file named “%s”", op->pipeline, op->job_id,
                   shown);
      return FALSE;
    }
    named = g_build_filename (dir, op->data, NULL);
    output = named;
  }
  op->stream = va_engine_open_job_file (self, op->job_id, output, &op->size, error);
  if (op->stream == NULL)
    return FALSE;
  op->basename = g_path_get_basename (output);

  detail = va_engine_owner_detail (op->caller, op->job);
  json_object_set_string_member (detail, "pipeline", op->pipeline);
  json_object_set_string_member (detail, "file", op->basename);
  va_engine_audit (self, op->caller, "job.file.read", op->job_id, detail);
  return TRUE;
}

/**
 * va_engine_open_result_file_async:
 * @pipeline: the registry name of a pipeline of the job
 *
 * Opens the output file of one pipeline of a job for download (audited).
 */
void
va_engine_open_result_file_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                  const char *pipeline, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_open_result_func, NULL);
  op->pipeline = g_strdup (pipeline);
  va_engine_op_run_async (self, op, va_engine_open_result_file_async, cancellable, callback,
                          user_data);
}

/**
 * va_engine_open_result_named_file_async:
 * @name: (nullable): one of the names the pipeline's result lists in
 *   `files`; %NULL for its output file
 *
 * Like va_engine_open_result_file_async() for a pipeline that wrote
 * several files; an unlisted name fails with %VA_ERROR_NOT_FOUND. Ends
 * with va_engine_open_result_file_finish().
 */
void
va_engine_open_result_named_file_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                        const char *pipeline, const char *name,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_open_result_func, NULL);
  op->pipeline = g_strdup (pipeline);
  op->data = g_strdup (name);
  op->data_free = g_free;
  va_engine_op_run_async (self, op, va_engine_open_result_file_async, cancellable, callback,
                          user_data);
}

/**
 * va_engine_open_result_file_finish:
 * @basename: (out) (optional) (transfer full): the file's name, for
 *   `Content-Disposition`
 * @size: (out) (optional): its size in bytes
 *
 * Returns: (transfer full) (nullable): a stream on the file, or %NULL
 *   with %VA_ERROR_NOT_FOUND (job), %VA_ERROR_INVALID_ARGUMENT (no such
 *   pipeline result, or no output file) or %VA_ERROR_INTERNAL (the file
 *   is missing on disk)
 */
GInputStream *
va_engine_open_result_file_finish (VaEngine *self, GAsyncResult *result, char **basename,
                                   guint64 *size, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_open_result_file_async, error);

  if (op == NULL)
    return NULL;
  if (basename != NULL)
    *basename = g_steal_pointer (&op->basename);
  if (size != NULL)
    *size = op->size;
  return g_steal_pointer (&op->stream);
}

/* ---- artifacts --------------------------------------------------------------------- */

/* the 1.4 contract's artifact types: video, annotation, report, log */
static gboolean
va_engine_is_artifact_name (const char *name)
{
  static const char *const extensions[] = { "mp4", "avi",  "mov", "mkv", "json", "csv", "srt",
                                            "vtt", "rttm", "md",  "txt", "pdf",  "log" };
  const char *dot = strrchr (name, '.');
  g_autofree char *lower = NULL;

  if (dot == NULL)
    return FALSE;
  lower = g_ascii_strdown (dot + 1, -1);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++) {
    if (g_str_equal (lower, extensions[i]))
      return TRUE;
  }
  return FALSE;
}

static gboolean
va_engine_artifacts_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonObject) detail = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *video_name = NULL;

  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (op->job == NULL)
    return FALSE;
  dir = va_storage_dup_job_dir (self->storage, op->job_id, error);
  if (dir == NULL)
    return FALSE;
  if (va_job_get_video_path (op->job) != NULL)
    video_name = g_path_get_basename (va_job_get_video_path (op->job));
  files = va_storage_list_job_files (self->storage, op->job_id, &local_error);
  if (files == NULL && !g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  op->items = g_ptr_array_new_with_free_func ((GDestroyNotify)va_artifact_free);
  for (guint i = 0; files != NULL && i < files->len; i++) {
    const char *name = files->pdata[i];
    g_autoptr (VaArtifact) artifact = NULL;
    GStatBuf st;

    if (!va_engine_is_artifact_name (name))
      continue;
    artifact = g_new0 (VaArtifact, 1);
    artifact->name = g_strdup (name);
    artifact->path = g_build_filename (dir, name, NULL);
    if (g_lstat (artifact->path, &st) != 0 || !S_ISREG (st.st_mode))
      continue;
    artifact->size = (guint64)st.st_size;
    artifact->is_video = video_name != NULL && g_str_equal (name, video_name);
    g_ptr_array_add (op->items, g_steal_pointer (&artifact));
  }
  if (op->items->len == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No artifacts found for job %s", op->job_id);
    return FALSE;
  }
  detail = va_engine_owner_detail (op->caller, op->job);
  json_object_set_int_member (detail, "files", op->items->len);
  va_engine_audit (self, op->caller, "job.artifacts.read", op->job_id, detail);
  return TRUE;
}

/**
 * va_engine_list_artifacts_async:
 *
 * The job's downloadable files (video, annotation, report and log types,
 * as in the 1.4 contract), for an archive. Audited as a read of the
 * job's data.
 */
void
va_engine_list_artifacts_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (self, va_engine_op_new (caller, job_id, va_engine_artifacts_func, NULL),
                          va_engine_list_artifacts_async, cancellable, callback, user_data);
}

/**
 * va_engine_list_artifacts_finish:
 *
 * Returns: (transfer container) (element-type VaArtifact) (nullable): the
 *   files, or %NULL with %VA_ERROR_NOT_FOUND when the job is unknown or
 *   has none
 */
GPtrArray *
va_engine_list_artifacts_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_list_artifacts_async, error);
  return op != NULL ? g_steal_pointer (&op->items) : NULL;
}

/* ---- API keys ---------------------------------------------------------------------- */

static gboolean
va_engine_has_active_key (VaEngine *self, gboolean *has_key, GError **error)
{
  g_autoptr (GPtrArray) keys = va_token_store_list_keys (self->tokens, error);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  if (keys == NULL)
    return FALSE;
  *has_key = FALSE;
  for (guint i = 0; i < keys->len; i++) {
    if (va_api_key_get_state (g_ptr_array_index (keys, i), now) == VA_API_KEY_STATE_ACTIVE)
      *has_key = TRUE;
  }
  return TRUE;
}

/**
 * va_engine_create_initial_key:
 * @key: (out) (transfer full) (nullable): the new admin key, or %NULL when
 *   none was needed
 *
 * On a first start (`auto-generate-api-key` on, no active key), creates
 * an admin key for the user "admin" with the default expiry. The caller
 * shows it once, on the terminal — it is stored only as a digest and
 * must never be logged. Audited as "key.create" without the key.
 */
gboolean
va_engine_create_initial_key (VaEngine *self, char **key, GError **error)
{
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (JsonObject) detail = NULL;
  VaTokenRequest request = {
    .user_id = "admin",
    .username = "admin",
    .email = "admin@localhost", /* as the 1.4 service names its first admin */
    .scopes = VA_SCOPE_ALL,
    .description = "Created at first start",
  };
  gboolean has_key = FALSE;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  *key = NULL;
  if (!va_settings_get_boolean (self->settings, "auto-generate-api-key") || self->read_only)
    return TRUE;
  if (!va_engine_has_active_key (self, &has_key, error))
    return FALSE;
  if (has_key)
    return TRUE;
  request.expires_in_days = va_settings_get_uint (self->settings, "key-expiry-days");
  record = va_token_store_create_key (self->tokens, &request, key, error);
  if (record == NULL)
    return FALSE;
  detail = json_object_new ();
  json_object_set_string_member (detail, "reason", "first start");
  json_object_set_string_member (detail, "key_prefix", va_api_key_get_prefix (record));
  va_engine_audit (self, NULL, "key.create", va_api_key_get_id (record), detail);
  return TRUE;
}

/**
 * va_engine_get_token_store:
 *
 * Returns: (transfer none): the API keys
 */
VaTokenStore *
va_engine_get_token_store (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->tokens;
}

/**
 * va_engine_withdraw_initial_key:
 * @key: the key va_engine_create_initial_key() made
 *
 * Revokes the first admin key when it could not be handed over, so the
 * next start makes another.
 */
gboolean
va_engine_withdraw_initial_key (VaEngine *self, const char *key, GError **error)
{
  g_autoptr (VaApiKey) revoked = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  revoked = va_token_store_revoke (self->tokens, key, NULL, error);
  return revoked != NULL;
}

/* ---- life cycle --------------------------------------------------------------------- */

static void
va_engine_dispose (GObject *object)
{
  VaEngine *self = VA_ENGINE (object);

  va_engine_queue_dispose (self);
  g_clear_object (&self->retention);
  g_clear_object (&self->audit);
  g_clear_object (&self->event_tickets);
  g_clear_object (&self->monitor);
  g_clear_object (&self->log);
  g_clear_object (&self->registry);
  g_clear_object (&self->tokens);
  g_clear_object (&self->storage);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (va_engine_parent_class)->dispose (object);
}

static void
va_engine_finalize (GObject *object)
{
  VaEngine *self = VA_ENGINE (object);

  g_main_context_unref (self->context);
  if (self->storage_lock >= 0)
    g_close (self->storage_lock, NULL);
  G_OBJECT_CLASS (va_engine_parent_class)->finalize (object);
}

static void
va_engine_class_init (VaEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_engine_dispose;
  object_class->finalize = va_engine_finalize;

  /**
   * VaEngine::job-updated:
   * @job: the job (a snapshot)
   * @progress: percent done, 0 … 100
   *
   * A job was submitted, started, or made progress (throttled).
   */
  signals[SIGNAL_JOB_UPDATED]
      = g_signal_new ("job-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, VA_TYPE_JOB, G_TYPE_DOUBLE);
  /**
   * VaEngine::job-completed:
   * @job: the job, `completed` (possibly with errors, see error_message)
   */
  signals[SIGNAL_JOB_COMPLETED]
      = g_signal_new ("job-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
  /**
   * VaEngine::job-failed:
   * @job: the job, `failed`, with error_message
   */
  signals[SIGNAL_JOB_FAILED]
      = g_signal_new ("job-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
  /**
   * VaEngine::job-cancelled:
   * @job: the job, `cancelled`
   */
  signals[SIGNAL_JOB_CANCELLED]
      = g_signal_new ("job-cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
  /**
   * VaEngine::job-deleted:
   * @job: the job as it was just before its deletion (its owner tells
   *   who may hear about it)
   *
   * Emitted once the files and then the rows are gone (also when some of
   * them could not be removed: the job is invisible from the mark on, and
   * the next start removes what is left).
   */
  signals[SIGNAL_JOB_DELETED]
      = g_signal_new ("job-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
  /**
   * VaEngine::security-alert:
   * @alert_json: the alert record as JSON (alert, client, count,
   *   window_seconds, blocked_seconds, message, timestamp)
   *
   * A client crossed an alert rule of the #VaSecurityMonitor and was
   * blocked. Emitted on the engine's main context, whatever transport fed
   * the monitor.
   */
  signals[SIGNAL_SECURITY_ALERT]
      = g_signal_new ("security-alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
va_engine_init (VaEngine *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->storage_lock = -1;
  self->accepting = TRUE;
}

/**
 * va_engine_new:
 * @settings: loaded settings (va_settings_load())
 * @error: return location for a %VA_ERROR
 *
 * Opens (and migrates) the database and the job storage. Nothing runs
 * until va_engine_start().
 *
 * Returns: (transfer full) (nullable): the engine
 */
VaEngine *
va_engine_new (VaSettings *settings, GError **error)
{
  g_autoptr (VaEngine) self = NULL;
  g_autoptr (VaLog) log = NULL;

  g_return_val_if_fail (VA_IS_SETTINGS (settings), NULL);

  if (!gst_is_initialized () && !gst_init_check (NULL, NULL, error)) {
    va_error_convert (error);
    return NULL;
  }

  self = g_object_new (VA_TYPE_ENGINE, NULL);
  self->settings = g_object_ref (settings);
  self->read_only = va_settings_get_boolean (settings, "read-only");
  self->require_consent = va_settings_get_boolean (settings, "require-consent");

  self->store = va_store_open (va_settings_get_database_path (settings), error);
  if (self->store == NULL)
    return NULL;
  self->storage = va_storage_new (va_settings_get_storage_dir (settings), error);
  if (self->storage == NULL)
    return NULL;
  va_storage_set_max_upload_size (self->storage,
                                  va_settings_get_uint64 (settings, "max-upload-size"));
  va_storage_set_min_free_space (self->storage,
                                 va_settings_get_uint64 (settings, "min-free-space"));
  /* records only (audit.log); the server installs its own VaLog as the
   * GLib log writer and passes it with va_engine_set_log() */
  log = va_log_new (settings, 0, error);
  if (log == NULL)
    return NULL;
  self->audit = va_audit_new (self->store, log);
  self->log = g_object_ref (log);
  self->monitor = va_security_monitor_new ();
  self->event_tickets = va_event_tickets_new ();
  self->registry = va_pipeline_registry_new ();
  /* refuses group/world-readable key files, naming the file and the fix */
  self->tokens = va_token_store_new_from_settings (settings, error);
  if (self->tokens == NULL)
    return NULL;

  if (!va_engine_queue_init (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean va_engine_retention_start (VaEngine *self, GError **error);

/**
 * va_engine_start:
 *
 * Finishes what a crash interrupted (deletions, runs, uploads: see
 * va_recovery_run()), recovers jobs a previous run left `running`
 * (re-queued, or failed past the retry limit) and starts processing the
 * queue, unless the server is read-only.
 */
gboolean
va_engine_start (VaEngine *self, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);

  if (self->started)
    return TRUE;
  /* what a crash left behind, before the queue re-queues interrupted
   * jobs; read-only mode writes nothing */
  if (!self->read_only
      && !va_recovery_start (self->store, self->storage, self->audit, &self->storage_lock, error))
    return FALSE;
  if (!va_engine_queue_start (self, error))
    return FALSE;
  if (!va_engine_retention_start (self, error))
    return FALSE;
  self->started = TRUE;
  return TRUE;
}

/* The retention cleanup: a read-only server deletes nothing, and
 * retention-days 0 keeps jobs forever. */
static gboolean
va_engine_retention_start (VaEngine *self, GError **error)
{
  guint days = va_settings_get_uint (self->settings, "retention-days");

  if (self->read_only || days == 0 || !va_settings_get_boolean (self->settings, "auto-cleanup"))
    return TRUE;
  self->retention = va_retention_new (self);
  if (!va_retention_schedule (self->retention,
                              va_settings_get_string (self->settings, "cleanup-schedule"), days,
                              error)) {
    g_prefix_error (error, "cleanup-schedule: ");
    g_clear_object (&self->retention);
    return FALSE;
  }
  {
    g_autofree char *when
        = g_date_time_format (va_retention_get_next_run (self->retention), "%Y-%m-%d %H:%M %Z");
    g_message ("Jobs finished more than %u day(s) ago are deleted; next cleanup %s", days, when);
  }
  return TRUE;
}

/**
 * va_engine_get_retention:
 *
 * Returns: (transfer none) (nullable): the scheduled retention cleanup, or
 *   %NULL when none runs (read-only, `auto-cleanup` off, `retention-days` 0,
 *   or before va_engine_start())
 */
VaRetention *
va_engine_get_retention (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->retention;
}

static void
va_engine_shutdown_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!va_engine_queue_shutdown_finish (VA_ENGINE (g_task_get_source_object (task)), result,
                                        &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * va_engine_shutdown_async:
 *
 * Stops accepting jobs, gives running jobs the `shutdown-timeout` to
 * finish, then stops the rest and puts them back to `pending`, so the
 * next start runs them again. Key usage is flushed to the database.
 */
void
va_engine_shutdown_async (VaEngine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task;

  g_return_if_fail (VA_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_engine_shutdown_async);
  g_atomic_int_set (&self->accepting, FALSE);
  va_engine_queue_shutdown_async (self, va_engine_shutdown_cb, task);
}

gboolean
va_engine_shutdown_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  g_autoptr (GError) flush_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (self->store != NULL && !va_store_flush_key_usage (self->store, &flush_error))
    g_warning ("Cannot write API key usage: %s", flush_error->message);
  return g_task_propagate_boolean (G_TASK (result), error);
}

VaSettings *
va_engine_get_settings (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->settings;
}

VaStore *
va_engine_get_store (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->store;
}

VaStorage *
va_engine_get_storage (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->storage;
}

/**
 * va_engine_get_registry:
 *
 * Returns: (transfer none): the pipeline registry
 */
VaPipelineRegistry *
va_engine_get_registry (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->registry;
}

/**
 * va_engine_get_queue:
 *
 * Returns: (transfer none): the job queue
 */
VaJobQueue *
va_engine_get_queue (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->queue;
}

/**
 * va_engine_set_log:
 * @log: the process's log (the one installed as GLib's writer), so every
 *   JSON log file has one writer
 */
void
va_engine_set_log (VaEngine *self, VaLog *log)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_LOG (log));
  va_audit_set_log (self->audit, log);
  g_set_object (&self->log, log);
}

VaLog *
va_engine_get_log (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->log;
}

VaSecurityMonitor *
va_engine_get_security_monitor (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->monitor;
}

GMainContext *
va_engine_get_main_context (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->context;
}

/* for va-engine-auth.c: on the main context */
void
va_engine_emit_security_alert (VaEngine *self, const char *alert_json)
{
  g_signal_emit (self, signals[SIGNAL_SECURITY_ALERT], 0, alert_json);
}

VaEventTickets *
va_engine_get_event_tickets (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->event_tickets;
}

VaAudit *
va_engine_get_audit (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return self->audit;
}

gboolean
va_engine_get_read_only (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  return self->read_only;
}

/**
 * va_engine_get_dev_mode:
 *
 * Whether the server runs with `--dev` (transports relax their start-up
 * refusals, e.g. CORS `*`, and warn loudly).
 */
gboolean
va_engine_get_dev_mode (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  return self->dev_mode;
}

void
va_engine_set_dev_mode (VaEngine *self, gboolean dev_mode)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  self->dev_mode = dev_mode;
}

/**
 * va_engine_is_accepting:
 *
 * %FALSE once shutdown has begun.
 */
gboolean
va_engine_is_accepting (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  return g_atomic_int_get (&self->accepting);
}
