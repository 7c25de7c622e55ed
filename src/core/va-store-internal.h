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

const char *va_store_column_text (sqlite3_stmt *stmt, int index);
GDateTime *va_store_column_datetime (sqlite3_stmt *stmt, int index);
VaJob *va_store_job_from_stmt (sqlite3_stmt *stmt, GError **error);

/* queue_position: 1-based FIFO rank among pending jobs, computed at read
 * time so it is never stale */
#define VA_STORE_JOB_COLUMNS                                                                       \
  "j.id, j.user_id, j.status, j.video_path, j.video_filename, j.video_size_bytes, "                \
  "j.video_duration_seconds, j.config, j.selected_pipelines, j.consent, j.created_at, "            \
  "j.started_at, j.completed_at, j.cancelled_at, j.error_message, j.progress, j.retry_count, "     \
  "j.storage_path, "                                                                               \
  "CASE WHEN j.status = 'pending' THEN (SELECT COUNT(*) FROM jobs p WHERE p.status = 'pending' "   \
  "AND (p.created_at < j.created_at OR (p.created_at = j.created_at AND p.rowid <= j.rowid))) "    \
  "ELSE 0 END, j.input_sha256, j.warnings, j.batch_id, j.batch_name, j.rerun_of "

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
