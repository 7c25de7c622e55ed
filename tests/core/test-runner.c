/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <sys/resource.h>

#include "va-error.h"
#include "va-nice-task-pool.h"
#include "va-pipeline-registry.h"
#include "va-runner.h"

/* Test media is made here, in-process: three scenes of different test
 * patterns (cuts at 1.52 s and 3.0 s at 25 fps), H.264 in MP4. */
#define SCENE_FRAMES_1 38
#define SCENE_FRAMES_2 37
#define SCENE_FRAMES_3 38
#define TOTAL_FRAMES (SCENE_FRAMES_1 + SCENE_FRAMES_2 + SCENE_FRAMES_3)

static char *tmpdir;
static char *cuts_mp4;

static void
run_to_eos (const char *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (message, &error, NULL);
    g_error ("making test media failed: %s", error->message);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
make_cuts_video (const char *path, gboolean faststart)
{
  g_autofree char *description = g_strdup_printf (
      "concat name=c ! identity single-segment=true ! videoconvert ! video/x-raw,format=I420 "
      "! x264enc speed-preset=ultrafast key-int-max=25 ! h264parse ! mp4mux faststart=%s "
      "! filesink location=%s "
      "videotestsrc pattern=smpte num-buffers=%d ! video/x-raw,width=320,height=240,framerate=25/1 "
      "! c. "
      "videotestsrc pattern=checkers-8 num-buffers=%d ! video/x-raw,width=320,height=240,"
      "framerate=25/1 ! c. "
      "videotestsrc pattern=ball num-buffers=%d ! video/x-raw,width=320,height=240,framerate=25/1 "
      "! c.",
      faststart ? "true" : "false", path, SCENE_FRAMES_1, SCENE_FRAMES_2, SCENE_FRAMES_3);
  run_to_eos (description);
}

static char *
make_truncated_copy (const char *path, const char *name)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;
  char *out = g_build_filename (tmpdir, name, NULL);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (out, contents, (gssize)(length / 2), &error);
  g_assert_no_error (error);
  return out;
}

typedef struct {
  double last_fraction;
  guint n_progress;
} Progress;

static void
on_progress (VaRunner *runner, double fraction, guint64 frames, double fps, gint64 position,
             gint64 duration, gpointer user_data)
{
  Progress *p = user_data;

  g_assert_true (fraction == -1.0 || (fraction >= 0.0 && fraction <= 1.0));
  g_assert_true (fraction >= p->last_fraction || fraction == -1.0);
  p->last_fraction = fraction;
  p->n_progress++;
}

static VaRunner *
make_runner (const char *input, const char *pipelines, const char *outdir)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = va_pipeline_registry_resolve_list (registry, pipelines, &error);
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();

  g_assert_no_error (error);
  va_pipeline_builder_set_input (builder, input);
  va_pipeline_builder_set_output_dir (builder, outdir);
  for (guint i = 0; i < list->len; i++)
    va_pipeline_builder_add_pipeline (builder, g_ptr_array_index (list, i));
  return va_runner_new (builder);
}

static VaRunResult *
run (const char *input, const char *pipelines, const char *outdir, GError **error)
{
  g_autoptr (VaRunner) runner = make_runner (input, pipelines, outdir);
  return va_runner_run (runner, NULL, error);
}

static guint
count_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_runner_scenes (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out-scenes", NULL);
  g_autoptr (VaRunner) runner = make_runner (cuts_mp4, "scene_detection,motion_analysis", outdir);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *expected_scene = g_build_filename (outdir, "cuts_scene_detection.json", NULL);
  g_autofree char *expected_motion = g_build_filename (outdir, "cuts_motion_analysis.csv", NULL);
  const char *file = NULL;
  guint count = 0;
  JsonArray *annotations;
  Progress progress = { -1.0, 0 };

  g_signal_connect (runner, "progress", G_CALLBACK (on_progress), &progress);
  result = va_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  /* the final progress report says done */
  g_assert_cmpuint (progress.n_progress, >=, 1);
  g_assert_cmpfloat (progress.last_fraction, ==, 1.0);

  g_assert_cmpuint (va_run_result_get_frames (result), ==, TOTAL_FRAMES);
  g_assert_cmpfloat (va_run_result_get_processing_time (result), >, 0.0);
  g_assert_cmpint (va_run_result_get_duration (result), >, 4 * GST_SECOND);
  g_assert_cmpstr (va_run_result_get_stem (result), ==, "cuts");
  g_assert_cmpuint (va_run_result_get_n_outputs (result), ==, 2);

  g_assert_true (va_run_result_lookup_output (result, "scene_detection", &file, &count));
  g_assert_cmpstr (file, ==, expected_scene);
  g_assert_cmpuint (count, ==, 3);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  json_parser_load_from_file (parser, file, &error);
  g_assert_no_error (error);
  annotations = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                              "annotations");
  g_assert_cmpuint (json_array_get_length (annotations), ==, 3);

  g_assert_true (va_run_result_lookup_output (result, "motion_analysis", &file, &count));
  g_assert_cmpstr (file, ==, expected_motion);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count, >, 0);
}

/* One decode feeds every pipeline, so each one's time is what its own
 * analysers measured. vascenedetect and vamotion run in the video
 * branch's streaming thread, vafacedetect behind its own queue: two
 * threads, so the three together take at most twice the run's time. */
static void
test_runner_pipeline_times (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out-times", NULL);
  g_autoptr (VaRunResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) json = NULL;
  JsonObject *outputs;
  double scene, motion, face, wall;

  result = run (cuts_mp4, "scene_detection,motion_analysis,face_analysis", outdir, &error);
  g_assert_no_error (error);
  wall = va_run_result_get_processing_time (result);
  scene = va_run_result_get_pipeline_time (result, "scene_detection");
  motion = va_run_result_get_pipeline_time (result, "motion_analysis");
  face = va_run_result_get_pipeline_time (result, "face_analysis");
  g_test_message ("wall %.4f s: scene %.4f s, motion %.4f s, face %.4f s", wall, scene, motion,
                  face);
  g_assert_cmpfloat (scene, >, 0);
  g_assert_cmpfloat (motion, >, 0);
  g_assert_cmpfloat (face, >, 0);
  g_assert_cmpfloat (scene, !=, motion);
  g_assert_cmpfloat (scene + motion, <=, wall);
  g_assert_cmpfloat (face, <=, wall);
  g_assert_cmpfloat (scene + motion + face, <=, 2 * wall);
  g_assert_cmpfloat (va_run_result_get_pipeline_time (result, "person_tracking"), ==, -1);

  json = va_run_result_to_json (result);
  outputs = json_object_get_object_member (json_node_get_object (json), "outputs");
  g_assert_cmpfloat (
      json_object_get_double_member (json_object_get_object_member (outputs, "face_analysis"),
                                     "processing_time"),
      ==, face);
}

static void
test_runner_missing_file (void)
{
  g_autofree char *input = g_build_filename (tmpdir, "does-not-exist.mp4", NULL);
  g_autofree char *outdir = g_build_filename (tmpdir, "out-missing", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = run (input, "scene_detection", outdir, &error);

  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does-not-exist.mp4"));
  /* nothing is created for an input that is not there */
  g_assert_false (g_file_test (outdir, G_FILE_TEST_EXISTS));
}

static void
test_runner_not_media (void)
{
  g_autofree char *input = g_build_filename (tmpdir, "notes.txt", NULL);
  g_autofree char *outdir = g_build_filename (tmpdir, "out-text", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;

  g_file_set_contents (input, "These are not frames.\nJust some text.\n", -1, &error);
  g_assert_no_error (error);
  result = run (input, "scene_detection", outdir, &error);
  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_assert_nonnull (strstr (error->message, "notes.txt is not a video or audio file"));
  g_assert_cmpuint (count_dir (outdir), ==, 0);
}

static void
test_runner_truncated (void)
{
  g_autofree char *input = make_truncated_copy (cuts_mp4, "half.mp4");
  g_autofree char *outdir = g_build_filename (tmpdir, "out-half", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = run (input, "scene_detection", outdir, &error);

  /* moov is at the end: the first half is an MP4 without its index */
  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_PIPELINE);
  g_assert_nonnull (strstr (error->message, "half.mp4 is truncated or corrupt"));
}

static void
test_runner_truncated_faststart (void)
{
  g_autofree char *full = g_build_filename (tmpdir, "faststart.mp4", NULL);
  g_autofree char *input = NULL;
  g_autofree char *outdir = g_build_filename (tmpdir, "out-half-faststart", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;

  /* index first: the demuxer plays the first half and stops quietly */
  make_cuts_video (full, TRUE);
  input = make_truncated_copy (full, "half-faststart.mp4");
  result = run (input, "scene_detection", outdir, &error);
  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_PIPELINE);
  g_assert_nonnull (strstr (error->message, "half-faststart.mp4 is truncated or corrupt"));
}

static void
test_runner_no_video (void)
{
  g_autofree char *input = g_build_filename (tmpdir, "tone.wav", NULL);
  g_autofree char *outdir = g_build_filename (tmpdir, "out-tone", NULL);
  g_autofree char *description
      = g_strdup_printf ("audiotestsrc num-buffers=20 ! wavenc ! filesink location=%s", input);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;

  run_to_eos (description);
  result = run (input, "scene_detection", outdir, &error);
  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_assert_nonnull (strstr (error->message, "no video stream"));
}

static void
test_runner_output_is_file (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "a-file", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;

  g_file_set_contents (outdir, "x", -1, &error);
  g_assert_no_error (error);
  result = run (cuts_mp4, "scene_detection", outdir, &error);
  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
test_runner_cancel (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out-cancel", NULL);
  g_autoptr (VaRunner) runner = make_runner (cuts_mp4, NULL, outdir);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GAsyncResult) async_result = NULL;
  g_autoptr (VaRunResult) result = NULL;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (context);
  va_runner_run_async (runner, cancellable, on_run_done, &async_result);
  /* the pipeline is starting in its threads; cancel stops it there */
  g_cancellable_cancel (cancellable);
  while (async_result == NULL)
    g_main_context_iteration (context, TRUE);
  result = va_runner_run_finish (runner, async_result, &error);
  g_main_context_pop_thread_default (context);

  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_CANCELLED);
  /* files are written only at the end of the stream */
  g_assert_cmpuint (count_dir (outdir), ==, 0);

  /* the runner is ready for another run */
  g_clear_error (&error);
  result = va_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (va_run_result_get_frames (result), ==, TOTAL_FRAMES);
  /* the default video pipelines: scene, motion, face, person (two files) */
  g_assert_cmpuint (count_dir (outdir), ==, 5);
}

/* A cancel that comes after the pipeline reached its end, but before that
 * end was handled, still wins: the run is cancelled and the files the sink
 * had already written are removed. The run's messages are handled as they
 * come until the files are on disk (the sink writes them in its streaming
 * thread); then, with the end of stream waiting on the bus, the cancel
 * comes: the end is handled first (the bus watch is the older source). */
static void
test_runner_cancel_after_end (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out-cancel-late", NULL);
  g_autofree char *scene = g_build_filename (outdir, "cuts_scene_detection.json", NULL);
  g_autoptr (VaRunner) runner = make_runner (cuts_mp4, "scene_detection", outdir);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GAsyncResult) async_result = NULL;
  g_autoptr (VaRunResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_main_context_push_thread_default (context);
  va_runner_run_async (runner, cancellable, on_run_done, &async_result);
  while (!g_file_test (scene, G_FILE_TEST_EXISTS)) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (context, FALSE);
    g_usleep (1000);
  }
  g_usleep (200 * 1000);
  g_assert_null (async_result);
  g_cancellable_cancel (cancellable);
  while (async_result == NULL)
    g_main_context_iteration (context, TRUE);
  result = va_runner_run_finish (runner, async_result, &error);
  g_main_context_pop_thread_default (context);

  g_assert_null (result);
  g_assert_error (error, VA_ERROR, VA_ERROR_CANCELLED);
  g_assert_cmpuint (count_dir (outdir), ==, 0);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  }
  g_remove (path);
}

/* The pool's threads run at the creator's nice value + the increment; a
 * task started from one of them (as decodebin starts its demuxer's) gets
 * the same value, not twice the increment. */
typedef struct {
  GstTaskPool *pool;
  GMutex lock;
  GCond cond;
  int outer_nice;
  int inner_nice;
  gboolean outer_done;
  gboolean inner_done;
  GRecMutex outer_rec;
  GRecMutex inner_rec;
  GstTask *outer;
  GstTask *inner;
} NiceProbe;

static int
current_nice (void)
{
  int value;

  errno = 0;
  value = getpriority (PRIO_PROCESS, 0);
  g_assert_cmpint (errno, ==, 0);
  return value;
}

static void
nice_inner_func (gpointer data)
{
  NiceProbe *probe = data;

  /* Paused before saying it is done: a pause after that could land after
   * the test's gst_task_join() and turn its STOPPED back into PAUSED, a
   * state the task then waits in for ever. */
  gst_task_pause (probe->inner);
  g_mutex_lock (&probe->lock);
  if (!probe->inner_done) {
    probe->inner_nice = current_nice ();
    probe->inner_done = TRUE;
    g_cond_broadcast (&probe->cond);
  }
  g_mutex_unlock (&probe->lock);
}

static void
nice_outer_func (gpointer data)
{
  NiceProbe *probe = data;
  gboolean first;

  gst_task_pause (probe->outer); /* before saying it is done, as above */
  g_mutex_lock (&probe->lock);
  first = !probe->outer_done;
  probe->outer_nice = current_nice ();
  probe->outer_done = TRUE;
  g_mutex_unlock (&probe->lock);
  if (first) {
    probe->inner = gst_task_new (nice_inner_func, probe, NULL);
    gst_task_set_lock (probe->inner, &probe->inner_rec);
    gst_task_set_pool (probe->inner, probe->pool);
    g_assert_true (gst_task_start (probe->inner));
  }
  g_mutex_lock (&probe->lock);
  g_cond_broadcast (&probe->cond);
  g_mutex_unlock (&probe->lock);
}

static void
test_runner_nice_pool (void)
{
  g_autoptr (VaNiceTaskPool) pool = va_nice_task_pool_new (5);
  int expected = MIN (current_nice () + 5, 19);
  NiceProbe probe = { 0 };
  g_autoptr (GstTask) outer = NULL;

  g_assert_cmpint (va_nice_task_pool_get_nice (pool), ==, expected);
  probe.pool = GST_TASK_POOL (pool);
  g_mutex_init (&probe.lock);
  g_cond_init (&probe.cond);
  g_rec_mutex_init (&probe.outer_rec);
  g_rec_mutex_init (&probe.inner_rec);
  outer = gst_task_new (nice_outer_func, &probe, NULL);
  probe.outer = outer;
  gst_task_set_lock (outer, &probe.outer_rec);
  gst_task_set_pool (outer, GST_TASK_POOL (pool));
  g_assert_true (gst_task_start (outer));
  g_mutex_lock (&probe.lock);
  while (!probe.outer_done || !probe.inner_done)
    g_cond_wait (&probe.cond, &probe.lock);
  g_mutex_unlock (&probe.lock);
  g_assert_true (gst_task_join (outer));
  g_assert_true (gst_task_join (probe.inner));
  gst_object_unref (probe.inner);

  g_assert_cmpint (probe.outer_nice, ==, expected);
  g_assert_cmpint (probe.inner_nice, ==, expected);
  g_assert_cmpuint (va_nice_task_pool_get_n_started (pool), ==, 2);
  /* the caller's own priority is untouched */
  g_assert_cmpint (current_nice (), ==, expected - 5);
  g_rec_mutex_clear (&probe.outer_rec);
  g_rec_mutex_clear (&probe.inner_rec);
  g_cond_clear (&probe.cond);
  g_mutex_clear (&probe.lock);
}

/* A runner given a pool takes every streaming thread of its pipeline from
 * it (the job queue runs its pipelines at a lower priority this way). */
static void
test_runner_task_pool (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out-pool", NULL);
  g_autoptr (VaRunner) runner = make_runner (cuts_mp4, "scene_detection", outdir);
  g_autoptr (VaNiceTaskPool) pool = va_nice_task_pool_new (3);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRunResult) result = NULL;

  va_runner_set_task_pool (runner, GST_TASK_POOL (pool));
  result = va_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  /* the source's and the demuxer's at least */
  g_assert_cmpuint (va_nice_task_pool_get_n_started (pool), >=, 2);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  tmpdir = g_dir_make_tmp ("va-test-runner-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  cuts_mp4 = g_build_filename (tmpdir, "cuts.mp4", NULL);
  make_cuts_video (cuts_mp4, FALSE);

  g_test_add_func ("/runner/scenes", test_runner_scenes);
  g_test_add_func ("/runner/pipeline-times", test_runner_pipeline_times);
  g_test_add_func ("/runner/missing-file", test_runner_missing_file);
  g_test_add_func ("/runner/not-media", test_runner_not_media);
  g_test_add_func ("/runner/truncated", test_runner_truncated);
  g_test_add_func ("/runner/truncated-faststart", test_runner_truncated_faststart);
  g_test_add_func ("/runner/no-video", test_runner_no_video);
  g_test_add_func ("/runner/output-is-file", test_runner_output_is_file);
  g_test_add_func ("/runner/cancel", test_runner_cancel);
  g_test_add_func ("/runner/cancel-after-end", test_runner_cancel_after_end);
  g_test_add_func ("/runner/nice-pool", test_runner_nice_pool);
  g_test_add_func ("/runner/task-pool", test_runner_task_pool);
  ret = g_test_run ();

  rm_rf (tmpdir);
  g_free (cuts_mp4);
  g_free (tmpdir);
  return ret;
}
