/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-sqlite-store-private.h"

/* The store's part of erasing a user (va-erasure.c): their jobs go one by
 * one through the durable deletion; what is left is the user's row and
 * the usage counters of their keys. */

/* Removes the user's row (username, e-mail) and their keys' usage, then
 * checkpoints the write-ahead log so that no earlier version of those
 * pages stays on disk (secure_delete zeroes the newest one). */
gboolean
va_sqlite_store_delete_user (VaStore *store, const char *user_id, GPtrArray *key_ids,
                             gboolean *existed, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) user = NULL;
  g_autoptr (sqlite3_stmt) usage = NULL;
  gboolean found;

  locker = g_mutex_locker_new (va_sqlite_store_get_write_lock (self));
  if (!va_sqlite_store_prepare (self, "DELETE FROM users WHERE id = ?1", &user, error)
      || !va_sqlite_store_prepare (self, "DELETE FROM api_key_usage WHERE key_id = ?1", &usage,
                                   error))
    return FALSE;
  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  sqlite3_bind_text (user, 1, user_id, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, user, "Cannot delete the user", error))
    goto rollback;
  found = sqlite3_changes (va_sqlite_store_get_db (self)) > 0;
  for (guint i = 0; key_ids != NULL && i < key_ids->len; i++) {
    sqlite3_reset (usage);
    sqlite3_bind_text (usage, 1, g_ptr_array_index (key_ids, i), -1, SQLITE_TRANSIENT);
    if (!va_sqlite_store_step_done (self, usage, "Cannot delete the key usage", error))
      goto rollback;
  }
  if (!va_sqlite_store_commit (self, error))
    goto rollback;
  g_clear_pointer (&user, sqlite3_finalize);
  g_clear_pointer (&usage, sqlite3_finalize);
  va_sqlite_store_checkpoint_locked (self);
  if (existed != NULL)
    *existed = found;
  return TRUE;

rollback:
  va_sqlite_store_rollback (self);
  return FALSE;
}
