/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-sqlite-store-private.h"

/* Batches (1.5 clients): jobs sharing a client-chosen `batch_id`. Nothing
 * is stored for a batch itself; these read its jobs' rows. Jobs being
 * deleted are left out, as everywhere else. */

#define VA_SQLITE_BATCH_SELECT                                                                     \
  "SELECT batch_id, MAX(batch_name), MIN(created_at), "                                            \
  "SUM(status = 'pending'), SUM(status = 'running'), SUM(status = 'completed'), "                  \
  "SUM(status = 'failed'), SUM(status = 'cancelled'), "                                            \
  "AVG(CASE WHEN status = 'completed' AND started_at IS NOT NULL "                                 \
  "THEN completed_at - started_at END) "                                                           \
  "FROM jobs WHERE batch_id IS NOT NULL AND deleting_since IS NULL "                               \
  "AND (?1 IS NULL OR user_id = ?1) "

static VaBatch *
va_sqlite_store_batch_from_stmt (sqlite3_stmt *stmt)
{
  g_autoptr (VaBatch) batch = va_batch_new (va_sqlite_store_column_text (stmt, 0));
  g_autoptr (GDateTime) created = va_sqlite_store_column_datetime (stmt, 2);

  va_batch_set_name (batch, va_sqlite_store_column_text (stmt, 1));
  va_batch_set_created_at (batch, created);
  for (guint i = 0; i < VA_JOB_N_STATUSES; i++)
    va_batch_set_count (batch, i, (guint64)sqlite3_column_int64 (stmt, 3 + i));
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    va_batch_set_mean_run_seconds (batch, sqlite3_column_double (stmt, 8) / G_USEC_PER_SEC);
  return g_steal_pointer (&batch);
}

GPtrArray *
va_sqlite_store_list_batches (VaStore *store, const char *user_id, guint page, guint per_page,
                              guint64 *total, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (sqlite3_stmt) count = NULL;
  g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (self,
                                VA_SQLITE_BATCH_SELECT "GROUP BY batch_id "
                                                       "ORDER BY MIN(created_at) DESC, batch_id "
                                                       "LIMIT ?2 OFFSET ?3",
                                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, per_page);
  sqlite3_bind_int64 (stmt, 3, (gint64)(page - 1) * per_page);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (batches, va_sqlite_store_batch_from_stmt (stmt));
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot list batches");
    return NULL;
  }
  if (total != NULL) {
    if (!va_sqlite_store_prepare (
            self,
            "SELECT COUNT(DISTINCT batch_id) FROM jobs WHERE batch_id IS NOT NULL "
            "AND deleting_since IS NULL AND (?1 IS NULL OR user_id = ?1)",
            &count, error))
      return NULL;
    sqlite3_bind_text (count, 1, user_id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (count) != SQLITE_ROW) {
      va_sqlite_store_set_error (self, error, "Cannot count batches");
      return NULL;
    }
    *total = (guint64)sqlite3_column_int64 (count, 0);
  }
  return g_steal_pointer (&batches);
}

VaBatch *
va_sqlite_store_get_batch (VaStore *store, const char *batch_id, const char *user_id,
                           GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (self, VA_SQLITE_BATCH_SELECT "AND batch_id = ?2 GROUP BY batch_id",
                                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, batch_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return va_sqlite_store_batch_from_stmt (stmt);
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot read the batch");
    return NULL;
  }
  return va_batch_new (batch_id);
}

GPtrArray *
va_sqlite_store_list_batch_jobs (VaStore *store, const char *batch_id, const char *user_id,
                                 GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (self,
                                "SELECT " VA_SQLITE_JOB_COLUMNS "FROM jobs j WHERE j.batch_id = ?1 "
                                "AND (?2 IS NULL OR j.user_id = ?2) AND j.deleting_since IS NULL "
                                "ORDER BY j.created_at, j.rowid",
                                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, batch_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, user_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    VaJob *job = va_sqlite_store_job_from_stmt (stmt, error);
    if (job == NULL)
      return NULL;
    g_ptr_array_add (jobs, job);
  }
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot list the batch's jobs");
    return NULL;
  }
  return g_steal_pointer (&jobs);
}

gboolean
va_sqlite_store_requeue_job (VaStore *store, const char *id, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) update = NULL;
  g_autoptr (sqlite3_stmt) results = NULL;
  g_autoptr (sqlite3_stmt) exists = NULL;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  if (!va_sqlite_store_prepare (self,
                                "UPDATE jobs SET status = 'pending', started_at = NULL, "
                                "completed_at = NULL, cancelled_at = NULL, error_message = NULL, "
                                "progress = 0, warnings = NULL, retry_count = 0 "
                                "WHERE id = ?1 AND status IN ('failed', 'cancelled') "
                                "AND deleting_since IS NULL",
                                &update, error))
    goto fail;
  sqlite3_bind_text (update, 1, id, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, update, "Cannot put the job back in the queue", error))
    goto fail;
  if (sqlite3_changes (va_sqlite_store_get_db (self)) == 0) {
    if (va_sqlite_store_prepare (
            self, "SELECT 1 FROM jobs WHERE id = ?1 AND deleting_since IS NULL", &exists, NULL)) {
      sqlite3_bind_text (exists, 1, id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (exists) == SQLITE_ROW)
        g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT, "Job %s is not failed or cancelled", id);
      else
        g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    } else {
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    }
    goto fail;
  }
  if (!va_sqlite_store_prepare (self, "DELETE FROM pipeline_results WHERE job_id = ?1", &results,
                                error))
    goto fail;
  sqlite3_bind_text (results, 1, id, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, results, "Cannot clear the job's results", error))
    goto fail;
  return va_sqlite_store_commit (self, error);

fail:
  va_sqlite_store_rollback (self);
  return FALSE;
}
