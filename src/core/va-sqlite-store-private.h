/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sqlite3.h>

#include "va-sqlite-store.h"
#include "va-store-private.h"

G_BEGIN_DECLS

/* For the SQLite backend's own files (va-sqlite-store-*.c) only: the
 * write connection and its helpers. Every call is made holding the lock
 * that va_sqlite_store_get_write_lock() returns. */

GMutex *va_sqlite_store_get_write_lock (VaSqliteStore *self);
sqlite3 *va_sqlite_store_get_db (VaSqliteStore *self);
void va_sqlite_store_set_error (VaSqliteStore *self, GError **error, const char *what);
gboolean va_sqlite_store_prepare (VaSqliteStore *self, const char *sql, sqlite3_stmt **stmt,
                                  GError **error);
gboolean va_sqlite_store_step_done (VaSqliteStore *self, sqlite3_stmt *stmt, const char *what,
                                    GError **error);
gboolean va_sqlite_store_exec (VaSqliteStore *self, const char *sql, GError **error);
gboolean va_sqlite_store_begin (VaSqliteStore *self, GError **error);
gboolean va_sqlite_store_commit (VaSqliteStore *self, GError **error);
void va_sqlite_store_rollback (VaSqliteStore *self);
void va_sqlite_store_checkpoint_locked (VaSqliteStore *self);
char *va_sqlite_store_strv_to_json (const char *const *strv);
const char *va_sqlite_store_column_text (sqlite3_stmt *stmt, int index);
GDateTime *va_sqlite_store_column_datetime (sqlite3_stmt *stmt, int index);
VaJob *va_sqlite_store_job_from_stmt (sqlite3_stmt *stmt, GError **error);

/* queue_position: 1-based FIFO rank among pending jobs, computed at read
 * time so it is never stale */
#define VA_SQLITE_JOB_COLUMNS                                                                      \
  "j.id, j.user_id, j.status, j.video_path, j.video_filename, j.video_size_bytes, "                \
  "j.video_duration_seconds, j.config, j.selected_pipelines, j.consent, j.created_at, "            \
  "j.started_at, j.completed_at, j.cancelled_at, j.error_message, j.progress, j.retry_count, "     \
  "j.storage_path, "                                                                               \
  "CASE WHEN j.status = 'pending' THEN (SELECT COUNT(*) FROM jobs p WHERE p.status = 'pending' "   \
  "AND (p.created_at < j.created_at OR (p.created_at = j.created_at AND p.rowid <= j.rowid))) "    \
  "ELSE 0 END, j.input_sha256, j.warnings, j.batch_id, j.batch_name, j.rerun_of "

/* va-sqlite-store-schema.c: before the store is shared, no lock needed */
gboolean va_sqlite_store_migrate (VaSqliteStore *self, guint target, guint *version,
                                  GError **error);

/* vfuncs implemented in the sibling files */
gboolean va_sqlite_store_mark_job_deleting (VaStore *store, const char *id, gboolean *was_active,
                                            GError **error);
GPtrArray *va_sqlite_store_list_job_ids (VaStore *store, VaStoreJobIds which, const char *user_id,
                                         GError **error);
gboolean va_sqlite_store_delete_user (VaStore *store, const char *user_id, GPtrArray *key_ids,
                                      gboolean *existed, GError **error);
gboolean va_sqlite_store_set_job_warnings (VaStore *store, const char *id,
                                           const char *const *warnings, GError **error);
GPtrArray *va_sqlite_store_list_batches (VaStore *store, const char *user_id, guint page,
                                         guint per_page, guint64 *total, GError **error);
VaBatch *va_sqlite_store_get_batch (VaStore *store, const char *batch_id, const char *user_id,
                                    GError **error);
GPtrArray *va_sqlite_store_list_batch_jobs (VaStore *store, const char *batch_id,
                                            const char *user_id, GError **error);
gboolean va_sqlite_store_requeue_job (VaStore *store, const char *id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
