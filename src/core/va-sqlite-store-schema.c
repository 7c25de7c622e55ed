/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-sqlite-store-private.h"

/* The SQLite schema: a table of versions, and one step of DDL per
 * version (fwupd's fu-history.c does the same). */

/* Each step upgrades the previous version; opening an older database
 * falls through every later step in order, all in one transaction. */
static const struct {
  guint version;
  const char *description;
  const char *sql;
} va_sqlite_store_migrations[] = {
  { 1, "users, jobs and pipeline results",
    "PRAGMA application_id = 1447120462;"
    "CREATE TABLE schema_version ("
    "  version INTEGER PRIMARY KEY NOT NULL,"
    "  applied_at INTEGER NOT NULL,"
    "  description TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  username TEXT NOT NULL,"
    "  email TEXT,"
    "  is_admin INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE jobs ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  user_id TEXT REFERENCES users (id) ON DELETE SET NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN "
    "    ('pending', 'running', 'completed', 'failed', 'cancelled')),"
    "  video_path TEXT,"
    "  video_filename TEXT,"
    "  video_size_bytes INTEGER,"
    "  video_duration_seconds REAL,"
    "  config TEXT NOT NULL DEFAULT '{}',"
    "  selected_pipelines TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  started_at INTEGER,"
    "  completed_at INTEGER,"
    "  cancelled_at INTEGER,"
    "  error_message TEXT,"
    "  retry_count INTEGER NOT NULL DEFAULT 0,"
    "  storage_path TEXT);"
    "CREATE INDEX jobs_status_created ON jobs (status, created_at);"
    "CREATE TABLE pipeline_results ("
    "  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
    "  pipeline_name TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  start_time INTEGER,"
    "  end_time INTEGER,"
    "  processing_time REAL,"
    "  annotation_count INTEGER NOT NULL DEFAULT 0,"
    "  output_file TEXT,"
    "  error_message TEXT,"
    "  PRIMARY KEY (job_id, pipeline_name));" },
  { 2, "job consent and progress, API key usage, audit trail",
    "ALTER TABLE jobs ADD COLUMN consent TEXT;"
    "ALTER TABLE jobs ADD COLUMN progress REAL NOT NULL DEFAULT 0;"
    "CREATE INDEX jobs_user_created ON jobs (user_id, created_at);"
    "CREATE TABLE api_key_usage ("
    "  key_id TEXT PRIMARY KEY NOT NULL,"
    "  last_used INTEGER NOT NULL,"
    "  request_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  time INTEGER NOT NULL,"
    "  user_id TEXT,"
    "  key_prefix TEXT,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  detail TEXT,"
    "  request_id TEXT);"
    "CREATE INDEX audit_time ON audit (time);"
    "CREATE INDEX audit_user ON audit (user_id, time);"
    "CREATE INDEX audit_key_prefix ON audit (key_prefix, time);"
    "CREATE INDEX audit_action ON audit (action, time);" },
  /* a job being deleted keeps its row, marked, until its files are gone
   * (va-store-deletion.c); every read skips it */
  { 3, "durable job deletion", "ALTER TABLE jobs ADD COLUMN deleting_since INTEGER;" },
  /* the fields 1.5/1.6 clients use: the input's SHA-256, taken while the
   * upload was written, for the result files' provenance (no second read
   * of the video); warnings (a JSON array); the batch a job was submitted
   * in; the job a rerun repeats */
  { 4, "input digest, warnings, batches, reruns",
    "ALTER TABLE jobs ADD COLUMN input_sha256 TEXT;"
    "ALTER TABLE jobs ADD COLUMN warnings TEXT;"
    "ALTER TABLE jobs ADD COLUMN batch_id TEXT;"
    "ALTER TABLE jobs ADD COLUMN batch_name TEXT;"
    "ALTER TABLE jobs ADD COLUMN rerun_of TEXT;"
    "CREATE INDEX jobs_batch ON jobs (batch_id, created_at) WHERE batch_id IS NOT NULL;" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (va_sqlite_store_migrations) == VA_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT (VA_SQLITE_STORE_APPLICATION_ID == 1447120462);

static gboolean
va_sqlite_store_query_int (VaSqliteStore *self, const char *sql, gint64 *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  if (!va_sqlite_store_prepare (self, sql, &stmt, error))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW) {
    *value = sqlite3_column_int64 (stmt, 0);
    return TRUE;
  }
  if (rc == SQLITE_DONE) {
    *value = 0;
    return TRUE;
  }
  va_sqlite_store_set_error (self, error, "Failed to query the database");
  return FALSE;
}

static gboolean
va_sqlite_store_read_version (VaSqliteStore *self, guint *version, GError **error)
{
  gint64 n_tables = 0;
  gint64 has_version_table = 0;
  gint64 application_id = 0;
  gint64 value = 0;

  if (!va_sqlite_store_query_int (self,
                                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'",
                                  &n_tables, error))
    return FALSE;
  if (!va_sqlite_store_query_int (self,
                                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'schema_version'",
                                  &has_version_table, error))
    return FALSE;
  if (!va_sqlite_store_query_int (self, "PRAGMA application_id", &application_id, error))
    return FALSE;

  if (n_tables == 0) {
    *version = 0;
    return TRUE;
  }
  if (!has_version_table || application_id != VA_SQLITE_STORE_APPLICATION_ID) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "%s is not a VideoAnnotator database (it may come from the Python "
                 "VideoAnnotator 1.x, which cannot be opened in place); move it away or "
                 "choose another data directory",
                 va_sqlite_store_get_filename (self));
    return FALSE;
  }
  if (!va_sqlite_store_query_int (self, "SELECT MAX(version) FROM schema_version", &value, error))
    return FALSE;
  *version = (guint)value;
  return TRUE;
}

static gboolean
va_sqlite_store_check_not_newer (VaSqliteStore *self, guint current, GError **error)
{
  if (current <= VA_STORE_SCHEMA_VERSION)
    return TRUE;
  g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
               "%s has database schema version %u, newer than this program supports (%u); "
               "upgrade VideoAnnotator",
               va_sqlite_store_get_filename (self), current, (guint)VA_STORE_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
va_sqlite_store_apply (VaSqliteStore *self, guint v, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;

  g_debug ("migrating %s to schema version %u", va_sqlite_store_get_filename (self),
           va_sqlite_store_migrations[v].version);
  if (!va_sqlite_store_exec (self, va_sqlite_store_migrations[v].sql, &local_error)
      || !va_sqlite_store_prepare (self,
                                   "INSERT INTO schema_version (version, applied_at, description) "
                                   "VALUES (?1, ?2, ?3)",
                                   &stmt, &local_error)) {
    g_propagate_prefixed_error (
        error, g_steal_pointer (&local_error),
        "Cannot migrate to schema version %u: ", va_sqlite_store_migrations[v].version);
    return FALSE;
  }
  sqlite3_bind_int (stmt, 1, (int)va_sqlite_store_migrations[v].version);
  sqlite3_bind_int64 (stmt, 2, va_store_now_usec ());
  sqlite3_bind_text (stmt, 3, va_sqlite_store_migrations[v].description, -1, SQLITE_STATIC);
  return va_sqlite_store_step_done (self, stmt, "Cannot record the schema version", error);
}

/**
 * va_sqlite_store_migrate:
 * @target: the version to reach
 * @version: (out): the version the file has now
 *
 * Brings the file to @target. The version that decides which steps run
 * is read inside the write transaction that runs them (BEGIN IMMEDIATE):
 * two processes creating one new file at once would otherwise both see
 * version 0, and the second would fail running the first step again.
 */
gboolean
va_sqlite_store_migrate (VaSqliteStore *self, guint target, guint *version, GError **error)
{
  guint current = 0;

  /* most opens find the schema current, and need no write lock for it */
  if (!va_sqlite_store_read_version (self, &current, error)
      || !va_sqlite_store_check_not_newer (self, current, error))
    return FALSE;
  if (current >= target) {
    *version = current;
    return TRUE;
  }

  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  if (!va_sqlite_store_read_version (self, &current, error)
      || !va_sqlite_store_check_not_newer (self, current, error))
    goto rollback;
  for (guint v = current; v < target; v++) {
    if (!va_sqlite_store_apply (self, v, error))
      goto rollback;
  }
  if (!va_sqlite_store_commit (self, error))
    goto rollback;
  *version = MAX (current, target);
  return TRUE;

rollback:
  va_sqlite_store_rollback (self);
  return FALSE;
}
