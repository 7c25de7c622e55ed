/* vapersondetect on the people footage opencv-doc ships (vtest.avi), scored
 * against the boxes labelled by hand in vtest-persons.txt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "va-test-media.h"

#define VTEST VA_TEST_OPENCV_DOC_DATA "/vtest.avi"
/* Frames 0-40 (4 s): the labelled frames 0, 10, 20, 30, 40. */
#define LAST_FRAME 40
/* CenterNet on the same frames (docs/accuracy.md has the whole video) */
#define CENTERNET_MIN_FOUND 17
#define CENTERNET_MAX_FALSE 1

#define N_KEYPOINTS 17

typedef struct {
  VaTestRect box;
  int track;
  /* -1: no keypoints on this frame */
  int num_keypoints;
  double keypoints[3 * N_KEYPOINTS];
} Person;

/* Reads the COCO keypoints of a person's structure, checking their form. */
static void
read_keypoints (const GstStructure *s, Person *p)
{
  const GValue *array = gst_structure_get_value (s, "keypoints");
  const GValue *scores = gst_structure_get_value (s, "keypoint-scores");
  int visible = 0;

  p->num_keypoints = -1;
  if (array == NULL) {
    g_assert_null (scores);
    g_assert_false (gst_structure_has_field (s, "num-keypoints"));
    return;
  }
  g_assert_cmpuint (gst_value_array_get_size (array), ==, 3 * N_KEYPOINTS);
  g_assert_cmpuint (gst_value_array_get_size (scores), ==, N_KEYPOINTS);
  g_assert_true (gst_structure_get_int (s, "num-keypoints", &p->num_keypoints));
  for (guint i = 0; i < 3 * N_KEYPOINTS; i++)
    p->keypoints[i] = g_value_get_double (gst_value_array_get_value (array, i));
  for (guint k = 0; k < N_KEYPOINTS; k++) {
    double score = g_value_get_double (gst_value_array_get_value (scores, k));
    double v = p->keypoints[3 * k + 2];

    g_assert_true (v == 0.0 || v == 2.0);
    g_assert_cmpfloat (score, >=, 0.0);
    g_assert_cmpfloat (score, <=, 1.0);
    /* COCO: a keypoint not labelled is 0, 0, 0 */
    if (v == 0.0)
      g_assert_true (p->keypoints[3 * k] == 0.0 && p->keypoints[3 * k + 1] == 0.0);
    visible += v == 2.0;
  }
  g_assert_cmpint (visible, ==, p->num_keypoints);
}

/* Runs vtest.avi up to LAST_FRAME through `elements`; returns, per frame,
 * a GArray of Person. */
static GPtrArray *
detect_vtest (const char *elements, const char *backend)
{
  g_autofree char *launch = g_strdup_printf (
      "filesrc location=" VTEST " ! decodebin ! videoconvert ! %s ! appsink name=sink sync=false",
      elements);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstElement) sink = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  while (frames->len <= LAST_FRAME) {
    g_autoptr (GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    GArray *people = g_array_new (FALSE, FALSE, sizeof (Person));
    gpointer state = NULL;
    GstMeta *meta;

    g_assert_nonnull (sample);
    while ((meta = gst_buffer_iterate_meta_filtered (gst_sample_get_buffer (sample), &state,
                                                     GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
      GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, "detection");
      Person p = { { roi->x, roi->y, roi->w, roi->h }, -1, -1, { 0 } };
      double confidence;

      g_assert_cmpstr (g_quark_to_string (roi->roi_type), ==, "person");
      g_assert_nonnull (s);
      g_assert_true (gst_structure_get_int (s, "track-id", &p.track));
      g_assert_true (gst_structure_get_double (s, "confidence", &confidence));
      g_assert_cmpstr (gst_structure_get_string (s, "backend"), ==, backend);
      g_assert_cmpint (p.track, ==, roi->id);
      read_keypoints (s, &p);
      g_array_append_val (people, p);
    }
    g_ptr_array_add (frames, people);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frames;
}

typedef struct {
  guint labelled, found, false_positive, switches;
} PeopleScore;

static PeopleScore
score_vtest (const char *elements, const char *backend)
{
  g_autofree char *truth_path = g_build_filename (g_getenv ("VA_SOURCE_ROOT"), "tests", "plugins",
                                                  "vtest-persons.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) truth = va_test_boxes_load (truth_path, FALSE, NULL, &error);
  /* The people are 65-110 px tall: enlarge 1.5× so the 64×128 window
   * (96 px person) fits them. */
  g_autoptr (GPtrArray) frames = detect_vtest (elements, backend);
  g_autoptr (GHashTable) track_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint labelled = 0, found = 0, false_positive = 0, switches = 0;

  g_assert_no_error (error);
  for (guint f = 0; f <= LAST_FRAME; f += 10) {
    GArray *people = g_ptr_array_index (frames, f);
    g_autofree gboolean *used = g_new0 (gboolean, MAX (people->len, 1));
    guint matched_or_ignored = 0;

    for (guint i = 0; i < truth->len; i++) {
      const VaTestBox *t = &g_array_index (truth, VaTestBox, i);
      int best = -1;
      double best_iou = 0.5;

      if (t->frame != f)
        continue;
      for (guint k = 0; k < people->len; k++) {
        double iou = va_test_rect_iou (&t->box, &g_array_index (people, Person, k).box);

        if (!used[k] && iou >= best_iou) {
          best = (int)k;
          best_iou = iou;
        }
      }
      if (best >= 0) {
        used[best] = TRUE;
        matched_or_ignored++;
      }
      if (t->ignore)
        continue;
      labelled++;
      if (best >= 0) {
        int track = g_array_index (people, Person, best).track;
        gpointer prev;

        found++;
        if (g_hash_table_lookup_extended (track_of, t->id, NULL, &prev)
            && GPOINTER_TO_INT (prev) != track)
          switches++;
        g_hash_table_insert (track_of, g_strdup (t->id), GINT_TO_POINTER (track));
      }
    }
    false_positive += people->len - matched_or_ignored;
  }
  g_test_message ("%s: %u/%u people found, %u false positives, %u track id switches", elements,
                  found, labelled, false_positive, switches);
  return (PeopleScore){ labelled, found, false_positive, switches };
}

/* Without CenterNet installed (main() points the default models directory
 * at an empty folder) the default is the HOG detector. */
static void
test_vtest_people (void)
{
  PeopleScore s = score_vtest ("vapersondetect downscale=0.67", "opencv-hog");

  g_assert_cmpuint (s.labelled, ==, 19);
  g_assert_cmpuint (s.found, >=, 13);
  g_assert_cmpuint (s.false_positive, <=, 3);
  /* Without tracking (a new id per sample) this would be about 10. */
  g_assert_cmpuint (s.switches, <=, 4);
}

static const char *cli_path;
static const char *test_models_dir;

static void
test_centernet_vtest_people (void)
{
  g_autofree char *elements = NULL;
  PeopleScore s;

  va_test_ensure_model (cli_path, test_models_dir, "centernet");
  elements = g_strdup_printf ("vapersondetect model=centernet pose-model=none models-dir=\"%s\"",
                              test_models_dir);
  s = score_vtest (elements, "centernet");
  g_assert_cmpuint (s.labelled, ==, 19);
  g_assert_cmpuint (s.found, >=, CENTERNET_MIN_FOUND);
  g_assert_cmpuint (s.false_positive, <=, CENTERNET_MAX_FALSE);
  g_assert_cmpuint (s.switches, <=, 4);
}

/* Mean height of the visible keypoints among @first..@last (COCO indices,
 * 0-based); FALSE when none is visible. */
static gboolean
mean_y (const Person *p, guint first, guint last, double *y)
{
  guint n = 0;

  *y = 0.0;
  for (guint k = first; k <= last; k++) {
    if (p->keypoints[3 * k + 2] > 0) {
      *y += p->keypoints[3 * k + 1];
      n++;
    }
  }
  *y /= MAX (n, 1);
  return n > 0;
}

#define NOSE 0
#define LEFT_SHOULDER 5
#define RIGHT_SHOULDER 6
#define LEFT_HIP 11
#define RIGHT_HIP 12
#define LEFT_ANKLE 15
#define RIGHT_ANKLE 16

/* MoveNet on the people CenterNet finds in vtest.avi (10 fps): keypoints on
 * the frames the person files keep (one a second: frames 0, 10, ...) and on
 * no other, inside their box, in the order of an upright pedestrian's body
 * (shoulders above hips, and the nose above them and the ankles below
 * when they are visible). */
static void
test_movenet_vtest_keypoints (void)
{
  g_autofree char *elements = NULL;
  g_autoptr (GPtrArray) frames = NULL;
  guint people = 0, posed = 0, many = 0, checked = 0, upright = 0;

  va_test_ensure_model (cli_path, test_models_dir, "centernet");
  va_test_ensure_model (cli_path, test_models_dir, "movenet");
  elements = g_strdup_printf ("vapersondetect model=centernet pose-model=movenet "
                              "models-dir=\"%s\"",
                              test_models_dir);
  frames = detect_vtest (elements, "centernet");
  for (guint f = 0; f < frames->len; f++) {
    GArray *found = g_ptr_array_index (frames, f);

    for (guint i = 0; i < found->len; i++) {
      const Person *p = &g_array_index (found, Person, i);
      double margin_x = 0.2 * p->box.width, margin_y = 0.2 * p->box.height;
      double nose, shoulders, hips, ankles;

      if (f % 10 != 0) {
        g_assert_cmpint (p->num_keypoints, ==, -1);
        continue;
      }
      g_assert_cmpint (p->num_keypoints, >=, 0);
      people++;
      posed += p->num_keypoints > 0;
      many += p->num_keypoints >= 10;
      for (guint k = 0; k < N_KEYPOINTS; k++) {
        if (p->keypoints[3 * k + 2] == 0)
          continue;
        g_assert_cmpfloat (p->keypoints[3 * k], >=, p->box.x - margin_x);
        g_assert_cmpfloat (p->keypoints[3 * k], <=, p->box.x + p->box.width + margin_x);
        g_assert_cmpfloat (p->keypoints[3 * k + 1], >=, p->box.y - margin_y);
        g_assert_cmpfloat (p->keypoints[3 * k + 1], <=, p->box.y + p->box.height + margin_y);
      }
      if (!mean_y (p, LEFT_SHOULDER, RIGHT_SHOULDER, &shoulders)
          || !mean_y (p, LEFT_HIP, RIGHT_HIP, &hips))
        continue;
      checked++;
      /* the nose and ankles when seen (MoveNet often scores them low) */
      upright += shoulders < hips && (!mean_y (p, NOSE, NOSE, &nose) || nose < shoulders)
                 && (!mean_y (p, LEFT_ANKLE, RIGHT_ANKLE, &ankles) || hips < ankles);
    }
  }
  g_test_message ("%u people on 5 frames: %u with keypoints, %u with 10 or more; %u of %u with "
                  "shoulders and hips in upright order",
                  people, posed, many, upright, checked);
  g_assert_cmpuint (people, >=, CENTERNET_MIN_FOUND);
  g_assert_cmpuint (posed, >=, people * 9 / 10);
  g_assert_cmpuint (many, >=, people * 3 / 4);
  g_assert_cmpuint (checked, >=, people * 3 / 4);
  g_assert_cmpuint (upright, >=, checked * 9 / 10);
}

/* pose-model=auto without MoveNet: people, no keypoints, one warning that
 * says how to install it; asked for by name, the start fails. */
static void
test_movenet_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-person-models-XXXXXX", &error);
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=3 ! vapersondetect model=hog-people models-dir=\"%s\" ! "
      "fakesink",
      dir);
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg;
  guint warnings = 0;

  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* the warnings of the whole run, up to its end */
  while ((msg = gst_bus_timed_pop_filtered (
              bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))
         != NULL) {
    GstMessageType type = GST_MESSAGE_TYPE (msg);

    g_assert_cmpint (type, !=, GST_MESSAGE_ERROR);
    if (type == GST_MESSAGE_WARNING) {
      g_clear_error (&gerror);
      g_clear_pointer (&debug, g_free);
      gst_message_parse_warning (msg, &gerror, &debug);
      g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (debug, "videoannotator models install movenet"));
      warnings++;
    }
    gst_message_unref (msg);
    if (type == GST_MESSAGE_EOS)
      break;
  }
  g_assert_cmpuint (warnings, ==, 1);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_rmdir (dir);
  va_test_assert_model_required ("vapersondetect model=hog-people pose-model=movenet", "movenet");
}

/* Asked for by name and missing: the start fails and says how to install it. */
static void
test_centernet_missing (void)
{
  va_test_assert_model_required ("vapersondetect model=centernet", "centernet");
}

/* model=auto without CenterNet: HOG, with a warning on the bus. */
static void
test_auto_fallback_warns (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-person-models-XXXXXX", &error);
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=1 ! vapersondetect models-dir=\"%s\" ! fakesink", dir);
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg;

  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  g_assert_nonnull (msg);
  gst_message_parse_warning (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (debug, "videoannotator models install centernet"));
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_rmdir (dir);
}

/* Every frame carries the tracked people, not only the analysed ones: the
 * frames between samples (5 per second at 10 fps: every other frame) have
 * boxes too, with the ids of the sample before. */
static int
compare_ints (gconstpointer a, gconstpointer b)
{
  return *(const int *)a - *(const int *)b;
}

static GArray *
sorted_tracks (GArray *people)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint k = 0; k < people->len; k++)
    g_array_append_val (ids, g_array_index (people, Person, k).track);
  g_array_sort (ids, compare_ints);
  return ids;
}

/* Every frame carries the tracked people, not only the analysed ones: the
 * frames between samples (5 per second at 10 fps: every other frame) have
 * the same people, with the same ids, as the sample before. */
static void
test_boxes_between_samples (void)
{
  g_autoptr (GPtrArray) frames = detect_vtest ("vapersondetect downscale=0.67", "opencv-hog");
  guint boxes = 0;

  for (guint f = 1; f <= LAST_FRAME; f += 2) {
    g_autoptr (GArray) before = sorted_tracks (g_ptr_array_index (frames, f - 1));
    g_autoptr (GArray) now = sorted_tracks (g_ptr_array_index (frames, f));

    g_assert_cmpuint (now->len, ==, before->len);
    for (guint k = 0; k < now->len; k++)
      g_assert_cmpint (g_array_index (now, int, k), ==, g_array_index (before, int, k));
    boxes += now->len;
  }
  g_assert_cmpuint (boxes, >, 20);
}

static void
test_blank_frames (void)
{
  GstHarness *h = gst_harness_new_parse ("vapersondetect predictions-per-second=0");
  g_autoptr (VaTestImage) grey = va_test_image_new (320, 240, 128);

  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=320,height=240,framerate=10/1");
  for (int i = 0; i < 5; i++) {
    GstVideoInfo info;
    g_autoptr (GstBuffer) out = NULL;

    g_assert_cmpint (gst_harness_push (h, va_test_image_to_buffer (grey, &info)), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_null (gst_buffer_get_meta (out, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE));
  }
  gst_harness_teardown (h);
}

static void
test_missing_upperbody_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-person-XXXXXX", &error);
  g_autofree char *launch = g_strdup_printf ("videotestsrc num-buffers=1 ! vapersondetect "
                                             "model=haar-upperbody model-dir=\"%s\" ! fakesink",
                                             dir);
  g_autofree char *expected
      = g_build_filename (dir, "haarcascades", "haarcascade_upperbody.xml", NULL);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg;

  g_assert_no_error (error);
  pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), ==,
                   GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (gerror->message, expected));
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_rmdir (dir);
}

/* The upper-body model loads from the Debian files and runs. */
static void
test_upperbody_model_runs (void)
{
  GstHarness *h = gst_harness_new_parse ("vapersondetect model=haar-upperbody");
  g_autoptr (VaTestImage) grey = va_test_image_new (320, 240, 128);
  GstVideoInfo info;
  g_autoptr (GstBuffer) out = NULL;

  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=320,height=240,framerate=10/1");
  g_assert_cmpint (gst_harness_push (h, va_test_image_to_buffer (grey, &info)), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  g_assert_null (gst_buffer_get_meta (out, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE));
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("va-person-data-XXXXXX", &error);
  int ret;

  /* before anything asks GLib for it: the default models directory of
   * the element is empty, whatever the machine has installed */
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_assert (argc == 3);
  cli_path = argv[1];
  test_models_dir = argv[2];

  g_test_add_func ("/vapersondetect/vtest-people", test_vtest_people);
  g_test_add_func ("/vapersondetect/centernet/vtest-people", test_centernet_vtest_people);
  g_test_add_func ("/vapersondetect/centernet/missing", test_centernet_missing);
  g_test_add_func ("/vapersondetect/movenet/vtest-keypoints", test_movenet_vtest_keypoints);
  g_test_add_func ("/vapersondetect/movenet/missing", test_movenet_missing);
  g_test_add_func ("/vapersondetect/auto-fallback-warns", test_auto_fallback_warns);
  g_test_add_func ("/vapersondetect/boxes-between-samples", test_boxes_between_samples);
  g_test_add_func ("/vapersondetect/blank-frames", test_blank_frames);
  g_test_add_func ("/vapersondetect/missing-upperbody-model", test_missing_upperbody_model);
  g_test_add_func ("/vapersondetect/upperbody-model-runs", test_upperbody_model_runs);
  ret = g_test_run ();
  g_rmdir (home);
  return ret;
}
