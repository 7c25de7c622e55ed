/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vaannotationsink: the files it writes (COCO scenes shaped like VideoAnnotator
 * 1.4's, motion CSV), the videoannotator-outputs message before EOS, stem and
 * pipeline selection, and its errors. */
#include <glib/gstdio.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "va-meta.h"
#include "va-test-video.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("va-sink-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

static JsonNode *
load_json (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static GStrv
load_lines (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  return g_strsplit (text, "\n", -1);
}

/* Checks a videoannotator-outputs message against the expected pipelines and
 * counts; returns the file paths. */
static GStrv
check_outputs (GstMessage *msg, const char *const *pipelines, const guint *counts)
{
  const GstStructure *s = gst_message_get_structure (msg);
  const GValue *p, *f, *c;
  guint n = g_strv_length ((char **)pipelines);
  GStrv files = g_new0 (char *, n + 1);

  g_assert_true (gst_structure_has_name (s, "videoannotator-outputs"));
  p = gst_structure_get_value (s, "pipelines");
  f = gst_structure_get_value (s, "files");
  c = gst_structure_get_value (s, "annotation-counts");
  g_assert_true (GST_VALUE_HOLDS_ARRAY (p));
  g_assert_true (GST_VALUE_HOLDS_ARRAY (f));
  g_assert_true (GST_VALUE_HOLDS_ARRAY (c));
  g_assert_cmpuint (gst_value_array_get_size (p), ==, n);
  g_assert_cmpuint (gst_value_array_get_size (f), ==, n);
  g_assert_cmpuint (gst_value_array_get_size (c), ==, n);
  for (guint i = 0; i < n; i++) {
    const char *file = g_value_get_string (gst_value_array_get_value (f, i));

    g_assert_cmpstr (g_value_get_string (gst_value_array_get_value (p, i)), ==, pipelines[i]);
    g_assert_true (G_VALUE_HOLDS_UINT (gst_value_array_get_value (c, i)));
    g_assert_cmpuint (g_value_get_uint (gst_value_array_get_value (c, i)), ==, counts[i]);
    g_assert_true (g_path_is_absolute (file));
    g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
    files[i] = g_strdup (file);
  }
  return files;
}

/* 100 frames of 640x360 at 25 fps pushed by a harness, cut metas on frames
 * 30 (cut) and 70 (fade), motion metas with a 2x2 grid on frames 1..99. */
static void
test_harness_files (Fixture *f, gconstpointer data)
{
  GstElement *sink = gst_element_factory_make ("vaannotationsink", NULL);
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_auto (GStrv) files = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) cells = NULL;
  const char *const pipelines[] = { "motion_analysis", "scene_detection", NULL };
  const guint counts[] = { 99, 3 };
  g_autofree char *expected_json = NULL;
  g_autofree char *expected_csv = NULL;
  JsonObject *doc, *ann, *img;
  JsonArray *anns, *images;
  GstHarness *h;

  /* The sink creates the directory. */
  g_autofree char *location = g_build_filename (f->dir, "out", "nested", NULL);
  g_object_set (sink, "location", location, "stem", "clip", "pipelines",
                " motion_analysis , scene_detection", NULL);
  gst_element_set_bus (sink, bus);
  h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_object_unref (sink);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=640,height=360,framerate=25/1");

  for (guint i = 0; i < 100; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 640 * 360 * 3 / 2, NULL);
    const gfloat grid[4] = { i / 100.0f, 0.0f, 0.25f, 1.0f };

    va_test_stamp (buf, i);
    if (i == 30)
      va_buffer_add_scene_cut_meta (buf, 1, 80.0, VA_SCENE_TRANSITION_CUT, 0);
    if (i == 70)
      va_buffer_add_scene_cut_meta (buf, 2, 45.0, VA_SCENE_TRANSITION_FADE, GST_SECOND);
    if (i > 0)
      va_buffer_add_motion_meta (buf, i / 1000.0, 0.5, 1, 2, 2, grid);
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));

  /* The outputs message comes first, then EOS. */
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_ELEMENT);
  files = check_outputs (msg, pipelines, counts);
  gst_clear_message (&msg);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);

  expected_json = g_build_filename (location, "clip_scene_detection.json", NULL);
  expected_csv = g_build_filename (location, "clip_motion_analysis.csv", NULL);
  g_assert_cmpstr (files[0], ==, expected_csv);
  g_assert_cmpstr (files[1], ==, expected_json);

  /* COCO: three scenes 0-30, 30-70, 70-100. */
  root = load_json (expected_json);
  doc = json_node_get_object (root);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (doc, "info"), "version"), ==,
      VA_VERSION);
  anns = json_object_get_array_member (doc, "annotations");
  images = json_object_get_array_member (doc, "images");
  g_assert_cmpuint (json_array_get_length (anns), ==, 3);
  g_assert_cmpuint (json_array_get_length (images), ==, 3);
  {
    const gint64 starts[] = { 0, 30, 70 }, ends[] = { 30, 70, 100 };
    const double t0[] = { 0.0, 1.2, 2.8 }, t1[] = { 1.2, 2.8, 4.0 };
    const char *ids[] = { "clip_frame_000015", "clip_frame_000050", "clip_frame_000085" };

    for (guint i = 0; i < 3; i++) {
      ann = json_array_get_object_element (anns, i);
      img = json_array_get_object_element (images, i);
      g_assert_cmpint (json_object_get_int_member (ann, "id"), ==, i + 1);
      g_assert_cmpint (json_object_get_int_member (ann, "frame_start"), ==, starts[i]);
      g_assert_cmpint (json_object_get_int_member (ann, "frame_end"), ==, ends[i]);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "start_time"), t0[i],
                                      1e-6);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "end_time"), t1[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "duration"),
                                      t1[i] - t0[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "timestamp"),
                                      (t0[i] + t1[i]) / 2, 1e-6);
      g_assert_cmpstr (json_object_get_string_member (ann, "image_id"), ==, ids[i]);
      g_assert_cmpstr (json_object_get_string_member (ann, "video_id"), ==, "clip");
      g_assert_cmpfloat (
          json_array_get_double_element (json_object_get_array_member (ann, "bbox"), 2), ==, 640.0);
      g_assert_cmpstr (json_object_get_string_member (img, "id"), ==, ids[i]);
      g_assert_cmpint (json_object_get_int_member (img, "width"), ==, 640);
      g_assert_cmpint (json_object_get_int_member (img, "height"), ==, 360);
    }
  }

  /* CSV: header with grid columns, 99 rows. */
  lines = load_lines (expected_csv);
  g_assert_cmpuint (g_strv_length (lines), ==, 100);
  g_assert_cmpstr (lines[0], ==,
                   "frame,timestamp,energy,moving_fraction,grid_r0_c0,grid_r0_c1,grid_r1_c0,"
                   "grid_r1_c1");
  cells = g_strsplit (lines[50], ",", -1);
  g_assert_cmpuint (g_strv_length (cells), ==, 8);
  g_assert_cmpstr (cells[0], ==, "50");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[1], NULL), 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[2], NULL), 0.05, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[3], NULL), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[4], NULL), 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[7], NULL), 1.0, 1e-9);

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

/* Runs @description to the end; returns the messages seen (element, EOS,
 * error) in order. */
static GPtrArray *
run_pipeline (const char *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = NULL;
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_message_unref);
  gboolean done = FALSE;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* start() failures post their error before failing the state change. */
    GstMessage *msg;
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR)) != NULL)
      g_ptr_array_add (messages, msg);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    return messages;
  }
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (
        bus, 30 * GST_SECOND, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    g_assert_nonnull (msg);
    done = GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT;
    g_ptr_array_add (messages, msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return messages;
}

static GstMessage *
find_outputs (GPtrArray *messages)
{
  for (guint i = 0; i < messages->len; i++) {
    GstMessage *msg = g_ptr_array_index (messages, i);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_message_has_name (msg, "videoannotator-outputs"))
      return msg;
  }
  return NULL;
}

static GstMessage *
last (GPtrArray *messages)
{
  g_assert_cmpuint (messages->len, >, 0);
  return g_ptr_array_index (messages, messages->len - 1);
}

/* Without `pipelines`: the files of the analysers that ran, in table order,
 * announced through the chain. */
static void
test_pipeline_auto (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=30 ! video/x-raw,framerate=30/1 ! vamotion ! vascenedetect ! "
      "vaannotationsink location=%s",
      f->dir);
  g_autoptr (GPtrArray) messages = run_pipeline (desc);
  const char *const pipelines[] = { "scene_detection", "motion_analysis", NULL };
  const guint counts[] = { 1, 29 };
  g_auto (GStrv) files = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *ann;

  g_assert_cmpint (GST_MESSAGE_TYPE (last (messages)), ==, GST_MESSAGE_EOS);
  g_assert_nonnull (find_outputs (messages));
  files = check_outputs (find_outputs (messages), pipelines, counts);
  /* No upstream file: the stem is "video". */
  g_assert_true (g_str_has_suffix (files[0], G_DIR_SEPARATOR_S "video_scene_detection.json"));
  g_assert_true (g_str_has_suffix (files[1], G_DIR_SEPARATOR_S "video_motion_analysis.csv"));

  /* No cut: one scene for the whole second. */
  root = load_json (files[0]);
  ann = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "annotations"), 0);
  g_assert_cmpint (json_object_get_int_member (ann, "frame_start"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (ann, "frame_end"), ==, 30);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "end_time"), 1.0, 1e-6);
}

static void
test_pipeline_only_announced (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=5 ! vamotion ! vaannotationsink location=%s", f->dir);
  g_autoptr (GPtrArray) messages = run_pipeline (desc);
  const char *const pipelines[] = { "motion_analysis", NULL };
  const guint counts[] = { 4 };
  g_auto (GStrv) files = NULL;

  g_assert_cmpint (GST_MESSAGE_TYPE (last (messages)), ==, GST_MESSAGE_EOS);
  files = check_outputs (find_outputs (messages), pipelines, counts);
}

/* A selected pipeline gets its file even when its analyser did not run. */
static void
test_pipeline_selected_without_analyser (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=5 ! vaannotationsink location=%s pipelines=scene_detection,"
      "motion_analysis stem=empty",
      f->dir);
  g_autoptr (GPtrArray) messages = run_pipeline (desc);
  const char *const pipelines[] = { "scene_detection", "motion_analysis", NULL };
  const guint counts[] = { 1, 0 };
  g_auto (GStrv) files = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (GST_MESSAGE_TYPE (last (messages)), ==, GST_MESSAGE_EOS);
  files = check_outputs (find_outputs (messages), pipelines, counts);
  g_assert_true (g_str_has_suffix (files[0], "empty_scene_detection.json"));
  lines = load_lines (files[1]);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_cmpstr (lines[0], ==, "frame,timestamp,energy,moving_fraction");
}

/* The stem comes from the upstream file, and cuts found in a decoded file
 * land in the COCO file at their frames. */
static void
test_pipeline_stem_from_file (Fixture *f, gconstpointer data)
{
  g_autofree char *clip = g_build_filename (f->dir, "my.clip.mkv", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out", NULL);
  g_autofree char *make = g_strdup_printf (
      "concat name=c ! matroskamux ! filesink location=%s "
      "videotestsrc pattern=smpte num-buffers=40 ! video/x-raw,width=160,height=120,framerate=20/1 "
      "! c. "
      "videotestsrc pattern=pinwheel num-buffers=40 ! video/x-raw,width=160,height=120,"
      "framerate=20/1 ! c.",
      clip);
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=%s ! decodebin ! vascenedetect ! vaannotationsink location=%s", clip, out);
  g_autoptr (GPtrArray) made = run_pipeline (make);
  g_autoptr (GPtrArray) messages = NULL;
  const char *const pipelines[] = { "scene_detection", NULL };
  const guint counts[] = { 2 };
  g_auto (GStrv) files = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *anns;

  g_assert_cmpint (GST_MESSAGE_TYPE (last (made)), ==, GST_MESSAGE_EOS);
  messages = run_pipeline (desc);
  g_assert_cmpint (GST_MESSAGE_TYPE (last (messages)), ==, GST_MESSAGE_EOS);
  files = check_outputs (find_outputs (messages), pipelines, counts);
  g_assert_true (g_str_has_suffix (files[0], G_DIR_SEPARATOR_S "my.clip_scene_detection.json"));

  root = load_json (files[0]);
  anns = json_object_get_array_member (json_node_get_object (root), "annotations");
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (anns, 1), "frame_start"), ==, 40);
  g_assert_cmpfloat_with_epsilon (
      json_object_get_double_member (json_array_get_object_element (anns, 1), "start_time"), 2.0,
      1e-6);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (anns, 0), "video_id"), ==,
      "my.clip");
}

static void
assert_resource_error (GPtrArray *messages, gint code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg = NULL;

  /* The first error is the element's own; base classes may add generic
   * ones after it. */
  for (guint i = 0; i < messages->len && msg == NULL; i++)
    if (GST_MESSAGE_TYPE (g_ptr_array_index (messages, i)) == GST_MESSAGE_ERROR)
      msg = g_ptr_array_index (messages, i);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &error, &debug);
  g_test_message ("%s (%s)", error->message, debug);
  g_assert_error (error, GST_RESOURCE_ERROR, code);
  g_assert_nonnull (strstr (error->message, fragment));
  g_assert_null (find_outputs (messages));
}

static void
test_error_bad_location (Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *desc = NULL;
  g_autoptr (GPtrArray) messages = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  /* A directory below a regular file cannot be created. */
  desc = g_strdup_printf ("videotestsrc num-buffers=5 ! vaannotationsink location=%s/sub", file);
  messages = run_pipeline (desc);
  assert_resource_error (messages, GST_RESOURCE_ERROR_OPEN_WRITE, "output directory");
}

static void
test_error_no_location (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) messages = run_pipeline ("videotestsrc num-buffers=5 ! vaannotationsink");

  assert_resource_error (messages, GST_RESOURCE_ERROR_NOT_FOUND, "No output directory");
}

static void
test_error_unknown_pipeline (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=5 ! vaannotationsink location=%s pipelines=scene_detection,scenes",
      f->dir);
  g_autoptr (GPtrArray) messages = run_pipeline (desc);

  assert_resource_error (messages, GST_RESOURCE_ERROR_SETTINGS, "\"scenes\"");
}

static void
test_error_bad_stem (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=5 ! vaannotationsink location=%s stem=../escape", f->dir);
  g_autoptr (GPtrArray) messages = run_pipeline (desc);

  assert_resource_error (messages, GST_RESOURCE_ERROR_SETTINGS, "stem");
}

/* The file cannot be written (a directory is in its place): an error, no
 * outputs message. */
static void
test_error_write (Fixture *f, gconstpointer data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "x_scene_detection.json", NULL);
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=5 ! vaannotationsink location=%s stem=x pipelines=scene_detection",
      f->dir);
  g_autoptr (GPtrArray) messages = NULL;

  g_assert_cmpint (g_mkdir (blocker, 0700), ==, 0);
  messages = run_pipeline (desc);
  assert_resource_error (messages, GST_RESOURCE_ERROR_WRITE, "x_scene_detection.json");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/vaannotationsink/harness-files", test_harness_files);
  ADD ("/vaannotationsink/pipeline/auto", test_pipeline_auto);
  ADD ("/vaannotationsink/pipeline/only-announced", test_pipeline_only_announced);
  ADD ("/vaannotationsink/pipeline/selected-without-analyser",
       test_pipeline_selected_without_analyser);
  ADD ("/vaannotationsink/pipeline/stem-from-file", test_pipeline_stem_from_file);
  ADD ("/vaannotationsink/error/bad-location", test_error_bad_location);
  ADD ("/vaannotationsink/error/no-location", test_error_no_location);
  ADD ("/vaannotationsink/error/unknown-pipeline", test_error_unknown_pipeline);
  ADD ("/vaannotationsink/error/bad-stem", test_error_bad_stem);
  ADD ("/vaannotationsink/error/write", test_error_write);
#undef ADD

  return g_test_run ();
}
