/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-store-internal.h"

/* The store's part of erasing a user (va-erasure.c): their jobs go one by
 * one through the durable deletion; what is left is the user's row and
 * the usage counters of their keys. */

/**
 * va_store_list_user_job_ids:
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the ids of
 *   every job of @user_id, marked ones included, oldest first
 */
GPtrArray *
va_store_list_user_job_ids (VaStore *self, const char *user_id, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail (VA_IS_STORE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  locker = g_mutex_locker_new (va_store_get_write_lock (self));
  if (!va_store_prepare (self, "SELECT id FROM jobs WHERE user_id = ?1 ORDER BY created_at", &stmt,
                         error))
    return NULL;
  sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE) {
    va_store_set_error (self, error, "Cannot list the user's jobs");
    return NULL;
  }
  return g_steal_pointer (&ids);
}

/**
 * va_store_delete_user:
 * @key_ids: (element-type utf8) (nullable): the user's keys, whose usage
 *   counters go too
 * @existed: (out) (optional): whether there was a user row
 *
 * Removes the user's row (username, e-mail) and their keys' usage, then
 * checkpoints the write-ahead log so that no earlier version of those
 * pages stays on disk (secure_delete zeroes the newest one).
 */
gboolean
va_store_delete_user (VaStore *self, const char *user_id, GPtrArray *key_ids, gboolean *existed,
                      GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (sqlite3_stmt) user = NULL;
  g_autoptr (sqlite3_stmt) usage = NULL;
  gboolean found;

  g_return_val_if_fail (VA_IS_STORE (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  locker = g_mutex_locker_new (va_store_get_write_lock (self));
  if (!va_store_prepare (self, "DELETE FROM users WHERE id = ?1", &user, error)
      || !va_store_prepare (self, "DELETE FROM api_key_usage WHERE key_id = ?1", &usage, error))
    return FALSE;
  if (!va_store_begin (self, error))
    return FALSE;
  sqlite3_bind_text (user, 1, user_id, -1, SQLITE_TRANSIENT);
  if (!va_store_step_done (self, user, "Cannot delete the user", error))
    goto rollback;
  found = sqlite3_changes (va_store_get_db (self)) > 0;
  for (guint i = 0; key_ids != NULL && i < key_ids->len; i++) {
    sqlite3_reset (usage);
    sqlite3_bind_text (usage, 1, g_ptr_array_index (key_ids, i), -1, SQLITE_TRANSIENT);
    if (!va_store_step_done (self, usage, "Cannot delete the key usage", error))
      goto rollback;
  }
  if (!va_store_commit (self, error))
    goto rollback;
  g_clear_pointer (&user, sqlite3_finalize);
  g_clear_pointer (&usage, sqlite3_finalize);
  va_store_checkpoint_locked (self);
  if (existed != NULL)
    *existed = found;
  return TRUE;

rollback:
  va_store_rollback (self);
  return FALSE;
}
