/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "va-error.h"
#include "va-export.h"
#include "va-test-engine.h"
#include "va-test-media.h"

/* VaExport, the engine operation behind `videoannotator export` and
 * GET /api/v1/{jobs,users}/…/export: who may, what goes in, and a writer
 * that fails midway. (The engine is not started: jobs stay pending.) */

static char *sample_video; /* made once in main() */
static const char *const scene[] = { "scene_detection", NULL };

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
  VaCaller *alice;
  VaCaller *bob;
  VaCaller *admin;
  VaJob *job; /* alice's */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *result = NULL;

  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, NULL);
  f->alice = va_caller_new ("alice", VA_SCOPE_READ | VA_SCOPE_WRITE);
  f->bob = va_caller_new ("bob", VA_SCOPE_READ | VA_SCOPE_WRITE);
  f->admin = va_caller_new ("root-admin", VA_SCOPE_ALL);
  f->job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, NULL, &error);
  g_assert_no_error (error);
  /* a result file, as a run would leave it */
  dir = va_storage_dup_job_dir (va_engine_get_storage (f->engine), va_job_get_id (f->job), &error);
  g_assert_no_error (error);
  result = g_build_filename (dir, "scene_detection.json", NULL);
  g_assert_true (g_file_set_contents (result, "{\"annotations\": [], \"images\": []}", -1, NULL));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->job);
  g_clear_object (&f->alice);
  g_clear_object (&f->bob);
  g_clear_object (&f->admin);
  g_clear_object (&f->engine);
  va_test_dir_free (f->dir);
}

static VaExport *
prepare (Fixture *f, VaCaller *caller, const char *job_id, const char *user_id, VaExportFlags flags,
         GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  va_export_prepare_async (f->engine, caller, job_id, user_id, flags, NULL, va_test_store_result,
                           &res);
  return va_export_prepare_finish (f->engine, va_test_wait_for (&res), error);
}

static gboolean
append (gpointer data, const void *buffer, gsize length, GError **error)
{
  g_byte_array_append (data, buffer, length);
  return TRUE;
}

/* the whole ZIP in memory */
static GByteArray *
write_all (VaExport *export)
{
  g_autoptr (GError) error = NULL;
  GByteArray *zip = g_byte_array_new ();

  g_assert_true (va_export_start (export, append, zip, &error));
  g_assert_no_error (error);
  while (!va_export_is_done (export)) {
    g_assert_true (va_export_step (export, &error));
    g_assert_no_error (error);
  }
  return zip;
}

/* member name → contents, read back with libarchive; @order gets the
 * names as they come */
static GHashTable *
read_zip (GByteArray *zip, GPtrArray *order)
{
  GHashTable *members
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;

  archive_read_support_format_zip (a);
  g_assert_cmpint (archive_read_open_memory (a, zip->data, zip->len), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK) {
    g_autoptr (GByteArray) data = g_byte_array_new ();
    guint8 buffer[8192];
    la_ssize_t n;

    while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0)
      g_byte_array_append (data, buffer, n);
    g_assert_cmpint (n, ==, 0);
    g_ptr_array_add (order, g_strdup (archive_entry_pathname (entry)));
    g_hash_table_insert (members, g_strdup (archive_entry_pathname (entry)),
                         g_byte_array_free_to_bytes (g_steal_pointer (&data)));
  }
  archive_read_free (a);
  return members;
}

/* every member but the manifest is in the manifest, with its sha256 */
static JsonObject *
check_manifest (GHashTable *members)
{
  GBytes *text = g_hash_table_lookup (members, "manifest.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *manifest;
  JsonArray *files;

  g_assert_nonnull (text);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (text, NULL),
                                             g_bytes_get_size (text), &error));
  manifest = json_node_get_object (json_parser_get_root (parser));
  files = json_object_get_array_member (manifest, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, g_hash_table_size (members) - 1);
  for (guint i = 0; i < json_array_get_length (files); i++) {
    JsonObject *file = json_array_get_object_element (files, i);
    GBytes *data = g_hash_table_lookup (members, json_object_get_string_member (file, "path"));
    g_autofree char *sha = NULL;

    g_assert_nonnull (data);
    sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
    g_assert_cmpstr (sha, ==, json_object_get_string_member (file, "sha256"));
    g_assert_cmpint (json_object_get_int_member (file, "size"), ==, g_bytes_get_size (data));
  }
  return json_object_ref (manifest);
}

static void
test_export_job (Fixture *f, gconstpointer data)
{
  const char *id = va_job_get_id (f->job);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) order_media = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (VaExport) export = prepare (f, f->alice, id, NULL, VA_EXPORT_FLAGS_NONE, &error);
  g_autoptr (VaExport) with_media = NULL;
  g_autoptr (GByteArray) zip = NULL;
  g_autoptr (GByteArray) zip_media = NULL;
  g_autoptr (GHashTable) members = NULL;
  g_autoptr (GHashTable) members_media = NULL;
  g_autoptr (JsonObject) manifest = NULL;
  g_autoptr (JsonObject) manifest_media = NULL;
  g_autofree char *job_json = g_strdup_printf ("jobs/%s/job.json", id);
  g_autofree char *result = g_strdup_printf ("jobs/%s/files/scene_detection.json", id);
  g_autofree char *video = NULL;
  gsize video_length = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (va_export_get_n_jobs (export), ==, 1);
  zip = write_all (export);
  members = read_zip (zip, order);
  manifest = check_manifest (members);
  g_assert_cmpstr (json_object_get_string_member (manifest, "job_id"), ==, id);
  g_assert_false (json_object_get_boolean_member (manifest, "media"));
  g_assert_cmpstr (order->pdata[order->len - 1], ==, "manifest.json");
  g_assert_true (g_hash_table_contains (members, job_json));
  g_assert_true (g_hash_table_contains (members, result));
  g_assert_cmpuint (g_hash_table_size (members), ==, 4); /* job, results, file, manifest */

  /* an admin, with the video: the uploaded bytes exactly */
  with_media = prepare (f, f->admin, id, NULL, VA_EXPORT_FLAGS_WITH_MEDIA, &error);
  g_assert_no_error (error);
  zip_media = write_all (with_media);
  members_media = read_zip (zip_media, order_media);
  manifest_media = check_manifest (members_media);
  g_assert_true (json_object_get_boolean_member (manifest_media, "media"));
  g_assert_cmpuint (g_hash_table_size (members_media), ==, 5);
  g_assert_true (g_file_get_contents (sample_video, &video, &video_length, NULL));
  for (guint i = 0; i < order_media->len; i++) {
    const char *name = order_media->pdata[i];
    if (strstr (name, "/media/") != NULL) {
      GBytes *bytes = g_hash_table_lookup (members_media, name);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), video,
                       video_length);
    }
  }
}

static void
test_export_refusals (Fixture *f, gconstpointer data)
{
  const char *id = va_job_get_id (f->job);
  g_autoptr (GError) error = NULL;
  VaExport *export;

  /* another user's job is not found, as a missing one */
  export = prepare (f, f->bob, id, NULL, VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (export);
  g_clear_error (&error);
  export = prepare (f, f->alice, "00000000-0000-4000-8000-000000000000", NULL, VA_EXPORT_FLAGS_NONE,
                    &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  export = prepare (f, f->alice, "../../etc", NULL, VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* a user's export is an administrator's */
  export = prepare (f, f->alice, NULL, "alice", VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  export = prepare (f, f->admin, NULL, "nobody", VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  export = prepare (f, f->admin, NULL, "", VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  export = prepare (f, f->admin, id, "alice", VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  export = prepare (f, f->admin, NULL, NULL, VA_EXPORT_FLAGS_NONE, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_export_user (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) second
      = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, NULL, &error);
  g_autoptr (VaJob) bobs = NULL;
  g_autoptr (VaExport) export = NULL;
  g_autoptr (GByteArray) zip = NULL;
  g_autoptr (GHashTable) members = NULL;
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonObject) manifest = NULL;

  g_assert_no_error (error);
  bobs = va_test_submit_file (f->engine, f->bob, sample_video, scene, NULL, NULL, &error);
  g_assert_no_error (error);
  export = prepare (f, f->admin, NULL, "alice", VA_EXPORT_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (va_export_get_n_jobs (export), ==, 2);
  zip = write_all (export);
  members = read_zip (zip, order);
  manifest = check_manifest (members);
  g_assert_cmpstr (json_object_get_string_member (manifest, "user_id"), ==, "alice");
  g_assert_true (g_hash_table_contains (members, "keys.json"));
  for (guint i = 0; i < order->len; i++)
    g_assert_null (strstr (order->pdata[i], va_job_get_id (bobs)));
}

/* the reader goes away: the writer's error comes back as it was, and an
 * export dropped midway is freed cleanly */
static gboolean
fail_after_some (gpointer data, const void *buffer, gsize length, GError **error)
{
  gsize *left = data;

  if (length > *left) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the reader went away");
    return FALSE;
  }
  *left -= length;
  return TRUE;
}

static void
test_export_writer_fails (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaExport) export
      = prepare (f, f->alice, va_job_get_id (f->job), NULL, VA_EXPORT_FLAGS_WITH_MEDIA, &error);
  gsize left = 2000;
  guint steps = 0;

  g_assert_no_error (error);
  g_assert_true (va_export_start (export, fail_after_some, &left, &error));
  while (va_export_step (export, &error))
    g_assert_cmpuint (++steps, <, 1000);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_false (va_export_is_done (export));
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

#define ADD(path, func)                                                                            \
  g_test_add ("/export/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("job", test_export_job);
  ADD ("refusals", test_export_refusals);
  ADD ("user", test_export_user);
  ADD ("writer-fails", test_export_writer_fails);
  ret = g_test_run ();
  g_free (sample_video);
  return ret;
}
