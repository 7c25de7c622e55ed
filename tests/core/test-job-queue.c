/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <gio/gio.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "va-engine-private.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-upload-private.h"
#include "va-test-engine.h"
#include "va-test-media.h"

/* Real jobs through real pipelines: small generated videos, the
 * videoannotator plugin from the build tree. */

static char *short_video; /* 3 s */
static char
    *long_video; /* 5 min: runs long enough to be caught running, even alone on a fast machine */
static char *truncated_video; /* the first half of an MP4: no index */

static const char *const both[] = { "scene_detection", "motion_analysis", NULL };

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
  VaCaller *alice;
  GPtrArray *finished; /* VaJob, in the order they ended */
  GPtrArray *started;  /* char* ids, in the order they started */
  guint n_running;
  guint max_running;
  guint n_progress;
} Fixture;

static void
on_updated (VaEngine *engine, VaJob *job, double progress, Fixture *f)
{
  if (va_job_get_status (job) == VA_JOB_STATUS_RUNNING && progress == 0.0
      && !g_ptr_array_find_with_equal_func (f->started, va_job_get_id (job), g_str_equal, NULL)) {
    g_ptr_array_add (f->started, g_strdup (va_job_get_id (job)));
    f->n_running++;
    f->max_running = MAX (f->max_running, f->n_running);
    /* what the queue says agrees with what the signals say */
    g_assert_cmpuint (va_job_queue_get_n_running (va_engine_get_queue (engine)), ==, f->n_running);
  } else if (progress > 0) {
    f->n_progress++;
  }
}

static void
on_ended (VaEngine *engine, VaJob *job, Fixture *f)
{
  g_ptr_array_add (f->finished, g_object_ref (job));
  if (f->n_running > 0)
    f->n_running--;
}

static void
connect_engine (Fixture *f)
{
  g_signal_connect (f->engine, "job-updated", G_CALLBACK (on_updated), f);
  g_signal_connect (f->engine, "job-completed", G_CALLBACK (on_ended), f);
  g_signal_connect (f->engine, "job-failed", G_CALLBACK (on_ended), f);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, data);
  f->alice = va_caller_new ("alice", VA_SCOPE_READ | VA_SCOPE_WRITE);
  f->finished = g_ptr_array_new_with_free_func (g_object_unref);
  f->started = g_ptr_array_new_with_free_func (g_free);
  connect_engine (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GAsyncResult) res = NULL;

  /* never leave a pipeline running into the next test */
  if (f->engine != NULL) {
    va_engine_shutdown_async (f->engine, NULL, va_test_store_result, &res);
    g_assert_true (va_engine_shutdown_finish (f->engine, va_test_wait_for (&res), NULL));
  }
  g_clear_object (&f->alice);
  g_clear_object (&f->engine);
  g_ptr_array_unref (f->finished);
  g_ptr_array_unref (f->started);
  va_test_dir_free (f->dir);
}

static VaJob *
submit (Fixture *f, const char *path, const char *const *pipelines, const char *config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) object = config != NULL ? va_test_json_object (config) : NULL;
  VaJob *job = va_test_submit_file (f->engine, f->alice, path, pipelines, object, NULL, &error);

  g_assert_no_error (error);
  return job;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting: %s", (const char *)user_data);
  return G_SOURCE_REMOVE;
}

static void
wait_finished (Fixture *f, guint n)
{
  guint id = g_timeout_add_seconds (60, timeout_cb, "jobs to finish");

  while (f->finished->len < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static VaJob *
reload (Fixture *f, VaJob *job)
{
  g_autoptr (GError) error = NULL;
  VaJob *fresh = va_store_get_job (va_engine_get_store (f->engine), va_job_get_id (job), &error);

  g_assert_no_error (error);
  return fresh;
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
test_queue_completes (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) done = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  VaStorage *storage = va_engine_get_storage (f->engine);

  job = submit (f, short_video, both, "{\"motion_analysis\": {\"interval\": 2}}");
  /* submission decodes nothing: the duration is learnt by the run */
  g_assert_cmpfloat (va_job_get_video_duration_seconds (job), <, 0);
  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  wait_finished (f, 1);

  done = reload (f, job);
  g_assert_cmpint (va_job_get_status (done), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_null (va_job_get_error_message (done));
  g_assert_cmpfloat (va_job_get_progress (done), ==, 100.0);
  g_assert_nonnull (va_job_get_started_at (done));
  g_assert_nonnull (va_job_get_completed_at (done));
  /* 30 frames at 10 fps, from the container, stored and in the event */
  g_assert_cmpfloat_with_epsilon (va_job_get_video_duration_seconds (done), 3.0, 0.2);
  g_assert_cmpint (va_job_get_status (f->finished->pdata[0]), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_cmpfloat_with_epsilon (va_job_get_video_duration_seconds (f->finished->pdata[0]), 3.0,
                                  0.2);
  g_assert_cmpuint (f->n_progress, >, 0);

  results = va_store_list_results (va_engine_get_store (f->engine), va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);

  /* processing_time is each pipeline's own analyser time, not the job's:
   * both measured, not the same number, and since vascenedetect and
   * vamotion share the video branch's streaming thread, together within
   * the job's wall-clock time */
  {
    double t0 = va_job_result_get_processing_time (results->pdata[0]);
    double t1 = va_job_result_get_processing_time (results->pdata[1]);
    double wall
        = g_date_time_difference (va_job_get_completed_at (done), va_job_get_started_at (done))
          / (double)G_USEC_PER_SEC;

    g_assert_cmpfloat (t0, >, 0);
    g_assert_cmpfloat (t1, >, 0);
    g_assert_cmpfloat (t0, !=, t1);
    g_assert_cmpfloat (t0 + t1, <=, wall);
  }
  for (guint i = 0; i < results->len; i++) {
    VaJobResult *result = results->pdata[i];
    const char *name = va_job_result_get_pipeline_name (result);
    g_autofree char *expected = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *contents = NULL;

    g_assert_cmpint (va_job_result_get_status (result), ==, VA_JOB_STATUS_COMPLETED);
    /* straight in the job directory, as the 1.4 service's clients expect */
    expected = g_strdup_printf ("%s/clip_%s.%s", va_job_get_id (job), name,
                                g_str_equal (name, "scene_detection") ? "json" : "csv");
    g_assert_cmpstr (va_job_result_get_output_file (result), ==, expected);
    g_assert_cmpfloat (va_job_result_get_processing_time (result), >, 0);
    g_assert_cmpint (va_job_result_get_annotation_count (result), >=, 1);
    g_assert_nonnull (va_job_result_get_start_time (result));
    g_assert_nonnull (va_job_result_get_end_time (result));

    path = va_storage_resolve (storage, va_job_result_get_output_file (result), &error);
    g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mode_of (path), ==, 0640);
    dir = g_path_get_dirname (path);
    g_assert_cmpuint (mode_of (dir), ==, 0750);
    if (g_str_equal (name, "scene_detection")) {
      g_assert_nonnull (strstr (contents, "\"categories\""));
    } else {
      /* the job's config reached the element: every 2nd of 30 frames */
      g_assert_cmpint (va_job_result_get_annotation_count (result), ==, 14);
      g_assert_true (g_str_has_prefix (contents, "frame,timestamp"));
    }
  }

  /* downloads work through the engine */
  {
    g_autoptr (GAsyncResult) res = NULL;
    g_autoptr (GInputStream) stream = NULL;
    g_autofree char *basename = NULL;

    va_engine_open_result_file_async (f->engine, f->alice, va_job_get_id (job), "motion_analysis",
                                      NULL, va_test_store_result, &res);
    stream = va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), &basename, NULL,
                                                &error);
    g_assert_no_error (error);
    g_assert_cmpstr (basename, ==, "clip_motion_analysis.csv");
  }
}

/* The input's digest is taken while the upload is written, kept on the job
 * and handed to the result files' provenance: the run does not read the
 * whole input again to hash it (2 GB: ~20 s before decoding could start). */
static void
test_queue_stored_digest (Fixture *f, gconstpointer data)
{
  const char *const scenes[] = { "scene_detection", NULL };
  const char *sentinel = "5e171ae15e171ae15e171ae15e171ae15e171ae15e171ae15e171ae15e171ae1";
  g_autoptr (VaJob) job = submit (f, short_video, scenes, NULL);
  g_autoptr (VaJob) stored = reload (f, job);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *output = NULL;
  g_autofree char *sql = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize length = 0;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (short_video, &contents, &length, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
  g_assert_cmpstr (va_job_get_input_sha256 (job), ==, expected);
  g_assert_cmpstr (va_job_get_input_sha256 (stored), ==, expected);

  /* replace the stored digest: the provenance must show the stored one,
   * which it can only do if the run took it instead of hashing the file */
  g_assert_cmpint (sqlite3_open (va_store_get_location (va_engine_get_store (f->engine)), &db), ==,
                   SQLITE_OK);
  sql = g_strdup_printf ("UPDATE jobs SET input_sha256 = '%s' WHERE id = '%s'", sentinel,
                         va_job_get_id (job));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  wait_finished (f, 1);
  output = va_storage_resolve (va_engine_get_storage (f->engine), va_job_get_id (job), &error);
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (output, "clip_scene_detection.json", NULL);
    g_autofree char *json = NULL;
    JsonObject *provenance;

    g_assert_true (g_file_get_contents (path, &json, NULL, &error));
    g_assert_no_error (error);
    root = json_from_string (json, &error);
    g_assert_no_error (error);
    provenance = json_object_get_object_member (json_node_get_object (root), "provenance");
    g_assert_nonnull (provenance);
    g_assert_cmpstr (json_object_get_string_member (provenance, "input_sha256"), ==, sentinel);
  }
}

/* Server settings are the pipelines' defaults; a job's config wins. */
static void
test_queue_settings_defaults (Fixture *f, gconstpointer data)
{
  const char *const motion[] = { "motion_analysis", NULL };
  g_autoptr (VaJob) by_setting = submit (f, short_video, motion, NULL);
  g_autoptr (VaJob) by_config
      = submit (f, short_video, motion, "{\"motion_analysis\": {\"interval\": 2}}");
  g_autoptr (GError) error = NULL;
  VaJob *jobs[] = { by_setting, by_config };
  const gint64 expected[] = { 9, 14 }; /* every 3rd, every 2nd of 30 frames */

  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 2);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
    g_autoptr (GPtrArray) results
        = va_store_list_results (va_engine_get_store (f->engine), va_job_get_id (jobs[i]), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_cmpint (va_job_result_get_annotation_count (results->pdata[0]), ==, expected[i]);
  }
}

static void
on_queue_finished (VaJobQueue *queue, VaJob *job, GPtrArray *ended)
{
  g_ptr_array_add (ended, g_object_ref (job));
}

static void
test_queue_cancel_running (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GPtrArray) ended = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  g_autofree char *outputs = NULL;
  g_autofree char *job_dir = NULL;
  guint n_cancelled = 0;
  guint id;

  g_signal_connect_swapped (f->engine, "job-cancelled", G_CALLBACK (g_atomic_int_inc),
                            &n_cancelled);
  g_signal_connect (va_engine_get_queue (f->engine), "job-finished", G_CALLBACK (on_queue_finished),
                    ended);
  g_assert_true (va_engine_start (f->engine, &error));

  /* Cancel as soon as the pipeline has been started, not at a progress
   * tick: a fast machine analyses the whole clip between two ticks. */
  id = g_timeout_add_seconds (60, timeout_cb, "the job to start");
  while (f->started->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  {
    g_autoptr (VaJob) cancelled
        = va_engine_cancel_job (f->engine, f->alice, va_job_get_id (job), &error);
    g_assert_no_error (error);
    g_assert_cmpint (va_job_get_status (cancelled), ==, VA_JOB_STATUS_CANCELLED);
  }

  id = g_timeout_add_seconds (60, timeout_cb, "the cancelled run to end");
  while (ended->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  g_assert_cmpuint (n_cancelled, ==, 1);
  g_assert_cmpuint (f->finished->len, ==, 0); /* neither completed nor failed */
  g_assert_cmpint (va_job_get_status (ended->pdata[0]), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpuint (va_job_queue_get_n_running (va_engine_get_queue (f->engine)), ==, 0);

  /* and it stays cancelled: nothing completes it later */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpstr (va_job_get_error_message (after), ==, "Job cancelled by user request");
  g_assert_cmpfloat (va_job_get_progress (after), <, 100.0);
  results = va_store_list_results (va_engine_get_store (f->engine), va_job_get_id (job), &error);
  g_assert_cmpuint (results->len, ==, 0);
  /* the pipeline was stopped before its end: no annotation files */
  job_dir = va_storage_dup_job_dir (va_engine_get_storage (f->engine), va_job_get_id (job), NULL);
  outputs = g_build_filename (job_dir, "clip_scene_detection.json", NULL);
  g_assert_false (g_file_test (outputs, G_FILE_TEST_EXISTS));
}

/* How many of this process's threads run at @nice (/proc/self/task/N/stat,
 * field 19). */
static guint
count_threads_at_nice (int nice)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename ("/proc/self/task", name, "stat", NULL);
    g_autofree char *text = NULL;
    g_auto (GStrv) fields = NULL;
    const char *end;

    if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
      continue; /* the thread has just ended */
    /* after "pid (comm) ": state is field 3, nice field 19 */
    fields = g_strsplit (end + 2, " ", -1);
    if (g_strv_length (fields) > 16 && atoi (fields[16]) == nice)
      n++;
  }
  return n;
}

/* The pipelines of jobs run at nice +10, so that analysing yields the
 * cores to the main loop that answers requests; the main thread does not. */
static void
test_queue_runs_niced (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
  g_autoptr (GError) error = NULL;
  int base;
  guint id;

  errno = 0;
  base = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  if (base + 10 > 19) {
    g_test_skip ("the test runs at a nice value too high to see +10");
    return;
  }
  g_assert_cmpuint (count_threads_at_nice (base + 10), ==, 0);
  g_assert_true (va_engine_start (f->engine, &error));
  id = g_timeout_add_seconds (60, timeout_cb, "a streaming thread at nice +10");
  while (count_threads_at_nice (base + 10) == 0) {
    g_main_context_iteration (NULL, FALSE);
    g_usleep (5000);
  }
  g_source_remove (id);
  g_assert_cmpint (getpriority (PRIO_PROCESS, 0), ==, base);

  va_engine_cancel_job (f->engine, f->alice, va_job_get_id (job), &error);
  g_assert_no_error (error);
}

static void
test_queue_bad_input_fails_alone (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) bad = submit (f, truncated_video, both, NULL);
  g_autoptr (VaJob) good = submit (f, short_video, both, NULL);
  g_autoptr (VaJob) bad_after = NULL;
  g_autoptr (VaJob) good_after = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 2);

  bad_after = reload (f, bad);
  good_after = reload (f, good);
  g_assert_cmpint (va_job_get_status (bad_after), ==, VA_JOB_STATUS_FAILED);
  g_assert_cmpint (va_job_get_status (good_after), ==, VA_JOB_STATUS_COMPLETED);
  /* a clear reason, not a generic one */
  g_assert_true (g_str_has_prefix (va_job_get_error_message (bad_after), "All pipelines failed: "));
  g_test_message ("truncated input: %s", va_job_get_error_message (bad_after));
  g_assert_nonnull (strstr (va_job_get_error_message (bad_after), "input.mp4"));

  results = va_store_list_results (va_engine_get_store (f->engine), va_job_get_id (bad), &error);
  g_assert_cmpuint (results->len, ==, 2);
  for (guint i = 0; i < results->len; i++) {
    g_assert_cmpint (va_job_result_get_status (results->pdata[i]), ==, VA_JOB_STATUS_FAILED);
    g_assert_null (va_job_result_get_output_file (results->pdata[i]));
    g_assert_nonnull (va_job_result_get_error_message (results->pdata[i]));
  }
}

static void
test_queue_partial_failure (Fixture *f, gconstpointer data)
{
  VaStore *store = va_engine_get_store (f->engine);
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) planted = NULL;
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GError) error = NULL;
  const char *const selection[] = { "scene_detection", "face_laion_clip", NULL };

  /* a job accepted where face_laion_clip was available, run where it is
   * not: planted in the store, since the engine refuses it here */
  upload = va_test_upload_file (f->engine, f->alice, short_video, "clip.mp4", &error);
  g_assert_no_error (error);
  planted = va_job_new_with_id (va_upload_get_job_id (upload));
  va_job_set_user_id (planted, "alice");
  va_job_set_video_path (planted, va_upload_get_path (upload));
  va_job_set_video_filename (planted, "clip.mp4");
  va_job_set_selected_pipelines (planted, selection);
  va_job_set_storage_path (planted, va_upload_get_job_id (upload));
  va_job_set_created_at (planted, now);
  g_assert_true (va_store_upsert_user (store, "alice", "alice", NULL, FALSE, &error));
  g_assert_true (va_store_insert_job (store, planted, &error));
  g_assert_no_error (error);
  va_upload_commit (upload);

  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 1);
  after = reload (f, planted);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_cmpstr (va_job_get_error_message (after), ==,
                   "Completed with errors. Failed pipelines: face_laion_clip");
  results = va_store_list_results (store, va_job_get_id (planted), &error);
  g_assert_cmpuint (results->len, ==, 2);
  for (guint i = 0; i < results->len; i++) {
    VaJobResult *result = results->pdata[i];
    if (g_str_equal (va_job_result_get_pipeline_name (result), "face_laion_clip")) {
      g_assert_cmpint (va_job_result_get_status (result), ==, VA_JOB_STATUS_FAILED);
      g_assert_nonnull (strstr (va_job_result_get_error_message (result), "Unknown pipeline"));
      g_assert_null (va_job_result_get_output_file (result));
    } else {
      g_assert_cmpint (va_job_result_get_status (result), ==, VA_JOB_STATUS_COMPLETED);
      g_assert_nonnull (va_job_result_get_output_file (result));
    }
  }
}

static void
test_queue_concurrency_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  guint limit = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->engine), "limit"));

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (
        jobs, submit (f, short_video, (const char *const[]){ "motion_analysis", NULL }, NULL));
  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 3);

  g_assert_cmpuint (f->max_running, ==, limit);
  /* FIFO: started in submission order */
  g_assert_cmpuint (f->started->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_autoptr (VaJob) after = reload (f, jobs->pdata[i]);
    g_assert_cmpstr (f->started->pdata[i], ==, va_job_get_id (jobs->pdata[i]));
    g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_COMPLETED);
  }
}

static void
test_queue_limit_one (Fixture *f, gconstpointer data)
{
  g_object_set_data (G_OBJECT (f->engine), "limit", GUINT_TO_POINTER (1));
  test_queue_concurrency_limit (f, data);
}

static void
test_queue_limit_two (Fixture *f, gconstpointer data)
{
  g_object_set_data (G_OBJECT (f->engine), "limit", GUINT_TO_POINTER (2));
  test_queue_concurrency_limit (f, data);
}

/* A crash left a job `running`: the next start re-queues and runs it. */
static void
test_queue_recovery (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, short_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (va_store_set_job_status (va_engine_get_store (f->engine), va_job_get_id (job),
                                          VA_JOB_STATUS_RUNNING, NULL, &error));
  /* the "crash": the engine goes away without shutdown */
  g_clear_object (&f->engine);
  f->engine = va_test_engine_new (f->dir, NULL);
  connect_engine (f);

  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  after = reload (f, job);
  g_assert_cmpuint (va_job_get_retry_count (after), ==, 1);
  wait_finished (f, 1);
  g_clear_object (&after);
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_cmpuint (va_job_get_retry_count (after), ==, 1);
}

static void
test_queue_recovery_gives_up (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, short_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GError) error = NULL;
  const char *const no_retries[] = { "max-job-retries=0", NULL };

  g_assert_true (va_store_set_job_status (va_engine_get_store (f->engine), va_job_get_id (job),
                                          VA_JOB_STATUS_RUNNING, NULL, &error));
  g_clear_object (&f->engine);
  f->engine = va_test_engine_new (f->dir, no_retries);
  g_assert_true (va_engine_start (f->engine, &error));
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_FAILED);
  g_assert_nonnull (strstr (va_job_get_error_message (after), "server stopped"));
}

/* Shutdown with no grace: the running job goes back to pending and the
 * next start completes it. */
static void
test_queue_shutdown_requeues (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  const char *const zero[] = { "shutdown-timeout=0", NULL };
  guint id;

  g_clear_object (&f->engine);
  f->engine = va_test_engine_new (f->dir, zero);
  connect_engine (f);
  g_assert_true (va_engine_start (f->engine, &error));
  id = g_timeout_add_seconds (60, timeout_cb, "the job to start");
  while (f->started->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  va_engine_shutdown_async (f->engine, NULL, va_test_store_result, &res);
  g_assert_true (va_engine_shutdown_finish (f->engine, va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpuint (va_job_queue_get_n_running (va_engine_get_queue (f->engine)), ==, 0);
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpstr (va_job_get_error_message (after), ==,
                   "Re-queued: the server shut down while this job was running");
  g_assert_cmpuint (va_job_get_retry_count (after), ==, 0);
  g_assert_cmpuint (f->finished->len, ==, 0);

  /* next start: it runs again, to the end */
  g_clear_object (&f->engine);
  f->engine = va_test_engine_new (f->dir, NULL);
  connect_engine (f);
  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 1);
  g_clear_object (&after);
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_COMPLETED);
}

static void
wait_started_again (Fixture *f)
{
  guint id = g_timeout_add_seconds (60, timeout_cb, "the job to start");

  /* the same job starts again: forget that it started before */
  g_ptr_array_set_size (f->started, 0);
  f->n_running = 0;
  while (f->started->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Re-queues by graceful shutdowns are no retries: only a crash counts
 * toward max-job-retries. With a limit of 1, a job stopped by two
 * shutdowns still has its retry when a crash interrupts it. */
static void
test_queue_shutdown_keeps_retries (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
  g_autoptr (GError) error = NULL;
  const char *const settings[] = { "shutdown-timeout=0", "max-job-retries=1", NULL };

  for (guint round = 0; round < 2; round++) {
    g_autoptr (GAsyncResult) res = NULL;
    g_autoptr (VaJob) after = NULL;

    g_clear_object (&f->engine);
    f->engine = va_test_engine_new (f->dir, settings);
    connect_engine (f);
    g_assert_true (va_engine_start (f->engine, &error));
    g_assert_no_error (error);
    wait_started_again (f);
    va_engine_shutdown_async (f->engine, NULL, va_test_store_result, &res);
    g_assert_true (va_engine_shutdown_finish (f->engine, va_test_wait_for (&res), &error));
    g_assert_no_error (error);
    after = reload (f, job);
    g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_PENDING);
    g_assert_cmpuint (va_job_get_retry_count (after), ==, 0);
  }

  /* now a crash: the job is left `running` and the engine goes away */
  {
    g_autoptr (VaJob) after = NULL;

    g_clear_object (&f->engine);
    f->engine = va_test_engine_new (f->dir, settings);
    g_assert_true (va_store_set_job_status (va_engine_get_store (f->engine), va_job_get_id (job),
                                            VA_JOB_STATUS_RUNNING, NULL, &error));
    g_clear_object (&f->engine);
    f->engine = va_test_engine_new (f->dir, settings);
    g_assert_true (va_engine_start (f->engine, &error));
    g_assert_no_error (error);
    after = reload (f, job);
    /* re-queued, not failed: the shutdowns left its one retry */
    g_assert_cmpint (va_job_get_status (after), !=, VA_JOB_STATUS_FAILED);
    g_assert_cmpuint (va_job_get_retry_count (after), ==, 1);
    g_assert_cmpstr (va_job_get_error_message (after), ==,
                     "Re-queued: the server stopped while this job was running");
  }
}

/* With enough grace, shutdown waits for the running job to complete. */
static void
test_queue_shutdown_waits (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, short_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  guint id;

  g_assert_true (va_engine_start (f->engine, &error));
  id = g_timeout_add_seconds (60, timeout_cb, "the job to start");
  while (f->started->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  va_engine_shutdown_async (f->engine, NULL, va_test_store_result, &res);
  g_assert_true (va_engine_shutdown_finish (f->engine, va_test_wait_for (&res), &error));
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_COMPLETED);
  g_assert_cmpuint (f->finished->len, ==, 1);
}

static void
test_queue_delete_running (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
  g_autoptr (GPtrArray) ended = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  VaStorage *storage = va_engine_get_storage (f->engine);
  guint id;

  g_assert_true (va_engine_start (f->engine, &error));
  id = g_timeout_add_seconds (60, timeout_cb, "the job to start");
  while (f->started->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  va_engine_delete_job (f->engine, f->alice, va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_false (va_storage_job_dir_exists (storage, va_job_get_id (job)));
  /* the pipeline stops; nothing is recreated */
  id = g_timeout_add_seconds (60, timeout_cb, "the run to end");
  while (va_job_queue_get_n_running (va_engine_get_queue (f->engine)) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_false (va_storage_job_dir_exists (storage, va_job_get_id (job)));
  g_assert_cmpuint (f->finished->len, ==, 0);
}

/* The operator's model settings reach the elements; a wrong path fails the
 * job with a message naming it, not the server. */
static void
test_queue_operator_model_setting (Fixture *f, gconstpointer data)
{
  const char *const faces[] = { "face_analysis", NULL };
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GError) error = NULL;

  job = submit (f, short_video, faces, NULL);
  g_assert_true (va_engine_start (f->engine, &error));
  wait_finished (f, 1);

  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_FAILED);
  g_test_message ("%s", va_job_get_error_message (after));
  g_assert_nonnull (strstr (va_job_get_error_message (after), "/nonexistent/cascades/"));
}

/* Deletes racing with the queue: jobs deleted the moment they start (the
 * queue is about to create their output folder and start their
 * pipeline), while they run, as soon as the queue could pick them, or as
 * they end; some twice at once. Every delete succeeds or, for the second
 * of two, says NOT_FOUND (never INTERNAL), and nothing is left on disk. */
#define HAMMER_JOBS 18

typedef struct {
  Fixture *f;
  GPtrArray *ids;    /* char*, submission order */
  GHashTable *asked; /* ids whose deletion was asked for */
  guint n_in_flight;
  guint n_deleted;
  guint n_not_found;
  guint n_signals;
} Hammer;

static void
hammer_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hammer *h = user_data;
  g_autoptr (GError) error = NULL;

  if (va_engine_delete_job_finish (VA_ENGINE (source), result, &error)) {
    h->n_deleted++;
  } else {
    /* the loser of two concurrent deletes; anything else is the bug */
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    h->n_not_found++;
  }
  h->n_in_flight--;
}

static void
hammer_delete (Hammer *h, const char *id)
{
  guint index = 0;

  if (!g_hash_table_add (h->asked, g_strdup (id)))
    return;
  g_assert_true (g_ptr_array_find_with_equal_func (h->ids, id, g_str_equal, &index));
  for (guint i = 0; i < (index % 2 == 0 ? 2 : 1); i++) {
    h->n_in_flight++;
    va_engine_delete_job_async (h->f->engine, h->f->alice, id, NULL, hammer_deleted_cb, h);
  }
}

static guint
hammer_index (Hammer *h, VaJob *job)
{
  guint index = G_MAXUINT;

  g_ptr_array_find_with_equal_func (h->ids, va_job_get_id (job), g_str_equal, &index);
  return index;
}

static void
hammer_on_updated (VaEngine *engine, VaJob *job, double progress, Hammer *h)
{
  guint index = hammer_index (h, job);

  if (va_job_get_status (job) != VA_JOB_STATUS_RUNNING || index == G_MAXUINT)
    return;
  /* job-started comes before the queue prepares the run: the delete's
   * worker thread runs while the queue creates the output folder */
  if (progress == 0.0 && index % 3 == 0)
    hammer_delete (h, va_job_get_id (job));
  else if (progress > 0.0 && index % 3 == 1)
    hammer_delete (h, va_job_get_id (job));
}

static void
hammer_on_ended (VaEngine *engine, VaJob *job, Hammer *h)
{
  /* ran to its end before its turn came */
  if (hammer_index (h, job) != G_MAXUINT)
    hammer_delete (h, va_job_get_id (job));
}

static void
hammer_on_deleted (VaEngine *engine, VaJob *job, Hammer *h)
{
  g_assert_nonnull (job);
  h->n_signals++;
}

static void
test_queue_delete_while_starting (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Hammer h = { f, ids, asked, 0, 0, 0, 0 };
  VaStorage *storage = va_engine_get_storage (f->engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *root = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint id;

  /* the fixture's bookkeeping expects jobs to end, not to vanish */
  g_signal_handlers_disconnect_by_data (f->engine, f);
  for (guint i = 0; i < HAMMER_JOBS; i++) {
    g_autoptr (VaJob) job = submit (f, long_video, both, NULL);
    g_ptr_array_add (ids, g_strdup (va_job_get_id (job)));
  }
  g_signal_connect (f->engine, "job-updated", G_CALLBACK (hammer_on_updated), &h);
  g_signal_connect (f->engine, "job-completed", G_CALLBACK (hammer_on_ended), &h);
  g_signal_connect (f->engine, "job-failed", G_CALLBACK (hammer_on_ended), &h);
  g_signal_connect (f->engine, "job-deleted", G_CALLBACK (hammer_on_deleted), &h);
  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  /* the others go while the queue may be picking them */
  for (guint i = 2; i < HAMMER_JOBS; i += 3)
    hammer_delete (&h, ids->pdata[i]);

  id = g_timeout_add_seconds (120, timeout_cb, "every job to be deleted");
  while (g_hash_table_size (asked) < HAMMER_JOBS || h.n_in_flight > 0
         || va_job_queue_get_n_running (va_engine_get_queue (f->engine)) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  g_assert_cmpuint (h.n_deleted, ==, HAMMER_JOBS);
  g_assert_cmpuint (h.n_not_found, ==, HAMMER_JOBS / 2);
  g_assert_cmpuint (h.n_signals, ==, HAMMER_JOBS);
  for (guint i = 0; i < HAMMER_JOBS; i++) {
    g_autoptr (VaJob) gone
        = va_store_get_job (va_engine_get_store (f->engine), ids->pdata[i], &error);

    g_assert_null (gone);
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (va_storage_job_dir_exists (storage, ids->pdata[i]));
  }
  /* and nothing else was left behind in the storage either */
  root = g_strdup (va_settings_get_storage_dir (va_engine_get_settings (f->engine)));
  dir = g_dir_open (root, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_uuid_string_is_valid (name));
}

static void
test_queue_read_only_does_not_run (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, short_video, both, NULL);
  g_autoptr (VaJob) after = NULL;
  g_autoptr (GError) error = NULL;
  const char *const read_only[] = { "read-only=true", NULL };

  g_clear_object (&f->engine);
  f->engine = va_test_engine_new (f->dir, read_only);
  g_assert_true (va_engine_start (f->engine, &error));
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  after = reload (f, job);
  g_assert_cmpint (va_job_get_status (after), ==, VA_JOB_STATUS_PENDING);
  g_assert_false (va_job_queue_is_running (va_engine_get_queue (f->engine)));
}

int
main (int argc, char **argv)
{
  g_autoptr (VaTestDir) media_dir = NULL;
  static const char *const one[] = { "max-concurrent-jobs=1", NULL };
  static const char *const two[] = { "max-concurrent-jobs=2", NULL };
  static const char *const interval_three[] = { "motion-interval=3", NULL };
  static const char *const missing_model_dir[] = { "face-model-dir=/nonexistent/cascades", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  media_dir = va_test_dir_new ();
  short_video = g_build_filename (media_dir, "short.mp4", NULL);
  long_video = g_build_filename (media_dir, "long.mp4", NULL);
  truncated_video = g_build_filename (media_dir, "truncated.mp4", NULL);
  va_test_media_make_video (short_video, 30);
  va_test_media_make_video (long_video, 3000);
  va_test_media_truncate_copy (long_video, truncated_video, 0.5);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/job-queue/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("completes", test_queue_completes, NULL);
  ADD ("stored-digest", test_queue_stored_digest, NULL);
  ADD ("settings-defaults", test_queue_settings_defaults, interval_three);
  ADD ("cancel-running", test_queue_cancel_running, NULL);
  ADD ("bad-input-fails-alone", test_queue_bad_input_fails_alone, NULL);
  ADD ("runs-niced", test_queue_runs_niced, NULL);
  ADD ("partial-failure", test_queue_partial_failure, NULL);
  ADD ("limit-one", test_queue_limit_one, one);
  ADD ("limit-two", test_queue_limit_two, two);
  ADD ("recovery", test_queue_recovery, NULL);
  ADD ("recovery-gives-up", test_queue_recovery_gives_up, NULL);
  ADD ("shutdown-requeues", test_queue_shutdown_requeues, NULL);
  ADD ("shutdown-keeps-retries", test_queue_shutdown_keeps_retries, NULL);
  ADD ("shutdown-waits", test_queue_shutdown_waits, NULL);
  ADD ("delete-running", test_queue_delete_running, NULL);
  ADD ("delete-while-starting", test_queue_delete_while_starting, two);
  ADD ("read-only", test_queue_read_only_does_not_run, NULL);
  ADD ("operator-model-setting", test_queue_operator_model_setting, missing_model_dir);
#undef ADD

  ret = g_test_run ();
  g_free (short_video);
  g_free (long_video);
  g_free (truncated_video);
  return ret;
}
