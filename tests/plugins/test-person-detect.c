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

typedef struct {
  VaTestRect box;
  int track;
} Person;

/* Runs vtest.avi up to LAST_FRAME through `elements`; returns, per frame,
 * a GArray of Person. */
static GPtrArray *
detect_vtest (const char *elements)
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
      Person p = { { roi->x, roi->y, roi->w, roi->h }, -1 };
      double confidence;

      g_assert_cmpstr (g_quark_to_string (roi->roi_type), ==, "person");
      g_assert_nonnull (s);
      g_assert_true (gst_structure_get_int (s, "track-id", &p.track));
      g_assert_true (gst_structure_get_double (s, "confidence", &confidence));
      g_assert_cmpstr (gst_structure_get_string (s, "backend"), ==, "opencv-hog");
      g_assert_cmpint (p.track, ==, roi->id);
      g_array_append_val (people, p);
    }
    g_ptr_array_add (frames, people);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frames;
}

static void
test_vtest_people (void)
{
  g_autofree char *truth_path = g_build_filename (g_getenv ("VA_SOURCE_ROOT"), "tests", "plugins",
                                                  "vtest-persons.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) truth = va_test_boxes_load (truth_path, FALSE, NULL, &error);
  /* The people are 65-110 px tall: enlarge 1.5× so the 64×128 window
   * (96 px person) fits them. */
  g_autoptr (GPtrArray) frames = detect_vtest ("vapersondetect downscale=0.67");
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
  g_test_message ("%u/%u people found, %u false positives, %u track id switches", found, labelled,
                  false_positive, switches);
  g_assert_cmpuint (labelled, ==, 19);
  g_assert_cmpuint (found, >=, 13);
  g_assert_cmpuint (false_positive, <=, 3);
  /* Without tracking (a new id per sample) this would be about 10. */
  g_assert_cmpuint (switches, <=, 4);
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
  g_autoptr (GPtrArray) frames = detect_vtest ("vapersondetect downscale=0.67");
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
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/vapersondetect/vtest-people", test_vtest_people);
  g_test_add_func ("/vapersondetect/boxes-between-samples", test_boxes_between_samples);
  g_test_add_func ("/vapersondetect/blank-frames", test_blank_frames);
  g_test_add_func ("/vapersondetect/missing-upperbody-model", test_missing_upperbody_model);
  g_test_add_func ("/vapersondetect/upperbody-model-runs", test_upperbody_model_runs);
  return g_test_run ();
}
