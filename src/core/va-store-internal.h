/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sqlite3.h>

#include "va-store-private.h"

G_BEGIN_DECLS

/* For the store's own sibling files (va-store-*.c) only: the write
 * connection and its helpers. Every call is made holding the lock that
 * va_store_get_write_lock() returns. */

GMutex *va_store_get_write_lock (VaStore *self);
sqlite3 *va_store_get_db (VaStore *self);
void va_store_set_error (VaStore *self, GError **error, const char *what);
gboolean va_store_prepare (VaStore *self, const char *sql, sqlite3_stmt **stmt, GError **error);
gboolean va_store_step_done (VaStore *self, sqlite3_stmt *stmt, const char *what, GError **error);
gboolean va_store_begin (VaStore *self, GError **error);
gboolean va_store_commit (VaStore *self, GError **error);
void va_store_rollback (VaStore *self);
gint64 va_store_now_usec (void);
void va_store_checkpoint_locked (VaStore *self);
char *va_store_strv_to_json (const char *const *strv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
