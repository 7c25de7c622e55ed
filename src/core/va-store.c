/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "va-error.h"
#include "va-store-private.h"

/**
 * VaStore:
 *
 * The service's database of users, jobs, pipeline results, API key usage
 * and the audit trail, behind the vfuncs of #VaStoreClass. This base
 * class holds what every backend shares: argument checks (so a backend
 * never sees a path that escapes the storage directory, an empty user id
 * or an out-of-range page) and the batching of API key use counts.
 * va_store_open() (va-store-open.c) picks the backend from a database URL.
 *
 * All methods are thread-safe.
 */

typedef struct {
  /* key id → VaStoreKeyUse, written by add_key_usage in one transaction */
  GMutex usage_lock;
  GHashTable *pending_usage;
  guint pending_uses;
  GSource *flush_source;
} VaStorePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VaStore, va_store, G_TYPE_OBJECT)

/* ---- time ------------------------------------------------------------- */

gint64
va_store_usec_from_datetime (GDateTime *when)
{
  return g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
}

GDateTime *
va_store_datetime_from_usec (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;
  g_autoptr (GDateTime) base = NULL;

  if (rest < 0) {
    seconds -= 1;
    rest += G_USEC_PER_SEC;
  }
  base = g_date_time_new_from_unix_utc (seconds);
  if (base == NULL)
    return NULL;
  return g_date_time_add (base, rest);
}

gint64
va_store_now_usec (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return va_store_usec_from_datetime (now);
}

const char *
va_store_get_backend_name (VaStore *self)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  return VA_STORE_GET_CLASS (self)->backend_name;
}

const char *
va_store_get_location (VaStore *self)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  return VA_STORE_GET_CLASS (self)->get_location (self);
}

guint
va_store_get_schema_version (VaStore *self)
{
  g_return_val_if_fail (VA_IS_STORE (self), 0);
  return VA_STORE_GET_CLASS (self)->get_schema_version (self);
}

/* ---- argument checks -------------------------------------------------- */

/* Relative paths only, with no ".." component: these fields are later
 * joined to the storage root and must never escape it. */
static gboolean
va_store_check_relative_path (const char *field, const char *path, GError **error)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL)
    return TRUE;
  if (*path == '\0' || g_path_is_absolute (path)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "%s must be a non-empty path relative to the storage directory", field);
    return FALSE;
  }
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (g_str_equal (parts[i], "..")) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "%s must not contain “..” components", field);
      return FALSE;
    }
  }
  return TRUE;
}

/* A display name, never a path: the upload handler sanitizes, this
 * refuses anything that slipped through. */
static gboolean
va_store_check_display_name (const char *name, GError **error)
{
  if (name == NULL)
    return TRUE;
  if (!g_utf8_validate (name, -1, NULL) || strchr (name, '/') != NULL || g_str_equal (name, ".")
      || g_str_equal (name, "..")) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("video_filename must be a sanitized file name, not a path"));
    return FALSE;
  }
  for (const char *p = name; *p != '\0'; p++) {
    if ((guchar)*p < 0x20 || *p == 0x7f) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           N_ ("video_filename must not contain control characters"));
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- users ------------------------------------------------------------ */

/**
 * va_store_upsert_user:
 * @self: a store
 * @id: the user id (as in the API key record)
 * @username: display name
 * @email: (nullable): e-mail address
 * @is_admin: whether the user holds the admin scope
 * @error: return location for a %VA_ERROR
 *
 * Adds the user or updates name, e-mail and admin flag; jobs reference
 * users, so the engine calls this before inserting a user's first job.
 */
gboolean
va_store_upsert_user (VaStore *self, const char *id, const char *username, const char *email,
                      gboolean is_admin, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);

  if (id == NULL || *id == '\0' || username == NULL || *username == '\0') {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("A user needs a non-empty id and username"));
    return FALSE;
  }
  return VA_STORE_GET_CLASS (self)->upsert_user (self, id, username, email, is_admin, error);
}

/**
 * va_store_delete_user:
 * @key_ids: (element-type utf8) (nullable): the user's keys, whose usage
 *   counters go too
 * @existed: (out) (optional): whether there was a user row
 *
 * Removes the user's row (username, e-mail) and their keys' usage, leaving
 * no earlier version of those rows readable on the backend's disk (the
 * user's jobs go first, one by one, through the durable deletion).
 */
gboolean
va_store_delete_user (VaStore *self, const char *user_id, GPtrArray *key_ids, gboolean *existed,
                      GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);
  return VA_STORE_GET_CLASS (self)->delete_user (self, user_id, key_ids, existed, error);
}

/* ---- jobs ------------------------------------------------------------- */

/**
 * va_store_insert_job:
 * @self: a store
 * @job: a new job; its owner (if any) must exist (va_store_upsert_user())
 * @error: return location for a %VA_ERROR
 *
 * Returns: %FALSE with %VA_ERROR_CONFLICT if the id exists,
 *   %VA_ERROR_INVALID_ARGUMENT for an unknown owner or a path that is
 *   absolute or escapes the storage directory.
 */
gboolean
va_store_insert_job (VaStore *self, VaJob *job, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (VA_IS_JOB (job), FALSE);

  if (!va_store_check_relative_path ("video_path", va_job_get_video_path (job), error)
      || !va_store_check_relative_path ("storage_path", va_job_get_storage_path (job), error)
      || !va_store_check_display_name (va_job_get_video_filename (job), error))
    return FALSE;
  return VA_STORE_GET_CLASS (self)->insert_job (self, job, error);
}

/**
 * va_store_get_job:
 *
 * Jobs marked for deletion are not found. `queue_position` is the job's
 * 1-based rank among pending jobs (creation order), computed at read time.
 *
 * Returns: (transfer full) (nullable): the job, or %NULL with
 *   %VA_ERROR_NOT_FOUND
 */
VaJob *
va_store_get_job (VaStore *self, const char *id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return VA_STORE_GET_CLASS (self)->get_job (self, id, error);
}

/**
 * va_store_list_jobs:
 * @self: a store
 * @page: 1-based page
 * @per_page: jobs per page, 1 … %VA_STORE_MAX_PER_PAGE
 * @status_mask: VA_JOB_STATUS_MASK() bits to keep; 0 for all
 * @user_id: (nullable): only this owner's jobs
 * @total: (out) (optional): number of matching jobs over all pages
 * @error: return location for a %VA_ERROR
 *
 * Oldest first (creation time, then insertion order), as the 1.4
 * contract lists them; jobs marked for deletion are left out.
 *
 * Returns: (transfer container) (element-type VaJob): the page
 */
GPtrArray *
va_store_list_jobs (VaStore *self, guint page, guint per_page, guint status_mask,
                    const char *user_id, guint64 *total, GError **error)
{
  VaJobFilter filter = { status_mask, user_id, NULL, FALSE };

  return va_store_list_jobs_filtered (self, page, per_page, &filter, total, error);
}

static gboolean
va_store_check_page (guint page, guint per_page, GError **error)
{
  if (page < 1) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("page must be 1 or more"));
    return FALSE;
  }
  if (per_page < 1 || per_page > VA_STORE_MAX_PER_PAGE) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "per_page must be between 1 and %u",
                 (guint)VA_STORE_MAX_PER_PAGE);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_store_list_jobs_filtered:
 * @filter: which jobs; see #VaJobFilter
 *
 * As va_store_list_jobs(), with the batch filters of 1.5 clients.
 *
 * Returns: (transfer container) (element-type VaJob): the page
 */
GPtrArray *
va_store_list_jobs_filtered (VaStore *self, guint page, guint per_page, const VaJobFilter *filter,
                             guint64 *total, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  if (!va_store_check_page (page, per_page, error))
    return NULL;
  if (filter->status_mask >= VA_JOB_STATUS_MASK (VA_JOB_N_STATUSES)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("Unknown job status filter"));
    return NULL;
  }
  return VA_STORE_GET_CLASS (self)->list_jobs (self, page, per_page, filter, total, error);
}

/* ---- batches (1.5 clients): jobs sharing a client-chosen batch_id ------ */

/**
 * va_store_list_batches:
 * @user_id: (nullable): only batches of this owner's jobs, counted over
 *   those jobs only
 *
 * Newest first (by the first job's submission); jobs being deleted are
 * left out.
 *
 * Returns: (transfer container) (element-type VaBatch): the page
 */
GPtrArray *
va_store_list_batches (VaStore *self, const char *user_id, guint page, guint per_page,
                       guint64 *total, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);

  if (!va_store_check_page (page, per_page, error))
    return NULL;
  return VA_STORE_GET_CLASS (self)->list_batches (self, user_id, page, per_page, total, error);
}

/**
 * va_store_get_batch:
 * @user_id: (nullable): count only this owner's jobs
 *
 * Returns: (transfer full): the batch's summary; one with no job when
 *   no (visible) job carries @batch_id
 */
VaBatch *
va_store_get_batch (VaStore *self, const char *batch_id, const char *user_id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (batch_id != NULL, NULL);
  return VA_STORE_GET_CLASS (self)->get_batch (self, batch_id, user_id, error);
}

/**
 * va_store_list_batch_jobs:
 * @user_id: (nullable): only this owner's jobs
 *
 * Returns: (transfer container) (element-type VaJob): the batch's jobs,
 *   oldest first
 */
GPtrArray *
va_store_list_batch_jobs (VaStore *self, const char *batch_id, const char *user_id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (batch_id != NULL, NULL);
  return VA_STORE_GET_CLASS (self)->list_batch_jobs (self, batch_id, user_id, error);
}

/**
 * va_store_requeue_job:
 *
 * Puts a failed or cancelled job back to `pending` for another run: its
 * run's times, progress, error, warnings and pipeline results are cleared
 * in one transaction (its outputs are the caller's to remove first).
 *
 * Returns: %FALSE with %VA_ERROR_CONFLICT if the job is not failed or
 *   cancelled (any more), %VA_ERROR_NOT_FOUND if it is gone
 */
gboolean
va_store_requeue_job (VaStore *self, const char *id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  return VA_STORE_GET_CLASS (self)->requeue_job (self, id, error);
}

/**
 * va_store_set_job_status:
 * @self: a store
 * @id: a job id
 * @status: the new status
 * @message: (nullable): error or status message; for running it is
 *   ignored (a previous recovery message stays until the job ends)
 * @error: return location for a %VA_ERROR
 *
 * Moves a job along its life cycle in one guarded update, so concurrent
 * writers cannot undo each other: pending → running; running →
 * completed; pending|running → failed or cancelled; running → pending
 * (re-queued by a graceful shutdown: not a retry, the job did nothing
 * wrong; only va_store_recover_running() counts retries, for jobs a crash
 * interrupted). Timestamps follow the status. A job that
 * was cancelled stays cancelled: a completion arriving later fails with
 * %VA_ERROR_CONFLICT and changes nothing.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND or %VA_ERROR_CONFLICT
 */
gboolean
va_store_set_job_status (VaStore *self, const char *id, VaJobStatus status, const char *message,
                         GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((guint)status >= VA_JOB_N_STATUSES) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("Unknown job status"));
    return FALSE;
  }
  return VA_STORE_GET_CLASS (self)->set_job_status (self, id, status, message, error);
}

/**
 * va_store_set_job_progress:
 * @progress: percent, clamped to 0 … 100 (NaN: 0)
 *
 * Only a running job has progress.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND or %VA_ERROR_CONFLICT
 */
gboolean
va_store_set_job_progress (VaStore *self, const char *id, double progress, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  progress = isnan (progress) ? 0 : CLAMP (progress, 0.0, 100.0);
  return VA_STORE_GET_CLASS (self)->set_job_progress (self, id, progress, error);
}

/**
 * va_store_set_job_video_duration:
 * @seconds: the duration of the job's video, as its run found it
 *
 * Records the duration, whatever the job's status: it is a fact about the
 * file, learnt when the job runs (submission does not decode).
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND or another %VA_ERROR
 */
gboolean
va_store_set_job_video_duration (VaStore *self, const char *id, double seconds, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (seconds >= 0 && !isnan (seconds), FALSE);
  return VA_STORE_GET_CLASS (self)->set_job_video_duration (self, id, seconds, error);
}

/**
 * va_store_set_job_warnings:
 * @warnings: (nullable) (array zero-terminated=1): replaces the job's
 *   warnings; %NULL or empty for none
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND if there is no such job (or it
 *   is marked for deletion)
 */
gboolean
va_store_set_job_warnings (VaStore *self, const char *id, const char *const *warnings,
                           GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (warnings != NULL && warnings[0] == NULL)
    warnings = NULL;
  return VA_STORE_GET_CLASS (self)->set_job_warnings (self, id, warnings, error);
}

/**
 * va_store_mark_job_deleting:
 * @was_active: (out) (optional): whether the job was pending or running
 *   (it is `cancelled` now)
 *
 * The first step of a durable deletion (docs/engine.md): in one
 * transaction the job is cancelled if it was active, then marked, which
 * hides it from every read; its files go next, then its row
 * (va_store_delete_job()). A crash in between leaves a marked row, which
 * the start-up recovery (va-recovery.c) finishes.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND if there is no such job or it
 *   is already being deleted (the loser of two concurrent deletions)
 */
gboolean
va_store_mark_job_deleting (VaStore *self, const char *id, gboolean *was_active, GError **error)
{
  gboolean active = FALSE;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!VA_STORE_GET_CLASS (self)->mark_job_deleting (self, id, &active, error))
    return FALSE;
  if (was_active != NULL)
    *was_active = active;
  return TRUE;
}

/**
 * va_store_delete_job:
 *
 * Deletes the job and its pipeline results, marked or not, leaving no
 * earlier version of the row readable on the backend's disk. Files are
 * the caller's: for a durable deletion mark the job first
 * (va_store_mark_job_deleting()).
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND if there is no such job
 */
gboolean
va_store_delete_job (VaStore *self, const char *id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  return VA_STORE_GET_CLASS (self)->delete_job (self, id, error);
}

/**
 * va_store_list_deleting_jobs:
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the ids of
 *   the jobs marked for deletion whose rows are still there, oldest mark
 *   first
 */
GPtrArray *
va_store_list_deleting_jobs (VaStore *self, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  return VA_STORE_GET_CLASS (self)->list_job_ids (self, VA_STORE_JOB_IDS_DELETING, NULL, error);
}

/**
 * va_store_dup_job_ids:
 *
 * Returns: (transfer full) (nullable): a set of the ids of all rows,
 *   marked ones included
 */
GHashTable *
va_store_dup_job_ids (VaStore *self, GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;
  GHashTable *set;

  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  ids = VA_STORE_GET_CLASS (self)->list_job_ids (self, VA_STORE_JOB_IDS_ALL, NULL, error);
  if (ids == NULL)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (set, g_steal_pointer (&ids->pdata[i]));
  return set;
}

/**
 * va_store_list_user_job_ids:
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the ids of
 *   every job of @user_id, marked ones included, oldest first
 */
GPtrArray *
va_store_list_user_job_ids (VaStore *self, const char *user_id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  return VA_STORE_GET_CLASS (self)->list_job_ids (self, VA_STORE_JOB_IDS_OF_USER, user_id, error);
}

/**
 * va_store_recover_running:
 * @self: a store
 * @max_retries: jobs re-queued this many times already are failed instead
 * @n_requeued: (out) (optional): jobs put back in the queue
 * @n_failed: (out) (optional): jobs given up on
 * @error: return location for a %VA_ERROR
 *
 * Called once at start, before the queue runs: a job still `running`
 * was interrupted by a crash or a kill. It goes back to `pending` with
 * its retry count raised and the reason in `error_message`, or, past
 * @max_retries, to `failed` with the reason — never silently lost. One
 * transaction.
 */
gboolean
va_store_recover_running (VaStore *self, guint max_retries, guint *n_requeued, guint *n_failed,
                          GError **error)
{
  guint requeued = 0, failed = 0;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);

  if (!VA_STORE_GET_CLASS (self)->recover_running (self, max_retries, &requeued, &failed, error))
    return FALSE;
  if (n_requeued != NULL)
    *n_requeued = requeued;
  if (n_failed != NULL)
    *n_failed = failed;
  return TRUE;
}

/* ---- pipeline results -------------------------------------------------- */

/**
 * va_store_upsert_result:
 *
 * Inserts or replaces the result of one pipeline of one job.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND if the job does not exist
 */
gboolean
va_store_upsert_result (VaStore *self, VaJobResult *result, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (VA_IS_JOB_RESULT (result), FALSE);

  if (!va_store_check_relative_path ("output_file", va_job_result_get_output_file (result), error))
    return FALSE;
  return VA_STORE_GET_CLASS (self)->upsert_result (self, result, error);
}

/**
 * va_store_list_results:
 *
 * Returns: (transfer container) (element-type VaJobResult): the job's
 *   results in the order they were first recorded, or %NULL with
 *   %VA_ERROR_NOT_FOUND if there is no such job
 */
GPtrArray *
va_store_list_results (VaStore *self, const char *job_id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (job_id != NULL, NULL);
  return VA_STORE_GET_CLASS (self)->list_results (self, job_id, error);
}

/* ---- audit ------------------------------------------------------------ */

/**
 * va_store_append_audit:
 * @self: a store
 * @entry: the entry; its id is set on success
 * @error: return location for a %VA_ERROR
 *
 * The trail is append-only: there is no API to edit or delete entries.
 * Ids grow with every entry.
 */
gboolean
va_store_append_audit (VaStore *self, VaAuditEntry *entry, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (VA_IS_AUDIT_ENTRY (entry), FALSE);

  if (*va_audit_entry_get_action (entry) == '\0') {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("An audit entry needs an action"));
    return FALSE;
  }
  return VA_STORE_GET_CLASS (self)->append_audit (self, entry, error);
}

/**
 * va_store_list_audit:
 * @self: a store
 * @query: (nullable): filters; %NULL for the newest 100 entries
 * @error: return location for a %VA_ERROR
 *
 * Returns: (transfer container) (element-type VaAuditEntry): newest first
 *   (time, then id)
 */
GPtrArray *
va_store_list_audit (VaStore *self, const VaAuditQuery *query, GError **error)
{
  VaAuditQuery bounded = { 0 };

  g_return_val_if_fail (VA_IS_STORE (self), NULL);

  if (query != NULL)
    bounded = *query;
  bounded.limit = bounded.limit == 0 ? 100 : MIN (bounded.limit, VA_STORE_MAX_PER_PAGE);
  return VA_STORE_GET_CLASS (self)->list_audit (self, &bounded, error);
}

/* ---- key usage batching ------------------------------------------------ */

static gboolean
va_store_flush_key_usage_locked (VaStore *self, GError **error)
{
  VaStorePrivate *priv = va_store_get_instance_private (self);

  if (g_hash_table_size (priv->pending_usage) == 0)
    return TRUE;
  /* kept on failure: the next flush tries again */
  if (!VA_STORE_GET_CLASS (self)->add_key_usage (self, priv->pending_usage, error))
    return FALSE;
  g_hash_table_remove_all (priv->pending_usage);
  priv->pending_uses = 0;
  return TRUE;
}

static gboolean
va_store_flush_timeout_cb (gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!va_store_flush_key_usage (VA_STORE (user_data), &error))
    g_warning ("Cannot write API key usage: %s", error->message);
  return G_SOURCE_CONTINUE;
}

/**
 * va_store_record_key_use:
 * @self: a store
 * @key_id: the id of the API key that authenticated a request
 * @when: (nullable): when; %NULL for now
 *
 * Counts one request. Uses are kept in memory and written in one
 * transaction every %VA_STORE_KEY_USAGE_FLUSH_SECONDS seconds (on the
 * thread-default main context the store was created on), after
 * %VA_STORE_KEY_USAGE_FLUSH_THRESHOLD uses, on
 * va_store_flush_key_usage(), before a backup and when the store is
 * disposed — not a commit per request.
 */
void
va_store_record_key_use (VaStore *self, const char *key_id, GDateTime *when)
{
  VaStorePrivate *priv;
  g_autoptr (GMutexLocker) locker = NULL;
  VaStoreKeyUse *use;
  gint64 usec;

  g_return_if_fail (VA_IS_STORE (self));
  g_return_if_fail (key_id != NULL);

  priv = va_store_get_instance_private (self);
  usec = when != NULL ? va_store_usec_from_datetime (when) : va_store_now_usec ();
  locker = g_mutex_locker_new (&priv->usage_lock);
  use = g_hash_table_lookup (priv->pending_usage, key_id);
  if (use == NULL) {
    use = g_new0 (VaStoreKeyUse, 1);
    g_hash_table_insert (priv->pending_usage, g_strdup (key_id), use);
  }
  use->last_used = MAX (use->last_used, usec);
  use->count++;
  if (++priv->pending_uses >= VA_STORE_KEY_USAGE_FLUSH_THRESHOLD) {
    g_autoptr (GError) error = NULL;
    if (!va_store_flush_key_usage_locked (self, &error))
      g_warning ("Cannot write API key usage: %s", error->message);
  }
}

/**
 * va_store_flush_key_usage:
 *
 * Writes the pending key uses now.
 */
gboolean
va_store_flush_key_usage (VaStore *self, GError **error)
{
  VaStorePrivate *priv;
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  priv = va_store_get_instance_private (self);
  locker = g_mutex_locker_new (&priv->usage_lock);
  return va_store_flush_key_usage_locked (self, error);
}

/**
 * va_store_get_key_usage:
 * @self: a store
 * @key_id: an API key id
 * @last_used: (out) (optional) (transfer full) (nullable): last request, or
 *   %NULL if the key was never used
 * @request_count: (out) (optional): number of requests
 * @error: return location for a %VA_ERROR
 *
 * Includes uses not yet flushed.
 */
gboolean
va_store_get_key_usage (VaStore *self, const char *key_id, GDateTime **last_used,
                        guint64 *request_count, GError **error)
{
  VaStorePrivate *priv;
  g_autoptr (GMutexLocker) locker = NULL;
  VaStoreKeyUse total = { 0, 0 };
  VaStoreKeyUse *pending;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  priv = va_store_get_instance_private (self);
  locker = g_mutex_locker_new (&priv->usage_lock);
  if (!VA_STORE_GET_CLASS (self)->get_key_usage (self, key_id, &total, error))
    return FALSE;
  pending = g_hash_table_lookup (priv->pending_usage, key_id);
  if (pending != NULL) {
    total.last_used = MAX (total.last_used, pending->last_used);
    total.count += pending->count;
  }
  if (last_used != NULL)
    *last_used = total.count > 0 ? va_store_datetime_from_usec (total.last_used) : NULL;
  if (request_count != NULL)
    *request_count = total.count;
  return TRUE;
}

/* ---- maintenance ------------------------------------------------------ */

/**
 * va_store_get_stats:
 * @self: a store
 * @stats: (out caller-allocates): filled on success
 * @error: return location for a %VA_ERROR
 *
 * Jobs marked for deletion are not counted.
 */
gboolean
va_store_get_stats (VaStore *self, VaStoreStats *stats, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  memset (stats, 0, sizeof (*stats));
  return VA_STORE_GET_CLASS (self)->get_stats (self, stats, error);
}

/**
 * va_store_backup:
 * @self: a store
 * @destination: file to write (replaced atomically if it exists)
 * @error: return location for a %VA_ERROR
 *
 * Writes a consistent snapshot of the whole store, taken at one instant
 * while writers carry on, as an SQLite database file (the format backup
 * archives hold, whatever the live backend), checked and renamed into
 * place with mode 0600. Pending key usage is flushed first.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_SUPPORTED if the backend cannot
 *   write such a snapshot (a shared server database is backed up with its
 *   own tools)
 */
gboolean
va_store_backup (VaStore *self, const char *destination, GError **error)
{
  VaStoreClass *klass;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);

  klass = VA_STORE_GET_CLASS (self);
  if (klass->backup == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_SUPPORTED,
                 "The %s store cannot be copied into a backup archive; back it up with the "
                 "database's own tools",
                 klass->backend_name);
    return FALSE;
  }
  if (!va_store_flush_key_usage (self, error))
    return FALSE;
  return klass->backup (self, destination, error);
}

/* ---- GObject ------------------------------------------------------------ */

static void
va_store_constructed (GObject *object)
{
  VaStore *self = VA_STORE (object);
  VaStorePrivate *priv = va_store_get_instance_private (self);
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  G_OBJECT_CLASS (va_store_parent_class)->constructed (object);

  priv->flush_source = g_timeout_source_new_seconds (VA_STORE_KEY_USAGE_FLUSH_SECONDS);
  g_source_set_name (priv->flush_source, "[videoannotator] key usage flush");
  g_source_set_callback (priv->flush_source, va_store_flush_timeout_cb, self, NULL);
  g_source_attach (priv->flush_source, context);
}

/* Runs after the backend's own dispose and before its finalize, so its
 * connection is still open for the last flush. */
static void
va_store_dispose (GObject *object)
{
  VaStore *self = VA_STORE (object);
  VaStorePrivate *priv = va_store_get_instance_private (self);

  if (priv->flush_source != NULL) {
    g_autoptr (GError) error = NULL;

    g_source_destroy (priv->flush_source);
    g_clear_pointer (&priv->flush_source, g_source_unref);
    if (!va_store_flush_key_usage (self, &error))
      g_warning ("Cannot write API key usage: %s", error->message);
  }
  G_OBJECT_CLASS (va_store_parent_class)->dispose (object);
}

static void
va_store_finalize (GObject *object)
{
  VaStorePrivate *priv = va_store_get_instance_private (VA_STORE (object));

  g_hash_table_unref (priv->pending_usage);
  g_mutex_clear (&priv->usage_lock);
  G_OBJECT_CLASS (va_store_parent_class)->finalize (object);
}

static void
va_store_class_init (VaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = va_store_constructed;
  object_class->dispose = va_store_dispose;
  object_class->finalize = va_store_finalize;
}

static void
va_store_init (VaStore *self)
{
  VaStorePrivate *priv = va_store_get_instance_private (self);

  g_mutex_init (&priv->usage_lock);
  priv->pending_usage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}
