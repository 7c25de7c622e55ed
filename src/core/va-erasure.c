/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "va-erasure.h"
#include "va-error.h"

/* Right to erasure (docs/operations.md, "Erasure"): a job's or a user's
 * data removed so that none of its content is left in the data directory.
 *
 * A job goes through the engine's durable deletion (mark → stop its run →
 * files → row; secure_delete and a WAL checkpoint), then an audit record
 * `job.purge` says that an erasure happened. A user's keys go first (so
 * nothing new arrives), then each of their jobs as above, then their row
 * (username, e-mail) and their keys' usage counters, then `user.purge`.
 *
 * What stays on purpose: the audit trail and the logs keep ids (job ids,
 * the user id, key prefixes), actions and times, never content: file
 * names, consent, configuration, usernames and e-mails are not written
 * there in the first place (tests/functional/test_erasure.py greps the
 * whole data directory for them). */

typedef struct {
  VaEngine *engine; /* the task's source object holds the reference */
  VaCaller *caller;
  VaCaller *deleter; /* the caller's identity with the write scope */
  char *job_id;
  char *user_id;
  GPtrArray *job_ids;
  GPtrArray *key_ids;
  guint next;
  VaErasureReport report;
} VaErasureOp;

static void
va_erasure_op_free (VaErasureOp *op)
{
  g_clear_object (&op->caller);
  g_clear_object (&op->deleter);
  g_free (op->job_id);
  g_free (op->user_id);
  g_clear_pointer (&op->job_ids, g_ptr_array_unref);
  g_clear_pointer (&op->key_ids, g_ptr_array_unref);
  g_free (op);
}

/* Purging is an administrator's act: it reaches other users' jobs and
 * keys. The deletions it makes are the caller's, with the write scope the
 * durable deletion asks for. */
static GTask *
va_erasure_task_new (VaEngine *engine, VaCaller *caller, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data, gpointer tag, GError **error)
{
  GTask *task;
  VaErasureOp *op;

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, tag);
  g_task_set_check_cancellable (task, FALSE);
  op = g_new0 (VaErasureOp, 1);
  op->engine = engine;
  op->caller = g_object_ref (caller);
  op->deleter = va_caller_new (va_caller_get_user_id (caller), VA_SCOPE_ALL);
  va_caller_set_key_prefix (op->deleter, va_caller_get_key_prefix (caller));
  va_caller_set_request_id (op->deleter, va_caller_get_request_id (caller));
  va_caller_set_client_address (op->deleter, va_caller_get_client_address (caller));
  g_task_set_task_data (task, op, (GDestroyNotify)va_erasure_op_free);
  if (va_caller_check_scope (caller, VA_SCOPE_ADMIN, error) && va_engine_get_read_only (engine))
    g_set_error_literal (error, VA_ERROR, VA_ERROR_READ_ONLY,
                         N_ ("The server is in read-only mode: erasure is disabled"));
  return task;
}

static void
va_erasure_audit (VaErasureOp *op, const char *action, const char *target, JsonObject *detail)
{
  g_autoptr (GError) error = NULL;

  if (!va_audit_record (va_engine_get_audit (op->engine), op->caller, action, target, detail,
                        &error))
    g_warning ("Cannot record audit entry %s: %s", action, error->message);
}

/* ---- one job -------------------------------------------------------------- */

static void
va_erasure_job_audit_thread (GTask *task, gpointer source, gpointer task_data,
                             GCancellable *cancellable)
{
  VaErasureOp *op = task_data;

  va_erasure_audit (op, "job.purge", op->job_id, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
va_erasure_job_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!va_engine_delete_job_finish (VA_ENGINE (source), result, &error)) {
    g_task_return_error (task, error);
    return;
  }
  g_task_run_in_thread (task, va_erasure_job_audit_thread);
}

/**
 * va_erasure_purge_job_async:
 * @caller: needs the admin scope
 *
 * Erases one job: its rows, its upload and every output, through the
 * durable deletion (a run is stopped first; a crash on the way is
 * finished by the next start), then records `job.purge`.
 */
void
va_erasure_purge_job_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GTask *task;
  VaErasureOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (VA_IS_CALLER (caller));

  task = va_erasure_task_new (engine, caller, cancellable, callback, user_data,
                              va_erasure_purge_job_async, &error);
  if (error != NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  op = g_task_get_task_data (task);
  op->job_id = g_strdup (job_id);
  va_engine_delete_job_async (engine, op->deleter, job_id, cancellable, va_erasure_job_deleted,
                              task);
}

/**
 * va_erasure_purge_job_finish:
 *
 * Returns: %FALSE with the errors of va_engine_delete_job_finish(), or
 *   %VA_ERROR_FORBIDDEN without the admin scope
 */
gboolean
va_erasure_purge_job_finish (VaEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- one user ------------------------------------------------------------- */

static gboolean
va_erasure_check_user_id (const char *user_id, GError **error)
{
  if (user_id == NULL || *user_id == '\0' || strlen (user_id) > 256
      || !g_utf8_validate (user_id, -1, NULL)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("A user id is 1 to 256 characters of UTF-8"));
    return FALSE;
  }
  return TRUE;
}

/* keys first: the user can submit nothing more while the jobs go */
static void
va_erasure_user_begin_thread (GTask *task, gpointer source, gpointer task_data,
                              GCancellable *cancellable)
{
  VaErasureOp *op = task_data;
  GError *error = NULL;

  op->key_ids = va_token_store_remove_user_keys (va_engine_get_token_store (op->engine),
                                                 op->user_id, &error);
  if (op->key_ids == NULL) {
    g_task_return_error (task, error);
    return;
  }
  op->report.keys_removed = op->key_ids->len;
  op->job_ids = va_store_list_user_job_ids (va_engine_get_store (op->engine), op->user_id, &error);
  if (op->job_ids == NULL) {
    g_task_return_error (task, error);
    return;
  }
  g_task_return_boolean (task, TRUE);
}

static void
va_erasure_user_end_thread (GTask *task, gpointer source, gpointer task_data,
                            GCancellable *cancellable)
{
  VaErasureOp *op = task_data;
  VaStore *store = va_engine_get_store (op->engine);
  g_autoptr (GPtrArray) left = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();
  GError *error = NULL;

  if (!va_store_delete_user (store, op->user_id, op->key_ids, &op->report.user_row, &error)) {
    g_task_return_error (task, error);
    return;
  }
  left = va_store_list_user_job_ids (store, op->user_id, &error);
  if (left == NULL) {
    g_task_return_error (task, error);
    return;
  }
  if (left->len == 0 && op->report.keys_removed == 0 && op->report.jobs_deleted == 0
      && !op->report.user_row) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_NOT_FOUND,
                             "No user %s: no API key, job or user record has that id", op->user_id);
    return;
  }
  json_object_set_int_member (detail, "jobs", op->report.jobs_deleted);
  json_object_set_int_member (detail, "keys", op->report.keys_removed);
  json_object_set_boolean_member (detail, "user_record", op->report.user_row);
  if (left->len > 0)
    json_object_set_int_member (detail, "jobs_left", left->len);
  va_erasure_audit (op, "user.purge", op->user_id, detail);

  if (left->len > 0) {
    /* marked by a deletion whose files could not go (or by one still
     * under way in another request): the next start finishes them */
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_INTERNAL,
                             "User %s was erased except %u job(s) whose deletion is not "
                             "finished yet (the next start finishes it)",
                             op->user_id, left->len);
    return;
  }
  g_task_return_boolean (task, TRUE);
}

static void va_erasure_user_next (GTask *task);

static void
va_erasure_user_ended (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
va_erasure_user_job_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VaErasureOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (va_engine_delete_job_finish (VA_ENGINE (source), result, &error)) {
    op->report.jobs_deleted++;
  } else if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    /* deleted meanwhile, or marked: the final count says which */
    g_clear_error (&error);
  } else {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  va_erasure_user_next (task);
}

/* one job at a time: each deletion waits for its own run to stop */
static void
va_erasure_user_next (GTask *task)
{
  VaErasureOp *op = g_task_get_task_data (task);
  GTask *end;

  if (op->next < op->job_ids->len) {
    const char *id = g_ptr_array_index (op->job_ids, op->next++);
    va_engine_delete_job_async (op->engine, op->deleter, id, NULL, va_erasure_user_job_deleted,
                                task);
    return;
  }
  end = g_task_new (op->engine, NULL, va_erasure_user_ended, task);
  g_task_set_task_data (end, op, NULL);
  g_task_run_in_thread (end, va_erasure_user_end_thread);
  g_object_unref (end);
}

static void
va_erasure_user_begun (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  va_erasure_user_next (task);
}

/**
 * va_erasure_purge_user_async:
 * @caller: needs the admin scope
 * @user_id: the user id keys and jobs carry
 *
 * Erases everything of one user: their API keys (removed from the token
 * store, not just revoked), every job with its files (as
 * va_erasure_purge_job_async()), their user record (username, e-mail) and
 * their keys' usage, then records `user.purge` with the counts.
 */
void
va_erasure_purge_user_async (VaEngine *engine, VaCaller *caller, const char *user_id,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) begin = NULL;
  GTask *task;
  VaErasureOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (VA_IS_CALLER (caller));

  task = va_erasure_task_new (engine, caller, cancellable, callback, user_data,
                              va_erasure_purge_user_async, &error);
  if (error == NULL)
    va_erasure_check_user_id (user_id, &error);
  if (error != NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  op = g_task_get_task_data (task);
  op->user_id = g_strdup (user_id);
  begin = g_task_new (engine, NULL, va_erasure_user_begun, task);
  g_task_set_task_data (begin, op, NULL);
  g_task_run_in_thread (begin, va_erasure_user_begin_thread);
}

/**
 * va_erasure_purge_user_finish:
 * @report: (out caller-allocates) (optional): what was removed
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND when nothing had that user id,
 *   %VA_ERROR_FORBIDDEN without the admin scope, %VA_ERROR_READ_ONLY,
 *   %VA_ERROR_INVALID_ARGUMENT for an unusable id
 */
gboolean
va_erasure_purge_user_finish (VaEngine *engine, GAsyncResult *result, VaErasureReport *report,
                              GError **error)
{
  VaErasureOp *op;

  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (report != NULL && op != NULL)
    *report = op->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
