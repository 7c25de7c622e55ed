/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-sqlite-store-private.h"

/* Durable deletion (docs/engine.md): a job is first marked
 * (`deleting_since`), which hides it from every read and cancels it, so
 * it can no longer start; then its files go; then its row
 * (va_store_delete_job()). A crash anywhere in between leaves a marked
 * row, which the start-up recovery (va-recovery.c) finishes. */

gboolean
va_sqlite_store_mark_job_deleting (VaStore *store, const char *id, gboolean *was_active,
                                   GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) cancel = NULL;
  g_autoptr (sqlite3_stmt) mark = NULL;
  gint64 now = va_store_now_usec ();
  gboolean active;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (self,
                                "UPDATE jobs SET status = 'cancelled', cancelled_at = ?2, "
                                "completed_at = ?2, error_message = 'Job deleted' WHERE id = ?1 "
                                "AND status IN ('pending', 'running') AND deleting_since IS NULL",
                                &cancel, error)
      || !va_sqlite_store_prepare (self,
                                   "UPDATE jobs SET deleting_since = ?2 "
                                   "WHERE id = ?1 AND deleting_since IS NULL",
                                   &mark, error))
    return FALSE;
  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  /* cancelled first, so that a running pipeline's completion cannot
   * write a final state for a job that is going away */
  sqlite3_bind_text (cancel, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (cancel, 2, now);
  if (!va_sqlite_store_step_done (self, cancel, "Cannot cancel the job", error))
    goto rollback;
  active = sqlite3_changes (va_sqlite_store_get_db (self)) > 0;
  sqlite3_bind_text (mark, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (mark, 2, now);
  if (!va_sqlite_store_step_done (self, mark, "Cannot mark the job for deletion", error))
    goto rollback;
  if (sqlite3_changes (va_sqlite_store_get_db (self)) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    goto rollback;
  }
  if (!va_sqlite_store_commit (self, error))
    goto rollback;
  *was_active = active;
  return TRUE;

rollback:
  va_sqlite_store_rollback (self);
  return FALSE;
}

static const char *const va_sqlite_store_job_ids_sql[] = {
  [VA_STORE_JOB_IDS_ALL] = "SELECT id FROM jobs",
  [VA_STORE_JOB_IDS_DELETING]
  = "SELECT id FROM jobs WHERE deleting_since IS NOT NULL ORDER BY deleting_since",
  [VA_STORE_JOB_IDS_OF_USER] = "SELECT id FROM jobs WHERE user_id = ?1 ORDER BY created_at",
};

GPtrArray *
va_sqlite_store_list_job_ids (VaStore *store, VaStoreJobIds which, const char *user_id,
                              GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail ((guint)which < G_N_ELEMENTS (va_sqlite_store_job_ids_sql), NULL);

  if (!va_sqlite_store_prepare (self, va_sqlite_store_job_ids_sql[which], &stmt, error))
    return NULL;
  if (which == VA_STORE_JOB_IDS_OF_USER)
    sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot list jobs");
    return NULL;
  }
  return g_steal_pointer (&ids);
}

/* Copies every page of the write-ahead log into the main file and
 * truncates the log to zero bytes, so that the versions of the pages from
 * before a deletion are gone from the disk files (secure_delete zeroes
 * the row only in the newest version). A reader in the middle of a
 * transaction makes it wait (busy timeout) or, past that, leaves the log
 * for the next checkpoint. */
void
va_sqlite_store_checkpoint_locked (VaSqliteStore *self)
{
  int rc = sqlite3_wal_checkpoint_v2 (va_sqlite_store_get_db (self), NULL,
                                      SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

  if (rc != SQLITE_OK)
    g_warning ("Cannot checkpoint the database's write-ahead log after a deletion: %s",
               sqlite3_errstr (rc));
}
