/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "../core/va-test-media.h"
#include "va-error.h"
#include "va-http-test-utils.h"
#include "va-token-store-private.h"

/* Job routes over HTTP against a real engine: submission (streamed
 * multipart), listing, get, cancel, delete, results, files, artifacts,
 * events, the error envelope of each failure, and authentication. */

typedef struct {
  VaHttpFixture f;
  char *video; /* a small MP4 made once per test */
  char *alice_write;
  char *alice_read;
  char *bob_write;
  char *admin;
} JobsFixture;

static void
jobs_setup_with (JobsFixture *j, const char *const *overrides)
{
  va_http_fixture_setup_with (&j->f, overrides, FALSE);
  j->video = g_build_filename (j->f.dir, "clip.mp4", NULL);
  va_test_media_make_video (j->video, 20);
  j->alice_write = va_http_fixture_make_key (&j->f, "alice", VA_SCOPE_READ | VA_SCOPE_WRITE, 0);
  j->alice_read = va_http_fixture_make_key (&j->f, "alice", VA_SCOPE_READ, 0);
  j->bob_write = va_http_fixture_make_key (&j->f, "bob", VA_SCOPE_READ | VA_SCOPE_WRITE, 0);
  j->admin = va_http_fixture_make_key (&j->f, "root", VA_SCOPE_ALL, 0);
}

static void
jobs_setup (JobsFixture *j, gconstpointer data)
{
  jobs_setup_with (j, data);
}

static void
jobs_teardown (JobsFixture *j, gconstpointer data)
{
  g_free (j->video);
  g_free (j->alice_write);
  g_free (j->alice_read);
  g_free (j->bob_write);
  g_free (j->admin);
  va_http_fixture_teardown (&j->f, data);
}

static VaHttpReply *
fetch_as (JobsFixture *j, const char *key, const char *method, const char *path)
{
  g_autofree char *bearer = key != NULL ? g_strconcat ("Bearer ", key, NULL) : NULL;
  const char *h[] = { "Authorization", bearer, NULL };

  return va_http_fetch_full (&j->f, method, path, key != NULL ? h : NULL, NULL, NULL);
}

/* POST /api/v1/jobs with the fields given (NULL: left out); @refused: the
 * server refuses the body from its headers (va_http_fetch_refused_body()). */
static VaHttpReply *
submit_with (JobsFixture *j, const char *key, const char *video_path, const char *config,
             const char *pipelines, const char *consent, gboolean refused)
{
  g_autoptr (SoupMultipart) mp = soup_multipart_new ("multipart/form-data");
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (GBytes) body = NULL;
  g_autofree char *bearer = key != NULL ? g_strconcat ("Bearer ", key, NULL) : NULL;
  const char *h[] = { "Authorization", bearer, NULL };

  /* fields before the file, as browsers send them */
  if (config != NULL)
    soup_multipart_append_form_string (mp, "config", config);
  if (pipelines != NULL)
    soup_multipart_append_form_string (mp, "selected_pipelines", pipelines);
  if (consent != NULL)
    soup_multipart_append_form_string (mp, "consent", consent);
  if (video_path != NULL) {
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_autoptr (GBytes) file = NULL;

    g_assert_true (g_file_get_contents (video_path, &contents, &len, NULL));
    file = g_bytes_new_take (g_steal_pointer (&contents), len);
    soup_multipart_append_form_file (mp, "video", "my clip.mp4", "video/mp4", file);
  }
  soup_multipart_to_message (mp, headers, &body);
  if (refused)
    return va_http_fetch_refused_body (&j->f, "POST", "/api/v1/jobs", key != NULL ? h : NULL,
                                       soup_message_headers_get_one (headers, "Content-Type"),
                                       body);
  return va_http_fetch_full (&j->f, "POST", "/api/v1/jobs", key != NULL ? h : NULL,
                             soup_message_headers_get_one (headers, "Content-Type"), body);
}

static VaHttpReply *
submit_as (JobsFixture *j, const char *key, const char *video_path, const char *config,
           const char *pipelines, const char *consent)
{
  return submit_with (j, key, video_path, config, pipelines, consent, FALSE);
}

static char *
submit_ok (JobsFixture *j, const char *key)
{
  g_autoptr (VaHttpReply) reply = submit_as (j, key, j->video, NULL, NULL, NULL);
  JsonObject *o;

  g_assert_cmpuint (reply->status, ==, 201);
  o = va_http_reply_object (reply);
  return g_strdup (json_object_get_string_member (o, "id"));
}

/* ---- submission ----------------------------------------------------------------- */

static void
test_submit (JobsFixture *j, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply
      = submit_as (j, j->alice_write, j->video, "{\"scene_detection\":{\"threshold\":20}}",
                   "scene_detection", NULL);
  JsonObject *o;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;

  g_assert_cmpuint (reply->status, ==, 201);
  o = va_http_reply_object (reply);
  id = g_strdup (json_object_get_string_member (o, "id"));
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (o, "video_filename"), ==, "my clip.mp4");
  g_assert_cmpint (json_object_get_int_member (o, "queue_position"), ==, 1);
  g_assert_true (
      json_object_has_member (json_object_get_object_member (o, "config"), "scene_detection"));
  /* round trip */
  path = g_strdup_printf ("/api/v1/jobs/%s", id);
  {
    g_autoptr (VaHttpReply) got = fetch_as (j, j->alice_read, "GET", path);
    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (va_http_reply_object (got), "id"), ==, id);
  }
  /* queue positions 1, 2, 3 */
  {
    g_autoptr (VaHttpReply) second = submit_as (j, j->alice_write, j->video, NULL, NULL, NULL);
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (second), "queue_position"),
                     ==, 2);
  }
}

static void
test_submit_errors (JobsFixture *j, gconstpointer data)
{
  {
    g_autoptr (VaHttpReply) r = submit_as (j, j->alice_write, j->video, "{not json", NULL, NULL);
    JsonObject *err = va_http_assert_envelope (r, 400, "INVALID_REQUEST");
    g_assert_cmpstr (json_object_get_string_member (err, "message"), ==,
                     "Invalid JSON configuration");
    g_assert_true (json_object_has_member (err, "hint"));
  }
  {
    g_autoptr (VaHttpReply) r = submit_as (j, j->alice_write, NULL, "{}", NULL, NULL);
    va_http_assert_envelope (r, 422, "VALIDATION_ERROR");
  }
  {
    g_autoptr (VaHttpReply) r
        = submit_as (j, j->alice_write, j->video, NULL, "scene_detection,scene_detection", NULL);
    va_http_assert_envelope (r, 400, "INVALID_CONFIG");
  }
  {
    /* not media: typefinding refuses it */
    g_autofree char *text = g_build_filename (j->f.dir, "notes.txt", NULL);
    g_autoptr (VaHttpReply) r = NULL;

    g_file_set_contents (text, "just some text, not a video\n", -1, NULL);
    r = submit_as (j, j->alice_write, text, NULL, NULL, NULL);
    va_http_assert_envelope (r, 415, "UNSUPPORTED_MEDIA_TYPE");
  }
  {
    /* not multipart */
    const char *h[] = { "X-API-Key", j->alice_write, NULL };
    g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
    g_autoptr (VaHttpReply) r
        = va_http_fetch_full (&j->f, "POST", "/api/v1/jobs", h, "application/json", body);
    va_http_assert_envelope (r, 415, "UNSUPPORTED_MEDIA_TYPE");
  }
  {
    /* truncated multipart body */
    const char *h[] = { "X-API-Key", j->alice_write, NULL };
    const char *text = "--XX\r\nContent-Disposition: form-data; name=\"video\"; "
                       "filename=\"a.mp4\"\r\n\r\nabc";
    g_autoptr (GBytes) body = g_bytes_new_static (text, strlen (text));
    g_autoptr (VaHttpReply) r = va_http_fetch_full (&j->f, "POST", "/api/v1/jobs", h,
                                                    "multipart/form-data; boundary=XX", body);
    va_http_assert_envelope (r, 400, "INVALID_REQUEST");
  }
  {
    /* nothing was left behind by the refused uploads */
    g_autoptr (VaHttpReply) list = fetch_as (j, j->admin, "GET", "/api/v1/jobs");
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (list), "total"), ==, 0);
  }
}

static const char *small_upload_settings[] = { "max-upload-size=1048576", NULL };

static void
test_submit_too_large (JobsFixture *j, gconstpointer data)
{
  /* far over: refused from the headers (Content-Length); just over: the
   * engine stops the upload while it is written */
  const gsize sizes[] = { 3 * 1048576, 1048576 + 10000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autofree char *big = g_build_filename (j->f.dir, "big.bin", NULL);
    g_autofree char *data = g_malloc0 (sizes[i]);
    g_autoptr (VaHttpReply) r = NULL;

    g_assert_true (g_file_set_contents (big, data, sizes[i], NULL));
    /* the first is refused from its Content-Length */
    r = submit_with (j, j->alice_write, big, NULL, NULL, NULL, i == 0);
    if (r != NULL)
      va_http_assert_envelope (r, 413, "PAYLOAD_TOO_LARGE");
  }
  {
    g_autoptr (VaHttpReply) list = fetch_as (j, j->admin, "GET", "/api/v1/jobs");
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (list), "total"), ==, 0);
  }
}

/* ---- list, get, cancel, delete ---------------------------------------------------- */

static void
test_list_and_paginate (JobsFixture *j, gconstpointer data)
{
  {
    g_autoptr (VaHttpReply) empty = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs");
    JsonObject *o = va_http_reply_object (empty);

    g_assert_cmpuint (empty->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "jobs")), ==, 0);
    g_assert_cmpint (json_object_get_int_member (o, "total"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (o, "page"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (o, "per_page"), ==, 10);
  }
  for (guint i = 0; i < 5; i++)
    g_free (submit_ok (j, j->alice_write));
  g_free (submit_ok (j, j->bob_write));
  {
    g_autoptr (VaHttpReply) p1
        = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs?page=1&per_page=3");
    g_autoptr (VaHttpReply) p2
        = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs/?page=2&per_page=3");
    JsonObject *o1 = va_http_reply_object (p1), *o2 = va_http_reply_object (p2);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o1, "jobs")), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o2, "jobs")), ==, 2);
    /* bob's job is not alice's */
    g_assert_cmpint (json_object_get_int_member (o1, "total"), ==, 5);
  }
  {
    g_autoptr (VaHttpReply) all = fetch_as (j, j->admin, "GET", "/api/v1/jobs?per_page=100");
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (all), "total"), ==, 6);
  }
  {
    g_autoptr (VaHttpReply) pending
        = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs?status_filter=pending");
    g_autoptr (VaHttpReply) done
        = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs?status_filter=completed");
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (pending), "total"), ==, 5);
    g_assert_cmpint (json_object_get_int_member (va_http_reply_object (done), "total"), ==, 0);
  }
  for (const char *const *q
       = (const char *const[]){ "page=0", "page=abc", "per_page=0", "per_page=100000",
                                "status_filter=bogus", NULL };
       *q != NULL; q++) {
    g_autofree char *path = g_strdup_printf ("/api/v1/jobs?%s", *q);
    g_autoptr (VaHttpReply) bad = fetch_as (j, j->alice_read, "GET", path);
    va_http_assert_envelope (bad, 400, "INVALID_REQUEST");
  }
}

static void
test_get_unknown (JobsFixture *j, gconstpointer data)
{
  g_autoptr (VaHttpReply) r
      = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs/00000000-0000-4000-8000-000000000000");
  JsonObject *err = va_http_assert_envelope (r, 404, "JOB_NOT_FOUND");

  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "not found"));
  g_assert_nonnull (
      strstr (json_object_get_string_member (err, "message"), "00000000-0000-4000-8000"));
  g_assert_true (json_object_has_member (err, "hint"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (err, "detail"), "job_id"), ==,
      "00000000-0000-4000-8000-000000000000");
  {
    /* traversal in an id is just an unknown job */
    g_autoptr (VaHttpReply) t = fetch_as (j, j->alice_read, "GET", "/api/v1/jobs/..%2F..%2Fetc");
    g_assert_cmpuint (t->status, ==, t->status == 400 ? 400 : 404);
  }
}

static void
test_ownership (JobsFixture *j, gconstpointer data)
{
  g_autofree char *id = submit_ok (j, j->alice_write);
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s", id);
  g_autofree char *cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", id);
  g_autoptr (VaHttpReply) bob_get = fetch_as (j, j->bob_write, "GET", path);
  g_autoptr (VaHttpReply) bob_cancel = fetch_as (j, j->bob_write, "POST", cancel);
  g_autoptr (VaHttpReply) bob_delete = fetch_as (j, j->bob_write, "DELETE", path);
  g_autoptr (VaHttpReply) admin_get = fetch_as (j, j->admin, "GET", path);

  /* another user's job does not exist for bob */
  va_http_assert_envelope (bob_get, 404, "JOB_NOT_FOUND");
  va_http_assert_envelope (bob_cancel, 404, "JOB_NOT_FOUND");
  va_http_assert_envelope (bob_delete, 404, "JOB_NOT_FOUND");
  g_assert_cmpuint (admin_get->status, ==, 200);
}

static void
test_cancel (JobsFixture *j, gconstpointer data)
{
  g_autofree char *id = submit_ok (j, j->alice_write);
  g_autofree char *cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", id);
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s", id);

  for (guint i = 0; i < 2; i++) {
    /* idempotent */
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "POST", cancel);
    JsonObject *o;

    g_assert_cmpuint (r->status, ==, 200);
    o = va_http_reply_object (r);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "cancelled");
    g_assert_cmpstr (json_object_get_string_member (o, "error_message"), ==,
                     "Job cancelled by user request");
    g_assert_false (json_object_get_null_member (o, "completed_at"));
  }
  {
    g_autoptr (VaHttpReply) got = fetch_as (j, j->alice_read, "GET", path);
    g_assert_cmpstr (json_object_get_string_member (va_http_reply_object (got), "status"), ==,
                     "cancelled");
  }
  {
    g_autoptr (VaHttpReply) unknown = fetch_as (
        j, j->alice_write, "POST", "/api/v1/jobs/00000000-0000-4000-8000-000000000000/cancel");
    va_http_assert_envelope (unknown, 404, "JOB_NOT_FOUND");
  }
}

/* Puts a job in `completed` with one result file, as the queue would. */
static char *
complete_job (JobsFixture *j, const char *id)
{
  VaStore *store = va_engine_get_store (j->f.engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *job_dir
      = va_storage_dup_job_dir (va_engine_get_storage (j->f.engine), id, &error);
  g_autofree char *dir = g_build_filename (job_dir, "clip_output", NULL);
  g_autofree char *file = g_build_filename (dir, "clip_scene_detection.json", NULL);
  g_autofree char *relative = NULL;
  g_autoptr (VaJobResult) result = NULL;

  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0750);
  g_file_set_contents (file, "{\"images\":[],\"annotations\":[],\"categories\":[]}", -1, &error);
  g_assert_no_error (error);
  relative = va_storage_dup_relative (va_engine_get_storage (j->f.engine), file, &error);
  g_assert_no_error (error);
  result = va_job_result_new (id, "scene_detection");
  va_job_result_set_status (result, VA_JOB_STATUS_COMPLETED);
  va_job_result_set_output_file (result, relative);
  va_job_result_set_annotation_count (result, 1);
  va_store_upsert_result (store, result, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, id, VA_JOB_STATUS_RUNNING, NULL, &error);
  g_assert_no_error (error);
  va_store_set_job_status (store, id, VA_JOB_STATUS_COMPLETED, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

static void
test_completed_job (JobsFixture *j, gconstpointer data)
{
  g_autofree char *id = submit_ok (j, j->alice_write);
  g_autofree char *file = complete_job (j, id);
  g_autofree char *cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", id);
  g_autofree char *results = g_strdup_printf ("/api/v1/jobs/%s/results", id);
  g_autofree char *download = g_strdup_printf ("/api/v1/jobs/%s/results/files/scene_detection", id);
  g_autofree char *missing = g_strdup_printf ("/api/v1/jobs/%s/results/files/face_analysis", id);
  g_autofree char *artifacts = g_strdup_printf ("/api/v1/jobs/%s/artifacts?include_video=true", id);

  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "POST", cancel);
    JsonObject *err = va_http_assert_envelope (r, 409, "JOB_ALREADY_COMPLETED");
    g_autofree char *lower = g_ascii_strdown (json_object_get_string_member (err, "message"), -1);

    g_assert_nonnull (strstr (lower, "cannot cancel"));
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (err, "detail"), "status"), ==,
        "completed");
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_read, "GET", results);
    JsonObject *o = va_http_reply_object (r);
    JsonObject *scene;

    if (r->status != 200)
      g_error ("results: %s", (const char *)g_bytes_get_data (r->body, NULL));
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "completed");
    scene = json_object_get_object_member (json_object_get_object_member (o, "pipeline_results"),
                                           "scene_detection");
    g_assert_cmpint (json_object_get_int_member (scene, "annotation_count"), ==, 1);
    g_assert_nonnull (strstr (json_object_get_string_member (scene, "download_url"), download));
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_read, "GET", download);
    g_autofree char *expected = NULL;
    gsize len;

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==,
                     "application/octet-stream");
    g_assert_nonnull (
        strstr (va_http_reply_header (r, "Content-Disposition"), "clip_scene_detection.json"));
    g_file_get_contents (file, &expected, &len, NULL);
    g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), expected, len);
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_read, "GET", missing);
    va_http_assert_envelope (r, 400, "INVALID_REQUEST");
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_read, "GET", artifacts);
    struct archive *a = archive_read_new ();
    struct archive_entry *entry;
    gboolean saw_video = FALSE, saw_json = FALSE;

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==,
                     "application/zip");
    g_assert_nonnull (strstr (va_http_reply_header (r, "Content-Disposition"), "_artifacts.zip"));
    archive_read_support_format_zip (a);
    g_assert_cmpint (
        archive_read_open_memory (a, g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body)),
        ==, ARCHIVE_OK);
    while (archive_read_next_header (a, &entry) == ARCHIVE_OK) {
      const char *name = archive_entry_pathname (entry);
      g_autofree char *content = g_malloc (archive_entry_size (entry) + 1);
      la_ssize_t n = archive_read_data (a, content, archive_entry_size (entry));

      g_assert_cmpint (n, ==, archive_entry_size (entry));
      if (g_str_has_suffix (name, "clip_scene_detection.json")) {
        saw_json = TRUE;
        g_assert_cmpmem (content, n, "{\"images\":[],\"annotations\":[],\"categories\":[]}",
                         strlen ("{\"images\":[],\"annotations\":[],\"categories\":[]}"));
      } else if (g_str_has_prefix (name, "input.")) {
        gsize len;
        g_autofree char *video = NULL;

        saw_video = TRUE;
        g_file_get_contents (j->video, &video, &len, NULL);
        g_assert_cmpmem (content, n, video, len);
      }
    }
    archive_read_free (a);
    g_assert_true (saw_json);
    g_assert_true (saw_video);
  }
}

static void
test_delete (JobsFixture *j, gconstpointer data)
{
  g_autofree char *id = submit_ok (j, j->alice_write);
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s", id);
  g_autofree char *dir = va_storage_dup_job_dir (va_engine_get_storage (j->f.engine), id, NULL);

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "DELETE", path);
    g_assert_cmpuint (r->status, ==, 204);
    g_assert_cmpuint (g_bytes_get_size (r->body), ==, 0);
  }
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  {
    g_autoptr (VaHttpReply) again = fetch_as (j, j->alice_read, "GET", path);
    g_autoptr (VaHttpReply) twice = fetch_as (j, j->alice_write, "DELETE", path);
    va_http_assert_envelope (again, 404, "JOB_NOT_FOUND");
    va_http_assert_envelope (twice, 404, "JOB_NOT_FOUND");
  }
}

/* Deletes racing with the job queue (running here, unlike in the other
 * tests): each job is deleted as soon as its submission is answered, while
 * the queue starts it; every other one by two concurrent DELETEs. The
 * answer is always 204 (or 404 for the second of two), never 500, and no
 * job directory is left. */
static const char *running_queue_settings[] = { "max-concurrent-jobs=2", "rate-limit=0", NULL };

static void
test_delete_while_starting (JobsFixture *j, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *bearer = g_strconcat ("Bearer ", j->alice_write, NULL);
  VaStorage *storage = va_engine_get_storage (j->f.engine);
  const char *root = va_settings_get_storage_dir (j->f.settings);
  g_autoptr (GDir) dir = NULL;
  const char *name;
  guint n_no_content = 0, n_not_found = 0;

  g_assert_true (va_engine_start (j->f.engine, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++) {
    g_autofree char *id = submit_ok (j, j->alice_write);
    g_autofree char *uri = g_strdup_printf ("%s/api/v1/jobs/%s", j->f.base, id);
    guint copies = i % 2 == 0 ? 2 : 1;
    SoupMessage *msgs[2] = { NULL, NULL };
    GAsyncResult *results[2] = { NULL, NULL };

    for (guint k = 0; k < copies; k++) {
      msgs[k] = soup_message_new ("DELETE", uri);
      soup_message_headers_replace (soup_message_get_request_headers (msgs[k]), "Authorization",
                                    bearer);
      soup_session_send_and_read_async (j->f.session, msgs[k], G_PRIORITY_DEFAULT, NULL,
                                        va_http_sent_cb, &results[k]);
    }
    for (guint k = 0; k < copies; k++) {
      g_autoptr (GBytes) body = NULL;
      guint status;

      while (results[k] == NULL)
        g_main_context_iteration (NULL, TRUE);
      body = soup_session_send_and_read_finish (j->f.session, results[k], &error);
      g_assert_no_error (error);
      status = soup_message_get_status (msgs[k]);
      if (status != 204 && status != 404)
        g_error ("DELETE of job %s answered %u: %.*s", id, status, (int)g_bytes_get_size (body),
                 (const char *)g_bytes_get_data (body, NULL));
      n_no_content += status == 204;
      n_not_found += status == 404;
      g_object_unref (results[k]);
      g_object_unref (msgs[k]);
    }
    g_assert_false (va_storage_job_dir_exists (storage, id));
    g_ptr_array_add (ids, g_steal_pointer (&id));
  }
  g_assert_cmpuint (n_no_content, ==, 12);
  g_assert_cmpuint (n_not_found, ==, 6);

  /* whatever the queue was doing has ended, and left nothing */
  while (va_job_queue_get_n_running (va_engine_get_queue (j->f.engine)) > 0)
    g_main_context_iteration (NULL, TRUE);
  dir = g_dir_open (root, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_uuid_string_is_valid (name));
}

/* ---- authentication ------------------------------------------------------------------ */

static void
test_auth (JobsFixture *j, gconstpointer data)
{
  g_autofree char *expiring = va_http_fixture_make_key (&j->f, "carol", VA_SCOPE_READ, 1);
  g_autofree char *revoked = va_http_fixture_make_key (&j->f, "dave", VA_SCOPE_READ, 0);
  g_autoptr (GError) error = NULL;

  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/jobs");
    JsonObject *err = va_http_assert_envelope (r, 401, "UNAUTHORIZED");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "API key required"));
    g_assert_cmpstr (va_http_reply_header (r, "WWW-Authenticate"), ==, "Bearer");
  }
  {
    /* anonymous POST: refused before the body is looked at */
    g_autoptr (VaHttpReply) r = submit_as (j, NULL, NULL, "{bad", NULL, NULL);
    va_http_assert_envelope (r, 401, "UNAUTHORIZED");
  }
  {
    g_autoptr (VaHttpReply) r
        = fetch_as (j, "va_api_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "GET", "/api/v1/jobs");
    va_http_assert_envelope (r, 401, "UNAUTHORIZED");
  }
  {
    /* a bad key is rejected on a public route too */
    g_autoptr (VaHttpReply) r = fetch_as (j, "va_invalid_key_12345", "GET", "/api/v1/health");
    va_http_assert_envelope (r, 401, "UNAUTHORIZED");
  }
  {
    const char *h[] = { "Authorization", "Basic dXNlcjpwYXNz", NULL };
    g_autoptr (VaHttpReply) r = va_http_fetch_full (&j->f, "GET", "/api/v1/jobs", h, NULL, NULL);
    va_http_assert_envelope (r, 401, "UNAUTHORIZED");
  }
  {
    /* X-API-Key works as well as Bearer */
    const char *h[] = { "X-API-Key", j->alice_read, NULL };
    g_autoptr (VaHttpReply) r = va_http_fetch_full (&j->f, "GET", "/api/v1/jobs", h, NULL, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autoptr (VaHttpReply) r = submit_as (j, j->alice_read, j->video, NULL, NULL, NULL);
    JsonObject *err = va_http_assert_envelope (r, 403, "FORBIDDEN");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "write"));
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "GET", "/api/v1/system/database");
    g_autoptr (VaHttpReply) ok = fetch_as (j, j->admin, "GET", "/api/v1/system/database");
    va_http_assert_envelope (r, 403, "FORBIDDEN");
    g_assert_cmpuint (ok->status, ==, 200);
  }
  va_token_store_revoke (j->f.tokens, revoked, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, revoked, "GET", "/api/v1/jobs");
    JsonObject *err = va_http_assert_envelope (r, 401, "UNAUTHORIZED");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "revoked"));
  }
  {
    g_autoptr (GDateTime) later = g_date_time_add_days (g_date_time_new_now_utc (), 3);
    g_autoptr (VaHttpReply) r = NULL;
    JsonObject *err;

    va_token_store_set_now (j->f.tokens, later);
    r = fetch_as (j, expiring, "GET", "/api/v1/jobs");
    err = va_http_assert_envelope (r, 401, "UNAUTHORIZED");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "expired"));
    va_token_store_set_now (j->f.tokens, NULL);
  }
  {
    /* the raw keys never reach the access log */
    g_autofree char *log
        = g_build_filename (va_settings_get_log_dir (j->f.settings), "api_requests.log", NULL);
    g_autofree char *contents = NULL;

    for (guint i = 0; i < 20; i++)
      g_main_context_iteration (NULL, FALSE);
    va_http_server_flush_log (j->f.server);
    g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
    g_assert_null (strstr (contents, j->alice_read));
    g_assert_null (strstr (contents, revoked));
    g_assert_nonnull (strstr (contents, "\"user_id\":\"alice\""));
  }
}

static const char *no_auth_settings[] = { "auth-required=false", NULL };

static void
test_auth_disabled (JobsFixture *j, gconstpointer data)
{
  g_autoptr (VaHttpReply) list = fetch_as (j, NULL, "GET", "/api/v1/jobs");
  g_autoptr (VaHttpReply) bad = fetch_as (j, "va_api_nope", "GET", "/api/v1/jobs");
  g_autoptr (VaHttpReply) health = fetch_as (j, NULL, "GET", "/api/v1/system/health");
  JsonArray *warnings;

  g_assert_cmpuint (list->status, ==, 200);
  va_http_assert_envelope (bad, 401, "UNAUTHORIZED");
  g_assert_cmpuint (health->status, ==, 200);
  warnings = json_object_get_array_member (
      json_object_get_object_member (va_http_reply_object (health), "security"), "warnings");
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  g_free (submit_ok (j, NULL));
}

/* ---- rate limit per key --------------------------------------------------------------- */

static const char *key_rate_settings[]
    = { "rate-limit=1", "rate-limit-burst=4", "trusted-proxies=127.0.0.1", NULL };

/* Behind a proxy, one key used from many addresses is still one bucket. */
static void
test_rate_limit_per_key (JobsFixture *j, gconstpointer data)
{
  guint limited = 0;

  for (guint i = 0; i < 6; i++) {
    g_autofree char *addr = g_strdup_printf ("192.0.2.%u", i + 1);
    g_autofree char *bearer = g_strconcat ("Bearer ", j->alice_read, NULL);
    const char *h[] = { "X-Forwarded-For", addr, "Authorization", bearer, NULL };
    g_autoptr (VaHttpReply) r = va_http_fetch_full (&j->f, "GET", "/api/v1/jobs", h, NULL, NULL);

    if (r->status == 429) {
      limited++;
      g_assert_nonnull (va_http_reply_header (r, "Retry-After"));
    }
  }
  g_assert_cmpuint (limited, >=, 1);
}

/* ---- health, system, pipelines ---------------------------------------------------------- */

static void
test_system (JobsFixture *j, gconstpointer data)
{
  g_free (submit_ok (j, j->alice_write));
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/health?detailed=true");
    JsonObject *details = json_object_get_object_member (va_http_reply_object (r), "details");

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (details, "database"), "status"),
                     ==, "ok");
    g_assert_true (
        json_object_has_member (json_object_get_object_member (details, "storage"), "free_gb"));
    g_assert_cmpint (json_object_get_int_member (
                         json_object_get_object_member (details, "registry"), "pipelines_loaded"),
                     >, 0);
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/system/metrics");
    JsonObject *m = json_object_get_object_member (va_http_reply_object (r), "metrics");

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (m, "jobs_total"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (m, "jobs_pending"), ==, 1);
    /* this request is still in flight; the submission before it counted */
    g_assert_cmpint (json_object_get_int_member (m, "api_requests_total"), >=, 2);
    g_assert_cmpfloat (json_object_get_double_member (m, "response_time_avg_ms"), >, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (m, "uptime_seconds"), >=, 0.0);
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/metrics");
    const char *text = g_bytes_get_data (r->body, NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (g_str_has_prefix (va_http_reply_header (r, "Content-Type"), "text/plain"));
    g_assert_nonnull (strstr (text, "# TYPE videoannotator_jobs gauge\n"));
    g_assert_nonnull (strstr (text, "videoannotator_jobs{status=\"pending\"} 1\n"));
    g_assert_nonnull (strstr (text, "videoannotator_http_requests_total{class=\"2xx\"} "));
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/system/health");
    JsonObject *o = va_http_reply_object (r);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "healthy");
    g_assert_true (
        json_object_has_member (json_object_get_object_member (o, "system"), "platform"));
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (o, "workers"), "status"), ==,
        "running");
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/pipelines");
    JsonObject *o = va_http_reply_object (r);
    JsonArray *list = json_object_get_array_member (o, "pipelines");
    JsonObject *first;
    g_autofree char *path = NULL;

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (o, "total"), ==, json_array_get_length (list));
    g_assert_cmpuint (json_array_get_length (list), >, 0);
    first = json_array_get_object_element (list, 0);
    g_assert_true (json_object_has_member (first, "config_schema"));
    path = g_strdup_printf ("/api/v1/pipelines/%s/", json_object_get_string_member (first, "name"));
    {
      g_autoptr (VaHttpReply) one = fetch_as (j, NULL, "GET", path);
      g_assert_cmpuint (one->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (va_http_reply_object (one), "name"), ==,
                       json_object_get_string_member (first, "name"));
    }
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, NULL, "GET", "/api/v1/pipelines/no_such_thing");
    JsonObject *err = va_http_assert_envelope (r, 404, "PIPELINE_NOT_FOUND");
    g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "no_such_thing"));
    g_assert_nonnull (
        strstr (json_object_get_string_member (err, "hint"), "videoannotator pipelines"));
  }
}

/* ---- configuration validation ----------------------------------------------------------- */

static VaHttpReply *
post_json (JobsFixture *j, const char *path, const char *text)
{
  g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));

  return va_http_fetch_full (&j->f, "POST", path, NULL, "application/json", body);
}

static void
test_validate (JobsFixture *j, gconstpointer data)
{
  const char *path = "/api/v1/pipelines/scene_detection/validate";

  {
    g_autoptr (VaHttpReply) r
        = post_json (j, path, "{\"config\":{\"scene_detection\":{\"threshold\":20}}}");
    JsonObject *o = va_http_reply_object (r);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (o, "valid"));
    g_assert_nonnull (strstr (json_object_get_string_member (o, "message"), "valid"));
  }
  {
    g_autoptr (VaHttpReply) r
        = post_json (j, path, "{\"config\":{\"scene_detection\":{\"threshold\":\"high\"}}}");
    JsonObject *o = va_http_reply_object (r);
    JsonArray *errors = json_object_get_array_member (o, "errors");

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (o, "valid"));
    g_assert_cmpuint (json_array_get_length (errors), >=, 1);
    g_assert_nonnull (
        strstr (json_object_get_string_member (json_array_get_object_element (errors, 0), "field"),
                "threshold"));
  }
  {
    g_autoptr (VaHttpReply) r
        = post_json (j, path, "{\"config\":{\"scene_detection\":{\"no_such_option\":1}}}");
    JsonObject *o = va_http_reply_object (r);

    g_assert_true (json_object_get_boolean_member (o, "valid"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "warnings")), >=, 1);
  }
  {
    g_autoptr (VaHttpReply) r = post_json (j, "/api/v1/pipelines/nope/validate", "{}");
    va_http_assert_envelope (r, 404, "PIPELINE_NOT_FOUND");
  }
  {
    g_autoptr (VaHttpReply) r = post_json (j, path, "{not json");
    g_autoptr (VaHttpReply) array = post_json (j, path, "[1,2]");
    g_autoptr (VaHttpReply) wrong = post_json (j, path, "{\"config\":[]}");
    va_http_assert_envelope (r, 400, "INVALID_REQUEST");
    va_http_assert_envelope (array, 422, "VALIDATION_ERROR");
    va_http_assert_envelope (wrong, 422, "VALIDATION_ERROR");
  }
  {
    g_autoptr (VaHttpReply) r = post_json (
        j, "/api/v1/config/validate",
        "{\"config\":{},\"selected_pipelines\":[\"scene_detection\",\"motion_analysis\"]}");
    JsonObject *o = va_http_reply_object (r);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (o, "valid"));
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (o, "pipelines_validated")), ==, 2);
  }
  {
    g_autoptr (VaHttpReply) r = post_json (j, "/api/v1/config/validate", "{\"config\":{}}");
    va_http_assert_envelope (r, 422, "VALIDATION_ERROR");
  }
  {
    /* JSON bodies are limited to 1 MiB */
    g_autoptr (GString) big = g_string_new ("{\"config\":{\"x\":\"");
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (VaHttpReply) r = NULL;

    while (big->len < 2 * 1024 * 1024)
      g_string_append (big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    g_string_append (big, "\"}}");
    /* refused from its Content-Length */
    bytes = g_bytes_new (big->str, big->len);
    r = va_http_fetch_refused_body (&j->f, "POST", "/api/v1/config/validate", NULL,
                                    "application/json", bytes);
    if (r != NULL)
      va_http_assert_envelope (r, 413, "PAYLOAD_TOO_LARGE");
  }
}

/* ---- Server-Sent Events --------------------------------------------------------------- */

typedef struct {
  GString *text;
  gboolean done;
} SseRead;

static void
sse_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SseRead *read = user_data;
  g_autoptr (GBytes) bytes
      = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (bytes != NULL)
    g_string_append_len (read->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read->done = TRUE;
}

/* Reads from @in until @needle shows up in the text (or 10 s pass). */
static void
sse_read_until (GInputStream *in, GString *text, const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (strstr (text->str, needle) == NULL) {
    SseRead read = { text, FALSE };

    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_input_stream_read_bytes_async (in, 4096, G_PRIORITY_DEFAULT, NULL, sse_read_cb, &read);
    while (!read.done)
      g_main_context_iteration (NULL, TRUE);
  }
}

static void
test_events (JobsFixture *j, gconstpointer data)
{
  g_autofree char *uri = g_strconcat (j->f.base, "/api/v1/events/stream", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autofree char *bearer = g_strconcat ("Bearer ", j->alice_read, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *bob_job = NULL;
  g_autofree char *alice_job = NULL;
  g_autofree char *cancel = NULL;

  va_http_server_set_heartbeat_interval (j->f.server, 1);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_session_send_async (j->f.session, msg, G_PRIORITY_DEFAULT, NULL, va_http_sent_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  in = soup_session_send_finish (j->f.session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (
      soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL), ==,
      "text/event-stream");
  sse_read_until (in, text, "event: connected\n");

  /* bob's job is not alice's business; her own submission and cancel are */
  bob_job = submit_ok (j, j->bob_write);
  alice_job = submit_ok (j, j->alice_write);
  cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", alice_job);
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "POST", cancel);
    g_assert_cmpuint (r->status, ==, 200);
  }
  sse_read_until (in, text, "event: job.cancelled\n");
  {
    /* the queue is stopped here: announce a completion as it would */
    g_autoptr (VaCaller) local = va_caller_new_local ();
    g_autoptr (VaJob) job = va_engine_get_job (j->f.engine, local, bob_job, &error);

    g_assert_no_error (error);
    g_signal_emit_by_name (j->f.engine, "job-completed", job);
    g_clear_object (&job);
    job = va_engine_get_job (j->f.engine, local, alice_job, &error);
    g_assert_no_error (error);
    g_signal_emit_by_name (j->f.engine, "job-completed", job);
  }
  sse_read_until (in, text, "event: job.completed\n");
  {
    /* deletions: bob's is not alice's business, hers and an admin's
     * deletion of her job are */
    g_autofree char *bob_path = g_strdup_printf ("/api/v1/jobs/%s", bob_job);
    g_autofree char *alice_path = g_strdup_printf ("/api/v1/jobs/%s", alice_job);
    g_autofree char *third = submit_ok (j, j->alice_write);
    g_autofree char *third_path = g_strdup_printf ("/api/v1/jobs/%s", third);
    g_autoptr (VaHttpReply) by_bob = fetch_as (j, j->bob_write, "DELETE", bob_path);
    g_autoptr (VaHttpReply) by_alice = fetch_as (j, j->alice_write, "DELETE", alice_path);
    g_autoptr (VaHttpReply) by_admin = fetch_as (j, j->admin, "DELETE", third_path);
    /* the job id closes the object: only job.deleted ends that way */
    g_autofree char *alice_deleted = g_strdup_printf ("\"job_id\":\"%s\"}\n", alice_job);
    g_autofree char *third_deleted = g_strdup_printf ("\"job_id\":\"%s\"}\n", third);

    g_assert_cmpuint (by_bob->status, ==, 204);
    g_assert_cmpuint (by_alice->status, ==, 204);
    g_assert_cmpuint (by_admin->status, ==, 204);
    sse_read_until (in, text, alice_deleted);
    sse_read_until (in, text, third_deleted);
    g_assert_nonnull (strstr (text->str, "event: job.deleted\n"));
    g_assert_nonnull (strstr (text->str, "data: {\"type\":\"job.deleted\",\"timestamp\":"));
  }
  /* progress is a percentage in every event, as in the job object (the
   * read fails after 10 s if it never comes) */
  sse_read_until (in, text, "\"progress\":100.0");
  sse_read_until (in, text, "event: heartbeat\n");
  {
    const char *completed = strstr (text->str, "\"type\":\"job.completed\"");

    g_assert_nonnull (completed);
    g_assert_nonnull (strstr (completed, "\"progress\":100.0"));
    g_assert_null (strstr (text->str, "\"progress\":1.0"));
  }
  g_assert_nonnull (strstr (text->str, alice_job));
  g_assert_null (strstr (text->str, bob_job));
  g_assert_nonnull (strstr (text->str, "event: job.update\n"));
  g_assert_nonnull (strstr (text->str, "\nid: "));
  g_assert_nonnull (strstr (text->str, "\ndata: {\"type\":\"job.cancelled\""));
  g_input_stream_close (in, NULL, NULL);
}

/* A client that goes away in the middle of the artifacts ZIP: the archive
 * is abandoned without writing into a response that no longer exists, and
 * the server goes on serving. */
static void
test_artifacts_client_gone (JobsFixture *j, gconstpointer data)
{
  g_autofree char *id = submit_ok (j, j->alice_write);
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s/artifacts?include_video=true", id);
  g_autofree char *uri = g_strconcat (j->f.base, path, NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", j->alice_read, NULL);
  g_autofree char *job_dir = NULL;
  g_autofree char *padding = g_malloc0 (8 * 1024 * 1024);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  gint64 until;

  /* a stored input far larger than the socket buffers, so the archive is
   * still being written when the client leaves */
  job_dir = va_storage_dup_job_dir (va_engine_get_storage (j->f.engine), id, &error);
  g_assert_no_error (error);
  dir = g_dir_open (job_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (g_str_has_prefix (name, "input.")) {
      g_autofree char *input = g_build_filename (job_dir, name, NULL);
      FILE *f = fopen (input, "ab");

      g_assert_nonnull (f);
      for (int i = 0; i < 4; i++)
        g_assert_cmpuint (fwrite (padding, 1, 8 * 1024 * 1024, f), ==, 8 * 1024 * 1024);
      fclose (f);
    }
  }

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_session_send_async (j->f.session, msg, G_PRIORITY_DEFAULT, NULL, va_http_sent_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  in = soup_session_send_finish (j->f.session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  {
    guint8 block[4096];
    g_assert_cmpint (g_input_stream_read (in, block, sizeof block, NULL, &error), >, 0);
    g_assert_no_error (error);
  }
  /* closing a body that is not fully read drops the connection */
  g_input_stream_close (in, NULL, NULL);
  g_clear_object (&in);
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);

  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_read, "GET", path);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (r->body), >, 32 * 1024 * 1024);
  }
}

/* ---- serving threads ------------------------------------------------------------- */

static const char *threads_settings[] = { "http-threads=4", "rate-limit=0", NULL };

static guint
count_busy_servers (VaHttpServer *server)
{
  guint busy = 0;

  for (guint i = 0; i < va_http_server_get_n_serving (server); i++)
    busy += va_http_server_get_serving_requests (server, i) > 0;
  return busy;
}

/* Requests answered at once by several serving threads: each gets the
 * answer its key and the job's owner call for, each has its line in the
 * access log under its own request id, and a revocation reaches every
 * thread. (At most 10 refusals in all: the 11th 401 from one address
 * blocks it, on every thread.) */
static void
test_threads (JobsFixture *j, gconstpointer data)
{
  const guint n = 24, n_refused = 5;
  g_autofree char *job = submit_ok (j, j->alice_write);
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s", job);
  g_autofree char *alice = g_strconcat ("Bearer ", j->alice_read, NULL);
  g_autofree char *bob = g_strconcat ("Bearer ", j->bob_write, NULL);
  const char *as_alice[] = { "Authorization", alice, NULL };
  const char *as_bob[] = { "Authorization", bob, NULL };
  g_autoptr (GPtrArray) own = NULL;
  g_autoptr (GPtrArray) other = NULL;
  g_autoptr (GPtrArray) anonymous = NULL;
  g_autoptr (GPtrArray) revoked = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *log_path = g_build_filename (j->f.dir, "logs", "api_requests.log", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpuint (va_http_server_get_n_serving (j->f.server), ==, 4);
  own = va_http_fetch_parallel (&j->f, n, "GET", path, as_alice);
  other = va_http_fetch_parallel (&j->f, n, "GET", path, as_bob);
  anonymous = va_http_fetch_parallel (&j->f, n_refused, "GET", path, NULL);
  for (guint i = 0; i < n; i++) {
    VaHttpReply *r = own->pdata[i];

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (va_http_reply_object (r), "id"), ==, job);
    va_http_assert_envelope (other->pdata[i], 404, "JOB_NOT_FOUND");
  }
  for (guint i = 0; i < n_refused; i++)
    va_http_assert_envelope (anonymous->pdata[i], 401, "UNAUTHORIZED");
  /* 53 connections over 4 sockets: more than one server answered */
  g_assert_cmpuint (count_busy_servers (j->f.server), >, 1);

  /* one access log line per request, under the id its response carried */
  va_http_server_flush_log (j->f.server);
  g_file_get_contents (log_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonNode) node = json_from_string (lines[i], &error);

    g_assert_no_error (error);
    g_assert_true (g_hash_table_add (
        ids, g_strdup (json_object_get_string_member (json_node_get_object (node), "request_id"))));
  }
  for (guint i = 0; i < n; i++) {
    g_assert_true (
        g_hash_table_contains (ids, va_http_reply_header (own->pdata[i], "X-Request-ID")));
    g_assert_true (
        g_hash_table_contains (ids, va_http_reply_header (other->pdata[i], "X-Request-ID")));
  }
  for (guint i = 0; i < n_refused; i++)
    g_assert_true (
        g_hash_table_contains (ids, va_http_reply_header (anonymous->pdata[i], "X-Request-ID")));
  /* the submission and the reads */
  g_assert_cmpuint (g_hash_table_size (ids), ==, 2 * n + n_refused + 1);

  va_token_store_revoke (j->f.tokens, j->alice_read, NULL, &error);
  g_assert_no_error (error);
  revoked = va_http_fetch_parallel (&j->f, n_refused, "GET", path, as_alice);
  for (guint i = 0; i < n_refused; i++)
    va_http_assert_envelope (revoked->pdata[i], 401, "UNAUTHORIZED");
}

static const char *threads_rate_settings[]
    = { "http-threads=4", "rate-limit=1", "rate-limit-burst=5", NULL };

/* The rate limiter is one for all serving threads: of 16 requests sent at
 * once from one address, exactly the burst gets through. */
static void
test_threads_rate_limit (JobsFixture *j, gconstpointer data)
{
  g_autoptr (GPtrArray) replies = va_http_fetch_parallel (&j->f, 16, "GET", "/health", NULL);
  guint ok = 0, limited = 0;

  for (guint i = 0; i < replies->len; i++) {
    VaHttpReply *r = replies->pdata[i];

    if (r->status == 200)
      ok++;
    else if (r->status == 429)
      limited++;
  }
  g_assert_cmpuint (ok, ==, 5);
  g_assert_cmpuint (limited, ==, 11);
  g_assert_cmpuint (count_busy_servers (j->f.server), >, 1);
}

/* Event streams answered by serving threads get the engine's events (its
 * signals are emitted on the main context) for a job cancelled and
 * deleted through other connections; stopping the server with the
 * streams open ends them all. */
static void
test_threads_events (JobsFixture *j, gconstpointer data)
{
  enum { N_STREAMS = 8 };
  g_autofree char *uri = g_strconcat (j->f.base, "/api/v1/events/stream", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", j->alice_read, NULL);
  SoupSession *sessions[N_STREAMS];
  SoupMessage *msgs[N_STREAMS];
  GInputStream *streams[N_STREAMS];
  GString *texts[N_STREAMS];
  g_autofree char *job = NULL;
  g_autofree char *cancel = NULL;
  g_autofree char *path = NULL;
  g_autofree char *deleted = NULL;

  for (guint i = 0; i < N_STREAMS; i++) {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GError) error = NULL;

    sessions[i] = soup_session_new_with_options ("timeout", 60, NULL);
    msgs[i] = soup_message_new ("GET", uri);
    soup_message_headers_replace (soup_message_get_request_headers (msgs[i]), "Authorization",
                                  bearer);
    soup_session_send_async (sessions[i], msgs[i], G_PRIORITY_DEFAULT, NULL, va_http_sent_cb,
                             &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    streams[i] = soup_session_send_finish (sessions[i], result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msgs[i]), ==, 200);
    texts[i] = g_string_new (NULL);
    sse_read_until (streams[i], texts[i], "event: connected\n");
  }
  /* 8 connections over 4 sockets: the streams are not all on one server */
  g_assert_cmpuint (count_busy_servers (j->f.server), >, 1);
  job = submit_ok (j, j->alice_write);
  cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", job);
  path = g_strdup_printf ("/api/v1/jobs/%s", job);
  deleted = g_strdup_printf ("\"job_id\":\"%s\"}\n", job);
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "POST", cancel);
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autoptr (VaHttpReply) r = fetch_as (j, j->alice_write, "DELETE", path);
    g_assert_cmpuint (r->status, ==, 204);
  }
  for (guint i = 0; i < N_STREAMS; i++) {
    sse_read_until (streams[i], texts[i], "event: job.cancelled\n");
    sse_read_until (streams[i], texts[i], deleted);
  }
  /* stop with the streams open: every stream ends */
  va_http_server_stop (j->f.server);
  for (guint i = 0; i < N_STREAMS; i++) {
    guint8 buffer[4096];
    gssize got;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    do {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      got = g_input_stream_read (streams[i], buffer, sizeof buffer, NULL, NULL);
    } while (got > 0);
    g_object_unref (streams[i]);
    g_object_unref (msgs[i]);
    g_object_unref (sessions[i]);
    g_string_free (texts[i], TRUE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);

#define ADD(name, fn, data) g_test_add (name, JobsFixture, data, jobs_setup, fn, jobs_teardown)
  ADD ("/http/jobs/submit", test_submit, NULL);
  ADD ("/http/jobs/submit-errors", test_submit_errors, NULL);
  ADD ("/http/jobs/submit-too-large", test_submit_too_large, small_upload_settings);
  ADD ("/http/jobs/list", test_list_and_paginate, NULL);
  ADD ("/http/jobs/get-unknown", test_get_unknown, NULL);
  ADD ("/http/jobs/ownership", test_ownership, NULL);
  ADD ("/http/jobs/cancel", test_cancel, NULL);
  ADD ("/http/jobs/completed", test_completed_job, NULL);
  ADD ("/http/jobs/artifacts-client-gone", test_artifacts_client_gone, NULL);
  ADD ("/http/jobs/delete", test_delete, NULL);
  ADD ("/http/jobs/delete-while-starting", test_delete_while_starting, running_queue_settings);
  ADD ("/http/auth/matrix", test_auth, NULL);
  ADD ("/http/auth/disabled", test_auth_disabled, no_auth_settings);
  ADD ("/http/rate-limit/per-key", test_rate_limit_per_key, key_rate_settings);
  ADD ("/http/system", test_system, NULL);
  ADD ("/http/events", test_events, NULL);
  ADD ("/http/validate", test_validate, NULL);
  ADD ("/http/threads/jobs", test_threads, threads_settings);
  ADD ("/http/threads/rate-limit", test_threads_rate_limit, threads_rate_settings);
  ADD ("/http/threads/events", test_threads_events, threads_settings);
#undef ADD
  return g_test_run ();
}
