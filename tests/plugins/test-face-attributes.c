/* vafacedetect's face attributes (emotion, age, gender) on the face photos
 * opencv-doc ships, with the models installed by the real CLI from the npm
 * registry into the build tree; and what happens without them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "va-test-media.h"

#define PHOTOS "/usr/share/doc/opencv-doc/opencv4/html/"

static const char *cli_path;
static const char *test_models_dir;

static void
ensure_models (void)
{
  va_test_ensure_model (cli_path, test_models_dir, "blazeface");
  va_test_ensure_model (cli_path, test_models_dir, "emotion");
  va_test_ensure_model (cli_path, test_models_dir, "age-gender");
}

/* Runs @launch on one frame of @photo, watching the bus; returns the
 * "detection" structure of the most confident face (the test fails without
 * one; not the largest: 12.jpg also shows two edge maps of the photo, which
 * BlazeFace finds as faces a little larger than the photo's own)
 * and the first warning posted, if any. */
static double
confidence_of (GstVideoRegionOfInterestMeta *roi)
{
  double confidence = 0.0;

  g_assert_true (gst_structure_get_double (
      gst_video_region_of_interest_meta_get_param (roi, "detection"), "confidence", &confidence));
  return confidence;
}

static GstStructure *
surest_face (const char *launch, const char *photo, GstMessage **warning)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (PHOTOS, photo, NULL);
  g_autoptr (VaTestImage) img = va_test_image_load (path, &error);
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstBuffer) out = NULL;
  GstHarness *h = gst_harness_new_parse (launch);
  GstVideoRegionOfInterestMeta *roi, *best = NULL;
  gpointer state = NULL;
  GstVideoInfo info;
  GstBuffer *in;
  GstStructure *detection;
  g_autofree char *caps = NULL;

  g_assert_no_error (error);
  /* the harness started the element already: start it again, watched */
  gst_element_set_bus (h->element, bus);
  gst_element_set_state (h->element, GST_STATE_NULL);
  gst_harness_play (h);
  in = va_test_image_to_buffer (img, &info);
  caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d,framerate=10/1", img->width,
                          img->height);
  gst_harness_set_src_caps_str (h, caps);
  GST_BUFFER_PTS (in) = 0;
  g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  while ((roi = (GstVideoRegionOfInterestMeta *)gst_buffer_iterate_meta_filtered (
              out, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))
         != NULL)
    if (best == NULL || confidence_of (roi) > confidence_of (best))
      best = roi;
  g_assert_nonnull (best);
  detection = gst_structure_copy (gst_video_region_of_interest_meta_get_param (best, "detection"));
  *warning = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  {
    g_autofree char *text = gst_structure_to_string (detection);
    g_test_message ("%s: %s", photo, text);
  }
  return detection;
}

/* The two likeliest emotions, from `emotion-scores`, which must be seven
 * probabilities that add up to 1 with `emotion` the first. */
static void
top_two_emotions (const GstStructure *s, guint *first, guint *second)
{
  static const char *const names[]
      = { "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral" };
  const GValue *scores = gst_structure_get_value (s, "emotion-scores");
  double p[G_N_ELEMENTS (names)], sum = 0.0, confidence = 0.0;

  g_assert_nonnull (scores);
  g_assert_true (GST_VALUE_HOLDS_ARRAY (scores));
  g_assert_cmpuint (gst_value_array_get_size (scores), ==, G_N_ELEMENTS (names));
  *first = *second = G_MAXUINT;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    p[i] = g_value_get_double (gst_value_array_get_value (scores, i));
    g_assert_cmpfloat (p[i], >=, 0.0);
    sum += p[i];
    if (*first == G_MAXUINT || p[i] > p[*first]) {
      *second = *first;
      *first = i;
    } else if (*second == G_MAXUINT || p[i] > p[*second]) {
      *second = i;
    }
  }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-3);
  g_assert_cmpstr (gst_structure_get_string (s, "emotion"), ==, names[*first]);
  g_assert_true (gst_structure_get_double (s, "emotion-confidence", &confidence));
  g_assert_cmpfloat_with_epsilon (confidence, p[*first], 1e-6);
}

#define HAPPY 3

static void
check_photo (const char *photo, gboolean smiling, const char *gender, double min_age,
             double max_age)
{
  g_autofree char *launch = g_strdup_printf ("vafacedetect models-dir=\"%s\"", test_models_dir);
  GstMessage *warning = NULL;
  GstStructure *s = surest_face (launch, photo, &warning);
  guint first, second;
  double age = 0.0, confidence = 0.0;

  g_assert_null (warning);
  top_two_emotions (s, &first, &second);
  if (smiling)
    g_assert_true (first == HAPPY || second == HAPPY);
  else
    g_assert_cmpuint (first, !=, HAPPY);
  g_assert_true (gst_structure_get_double (s, "age", &age));
  g_assert_cmpfloat (age, >=, min_age);
  g_assert_cmpfloat (age, <=, max_age);
  g_assert_cmpstr (gst_structure_get_string (s, "gender"), ==, gender);
  g_assert_true (gst_structure_get_double (s, "gender-confidence", &confidence));
  g_assert_cmpfloat (confidence, >=, 0.5);
  g_assert_cmpfloat (confidence, <=, 1.0);
  gst_structure_free (s);
}

/* A smiling young man, a man with a straight face, a young woman looking
 * down and Lena (blurred.png's right half): the smile is among the two
 * likeliest emotions only where there is one, and the genders are right. */
static void
test_photos (void)
{
  ensure_models ();
  check_photo ("227943776_1.jpg", TRUE, "Man", 15, 45);
  check_photo ("230501201_1.jpg", FALSE, "Man", 18, 50);
  check_photo ("12.jpg", FALSE, "Woman", 15, 45);
}

/* attributes=emotion: no age or gender, and the age-gender model is not
 * even needed. */
static void
test_emotion_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-attr-models-XXXXXX", &error);
  g_autofree char *launch = NULL;
  GstMessage *warning = NULL;
  GstStructure *s;
  guint first, second;

  g_assert_no_error (error);
  ensure_models ();
  /* only blazeface and emotion in this models directory */
  for (guint i = 0; i < 2; i++) {
    const char *name = i == 0 ? "blazeface" : "emotion";
    g_autofree char *target = g_build_filename (test_models_dir, name, NULL);
    g_autofree char *link = g_build_filename (dir, name, NULL);

    g_assert_cmpint (symlink (target, link), ==, 0);
  }
  launch = g_strdup_printf ("vafacedetect attributes=emotion models-dir=\"%s\"", dir);
  s = surest_face (launch, "227943776_1.jpg", &warning);
  g_assert_null (warning);
  top_two_emotions (s, &first, &second);
  g_assert_false (gst_structure_has_field (s, "age"));
  g_assert_false (gst_structure_has_field (s, "gender"));
  gst_structure_free (s);
  for (guint i = 0; i < 2; i++) {
    g_autofree char *link = g_build_filename (dir, i == 0 ? "blazeface" : "emotion", NULL);
    g_unlink (link);
  }
  g_rmdir (dir);
}

/* Without the models (an empty models directory): the faces are still
 * found (by the Haar fallback), with warnings that say how to install the
 * models, and no attribute field at all; with attributes=0, no attribute
 * warning. */
static void
test_missing_models (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-attr-models-XXXXXX", &error);
  const char *fields[]
      = { "emotion", "emotion-scores", "emotion-confidence", "age", "gender", "gender-confidence" };

  g_assert_no_error (error);
  for (guint k = 0; k < 2; k++) {
    g_autofree char *launch = g_strdup_printf (
        "vafacedetect model=haar-frontalface-alt attributes=%s models-dir=\"%s\"",
        k == 0 ? "emotion+age+gender" : "0", dir);
    GstMessage *warning = NULL;
    GstStructure *s = surest_face (launch, "227943776_1.jpg", &warning);

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      g_assert_false (gst_structure_has_field (s, fields[i]));
    if (k == 0) {
      g_autoptr (GError) gerror = NULL;
      g_autofree char *debug = NULL;

      g_assert_nonnull (warning);
      gst_message_parse_warning (warning, &gerror, &debug);
      g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (debug, "videoannotator models install emotion"));
      gst_message_unref (warning);
    } else {
      g_assert_null (warning);
    }
    gst_structure_free (s);
  }
  g_rmdir (dir);
}

/* An installed model file that is not a model: the start fails with a
 * resource error naming it. */
static void
test_corrupt_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-attr-models-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "emotion", NULL);
  g_autofree char *file = g_build_filename (sub, "emotion_64x64.onnx", NULL);
  g_autofree char *launch = g_strdup_printf ("videotestsrc num-buffers=1 ! vafacedetect "
                                             "model=haar-frontalface-alt attributes=emotion "
                                             "models-dir=\"%s\" ! fakesink",
                                             dir);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_file_set_contents (file, "not a model", -1, &error);
  g_assert_no_error (error);
  pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), ==,
                   GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ);
  g_assert_nonnull (strstr (gerror->message, file));
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("va-attr-data-XXXXXX", &error);
  int ret;

  /* the element's default models directory is empty, whatever the machine
   * has installed */
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_assert (argc == 3);
  cli_path = argv[1];
  test_models_dir = argv[2];

  g_test_add_func ("/vafacedetect/attributes/photos", test_photos);
  g_test_add_func ("/vafacedetect/attributes/emotion-only", test_emotion_only);
  g_test_add_func ("/vafacedetect/attributes/missing-models", test_missing_models);
  g_test_add_func ("/vafacedetect/attributes/corrupt-model", test_corrupt_model);
  ret = g_test_run ();
  g_rmdir (home);
  return ret;
}
