/* vafacedetect on frames built from the face photos opencv-doc ships: the
 * faces are pasted, moved and scaled over other photos, so every frame has
 * a known face box.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "va-test-media.h"

#define WIDTH 640
#define HEIGHT 360
#define FPS 10

typedef struct {
  guint frames_with_faces;
  guint faces;
  guint found;          /* truth boxes matched by a face meta, IoU >= 0.5 */
  guint false_positive; /* face metas matching no truth box */
  guint id_switches;    /* a truth face matched by a different track id than before */
  GHashTable *track_of; /* truth identity -> first track id seen */
  GHashTable *ids_seen; /* every track id ever reported */
} Score;

static void
score_init (Score *score)
{
  memset (score, 0, sizeof *score);
  score->track_of = g_hash_table_new (NULL, NULL);
  score->ids_seen = g_hash_table_new (NULL, NULL);
}

static void
score_clear (Score *score)
{
  g_clear_pointer (&score->track_of, g_hash_table_unref);
  g_clear_pointer (&score->ids_seen, g_hash_table_unref);
}

static guint
collect_faces (GstBuffer *buf, VaTestRect *boxes, int *track_ids, guint max)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
                                                   GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
    GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, "detection");
    double confidence = -1;
    int track_id = -1;

    g_assert_cmpstr (g_quark_to_string (roi->roi_type), ==, "face");
    g_assert_nonnull (s);
    g_assert_true (gst_structure_get_double (s, "confidence", &confidence));
    g_assert_true (gst_structure_get_int (s, "track-id", &track_id));
    g_assert_cmpfloat (confidence, >, 0.0);
    g_assert_cmpfloat (confidence, <=, 1.0);
    g_assert_cmpint (track_id, >, 0);
    g_assert_cmpint (roi->id, ==, track_id);
    g_assert_cmpuint (roi->x + roi->w, <=, WIDTH);
    g_assert_cmpuint (roi->y + roi->h, <=, HEIGHT);
    g_assert_cmpuint (n, <, max);
    boxes[n] = (VaTestRect){ roi->x, roi->y, roi->w, roi->h };
    track_ids[n] = track_id;
    n++;
  }
  return n;
}

static void
score_frame (Score *score, GstBuffer *buf, const VaTestRect *truth, const guint *ids, guint n_truth)
{
  VaTestRect boxes[16];
  int track_ids[16];
  gboolean used[16] = { FALSE };
  guint n = collect_faces (buf, boxes, track_ids, G_N_ELEMENTS (boxes));
  guint matched = 0;

  if (n_truth > 0)
    score->frames_with_faces++;
  score->faces += n_truth;
  for (guint i = 0; i < n; i++)
    g_hash_table_add (score->ids_seen, GINT_TO_POINTER (track_ids[i]));
  for (guint t = 0; t < n_truth; t++) {
    int best = -1;
    double best_iou = 0.5;

    for (guint i = 0; i < n; i++) {
      double iou = va_test_rect_iou (&truth[t], &boxes[i]);

      if (!used[i] && iou >= best_iou) {
        best = (int)i;
        best_iou = iou;
      }
    }
    if (best >= 0) {
      gpointer first;

      used[best] = TRUE;
      matched++;
      score->found++;
      if (g_hash_table_lookup_extended (score->track_of, GUINT_TO_POINTER (ids[t] + 1), NULL,
                                        &first)) {
        if (GPOINTER_TO_INT (first) != track_ids[best])
          score->id_switches++;
      } else {
        g_hash_table_insert (score->track_of, GUINT_TO_POINTER (ids[t] + 1),
                             GINT_TO_POINTER (track_ids[best]));
      }
    }
  }
  score->false_positive += n - matched;
}

static GstHarness *
new_harness (const char *launch)
{
  GstHarness *h = gst_harness_new_parse (launch);

  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=640,height=360,framerate=10/1");
  return h;
}

/* Pushes the whole video through the harness and scores every frame. */
static void
run_video (GstHarness *h, VaFaceVideo *video, Score *score)
{
  for (guint i = 0; i < va_face_video_get_n_frames (video); i++) {
    VaTestRect truth[VA_FACE_SHOT_MAX_FACES];
    guint ids[VA_FACE_SHOT_MAX_FACES];
    VaTestImage *img;
    guint n_truth = va_face_video_render (video, i, &img, truth, ids);
    GstVideoInfo info;
    GstBuffer *in = va_test_image_to_buffer (img, &info);
    g_autoptr (GstBuffer) out = NULL;

    GST_BUFFER_PTS (in) = gst_util_uint64_scale (i, GST_SECOND, FPS);
    GST_BUFFER_DURATION (in) = GST_SECOND / FPS;
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_nonnull (out);
    score_frame (score, out, truth, ids, n_truth);
  }
}

/* Two shots: a face crossing the frame while growing, then another face on
 * another background, drifting. */
static const VaFaceShot moving_shots[] = {
  { 0, 40, 1, { { 0, 0.05, 0.15, 0.55, 0.85, 0.05, 0.75 } } },
  { 1, 30, 1, { { 1, 0.60, 0.00, 0.85, 0.40, 0.05, 0.80 } } },
};

static void
check_moving_faces (const char *launch, double min_recall)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaFaceVideo) video
      = va_face_video_new (WIDTH, HEIGHT, moving_shots, G_N_ELEMENTS (moving_shots), &error);
  GstHarness *h;
  Score score;

  g_assert_no_error (error);
  score_init (&score);
  h = new_harness (launch);
  run_video (h, video, &score);
  gst_harness_teardown (h);

  g_test_message ("%s: %u/%u faces found, %u false positives, %u id switches, %u track ids", launch,
                  score.found, score.faces, score.false_positive, score.id_switches,
                  g_hash_table_size (score.ids_seen));
  g_assert_cmpuint (score.faces, ==, 70);
  g_assert_cmpfloat ((double)score.found / score.faces, >=, min_recall);
  g_assert_cmpuint (score.false_positive, <=, score.faces / 20);
  /* One track per face: no switch while a face moves, and the second face
   * (another person after a cut) gets a new id. */
  g_assert_cmpuint (score.id_switches, ==, 0);
  g_assert_cmpuint (g_hash_table_size (score.track_of), ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (score.track_of, GUINT_TO_POINTER (1))), !=,
                   GPOINTER_TO_INT (g_hash_table_lookup (score.track_of, GUINT_TO_POINTER (11))));
  score_clear (&score);
}

/* Without BlazeFace installed (main() points the default models directory
 * at an empty folder) the default falls back to haar-frontalface-alt. */
static void
test_moving_faces_default (void)
{
  check_moving_faces ("vafacedetect", 0.95);
}

static void
test_moving_faces_lbp (void)
{
  check_moving_faces ("vafacedetect model=lbp-frontalface-improved", 0.95);
}

static void
test_moving_faces_haar_default (void)
{
  check_moving_faces ("vafacedetect model=haar-frontalface-default", 0.95);
}

/* Sampling off: the cascade runs on every frame over the whole frame. */
static void
test_moving_faces_every_frame (void)
{
  check_moving_faces ("vafacedetect predictions-per-second=0 rescan-interval=0", 0.95);
}

/* Packed YUV and RGB input are reduced to luma by the element itself. */
static void
test_moving_faces_packed_yuv (void)
{
  check_moving_faces ("videoconvert ! video/x-raw,format=YUY2 ! vafacedetect", 0.95);
}

static void
test_moving_faces_rgb (void)
{
  check_moving_faces ("videoconvert ! video/x-raw,format=BGRx ! vafacedetect", 0.95);
}

static void
test_blank_frames (void)
{
  static const VaFaceShot blank[] = { { -1, 12, 0, { { 0 } } } };
  static const VaFaceShot background_only[] = { { 3, 12, 0, { { 0 } } } };
  const VaFaceShot *scripts[] = { blank, background_only };
  for (guint k = 0; k < G_N_ELEMENTS (scripts); k++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaFaceVideo) video = va_face_video_new (WIDTH, HEIGHT, scripts[k], 1, &error);
    GstHarness *h;
    Score score;

    g_assert_no_error (error);
    score_init (&score);
    h = new_harness ("vafacedetect predictions-per-second=0");
    run_video (h, video, &score);
    gst_harness_teardown (h);
    g_assert_cmpuint (score.faces, ==, 0);
    g_assert_cmpuint (score.false_positive, ==, 0);
    score_clear (&score);
  }
}

/* With interval=N the cascade runs on frames 0, N, 2N...: messages come
 * from those frames only, and carry the documented fields. */
static void
test_messages (void)
{
  static const VaFaceShot still[] = { { 2, 9, 1, { { 3, 0.4, 0.1, 0.7, 0.4, 0.1, 0.7 } } } };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaFaceVideo) video = va_face_video_new (WIDTH, HEIGHT, still, 1, &error);
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstHarness *h;
  Score score;
  GstMessage *msg;
  guint64 expected_frame = 0;
  guint n_messages = 0;

  g_assert_no_error (error);
  score_init (&score);
  h = new_harness ("vafacedetect interval=4 post-messages=true");
  gst_element_set_bus (h->element, bus);
  run_video (h, video, &score);

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    const GValue *detections;
    const GstStructure *face;
    guint64 frame_number, timestamp;
    gboolean full_scan;
    int x, y, w, hgt, track_id;
    double confidence;
    VaTestRect truth[VA_FACE_SHOT_MAX_FACES], box;
    guint ids[VA_FACE_SHOT_MAX_FACES];

    g_assert_true (gst_structure_has_name (s, "vafacedetect"));
    g_assert_true (gst_structure_get_uint64 (s, "frame-number", &frame_number));
    g_assert_true (gst_structure_get_uint64 (s, "timestamp", &timestamp));
    g_assert_true (gst_structure_get_boolean (s, "full-scan", &full_scan));
    g_assert_true (gst_structure_has_field_typed (s, "stream-time", G_TYPE_UINT64));
    g_assert_true (gst_structure_has_field_typed (s, "running-time", G_TYPE_UINT64));
    g_assert_true (gst_structure_has_field_typed (s, "duration", G_TYPE_UINT64));
    g_assert_cmpuint (frame_number, ==, expected_frame);
    g_assert_cmpuint (timestamp, ==, gst_util_uint64_scale (frame_number, GST_SECOND, FPS));
    /* Frame 0 is a full scan; rescan-interval is 1 s = 10 frames. */
    g_assert_cmpint (full_scan, ==, frame_number == 0);
    detections = gst_structure_get_value (s, "detections");
    g_assert_true (GST_VALUE_HOLDS_LIST (detections));
    g_assert_cmpuint (gst_value_list_get_size (detections), ==, 1);
    face = gst_value_get_structure (gst_value_list_get_value (detections, 0));
    g_assert_true (gst_structure_has_name (face, "face"));
    g_assert_true (gst_structure_get (face, "x", G_TYPE_INT, &x, "y", G_TYPE_INT, &y, "width",
                                      G_TYPE_INT, &w, "height", G_TYPE_INT, &hgt, "track-id",
                                      G_TYPE_INT, &track_id, "confidence", G_TYPE_DOUBLE,
                                      &confidence, NULL));
    va_face_video_truth (video, (guint)frame_number, truth, ids);
    box = (VaTestRect){ x, y, w, hgt };
    g_assert_cmpfloat (va_test_rect_iou (&box, &truth[0]), >=, 0.5);
    g_assert_cmpint (track_id, ==, 1);
    expected_frame += 4;
    n_messages++;
    gst_message_unref (msg);
  }
  g_assert_cmpuint (n_messages, ==, 3);
  /* Frames in between still carry the (predicted) face. */
  g_assert_cmpuint (score.found, ==, 9);
  gst_harness_teardown (h);
  score_clear (&score);
}

static GstMessage *
start_with_model_dir (const char *dir, GstStateChangeReturn *ret)
{
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=1 ! vafacedetect model-dir=\"%s\" ! fakesink", dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstBus) bus = NULL;
  GstMessage *msg;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  *ret = gst_element_set_state (pipeline, GST_STATE_PAUSED);
  if (*ret == GST_STATE_CHANGE_ASYNC)
    *ret = gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return msg;
}

static void
test_missing_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-face-XXXXXX", &error);
  g_autofree char *expected = NULL;
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstStateChangeReturn ret;
  GstMessage *msg;

  g_assert_no_error (error);
  msg = start_with_model_dir (dir, &ret);
  g_assert_cmpint (ret, ==, GST_STATE_CHANGE_FAILURE);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  expected = g_build_filename (dir, "haarcascades", "haarcascade_frontalface_alt.xml", NULL);
  g_assert_nonnull (strstr (gerror->message, expected));
  gst_message_unref (msg);
  g_rmdir (dir);
}

static void
test_corrupt_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-face-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "haarcascades", NULL);
  g_autofree char *file = g_build_filename (sub, "haarcascade_frontalface_alt.xml", NULL);
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstStateChangeReturn ret;
  GstMessage *msg;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_file_set_contents (file, "<?xml version=\"1.0\"?>\n<opencv_storage>\n</opencv_storage>\n", -1,
                       &error);
  g_assert_no_error (error);
  msg = start_with_model_dir (dir, &ret);
  g_assert_cmpint (ret, ==, GST_STATE_CHANGE_FAILURE);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ);
  g_assert_nonnull (strstr (gerror->message, file));
  gst_message_unref (msg);
  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* BlazeFace: the models directory comes from the command line (meson passes
 * one in the build tree); the model is installed there by the real CLI from
 * the npm registry when it is not there yet. */
static const char *cli_path;
static const char *test_models_dir;

static void
ensure_blazeface (void)
{
  va_test_ensure_model (cli_path, test_models_dir, "blazeface");
}

static char *
blazeface_launch (const char *extra)
{
  ensure_blazeface ();
  return g_strdup_printf ("vafacedetect model=blazeface models-dir=\"%s\" %s", test_models_dir,
                          extra);
}

static void
test_blazeface_moving_faces (void)
{
  g_autofree char *launch = blazeface_launch ("");
  check_moving_faces (launch, 0.95);
}

static void
test_blazeface_every_frame (void)
{
  g_autofree char *launch = blazeface_launch ("predictions-per-second=0 rescan-interval=0");
  check_moving_faces (launch, 0.95);
}

/* Face-free frames: the flat grey frame and every background photo. */
static void
test_blazeface_no_faces (void)
{
  g_autofree char *launch = blazeface_launch ("predictions-per-second=0");

  for (int bg = -1; bg < 4; bg++) {
    VaFaceShot shot = { bg, 6, 0, { { 0 } } };
    g_autoptr (GError) error = NULL;
    g_autoptr (VaFaceVideo) video = va_face_video_new (WIDTH, HEIGHT, &shot, 1, &error);
    GstHarness *h;
    Score score;

    g_assert_no_error (error);
    score_init (&score);
    h = new_harness (launch);
    run_video (h, video, &score);
    gst_harness_teardown (h);
    g_test_message ("background %d: %u false faces", bg, score.false_positive);
    g_assert_cmpuint (score.false_positive, ==, 0);
    score_clear (&score);
  }
}

/* One face of FACE_PX pixels (a photo scaled down; 40 px is still found
 * without tiles on this sharp frontal photo) in a corner of an
 * otherwise empty 1280 × 720 frame: letterboxed whole into BlazeFace's
 * 256 × 256 input it shrinks below what the model finds; the tiles of the
 * whole-frame searches keep it large enough. Returns the frames (of
 * n_frames, every one searched whole) with a face box centred on it, and
 * adds the boxes elsewhere to @false_boxes. */
#define BIG_W 1280
#define BIG_H 720
#define FACE_PX 32.0

static guint
small_face_frames (const char *extra, guint n_frames, guint *false_boxes)
{
  guint n_photos;
  const VaFacePhoto *photo = &va_face_photos (&n_photos)[0];
  g_autofree char *settings
      = g_strdup_printf ("predictions-per-second=0 rescan-interval=0 %s", extra);
  g_autofree char *launch = blazeface_launch (settings);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestImage) src = va_test_image_load (photo->path, &error);
  g_autoptr (VaTestImage) frame = va_test_image_new (BIG_W, BIG_H, 16);
  double scale = FACE_PX / photo->face.height;
  VaTestRect at = { 150, 120, photo->crop.width * scale, photo->crop.height * scale };
  VaTestRect face = { at.x + (photo->face.x - photo->crop.x) * scale,
                      at.y + (photo->face.y - photo->crop.y) * scale, photo->face.width * scale,
                      photo->face.height * scale };
  g_autofree char *caps
      = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d,framerate=10/1", BIG_W, BIG_H);
  GstHarness *h = gst_harness_new_parse (launch);
  guint found = 0;

  g_assert_no_error (error);
  va_test_image_draw (frame, src, &photo->crop, &at);
  gst_harness_set_src_caps_str (h, caps);
  for (guint i = 0; i < n_frames; i++) {
    GstVideoInfo info;
    GstBuffer *in = va_test_image_to_buffer (frame, &info);
    g_autoptr (GstBuffer) out = NULL;
    GstVideoRegionOfInterestMeta *roi;
    gpointer state = NULL;
    gboolean hit = FALSE;

    GST_BUFFER_PTS (in) = i * GST_SECOND / 10;
    GST_BUFFER_DURATION (in) = GST_SECOND / 10;
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    while ((roi = (GstVideoRegionOfInterestMeta *)gst_buffer_iterate_meta_filtered (
                out, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))
           != NULL) {
      VaTestRect box = { roi->x, roi->y, roi->w, roi->h };

      if (va_test_rect_iou (&box, &face) >= 0.3)
        hit = TRUE;
      else
        (*false_boxes)++;
    }
    found += hit;
  }
  gst_harness_teardown (h);
  return found;
}

static void
test_blazeface_small_face (void)
{
  guint false_without = 0, false_with = 0;
  guint without = small_face_frames ("tiles=0", 5, &false_without);
  guint with = small_face_frames ("", 5, &false_with);

  g_test_message ("a %.0f px face in 1280x720: found on %u/5 frames without tiles, %u/5 with "
                  "(false boxes %u, %u)",
                  FACE_PX, without, with, false_without, false_with);
  g_assert_cmpuint (without, ==, 0);
  g_assert_cmpuint (with, ==, 5);
  g_assert_cmpuint (false_with, ==, 0);
}

/* The backend written with every face says which model found it. */
static const char *
first_backend (GstHarness *h, VaFaceVideo *video)
{
  for (guint i = 0; i < va_face_video_get_n_frames (video); i++) {
    VaTestRect truth[VA_FACE_SHOT_MAX_FACES];
    guint ids[VA_FACE_SHOT_MAX_FACES];
    VaTestImage *img;
    GstVideoInfo info;
    GstBuffer *in;
    g_autoptr (GstBuffer) out = NULL;
    GstVideoRegionOfInterestMeta *roi;
    gpointer state = NULL;

    va_face_video_render (video, i, &img, truth, ids);
    in = va_test_image_to_buffer (img, &info);
    GST_BUFFER_PTS (in) = gst_util_uint64_scale (i, GST_SECOND, FPS);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    roi = (GstVideoRegionOfInterestMeta *)gst_buffer_iterate_meta_filtered (
        out, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE);
    if (roi != NULL)
      return g_intern_string (gst_structure_get_string (
          gst_video_region_of_interest_meta_get_param (roi, "detection"), "backend"));
  }
  return NULL;
}

/* model=auto with BlazeFace installed uses it; without, the Haar cascade
 * with a warning on the bus that says how to install the model. */
static void
test_blazeface_auto_and_fallback (void)
{
  static const VaFaceShot still[] = { { 2, 5, 1, { { 3, 0.4, 0.1, 0.7, 0.4, 0.1, 0.7 } } } };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaFaceVideo) video = va_face_video_new (WIDTH, HEIGHT, still, 1, &error);
  g_autofree char *empty = g_dir_make_tmp ("va-face-models-XXXXXX", &error);
  const char *dirs[] = { test_models_dir, empty };

  g_assert_no_error (error);
  ensure_blazeface ();
  /* the face attribute models too: with every default model installed,
   * no warning */
  va_test_ensure_model (cli_path, test_models_dir, "emotion");
  va_test_ensure_model (cli_path, test_models_dir, "age-gender");
  for (guint k = 0; k < G_N_ELEMENTS (dirs); k++) {
    g_autofree char *launch = g_strdup_printf ("vafacedetect models-dir=\"%s\"", dirs[k]);
    g_autoptr (GstBus) bus = gst_bus_new ();
    GstHarness *h = gst_harness_new_parse (launch);
    GstMessage *warning;

    /* the harness started the element already: start it again, watched */
    gst_element_set_bus (h->element, bus);
    gst_element_set_state (h->element, GST_STATE_NULL);
    gst_harness_play (h);
    gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=640,height=360,"
                                     "framerate=10/1");
    g_assert_cmpstr (first_backend (h, video), ==, k == 0 ? "blazeface" : "opencv-haar");
    warning = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    if (k == 0) {
      g_assert_null (warning);
    } else {
      g_autoptr (GError) gerror = NULL;
      g_autofree char *debug = NULL;

      g_assert_nonnull (warning);
      gst_message_parse_warning (warning, &gerror, &debug);
      g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (gerror->message, "BlazeFace"));
      g_assert_nonnull (strstr (debug, "videoannotator models install blazeface"));
      gst_message_unref (warning);
    }
    gst_element_set_bus (h->element, NULL);
    gst_harness_teardown (h);
  }
  g_rmdir (empty);
}

/* Asked for by name and missing: the start fails and says how to install it. */
static void
test_blazeface_missing (void)
{
  va_test_assert_model_required ("vafacedetect model=blazeface", "blazeface");
}

/* A file that is not an ONNX model: a resource error, not a crash. */
static void
test_blazeface_corrupt (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-face-models-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "blazeface", NULL);
  g_autofree char *file = g_build_filename (sub, "face_detection_back_256x256.onnx", NULL);
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=1 ! vafacedetect model=blazeface models-dir=\"%s\" ! fakesink",
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
  g_autofree char *home = g_dir_make_tmp ("va-face-data-XXXXXX", &error);
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

  g_test_add_func ("/vafacedetect/moving-faces/default", test_moving_faces_default);
  g_test_add_func ("/vafacedetect/moving-faces/lbp", test_moving_faces_lbp);
  g_test_add_func ("/vafacedetect/moving-faces/haar-default", test_moving_faces_haar_default);
  g_test_add_func ("/vafacedetect/moving-faces/every-frame", test_moving_faces_every_frame);
  g_test_add_func ("/vafacedetect/moving-faces/yuy2", test_moving_faces_packed_yuv);
  g_test_add_func ("/vafacedetect/moving-faces/bgrx", test_moving_faces_rgb);
  g_test_add_func ("/vafacedetect/blank-frames", test_blank_frames);
  g_test_add_func ("/vafacedetect/messages", test_messages);
  g_test_add_func ("/vafacedetect/missing-model", test_missing_model);
  g_test_add_func ("/vafacedetect/corrupt-model", test_corrupt_model);
  g_test_add_func ("/vafacedetect/blazeface/moving-faces", test_blazeface_moving_faces);
  g_test_add_func ("/vafacedetect/blazeface/every-frame", test_blazeface_every_frame);
  g_test_add_func ("/vafacedetect/blazeface/no-faces", test_blazeface_no_faces);
  g_test_add_func ("/vafacedetect/blazeface/small-face", test_blazeface_small_face);
  g_test_add_func ("/vafacedetect/blazeface/auto-and-fallback", test_blazeface_auto_and_fallback);
  g_test_add_func ("/vafacedetect/blazeface/missing", test_blazeface_missing);
  g_test_add_func ("/vafacedetect/blazeface/corrupt", test_blazeface_corrupt);
  ret = g_test_run ();
  g_rmdir (home);
  return ret;
}
