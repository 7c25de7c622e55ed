/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>

#include "va-engine-private.h"
#include "va-error.h"
#include "va-recovery.h"
#include "va-storage-private.h"
#include "va-test-engine.h"
#include "va-upload-private.h"

/* Start-up recovery: the states a kill -9 leaves behind are built by hand
 * (rows through the store, files on disk) and an engine is started on
 * them, as the server does after a crash. */

typedef struct {
  char *dir;
  VaEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->engine);
  va_test_dir_remove (f->dir);
  g_free (f->dir);
}

static char *
job_path (Fixture *f, const char *id, const char *name)
{
  return g_build_filename (va_storage_get_root (va_engine_get_storage (f->engine)), id, name, NULL);
}

static void
write_file (const char *path, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0750), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A job row and its directory with the uploaded video. */
static char *
add_job (Fixture *f, VaJobStatus status)
{
  VaStore *store = va_engine_get_store (f->engine);
  char *id = g_uuid_string_random ();
  g_autoptr (VaJob) job = va_job_new_with_id (id);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *video = g_strconcat (id, "/input.mp4", NULL);
  g_autofree char *path = job_path (f, id, "input.mp4");
  g_autoptr (GError) error = NULL;

  va_store_upsert_user (store, "alice", "alice", NULL, FALSE, &error);
  g_assert_no_error (error);
  va_job_set_user_id (job, "alice");
  va_job_set_status (job, status);
  va_job_set_video_path (job, video);
  va_job_set_video_filename (job, "clip.mp4");
  va_job_set_storage_path (job, id);
  va_job_set_created_at (job, now);
  g_assert_true (va_store_insert_job (store, job, &error));
  g_assert_no_error (error);
  write_file (path, "not really a video");
  return id;
}

static guint
count_audit (Fixture *f, const char *action, const char *target, const char *reason)
{
  VaAuditQuery query = { .action = action };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries
      = va_store_list_audit (va_engine_get_store (f->engine), &query, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++) {
    VaAuditEntry *entry = g_ptr_array_index (entries, i);
    JsonObject *detail = va_audit_entry_get_detail (entry);

    if (g_strcmp0 (va_audit_entry_get_target (entry), target) == 0 && detail != NULL
        && g_strcmp0 (json_object_get_string_member_with_default (detail, "reason", NULL), reason)
               == 0)
      n++;
  }
  return n;
}

static gboolean
has_row (Fixture *f, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) ids = va_store_dup_job_ids (va_engine_get_store (f->engine), &error);

  g_assert_no_error (error);
  return g_hash_table_contains (ids, id);
}

static void
start (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
}

/* Killed after the mark, before or while the files went: the job is
 * already invisible, and the start finishes the deletion. */
static void
test_recovery_interrupted_deletion (Fixture *f, gconstpointer data)
{
  VaStore *store = va_engine_get_store (f->engine);
  g_autofree char *id = add_job (f, VA_JOB_STATUS_RUNNING);
  g_autofree char *output = job_path (f, id, "clip_output/clip_scene_detection.json");
  g_autofree char *dir = job_path (f, id, NULL);
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GError) error = NULL;
  gboolean was_active = FALSE;

  write_file (output, "{}");
  g_assert_true (va_store_mark_job_deleting (store, id, &was_active, &error));
  g_assert_no_error (error);
  g_assert_true (was_active);
  /* hidden from every read, and a second deletion loses */
  job = va_store_get_job (store, id, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (job);
  g_clear_error (&error);
  g_assert_false (va_store_mark_job_deleting (store, id, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_store_set_job_status (store, id, VA_JOB_STATUS_PENDING, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  start (f);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (has_row (f, id));
  g_assert_cmpuint (count_audit (f, "job.delete", id, "interrupted deletion"), ==, 1);
}

/* Killed during an upload (partial file) or after it but before the job
 * row was written: nobody can reach these directories any more. */
static void
test_recovery_leftover_uploads (Fixture *f, gconstpointer data)
{
  g_autofree char *partial_id = g_uuid_string_random ();
  g_autofree char *complete_id = g_uuid_string_random ();
  g_autofree char *partial = job_path (f, partial_id, VA_UPLOAD_PART_NAME);
  g_autofree char *complete = job_path (f, complete_id, "input.mp4");
  g_autofree char *kept_id = add_job (f, VA_JOB_STATUS_COMPLETED);
  g_autofree char *kept = job_path (f, kept_id, "input.mp4");
  const char *root = va_storage_get_root (va_engine_get_storage (f->engine));
  g_autofree char *foreign = g_build_filename (root, "operator-notes", "README", NULL);
  g_autofree char *upper_id = g_ascii_strup (partial_id, -1);
  g_autofree char *upper = g_build_filename (root, upper_id, "input.mp4", NULL);

  write_file (partial, "half an upl");
  write_file (complete, "a whole upload");
  write_file (foreign, "not ours");
  write_file (upper, "not a job id either");

  start (f);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (complete, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_audit (f, "storage.sweep", partial_id, "partial upload"), ==, 1);
  g_assert_cmpuint (count_audit (f, "storage.sweep", complete_id, "no job"), ==, 1);
  /* a job's files and what this program does not create stay */
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (upper, G_FILE_TEST_IS_REGULAR));
}

/* Killed during a run: its outputs are partial (a half-written
 * annotation file, a temporary file), the upload is not. */
static void
test_recovery_interrupted_run (Fixture *f, gconstpointer data)
{
  g_autofree char *id = add_job (f, VA_JOB_STATUS_RUNNING);
  g_autofree char *input = job_path (f, id, "input.mp4");
  g_autofree char *output = job_path (f, id, "clip_output/clip_scene_detection.json.X1Y2Z3");
  g_autofree char *output_dir = job_path (f, id, "clip_output");
  g_autofree char *done_id = add_job (f, VA_JOB_STATUS_COMPLETED);
  g_autofree char *done_output = job_path (f, done_id, "clip_output/clip_scene_detection.json");
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GError) error = NULL;

  write_file (output, "{\"annotations\": [");
  write_file (done_output, "{}");

  start (f);
  g_assert_true (g_file_test (input, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (output_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (done_output, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_audit (f, "job.recover", id, "interrupted run"), ==, 1);
  /* and the queue re-queued it */
  job = va_store_get_job (va_engine_get_store (f->engine), id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpuint (va_job_get_retry_count (job), ==, 1);
}

/* Another server holds the storage: its upload in progress is not a
 * leftover, and nothing is touched. */
static void
test_recovery_storage_locked (Fixture *f, gconstpointer data)
{
  g_autofree char *upload_id = g_uuid_string_random ();
  g_autofree char *partial = job_path (f, upload_id, VA_UPLOAD_PART_NAME);
  g_autoptr (GError) error = NULL;
  int other = va_recovery_lock_storage (va_engine_get_storage (f->engine), &error);
  int again;

  g_assert_no_error (error);
  g_assert_cmpint (other, >=, 0);
  again = va_recovery_lock_storage (va_engine_get_storage (f->engine), &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_assert_cmpint (again, ==, -1);
  g_clear_error (&error);

  write_file (partial, "still arriving");
  start (f);
  g_assert_true (g_file_test (partial, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_audit (f, "storage.sweep", upload_id, "partial upload"), ==, 0);
  g_close (other, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add ("/recovery/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("interrupted-deletion", test_recovery_interrupted_deletion);
  ADD ("leftover-uploads", test_recovery_leftover_uploads);
  ADD ("interrupted-run", test_recovery_interrupted_run);
  ADD ("storage-locked", test_recovery_storage_locked);
#undef ADD
  return g_test_run ();
}
