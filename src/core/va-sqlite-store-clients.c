/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-sqlite-store-private.h"

/* What the store keeps for 1.5/1.6 clients beyond the 1.4 job: warnings
 * recorded when a run ends, and batches (jobs sharing a client-chosen
 * `batch_id`). */

gboolean
va_sqlite_store_set_job_warnings (VaStore *store, const char *id, const char *const *warnings,
                                  GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *text = va_sqlite_store_strv_to_json (warnings);

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (
          self, "UPDATE jobs SET warnings = ?2 WHERE id = ?1 AND deleting_since IS NULL", &stmt,
          error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot record the job's warnings", error))
    return FALSE;
  if (sqlite3_changes (va_sqlite_store_get_db (self)) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    return FALSE;
  }
  return TRUE;
}
