/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-error.h"
#include "va-store-open.h"
#include "va-store-private.h"
#include "va-test-dir.h"

/* Durable deletion in the store: a marked job is gone for every reader,
 * and a deleted job leaves no copy of its text anywhere in the database
 * files (main file, write-ahead log, shared-memory index). */

#define MARKER "zq-unique-marker-7f3a"

static VaStore *
open_store (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "videoannotator.db", NULL);
  VaStore *store = va_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static JsonObject *
object_with (const char *member, const char *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, member, value);
  return object;
}

static char *
insert_job (VaStore *store, const char *text, int offset)
{
  g_autoptr (GError) error = NULL;
  char *id = g_uuid_string_random ();
  g_autoptr (VaJob) job = va_job_new_with_id (id);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) created = g_date_time_add_seconds (now, offset);
  g_autofree char *filename = g_strdup_printf ("%s.mp4", text);
  g_autoptr (JsonObject) config = object_with ("note", text);
  g_autoptr (JsonObject) consent = object_with ("reference", text);

  va_job_set_user_id (job, "alice");
  va_job_set_created_at (job, created);
  va_job_set_video_filename (job, filename);
  va_job_set_video_path (job, "x/input.mp4");
  va_job_set_config (job, config);
  va_job_set_consent (job, consent);
  g_assert_true (va_store_insert_job (store, job, &error));
  g_assert_no_error (error);
  return id;
}

/* copies of @needle in the raw bytes of every file of the database */
static guint
count_on_disk (const char *dir, const char *needle)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };
  gsize n = strlen (needle);
  guint count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    g_autofree char *path = g_strconcat (dir, "/videoannotator.db", suffixes[i], NULL);
    g_autofree char *bytes = NULL;
    gsize length = 0;

    if (!g_file_get_contents (path, &bytes, &length, NULL))
      continue;
    for (gsize at = 0; at + n <= length; at++)
      count += memcmp (bytes + at, needle, n) == 0;
  }
  return count;
}

static void
test_store_deletion_mark_hides (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *marked = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) deleting = NULL;
  g_autoptr (VaJob) job = NULL;
  VaStoreStats stats;
  guint64 total = 0;
  gboolean was_active = TRUE;

  va_store_upsert_user (store, "alice", "alice", NULL, FALSE, &error);
  g_assert_no_error (error);
  kept = insert_job (store, "kept", 0);
  marked = insert_job (store, "marked", 1);
  g_assert_true (va_store_set_job_status (store, marked, VA_JOB_STATUS_RUNNING, NULL, &error));
  g_assert_true (va_store_set_job_status (store, marked, VA_JOB_STATUS_COMPLETED, NULL, &error));
  g_assert_true (va_store_mark_job_deleting (store, marked, &was_active, &error));
  g_assert_no_error (error);
  g_assert_false (was_active);

  job = va_store_get_job (store, marked, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  jobs = va_store_list_jobs (store, 1, 10, 0, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (va_job_get_id (g_ptr_array_index (jobs, 0)), ==, kept);
  g_assert_true (va_store_get_stats (store, &stats, &error));
  g_assert_cmpuint (stats.total_jobs, ==, 1);

  deleting = va_store_list_deleting_jobs (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deleting->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (deleting, 0), ==, marked);
  g_assert_true (va_store_delete_job (store, marked, &error));
  g_clear_pointer (&deleting, g_ptr_array_unref);
  deleting = va_store_list_deleting_jobs (store, &error);
  g_assert_cmpuint (deleting->len, ==, 0);
}

/* A pending job marked for deletion is cancelled, so the queue cannot
 * start it between the mark and the removal of its files. */
static void
test_store_deletion_mark_cancels (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  gboolean was_active = FALSE;

  va_store_upsert_user (store, "alice", "alice", NULL, FALSE, &error);
  id = insert_job (store, "pending", 0);
  g_assert_true (va_store_mark_job_deleting (store, id, &was_active, &error));
  g_assert_true (was_active);
  g_assert_false (va_store_set_job_status (store, id, VA_JOB_STATUS_RUNNING, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_store_deletion_leaves_no_copy (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStore) store = open_store (dir);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *other = NULL;

  va_store_upsert_user (store, "alice", "alice", NULL, FALSE, &error);
  id = insert_job (store, MARKER, 0);
  other = insert_job (store, "someone-else", 1);
  /* every update writes another version of the row's page to the log */
  g_assert_true (va_store_set_job_status (store, id, VA_JOB_STATUS_RUNNING, NULL, &error));
  for (int i = 1; i <= 5; i++)
    g_assert_true (va_store_set_job_progress (store, id, i * 10.0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_on_disk (dir, MARKER), >, 3);

  g_assert_true (va_store_mark_job_deleting (store, id, NULL, &error));
  g_assert_true (va_store_delete_job (store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_on_disk (dir, MARKER), ==, 0);
  /* the other job is intact */
  g_assert_cmpuint (count_on_disk (dir, "someone-else"), >, 0);
  g_clear_object (&store);
  g_assert_cmpuint (count_on_disk (dir, MARKER), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/deletion/mark-hides", test_store_deletion_mark_hides);
  g_test_add_func ("/store/deletion/mark-cancels", test_store_deletion_mark_cancels);
  g_test_add_func ("/store/deletion/leaves-no-copy", test_store_deletion_leaves_no_copy);
  return g_test_run ();
}
