/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "va-engine-alerts.h"
#include "va-engine-auth.h"
#include "va-engine-private.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-login-links.h"
#include "va-test-engine.h"
#include "va-test-media.h"

static char *sample_video; /* made once in main() */
static const char *const scene[] = { "scene_detection", NULL };

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
  VaCaller *alice; /* read, write */
  VaCaller *bob;   /* read, write */
  VaCaller *admin;
} Fixture;

static void
fixture_set_up_with (Fixture *f, const char *const *overrides)
{
  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, overrides);
  f->alice = va_caller_new ("alice", VA_SCOPE_READ | VA_SCOPE_WRITE);
  va_caller_set_username (f->alice, "Alice");
  va_caller_set_key_prefix (f->alice, "va_api_Alic");
  va_caller_set_request_id (f->alice, "req-alice");
  va_caller_set_client_address (f->alice, "192.0.2.1");
  f->bob = va_caller_new ("bob", VA_SCOPE_READ | VA_SCOPE_WRITE);
  f->admin = va_caller_new ("root-admin", VA_SCOPE_ALL);
  va_caller_set_key_prefix (f->admin, "va_api_Admn");
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  fixture_set_up_with (f, data);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->alice);
  g_clear_object (&f->bob);
  g_clear_object (&f->admin);
  g_clear_object (&f->engine);
  va_test_dir_free (f->dir);
}

static VaJob *
submit (Fixture *f, VaCaller *caller)
{
  g_autoptr (GError) error = NULL;
  VaJob *job = va_test_submit_file (f->engine, caller, sample_video, scene, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (job);
  return job;
}

static guint
count_audit (Fixture *f, const char *action, const char *user_id)
{
  VaAuditQuery query = { .action = action, .user_id = user_id };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries
      = va_store_list_audit (va_engine_get_store (f->engine), &query, &error);

  g_assert_no_error (error);
  return entries->len;
}

static void
test_engine_submit_get_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) config
      = va_test_json_object ("{\"scene_detection\": {\"threshold\": 40}}");
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) second = NULL;
  g_autoptr (VaJob) third = NULL;
  g_autoptr (VaJob) fetched = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree char *input = NULL;
  g_autofree char *expected_path = NULL;
  guint64 total = 0;

  upload = va_test_upload_file (f->engine, f->alice, sample_video, "../secret/My Clip.mp4", &error);
  g_assert_no_error (error);
  job = va_engine_submit_job (f->engine, f->alice, upload, config, scene, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (job), ==, VA_JOB_STATUS_PENDING);
  g_assert_cmpstr (va_job_get_id (job), ==, va_upload_get_job_id (upload));
  g_assert_cmpstr (va_job_get_user_id (job), ==, "alice");
  g_assert_cmpstr (va_job_get_video_filename (job), ==, "My Clip.mp4");
  expected_path = g_strdup_printf ("%s/input.mp4", va_job_get_id (job));
  g_assert_cmpstr (va_job_get_video_path (job), ==, expected_path);
  g_assert_cmpstr (va_job_get_storage_path (job), ==, va_job_get_id (job));
  g_assert_cmpint (va_job_get_video_size_bytes (job), ==, (gint64)va_upload_get_size (upload));
  /* not decoded at submission: the job's run records the duration */
  g_assert_cmpfloat (va_job_get_video_duration_seconds (job), <, 0);
  g_assert_cmpuint (va_job_get_queue_position (job), ==, 1);
  g_assert_true (g_strv_equal (va_job_get_selected_pipelines (job), scene));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (va_job_get_config (job), "scene_detection"), "threshold"),
      ==, 40);
  g_assert_nonnull (va_job_get_created_at (job));

  /* the job owns the upload now: releasing the upload keeps the file */
  g_clear_object (&upload);
  input
      = va_storage_resolve (va_engine_get_storage (f->engine), va_job_get_video_path (job), &error);
  g_assert_true (g_file_test (input, G_FILE_TEST_IS_REGULAR));

  second = submit (f, f->alice);
  third = submit (f, f->alice);
  g_assert_cmpuint (va_job_get_queue_position (second), ==, 2);
  g_assert_cmpuint (va_job_get_queue_position (third), ==, 3);

  fetched = va_engine_get_job (f->engine, f->alice, va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_id (fetched), ==, va_job_get_id (job));

  jobs = va_engine_list_jobs (f->engine, f->alice, 1, 2, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (jobs->pdata[0]), ==, va_job_get_id (job));
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_engine_list_jobs (f->engine, f->alice, 2, 2, "pending", &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* the 1.4 contract: an unknown status filter matches nothing */
  jobs = va_engine_list_jobs (f->engine, f->alice, 1, 10, "bogus", &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_clear_pointer (&jobs, g_ptr_array_unref);

  jobs = va_engine_list_jobs (f->engine, f->alice, 0, 10, NULL, &total, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (jobs);

  g_assert_cmpuint (count_audit (f, "job.submit", "alice"), ==, 3);
}

static void
test_engine_scopes (Fixture *f, gconstpointer data)
{
  g_autoptr (VaCaller) reader = va_caller_new ("alice", VA_SCOPE_READ);
  g_autoptr (VaCaller) writer = va_caller_new ("alice", VA_SCOPE_WRITE);
  g_autoptr (VaCaller) nobody = va_caller_new ("alice", VA_SCOPE_NONE);
  g_autoptr (VaJob) job = submit (f, f->alice);
  const char *id = va_job_get_id (job);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) got = NULL;
  g_autoptr (GPtrArray) jobs = NULL;

  /* read: no uploads, no cancel, no delete */
  upload = va_engine_create_upload (f->engine, reader, "x.mp4", 10, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "write"));
  g_assert_null (upload);
  g_clear_error (&error);
  g_assert_null (va_engine_cancel_job (f->engine, reader, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (va_engine_delete_job (f->engine, reader, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (va_engine_check_submission (f->engine, reader, NULL, NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  got = va_engine_get_job (f->engine, reader, id, &error);
  g_assert_no_error (error);
  g_clear_object (&got);

  /* write only: cannot read jobs or results */
  got = va_engine_get_job (f->engine, writer, id, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "read"));
  g_clear_error (&error);
  jobs = va_engine_list_jobs (f->engine, writer, 1, 10, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (va_engine_get_results (f->engine, writer, id, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* no scope: nothing, not even learning whether a job exists */
  g_assert_null (va_engine_get_job (f->engine, nobody, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* admin implies read and write */
  g_assert_true (va_caller_has_scope (f->admin, VA_SCOPE_READ));
  g_assert_true (va_caller_has_scope (f->admin, VA_SCOPE_WRITE));
  g_assert_false (va_caller_has_scope (f->alice, VA_SCOPE_ADMIN));

  /* the write-only key can cancel its owner's job */
  got = va_engine_cancel_job (f->engine, writer, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (got), ==, VA_JOB_STATUS_CANCELLED);
}

static void
test_engine_ownership (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, f->alice);
  g_autoptr (VaJob) bobs = submit (f, f->bob);
  const char *id = va_job_get_id (job);
  g_autofree char *unknown = g_uuid_string_random ();
  g_autofree char *unknown_message = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (VaJob) got = NULL;
  guint64 total = 0;

  g_assert_null (va_engine_get_job (f->engine, f->bob, unknown, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  unknown_message = g_strdup (error->message);
  g_clear_error (&error);

  /* another user's job is indistinguishable from a missing one */
  g_assert_null (va_engine_get_job (f->engine, f->bob, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  {
    g_autofree char *expected = g_strdup_printf ("Job %s not found", id);
    g_assert_cmpstr (error->message, ==, expected);
  }
  g_clear_error (&error);
  g_assert_null (va_engine_cancel_job (f->engine, f->bob, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_engine_delete_job (f->engine, f->bob, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (va_engine_get_results (f->engine, f->bob, id, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  jobs = va_engine_list_jobs (f->engine, f->bob, 1, 10, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (va_job_get_id (jobs->pdata[0]), ==, va_job_get_id (bobs));
  g_clear_pointer (&jobs, g_ptr_array_unref);

  /* the job is untouched */
  got = va_engine_get_job (f->engine, f->alice, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (got), ==, VA_JOB_STATUS_PENDING);
  g_clear_object (&got);

  /* admin sees everything, and that is audited */
  jobs = va_engine_list_jobs (f->engine, f->admin, 1, 10, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2);
  got = va_engine_get_job (f->engine, f->admin, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_audit (f, "job.read", "root-admin"), ==, 1);
  g_assert_cmpuint (count_audit (f, "job.list", "root-admin"), ==, 1);
  /* owners reading their own job metadata are not audit events */
  g_assert_cmpuint (count_audit (f, "job.read", "alice"), ==, 0);
}

static void
test_engine_bad_ids (Fixture *f, gconstpointer data)
{
  const char *const ids[] = { "../../etc/passwd",
                              "",
                              "..",
                              "a/b",
                              "%2e%2e%2f",
                              "'; DROP TABLE jobs; --",
                              "00000000-0000-0000-0000-000000000000\n" };
  g_autoptr (VaJob) job = submit (f, f->alice);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    g_autoptr (GError) error = NULL;

    g_assert_null (va_engine_get_job (f->engine, f->admin, ids[i], &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    /* the message never carries raw control characters */
    g_assert_null (strchr (error->message, '\n'));
    g_clear_error (&error);
    g_assert_false (va_engine_delete_job (f->engine, f->admin, ids[i], &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  }
  /* nothing was touched */
  g_assert_true (
      va_storage_job_dir_exists (va_engine_get_storage (f->engine), va_job_get_id (job)));
}

static void
test_engine_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaEngine) ro = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) got = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  const char *const read_only[] = { "read-only=true", NULL };

  job = submit (f, f->alice);
  /* the same data directory, reopened read-only (incident response) */
  g_clear_object (&f->engine);
  ro = va_test_engine_new (f->dir, read_only);
  g_assert_true (va_engine_get_read_only (ro));

  upload = va_engine_create_upload (ro, f->alice, "x.mp4", 100, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_assert_null (upload);
  g_clear_error (&error);
  g_assert_null (va_engine_cancel_job (ro, f->alice, va_job_get_id (job), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (va_engine_delete_job (ro, f->admin, va_job_get_id (job), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* reads still work */
  got = va_engine_get_job (ro, f->alice, va_job_get_id (job), &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (got), ==, VA_JOB_STATUS_PENDING);
  jobs = va_engine_list_jobs (ro, f->alice, 1, 10, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (g_strv_length ((char **)scene), ==, 1);
}

static void
test_engine_consent_required (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) empty = va_test_json_object ("{}");
  g_autoptr (JsonObject) no_granted = va_test_json_object ("{\"reference\": \"form-7\"}");
  g_autoptr (JsonObject) granted = va_test_json_object (
      "{\"granted\": true, \"reference\": \"study-42/form-7\", \"scope\": [\"research\"]}");
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) fetched = NULL;

  g_assert_false (va_engine_check_submission (f->engine, f->alice, NULL, scene, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "consent"));
  g_clear_error (&error);

  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (job);
  g_clear_error (&error);
  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, empty, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, no_granted, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "consent.granted"));
  g_clear_error (&error);
  /* the refused uploads left nothing behind */
  {
    g_autoptr (GDir) d
        = g_dir_open (va_storage_get_root (va_engine_get_storage (f->engine)), 0, NULL);
    g_assert_null (g_dir_read_name (d));
  }

  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, granted, &error);
  g_assert_no_error (error);
  fetched = va_engine_get_job (f->engine, f->alice, va_job_get_id (job), &error);
  g_assert_cmpstr (json_object_get_string_member (va_job_get_consent (fetched), "reference"), ==,
                   "study-42/form-7");
}

static void
test_engine_consent_optional (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) refused = va_test_json_object ("{\"granted\": false}");
  g_autoptr (JsonObject) wrong_type = va_test_json_object ("{\"granted\": \"yes\"}");
  g_autoptr (VaJob) job = NULL;

  /* optional by default */
  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (va_job_get_consent (job));
  g_clear_object (&job);

  /* but an explicit refusal is never processed, and types are checked */
  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, refused, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "consent.granted"));
  g_clear_error (&error);
  job = va_test_submit_file (f->engine, f->alice, sample_video, scene, NULL, wrong_type, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_engine_pipeline_names (Fixture *f, gconstpointer data)
{
  const char *const traversal[] = { "../scene", NULL };
  const char *const twice[] = { "scene_detection", "scene_detection", NULL };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) parsed = va_engine_parse_pipeline_list (" scene_detection, ,motion_analysis ");
  g_auto (GStrv) none = va_engine_parse_pipeline_list (" , ");

  g_assert_cmpuint (g_strv_length (parsed), ==, 2);
  g_assert_cmpstr (parsed[1], ==, "motion_analysis");
  g_assert_null (none);
  g_assert_null (va_engine_parse_pipeline_list (NULL));

  g_assert_false (va_engine_check_submission (f->engine, f->alice, NULL, traversal, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "selected_pipelines[0]"));
  g_clear_error (&error);
  g_assert_false (va_engine_check_submission (f->engine, f->alice, NULL, twice, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "selected_pipelines[1]"));
  g_clear_error (&error);
  g_assert_true (va_engine_check_submission (f->engine, f->alice, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_engine_config_validation (Fixture *f, gconstpointer data)
{
  const char *const both[] = { "scene", "motion_analysis", NULL };
  const struct {
    const char *config;
    const char *message;
  } bad[] = {
    { "{\"scene_detection\": {\"threshold\": 150}}",
      "scene_detection.threshold: must be between 0 and 100 (got 150)" },
    { "{\"scene\": {\"threshold\": -1}}", "scene.threshold: must be between 0 and 100 (got -1)" },
    { "{\"threshold\": \"high\"}", "threshold: must be a number, not a string" },
    { "{\"motion_analysis\": {\"interval\": 2.5}}",
      "motion_analysis.interval: must be an integer, not a number" },
    { "{\"scene_detection\": 5}",
      "scene_detection: must be an object with options of pipeline scene_detection, not a number" },
    { "{\"scene_detection\": {\"detect_gradual\": \"yes\"}}",
      "scene_detection.detect_gradual: must be true or false, not a string" },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaConfigReport) report = NULL;
  g_autoptr (JsonObject) mixed = va_test_json_object (
      "{\"threshold\": 40, \"colour\": \"red\", \"scene_detection\": {\"bogus\": 1}, "
      "\"motion_analysis\": {\"interval\": 0}}");
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (JsonObject) good = va_test_json_object (
      "{\"scene\": {\"threshold\": 40.0, \"min_scene_length\": 0.5}, \"motion_analysis\": "
      "{\"interval\": 2}, \"unknown_top\": true}");
  g_autoptr (VaJob) job = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (JsonObject) config = va_test_json_object (bad[i].config);
    g_assert_false (va_engine_check_submission (f->engine, f->alice, config, both, NULL, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==, bad[i].message);
    g_clear_error (&error);
  }

  /* the report for the validation endpoints: every issue, with paths */
  report = va_engine_validate_config (f->engine, mixed, scene, &error);
  g_assert_no_error (error);
  /* with scene_detection alone, the motion section is only a warning */
  g_assert_true (va_config_report_is_valid (report));
  g_assert_cmpuint (va_config_report_get_warnings (report)->len, ==, 4);
  g_assert_cmpstr (((VaConfigIssue *)va_config_report_get_warnings (report)->pdata[3])->code, ==,
                   "NOT_SELECTED");
  g_clear_object (&report);

  report = va_engine_validate_config (f->engine, mixed, both, &error);
  g_assert_no_error (error);
  g_assert_false (va_config_report_is_valid (report));
  json = va_config_report_to_json (report);
  {
    JsonObject *o = json_node_get_object (json);
    JsonArray *errors = json_object_get_array_member (o, "errors");
    JsonArray *warnings = json_object_get_array_member (o, "warnings");

    g_assert_false (json_object_get_boolean_member (o, "valid"));
    g_assert_cmpuint (json_array_get_length (errors), ==, 1);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (errors, 0), "field"), ==,
        "motion_analysis.interval");
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (errors, 0), "code"), ==,
        "VALUE_OUT_OF_RANGE");
    /* "colour" nobody knows; scene_detection.bogus neither; top-level
     * "threshold" is ignored for scene_detection (it has a section) and
     * unknown to motion_analysis */
    g_assert_cmpuint (json_array_get_length (warnings), ==, 3);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (o, "pipelines_validated")), ==, 2);
  }

  /* unknown pipelines are an error of the call, not of the report */
  g_assert_null (
      va_engine_validate_config (f->engine, NULL, (const char *const[]){ "nope", NULL }, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* valid: aliases become registry names in the job */
  job = va_test_submit_file (f->engine, f->alice, sample_video, both, good, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_selected_pipelines (job)[0], ==, "scene_detection");
  g_assert_cmpstr (va_job_get_selected_pipelines (job)[1], ==, "motion_analysis");
}

/* Model paths name files on the server: never a job's choice. */
static void
test_engine_operator_settings (Fixture *f, gconstpointer data)
{
  const char *const speech[] = { "speech_recognition", "face_analysis", NULL };
  const struct {
    const char *config;
    const char *message;
  } refused[] = {
    { "{\"speech_recognition\": {\"hmm\": \"/etc\"}}",
      "speech_recognition.hmm: names a file on the server, which only the operator chooses "
      "(setting speech-acoustic-model)" },
    { "{\"speech_recognition\": {\"dict\": \"/etc/passwd\"}}",
      "speech_recognition.dict: names a file on the server, which only the operator chooses "
      "(setting speech-dictionary)" },
    { "{\"lm\": \"/etc/passwd\"}",
      "lm: names a file on the server, which only the operator chooses (setting "
      "speech-language-model)" },
    { "{\"face_analysis\": {\"model_dir\": \"/tmp\"}}",
      "face_analysis.model_dir: names a file on the server, which only the operator chooses "
      "(setting face-model-dir)" },
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autoptr (JsonObject) config = va_test_json_object (refused[i].config);
    g_autoptr (VaConfigReport) report = NULL;

    g_assert_false (va_engine_check_submission (f->engine, f->alice, config, speech, NULL, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==, refused[i].message);
    g_clear_error (&error);

    report = va_engine_validate_config (f->engine, config, speech, &error);
    g_assert_no_error (error);
    g_assert_false (va_config_report_is_valid (report));
    g_assert_cmpstr (((VaConfigIssue *)va_config_report_get_errors (report)->pdata[0])->code, ==,
                     "OPERATOR_SETTING");
  }
}

static void
count_signal (VaEngine *engine, gpointer arg, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static void
test_engine_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, f->alice);
  g_autoptr (VaJob) done = submit (f, f->alice);
  const char *id = va_job_get_id (job);
  VaStore *store = va_engine_get_store (f->engine);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) cancelled = NULL;
  g_autoptr (VaJob) again = NULL;
  g_autoptr (VaJob) other = NULL;
  guint n_cancelled = 0;

  g_signal_connect (f->engine, "job-cancelled", G_CALLBACK (count_signal), &n_cancelled);

  cancelled = va_engine_cancel_job (f->engine, f->alice, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (cancelled), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpstr (va_job_get_error_message (cancelled), ==, "Job cancelled by user request");
  g_assert_nonnull (va_job_get_completed_at (cancelled));
  g_assert_cmpuint (va_job_get_queue_position (cancelled), ==, 0);
  g_assert_cmpuint (n_cancelled, ==, 1);

  /* idempotent */
  again = va_engine_cancel_job (f->engine, f->alice, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (again), ==, VA_JOB_STATUS_CANCELLED);
  g_assert_cmpuint (n_cancelled, ==, 1);
  g_assert_cmpuint (count_audit (f, "job.cancel", "alice"), ==, 1);

  /* a finished job cannot be cancelled */
  g_assert_true (
      va_store_set_job_status (store, va_job_get_id (done), VA_JOB_STATUS_RUNNING, NULL, &error));
  g_assert_true (
      va_store_set_job_status (store, va_job_get_id (done), VA_JOB_STATUS_COMPLETED, NULL, &error));
  g_assert_no_error (error);
  other = va_engine_cancel_job (f->engine, f->alice, va_job_get_id (done), &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_assert_null (other);
  {
    g_autofree char *expected
        = g_strdup_printf ("Cannot cancel job %s in completed state", va_job_get_id (done));
    g_assert_cmpstr (error->message, ==, expected);
  }
  g_assert_cmpuint (n_cancelled, ==, 1);
}

static void
test_engine_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, f->alice);
  g_autofree char *id = g_strdup (va_job_get_id (job));
  VaStorage *storage = va_engine_get_storage (f->engine);
  g_autoptr (GError) error = NULL;
  guint n_deleted = 0;

  g_signal_connect (f->engine, "job-deleted", G_CALLBACK (count_signal), &n_deleted);
  g_assert_true (va_storage_job_dir_exists (storage, id));
  g_assert_true (va_engine_delete_job (f->engine, f->alice, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_deleted, ==, 1);
  g_assert_false (va_storage_job_dir_exists (storage, id));
  g_assert_null (va_engine_get_job (f->engine, f->alice, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (va_engine_delete_job (f->engine, f->alice, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f, "job.delete", "alice"), ==, 1);

  /* admin may erase another user's job (right to erasure) */
  g_clear_object (&job);
  job = submit (f, f->bob);
  g_assert_true (va_engine_delete_job (f->engine, f->admin, va_job_get_id (job), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_audit (f, "job.delete", "root-admin"), ==, 1);
}

/* Gives a job a finished pipeline result with an output file, as the queue
 * would. */
static char *
add_result (Fixture *f, VaJob *job, const char *pipeline, const char *contents)
{
  VaStorage *storage = va_engine_get_storage (f->engine);
  VaStore *store = va_engine_get_store (f->engine);
  g_autoptr (VaJobResult) result = va_job_result_new (va_job_get_id (job), pipeline);
  g_autoptr (GError) error = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  relative = g_strdup_printf ("%s/clip_output/clip_%s.json", va_job_get_id (job), pipeline);
  path = va_storage_resolve (storage, relative, &error);
  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0750), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  va_job_result_set_status (result, VA_JOB_STATUS_COMPLETED);
  va_job_result_set_output_file (result, relative);
  va_job_result_set_annotation_count (result, 3);
  g_assert_true (va_store_upsert_result (store, result, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_engine_results_and_files (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, f->alice);
  const char *id = va_job_get_id (job);
  g_autofree char *path = add_result (f, job, "scene_detection", "{\"images\": []}");
  g_autoptr (VaJobResult) no_file = va_job_result_new (id, "motion_analysis");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (VaJob) owner_job = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autofree char *basename = NULL;
  char buffer[64] = { 0 };
  gsize n = 0;
  guint64 size = 0;
  g_autoptr (GPtrArray) artifacts = NULL;

  va_job_result_set_status (no_file, VA_JOB_STATUS_FAILED);
  g_assert_true (va_store_upsert_result (va_engine_get_store (f->engine), no_file, &error));

  results = va_engine_get_results (f->engine, f->alice, id, &owner_job, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpstr (va_job_get_id (owner_job), ==, id);
  g_assert_cmpuint (count_audit (f, "job.results.read", "alice"), ==, 1);

  va_engine_open_result_file_async (f->engine, f->alice, id, "scene_detection", NULL,
                                    va_test_store_result, &res);
  stream = va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), &basename, &size,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpstr (basename, ==, "clip_scene_detection.json");
  g_assert_cmpuint (size, ==, strlen ("{\"images\": []}"));
  g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer - 1, &n, NULL, &error));
  g_assert_cmpstr (buffer, ==, "{\"images\": []}");
  g_assert_cmpuint (count_audit (f, "job.file.read", "alice"), ==, 1);
  g_clear_object (&res);

  /* a pipeline the job did not run; one without file: 400 in the contract */
  va_engine_open_result_file_async (f->engine, f->alice, id, "face_analysis", NULL,
                                    va_test_store_result, &res);
  g_assert_null (
      va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&res);
  va_engine_open_result_file_async (f->engine, f->alice, id, "motion_analysis", NULL,
                                    va_test_store_result, &res);
  g_assert_null (
      va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&res);

  /* someone else's job: not found */
  va_engine_open_result_file_async (f->engine, f->bob, id, "scene_detection", NULL,
                                    va_test_store_result, &res);
  g_assert_null (
      va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&res);

  /* artifacts: the input and the annotation file */
  va_engine_list_artifacts_async (f->engine, f->alice, id, NULL, va_test_store_result, &res);
  artifacts = va_engine_list_artifacts_finish (f->engine, va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (artifacts->len, ==, 2);
  g_assert_cmpstr (((VaArtifact *)artifacts->pdata[0])->name, ==,
                   "clip_output/clip_scene_detection.json");
  g_assert_cmpstr (((VaArtifact *)artifacts->pdata[1])->name, ==, "input.mp4");
  g_assert_cmpstr (((VaArtifact *)artifacts->pdata[0])->path, ==, path);
  g_assert_cmpuint (count_audit (f, "job.artifacts.read", "alice"), ==, 1);
  g_clear_object (&res);

  /* the file vanished on disk */
  g_assert_cmpint (g_unlink (path), ==, 0);
  va_engine_open_result_file_async (f->engine, f->alice, id, "scene_detection", NULL,
                                    va_test_store_result, &res);
  g_assert_null (
      va_engine_open_result_file_finish (f->engine, va_test_wait_for (&res), NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
}

static void
test_engine_async (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) got = NULL;
  g_autoptr (VaJob) cancelled = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  guint64 total = 0;
  guint n_updated = 0;

  g_signal_connect (f->engine, "job-updated", G_CALLBACK (count_signal), &n_updated);
  upload = va_test_upload_file (f->engine, f->alice, sample_video, "clip.mp4", &error);
  g_assert_no_error (error);
  va_engine_submit_job_async (f->engine, f->alice, upload, NULL, NULL, NULL, NULL,
                              va_test_store_result, &res);
  job = va_engine_submit_job_finish (f->engine, va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  g_assert_null (va_job_get_selected_pipelines (job));
  g_assert_cmpuint (n_updated, ==, 1);
  g_clear_object (&res);

  va_engine_get_job_async (f->engine, f->alice, va_job_get_id (job), NULL, va_test_store_result,
                           &res);
  got = va_engine_get_job_finish (f->engine, va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_id (got), ==, va_job_get_id (job));
  g_clear_object (&res);
  g_clear_object (&got);

  /* the read answered on this context keeps every rule of the threaded
   * one: another user's job is not found, and an admin's read of it is
   * audited */
  va_engine_get_job_async (f->engine, f->bob, va_job_get_id (job), NULL, va_test_store_result,
                           &res);
  g_assert_null (va_engine_get_job_finish (f->engine, va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&res);
  va_engine_get_job_async (f->engine, f->admin, va_job_get_id (job), NULL, va_test_store_result,
                           &res);
  got = va_engine_get_job_finish (f->engine, va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_job_get_id (got), ==, va_job_get_id (job));
  g_assert_cmpuint (count_audit (f, "job.read", "root-admin"), ==, 1);
  g_assert_cmpuint (count_audit (f, "job.read", "alice"), ==, 0);
  g_clear_object (&res);

  va_engine_list_jobs_async (f->engine, f->alice, 1, 10, NULL, NULL, va_test_store_result, &res);
  jobs = va_engine_list_jobs_finish (f->engine, va_test_wait_for (&res), &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_clear_object (&res);

  va_engine_cancel_job_async (f->engine, f->alice, va_job_get_id (job), NULL, va_test_store_result,
                              &res);
  cancelled = va_engine_cancel_job_finish (f->engine, va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_job_get_status (cancelled), ==, VA_JOB_STATUS_CANCELLED);
  g_clear_object (&res);

  va_engine_delete_job_async (f->engine, f->alice, va_job_get_id (job), NULL, va_test_store_result,
                              &res);
  g_assert_true (va_engine_delete_job_finish (f->engine, va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_clear_object (&res);

  va_engine_get_job_async (f->engine, f->alice, va_job_get_id (job), NULL, va_test_store_result,
                           &res);
  g_assert_null (va_engine_get_job_finish (f->engine, va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_engine_upload_then_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (VaJob) job2 = NULL;
  const char *const bad[] = { "bad name", NULL };
  VaStorage *storage = va_engine_get_storage (f->engine);

  upload = va_test_upload_file (f->engine, f->alice, sample_video, "clip.mp4", &error);
  g_assert_no_error (error);
  /* refused submission: nothing stored, the upload is still the caller's */
  job = va_engine_submit_job (f->engine, f->alice, upload, NULL, bad, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (job);
  g_clear_error (&error);
  g_assert_true (va_storage_job_dir_exists (storage, va_upload_get_job_id (upload)));
  /* another user cannot take it over */
  g_assert_null (va_engine_submit_job (f->engine, f->bob, upload, NULL, scene, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  /* one job per upload */
  job = va_engine_submit_job (f->engine, f->alice, upload, NULL, scene, NULL, &error);
  g_assert_no_error (error);
  job2 = va_engine_submit_job (f->engine, f->alice, upload, NULL, scene, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
  g_assert_null (job2);
  g_clear_error (&error);
  /* submission completes an upload that is not yet: an empty one is
   * refused as not media, and its directory goes */
  g_clear_object (&upload);
  upload = va_engine_create_upload (f->engine, f->alice, "x.mp4", -1, &error);
  g_assert_no_error (error);
  g_assert_null (va_engine_submit_job (f->engine, f->alice, upload, NULL, scene, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_clear_error (&error);
  g_assert_false (va_storage_job_dir_exists (storage, va_upload_get_job_id (upload)));
  /* and a failed upload cannot be submitted */
  g_assert_null (va_engine_submit_job (f->engine, f->alice, upload, NULL, scene, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
}

/* The transport may leave completing the upload (typefinding, fsync) to
 * the submission, which does it in the same worker thread as the insert. */
static void
test_engine_submit_completes_upload (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (VaUpload) upload = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *input = NULL;
  g_autofree char *stored = NULL;
  gsize stored_length = 0;

  g_assert_true (g_file_get_contents (sample_video, &contents, &length, NULL));
  upload = va_engine_create_upload (f->engine, f->alice, "clip.mp4", (gint64)length, &error);
  g_assert_no_error (error);
  g_assert_true (va_upload_write (upload, contents, length, NULL, &error));
  g_assert_false (va_upload_is_complete (upload));

  va_engine_submit_job_async (f->engine, f->alice, upload, NULL, scene, NULL, NULL,
                              va_test_store_result, &result);
  job = va_engine_submit_job_finish (f->engine, va_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
  g_assert_true (va_upload_is_complete (upload));
  g_assert_cmpstr (va_upload_get_media_type (upload), ==, "video/quicktime");
  g_assert_true (g_str_has_suffix (va_job_get_video_path (job), "/input.mp4"));
  input
      = va_storage_resolve (va_engine_get_storage (f->engine), va_job_get_video_path (job), &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (input, &stored, &stored_length, &error));
  g_assert_cmpmem (stored, stored_length, contents, length);
}

static void
test_engine_audit_log (Fixture *f, gconstpointer data)
{
  g_autoptr (VaJob) job = submit (f, f->alice);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  const char *log_file = va_audit_get_log_file (va_engine_get_audit (f->engine));
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GStatBuf st;

  results = va_engine_get_results (f->engine, f->alice, va_job_get_id (job), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (log_file, &contents, NULL, &error));
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonNode) node = json_from_string (lines[i], &error);
    JsonObject *object;

    g_assert_no_error (error);
    object = json_node_get_object (node);
    g_assert_cmpstr (json_object_get_string_member (object, "user_id"), ==, "alice");
    g_assert_cmpstr (json_object_get_string_member (object, "key_prefix"), ==, "va_api_Alic");
    g_assert_cmpstr (json_object_get_string_member (object, "request_id"), ==, "req-alice");
    g_assert_cmpstr (json_object_get_string_member (object, "client_address"), ==, "192.0.2.1");
    g_assert_cmpstr (json_object_get_string_member (object, "target"), ==, va_job_get_id (job));
  }
  g_assert_nonnull (strstr (lines[0], "job.submit"));
  g_assert_nonnull (strstr (lines[1], "job.results.read"));
  g_assert_cmpint (g_stat (log_file, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0007, ==, 0);
}

static void
test_engine_shutdown_refuses_jobs (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (VaUpload) upload = NULL;

  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_true (va_engine_is_accepting (f->engine));
  va_engine_shutdown_async (f->engine, NULL, va_test_store_result, &res);
  g_assert_false (va_engine_is_accepting (f->engine));
  g_assert_true (va_engine_shutdown_finish (f->engine, va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  upload = va_engine_create_upload (f->engine, f->alice, "x.mp4", 10, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_assert_null (upload);
}

static void
test_engine_keys (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *again = NULL;
  g_autoptr (VaCaller) caller = NULL;
  g_autoptr (VaApiKey) revoked = NULL;
  g_autoptr (GDateTime) last_used = NULL;
  guint64 count = 0;

  va_engine_create_initial_key (f->engine, &key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_true (g_str_has_prefix (key, "va_api_"));
  /* only once */
  g_assert_true (va_engine_create_initial_key (f->engine, &again, &error));
  g_assert_null (again);
  g_assert_cmpuint (count_audit (f, "key.create", NULL), ==, 1);

  caller = va_engine_authenticate (f->engine, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_caller_get_user_id (caller), ==, "admin");
  g_assert_true (va_caller_is_admin (caller));
  g_assert_true (g_str_has_prefix (key, va_caller_get_key_prefix (caller)));
  g_assert_cmpuint (strlen (va_caller_get_key_prefix (caller)), <, strlen (key));
  g_assert_true (va_store_get_key_usage (
      va_engine_get_store (f->engine), va_caller_get_key_id (caller), &last_used, &count, &error));
  g_assert_cmpuint (count, ==, 1);

  g_assert_null (va_engine_authenticate (f->engine, "va_api_not-a-real-key", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  g_assert_null (va_engine_authenticate (f->engine, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);

  revoked = va_token_store_revoke (va_engine_get_token_store (f->engine),
                                   va_caller_get_key_id (caller), NULL, &error);
  g_assert_no_error (error);
  g_assert_null (va_engine_authenticate (f->engine, key, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  /* the message never carries the key itself */
  g_assert_null (strstr (error->message, key));
}

static void
test_engine_no_initial_key (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;

  g_assert_true (va_engine_create_initial_key (f->engine, &key, &error));
  g_assert_no_error (error);
  g_assert_null (key);
}

static void
test_engine_scope_strings (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;
  VaScopes scopes = VA_SCOPE_NONE;

  g_assert_true (va_scopes_parse (" read, admin ", &scopes, &error));
  g_assert_cmpint (scopes, ==, VA_SCOPE_READ | VA_SCOPE_ADMIN);
  names = va_scopes_to_strv (scopes);
  g_assert_cmpstr (names[0], ==, "read");
  g_assert_cmpstr (names[1], ==, "admin");
  g_assert_null (names[2]);
  g_assert_false (va_scopes_parse ("read,root", &scopes, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
on_alert (VaEngine *engine, const char *alert, guint *n)
{
  (*n)++;
}

static JsonArray *
list_alerts (Fixture *f, VaCaller *caller, GDateTime *since, guint limit, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  va_engine_list_alerts_async (f->engine, caller, since, limit, NULL, va_test_store_result,
                               &result);
  return va_engine_list_alerts_finish (f->engine, va_test_wait_for (&result), error);
}

/* Alerts are listed from the security log, newest first, across its
 * rotated files; admin only. */
static void
test_engine_alerts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) alerts = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) future = g_date_time_add_hours (now, 1);
  g_autofree char *rotated = NULL;
  guint n_signalled = 0;
  JsonObject *alert;

  g_signal_connect (f->engine, "security-alert", G_CALLBACK (on_alert), &n_signalled);
  alerts = list_alerts (f, f->admin, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (alerts), ==, 0);
  g_clear_pointer (&alerts, json_array_unref);

  /* an older alert in a rotated file, and a line cut by a crash */
  rotated
      = g_build_filename (va_log_get_dir (va_engine_get_log (f->engine)), "security.log.1", NULL);
  g_assert_cmpint (g_mkdir_with_parents (va_log_get_dir (va_engine_get_log (f->engine)), 0700), ==,
                   0);
  g_assert_true (g_file_set_contents (rotated,
                                      "{\"timestamp\":\"2026-01-02T03:04:05Z\",\"alert\":\"request_"
                                      "rate\",\"client\":\"203.0.113.9\"}\n"
                                      "{\"timestamp\":\"2026-01-03T0",
                                      -1, NULL));
  for (guint i = 0; i <= VA_SECURITY_AUTH_FAILURES_MAX; i++)
    va_engine_note_auth_failure (f->engine, "198.51.100.7");
  while (n_signalled == 0)
    g_main_context_iteration (NULL, TRUE);

  alerts = list_alerts (f, f->admin, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (alerts), ==, 2);
  alert = json_array_get_object_element (alerts, 0);
  g_assert_cmpstr (json_object_get_string_member (alert, "alert"), ==, "auth_failures");
  g_assert_cmpstr (json_object_get_string_member (alert, "client"), ==, "198.51.100.7");
  g_assert_cmpint (json_object_get_int_member (alert, "count"), ==,
                   VA_SECURITY_AUTH_FAILURES_MAX + 1);
  alert = json_array_get_object_element (alerts, 1);
  g_assert_cmpstr (json_object_get_string_member (alert, "client"), ==, "203.0.113.9");
  g_clear_pointer (&alerts, json_array_unref);

  alerts = list_alerts (f, f->admin, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (alerts), ==, 1);
  g_clear_pointer (&alerts, json_array_unref);

  alerts = list_alerts (f, f->admin, future, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (alerts), ==, 0);
  g_clear_pointer (&alerts, json_array_unref);

  g_assert_null (list_alerts (f, f->admin, NULL, 0, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (list_alerts (f, f->alice, NULL, 100, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
}

/* A login link creates a key when used: only an administrator issues one
 * for someone else or with more scopes than its own. */
static void
test_engine_login_link (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key = NULL;
  VaTokenRequest request = {
    .user_id = "bob", .username = "Bob", .email = "bob@example.org", .scopes = VA_SCOPE_READ
  };

  g_assert_null (va_engine_issue_login_link (f->engine, f->alice, &request, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  request.user_id = "alice";
  request.scopes = VA_SCOPE_ALL;
  g_assert_null (va_engine_issue_login_link (f->engine, f->alice, &request, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f, "login_link.issue", NULL), ==, 0);

  request.scopes = VA_SCOPE_READ;
  token = va_engine_issue_login_link (f->engine, f->alice, &request, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (token, VA_LOGIN_LINK_PREFIX));
  g_clear_pointer (&token, g_free);

  request.user_id = "bob";
  request.scopes = VA_SCOPE_READ | VA_SCOPE_WRITE;
  token = va_engine_issue_login_link (f->engine, f->admin, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_audit (f, "login_link.issue", NULL), ==, 2);
  record = va_engine_redeem_login_link (f->engine, token, NULL, &key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_api_key_get_user_id (record), ==, "bob");
}

int
main (int argc, char **argv)
{
  g_autoptr (VaTestDir) media_dir = NULL;
  static const char *const consent_required[] = { "require-consent=true", NULL };
  static const char *const no_auto_key[] = { "auto-generate-api-key=false", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  media_dir = va_test_dir_new ();
  sample_video = g_build_filename (media_dir, "sample.mp4", NULL);
  va_test_media_make_video (sample_video, 20);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/engine/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("submit-get-list", test_engine_submit_get_list, NULL);
  ADD ("scopes", test_engine_scopes, NULL);
  ADD ("ownership", test_engine_ownership, NULL);
  ADD ("bad-ids", test_engine_bad_ids, NULL);
  ADD ("read-only", test_engine_read_only, NULL);
  ADD ("consent/required", test_engine_consent_required, consent_required);
  ADD ("consent/optional", test_engine_consent_optional, NULL);
  ADD ("pipeline-names", test_engine_pipeline_names, NULL);
  ADD ("config-validation", test_engine_config_validation, NULL);
  ADD ("operator-settings", test_engine_operator_settings, NULL);
  ADD ("cancel", test_engine_cancel, NULL);
  ADD ("delete", test_engine_delete, NULL);
  ADD ("results-and-files", test_engine_results_and_files, NULL);
  ADD ("async", test_engine_async, NULL);
  ADD ("upload-then-refused", test_engine_upload_then_refused, NULL);
  ADD ("submit-completes-upload", test_engine_submit_completes_upload, NULL);
  ADD ("audit-log", test_engine_audit_log, NULL);
  ADD ("shutdown-refuses-jobs", test_engine_shutdown_refuses_jobs, NULL);
  ADD ("keys", test_engine_keys, NULL);
  ADD ("no-initial-key", test_engine_no_initial_key, no_auto_key);
  ADD ("alerts", test_engine_alerts, NULL);
  ADD ("login-link", test_engine_login_link, NULL);
#undef ADD
  g_test_add_func ("/engine/scope-strings", test_engine_scope_strings);

  ret = g_test_run ();
  g_free (sample_video);
  return ret;
}
