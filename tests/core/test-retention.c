/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gst/gst.h>

#include "va-engine-private.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-retention.h"
#include "va-storage.h"
#include "va-store.h"
#include "va-test-engine.h"
#include "va-test-media.h"

static char *sample_video;

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
  VaCaller *alice;
  VaJob *completed;
  VaJob *cancelled;
  VaJob *pending;
} Fixture;

static VaJob *
submit (Fixture *f)
{
  const char *const scene[] = { "scene_detection", NULL };
  g_autoptr (GError) error = NULL;
  VaJob *job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, NULL, &error);

  g_assert_no_error (error);
  return job;
}

static void
set_status (Fixture *f, VaJob *job, VaJobStatus status)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (va_store_set_job_status (va_engine_get_store (f->engine), va_job_get_id (job),
                                          status, NULL, &error));
  g_assert_no_error (error);
}

/* Three jobs of alice's: one completed, one cancelled while pending, one
 * still pending. The engine is not started, so nothing runs them. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, data);
  f->alice = va_caller_new ("alice", VA_SCOPE_READ | VA_SCOPE_WRITE);
  /* a read-only server takes no jobs */
  if (data != NULL && g_strv_contains (data, "read-only=true"))
    return;
  f->completed = submit (f);
  set_status (f, f->completed, VA_JOB_STATUS_RUNNING);
  set_status (f, f->completed, VA_JOB_STATUS_COMPLETED);
  f->cancelled = submit (f);
  set_status (f, f->cancelled, VA_JOB_STATUS_CANCELLED);
  f->pending = submit (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->completed);
  g_clear_object (&f->cancelled);
  g_clear_object (&f->pending);
  g_clear_object (&f->alice);
  g_clear_object (&f->engine);
  g_clear_pointer (&f->dir, va_test_dir_free);
}

static gboolean
exists (Fixture *f, VaJob *job)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) found
      = va_store_get_job (va_engine_get_store (f->engine), va_job_get_id (job), &error);
  gboolean dir = va_storage_job_dir_exists (va_engine_get_storage (f->engine), va_job_get_id (job));

  /* rows and files go together */
  g_assert_cmpint (found != NULL, ==, dir);
  if (found == NULL)
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  return found != NULL;
}

static void
on_deleted (VaEngine *engine, VaJob *job, GPtrArray *ids)
{
  g_ptr_array_add (ids, g_strdup (va_job_get_id (job)));
}

static void
test_retention_expires_finished_jobs (Fixture *f, gconstpointer data)
{
  g_autoptr (VaRetention) retention = va_retention_new (f->engine);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) in_89_days = g_date_time_add_days (now, 89);
  g_autoptr (GDateTime) in_91_days = g_date_time_add_days (now, 91);
  g_autoptr (GPtrArray) expired = NULL;
  g_autoptr (GPtrArray) deleted = NULL;
  g_autoptr (GPtrArray) announced = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) audit = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  VaAuditQuery query = { .action = "job.delete" };

  /* not yet 90 days */
  expired = va_retention_list_expired (retention, in_89_days, 90, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expired->len, ==, 0);
  g_clear_pointer (&expired, g_ptr_array_unref);

  /* past 90 days: the finished ones, oldest first; never the pending one */
  expired = va_retention_list_expired (retention, in_91_days, 90, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expired->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (expired->pdata[0]), ==, va_job_get_id (f->completed));
  g_assert_cmpstr (va_job_get_id (expired->pdata[1]), ==, va_job_get_id (f->cancelled));

  g_signal_connect (f->engine, "job-deleted", G_CALLBACK (on_deleted), announced);
  va_retention_run_async (retention, in_91_days, 90, NULL, va_test_store_result, &result);
  deleted = va_retention_run_finish (retention, va_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted->len, ==, 2);
  g_assert_cmpuint (announced->len, ==, 2);
  g_assert_false (exists (f, f->completed));
  g_assert_false (exists (f, f->cancelled));
  g_assert_true (exists (f, f->pending));

  /* audited, as the retention's own doing */
  audit = va_store_list_audit (va_engine_get_store (f->engine), &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, ==, 2);
  for (guint i = 0; i < audit->len; i++)
    g_assert_cmpstr (va_audit_entry_get_user_id (audit->pdata[i]), ==, "retention");

  /* a second run finds nothing left */
  g_clear_object (&result);
  g_clear_pointer (&deleted, g_ptr_array_unref);
  va_retention_run_async (retention, in_91_days, 90, NULL, va_test_store_result, &result);
  deleted = va_retention_run_finish (retention, va_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deleted->len, ==, 0);
}

static void
test_retention_schedule (Fixture *f, gconstpointer data)
{
  g_autoptr (VaRetention) retention = va_retention_new (f->engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  GDateTime *next;

  g_assert_true (va_retention_schedule (retention, "0 2 * * *", 90, &error));
  g_assert_no_error (error);
  next = va_retention_get_next_run (retention);
  g_assert_nonnull (next);
  g_assert_cmpint (g_date_time_get_hour (next), ==, 2);
  g_assert_cmpint (g_date_time_get_minute (next), ==, 0);
  g_assert_cmpint (g_date_time_compare (next, now), >, 0);
  g_assert_cmpint (g_date_time_difference (next, now), <=, G_TIME_SPAN_DAY);
  va_retention_unschedule (retention);
  g_assert_null (va_retention_get_next_run (retention));

  g_assert_false (va_retention_schedule (retention, "0 0 31 2 *", 90, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (va_retention_schedule (retention, "every night", 90, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

/* The engine schedules the cleanup unless told not to. */
static void
test_retention_engine (Fixture *f, gconstpointer data)
{
  const char *const *settings = data;
  g_autoptr (GError) error = NULL;
  gboolean expected = settings == NULL;

  g_assert_null (va_engine_get_retention (f->engine));
  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (va_engine_get_retention (f->engine) != NULL, ==, expected);
}

/* A read-only server deletes nothing, and says so once. */
static void
test_retention_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (VaRetention) retention = va_retention_new (f->engine);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) deleted = NULL;
  g_autoptr (GError) error = NULL;

  va_retention_run_async (retention, now, 1, NULL, va_test_store_result, &result);
  deleted = va_retention_run_finish (retention, va_test_wait_for (&result), &error);
  g_assert_null (deleted);
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
}

int
main (int argc, char **argv)
{
  g_autoptr (VaTestDir) media_dir = NULL;
  static const char *const no_auto_cleanup[] = { "auto-cleanup=false", NULL };
  static const char *const keep_forever[] = { "retention-days=0", NULL };
  static const char *const read_only[] = { "read-only=true", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  media_dir = va_test_dir_new ();
  sample_video = g_build_filename (media_dir, "sample.mp4", NULL);
  va_test_media_make_video (sample_video, 10);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/retention/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("expires-finished-jobs", test_retention_expires_finished_jobs, NULL);
  ADD ("schedule", test_retention_schedule, NULL);
  ADD ("engine/default", test_retention_engine, NULL);
  ADD ("engine/auto-cleanup-off", test_retention_engine, no_auto_cleanup);
  ADD ("engine/keep-forever", test_retention_engine, keep_forever);
  ADD ("engine/read-only", test_retention_engine, read_only);
  ADD ("run/read-only", test_retention_read_only, read_only);
#undef ADD

  ret = g_test_run ();
  g_free (sample_video);
  return ret;
}
