/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-error.h"
#include "va-storage-private.h"
#include "va-upload.h"
#include "va-test-dir.h"
#include "va-test-media.h"

#define MiB (1024 * 1024)

static char *sample_video; /* made once in main() */

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static VaStorage *
new_storage (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_build_filename (dir, "data", "storage", NULL);
  VaStorage *storage = va_storage_new (root, &error);

  g_assert_no_error (error);
  g_assert_nonnull (storage);
  return storage;
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
splice_and_complete (VaUpload *upload, GBytes *data, GError **error)
{
  g_autoptr (GInputStream) input = g_memory_input_stream_new_from_bytes (data);
  g_autoptr (GAsyncResult) spliced = NULL;
  g_autoptr (GAsyncResult) completed = NULL;

  va_upload_splice_async (upload, input, NULL, store_result, &spliced);
  if (!va_upload_splice_finish (upload, wait_for (&spliced), error))
    return FALSE;
  va_upload_complete_async (upload, NULL, store_result, &completed);
  return va_upload_complete_finish (upload, wait_for (&completed), error);
}

static GBytes *
read_file_bytes (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* A QuickTime movie (qtmux, brand "qt  ") stays .mov whatever the client
 * called it; only the ISO brands make an MP4. */
static void
test_storage_upload_quicktime_extension (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autofree char *movie = g_build_filename (dir, "movie.mov", NULL);
  g_autoptr (GBytes) video = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;

  va_test_media_run ("videotestsrc num-buffers=5 ! video/x-raw,width=160,height=120 ! "
                     "x264enc speed-preset=ultrafast ! h264parse ! qtmux ! filesink name=sink",
                     movie);
  video = read_file_bytes (movie);
  upload = va_upload_create (storage, "holiday.mp4", -1, &error);
  g_assert_no_error (error);
  g_assert_true (splice_and_complete (upload, video, &error));
  g_assert_no_error (error);
  expected = g_strdup_printf ("%s/input.mov", va_upload_get_job_id (upload));
  g_assert_cmpstr (va_upload_get_path (upload), ==, expected);
  g_assert_cmpstr (va_upload_get_filename (upload), ==, "holiday.mp4");
}

static void
test_storage_permissions (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (GBytes) video = read_file_bytes (sample_video);
  g_autoptr (GError) error = NULL;
  g_autofree char *job_dir = NULL;
  g_autofree char *input = NULL;
  mode_t old_umask;

  /* the modes must not depend on the umask the process happens to have */
  old_umask = umask (0);
  storage = new_storage (dir);
  g_assert_cmpuint (file_mode (va_storage_get_root (storage)), ==, 0750);

  upload = va_upload_create (storage, "clip.mp4", -1, &error);
  g_assert_no_error (error);
  job_dir = va_storage_dup_job_dir (storage, va_upload_get_job_id (upload), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (job_dir), ==, 0750);
  g_assert_true (splice_and_complete (upload, video, &error));
  g_assert_no_error (error);
  umask (old_umask);

  input = va_storage_resolve (storage, va_upload_get_path (upload), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (input), ==, 0640);
  g_assert_cmpuint (va_upload_get_size (upload), ==, g_bytes_get_size (video));
}

static void
test_storage_existing_root_loses_world_access (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *root = g_build_filename (dir, "storage", NULL);
  g_autoptr (VaStorage) storage = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (root, 0777), ==, 0);
  g_assert_cmpint (g_chmod (root, 0777), ==, 0);
  storage = va_storage_new (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (root) & 0007, ==, 0);
}

static void
test_storage_upload_stored_under_fixed_name (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GBytes) video = read_file_bytes (sample_video);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autofree char *job_dir = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GPtrArray) files = NULL;

  upload = va_upload_create (storage, "../../etc/cron.d/evil clip.mp4", -1, &error);
  g_assert_no_error (error);
  g_assert_true (va_storage_check_job_id (va_upload_get_job_id (upload), NULL));
  g_assert_cmpstr (va_upload_get_filename (upload), ==, "evil clip.mp4");
  g_assert_false (va_upload_is_complete (upload));
  g_assert_null (va_upload_get_path (upload));

  g_assert_true (splice_and_complete (upload, video, &error));
  g_assert_no_error (error);
  g_assert_true (va_upload_is_complete (upload));
  g_assert_cmpstr (va_upload_get_media_type (upload), ==, "video/quicktime");
  /* the extension of the typefound container, never the client's: an MP4
   * (ftyp brand isom, typefound as video/quicktime variant=iso) is .mp4 */
  expected = g_strdup_printf ("%s/input.mp4", va_upload_get_job_id (upload));
  g_assert_cmpstr (va_upload_get_path (upload), ==, expected);
  /* every byte stored, as sent */
  {
    g_autofree char *input = va_storage_resolve (storage, va_upload_get_path (upload), &error);
    g_autoptr (GBytes) stored = NULL;

    g_assert_no_error (error);
    stored = read_file_bytes (input);
    g_assert_true (g_bytes_equal (stored, video));
  }

  /* only the input in the directory: no partial file, nothing named by the client */
  files = va_storage_list_job_files (storage, va_upload_get_job_id (upload), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (files->pdata[0], ==, "input.mp4");
  job_dir = va_storage_dup_job_dir (storage, va_upload_get_job_id (upload), NULL);
  g_assert_cmpuint (count_entries (job_dir), ==, 1);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 1);
}

static void
test_storage_upload_write_chunks (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GBytes) video = read_file_bytes (sample_video);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autofree char *expected = NULL;
  const guint8 *data;
  gsize size, offset = 0;

  upload = va_upload_create (storage, "clip.mp4", (gint64)g_bytes_get_size (video), &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (video, &size);
  /* alternate blocking and async writes of odd-sized chunks */
  for (guint i = 0; offset < size; i++) {
    gsize n = MIN (size - offset, 1000 + i);
    if (i % 2 == 0) {
      g_assert_true (va_upload_write (upload, data + offset, n, NULL, &error));
    } else {
      g_autoptr (GBytes) chunk = g_bytes_new_from_bytes (video, offset, n);
      g_autoptr (GAsyncResult) result = NULL;
      va_upload_write_bytes_async (upload, chunk, NULL, store_result, &result);
      g_assert_true (va_upload_write_bytes_finish (upload, wait_for (&result), &error));
    }
    g_assert_no_error (error);
    offset += n;
  }
  g_assert_null (va_upload_get_sha256 (upload));
  g_assert_true (va_upload_complete (upload, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (va_upload_get_size (upload), ==, size);
  /* hashed as it was written, over both kinds of writes */
  expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, video);
  g_assert_cmpstr (va_upload_get_sha256 (upload), ==, expected);
}

static void
test_storage_upload_splice_digest (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GBytes) video = read_file_bytes (sample_video);
  g_autoptr (GInputStream) input = g_memory_input_stream_new_from_bytes (video);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, video);
  g_autofree char *stored = NULL;
  g_autofree char *on_disk = NULL;
  gsize length = 0;

  upload = va_upload_create (storage, "clip.mp4", -1, &error);
  g_assert_no_error (error);
  va_upload_splice_async (upload, input, NULL, store_result, &result);
  g_assert_true (va_upload_splice_finish (upload, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_true (va_upload_complete (upload, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (va_upload_get_sha256 (upload), ==, expected);
  /* and it is the digest of what is on disk */
  stored = g_build_filename (va_storage_get_root (storage), va_upload_get_path (upload), NULL);
  g_assert_true (g_file_get_contents (stored, &on_disk, &length, NULL));
  g_assert_cmpuint (length, ==, g_bytes_get_size (video));
  g_free (expected);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)on_disk, length);
  g_assert_cmpstr (va_upload_get_sha256 (upload), ==, expected);
}

static void
test_storage_size_limit (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (GBytes) big = NULL;
  g_autofree char *job_dir = NULL;

  va_storage_set_max_upload_size (storage, 1 * MiB);

  /* announced too large: refused before anything is written */
  upload = va_upload_create (storage, "big.mp4", 2 * MiB, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_null (upload);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
  g_clear_error (&error);

  /* size unknown up front (chunked): stopped at the limit, file removed */
  upload = va_upload_create (storage, "big.mp4", -1, &error);
  g_assert_no_error (error);
  job_dir = va_storage_dup_job_dir (storage, va_upload_get_job_id (upload), NULL);
  big = g_bytes_new_take (g_malloc0 (1 * MiB + 1), 1 * MiB + 1);
  g_assert_false (splice_and_complete (upload, big, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
  g_clear_error (&error);

  /* and later writes fail cleanly */
  g_assert_false (va_upload_write (upload, "x", 1, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
}

typedef struct {
  guint64 total;
  guint64 free;
  guint calls;
} FakeDisk;

static gboolean
fake_usage (const char *root, VaStorageUsage *usage, gpointer user_data, GError **error)
{
  FakeDisk *disk = user_data;

  disk->calls++;
  usage->total_bytes = disk->total;
  usage->free_bytes = disk->free;
  usage->used_bytes = disk->total - disk->free;
  return TRUE;
}

static void
test_storage_disk_full (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autofree char *job_dir = NULL;
  g_autofree guint8 *chunk = g_malloc0 (MiB);
  FakeDisk disk = { 1000 * (guint64)MiB, 64 * (guint64)MiB, 0 };
  VaStorageUsage usage;
  guint i;

  va_storage_set_usage_func (storage, fake_usage, &disk);
  va_storage_set_min_free_space (storage, 16 * MiB);

  g_assert_true (va_storage_query_usage (storage, &usage, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage.free_bytes, ==, 64 * (guint64)MiB);
  g_assert_cmpfloat_with_epsilon (usage.percent_used, 93.6, 0.001);

  /* announced size that would eat into the reserve: refused up front */
  upload = va_upload_create (storage, "a.mp4", 60 * MiB, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_STORAGE_FULL);
  g_assert_null (upload);
  g_clear_error (&error);

  /* the disk fills up while the upload is written */
  upload = va_upload_create (storage, "a.mp4", -1, &error);
  g_assert_no_error (error);
  job_dir = va_storage_dup_job_dir (storage, va_upload_get_job_id (upload), NULL);
  for (i = 0; i < 64; i++) {
    if (i == 10)
      disk.free = 20 * (guint64)MiB; /* someone else filled the disk */
    if (!va_upload_write (upload, chunk, MiB, NULL, &error))
      break;
  }
  g_assert_error (error, VA_ERROR, VA_ERROR_STORAGE_FULL);
  /* checked periodically, not per chunk: within one interval of the change */
  g_assert_cmpuint (i, >, 10);
  g_assert_cmpuint (i, <=, 10 + VA_STORAGE_SPACE_CHECK_INTERVAL / MiB);
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  g_clear_object (&upload);

  /* nothing left at all */
  disk.free = 1 * MiB;
  upload = va_upload_create (storage, "a.mp4", -1, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_STORAGE_FULL);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
}

static void
test_storage_not_media (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autofree char *jpeg_path = g_build_filename (dir, "picture.jpg", NULL);
  g_autoptr (GBytes) jpeg = NULL;
  const char *const texts[] = {
    "#!/bin/sh\nrm -rf /\n",
    "<html><body>not a video</body></html>",
    "{\"json\": true}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaUpload) upload = va_upload_create (storage, "video.mp4", -1, &error);
    g_autoptr (GBytes) bytes = g_bytes_new_static (texts[i], strlen (texts[i]));

    g_assert_no_error (error);
    g_assert_false (splice_and_complete (upload, bytes, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
    g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
  }

  /* empty */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaUpload) upload = va_upload_create (storage, "video.mp4", -1, &error);
    g_assert_false (va_upload_complete (upload, NULL, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  }

  /* a picture is media to GStreamer, but not audio or video */
  va_test_media_make_jpeg (jpeg_path);
  jpeg = read_file_bytes (jpeg_path);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaUpload) upload = va_upload_create (storage, "video.mp4", -1, &error);
    g_assert_false (splice_and_complete (upload, jpeg, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
    g_assert_nonnull (strstr (error->message, "image/jpeg"));
  }
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
}

/* Typefinding looks at the head of the file only: a file cut short is
 * accepted (its job's run fails it, with the decoder's reason), and
 * completing it never waits for a decoder (duration discovery used to run
 * into a 10 s timeout on such files, reproducibly when repeated). */
static void
test_storage_truncated_accepted_fast (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autofree char *half = g_build_filename (dir, "half.mp4", NULL);
  g_autoptr (GBytes) bytes = NULL;

  va_test_media_truncate_copy (sample_video, half, 0.5);
  bytes = read_file_bytes (half);
  for (guint i = 0; i < 5; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaUpload) upload = va_upload_create (storage, "half.mp4", -1, &error);
    gint64 start = g_get_monotonic_time ();

    g_assert_no_error (error);
    g_assert_true (splice_and_complete (upload, bytes, &error));
    g_assert_no_error (error);
    /* typefinding 1 MiB at most and two fsyncs: far below a second even on
     * a loaded machine */
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
    g_assert_cmpstr (va_upload_get_media_type (upload), ==, "video/quicktime");
  }
}

static void
test_storage_abandoned_upload_removed (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GBytes) video = read_file_bytes (sample_video);
  g_autoptr (GError) error = NULL;
  VaUpload *upload;

  /* half written, then dropped (client went away) */
  upload = va_upload_create (storage, "clip.mp4", -1, &error);
  g_assert_true (va_upload_write (upload, g_bytes_get_data (video, NULL), 100, NULL, &error));
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 1);
  g_object_unref (upload);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);

  /* complete but never taken over by a job */
  upload = va_upload_create (storage, "clip.mp4", -1, &error);
  g_assert_true (splice_and_complete (upload, video, &error));
  g_assert_no_error (error);
  g_object_unref (upload);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);

  /* explicit abort */
  upload = va_upload_create (storage, "clip.mp4", -1, &error);
  va_upload_abort (upload);
  g_assert_cmpuint (count_entries (va_storage_get_root (storage)), ==, 0);
  g_assert_false (va_upload_write (upload, "x", 1, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_object_unref (upload);
}

static void
test_storage_job_ids (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *upper = g_ascii_strup (uuid, -1);
  g_autofree char *with_suffix = g_strconcat (uuid, "/..", NULL);
  const char *const bad[] = { "",
                              ".",
                              "..",
                              "../etc",
                              "/etc/passwd",
                              "a/b",
                              "00000000-0000-0000-0000-00000000000",
                              "00000000-0000-0000-0000-0000000000000",
                              "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
                              "../../../../../../../../../../../etc/pa",
                              "0000000000000000000000000000000000000",
                              upper,
                              with_suffix };
  g_autofree char *job_dir = NULL;

  g_assert_true (va_storage_check_job_id (uuid, NULL));
  job_dir = va_storage_dup_job_dir (storage, uuid, NULL);
  g_assert_true (g_str_has_prefix (job_dir, va_storage_get_root (storage)));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = NULL;

    g_assert_false (va_storage_check_job_id (bad[i], &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    path = va_storage_dup_job_dir (storage, bad[i], &error);
    g_assert_null (path);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (va_storage_delete_job (storage, bad[i], NULL, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (va_storage_list_job_files (storage, bad[i], &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
  g_assert_false (va_storage_check_job_id (NULL, NULL));
}

static void
test_storage_resolve (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  const char *const bad[] = { "", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/", "." };
  g_autoptr (GError) error = NULL;
  g_autofree char *good = va_storage_resolve (storage, "a/b.json", &error);
  g_autofree char *inside = g_build_filename (va_storage_get_root (storage), "j", "f.json", NULL);
  g_autofree char *relative = NULL;
  g_autofree char *outside = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (good, va_storage_get_root (storage)));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *path = va_storage_resolve (storage, bad[i], &error);
    g_assert_null (path);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  relative = va_storage_dup_relative (storage, inside, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relative, ==, "j/f.json");
  outside = va_storage_dup_relative (storage, "/etc/passwd", &error);
  g_assert_null (outside);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_free (outside);
  outside = g_strconcat (va_storage_get_root (storage), "-other/x", NULL);
  g_assert_null (va_storage_dup_relative (storage, outside, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_storage_sanitize_filename (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "clip.mp4", "clip.mp4" },
    { "../../etc/passwd", "passwd" },
    { "C:\\Users\\me\\Videos\\home video.mov", "home video.mov" },
    { "tab\there\nnewline.mp4", "tabherenewline.mp4" },
    { "evil\u202Egpj.exe", "evilgpj.exe" },
    { "  spaced.mp4  ", "spaced.mp4" },
    { "日本語の動画.mp4", "日本語の動画.mp4" },
    { "", "upload" },
    { "..", "upload" },
    { "dir/", "upload" },
    { "\x01\x02", "upload" },
    { NULL, "upload" },
  };
  g_autofree char *invalid = va_storage_sanitize_filename ("bad\xff\xfeutf8.mp4");
  g_autoptr (GString) long_name = g_string_new (NULL);
  g_autofree char *truncated = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *out = va_storage_sanitize_filename (cases[i].in);
    g_assert_cmpstr (out, ==, cases[i].out);
  }
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_null (strchr (invalid, '/'));

  for (guint i = 0; i < 200; i++)
    g_string_append (long_name, "é");
  truncated = va_storage_sanitize_filename (long_name->str);
  g_assert_cmpuint (strlen (truncated), <=, 255);
  g_assert_true (g_utf8_validate (truncated, -1, NULL));
}

static void
test_storage_make_stem (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "clip.mp4", "clip" },
    { "My Video (1).mp4", "My_Video_1" },
    { "a.b.c.mkv", "a_b_c" },
    { "..", "video" },
    { ".hidden", "hidden" },
    { "日本語.mp4", "video" },
    { "session-01_take2.mov", "session-01_take2" },
    { NULL, "video" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *out = va_storage_make_stem (cases[i].in);
    g_assert_cmpstr (out, ==, cases[i].out);
  }
}

static void
test_storage_delete_job (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autofree char *job_id = g_uuid_string_random ();
  g_autofree char *job_dir = va_storage_dup_job_dir (storage, job_id, NULL);
  g_autofree char *outputs = g_build_filename (job_dir, "clip_output", NULL);
  g_autofree char *victim = g_build_filename (dir, "precious.txt", NULL);
  g_autofree char *link = g_build_filename (outputs, "link", NULL);
  g_autofree char *file = g_build_filename (outputs, "clip_scene_detection.json", NULL);
  g_autofree char *input = g_build_filename (job_dir, "input.mov", NULL);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  guint64 freed = 0;

  g_assert_cmpint (g_mkdir_with_parents (outputs, 0750), ==, 0);
  g_assert_true (g_file_set_contents (victim, "keep me", -1, NULL));
  g_assert_true (g_file_set_contents (file, "{}", -1, NULL));
  g_assert_true (g_file_set_contents (input, "12345", -1, NULL));
  g_assert_cmpint (symlink (victim, link), ==, 0);
  g_assert_cmpint (symlink (dir, g_build_filename (job_dir, "dirlink", NULL)), ==, 0);

  /* links are neither listed nor followed */
  files = va_storage_list_job_files (storage, job_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 2);
  g_assert_cmpstr (files->pdata[0], ==, "clip_output/clip_scene_detection.json");
  g_assert_cmpstr (files->pdata[1], ==, "input.mov");

  g_assert_true (va_storage_job_dir_exists (storage, job_id));
  g_assert_true (va_storage_delete_job (storage, job_id, &freed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (freed, ==, 7);
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (victim, G_FILE_TEST_IS_REGULAR));
  g_assert_false (va_storage_job_dir_exists (storage, job_id));

  g_assert_false (va_storage_delete_job (storage, job_id, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* async */
  g_assert_cmpint (g_mkdir_with_parents (outputs, 0750), ==, 0);
  va_storage_delete_job_async (storage, job_id, NULL, store_result, &result);
  g_assert_true (va_storage_delete_job_finish (storage, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
}

static void
test_storage_usage (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaStorage) storage = new_storage (dir);
  g_autoptr (GError) error = NULL;
  VaStorageUsage usage;

  g_assert_true (va_storage_query_usage (storage, &usage, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage.total_bytes, >, 0);
  g_assert_cmpuint (usage.free_bytes, <=, usage.total_bytes);
  g_assert_cmpuint (usage.used_bytes, <=, usage.total_bytes);
  g_assert_cmpfloat (usage.percent_used, >=, 0);
  g_assert_cmpfloat (usage.percent_used, <=, 100);
}

int
main (int argc, char **argv)
{
  g_autoptr (VaTestDir) media_dir = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  media_dir = va_test_dir_new ();
  sample_video = g_build_filename (media_dir, "sample.mp4", NULL);
  va_test_media_make_video (sample_video, 20);

  g_test_add_func ("/storage/permissions", test_storage_permissions);
  g_test_add_func ("/storage/existing-root", test_storage_existing_root_loses_world_access);
  g_test_add_func ("/storage/upload/fixed-name", test_storage_upload_stored_under_fixed_name);
  g_test_add_func ("/storage/upload/quicktime-extension", test_storage_upload_quicktime_extension);
  g_test_add_func ("/storage/upload/chunks", test_storage_upload_write_chunks);
  g_test_add_func ("/storage/upload/splice-digest", test_storage_upload_splice_digest);
  g_test_add_func ("/storage/upload/size-limit", test_storage_size_limit);
  g_test_add_func ("/storage/upload/disk-full", test_storage_disk_full);
  g_test_add_func ("/storage/upload/not-media", test_storage_not_media);
  g_test_add_func ("/storage/upload/truncated", test_storage_truncated_accepted_fast);
  g_test_add_func ("/storage/upload/abandoned", test_storage_abandoned_upload_removed);
  g_test_add_func ("/storage/job-ids", test_storage_job_ids);
  g_test_add_func ("/storage/resolve", test_storage_resolve);
  g_test_add_func ("/storage/sanitize-filename", test_storage_sanitize_filename);
  g_test_add_func ("/storage/make-stem", test_storage_make_stem);
  g_test_add_func ("/storage/delete-job", test_storage_delete_job);
  g_test_add_func ("/storage/usage", test_storage_usage);
  ret = g_test_run ();
  g_free (sample_video);
  return ret;
}
