/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <sqlite3.h>

#include "va-error.h"
#include "va-sqlite-store.h"
#include "va-store-private.h"
#include "va-test-dir.h"

/* Strings that break naive SQL building, quoting or LIKE patterns; every
 * text column must store them verbatim. */
static const char *const nasty[] = {
  "'; DROP TABLE jobs; --",
  "Robert'); DELETE FROM users WHERE ('1'='1",
  "\"double\" and `back` quotes",
  "100% _wild_ \\escape\\",
  "?1 ?2 :name @x $y",
  "日本語 ✓ é",
  "",
};

static char *
store_path (const char *dir)
{
  return g_build_filename (dir, "videoannotator.db", NULL);
}

static VaStore *
open_store (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = store_path (dir);
  VaStore *store = va_sqlite_store_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* a second, raw connection: checks what is really on disk */
static sqlite3 *
raw_open (const char *dir)
{
  g_autofree char *path = store_path (dir);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gint64
raw_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
raw_exec (sqlite3 *db, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static GDateTime *
at (int seconds)
{
  /* a fixed base keeps ordering deterministic */
  g_autoptr (GDateTime) base = g_date_time_new_utc (2024, 5, 1, 12, 0, 0);
  return g_date_time_add_seconds (base, seconds);
}

static VaJob *
make_job (const char *user_id, int created_offset)
{
  VaJob *job = va_job_new ();
  g_autoptr (GDateTime) created = at (created_offset);

  va_job_set_user_id (job, user_id);
  va_job_set_created_at (job, created);
  va_job_set_video_filename (job, "clip.mp4");
  va_job_set_video_path (job, "jobs/x/video.mp4");
  return job;
}

static void
add_user (VaStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;

  va_store_upsert_user (store, id, id, "someone@lab.edu", FALSE, &error);
  g_assert_no_error (error);
}

static void
test_store_open_empty (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autofree char *path = store_path (dir);
  sqlite3 *db = raw_open (dir);
  GStatBuf st;

  g_assert_cmpuint (va_store_get_schema_version (store), ==, VA_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (va_store_get_location (store), ==, path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==,
                   VA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT MAX(version) FROM schema_version"), ==,
                   VA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name IN ('users', 'jobs', 'pipeline_results', 'api_key_usage', "
                                "'audit', 'schema_version')"),
                   ==, 6);
  /* WAL is persistent in the file header, so a raw connection sees it */
  {
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);

  /* opening again is a no-op migration */
  g_clear_object (&store);
  store = open_store (dir);
  g_assert_cmpuint (va_store_get_schema_version (store), ==, VA_STORE_SCHEMA_VERSION);
}

static void
test_store_migrate_from_v1 (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *path = store_path (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) store = va_sqlite_store_new_at_version (path, 1, &error);
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaAuditEntry) entry = va_audit_entry_new ("job.create");
  sqlite3 *db;

  g_assert_no_error (error);
  g_assert_cmpuint (va_store_get_schema_version (store), ==, 1);
  g_clear_object (&store);

  /* rows as a version 1 program wrote them: no consent, no progress */
  db = raw_open (dir);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit'"), ==, 0);
  raw_exec (db, "INSERT INTO users (id, username, email, is_admin, created_at) "
                "VALUES ('u1', 'alice', 'alice@lab.edu', 1, 1714564800000000)");
  raw_exec (db, "INSERT INTO jobs (id, user_id, status, video_path, video_filename, "
                "video_size_bytes, config, selected_pipelines, created_at, retry_count) "
                "VALUES ('j1', 'u1', 'completed', 'j1/video.mp4', 'v.mp4', 42, "
                "'{\"pps\":2}', '[\"scene_detection\"]', 1714564800000000, 1)");
  raw_exec (db, "INSERT INTO pipeline_results (job_id, pipeline_name, status, annotation_count) "
                "VALUES ('j1', 'scene_detection', 'completed', 7)");
  sqlite3_close (db);

  store = open_store (dir);
  g_assert_cmpuint (va_store_get_schema_version (store), ==, VA_STORE_SCHEMA_VERSION);
  job = va_store_get_job (store, "j1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_cmpint (va_job_get_video_size_bytes (job), ==, 42);
  g_assert_cmpint (json_object_get_int_member (va_job_get_config (job), "pps"), ==, 2);
  g_assert_cmpstr (va_job_get_selected_pipelines (job)[0], ==, "scene_detection");
  g_assert_null (va_job_get_consent (job));
  g_assert_cmpfloat (va_job_get_progress (job), ==, 0.0);
  g_assert_cmpuint (va_job_get_retry_count (job), ==, 1);
  /* new tables of version 2 work */
  va_store_append_audit (store, entry, &error);
  g_assert_no_error (error);
  db = raw_open (dir);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==,
                   VA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (db, "SELECT annotation_count FROM pipeline_results"), ==, 7);
  sqlite3_close (db);
}

static void
test_store_open_foreign (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *path = store_path (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) store = NULL;
  sqlite3 *db = raw_open (dir);

  /* the Python 1.4 service also has a schema_version table with 1 */
  raw_exec (db, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT, "
                "description TEXT);"
                "INSERT INTO schema_version VALUES (1, '2024-01-01', 'initial');"
                "CREATE TABLE jobs (id TEXT PRIMARY KEY, video_path TEXT NOT NULL);");
  sqlite3_close (db);

  store = va_sqlite_store_new (path, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "not a VideoAnnotator database"));
  g_assert_null (store);
}

/* Several processes (a server and a CLI command, two servers) may create
 * one new database at the same moment: the migrations must run once, and
 * every opener must succeed. Threads with their own connections race the
 * same way processes do (sqlite locks the file, not the process). */
#define RACE_OPENERS 4

typedef struct {
  const char *path;
  GMutex lock;
  GCond cond;
  guint ready;
  GError *errors[RACE_OPENERS];
} RaceData;

typedef struct {
  RaceData *data;
  guint index;
} RaceSide;

static gpointer
race_open (gpointer user_data)
{
  RaceSide *side = user_data;
  RaceData *data = side->data;
  VaStore *store;

  g_mutex_lock (&data->lock);
  data->ready++;
  g_cond_broadcast (&data->cond);
  while (data->ready < RACE_OPENERS)
    g_cond_wait (&data->cond, &data->lock);
  g_mutex_unlock (&data->lock);

  store = va_sqlite_store_new (data->path, &data->errors[side->index]);
  g_clear_object (&store);
  return NULL;
}

static void
test_store_open_concurrent_create (void)
{
  for (guint round = 0; round < 25; round++) {
    g_autoptr (VaTestDir) dir = va_test_dir_new ();
    g_autofree char *path = store_path (dir);
    RaceData data = { .path = path };
    RaceSide sides[RACE_OPENERS];
    GThread *threads[RACE_OPENERS];
    sqlite3 *db;

    g_mutex_init (&data.lock);
    g_cond_init (&data.cond);
    for (guint i = 0; i < RACE_OPENERS; i++) {
      sides[i] = (RaceSide){ &data, i };
      threads[i] = g_thread_new ("opener", race_open, &sides[i]);
    }
    for (guint i = 0; i < RACE_OPENERS; i++)
      g_thread_join (threads[i]);
    for (guint i = 0; i < RACE_OPENERS; i++) {
      g_assert_no_error (data.errors[i]);
    }
    g_mutex_clear (&data.lock);
    g_cond_clear (&data.cond);

    db = raw_open (dir);
    g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==,
                     VA_STORE_SCHEMA_VERSION);
    g_assert_cmpint (raw_int (db, "SELECT COUNT(DISTINCT version) FROM schema_version"), ==,
                     VA_STORE_SCHEMA_VERSION);
    sqlite3_close (db);
  }
}

static void
test_store_open_newer (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *path = store_path (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) store = open_store (dir);
  sqlite3 *db;

  g_clear_object (&store);
  db = raw_open (dir);
  raw_exec (db, "INSERT INTO schema_version VALUES (99, 0, 'from the future')");
  sqlite3_close (db);
  store = va_sqlite_store_new (path, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "newer than this program supports"));
}

static void
test_store_open_errors (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *blocked = g_build_filename (dir, "file", "sub.db", NULL);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) store = NULL;

  g_assert_true (
      g_file_set_contents (garbage, "this is not sqlite, just text padding it out", -1, NULL));
  store = va_sqlite_store_new (garbage, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "not a database"));
  g_clear_error (&error);

  /* parent is a file: the directory cannot be created */
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  store = va_sqlite_store_new (blocked, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_null (store);
}

static void
test_store_job_roundtrip (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) job = make_job ("u1", 0);
  g_autoptr (VaJob) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) config = json_object_new ();
  g_autoptr (JsonObject) consent = json_object_new ();
  const char *pipelines[] = { "scene_detection", "motion_analysis", NULL };

  add_user (store, "u1");
  json_object_set_double_member (config, "pps", 0.5);
  json_object_set_boolean_member (consent, "research_use", TRUE);
  va_job_set_config (job, config);
  va_job_set_consent (job, consent);
  va_job_set_selected_pipelines (job, pipelines);
  va_job_set_video_size_bytes (job, 123456789012);
  va_job_set_video_duration_seconds (job, 12.75);
  va_job_set_storage_path (job, va_job_get_id (job));
  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);

  back = va_store_get_job (store, va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_id (back), ==, va_job_get_id (job));
  g_assert_cmpstr (va_job_get_user_id (back), ==, "u1");
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpstr (va_job_get_video_path (back), ==, "jobs/x/video.mp4");
  g_assert_cmpstr (va_job_get_video_filename (back), ==, "clip.mp4");
  g_assert_cmpint (va_job_get_video_size_bytes (back), ==, 123456789012);
  g_assert_cmpfloat (va_job_get_video_duration_seconds (back), ==, 12.75);
  g_assert_cmpfloat (json_object_get_double_member (va_job_get_config (back), "pps"), ==, 0.5);
  g_assert_true (json_object_get_boolean_member (va_job_get_consent (back), "research_use"));
  g_assert_cmpstrv (va_job_get_selected_pipelines (back), pipelines);
  g_assert_true (g_date_time_equal (va_job_get_created_at (back), va_job_get_created_at (job)));
  g_assert_null (va_job_get_started_at (back));
  g_assert_null (va_job_get_completed_at (back));
  g_assert_null (va_job_get_error_message (back));
  g_assert_cmpstr (va_job_get_storage_path (back), ==, va_job_get_id (job));
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 1);

  /* microseconds survive */
  {
    g_autoptr (GDateTime) precise = g_date_time_new_utc (2024, 2, 29, 23, 59, 59.123456);
    g_autoptr (VaJob) job2 = make_job (NULL, 0);
    g_autoptr (VaJob) back2 = NULL;

    va_job_set_created_at (job2, precise);
    va_job_set_video_filename (job2, NULL);
    va_job_set_video_path (job2, NULL);
    va_store_insert_job (store, job2, &error);
    g_assert_no_error (error);
    back2 = va_store_get_job (store, va_job_get_id (job2), &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_date_time_get_microsecond (va_job_get_created_at (back2)), ==,
                     g_date_time_get_microsecond (precise));
    g_assert_null (va_job_get_user_id (back2));
    g_assert_null (va_job_get_selected_pipelines (back2));
    g_assert_cmpint (va_job_get_video_size_bytes (back2), ==, -1);
    g_assert_cmpfloat (va_job_get_video_duration_seconds (back2), <, 0);
    g_assert_cmpuint (json_object_get_size (va_job_get_config (back2)), ==, 0);

    /* the duration arrives later, from the job's run */
    g_assert_true (va_store_set_job_video_duration (store, va_job_get_id (job2), 4.5, &error));
    g_assert_no_error (error);
    g_clear_object (&back2);
    back2 = va_store_get_job (store, va_job_get_id (job2), &error);
    g_assert_cmpfloat (va_job_get_video_duration_seconds (back2), ==, 4.5);
    g_assert_false (va_store_set_job_video_duration (store, "no-such-job", 1.0, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
}

static void
test_store_job_errors (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) job = make_job ("u1", 0);
  g_autoptr (VaJob) missing = NULL;
  g_autoptr (GError) error = NULL;
  const char *bad_paths[] = { "/etc/passwd", "../outside", "a/../../b", "", NULL };
  const char *bad_names[] = { "dir/name.mp4", "..", ".", "tab\there", NULL };

  /* owner unknown */
  va_store_insert_job (store, job, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not a known user"));
  g_clear_error (&error);

  add_user (store, "u1");
  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);
  va_store_insert_job (store, job, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);

  for (guint i = 0; bad_paths[i] != NULL; i++) {
    g_autoptr (VaJob) bad = make_job ("u1", 1);
    va_job_set_video_path (bad, bad_paths[i]);
    va_store_insert_job (store, bad, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    g_clear_object (&bad);
    bad = make_job ("u1", 1);
    va_job_set_storage_path (bad, bad_paths[i]);
    va_store_insert_job (store, bad, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  for (guint i = 0; bad_names[i] != NULL; i++) {
    g_autoptr (VaJob) bad = make_job ("u1", 1);
    va_job_set_video_filename (bad, bad_names[i]);
    va_store_insert_job (store, bad, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  missing = va_store_get_job (store, "no-such-job", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);
  va_store_delete_job (store, "no-such-job", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  va_store_set_job_status (store, "no-such-job", VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  va_store_set_job_progress (store, "no-such-job", 5, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  va_store_upsert_user (store, "", "x", NULL, FALSE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  va_store_upsert_user (store, "x", NULL, NULL, FALSE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_store_metacharacters (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  sqlite3 *db;

  for (guint i = 0; i < G_N_ELEMENTS (nasty); i++) {
    const char *s = nasty[i];
    g_autofree char *user = g_strdup_printf ("%s#%u", s, i);
    g_autofree char *path = g_strdup_printf ("%s/%u", *s ? s : "x", i);
    g_autofree char *job_id = g_strdup_printf ("%s-job-%u", s, i);
    g_autoptr (VaJob) job = va_job_new_with_id (job_id);
    g_autoptr (VaJob) back = NULL;
    g_autoptr (JsonObject) config = json_object_new ();
    g_autoptr (VaJobResult) result = NULL;
    g_autoptr (GPtrArray) results = NULL;
    g_autoptr (GPtrArray) jobs = NULL;
    g_autoptr (VaAuditEntry) entry = NULL;
    g_autoptr (GPtrArray) entries = NULL;
    g_autoptr (JsonObject) detail = json_object_new ();
    const char *pipelines[] = { s, "scene_detection", NULL };
    VaAuditQuery query = { 0 };
    guint64 total = 0;

    va_store_upsert_user (store, user, user, s, FALSE, &error);
    g_assert_no_error (error);

    json_object_set_string_member (config, s, s);
    va_job_set_user_id (job, user);
    va_job_set_video_path (job, path);
    va_job_set_video_filename (job, s);
    va_job_set_storage_path (job, path);
    va_job_set_config (job, config);
    va_job_set_consent (job, config);
    va_job_set_selected_pipelines (job, pipelines);
    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
    va_store_set_job_status (store, job_id, VA_JOB_STATUS_RUNNING, NULL, &error);
    g_assert_no_error (error);
    va_store_set_job_status (store, job_id, VA_JOB_STATUS_FAILED, s, &error);
    g_assert_no_error (error);

    back = va_store_get_job (store, job_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (va_job_get_id (back), ==, job_id);
    g_assert_cmpstr (va_job_get_user_id (back), ==, user);
    g_assert_cmpstr (va_job_get_video_path (back), ==, path);
    g_assert_cmpstr (va_job_get_video_filename (back), ==, s);
    g_assert_cmpstr (va_job_get_storage_path (back), ==, path);
    g_assert_cmpstr (va_job_get_error_message (back), ==, s);
    g_assert_cmpstr (json_object_get_string_member (va_job_get_config (back), s), ==, s);
    g_assert_cmpstr (json_object_get_string_member (va_job_get_consent (back), s), ==, s);
    g_assert_cmpstrv (va_job_get_selected_pipelines (back), pipelines);

    jobs = va_store_list_jobs (store, 1, 10, 0, user, &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 1);
    g_assert_cmpuint (jobs->len, ==, 1);

    result = va_job_result_new (job_id, s);
    va_job_result_set_output_file (result, path);
    va_job_result_set_error_message (result, s);
    va_store_upsert_result (store, result, &error);
    g_assert_no_error (error);
    results = va_store_list_results (store, job_id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_cmpstr (va_job_result_get_pipeline_name (results->pdata[0]), ==, s);
    g_assert_cmpstr (va_job_result_get_output_file (results->pdata[0]), ==, path);
    g_assert_cmpstr (va_job_result_get_error_message (results->pdata[0]), ==, s);

    entry = va_audit_entry_new (*s ? s : "empty");
    json_object_set_string_member (detail, "note", s);
    va_audit_entry_set_user_id (entry, user);
    va_audit_entry_set_key_prefix (entry, s);
    va_audit_entry_set_target (entry, s);
    va_audit_entry_set_request_id (entry, s);
    va_audit_entry_set_detail (entry, detail);
    va_store_append_audit (store, entry, &error);
    g_assert_no_error (error);
    /* filters match exactly: "%" or "_" are not wildcards */
    query.key_prefix = s;
    entries = va_store_list_audit (store, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 1);
    g_assert_cmpstr (va_audit_entry_get_key_prefix (entries->pdata[0]), ==, s);
    g_assert_cmpstr (va_audit_entry_get_target (entries->pdata[0]), ==, s);
    g_assert_cmpstr (va_audit_entry_get_request_id (entries->pdata[0]), ==, s);
    g_assert_cmpstr (
        json_object_get_string_member (va_audit_entry_get_detail (entries->pdata[0]), "note"), ==,
        s);
  }

  /* nothing was dropped or deleted along the way */
  db = raw_open (dir);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM jobs"), ==, G_N_ELEMENTS (nasty));
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM users"), ==, G_N_ELEMENTS (nasty));
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM pipeline_results"), ==, G_N_ELEMENTS (nasty));
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM audit"), ==, G_N_ELEMENTS (nasty));
  sqlite3_close (db);
}

static void
test_store_list (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree char *ids[6] = { NULL };
  guint64 total = 0;

  add_user (store, "alice");
  add_user (store, "bob");
  /* inserted out of order: listing follows created_at */
  for (int i = 5; i >= 0; i--) {
    g_autoptr (VaJob) job = make_job (i % 2 == 0 ? "alice" : "bob", i * 10);
    ids[i] = g_strdup (va_job_get_id (job));
    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
  }
  /* 0 running, 1 completed; 2..5 pending */
  va_store_set_job_status (store, ids[0], VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, ids[1], VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, ids[1], VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_no_error (error);

  jobs = va_store_list_jobs (store, 1, 4, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 6);
  g_assert_cmpuint (jobs->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (va_job_get_id (jobs->pdata[i]), ==, ids[i]);
  g_assert_cmpuint (va_job_get_queue_position (jobs->pdata[0]), ==, 0);
  g_assert_cmpuint (va_job_get_queue_position (jobs->pdata[2]), ==, 1);
  g_assert_cmpuint (va_job_get_queue_position (jobs->pdata[3]), ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 2, 4, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (jobs->pdata[1]), ==, ids[5]);
  g_assert_cmpuint (va_job_get_queue_position (jobs->pdata[1]), ==, 4);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 3, 4, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_assert_cmpuint (total, ==, 6);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_STATUS_PENDING), NULL, &total,
                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 4);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 1, 10,
                             VA_JOB_STATUS_MASK (VA_JOB_STATUS_RUNNING)
                                 | VA_JOB_STATUS_MASK (VA_JOB_STATUS_COMPLETED),
                             NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 1, 10, 0, "bob", &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpstr (va_job_get_user_id (jobs->pdata[i]), ==, "bob");
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_STATUS_PENDING), "alice",
                             &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2); /* 2 and 4 */
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_STATUS_CANCELLED), NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_store_list_jobs (store, 0, 10, 0, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  jobs = va_store_list_jobs (store, 1, 0, 0, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  jobs = va_store_list_jobs (store, 1, VA_STORE_MAX_PER_PAGE + 1, 0, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  jobs = va_store_list_jobs (store, 1, 10, 1u << 20, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (jobs);
}

static void
test_store_status_guard (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) job = make_job (NULL, 0);
  g_autoptr (VaJob) back = NULL;
  g_autoptr (GError) error = NULL;
  const char *id = va_job_get_id (job);

  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);

  /* pending cannot complete */
  va_store_set_job_status (store, id, VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  va_store_set_job_progress (store, id, 10, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);

  va_store_set_job_status (store, id, VA_JOB_STATUS_RUNNING, "ignored", &error);
  g_assert_no_error (error);
  va_store_set_job_progress (store, id, 250, &error);
  g_assert_no_error (error);
  back = va_store_get_job (store, id, &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_RUNNING);
  g_assert_nonnull (va_job_get_started_at (back));
  g_assert_cmpfloat (va_job_get_progress (back), ==, 100.0);
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 0);
  g_clear_object (&back);

  va_store_set_job_status (store, id, VA_JOB_STATUS_CANCELLED, "Cancelled by user", &error);
  g_assert_no_error (error);

  /* the runner finishing late must not resurrect the job */
  va_store_set_job_status (store, id, VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "is cancelled"));
  g_clear_error (&error);
  va_store_set_job_status (store, id, VA_JOB_STATUS_FAILED, "pipeline crashed", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  va_store_set_job_status (store, id, VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  va_store_set_job_progress (store, id, 50, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);

  back = va_store_get_job (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpstr (va_job_get_error_message (back), ==, "Cancelled by user");
  g_assert_nonnull (va_job_get_cancelled_at (back));
  g_assert_nonnull (va_job_get_completed_at (back));
  g_clear_object (&back);

  /* the other paths */
  {
    g_autoptr (VaJob) other = make_job (NULL, 1);
    const char *oid = va_job_get_id (other);

    va_store_insert_job (store, other, &error);
    g_assert_no_error (error);
    va_store_set_job_status (store, oid, VA_JOB_STATUS_RUNNING, NULL, &error);
    g_assert_no_error (error);
    /* running → pending is a re-queue by a graceful shutdown: no retry
     * spent (only crash recovery counts them) */
    va_store_set_job_status (store, oid, VA_JOB_STATUS_PENDING, "shut down", &error);
    g_assert_no_error (error);
    back = va_store_get_job (store, oid, &error);
    g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
    g_assert_cmpuint (va_job_get_retry_count (back), ==, 0);
    g_assert_cmpstr (va_job_get_error_message (back), ==, "shut down");
    g_assert_null (va_job_get_started_at (back));
    g_clear_object (&back);
    va_store_set_job_status (store, oid, VA_JOB_STATUS_PENDING, NULL, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
    g_clear_error (&error);
    va_store_set_job_status (store, oid, VA_JOB_STATUS_RUNNING, NULL, &error);
    g_assert_no_error (error);
    va_store_set_job_status (store, oid, VA_JOB_STATUS_COMPLETED,
                             "Completed with errors. Failed pipelines: a", &error);
    g_assert_no_error (error);
    back = va_store_get_job (store, oid, &error);
    g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_COMPLETED);
    g_assert_cmpfloat (va_job_get_progress (back), ==, 100.0);
    g_assert_cmpstr (va_job_get_error_message (back), ==,
                     "Completed with errors. Failed pipelines: a");
    g_assert_nonnull (va_job_get_completed_at (back));
    g_assert_null (va_job_get_cancelled_at (back));
    g_clear_object (&back);
    /* completed is final too */
    va_store_set_job_status (store, oid, VA_JOB_STATUS_CANCELLED, NULL, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
    g_clear_error (&error);
  }
  {
    g_autoptr (VaJob) other = make_job (NULL, 2);

    va_store_insert_job (store, other, &error);
    g_assert_no_error (error);
    /* a pending job can fail (e.g. its video vanished) */
    va_store_set_job_status (store, va_job_get_id (other), VA_JOB_STATUS_FAILED, "missing video",
                             &error);
    g_assert_no_error (error);
  }
  va_store_set_job_status (store, id, (VaJobStatus)42, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_store_delete_cascade (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) job = make_job (NULL, 0);
  g_autoptr (VaJobResult) result = va_job_result_new (va_job_get_id (job), "scene_detection");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  sqlite3 *db;

  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);
  va_store_upsert_result (store, result, &error);
  g_assert_no_error (error);
  va_store_delete_job (store, va_job_get_id (job), &error);
  g_assert_no_error (error);
  results = va_store_list_results (store, va_job_get_id (job), &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  db = raw_open (dir);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM pipeline_results"), ==, 0);
  sqlite3_close (db);
}

static void
test_store_results (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) job = make_job (NULL, 0);
  const char *id = va_job_get_id (job);
  g_autoptr (VaJobResult) scene = va_job_result_new (id, "scene_detection");
  g_autoptr (VaJobResult) motion = va_job_result_new (id, "motion_analysis");
  g_autoptr (VaJobResult) orphan = va_job_result_new ("nope", "scene_detection");
  g_autoptr (GDateTime) start = at (0);
  g_autoptr (GDateTime) end = at (3);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  VaJobResult *r;

  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);
  results = va_store_list_results (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  va_job_result_set_status (scene, VA_JOB_STATUS_RUNNING);
  va_job_result_set_start_time (scene, start);
  va_store_upsert_result (store, scene, &error);
  g_assert_no_error (error);
  va_job_result_set_status (motion, VA_JOB_STATUS_FAILED);
  va_job_result_set_error_message (motion, "no video stream");
  va_store_upsert_result (store, motion, &error);
  g_assert_no_error (error);
  /* the same pipeline again updates in place, keeping its position */
  va_job_result_set_status (scene, VA_JOB_STATUS_COMPLETED);
  va_job_result_set_end_time (scene, end);
  va_job_result_set_processing_time (scene, 2.5);
  va_job_result_set_annotation_count (scene, 12);
  va_job_result_set_output_file (scene, "output/clip_scene_detection.json");
  va_store_upsert_result (store, scene, &error);
  g_assert_no_error (error);

  results = va_store_list_results (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  r = results->pdata[0];
  g_assert_cmpstr (va_job_result_get_job_id (r), ==, id);
  g_assert_cmpstr (va_job_result_get_pipeline_name (r), ==, "scene_detection");
  g_assert_cmpint (va_job_result_get_status (r), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_true (g_date_time_equal (va_job_result_get_start_time (r), start));
  g_assert_true (g_date_time_equal (va_job_result_get_end_time (r), end));
  g_assert_cmpfloat (va_job_result_get_processing_time (r), ==, 2.5);
  g_assert_cmpint (va_job_result_get_annotation_count (r), ==, 12);
  g_assert_cmpstr (va_job_result_get_output_file (r), ==, "output/clip_scene_detection.json");
  r = results->pdata[1];
  g_assert_cmpstr (va_job_result_get_pipeline_name (r), ==, "motion_analysis");
  g_assert_cmpstr (va_job_result_get_error_message (r), ==, "no video stream");
  g_assert_cmpfloat (va_job_result_get_processing_time (r), <, 0);
  g_assert_null (va_job_result_get_output_file (r));

  va_store_upsert_result (store, orphan, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  va_job_result_set_output_file (scene, "/etc/shadow");
  va_store_upsert_result (store, scene, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_store_audit (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) t10 = at (10);
  g_autoptr (GDateTime) t30 = at (30);
  VaAuditQuery query = { 0 };
  struct {
    const char *action, *user, *prefix;
  } rows[] = {
    { "job.create", "alice", "va_api_AAAA" }, { "job.delete", "alice", "va_api_AAAA" },
    { "job.create", "bob", "va_api_BBBB" },   { "key.revoke", "admin", "va_api_CCCC" },
    { "job.create", "alice", "va_api_AAAB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (VaAuditEntry) entry = va_audit_entry_new (rows[i].action);
    g_autoptr (GDateTime) when = at ((int)i * 10);
    va_audit_entry_set_time (entry, when);
    va_audit_entry_set_user_id (entry, rows[i].user);
    va_audit_entry_set_key_prefix (entry, rows[i].prefix);
    va_store_append_audit (store, entry, &error);
    g_assert_no_error (error);
    g_assert_cmpint (va_audit_entry_get_id (entry), ==, i + 1);
  }

  entries = va_store_list_audit (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 5);
  /* newest first */
  g_assert_cmpint (va_audit_entry_get_id (entries->pdata[0]), ==, 5);
  g_assert_cmpint (va_audit_entry_get_id (entries->pdata[4]), ==, 1);
  g_clear_pointer (&entries, g_ptr_array_unref);

  query.key_prefix = "va_api_AAAA";
  entries = va_store_list_audit (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_clear_pointer (&entries, g_ptr_array_unref);

  query = (VaAuditQuery){ .user_id = "alice", .action = "job.create" };
  entries = va_store_list_audit (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_clear_pointer (&entries, g_ptr_array_unref);

  query = (VaAuditQuery){ .since = t10, .until = t30 };
  entries = va_store_list_audit (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2); /* at 10 and 20; 30 excluded */
  g_assert_cmpstr (va_audit_entry_get_action (entries->pdata[0]), ==, "job.create");
  g_assert_cmpstr (va_audit_entry_get_user_id (entries->pdata[0]), ==, "bob");
  g_clear_pointer (&entries, g_ptr_array_unref);

  query = (VaAuditQuery){ .limit = 2, .offset = 1 };
  entries = va_store_list_audit (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpint (va_audit_entry_get_id (entries->pdata[0]), ==, 4);
  g_clear_pointer (&entries, g_ptr_array_unref);

  {
    g_autoptr (VaAuditEntry) empty = va_audit_entry_new ("");
    va_store_append_audit (store, empty, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_store_key_usage (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) last = NULL;
  g_autoptr (GDateTime) t5 = at (5);
  g_autoptr (GDateTime) t9 = at (9);
  guint64 count = 0;
  sqlite3 *db = raw_open (dir);
  gboolean timed_out = FALSE;
  guint timeout_id;

  va_store_get_key_usage (store, "k1", &last, &count, &error);
  g_assert_no_error (error);
  g_assert_null (last);
  g_assert_cmpuint (count, ==, 0);

  va_store_record_key_use (store, "k1", t9);
  for (guint i = 0; i < 9; i++)
    va_store_record_key_use (store, "k1", t5);
  /* batched: nothing committed yet, but reads include pending uses */
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM api_key_usage"), ==, 0);
  va_store_get_key_usage (store, "k1", &last, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 10);
  g_assert_true (g_date_time_equal (last, t9));
  g_clear_pointer (&last, g_date_time_unref);

  va_store_flush_key_usage (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (db, "SELECT request_count FROM api_key_usage WHERE key_id = 'k1'"), ==,
                   10);
  /* an older use does not move last_used back */
  va_store_record_key_use (store, "k1", t5);
  va_store_flush_key_usage (store, &error);
  g_assert_no_error (error);
  va_store_get_key_usage (store, "k1", &last, &count, &error);
  g_assert_cmpuint (count, ==, 11);
  g_assert_true (g_date_time_equal (last, t9));
  g_clear_pointer (&last, g_date_time_unref);

  /* the threshold flushes without being asked */
  for (guint i = 0; i < VA_STORE_KEY_USAGE_FLUSH_THRESHOLD; i++)
    va_store_record_key_use (store, "k2", NULL);
  g_assert_cmpint (raw_int (db, "SELECT request_count FROM api_key_usage WHERE key_id = 'k2'"), ==,
                   VA_STORE_KEY_USAGE_FLUSH_THRESHOLD);

  /* the timer flushes a lone use */
  va_store_record_key_use (store, "k3", NULL);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM api_key_usage WHERE key_id = 'k3'"), ==, 0);
  timeout_id = g_timeout_add_seconds (VA_STORE_KEY_USAGE_FLUSH_SECONDS + 2, timeout_cb, &timed_out);
  while (!timed_out && raw_int (db, "SELECT COUNT(*) FROM api_key_usage WHERE key_id = 'k3'") == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);

  /* disposing flushes too */
  va_store_record_key_use (store, "k4", NULL);
  g_clear_object (&store);
  g_assert_cmpint (raw_int (db, "SELECT request_count FROM api_key_usage WHERE key_id = 'k4'"), ==,
                   1);
  sqlite3_close (db);
}

static void
test_store_stats (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  VaStoreStats stats;
  g_autofree char *ids[4] = { NULL };

  for (guint i = 0; i < 4; i++) {
    g_autoptr (VaJob) job = make_job (NULL, (int)i);
    ids[i] = g_strdup (va_job_get_id (job));
    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
  }
  va_store_set_job_status (store, ids[0], VA_JOB_STATUS_RUNNING, NULL, &error);
  va_store_set_job_status (store, ids[1], VA_JOB_STATUS_CANCELLED, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++) {
    g_autofree char *name = g_strdup_printf ("p%u", i);
    g_autoptr (VaJobResult) result = va_job_result_new (ids[i % 2], name);
    va_job_result_set_annotation_count (result, 10 * (i + 1));
    va_store_upsert_result (store, result, &error);
    g_assert_no_error (error);
  }

  va_store_get_stats (store, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.total_jobs, ==, 4);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_PENDING], ==, 2);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_RUNNING], ==, 1);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_CANCELLED], ==, 1);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_COMPLETED], ==, 0);
  g_assert_cmpuint (stats.total_annotations, ==, 60);
  g_assert_cmpuint (stats.database_size_bytes, >, 4096);
}

static void
test_store_recover (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) fresh = make_job (NULL, 0);
  g_autoptr (VaJob) tired = make_job (NULL, 1);
  g_autoptr (VaJob) waiting = make_job (NULL, 2);
  g_autoptr (VaJob) done = make_job (NULL, 3);
  g_autoptr (VaJob) back = NULL;
  guint requeued = 99, failed = 99;

  va_job_set_retry_count (tired, 2);
  va_store_insert_job (store, fresh, &error);
  va_store_insert_job (store, tired, &error);
  va_store_insert_job (store, waiting, &error);
  va_store_insert_job (store, done, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, va_job_get_id (fresh), VA_JOB_STATUS_RUNNING, NULL, &error);
  va_store_set_job_status (store, va_job_get_id (tired), VA_JOB_STATUS_RUNNING, NULL, &error);
  va_store_set_job_progress (store, va_job_get_id (fresh), 40, &error);
  va_store_set_job_status (store, va_job_get_id (done), VA_JOB_STATUS_RUNNING, NULL, &error);
  va_store_set_job_status (store, va_job_get_id (done), VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_no_error (error);

  /* as if the process had been killed: reopen the file */
  g_clear_object (&store);
  store = open_store (dir);
  va_store_recover_running (store, 2, &requeued, &failed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requeued, ==, 1);
  g_assert_cmpuint (failed, ==, 1);

  back = va_store_get_job (store, va_job_get_id (fresh), &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpuint (va_job_get_retry_count (back), ==, 1);
  g_assert_cmpfloat (va_job_get_progress (back), ==, 0);
  g_assert_null (va_job_get_started_at (back));
  g_assert_nonnull (strstr (va_job_get_error_message (back), "Re-queued"));
  /* FIFO by creation: it goes back ahead of the job submitted after it */
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 1);
  g_clear_object (&back);

  back = va_store_get_job (store, va_job_get_id (tired), &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_FAILED);
  g_assert_cmpuint (va_job_get_retry_count (back), ==, 2);
  g_assert_nonnull (va_job_get_completed_at (back));
  g_assert_nonnull (strstr (va_job_get_error_message (back), "giving up"));
  g_clear_object (&back);

  back = va_store_get_job (store, va_job_get_id (waiting), &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
  g_assert_null (va_job_get_error_message (back));
  g_clear_object (&back);
  back = va_store_get_job (store, va_job_get_id (done), &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_COMPLETED);
  g_clear_object (&back);

  /* nothing left to recover */
  va_store_recover_running (store, 2, &requeued, &failed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requeued + failed, ==, 0);

  /* limit 0: never re-queue */
  va_store_set_job_status (store, va_job_get_id (waiting), VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_recover_running (store, 0, &requeued, &failed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requeued, ==, 0);
  g_assert_cmpuint (failed, ==, 1);
}

static void
test_store_backup (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaTestDir) out = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaStore) copy = NULL;
  g_autoptr (VaJob) job = make_job (NULL, 0);
  g_autoptr (VaJob) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = g_build_filename (out, "backup.db", NULL);
  g_autofree char *bad = g_build_filename (out, "missing", "backup.db", NULL);
  g_autoptr (GDateTime) last = NULL;
  guint64 count = 0;
  GStatBuf st;

  va_store_insert_job (store, job, &error);
  g_assert_no_error (error);
  /* not yet flushed, must be in the copy anyway */
  va_store_record_key_use (store, "k1", NULL);

  va_store_backup (store, dest, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* the store stays usable, and the copy is a complete database */
  va_store_set_job_status (store, va_job_get_id (job), VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  copy = va_sqlite_store_new (dest, &error);
  g_assert_no_error (error);
  back = va_store_get_job (copy, va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
  va_store_get_key_usage (copy, "k1", &last, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
  g_clear_object (&copy);

  /* a second backup replaces the first */
  va_store_backup (store, dest, &error);
  g_assert_no_error (error);
  copy = va_sqlite_store_new (dest, &error);
  g_clear_object (&back);
  back = va_store_get_job (copy, va_job_get_id (job), &error);
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_RUNNING);

  va_store_backup (store, bad, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
}

static void
test_store_two_connections (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) server = open_store (dir);
  g_autoptr (VaStore) cli = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;

  /* the CLI and a running server share one file */
  for (guint i = 0; i < 20; i++) {
    g_autoptr (VaJob) job = make_job (NULL, (int)i);
    va_store_insert_job (i % 2 ? server : cli, job, &error);
    g_assert_no_error (error);
  }
  jobs = va_store_list_jobs (server, 1, 100, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 20);
}

/* ---- kept statements ---------------------------------------------------------- */

/* The store keeps its statements prepared; another process changing the
 * schema (a newer program migrating the shared file, an operator adding
 * an index) must not break them: sqlite re-prepares them on the next use. */
static void
test_store_kept_schema_change (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) first = make_job ("u1", 0);
  g_autoptr (VaJob) second = make_job ("u1", 1);
  g_autoptr (VaJob) back = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (VaJobResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  sqlite3 *db;

  add_user (store, "u1");
  va_store_insert_job (store, first, &error);
  g_assert_no_error (error);
  back = va_store_get_job (store, va_job_get_id (first), &error);
  g_assert_no_error (error);
  g_clear_object (&back);
  jobs = va_store_list_jobs (store, 1, 10, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  db = raw_open (dir);
  raw_exec (db, "ALTER TABLE jobs ADD COLUMN added_later TEXT;"
                "CREATE INDEX jobs_added_later ON jobs (added_later);"
                "ALTER TABLE pipeline_results ADD COLUMN note TEXT;");
  sqlite3_close (db);

  /* reads (reader connection) and writes (writer) after the change */
  back = va_store_get_job (store, va_job_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_id (back), ==, va_job_get_id (first));
  va_store_insert_job (store, second, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, va_job_get_id (second), VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  result = va_job_result_new (va_job_get_id (second), "scene_detection");
  va_job_result_set_status (result, VA_JOB_STATUS_COMPLETED);
  va_store_upsert_result (store, result, &error);
  g_assert_no_error (error);
  results = va_store_list_results (store, va_job_get_id (second), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  jobs = va_store_list_jobs (store, 1, 10, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (total, ==, 2);
}

/* A statement that failed is reset before its next use, and values bound
 * by one call never leak into the next (a parameter left unbound must be
 * NULL again). */
static void
test_store_kept_reset_after_error (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (VaJob) sized = make_job ("u1", 0);
  g_autoptr (VaJob) unsized = make_job ("u1", 1);
  g_autoptr (VaJob) orphan = make_job ("nobody", 2);
  g_autoptr (VaJob) back = NULL;
  g_autoptr (GError) error = NULL;

  add_user (store, "u1");
  va_job_set_video_size_bytes (sized, 4242);
  va_job_set_video_duration_seconds (sized, 3.5);
  va_job_set_error_message (sized, "kept?");
  va_store_insert_job (store, sized, &error);
  g_assert_no_error (error);

  /* the same kept INSERT fails twice, differently */
  va_store_insert_job (store, sized, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  va_store_insert_job (store, orphan, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* and then works, without the first job's optional values */
  va_store_insert_job (store, unsized, &error);
  g_assert_no_error (error);
  back = va_store_get_job (store, va_job_get_id (unsized), &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_video_size_bytes (back), ==, -1);
  g_assert_cmpfloat (va_job_get_video_duration_seconds (back), <, 0);
  g_assert_null (va_job_get_error_message (back));
  g_clear_object (&back);

  /* a failed read (missing job) leaves the kept SELECT usable */
  back = va_store_get_job (store, "no-such-job", &error);
  g_assert_null (back);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  back = va_store_get_job (store, va_job_get_id (sized), &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_video_size_bytes (back), ==, 4242);

  /* a guarded UPDATE that changes nothing, then one that does */
  va_store_set_job_status (store, va_job_get_id (sized), VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  va_store_set_job_status (store, va_job_get_id (sized), VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_set_job_progress (store, va_job_get_id (sized), 40, &error);
  g_assert_no_error (error);
}

/* Kept statements are reset when a call returns: no read transaction
 * stays open, so a checkpoint by another connection can copy the whole
 * write-ahead log back (it could not past a snapshot still in use). */
static void
test_store_kept_no_open_reads (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  sqlite3 *db;
  int log_frames = -1, checkpointed = -1;

  add_user (store, "u1");
  for (int i = 0; i < 5; i++) {
    g_autoptr (VaJob) job = make_job ("u1", i);
    g_autoptr (VaJob) back = NULL;
    g_autoptr (GPtrArray) jobs = NULL;
    g_autoptr (GPtrArray) results = NULL;

    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
    back = va_store_get_job (store, va_job_get_id (job), &error);
    g_assert_no_error (error);
    jobs = va_store_list_jobs (store, 1, 2, 0, NULL, NULL, &error);
    g_assert_no_error (error);
    results = va_store_list_results (store, va_job_get_id (job), &error);
    g_assert_no_error (error);
  }
  db = raw_open (dir);
  g_assert_cmpint (raw_int (db, "SELECT COUNT(*) FROM jobs"), ==, 5);
  g_assert_cmpint (
      sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed),
      ==, SQLITE_OK);
  g_assert_cmpint (log_frames, ==, 0); /* truncated: every frame was copied back */

  /* what the check would see with a read left open */
  {
    sqlite3 *reader = raw_open (dir);
    sqlite3_stmt *open_read = NULL;
    g_autoptr (VaJob) job = make_job ("u1", 9);

    g_assert_cmpint (sqlite3_prepare_v2 (reader, "SELECT id FROM jobs", -1, &open_read, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (open_read), ==, SQLITE_ROW);
    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
    sqlite3_busy_timeout (db, 0);
    g_assert_cmpint (sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                                &checkpointed),
                     ==, SQLITE_BUSY);
    sqlite3_finalize (open_read);
    sqlite3_close (reader);
  }
  sqlite3_close (db);
}

typedef struct {
  VaStore *store;
  guint index;
  guint n_jobs;
} ThreadData;

static gpointer
kept_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autofree char *user = g_strdup_printf ("user%u", data->index);
  g_autoptr (GError) error = NULL;

  va_store_upsert_user (data->store, user, user, NULL, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < data->n_jobs; i++) {
    g_autoptr (VaJob) job = make_job (user, (int)i);
    g_autoptr (VaJob) back = NULL;
    g_autoptr (GPtrArray) mine = NULL;
    g_autoptr (VaAuditEntry) entry = va_audit_entry_new ("job.create");
    guint64 total = 0;

    va_store_insert_job (data->store, job, &error);
    g_assert_no_error (error);
    va_store_set_job_status (data->store, va_job_get_id (job), VA_JOB_STATUS_RUNNING, NULL, &error);
    g_assert_no_error (error);
    va_store_set_job_progress (data->store, va_job_get_id (job), 50, &error);
    g_assert_no_error (error);
    back = va_store_get_job (data->store, va_job_get_id (job), &error);
    g_assert_no_error (error);
    /* each thread sees its own writes at once, whatever the others do */
    g_assert_cmpstr (va_job_get_user_id (back), ==, user);
    g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_RUNNING);
    g_assert_cmpfloat (va_job_get_progress (back), ==, 50);
    mine = va_store_list_jobs (data->store, 1, 1000, 0, user, &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, i + 1);
    g_assert_cmpuint (mine->len, ==, i + 1);
    va_audit_entry_set_user_id (entry, user);
    va_store_append_audit (data->store, entry, &error);
    g_assert_no_error (error);
    va_store_record_key_use (data->store, user, NULL);
  }
  return NULL;
}

/* Worker threads and the main thread share one store and its kept
 * statements, on both connections. */
static void
test_store_kept_threads (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  ThreadData data[4];
  GThread *threads[G_N_ELEMENTS (data)];
  VaStoreStats stats;
  guint64 total = 0, count = 0;
  const guint n_jobs = 40;

  for (guint t = 0; t < G_N_ELEMENTS (data); t++) {
    data[t] = (ThreadData){ store, t, n_jobs };
    threads[t] = g_thread_new ("store-test", kept_thread, &data[t]);
  }
  for (guint t = 0; t < G_N_ELEMENTS (data); t++)
    g_thread_join (threads[t]);

  all = va_store_list_jobs (store, 1, 1000, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, G_N_ELEMENTS (data) * n_jobs);
  g_assert_true (va_store_get_stats (store, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_RUNNING], ==, G_N_ELEMENTS (data) * n_jobs);
  g_assert_true (va_store_get_key_usage (store, "user2", NULL, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n_jobs);
}

/* batches: summaries per owner, the batch filters of the job list, and a
 * failed job put back in the queue */
static void
test_store_batches (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batches = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (VaBatch) batch = NULL;
  g_autoptr (VaJob) reread = NULL;
  g_autofree char *ids[5] = { NULL };
  const char *batch_of[5] = { "b1", "b1", "b2", NULL, "b1" };
  const char *owner_of[5] = { "alice", "alice", "alice", "alice", "bob" };
  VaJobFilter filter = { 0 };
  guint64 total = 0;

  add_user (store, "alice");
  add_user (store, "bob");
  for (int i = 0; i < 5; i++) {
    g_autoptr (VaJob) job = make_job (owner_of[i], i * 10);
    va_job_set_batch_id (job, batch_of[i]);
    va_job_set_batch_name (job, batch_of[i] != NULL ? "Name" : NULL);
    ids[i] = g_strdup (va_job_get_id (job));
    va_store_insert_job (store, job, &error);
    g_assert_no_error (error);
  }
  /* job 0 runs and fails */
  va_store_set_job_status (store, ids[0], VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, ids[0], VA_JOB_STATUS_FAILED, "boom", &error);
  g_assert_no_error (error);

  batches = va_store_list_batches (store, "alice", 1, 10, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2);
  /* newest first */
  g_assert_cmpstr (va_batch_get_id (batches->pdata[0]), ==, "b2");
  g_assert_cmpstr (va_batch_get_id (batches->pdata[1]), ==, "b1");
  g_assert_cmpuint (va_batch_get_total (batches->pdata[1]), ==, 2);
  g_assert_cmpuint (va_batch_get_count (batches->pdata[1], VA_JOB_STATUS_FAILED), ==, 1);
  g_assert_cmpfloat (va_batch_get_completion_percentage (batches->pdata[1]), ==, 50.0);
  g_clear_pointer (&batches, g_ptr_array_unref);
  batches = va_store_list_batches (store, NULL, 2, 1, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2);
  g_assert_cmpuint (va_batch_get_total (batches->pdata[0]), ==, 3);

  batch = va_store_get_batch (store, "b1", "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (va_batch_get_total (batch), ==, 1);
  g_clear_object (&batch);
  batch = va_store_get_batch (store, "nothing", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (va_batch_get_total (batch), ==, 0);

  filter.batch_id = "b1";
  jobs = va_store_list_jobs_filtered (store, 1, 10, &filter, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  filter.batch_id = NULL;
  filter.unbatched_only = TRUE;
  jobs = va_store_list_jobs_filtered (store, 1, 10, &filter, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (va_job_get_id (jobs->pdata[0]), ==, ids[3]);
  g_clear_pointer (&jobs, g_ptr_array_unref);
  jobs = va_store_list_batch_jobs (store, "b1", "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 2);

  /* only failed or cancelled jobs go back to pending */
  g_assert_false (va_store_requeue_job (store, ids[1], &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (va_store_requeue_job (store, "no-such-job", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (va_store_requeue_job (store, ids[0], &error));
  g_assert_no_error (error);
  reread = va_store_get_job (store, ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (reread), ==, VA_JOB_STATUS_PENDING);
  g_assert_null (va_job_get_error_message (reread));
  g_assert_null (va_job_get_completed_at (reread));
  g_assert_cmpstr (va_job_get_batch_id (reread), ==, "b1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open/empty", test_store_open_empty);
  g_test_add_func ("/store/open/migrate-from-v1", test_store_migrate_from_v1);
  g_test_add_func ("/store/open/foreign", test_store_open_foreign);
  g_test_add_func ("/store/open/newer", test_store_open_newer);
  g_test_add_func ("/store/open/concurrent-create", test_store_open_concurrent_create);
  g_test_add_func ("/store/open/errors", test_store_open_errors);
  g_test_add_func ("/store/jobs/roundtrip", test_store_job_roundtrip);
  g_test_add_func ("/store/jobs/errors", test_store_job_errors);
  g_test_add_func ("/store/jobs/metacharacters", test_store_metacharacters);
  g_test_add_func ("/store/jobs/list", test_store_list);
  g_test_add_func ("/store/jobs/status-guard", test_store_status_guard);
  g_test_add_func ("/store/jobs/delete-cascade", test_store_delete_cascade);
  g_test_add_func ("/store/results", test_store_results);
  g_test_add_func ("/store/audit", test_store_audit);
  g_test_add_func ("/store/key-usage", test_store_key_usage);
  g_test_add_func ("/store/stats", test_store_stats);
  g_test_add_func ("/store/recover", test_store_recover);
  g_test_add_func ("/store/backup", test_store_backup);
  g_test_add_func ("/store/two-connections", test_store_two_connections);
  g_test_add_func ("/store/kept/schema-change", test_store_kept_schema_change);
  g_test_add_func ("/store/kept/reset-after-error", test_store_kept_reset_after_error);
  g_test_add_func ("/store/kept/no-open-reads", test_store_kept_no_open_reads);
  g_test_add_func ("/store/kept/threads", test_store_kept_threads);
  g_test_add_func ("/store/batches", test_store_batches);
  return g_test_run ();
}
