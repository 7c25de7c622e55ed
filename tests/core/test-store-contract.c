/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-error.h"
#include "va-store-open.h"
#include "va-test-dir.h"

/* The behaviour every store backend owes the engine, checked through
 * va_store_open() and the va_store_*() functions only: nothing here
 * knows what is behind the interface. Each test runs once per backend in
 * `backends`; a backend gives a URL naming a new, empty store. A backend
 * that needs a server (PostgreSQL) adds its entry here and creates a
 * fresh database or schema in its new_url(). */

typedef struct {
  const char *name;
  char *(*new_url) (const char *dir);
} Backend;

static char *
sqlite_path_url (const char *dir)
{
  return g_build_filename (dir, "videoannotator.db", NULL);
}

static char *
sqlite_scheme_url (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "videoannotator.db", NULL);

  /* sqlite:///relative or sqlite:////absolute, as DATABASE_URL */
  return g_strconcat ("sqlite:///", path, NULL);
}

static const Backend backends[] = {
  { "sqlite", sqlite_path_url },
  { "sqlite-url", sqlite_scheme_url },
};

typedef struct {
  const Backend *backend;
  VaTestDir *dir;
  char *url;
  VaStore *store;
} Fixture;

static VaStore *
reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  VaStore *store = va_store_open (f->url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->backend = data;
  f->dir = va_test_dir_new ();
  f->url = f->backend->new_url (f->dir);
  f->store = reopen (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  g_free (f->url);
  g_clear_pointer (&f->dir, va_test_dir_free);
}

static GDateTime *
at (int seconds)
{
  return g_date_time_new_from_unix_utc (1700000000 + seconds);
}

static void
add_user (VaStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (va_store_upsert_user (store, id, id, NULL, FALSE, &error));
  g_assert_no_error (error);
}

/* a pending job of @user created @offset seconds after a fixed time */
static void
add_job (VaStore *store, const char *id, const char *user, int offset)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_job_new_with_id (id);
  g_autoptr (GDateTime) created = at (offset);

  va_job_set_user_id (job, user);
  va_job_set_created_at (job, created);
  g_assert_true (va_store_insert_job (store, job, &error));
  g_assert_no_error (error);
}

static void
set_status (VaStore *store, const char *id, VaJobStatus status)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (va_store_set_job_status (store, id, status, NULL, &error));
  g_assert_no_error (error);
}

static VaJob *
get_job (VaStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  VaJob *job = va_store_get_job (store, id, &error);

  g_assert_no_error (error);
  return job;
}

static void
test_open (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) again = NULL;
  g_autoptr (VaJob) job = NULL;

  g_assert_cmpuint (va_store_get_schema_version (f->store), ==, VA_STORE_SCHEMA_VERSION);
  g_assert_nonnull (va_store_get_backend_name (f->store));
  g_assert_nonnull (va_store_get_location (f->store));
  /* the location is shown to operators: never a password */
  g_assert_null (strstr (va_store_get_location (f->store), "password"));

  add_user (f->store, "alice");
  add_job (f->store, "j1", "alice", 0);
  g_clear_object (&f->store);
  again = reopen (f);
  g_assert_cmpuint (va_store_get_schema_version (again), ==, VA_STORE_SCHEMA_VERSION);
  job = va_store_get_job (again, "j1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_user_id (job), ==, "alice");
}

static void
test_job_roundtrip (Fixture *f, gconstpointer data)
{
  const char *const pipelines[] = { "scene_detection", "face_analysis", NULL };
  const char *const warnings[] = { "no audio", "'; DROP TABLE jobs; --", NULL };
  const char *nasty = "Robert'); DELETE FROM users WHERE ('1'='1 日本語 ✓ %_\\";
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_job_new_with_id ("job-1");
  g_autoptr (VaJob) back = NULL;
  g_autoptr (JsonObject) config = json_object_new ();
  g_autoptr (JsonObject) consent = json_object_new ();
  g_autoptr (GDateTime) created = g_date_time_new_utc (2026, 3, 4, 5, 6, 7.123456);

  add_user (f->store, "alice");
  json_object_set_string_member (config, "note", nasty);
  json_object_set_int_member (config, "fps", 5);
  json_object_set_boolean_member (consent, "faces", TRUE);
  va_job_set_user_id (job, "alice");
  va_job_set_video_path (job, "job-1/input.mp4");
  va_job_set_video_filename (job, nasty);
  va_job_set_video_size_bytes (job, 123456789012);
  va_job_set_video_duration_seconds (job, 61.5);
  va_job_set_config (job, config);
  va_job_set_selected_pipelines (job, pipelines);
  va_job_set_consent (job, consent);
  va_job_set_created_at (job, created);
  va_job_set_storage_path (job, "job-1");
  va_job_set_input_sha256 (job, "ab12");
  va_job_set_warnings (job, warnings);
  va_job_set_batch_id (job, "batch-1");
  va_job_set_batch_name (job, nasty);
  va_job_set_rerun_of (job, "job-0");
  g_assert_true (va_store_insert_job (f->store, job, &error));
  g_assert_no_error (error);

  back = get_job (f->store, "job-1");
  g_assert_cmpstr (va_job_get_id (back), ==, "job-1");
  g_assert_cmpint (va_job_get_status (back), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpstr (va_job_get_user_id (back), ==, "alice");
  g_assert_cmpstr (va_job_get_video_path (back), ==, "job-1/input.mp4");
  g_assert_cmpstr (va_job_get_video_filename (back), ==, nasty);
  g_assert_cmpint (va_job_get_video_size_bytes (back), ==, 123456789012);
  g_assert_cmpfloat (va_job_get_video_duration_seconds (back), ==, 61.5);
  g_assert_cmpstr (json_object_get_string_member (va_job_get_config (back), "note"), ==, nasty);
  g_assert_cmpint (json_object_get_int_member (va_job_get_config (back), "fps"), ==, 5);
  g_assert_true (
      g_strv_equal ((const char *const *)va_job_get_selected_pipelines (back), pipelines));
  g_assert_true (json_object_get_boolean_member (va_job_get_consent (back), "faces"));
  /* microseconds survive */
  g_assert_true (g_date_time_equal (va_job_get_created_at (back), created));
  g_assert_null (va_job_get_started_at (back));
  g_assert_cmpstr (va_job_get_storage_path (back), ==, "job-1");
  g_assert_cmpstr (va_job_get_input_sha256 (back), ==, "ab12");
  g_assert_true (g_strv_equal (va_job_get_warnings (back), warnings));
  g_assert_cmpstr (va_job_get_batch_id (back), ==, "batch-1");
  g_assert_cmpstr (va_job_get_batch_name (back), ==, nasty);
  g_assert_cmpstr (va_job_get_rerun_of (back), ==, "job-0");
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 1);

  /* an unknown duration and size stay unknown */
  add_job (f->store, "job-2", NULL, 1);
  g_clear_object (&back);
  back = get_job (f->store, "job-2");
  g_assert_cmpint (va_job_get_video_size_bytes (back), <, 0);
  g_assert_cmpfloat (va_job_get_video_duration_seconds (back), <, 0);
  g_assert_null (va_job_get_user_id (back));
  /* created earlier (2023), so it is ahead in the queue: creation order */
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 1);
  g_clear_object (&back);
  back = get_job (f->store, "job-1");
  g_assert_cmpuint (va_job_get_queue_position (back), ==, 2);
  g_assert_true (va_store_set_job_video_duration (f->store, "job-2", 4.5, &error));
  g_assert_no_error (error);
  g_clear_object (&back);
  back = get_job (f->store, "job-2");
  g_assert_cmpfloat (va_job_get_video_duration_seconds (back), ==, 4.5);
}

static void
test_job_errors (Fixture *f, gconstpointer data)
{
  const char *const bad_paths[] = { "/etc/passwd", "../escape", "a/../../b", "", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) orphan = va_job_new_with_id ("orphan");
  g_autoptr (VaJob) missing = NULL;

  add_user (f->store, "alice");
  add_job (f->store, "j1", "alice", 0);
  {
    g_autoptr (VaJob) again = va_job_new_with_id ("j1");
    g_assert_false (va_store_insert_job (f->store, again, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
    g_clear_error (&error);
  }
  va_job_set_user_id (orphan, "nobody");
  g_assert_false (va_store_insert_job (f->store, orphan, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  for (guint i = 0; bad_paths[i] != NULL; i++) {
    g_autoptr (VaJob) bad = va_job_new_with_id ("bad");
    va_job_set_video_path (bad, bad_paths[i]);
    g_assert_false (va_store_insert_job (f->store, bad, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    g_autoptr (VaJob) bad = va_job_new_with_id ("bad");
    va_job_set_video_filename (bad, "dir/name.mp4");
    g_assert_false (va_store_insert_job (f->store, bad, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  missing = va_store_get_job (f->store, "bad", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);

  g_assert_false (va_store_upsert_user (f->store, "", "x", NULL, FALSE, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (va_store_set_job_progress (f->store, "nope", 5, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_store_set_job_video_duration (f->store, "nope", 1, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_store_delete_job (f->store, "nope", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) page = NULL;
  guint64 total = 0;

  add_user (f->store, "alice");
  add_user (f->store, "bob");
  /* inserted out of creation order; two share one creation time */
  add_job (f->store, "c", "alice", 20);
  add_job (f->store, "a", "bob", 0);
  add_job (f->store, "b1", "alice", 10);
  add_job (f->store, "b2", "bob", 10);
  add_job (f->store, "d", "alice", 30);
  set_status (f->store, "a", VA_JOB_STATUS_RUNNING);

  page = va_store_list_jobs (f->store, 1, 2, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 5);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (page->pdata[0]), ==, "a");
  g_assert_cmpstr (va_job_get_id (page->pdata[1]), ==, "b1");
  g_assert_cmpuint (va_job_get_queue_position (page->pdata[0]), ==, 0);
  g_assert_cmpuint (va_job_get_queue_position (page->pdata[1]), ==, 1);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = va_store_list_jobs (f->store, 2, 2, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (page->pdata[0]), ==, "b2");
  g_assert_cmpstr (va_job_get_id (page->pdata[1]), ==, "c");
  g_assert_cmpuint (va_job_get_queue_position (page->pdata[1]), ==, 3);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = va_store_list_jobs (f->store, 4, 2, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_assert_cmpuint (total, ==, 5);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = va_store_list_jobs (f->store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_STATUS_PENDING), "alice",
                             &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpstr (va_job_get_id (page->pdata[0]), ==, "b1");
  g_assert_cmpstr (va_job_get_id (page->pdata[2]), ==, "d");
  g_clear_pointer (&page, g_ptr_array_unref);

  page = va_store_list_jobs (f->store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_STATUS_RUNNING), NULL,
                             &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (va_job_get_id (page->pdata[0]), ==, "a");
  g_clear_pointer (&page, g_ptr_array_unref);

  page = va_store_list_jobs (f->store, 0, 10, 0, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  page = va_store_list_jobs (f->store, 1, VA_STORE_MAX_PER_PAGE + 1, 0, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  page = va_store_list_jobs (f->store, 1, 10, VA_JOB_STATUS_MASK (VA_JOB_N_STATUSES), NULL, NULL,
                             &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (page);
}

static void
test_status (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = NULL;

  add_job (f->store, "j", NULL, 0);
  /* pending cannot complete, nor have progress */
  g_assert_false (va_store_set_job_status (f->store, "j", VA_JOB_STATUS_COMPLETED, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (va_store_set_job_progress (f->store, "j", 10, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);

  set_status (f->store, "j", VA_JOB_STATUS_RUNNING);
  g_assert_true (va_store_set_job_progress (f->store, "j", 250, &error));
  job = get_job (f->store, "j");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_RUNNING);
  g_assert_nonnull (va_job_get_started_at (job));
  g_assert_cmpfloat (va_job_get_progress (job), ==, 100);
  g_clear_object (&job);

  /* a graceful shutdown re-queues without counting a retry */
  g_assert_true (
      va_store_set_job_status (f->store, "j", VA_JOB_STATUS_PENDING, "shutting down", &error));
  job = get_job (f->store, "j");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_null (va_job_get_started_at (job));
  g_assert_cmpfloat (va_job_get_progress (job), ==, 0);
  g_assert_cmpuint (va_job_get_retry_count (job), ==, 0);
  g_clear_object (&job);

  set_status (f->store, "j", VA_JOB_STATUS_RUNNING);
  g_assert_true (
      va_store_set_job_status (f->store, "j", VA_JOB_STATUS_CANCELLED, "by user", &error));
  /* a late completion does not overwrite the cancellation */
  g_assert_false (va_store_set_job_status (f->store, "j", VA_JOB_STATUS_COMPLETED, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_clear_error (&error);
  job = get_job (f->store, "j");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpstr (va_job_get_error_message (job), ==, "by user");
  g_assert_nonnull (va_job_get_cancelled_at (job));
  g_assert_nonnull (va_job_get_completed_at (job));
  g_clear_object (&job);

  add_job (f->store, "k", NULL, 1);
  set_status (f->store, "k", VA_JOB_STATUS_RUNNING);
  set_status (f->store, "k", VA_JOB_STATUS_COMPLETED);
  job = get_job (f->store, "k");
  g_assert_cmpfloat (va_job_get_progress (job), ==, 100);
  g_assert_nonnull (va_job_get_completed_at (job));

  g_assert_false (va_store_set_job_status (f->store, "nope", VA_JOB_STATUS_RUNNING, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_warnings (Fixture *f, gconstpointer data)
{
  const char *const warnings[] = { "one", "two", NULL };
  const char *const none[] = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = NULL;

  add_job (f->store, "j", NULL, 0);
  g_assert_true (va_store_set_job_warnings (f->store, "j", warnings, &error));
  job = get_job (f->store, "j");
  g_assert_true (g_strv_equal (va_job_get_warnings (job), warnings));
  g_clear_object (&job);
  g_assert_true (va_store_set_job_warnings (f->store, "j", none, &error));
  job = get_job (f->store, "j");
  g_assert_true (va_job_get_warnings (job) == NULL || va_job_get_warnings (job)[0] == NULL);
  g_assert_false (va_store_set_job_warnings (f->store, "nope", warnings, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_results (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GDateTime) start = at (5);
  const char *names[] = { "scene_detection", "audio_processing", "face_analysis" };

  add_job (f->store, "j", NULL, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (VaJobResult) result = va_job_result_new ("j", names[i]);
    va_job_result_set_status (result, VA_JOB_STATUS_RUNNING);
    g_assert_true (va_store_upsert_result (f->store, result, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr (VaJobResult) result = va_job_result_new ("j", "audio_processing");
    va_job_result_set_status (result, VA_JOB_STATUS_COMPLETED);
    va_job_result_set_start_time (result, start);
    va_job_result_set_processing_time (result, 2.25);
    va_job_result_set_annotation_count (result, 42);
    va_job_result_set_output_file (result, "j/audio.vtt");
    g_assert_true (va_store_upsert_result (f->store, result, &error));
    g_assert_no_error (error);
  }
  results = va_store_list_results (f->store, "j", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (va_job_result_get_pipeline_name (results->pdata[i]), ==, names[i]);
  g_assert_cmpint (va_job_result_get_status (results->pdata[1]), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_true (g_date_time_equal (va_job_result_get_start_time (results->pdata[1]), start));
  g_assert_cmpfloat (va_job_result_get_processing_time (results->pdata[1]), ==, 2.25);
  g_assert_cmpint (va_job_result_get_annotation_count (results->pdata[1]), ==, 42);
  g_assert_cmpstr (va_job_result_get_output_file (results->pdata[1]), ==, "j/audio.vtt");
  g_clear_pointer (&results, g_ptr_array_unref);

  {
    g_autoptr (VaJobResult) orphan = va_job_result_new ("nope", "scene_detection");
    g_assert_false (va_store_upsert_result (f->store, orphan, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr (VaJobResult) escape = va_job_result_new ("j", "scene_detection");
    va_job_result_set_output_file (escape, "../../etc/passwd");
    g_assert_false (va_store_upsert_result (f->store, escape, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  results = va_store_list_results (f->store, "nope", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (results);
}

static void
test_audit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) t10 = at (10);
  g_autoptr (GDateTime) t20 = at (20);
  gint64 last_id = 0;

  for (int i = 0; i < 30; i++) {
    g_autoptr (VaAuditEntry) entry = va_audit_entry_new (i % 3 == 0 ? "job.delete" : "job.create");
    g_autoptr (GDateTime) when = at (i);
    g_autoptr (JsonObject) detail = json_object_new ();

    json_object_set_int_member (detail, "n", i);
    va_audit_entry_set_time (entry, when);
    va_audit_entry_set_user_id (entry, i % 2 ? "alice" : "bob");
    va_audit_entry_set_key_prefix (entry, "va_abc");
    va_audit_entry_set_target (entry, "job-x");
    va_audit_entry_set_request_id (entry, "req");
    va_audit_entry_set_detail (entry, detail);
    g_assert_true (va_store_append_audit (f->store, entry, &error));
    g_assert_no_error (error);
    g_assert_cmpint (va_audit_entry_get_id (entry), >, last_id);
    last_id = va_audit_entry_get_id (entry);
  }
  {
    g_autoptr (VaAuditEntry) empty = va_audit_entry_new ("");
    g_assert_false (va_store_append_audit (f->store, empty, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  entries = va_store_list_audit (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 30);
  /* newest first */
  g_assert_cmpint (json_object_get_int_member (va_audit_entry_get_detail (entries->pdata[0]), "n"),
                   ==, 29);
  g_assert_cmpstr (va_audit_entry_get_request_id (entries->pdata[0]), ==, "req");
  g_clear_pointer (&entries, g_ptr_array_unref);

  {
    VaAuditQuery query = { .user_id = "alice", .action = "job.delete", .since = t10, .until = t20 };
    entries = va_store_list_audit (f->store, &query, &error);
    g_assert_no_error (error);
    /* odd multiples of 3 in [10, 20): 15 */
    g_assert_cmpuint (entries->len, ==, 1);
    g_assert_cmpint (
        json_object_get_int_member (va_audit_entry_get_detail (entries->pdata[0]), "n"), ==, 15);
    g_clear_pointer (&entries, g_ptr_array_unref);
  }
  {
    VaAuditQuery query = { .key_prefix = "va_abc", .limit = 5, .offset = 5 };
    entries = va_store_list_audit (f->store, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 5);
    g_assert_cmpint (
        json_object_get_int_member (va_audit_entry_get_detail (entries->pdata[0]), "n"), ==, 24);
  }
}

static void
test_key_usage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) t1 = at (1);
  g_autoptr (GDateTime) t9 = at (9);
  g_autoptr (GDateTime) last = NULL;
  g_autoptr (VaStore) again = NULL;
  guint64 count = 0;

  g_assert_true (va_store_get_key_usage (f->store, "k", &last, &count, &error));
  g_assert_null (last);
  g_assert_cmpuint (count, ==, 0);

  va_store_record_key_use (f->store, "k", t9);
  va_store_record_key_use (f->store, "k", t1);
  /* pending uses count before they are written */
  g_assert_true (va_store_get_key_usage (f->store, "k", &last, &count, &error));
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (g_date_time_equal (last, t9));
  g_clear_pointer (&last, g_date_time_unref);
  g_assert_true (va_store_flush_key_usage (f->store, &error));
  g_assert_no_error (error);
  /* later flushes add up; the latest use wins */
  va_store_record_key_use (f->store, "k", t1);
  g_assert_true (va_store_flush_key_usage (f->store, &error));

  /* disposing writes what is pending */
  va_store_record_key_use (f->store, "other", t1);
  g_clear_object (&f->store);
  again = reopen (f);
  g_assert_true (va_store_get_key_usage (again, "k", &last, &count, &error));
  g_assert_cmpuint (count, ==, 3);
  g_assert_true (g_date_time_equal (last, t9));
  g_assert_true (va_store_get_key_usage (again, "other", NULL, &count, &error));
  g_assert_cmpuint (count, ==, 1);
}

static void
test_deletion (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GHashTable) all = NULL;
  g_autoptr (VaJob) job = NULL;
  VaStoreStats stats;
  gboolean was_active = FALSE;
  guint64 total = 0;

  add_job (f->store, "a", NULL, 0);
  add_job (f->store, "b", NULL, 1);
  add_job (f->store, "c", NULL, 2);
  set_status (f->store, "b", VA_JOB_STATUS_RUNNING);
  set_status (f->store, "b", VA_JOB_STATUS_COMPLETED);

  g_assert_true (va_store_mark_job_deleting (f->store, "a", &was_active, &error));
  g_assert_true (was_active);
  g_assert_true (va_store_mark_job_deleting (f->store, "b", &was_active, &error));
  g_assert_false (was_active);
  /* the loser of two deletions */
  g_assert_false (va_store_mark_job_deleting (f->store, "a", NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* marked jobs are gone from every read and cannot change */
  job = va_store_get_job (f->store, "a", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_store_set_job_status (f->store, "a", VA_JOB_STATUS_RUNNING, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (
      va_store_set_job_warnings (f->store, "a", (const char *const[]){ "x", NULL }, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ids = va_store_list_jobs (f->store, 1, 10, 0, NULL, &total, &error);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_assert_true (va_store_get_stats (f->store, &stats, &error));
  g_assert_cmpuint (stats.total_jobs, ==, 1);

  ids = va_store_list_deleting_jobs (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (ids->pdata[0], ==, "a");
  g_assert_cmpstr (ids->pdata[1], ==, "b");
  g_clear_pointer (&ids, g_ptr_array_unref);
  all = va_store_dup_job_ids (f->store, &error);
  g_assert_cmpuint (g_hash_table_size (all), ==, 3);
  g_clear_pointer (&all, g_hash_table_unref);

  g_assert_true (va_store_delete_job (f->store, "a", &error));
  g_assert_true (va_store_delete_job (f->store, "c", &error));
  g_assert_no_error (error);
  ids = va_store_list_deleting_jobs (f->store, &error);
  g_assert_cmpuint (ids->len, ==, 1);
  all = va_store_dup_job_ids (f->store, &error);
  g_assert_cmpuint (g_hash_table_size (all), ==, 1);
  g_assert_true (g_hash_table_contains (all, "b"));
}

static void
test_delete_cascades (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJobResult) result = va_job_result_new ("j", "scene_detection");
  g_autoptr (GPtrArray) results = NULL;
  VaStoreStats stats;

  add_job (f->store, "j", NULL, 0);
  va_job_result_set_annotation_count (result, 7);
  g_assert_true (va_store_upsert_result (f->store, result, &error));
  g_assert_true (va_store_delete_job (f->store, "j", &error));
  g_assert_no_error (error);
  /* a new job with the same id starts without the old results */
  add_job (f->store, "j", NULL, 1);
  results = va_store_list_results (f->store, "j", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_assert_true (va_store_get_stats (f->store, &stats, &error));
  g_assert_cmpuint (stats.total_annotations, ==, 0);
}

static void
test_user_erasure (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  guint64 count = 0;
  gboolean existed = FALSE;

  add_user (f->store, "alice");
  add_user (f->store, "bob");
  add_job (f->store, "a2", "alice", 2);
  add_job (f->store, "a1", "alice", 1);
  add_job (f->store, "b1", "bob", 0);
  g_assert_true (va_store_mark_job_deleting (f->store, "a1", NULL, &error));
  va_store_record_key_use (f->store, "alice-key", NULL);
  va_store_record_key_use (f->store, "bob-key", NULL);
  g_assert_true (va_store_flush_key_usage (f->store, &error));

  ids = va_store_list_user_job_ids (f->store, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (ids->pdata[0], ==, "a1");
  g_assert_cmpstr (ids->pdata[1], ==, "a2");

  g_ptr_array_add (keys, (gpointer) "alice-key");
  g_assert_true (va_store_delete_user (f->store, "alice", keys, &existed, &error));
  g_assert_no_error (error);
  g_assert_true (existed);
  g_assert_true (va_store_delete_user (f->store, "alice", keys, &existed, &error));
  g_assert_false (existed);
  g_assert_true (va_store_get_key_usage (f->store, "alice-key", NULL, &count, &error));
  g_assert_cmpuint (count, ==, 0);
  g_assert_true (va_store_get_key_usage (f->store, "bob-key", NULL, &count, &error));
  g_assert_cmpuint (count, ==, 1);
}

static void
test_recover (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = NULL;
  guint requeued = 9, failed = 9;

  add_job (f->store, "fresh", NULL, 0);
  add_job (f->store, "waiting", NULL, 1);
  set_status (f->store, "fresh", VA_JOB_STATUS_RUNNING);
  g_assert_true (va_store_recover_running (f->store, 1, &requeued, &failed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (requeued, ==, 1);
  g_assert_cmpuint (failed, ==, 0);
  job = get_job (f->store, "fresh");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpuint (va_job_get_retry_count (job), ==, 1);
  g_assert_nonnull (va_job_get_error_message (job));
  g_clear_object (&job);

  /* interrupted again, past the retries */
  set_status (f->store, "fresh", VA_JOB_STATUS_RUNNING);
  g_assert_true (va_store_recover_running (f->store, 1, &requeued, &failed, &error));
  g_assert_cmpuint (requeued, ==, 0);
  g_assert_cmpuint (failed, ==, 1);
  job = get_job (f->store, "fresh");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_FAILED);
  g_clear_object (&job);
  job = get_job (f->store, "waiting");
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpuint (va_job_get_retry_count (job), ==, 0);
}

static void
test_stats (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VaStoreStats stats;

  add_job (f->store, "a", NULL, 0);
  add_job (f->store, "b", NULL, 1);
  add_job (f->store, "c", NULL, 2);
  set_status (f->store, "a", VA_JOB_STATUS_RUNNING);
  set_status (f->store, "b", VA_JOB_STATUS_FAILED);
  for (guint i = 0; i < 2; i++) {
    g_autoptr (VaJobResult) result = va_job_result_new ("a", i ? "x" : "y");
    va_job_result_set_annotation_count (result, 10 + i);
    g_assert_true (va_store_upsert_result (f->store, result, &error));
  }
  g_assert_true (va_store_get_stats (f->store, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.total_jobs, ==, 3);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_PENDING], ==, 1);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_RUNNING], ==, 1);
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_FAILED], ==, 1);
  g_assert_cmpuint (stats.total_annotations, ==, 21);
  g_assert_cmpuint (stats.database_size_bytes, >, 0);
}

/* A backend either writes a snapshot that opens as a store with the same
 * rows, or says it cannot. */
static void
test_backup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "copy.db", NULL);
  g_autoptr (VaStore) copy = NULL;
  g_autoptr (VaJob) job = NULL;
  guint64 count = 0;

  add_job (f->store, "j", NULL, 0);
  va_store_record_key_use (f->store, "k", NULL);
  if (!va_store_backup (f->store, dest, &error)) {
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_SUPPORTED);
    g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    return;
  }
  /* changes after the snapshot are not in it */
  set_status (f->store, "j", VA_JOB_STATUS_RUNNING);
  copy = va_store_open (dest, &error);
  g_assert_no_error (error);
  job = va_store_get_job (copy, "j", &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_true (va_store_get_key_usage (copy, "k", NULL, &count, &error));
  g_assert_cmpuint (count, ==, 1);
}

#define N_WORKERS 4
#define JOBS_PER_WORKER 25

typedef struct {
  VaStore *store;
  guint index;
} Worker;

static gpointer
worker_run (gpointer user_data)
{
  Worker *w = user_data;
  g_autofree char *user = g_strdup_printf ("user%u", w->index);

  add_user (w->store, user);
  for (guint i = 0; i < JOBS_PER_WORKER; i++) {
    g_autofree char *id = g_strdup_printf ("%s-%u", user, i);
    g_autoptr (VaJob) back = NULL;
    g_autoptr (VaAuditEntry) entry = va_audit_entry_new ("job.create");
    g_autoptr (GError) error = NULL;

    add_job (w->store, id, user, (int)i);
    set_status (w->store, id, VA_JOB_STATUS_RUNNING);
    g_assert_true (va_store_set_job_progress (w->store, id, 50, &error));
    back = get_job (w->store, id);
    g_assert_cmpfloat (va_job_get_progress (back), ==, 50);
    g_assert_true (va_store_append_audit (w->store, entry, &error));
    va_store_record_key_use (w->store, user, NULL);
  }
  return NULL;
}

/* the engine calls the store from the main loop, serving threads and
 * job threads at once */
static void
test_threads (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  Worker workers[N_WORKERS];
  GThread *threads[N_WORKERS];
  VaStoreStats stats;
  guint64 total = 0, count = 0;

  for (guint i = 0; i < N_WORKERS; i++) {
    workers[i] = (Worker){ f->store, i };
    threads[i] = g_thread_new ("worker", worker_run, &workers[i]);
  }
  for (guint i = 0; i < N_WORKERS; i++)
    g_thread_join (threads[i]);

  jobs = va_store_list_jobs (f->store, 1, VA_STORE_MAX_PER_PAGE, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, N_WORKERS * JOBS_PER_WORKER);
  g_assert_true (va_store_get_stats (f->store, &stats, &error));
  g_assert_cmpuint (stats.jobs_by_status[VA_JOB_STATUS_RUNNING], ==, N_WORKERS * JOBS_PER_WORKER);
  g_assert_true (va_store_get_key_usage (f->store, "user2", NULL, &count, &error));
  g_assert_cmpuint (count, ==, JOBS_PER_WORKER);
}

/* Several processes creating one new store at once: all succeed, the
 * schema is built once (test-store.c counts the SQLite migrations). */
typedef struct {
  const char *url;
  GMutex lock;
  GCond cond;
  guint ready;
  GError *errors[N_WORKERS];
  guint versions[N_WORKERS];
} Race;

typedef struct {
  Race *race;
  guint index;
} RaceSide;

static gpointer
race_open (gpointer user_data)
{
  RaceSide *side = user_data;
  Race *race = side->race;
  VaStore *store;

  g_mutex_lock (&race->lock);
  race->ready++;
  g_cond_broadcast (&race->cond);
  while (race->ready < N_WORKERS)
    g_cond_wait (&race->cond, &race->lock);
  g_mutex_unlock (&race->lock);

  store = va_store_open (race->url, &race->errors[side->index]);
  if (store != NULL)
    race->versions[side->index] = va_store_get_schema_version (store);
  g_clear_object (&store);
  return NULL;
}

static void
test_concurrent_create (Fixture *f, gconstpointer data)
{
  for (guint round = 0; round < 10; round++) {
    g_autoptr (VaTestDir) dir = va_test_dir_new ();
    g_autofree char *url = f->backend->new_url (dir);
    Race race = { .url = url };
    RaceSide sides[N_WORKERS];
    GThread *threads[N_WORKERS];

    g_mutex_init (&race.lock);
    g_cond_init (&race.cond);
    for (guint i = 0; i < N_WORKERS; i++) {
      sides[i] = (RaceSide){ &race, i };
      threads[i] = g_thread_new ("opener", race_open, &sides[i]);
    }
    for (guint i = 0; i < N_WORKERS; i++)
      g_thread_join (threads[i]);
    for (guint i = 0; i < N_WORKERS; i++) {
      g_assert_no_error (race.errors[i]);
      g_assert_cmpuint (race.versions[i], ==, VA_STORE_SCHEMA_VERSION);
    }
    g_mutex_clear (&race.lock);
    g_cond_clear (&race.cond);
  }
}

/* ---- va_store_open() itself ------------------------------------------- */

static void
test_open_urls (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *path = g_build_filename (dir, "a.db", NULL);
  g_autofree char *url = g_strconcat ("sqlite:///", path, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaStore) by_path = NULL;
  g_autoptr (VaStore) by_url = NULL;
  g_autoptr (VaJob) job = NULL;
  VaStore *none;

  by_path = va_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_store_get_backend_name (by_path), ==, "sqlite");
  add_job (by_path, "j", NULL, 0);
  by_url = va_store_open (url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_store_get_location (by_url), ==, path);
  job = va_store_get_job (by_url, "j", &error);
  g_assert_no_error (error);

  none = va_store_open ("postgresql://va:secret@db.example/va", &error);
  g_assert_null (none);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "PostgreSQL"));
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
  none = va_store_open ("postgres://db/va", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  none = va_store_open ("mysql://db/va", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  none = va_store_open ("sqlite:relative.db", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  none = va_store_open ("sqlite:///", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (none);
}

int
main (int argc, char **argv)
{
  static const struct {
    const char *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "open", test_open },
    { "jobs/roundtrip", test_job_roundtrip },
    { "jobs/errors", test_job_errors },
    { "jobs/list", test_list },
    { "jobs/status", test_status },
    { "jobs/warnings", test_warnings },
    { "jobs/deletion", test_deletion },
    { "jobs/delete-cascades", test_delete_cascades },
    { "jobs/recover", test_recover },
    { "results", test_results },
    { "audit", test_audit },
    { "key-usage", test_key_usage },
    { "users/erasure", test_user_erasure },
    { "stats", test_stats },
    { "backup", test_backup },
    { "threads", test_threads },
    { "concurrent-create", test_concurrent_create },
  };

  g_test_init (&argc, &argv, NULL);
  for (guint b = 0; b < G_N_ELEMENTS (backends); b++) {
    for (guint t = 0; t < G_N_ELEMENTS (tests); t++) {
      g_autofree char *path
          = g_strdup_printf ("/store-contract/%s/%s", backends[b].name, tests[t].name);
      g_test_add (path, Fixture, &backends[b], fixture_set_up, tests[t].func, fixture_tear_down);
    }
  }
  g_test_add_func ("/store-contract/open-urls", test_open_urls);
  return g_test_run ();
}
