/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-error.h"
#include "va-sqlite-store-private.h"

/**
 * VaSqliteStore:
 *
 * The SQLite backend of #VaStore: one file in WAL mode. Every value
 * reaches SQL through a bound parameter; the only SQL text executed
 * directly is constant DDL (the schema is in va-sqlite-store-schema.c).
 *
 * All methods are thread-safe, so an engine can call them from worker
 * threads. Two connections: one for writes and most reads, serialized by
 * @lock, and one that only reads jobs and results, serialized by
 * @read_lock. In WAL mode a reader never waits for a writer, so a job read
 * (the most frequent query) is never held up by a job queue update or by
 * the CLI writing to the same file, and is cheap enough for a main loop.
 *
 * Every statement the store runs more than once is prepared once per
 * connection (SQLITE_PREPARE_PERSISTENT) and kept: parsing the SQL cost
 * more than running it. A statement is taken with va_sqlite_store_stmt() under
 * its connection's lock and given back (reset, bindings cleared) by its
 * g_autoptr cleanup, which must run before the lock is released: declare
 * the statement after the #GMutexLocker. sqlite re-prepares a kept
 * statement by itself when the schema changes (another process migrating
 * the file).
 */

/* The statements kept per connection; va_sqlite_store_sql holds their text. */
typedef enum {
  VA_STMT_UPSERT_USER,
  VA_STMT_INSERT_JOB,
  VA_STMT_GET_JOB,
  VA_STMT_LIST_JOBS,
  VA_STMT_COUNT_JOBS,
  VA_STMT_JOB_STATUS,
  VA_STMT_SET_RUNNING,
  VA_STMT_SET_COMPLETED,
  VA_STMT_SET_FAILED,
  VA_STMT_SET_CANCELLED,
  VA_STMT_SET_PENDING,
  VA_STMT_SET_PROGRESS,
  VA_STMT_SET_DURATION,
  VA_STMT_DELETE_JOB,
  VA_STMT_UPSERT_RESULT,
  VA_STMT_JOB_EXISTS,
  VA_STMT_LIST_RESULTS,
  VA_STMT_APPEND_AUDIT,
  VA_STMT_LIST_AUDIT,
  VA_STMT_RECORD_KEY_USE,
  VA_STMT_GET_KEY_USAGE,
  VA_STMT_COUNT_BY_STATUS,
  VA_STMT_SUM_ANNOTATIONS,
  VA_STMT_PAGE_COUNT,
  VA_STMT_PAGE_SIZE,
  VA_STMT_RECOVER_FAIL,
  VA_STMT_RECOVER_REQUEUE,
  VA_STMT_BEGIN,
  VA_STMT_COMMIT,
  VA_STMT_ROLLBACK,
  VA_N_STMTS
} VaSqliteStmtId;

struct _VaSqliteStore {
  VaStore parent_instance;

  char *filename;
  sqlite3 *db;
  guint schema_version;
  GMutex lock;
  /* kept statements, each on its connection (VA_SQLITE_ON_READER) */
  sqlite3_stmt *stmts[VA_N_STMTS];

  /* read-only connection for job and result reads (see above) */
  sqlite3 *reader;
  GMutex read_lock;
};

static void va_sqlite_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaSqliteStore, va_sqlite_store, VA_TYPE_STORE,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      va_sqlite_store_initable_init))

/* A kept statement on loan: its cleanup resets it instead of finalizing. */
typedef sqlite3_stmt VaSqliteStmt;

static void
va_sqlite_store_stmt_release (VaSqliteStmt *stmt)
{
  /* reset also ends the statement's read transaction, which would
   * otherwise hold back WAL checkpoints; clearing drops bound copies and
   * makes parameters left unbound next time NULL again */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaSqliteStmt, va_sqlite_store_stmt_release)

enum { PROP_0, PROP_FILENAME, N_PROPS };

static GParamSpec *properties[N_PROPS];

/* Which statements read through the reader connection. */
#define VA_SQLITE_ON_READER(id)                                                                    \
  ((id) == VA_STMT_GET_JOB || (id) == VA_STMT_LIST_JOBS || (id) == VA_STMT_COUNT_JOBS              \
   || (id) == VA_STMT_JOB_EXISTS || (id) == VA_STMT_LIST_RESULTS)

static const char *const va_sqlite_store_sql[VA_N_STMTS] = {
  [VA_STMT_UPSERT_USER] = "INSERT INTO users (id, username, email, is_admin, created_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET "
                          "username = excluded.username, email = excluded.email, "
                          "is_admin = excluded.is_admin",
  [VA_STMT_INSERT_JOB]
  = "INSERT INTO jobs (id, user_id, status, video_path, video_filename, video_size_bytes, "
    "video_duration_seconds, config, selected_pipelines, consent, created_at, started_at, "
    "completed_at, cancelled_at, error_message, progress, retry_count, storage_path, "
    "input_sha256, warnings, batch_id, batch_name, rerun_of) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "?18, ?19, ?20, ?21, ?22, ?23)",
  [VA_STMT_GET_JOB]
  = "SELECT " VA_SQLITE_JOB_COLUMNS "FROM jobs j WHERE j.id = ?1 AND j.deleting_since IS NULL",
  [VA_STMT_LIST_JOBS] = "SELECT " VA_SQLITE_JOB_COLUMNS "FROM jobs j "
                        "WHERE (?1 IS NULL OR instr(?1, ',' || j.status || ',') > 0) "
                        "AND (?2 IS NULL OR j.user_id = ?2) AND j.deleting_since IS NULL "
                        "AND (?5 IS NULL OR j.batch_id = ?5) AND (?6 = 0 OR j.batch_id IS NULL) "
                        "ORDER BY j.created_at, j.rowid LIMIT ?3 OFFSET ?4",
  [VA_STMT_COUNT_JOBS] = "SELECT COUNT(*) FROM jobs j "
                         "WHERE (?1 IS NULL OR instr(?1, ',' || j.status || ',') > 0) "
                         "AND (?2 IS NULL OR j.user_id = ?2) AND j.deleting_since IS NULL "
                         "AND (?5 IS NULL OR j.batch_id = ?5) AND (?6 = 0 OR j.batch_id IS NULL)",
  [VA_STMT_JOB_STATUS] = "SELECT status FROM jobs WHERE id = ?1 AND deleting_since IS NULL",
  [VA_STMT_SET_RUNNING] = "UPDATE jobs SET status = 'running', started_at = ?2, progress = 0 "
                          "WHERE id = ?1 AND status = 'pending'",
  [VA_STMT_SET_COMPLETED]
  = "UPDATE jobs SET status = 'completed', completed_at = ?2, error_message = ?3, "
    "progress = 100 WHERE id = ?1 AND status = 'running'",
  [VA_STMT_SET_FAILED] = "UPDATE jobs SET status = 'failed', completed_at = ?2, error_message = ?3 "
                         "WHERE id = ?1 AND status IN ('pending', 'running')",
  [VA_STMT_SET_CANCELLED]
  = "UPDATE jobs SET status = 'cancelled', cancelled_at = ?2, completed_at = ?2, "
    "error_message = ?3 WHERE id = ?1 AND status IN ('pending', 'running')",
  [VA_STMT_SET_PENDING] = "UPDATE jobs SET status = 'pending', started_at = NULL, progress = 0, "
                          "error_message = ?3 WHERE id = ?1 AND status = 'running'",
  [VA_STMT_SET_PROGRESS] = "UPDATE jobs SET progress = ?2 WHERE id = ?1 AND status = 'running'",
  [VA_STMT_SET_DURATION] = "UPDATE jobs SET video_duration_seconds = ?2 WHERE id = ?1",
  [VA_STMT_DELETE_JOB] = "DELETE FROM jobs WHERE id = ?1",
  [VA_STMT_UPSERT_RESULT]
  = "INSERT INTO pipeline_results (job_id, pipeline_name, status, start_time, end_time, "
    "processing_time, annotation_count, output_file, error_message) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (job_id, pipeline_name) DO UPDATE SET status = excluded.status, "
    "start_time = excluded.start_time, end_time = excluded.end_time, "
    "processing_time = excluded.processing_time, "
    "annotation_count = excluded.annotation_count, output_file = excluded.output_file, "
    "error_message = excluded.error_message",
  [VA_STMT_JOB_EXISTS] = "SELECT 1 FROM jobs WHERE id = ?1",
  [VA_STMT_LIST_RESULTS] = "SELECT pipeline_name, status, start_time, end_time, processing_time, "
                           "annotation_count, output_file, error_message FROM pipeline_results "
                           "WHERE job_id = ?1 ORDER BY rowid",
  [VA_STMT_APPEND_AUDIT] = "INSERT INTO audit (time, user_id, key_prefix, action, target, detail, "
                           "request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [VA_STMT_LIST_AUDIT] = "SELECT id, time, user_id, key_prefix, action, target, detail, request_id "
                         "FROM audit WHERE (?1 IS NULL OR key_prefix = ?1) "
                         "AND (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR action = ?3) "
                         "AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time < ?5) "
                         "ORDER BY time DESC, id DESC LIMIT ?6 OFFSET ?7",
  [VA_STMT_RECORD_KEY_USE] = "INSERT INTO api_key_usage (key_id, last_used, request_count) "
                             "VALUES (?1, ?2, ?3) ON CONFLICT (key_id) DO UPDATE SET "
                             "last_used = MAX(last_used, excluded.last_used), "
                             "request_count = request_count + excluded.request_count",
  [VA_STMT_GET_KEY_USAGE] = "SELECT last_used, request_count FROM api_key_usage WHERE key_id = ?1",
  [VA_STMT_COUNT_BY_STATUS]
  = "SELECT status, COUNT(*) FROM jobs WHERE deleting_since IS NULL GROUP BY status",
  [VA_STMT_SUM_ANNOTATIONS] = "SELECT COALESCE(SUM(annotation_count), 0) FROM pipeline_results",
  [VA_STMT_PAGE_COUNT] = "PRAGMA page_count",
  [VA_STMT_PAGE_SIZE] = "PRAGMA page_size",
  [VA_STMT_RECOVER_FAIL]
  = "UPDATE jobs SET status = 'failed', completed_at = ?1, error_message = ?2 "
    "WHERE status = 'running' AND retry_count >= ?3",
  [VA_STMT_RECOVER_REQUEUE]
  = "UPDATE jobs SET status = 'pending', started_at = NULL, progress = 0, "
    "retry_count = retry_count + 1, error_message = ?1 "
    "WHERE status = 'running'",
  /* IMMEDIATE takes the write lock up front, so two processes (server and
   * CLI) never deadlock upgrading a read transaction */
  [VA_STMT_BEGIN] = "BEGIN IMMEDIATE",
  [VA_STMT_COMMIT] = "COMMIT",
  [VA_STMT_ROLLBACK] = "ROLLBACK",
};

/* ---- helpers ---------------------------------------------------------- */

static void
va_sqlite_store_set_db_error (sqlite3 *db, GError **error, const char *what)
{
  int rc = sqlite3_extended_errcode (db);
  VaError code = VA_ERROR_INTERNAL;

  switch (rc & 0xff) {
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
      code = VA_ERROR_CONFLICT;
    else
      code = VA_ERROR_INVALID_ARGUMENT;
    break;
  case SQLITE_FULL:
    code = VA_ERROR_STORAGE_FULL;
    break;
  case SQLITE_READONLY:
    code = VA_ERROR_READ_ONLY;
    break;
  default:
    break;
  }
  g_set_error (error, VA_ERROR, code, "%s: %s", what, sqlite3_errmsg (db));
}

/* an error of the write connection */
void
va_sqlite_store_set_error (VaSqliteStore *self, GError **error, const char *what)
{
  va_sqlite_store_set_db_error (self->db, error, what);
}

/* For statements run once (opening, migrations): prepared, finalized by
 * the caller. */
gboolean
va_sqlite_store_prepare (VaSqliteStore *self, const char *sql, sqlite3_stmt **stmt, GError **error)
{
  if (sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL) != SQLITE_OK) {
    va_sqlite_store_set_error (self, error, "Failed to prepare SQL");
    return FALSE;
  }
  return TRUE;
}

/**
 * va_sqlite_store_stmt:
 * @id: which statement
 *
 * The kept statement @id of its connection, prepared on first use. The
 * caller holds that connection's lock (@read_lock for the statements
 * VA_SQLITE_ON_READER() names, @lock for the others) until the statement's
 * g_autoptr (VaSqliteStmt) cleanup has given it back.
 *
 * Returns: (transfer none) (nullable): the statement, ready to bind
 */
static VaSqliteStmt *
va_sqlite_store_stmt (VaSqliteStore *self, VaSqliteStmtId id, GError **error)
{
  sqlite3 *db = VA_SQLITE_ON_READER (id) ? self->reader : self->db;

  if (self->stmts[id] == NULL
      && sqlite3_prepare_v3 (db, va_sqlite_store_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                             &self->stmts[id], NULL)
             != SQLITE_OK) {
    va_sqlite_store_set_db_error (db, error, "Failed to prepare SQL");
    self->stmts[id] = NULL;
    return NULL;
  }
  return self->stmts[id];
}

static void
va_sqlite_store_finalize_stmts (VaSqliteStore *self)
{
  for (guint i = 0; i < VA_N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
}

/* for statements that return no rows */
gboolean
va_sqlite_store_step_done (VaSqliteStore *self, sqlite3_stmt *stmt, const char *what,
                           GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, what);
    return FALSE;
  }
  return TRUE;
}

/* constant SQL only: never pass text that contains a value */
gboolean
va_sqlite_store_exec (VaSqliteStore *self, const char *sql, GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    va_sqlite_store_set_error (self, error, "Failed to execute SQL");
    return FALSE;
  }
  return TRUE;
}

/* runs a kept statement that returns no rows */
static gboolean
va_sqlite_store_run (VaSqliteStore *self, VaSqliteStmtId id, const char *what, GError **error)
{
  g_autoptr (VaSqliteStmt) stmt = va_sqlite_store_stmt (self, id, error);

  return stmt != NULL && va_sqlite_store_step_done (self, stmt, what, error);
}

gboolean
va_sqlite_store_begin (VaSqliteStore *self, GError **error)
{
  return va_sqlite_store_run (self, VA_STMT_BEGIN, "Failed to begin a transaction", error);
}

gboolean
va_sqlite_store_commit (VaSqliteStore *self, GError **error)
{
  return va_sqlite_store_run (self, VA_STMT_COMMIT, "Failed to commit", error);
}

void
va_sqlite_store_rollback (VaSqliteStore *self)
{
  /* a failed COMMIT or a statement error may already have ended it */
  if (!sqlite3_get_autocommit (self->db))
    va_sqlite_store_run (self, VA_STMT_ROLLBACK, "Failed to roll back", NULL);
}

static void
va_sqlite_store_bind_datetime (sqlite3_stmt *stmt, int index, GDateTime *when)
{
  if (when == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, va_store_usec_from_datetime (when));
}

GDateTime *
va_sqlite_store_column_datetime (sqlite3_stmt *stmt, int index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;
  return va_store_datetime_from_usec (sqlite3_column_int64 (stmt, index));
}

const char *
va_sqlite_store_column_text (sqlite3_stmt *stmt, int index)
{
  return (const char *)sqlite3_column_text (stmt, index);
}

static char *
va_sqlite_store_json_object_to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = NULL;

  if (object == NULL)
    return NULL;
  node = json_node_init_object (json_node_alloc (), object);
  return json_to_string (node, FALSE);
}

/* Returns a new ref, or NULL with @error set when @text is not an object */
static JsonObject *
va_sqlite_store_json_object_from_string (const char *text, const char *what, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) node = NULL;

  /* the config of a job submitted without one: no parser for that (a
   * JsonParser costs ~14 k instructions, on every job read) */
  if (g_str_equal (text, "{}"))
    return json_object_new ();
  node = json_from_string (text, &local_error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Corrupt %s in the database: %s", what,
                 local_error != NULL ? local_error->message : "not a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (node));
}

static gboolean
va_sqlite_store_query_kept_int (VaSqliteStore *self, VaSqliteStmtId id, gint64 *value,
                                GError **error)
{
  g_autoptr (VaSqliteStmt) stmt = va_sqlite_store_stmt (self, id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
    *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
    return TRUE;
  }
  va_sqlite_store_set_error (self, error, "Failed to query the database");
  return FALSE;
}

static gboolean
va_sqlite_store_open (VaSqliteStore *self, guint target_version, GError **error)
{
  g_autofree char *dir = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *journal_mode = NULL;
  gint64 deadline;
  int fd, rc;

  if (self->filename == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("No database file name"));
    return FALSE;
  }
  dir = g_path_get_dirname (self->filename);
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot create %s: %s", dir,
                 g_strerror (saved));
    return FALSE;
  }
  /* create it 0600 ourselves: sqlite would use 0644, and the -wal and
   * -shm files copy the main file's mode */
  fd = g_open (self->filename, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == EROFS ? VA_ERROR_READ_ONLY : VA_ERROR_INTERNAL,
                 "Cannot open %s: %s", self->filename, g_strerror (saved));
    return FALSE;
  }
  g_close (fd, NULL);

  if (sqlite3_open_v2 (self->filename, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", self->filename,
                 self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
    g_clear_pointer (&self->db, sqlite3_close);
    return FALSE;
  }
  sqlite3_extended_result_codes (self->db, 1);
  /* the CLI and the server share the file; wait for each other's writes */
  sqlite3_busy_timeout (self->db, 5000);

  if (!va_sqlite_store_prepare (self, "PRAGMA journal_mode = WAL", &stmt, error))
    return FALSE;
  /* Switching a new file to WAL needs it to itself; another process
   * opening the same new file at once makes sqlite answer BUSY at once,
   * without its busy handler (it already holds a shared lock), so wait
   * here, as long as the busy timeout would. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (((rc = sqlite3_step (stmt)) & 0xff) == SQLITE_BUSY && g_get_monotonic_time () < deadline) {
    sqlite3_reset (stmt);
    g_usleep (10 * 1000);
  }
  if (rc != SQLITE_ROW) {
    va_sqlite_store_set_error (self, error, "Cannot enable write-ahead logging");
    return FALSE;
  }
  journal_mode = g_strdup (va_sqlite_store_column_text (stmt, 0));
  /* an unfinished statement would block the migrations' COMMIT */
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (journal_mode == NULL || g_ascii_strcasecmp (journal_mode, "wal") != 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "Cannot enable write-ahead logging on %s (journal mode stays “%s”); "
                 "is it on a network file system?",
                 self->filename, journal_mode != NULL ? journal_mode : "unknown");
    return FALSE;
  }
  /* NORMAL is crash-safe with WAL (a power cut may lose the last commits,
   * never corrupt); secure_delete zeroes deleted rows (keys, user data) */
  if (!va_sqlite_store_exec (self,
                             "PRAGMA synchronous = NORMAL;"
                             "PRAGMA secure_delete = ON;"
                             "PRAGMA foreign_keys = ON;",
                             error))
    return FALSE;

  if (!va_sqlite_store_migrate (self, target_version, &self->schema_version, error))
    return FALSE;

  /* the reader: after the migrations, so it never sees a half-built
   * schema; read-only, and serialized by read_lock, not by sqlite */
  if (sqlite3_open_v2 (self->filename, &self->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                       NULL)
      != SQLITE_OK) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s for reading: %s",
                 self->filename,
                 self->reader != NULL ? sqlite3_errmsg (self->reader) : "out of memory");
    g_clear_pointer (&self->reader, sqlite3_close);
    return FALSE;
  }
  sqlite3_extended_result_codes (self->reader, 1);
  sqlite3_busy_timeout (self->reader, 5000);
  return TRUE;
}

static gboolean
va_sqlite_store_initable_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return va_sqlite_store_open (VA_SQLITE_STORE (initable), VA_STORE_SCHEMA_VERSION, error);
}

static void
va_sqlite_store_initable_init (GInitableIface *iface)
{
  iface->init = va_sqlite_store_initable_init_impl;
}

/* ---- key usage ---------------------------------------------------------- */

static gboolean
va_sqlite_store_add_key_usage (VaStore *store, GHashTable *uses, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  GHashTableIter iter;
  gpointer key, value;

  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  g_hash_table_iter_init (&iter, uses);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_autoptr (VaSqliteStmt) stmt = va_sqlite_store_stmt (self, VA_STMT_RECORD_KEY_USE, error);
    VaStoreKeyUse *use = value;

    if (stmt == NULL) {
      va_sqlite_store_rollback (self);
      return FALSE;
    }
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, use->last_used);
    sqlite3_bind_int64 (stmt, 3, (sqlite3_int64)use->count);
    if (!va_sqlite_store_step_done (self, stmt, "Cannot record API key usage", error)) {
      va_sqlite_store_stmt_release (g_steal_pointer (&stmt));
      va_sqlite_store_rollback (self);
      return FALSE;
    }
  }
  if (!va_sqlite_store_commit (self, error)) {
    va_sqlite_store_rollback (self);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_sqlite_store_get_key_usage (VaStore *store, const char *key_id, VaStoreKeyUse *use,
                               GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (VaSqliteStmt) stmt = va_sqlite_store_stmt (self, VA_STMT_GET_KEY_USAGE, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW) {
    use->last_used = sqlite3_column_int64 (stmt, 0);
    use->count = (guint64)sqlite3_column_int64 (stmt, 1);
  } else if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot read API key usage");
    return FALSE;
  }
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------ */

static void
va_sqlite_store_finalize (GObject *object)
{
  VaSqliteStore *self = VA_SQLITE_STORE (object);

  /* sqlite3_close() refuses to close a connection with statements left */
  va_sqlite_store_finalize_stmts (self);
  g_clear_pointer (&self->reader, sqlite3_close);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->filename);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->read_lock);

  G_OBJECT_CLASS (va_sqlite_store_parent_class)->finalize (object);
}

static void
va_sqlite_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaSqliteStore *self = VA_SQLITE_STORE (object);

  switch (prop_id) {
  case PROP_FILENAME:
    g_value_set_string (value, self->filename);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_sqlite_store_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  VaSqliteStore *self = VA_SQLITE_STORE (object);

  switch (prop_id) {
  case PROP_FILENAME:
    self->filename = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_sqlite_store_init (VaSqliteStore *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->read_lock);
}

/**
 * va_sqlite_store_new:
 * @filename: the database file, created (mode 0600) if missing
 * @error: return location for a %VA_ERROR
 *
 * Opens the database in WAL mode and migrates it to
 * %VA_STORE_SCHEMA_VERSION. Callers outside the store use va_store_open().
 *
 * Returns: (transfer full) (nullable): the store
 */
VaStore *
va_sqlite_store_new (const char *filename, GError **error)
{
  g_return_val_if_fail (filename != NULL, NULL);
  return g_initable_new (VA_TYPE_SQLITE_STORE, NULL, error, "filename", filename, NULL);
}

VaStore *
va_sqlite_store_new_at_version (const char *filename, guint version, GError **error)
{
  g_autoptr (VaSqliteStore) self = NULL;

  g_return_val_if_fail (version <= VA_STORE_SCHEMA_VERSION, NULL);
  self = g_object_new (VA_TYPE_SQLITE_STORE, "filename", filename, NULL);
  if (!va_sqlite_store_open (self, version, error))
    return NULL;
  return VA_STORE (g_steal_pointer (&self));
}

const char *
va_sqlite_store_get_filename (VaSqliteStore *self)
{
  g_return_val_if_fail (VA_IS_SQLITE_STORE (self), NULL);
  return self->filename;
}

static const char *
va_sqlite_store_get_location (VaStore *store)
{
  return VA_SQLITE_STORE (store)->filename;
}

static guint
va_sqlite_store_get_schema_version (VaStore *store)
{
  return VA_SQLITE_STORE (store)->schema_version;
}

/* ---- users ------------------------------------------------------------ */

static gboolean
va_sqlite_store_upsert_user (VaStore *store, const char *id, const char *username,
                             const char *email, gboolean is_admin, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_UPSERT_USER, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, email, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, is_admin ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, va_store_now_usec ());
  return va_sqlite_store_step_done (self, stmt, "Cannot save user", error);
}

/* ---- jobs ------------------------------------------------------------- */

/* a JSON array of strings stored in a job's column @what */
static GStrv
va_sqlite_store_strv_from_json (const char *text, const char *what, VaJob *job, GError **error)
{
  g_autoptr (JsonNode) node = json_from_string (text, NULL);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    goto corrupt;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *element = json_array_get_element (array, i);
    if (JSON_NODE_TYPE (element) != JSON_NODE_VALUE
        || json_node_get_value_type (element) != G_TYPE_STRING)
      goto corrupt;
    g_strv_builder_add (names, json_node_get_string (element));
  }
  return g_strv_builder_end (names);

corrupt:
  g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Corrupt %s of job %s in the database", what,
               va_job_get_id (job));
  return NULL;
}

VaJob *
va_sqlite_store_job_from_stmt (sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (VaJob) job = va_job_new_with_id (va_sqlite_store_column_text (stmt, 0));
  VaJobStatus status = VA_JOB_STATUS_PENDING;
  const char *text;
  g_autoptr (GDateTime) created = NULL;
  g_autoptr (GDateTime) started = NULL;
  g_autoptr (GDateTime) completed = NULL;
  g_autoptr (GDateTime) cancelled = NULL;

  va_job_set_user_id (job, va_sqlite_store_column_text (stmt, 1));
  if (!va_job_status_from_string (va_sqlite_store_column_text (stmt, 2), &status)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Job %s has an unknown status in the database",
                 va_job_get_id (job));
    return NULL;
  }
  va_job_set_status (job, status);
  va_job_set_video_path (job, va_sqlite_store_column_text (stmt, 3));
  va_job_set_video_filename (job, va_sqlite_store_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    va_job_set_video_size_bytes (job, sqlite3_column_int64 (stmt, 5));
  if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
    va_job_set_video_duration_seconds (job, sqlite3_column_double (stmt, 6));

  text = va_sqlite_store_column_text (stmt, 7);
  if (text != NULL) {
    g_autoptr (JsonObject) config
        = va_sqlite_store_json_object_from_string (text, "job config", error);
    if (config == NULL)
      return NULL;
    va_job_set_config (job, config);
  }
  text = va_sqlite_store_column_text (stmt, 8);
  if (text != NULL) {
    g_auto (GStrv) strv = va_sqlite_store_strv_from_json (text, "selected_pipelines", job, error);
    if (strv == NULL)
      return NULL;
    va_job_set_selected_pipelines (job, (const char *const *)strv);
  }
  text = va_sqlite_store_column_text (stmt, 9);
  if (text != NULL) {
    g_autoptr (JsonObject) consent
        = va_sqlite_store_json_object_from_string (text, "job consent", error);
    if (consent == NULL)
      return NULL;
    va_job_set_consent (job, consent);
  }
  created = va_sqlite_store_column_datetime (stmt, 10);
  if (created != NULL)
    va_job_set_created_at (job, created);
  started = va_sqlite_store_column_datetime (stmt, 11);
  va_job_set_started_at (job, started);
  completed = va_sqlite_store_column_datetime (stmt, 12);
  va_job_set_completed_at (job, completed);
  cancelled = va_sqlite_store_column_datetime (stmt, 13);
  va_job_set_cancelled_at (job, cancelled);
  va_job_set_error_message (job, va_sqlite_store_column_text (stmt, 14));
  va_job_set_progress (job, sqlite3_column_double (stmt, 15));
  va_job_set_retry_count (job, (guint)sqlite3_column_int64 (stmt, 16));
  va_job_set_storage_path (job, va_sqlite_store_column_text (stmt, 17));
  va_job_set_queue_position (job, (guint)sqlite3_column_int64 (stmt, 18));
  va_job_set_input_sha256 (job, va_sqlite_store_column_text (stmt, 19));
  text = va_sqlite_store_column_text (stmt, 20);
  if (text != NULL) {
    g_auto (GStrv) warnings = va_sqlite_store_strv_from_json (text, "warnings", job, error);
    if (warnings == NULL)
      return NULL;
    va_job_set_warnings (job, (const char *const *)warnings);
  }
  va_job_set_batch_id (job, va_sqlite_store_column_text (stmt, 21));
  va_job_set_batch_name (job, va_sqlite_store_column_text (stmt, 22));
  va_job_set_rerun_of (job, va_sqlite_store_column_text (stmt, 23));
  return g_steal_pointer (&job);
}

char *
va_sqlite_store_strv_to_json (const char *const *strv)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (strv == NULL)
    return NULL;
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
va_sqlite_store_insert_job (VaStore *store, VaJob *job, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autofree char *config = NULL;
  g_autofree char *pipelines = NULL;
  g_autofree char *consent = NULL;
  g_autofree char *warnings = NULL;
  int rc;

  config = va_sqlite_store_json_object_to_string (va_job_get_config (job));
  pipelines = va_sqlite_store_strv_to_json (va_job_get_selected_pipelines (job));
  consent = va_sqlite_store_json_object_to_string (va_job_get_consent (job));
  warnings = va_sqlite_store_strv_to_json (va_job_get_warnings (job));

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_INSERT_JOB, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, va_job_get_id (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, va_job_get_user_id (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, va_job_status_to_string (va_job_get_status (job)), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, va_job_get_video_path (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, va_job_get_video_filename (job), -1, SQLITE_TRANSIENT);
  if (va_job_get_video_size_bytes (job) >= 0)
    sqlite3_bind_int64 (stmt, 6, va_job_get_video_size_bytes (job));
  if (va_job_get_video_duration_seconds (job) >= 0)
    sqlite3_bind_double (stmt, 7, va_job_get_video_duration_seconds (job));
  sqlite3_bind_text (stmt, 8, config, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, pipelines, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, consent, -1, SQLITE_TRANSIENT);
  va_sqlite_store_bind_datetime (stmt, 11, va_job_get_created_at (job));
  va_sqlite_store_bind_datetime (stmt, 12, va_job_get_started_at (job));
  va_sqlite_store_bind_datetime (stmt, 13, va_job_get_completed_at (job));
  va_sqlite_store_bind_datetime (stmt, 14, va_job_get_cancelled_at (job));
  sqlite3_bind_text (stmt, 15, va_job_get_error_message (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 16, va_job_get_progress (job));
  sqlite3_bind_int64 (stmt, 17, va_job_get_retry_count (job));
  sqlite3_bind_text (stmt, 18, va_job_get_storage_path (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 19, va_job_get_input_sha256 (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 20, warnings, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 21, va_job_get_batch_id (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 22, va_job_get_batch_name (job), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 23, va_job_get_rerun_of (job), -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT, "A job with id %s already exists",
                 va_job_get_id (job));
    return FALSE;
  }
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "The owner of job %s is not a known user", va_job_get_id (job));
    return FALSE;
  }
  va_sqlite_store_set_error (self, error, "Cannot save job");
  return FALSE;
}

static VaJob *
va_sqlite_store_get_job (VaStore *store, const char *id, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  int rc;

  locker = g_mutex_locker_new (&self->read_lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_GET_JOB, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return va_sqlite_store_job_from_stmt (stmt, error);
  if (rc == SQLITE_DONE) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    return NULL;
  }
  va_sqlite_store_set_db_error (self->reader, error, "Cannot read job");
  return NULL;
}

static char *
va_sqlite_store_status_filter (guint status_mask)
{
  GString *filter;

  if (status_mask == 0)
    return NULL;
  /* ",pending,running," matched with instr(): one bound value whatever the
   * number of statuses, no SQL built from input */
  filter = g_string_new (",");
  for (guint i = 0; i < VA_JOB_N_STATUSES; i++) {
    if (status_mask & VA_JOB_STATUS_MASK (i))
      g_string_append_printf (filter, "%s,", va_job_status_to_string (i));
  }
  return g_string_free (filter, FALSE);
}

static GPtrArray *
va_sqlite_store_list_jobs (VaStore *store, guint page, guint per_page, const VaJobFilter *filter,
                           guint64 *total, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autoptr (VaSqliteStmt) count = NULL;
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *statuses = NULL;
  int rc;

  statuses = va_sqlite_store_status_filter (filter->status_mask);

  locker = g_mutex_locker_new (&self->read_lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_LIST_JOBS, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, statuses, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, filter->user_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, filter->batch_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, filter->unbatched_only ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, per_page);
  sqlite3_bind_int64 (stmt, 4, (gint64)(page - 1) * per_page);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    VaJob *job = va_sqlite_store_job_from_stmt (stmt, error);
    if (job == NULL)
      return NULL;
    g_ptr_array_add (jobs, job);
  }
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_db_error (self->reader, error, "Cannot list jobs");
    return NULL;
  }

  if (total != NULL) {
    count = va_sqlite_store_stmt (self, VA_STMT_COUNT_JOBS, error);
    if (count == NULL)
      return NULL;
    sqlite3_bind_text (count, 1, statuses, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (count, 2, filter->user_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (count, 5, filter->batch_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int (count, 6, filter->unbatched_only ? 1 : 0);
    if (sqlite3_step (count) != SQLITE_ROW) {
      va_sqlite_store_set_db_error (self->reader, error, "Cannot count jobs");
      return NULL;
    }
    *total = (guint64)sqlite3_column_int64 (count, 0);
  }
  return g_steal_pointer (&jobs);
}

/* After a guarded UPDATE changed nothing: say whether the job is missing
 * or in a state the transition does not start from. */
static void
va_sqlite_store_explain_guard (VaSqliteStore *self, const char *id, const char *wanted,
                               GError **error)
{
  g_autoptr (VaSqliteStmt) stmt = va_sqlite_store_stmt (self, VA_STMT_JOB_STATUS, error);
  int rc;

  if (stmt == NULL)
    return;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
  } else if (rc == SQLITE_ROW) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT, "Job %s is %s; it cannot become %s", id,
                 va_sqlite_store_column_text (stmt, 0), wanted);
  } else {
    va_sqlite_store_set_error (self, error, "Cannot read job");
  }
}

static gboolean
va_sqlite_store_set_job_status (VaStore *store, const char *id, VaJobStatus status,
                                const char *message, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  VaSqliteStmtId id_;

  switch (status) {
  case VA_JOB_STATUS_RUNNING:
    id_ = VA_STMT_SET_RUNNING;
    break;
  case VA_JOB_STATUS_COMPLETED:
    id_ = VA_STMT_SET_COMPLETED;
    break;
  case VA_JOB_STATUS_FAILED:
    id_ = VA_STMT_SET_FAILED;
    break;
  case VA_JOB_STATUS_CANCELLED:
    id_ = VA_STMT_SET_CANCELLED;
    break;
  case VA_JOB_STATUS_PENDING:
    id_ = VA_STMT_SET_PENDING;
    break;
  default:
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("Unknown job status"));
    return FALSE;
  }

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, id_, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, va_store_now_usec ());
  if (status != VA_JOB_STATUS_RUNNING)
    sqlite3_bind_text (stmt, 3, message, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot update job", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0) {
    va_sqlite_store_explain_guard (self, id, va_job_status_to_string (status), error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_sqlite_store_set_job_progress (VaStore *store, const char *id, double progress, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_SET_PROGRESS, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 2, progress);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot update job progress", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0) {
    va_sqlite_store_explain_guard (self, id, "running", error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_sqlite_store_set_job_video_duration (VaStore *store, const char *id, double seconds,
                                        GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_SET_DURATION, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 2, seconds);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot record the video duration", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_sqlite_store_delete_job (VaStore *store, const char *id, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_DELETE_JOB, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot delete job", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", id);
    return FALSE;
  }
  /* secure_delete zeroed the row in the pages, but their earlier versions
   * are still in the write-ahead log */
  sqlite3_reset (stmt);
  va_sqlite_store_checkpoint_locked (self);
  return TRUE;
}

GMutex *
va_sqlite_store_get_write_lock (VaSqliteStore *self)
{
  return &self->lock;
}

sqlite3 *
va_sqlite_store_get_db (VaSqliteStore *self)
{
  return self->db;
}

/* ---- pipeline results -------------------------------------------------- */

static gboolean
va_sqlite_store_upsert_result (VaStore *store, VaJobResult *result, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  int rc;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_UPSERT_RESULT, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, va_job_result_get_job_id (result), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, va_job_result_get_pipeline_name (result), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, va_job_status_to_string (va_job_result_get_status (result)), -1,
                     SQLITE_STATIC);
  va_sqlite_store_bind_datetime (stmt, 4, va_job_result_get_start_time (result));
  va_sqlite_store_bind_datetime (stmt, 5, va_job_result_get_end_time (result));
  if (va_job_result_get_processing_time (result) >= 0)
    sqlite3_bind_double (stmt, 6, va_job_result_get_processing_time (result));
  sqlite3_bind_int64 (stmt, 7, va_job_result_get_annotation_count (result));
  sqlite3_bind_text (stmt, 8, va_job_result_get_output_file (result), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, va_job_result_get_error_message (result), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s",
                 va_job_result_get_job_id (result));
    return FALSE;
  }
  va_sqlite_store_set_error (self, error, "Cannot save pipeline result");
  return FALSE;
}

static GPtrArray *
va_sqlite_store_list_results (VaStore *store, const char *job_id, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) exists = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  locker = g_mutex_locker_new (&self->read_lock);
  exists = va_sqlite_store_stmt (self, VA_STMT_JOB_EXISTS, error);
  if (exists == NULL)
    return NULL;
  sqlite3_bind_text (exists, 1, job_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (exists);
  if (rc == SQLITE_DONE) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No job with id %s", job_id);
    return NULL;
  }
  if (rc != SQLITE_ROW) {
    va_sqlite_store_set_db_error (self->reader, error, "Cannot read job");
    return NULL;
  }

  stmt = va_sqlite_store_stmt (self, VA_STMT_LIST_RESULTS, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, job_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    g_autoptr (VaJobResult) result
        = va_job_result_new (job_id, va_sqlite_store_column_text (stmt, 0));
    g_autoptr (GDateTime) start = va_sqlite_store_column_datetime (stmt, 2);
    g_autoptr (GDateTime) end = va_sqlite_store_column_datetime (stmt, 3);
    VaJobStatus status;

    if (!va_job_status_from_string (va_sqlite_store_column_text (stmt, 1), &status)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                   "Result of job %s has an unknown status in the database", job_id);
      return NULL;
    }
    va_job_result_set_status (result, status);
    va_job_result_set_start_time (result, start);
    va_job_result_set_end_time (result, end);
    if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
      va_job_result_set_processing_time (result, sqlite3_column_double (stmt, 4));
    va_job_result_set_annotation_count (result, sqlite3_column_int64 (stmt, 5));
    va_job_result_set_output_file (result, va_sqlite_store_column_text (stmt, 6));
    va_job_result_set_error_message (result, va_sqlite_store_column_text (stmt, 7));
    g_ptr_array_add (results, g_steal_pointer (&result));
  }
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_db_error (self->reader, error, "Cannot list pipeline results");
    return NULL;
  }
  return g_steal_pointer (&results);
}

/* ---- audit ------------------------------------------------------------ */

static gboolean
va_sqlite_store_append_audit (VaStore *store, VaAuditEntry *entry, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autofree char *detail = NULL;

  detail = va_sqlite_store_json_object_to_string (va_audit_entry_get_detail (entry));

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_APPEND_AUDIT, error);
  if (stmt == NULL)
    return FALSE;
  va_sqlite_store_bind_datetime (stmt, 1, va_audit_entry_get_time (entry));
  sqlite3_bind_text (stmt, 2, va_audit_entry_get_user_id (entry), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, va_audit_entry_get_key_prefix (entry), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, va_audit_entry_get_action (entry), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, va_audit_entry_get_target (entry), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, detail, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, va_audit_entry_get_request_id (entry), -1, SQLITE_TRANSIENT);
  if (!va_sqlite_store_step_done (self, stmt, "Cannot append audit entry", error))
    return FALSE;
  va_audit_entry_set_id (entry, sqlite3_last_insert_rowid (self->db));
  return TRUE;
}

static GPtrArray *
va_sqlite_store_list_audit (VaStore *store, const VaAuditQuery *query, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_LIST_AUDIT, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, query->key_prefix, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, query->user_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, query->action, -1, SQLITE_TRANSIENT);
  va_sqlite_store_bind_datetime (stmt, 4, query->since);
  va_sqlite_store_bind_datetime (stmt, 5, query->until);
  sqlite3_bind_int64 (stmt, 6, query->limit);
  sqlite3_bind_int64 (stmt, 7, query->offset);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    g_autoptr (VaAuditEntry) entry = va_audit_entry_new (va_sqlite_store_column_text (stmt, 4));
    g_autoptr (GDateTime) when = va_sqlite_store_column_datetime (stmt, 1);
    const char *detail = va_sqlite_store_column_text (stmt, 6);

    va_audit_entry_set_id (entry, sqlite3_column_int64 (stmt, 0));
    if (when != NULL)
      va_audit_entry_set_time (entry, when);
    va_audit_entry_set_user_id (entry, va_sqlite_store_column_text (stmt, 2));
    va_audit_entry_set_key_prefix (entry, va_sqlite_store_column_text (stmt, 3));
    va_audit_entry_set_target (entry, va_sqlite_store_column_text (stmt, 5));
    va_audit_entry_set_request_id (entry, va_sqlite_store_column_text (stmt, 7));
    if (detail != NULL) {
      g_autoptr (JsonObject) object
          = va_sqlite_store_json_object_from_string (detail, "audit detail", error);
      if (object == NULL)
        return NULL;
      va_audit_entry_set_detail (entry, object);
    }
    g_ptr_array_add (entries, g_steal_pointer (&entry));
  }
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot list audit entries");
    return NULL;
  }
  return g_steal_pointer (&entries);
}

/* ---- maintenance ------------------------------------------------------ */

static gboolean
va_sqlite_store_get_stats (VaStore *store, VaStoreStats *stats, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) stmt = NULL;
  g_autofree char *wal = NULL;
  gint64 annotations = 0, page_count = 0, page_size = 0;
  GStatBuf st;
  int rc;

  locker = g_mutex_locker_new (&self->lock);
  stmt = va_sqlite_store_stmt (self, VA_STMT_COUNT_BY_STATUS, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    VaJobStatus status;
    guint64 n = (guint64)sqlite3_column_int64 (stmt, 1);
    if (va_job_status_from_string (va_sqlite_store_column_text (stmt, 0), &status))
      stats->jobs_by_status[status] = n;
    stats->total_jobs += n;
  }
  if (rc != SQLITE_DONE) {
    va_sqlite_store_set_error (self, error, "Cannot count jobs");
    return FALSE;
  }
  if (!va_sqlite_store_query_kept_int (self, VA_STMT_SUM_ANNOTATIONS, &annotations, error)
      || !va_sqlite_store_query_kept_int (self, VA_STMT_PAGE_COUNT, &page_count, error)
      || !va_sqlite_store_query_kept_int (self, VA_STMT_PAGE_SIZE, &page_size, error))
    return FALSE;
  stats->total_annotations = (guint64)annotations;
  stats->database_size_bytes = (guint64)(page_count * page_size);
  wal = g_strconcat (self->filename, "-wal", NULL);
  if (g_stat (wal, &st) == 0)
    stats->database_size_bytes += (guint64)st.st_size;
  return TRUE;
}

static gboolean
va_sqlite_store_recover_running (VaStore *store, guint max_retries, guint *n_requeued,
                                 guint *n_failed, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (VaSqliteStmt) fail = NULL;
  g_autoptr (VaSqliteStmt) requeue = NULL;
  g_autofree char *fail_message = NULL;
  gint64 now = va_store_now_usec ();
  int failed, requeued;

  fail_message = g_strdup_printf ("The server stopped while this job was running, and it had "
                                  "already been re-queued %u times; giving up",
                                  max_retries);
  locker = g_mutex_locker_new (&self->lock);
  if (!va_sqlite_store_begin (self, error))
    return FALSE;
  fail = va_sqlite_store_stmt (self, VA_STMT_RECOVER_FAIL, error);
  if (fail == NULL)
    goto rollback;
  sqlite3_bind_int64 (fail, 1, now);
  sqlite3_bind_text (fail, 2, fail_message, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (fail, 3, max_retries);
  if (!va_sqlite_store_step_done (self, fail, "Cannot fail interrupted jobs", error))
    goto rollback;
  failed = sqlite3_changes (self->db);

  requeue = va_sqlite_store_stmt (self, VA_STMT_RECOVER_REQUEUE, error);
  if (requeue == NULL)
    goto rollback;
  sqlite3_bind_text (requeue, 1, "Re-queued: the server stopped while this job was running", -1,
                     SQLITE_STATIC);
  if (!va_sqlite_store_step_done (self, requeue, "Cannot re-queue interrupted jobs", error))
    goto rollback;
  requeued = sqlite3_changes (self->db);
  if (!va_sqlite_store_commit (self, error))
    goto rollback;

  if (n_requeued != NULL)
    *n_requeued = (guint)requeued;
  if (n_failed != NULL)
    *n_failed = (guint)failed;
  return TRUE;

rollback:
  va_sqlite_store_rollback (self);
  return FALSE;
}

static gboolean
va_sqlite_store_copy_to (VaSqliteStore *self, const char *path, GError **error)
{
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  sqlite3_stmt *check = NULL;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_open_v2 (path, &dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", path,
                 dest != NULL ? sqlite3_errmsg (dest) : "out of memory");
    goto out;
  }
  /* one step copies a consistent snapshot: WAL readers do not block the
   * server's writers meanwhile */
  backup = sqlite3_backup_init (dest, "main", self->db, "main");
  if (backup == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot start the backup: %s",
                 sqlite3_errmsg (dest));
    goto out;
  }
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE) {
    g_set_error (error, VA_ERROR,
                 (rc & 0xff) == SQLITE_FULL ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Backup failed: %s", sqlite3_errstr (rc));
    goto out;
  }
  if (sqlite3_prepare_v2 (dest, "PRAGMA quick_check", -1, &check, NULL) != SQLITE_OK
      || sqlite3_step (check) != SQLITE_ROW
      || g_strcmp0 ((const char *)sqlite3_column_text (check, 0), "ok") != 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "The backup copy failed its integrity check: %s",
                 check != NULL && sqlite3_column_text (check, 0) != NULL
                     ? (const char *)sqlite3_column_text (check, 0)
                     : sqlite3_errmsg (dest));
    goto out;
  }
  ok = TRUE;
out:
  sqlite3_finalize (check);
  sqlite3_close (dest);
  return ok;
}

/* The online backup API copies a consistent snapshot of the live file
 * (writers carry on), `PRAGMA quick_check` checks the copy, and a rename
 * puts it in place. */
static gboolean
va_sqlite_store_backup (VaStore *store, const char *destination, GError **error)
{
  VaSqliteStore *self = VA_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autofree char *tmpl = NULL;
  g_autofree char *dir = NULL;
  int fd;

  locker = g_mutex_locker_new (&self->lock);
  tmpl = g_strconcat (destination, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot create %s: %s", tmpl, g_strerror (saved));
    return FALSE;
  }
  g_close (fd, NULL);

  if (!va_sqlite_store_copy_to (self, tmpl, error)) {
    g_unlink (tmpl);
    return FALSE;
  }
  if (g_rename (tmpl, destination) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot rename %s to %s: %s", tmpl,
                 destination, g_strerror (saved));
    g_unlink (tmpl);
    return FALSE;
  }
  dir = g_path_get_dirname (destination);
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0) {
    (void)fsync (fd);
    g_close (fd, NULL);
  }
  return TRUE;
}

static void
va_sqlite_store_class_init (VaSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VaStoreClass *store_class = VA_STORE_CLASS (klass);

  object_class->finalize = va_sqlite_store_finalize;
  object_class->get_property = va_sqlite_store_get_property;
  object_class->set_property = va_sqlite_store_set_property;

  store_class->backend_name = "sqlite";
  store_class->get_location = va_sqlite_store_get_location;
  store_class->get_schema_version = va_sqlite_store_get_schema_version;
  store_class->upsert_user = va_sqlite_store_upsert_user;
  store_class->delete_user = va_sqlite_store_delete_user;
  store_class->insert_job = va_sqlite_store_insert_job;
  store_class->get_job = va_sqlite_store_get_job;
  store_class->list_jobs = va_sqlite_store_list_jobs;
  store_class->list_job_ids = va_sqlite_store_list_job_ids;
  store_class->set_job_status = va_sqlite_store_set_job_status;
  store_class->set_job_progress = va_sqlite_store_set_job_progress;
  store_class->set_job_video_duration = va_sqlite_store_set_job_video_duration;
  store_class->set_job_warnings = va_sqlite_store_set_job_warnings;
  store_class->mark_job_deleting = va_sqlite_store_mark_job_deleting;
  store_class->delete_job = va_sqlite_store_delete_job;
  store_class->list_batches = va_sqlite_store_list_batches;
  store_class->get_batch = va_sqlite_store_get_batch;
  store_class->list_batch_jobs = va_sqlite_store_list_batch_jobs;
  store_class->requeue_job = va_sqlite_store_requeue_job;
  store_class->recover_running = va_sqlite_store_recover_running;
  store_class->upsert_result = va_sqlite_store_upsert_result;
  store_class->list_results = va_sqlite_store_list_results;
  store_class->append_audit = va_sqlite_store_append_audit;
  store_class->list_audit = va_sqlite_store_list_audit;
  store_class->add_key_usage = va_sqlite_store_add_key_usage;
  store_class->get_key_usage = va_sqlite_store_get_key_usage;
  store_class->get_stats = va_sqlite_store_get_stats;
  store_class->backup = va_sqlite_store_backup;

  properties[PROP_FILENAME]
      = g_param_spec_string ("filename", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}
