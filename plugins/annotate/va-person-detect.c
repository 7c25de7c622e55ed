/**
 * SECTION:element-vapersondetect
 * @title: vapersondetect
 *
 * Finds people with OpenCV's HOG people detector (or, as an option, the Haar
 * upper-body cascade from opencv-data) and tracks them: each person keeps a
 * track id across frames, also across the frames skipped by `interval` /
 * `predictions-per-second` and short misses (`max-missed`).
 *
 * Every frame gets one GstVideoRegionOfInterestMeta per person, with
 * roi_type "person", `id` = the track id and a parameter structure named
 * "detection":
 *
 * * `confidence` (double, 0..1): the SVM margin (HOG) or the number of merged
 *   detections (cascade) mapped to 0..1; not a calibrated probability
 * * `track-id` (int): stable while the person is tracked; never reused
 * * `backend` (string): "opencv-hog" or "opencv-haar"
 *
 * HOG boxes cover the whole person (the detector window without the margin
 * the model was trained with); upper-body boxes cover head and shoulders.
 * The HOG window is 64×128 pixels of the searched (downscaled) frame, so
 * people shorter than about 96 × `downscale` pixels are not found; set
 * `downscale` below 1 for small people (slower).
 *
 * Body keypoints (`pose-model`, MoveNet Lightning when installed): on the
 * frames the person files keep (`keypoints-per-second`, one a second by
 * default, the same frames as vaannotationsink's `person-rate`), each
 * person's box is cropped and its 17 COCO keypoints estimated; the
 * "detection" structure then also has `keypoints` (GstValueArray of 51
 * doubles: x, y in frame pixels and v per keypoint, COCO's order and
 * conventions: v = 2 for a score of at least `keypoint-threshold`,
 * otherwise 0 with x = y = 0), `num-keypoints` (int, the visible ones) and
 * `keypoint-scores` (GstValueArray of 17 doubles, 0..1). Without MoveNet
 * (`pose-model=auto`) no structure has them, and the element warns once
 * when it starts.
 *
 * With `post-messages`, each analysed frame posts an element message named
 * "vapersondetect" with fields `timestamp`, `stream-time`, `running-time`,
 * `duration` (guint64, ns), `frame-number` (guint64), `full-scan`
 * (gboolean) and `detections` (GstValueList of GstStructure "person" with
 * `x`, `y`, `width`, `height` (int), `confidence` (double), `track-id` (int)).
 *
 * A missing or unreadable cascade file (upper-body model) is reported as a
 * GST_RESOURCE_ERROR (NOT_FOUND / OPEN_READ) naming the file, and the change
 * to PAUSED fails.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=/usr/share/doc/opencv-doc/examples/data/vtest.avi ! \
 *     decodebin ! videoconvert ! vapersondetect downscale=0.67 post-messages=true ! \
 *     fakesink -m
 * ]|
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-person-detect.h"

#include "va-annotation-model.h"
#include "va-centernet-cv.h"
#include "va-face-detect-cv.h"
#include "va-movenet-cv.h"
#include "va-person-detect-cv.h"

GST_DEBUG_CATEGORY_STATIC (va_person_detect_debug);
#define GST_CAT_DEFAULT va_person_detect_debug

/* CenterNet when installed: HOG finds few of the people of real footage
 * (docs/accuracy.md). */
#define DEFAULT_MODEL VA_PERSON_DETECT_MODEL_AUTO
#define FALLBACK_MODEL VA_PERSON_DETECT_MODEL_HOG_PEOPLE
#define DEFAULT_SCORE_THRESHOLD 0.3
/* In the models directory, as data/models/models.json names it; the net was
 * converted for this input size (16:9; other shapes are letterboxed). */
#define CENTERNET_FILE "centernet/centernet_512x288.onnx"
#define CENTERNET_WIDTH 512
#define CENTERNET_HEIGHT 288
/* Keypoints on the frames the person files keep (vaannotationsink's
 * person-rate): one run per person costs ~25 ms of CPU. */
#define DEFAULT_POSE_MODEL VA_PERSON_POSE_MODEL_AUTO
#define MOVENET_FILE "movenet/movenet_lightning.onnx"
#define DEFAULT_KEYPOINTS_PER_SECOND VA_ANNOTATION_MODEL_DEFAULT_PERSON_RATE
/* MoveNet scores joints it cannot see (hidden, outside the box, another
 * person's) mostly below this; see docs/accuracy.md. */
#define DEFAULT_KEYPOINT_THRESHOLD 0.3
#define DEFAULT_MIN_NEIGHBORS 2
#define DEFAULT_HIT_THRESHOLD 0.0
#define UPPERBODY_FILE "haarcascades/haarcascade_upperbody.xml"

struct _VaPersonDetect {
  VaDetector parent_instance;

  /* settings, under the object lock */
  VaPersonDetectModel model;
  char *model_dir;
  char *models_dir;
  int min_neighbors;
  double hit_threshold;
  double score_threshold;
  VaPersonPoseModel pose_model;
  double keypoints_per_second;
  double keypoint_threshold;

  /* between start and stop: one of them */
  VaHogCv *hog;
  VaCascadeCv *cascade;
  VaCenterNetCv *centernet;
  /* and the keypoint model, if any */
  VaMoveNetCv *movenet;
};

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MODEL_DIR,
  PROP_MODELS_DIR,
  PROP_MIN_NEIGHBORS,
  PROP_HIT_THRESHOLD,
  PROP_SCORE_THRESHOLD,
  PROP_POSE_MODEL,
  PROP_KEYPOINTS_PER_SECOND,
  PROP_KEYPOINT_THRESHOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaPersonDetect, va_person_detect, VA_TYPE_DETECTOR)
GST_ELEMENT_REGISTER_DEFINE (vapersondetect, "vapersondetect", GST_RANK_NONE, VA_TYPE_PERSON_DETECT)

GType
va_person_detect_model_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VA_PERSON_DETECT_MODEL_HOG_PEOPLE, "HOG people detector (built into OpenCV)", "hog-people" },
    { VA_PERSON_DETECT_MODEL_HAAR_UPPERBODY, "Haar upper body (haarcascade_upperbody.xml)",
      "haar-upperbody" },
    { VA_PERSON_DETECT_MODEL_CENTERNET,
      "CenterNet, COCO (neural; videoannotator models install centernet)", "centernet" },
    { VA_PERSON_DETECT_MODEL_AUTO, "CenterNet when installed, otherwise HOG with a warning",
      "auto" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("VaPersonDetectModel", values));
  return type;
}

GType
va_person_pose_model_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VA_PERSON_POSE_MODEL_NONE, "No body keypoints", "none" },
    { VA_PERSON_POSE_MODEL_MOVENET,
      "MoveNet Lightning, 17 COCO keypoints (neural; videoannotator models install movenet)",
      "movenet" },
    { VA_PERSON_POSE_MODEL_AUTO, "MoveNet when installed, otherwise no keypoints with a warning",
      "auto" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("VaPersonPoseModel", values));
  return type;
}

static void
clear_models (VaPersonDetect *self)
{
  g_clear_pointer (&self->hog, va_hog_cv_free);
  g_clear_pointer (&self->cascade, va_cascade_cv_free);
  g_clear_pointer (&self->centernet, va_centernet_cv_free);
  g_clear_pointer (&self->movenet, va_movenet_cv_free);
}

/* Loads the keypoint model; a missing one is an error only when asked for
 * by name. */
static gboolean
open_pose_model (VaPersonDetect *self, VaPersonPoseModel model, const char *path, GError **error)
{
  g_autofree char *message = NULL;

  if (model == VA_PERSON_POSE_MODEL_AUTO && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
                         ("The MoveNet keypoint model is not installed; people get no body "
                          "keypoints (all zeros)"),
                         ("No %s: run “videoannotator models install movenet”", path));
    return TRUE;
  }
  if (model == VA_PERSON_POSE_MODEL_NONE)
    return TRUE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                 "Keypoint model file not found: %s (run “videoannotator models install "
                 "movenet”)",
                 path);
    return FALSE;
  }
  self->movenet = va_movenet_cv_new (path, &message);
  if (self->movenet == NULL) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "keypoints by %s", path);
  return TRUE;
}

static gboolean
open_detector (VaDetector *detector, GError **error)
{
  VaPersonDetect *self = VA_PERSON_DETECT (detector);
  g_autofree char *path = NULL;
  g_autofree char *neural = NULL;
  g_autofree char *message = NULL;
  VaPersonDetectModel model;

  GST_OBJECT_LOCK (self);
  model = self->model;
  path = g_build_filename (self->model_dir, UPPERBODY_FILE, NULL);
  neural = g_build_filename (self->models_dir, CENTERNET_FILE, NULL);
  GST_OBJECT_UNLOCK (self);

  if (model == VA_PERSON_DETECT_MODEL_AUTO) {
    model = g_file_test (neural, G_FILE_TEST_IS_REGULAR) ? VA_PERSON_DETECT_MODEL_CENTERNET
                                                         : FALLBACK_MODEL;
    if (model == FALLBACK_MODEL)
      GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
                           ("The CenterNet person model is not installed; using the HOG "
                            "detector, which misses most people in real footage"),
                           ("No %s: run “videoannotator models install centernet”", neural));
  }
  if (model == VA_PERSON_DETECT_MODEL_CENTERNET) {
    if (!g_file_test (neural, G_FILE_TEST_IS_REGULAR)) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                   "Person model file not found: %s (run “videoannotator models install "
                   "centernet”)",
                   neural);
      return FALSE;
    }
    self->centernet = va_centernet_cv_new (neural, CENTERNET_WIDTH, CENTERNET_HEIGHT, &message);
    if (self->centernet == NULL) {
      g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
      return FALSE;
    }
    va_detector_set_backend (detector, "centernet");
    return TRUE;
  }
  if (model == VA_PERSON_DETECT_MODEL_HOG_PEOPLE) {
    self->hog = va_hog_cv_new (&message);
    if (self->hog == NULL) {
      g_set_error_literal (error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT, message);
      return FALSE;
    }
    va_detector_set_backend (detector, "opencv-hog");
    return TRUE;
  }

  /* OpenCV would only print a warning and hand back an empty classifier. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                 "Person model file not found: %s (Debian package opencv-data)", path);
    return FALSE;
  }
  self->cascade = va_cascade_cv_new (path, &message);
  if (self->cascade == NULL) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
    return FALSE;
  }
  va_detector_set_backend (detector, "opencv-haar");
  GST_DEBUG_OBJECT (self, "loaded %s", path);
  return TRUE;
}

static gboolean
va_person_detect_open (VaDetector *detector, GError **error)
{
  VaPersonDetect *self = VA_PERSON_DETECT (detector);
  g_autofree char *pose_path = NULL;
  VaPersonPoseModel pose_model;

  GST_OBJECT_LOCK (self);
  pose_model = self->pose_model;
  pose_path = g_build_filename (self->models_dir, MOVENET_FILE, NULL);
  GST_OBJECT_UNLOCK (self);

  clear_models (self);
  if (!open_detector (detector, error) || !open_pose_model (self, pose_model, pose_path, error))
    return FALSE;
  /* CenterNet was trained on colour photos, but given colour it found one
   * false person more on vtest.avi (tests/plugins/test-person-detect.c);
   * it stays on grey until measured better (docs/accuracy.md). */
  va_detector_set_colour (detector, FALSE);
  return TRUE;
}

static void
va_person_detect_close (VaDetector *detector)
{
  clear_models (VA_PERSON_DETECT (detector));
}

static gboolean
va_person_detect_detect (VaDetector *detector, const VaLumaImage *frame,
                         const VaDetectParams *params, const VaDetectRegion *regions,
                         guint n_regions, GArray *out, GError **error)
{
  VaPersonDetect *self = VA_PERSON_DETECT (detector);
  g_autofree char *message = NULL;
  gboolean ok;
  int min_neighbors;
  double hit_threshold, score_threshold;

  GST_OBJECT_LOCK (self);
  min_neighbors = self->min_neighbors;
  hit_threshold = self->hit_threshold;
  score_threshold = self->score_threshold;
  GST_OBJECT_UNLOCK (self);

  if (self->centernet != NULL)
    ok = va_centernet_cv_detect (self->centernet, frame, score_threshold, regions, n_regions, out,
                                 &message);
  else if (self->hog != NULL)
    ok = va_hog_cv_detect (self->hog, frame, params, hit_threshold, min_neighbors, regions,
                           n_regions, out, &message);
  else
    ok = va_cascade_cv_detect (self->cascade, frame, params, min_neighbors, regions, n_regions, out,
                               &message);
  if (!ok) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, message);
    return FALSE;
  }
  return TRUE;
}

/* Adds the person's keypoints to its structure on the frames the person
 * files keep: `keypoints` (COCO's x, y, v × 17: v = 2 when the model's
 * score reaches keypoint-threshold, else 0 with x = y = 0),
 * `num-keypoints` (the visible ones) and `keypoint-scores` (17 scores). */
static gboolean
va_person_detect_describe (VaDetector *detector, const VaLumaImage *frame, const GstVideoInfo *info,
                           guint64 frame_number, const VaTrackBox *box, GstStructure *detection,
                           GError **error)
{
  VaPersonDetect *self = VA_PERSON_DETECT (detector);
  VaKeypoint keypoints[VA_N_KEYPOINTS];
  g_autofree char *message = NULL;
  GValue coco = G_VALUE_INIT, scores = G_VALUE_INIT;
  double rate, threshold, fps = 0.0;
  int visible = 0;
  VaLumaImage coloured;

  if (self->movenet == NULL)
    return TRUE;
  GST_OBJECT_LOCK (self);
  rate = self->keypoints_per_second;
  threshold = self->keypoint_threshold;
  GST_OBJECT_UNLOCK (self);
  if (GST_VIDEO_INFO_FPS_N (info) > 0 && GST_VIDEO_INFO_FPS_D (info) > 0)
    gst_util_fraction_to_double (GST_VIDEO_INFO_FPS_N (info), GST_VIDEO_INFO_FPS_D (info), &fps);
  if (!va_annotation_rate_keeps_frame (fps, rate, frame_number))
    return TRUE;

  /* MoveNet was trained on colour photos. */
  coloured = va_detector_with_colour (detector, frame);
  if (!va_movenet_cv_estimate (self->movenet, &coloured, box, keypoints, &message)) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, message);
    return FALSE;
  }
  gst_value_array_init (&coco, 3 * VA_N_KEYPOINTS);
  gst_value_array_init (&scores, VA_N_KEYPOINTS);
  for (guint k = 0; k < VA_N_KEYPOINTS; k++) {
    gboolean shown = keypoints[k].score >= threshold;
    double values[3]
        = { shown ? keypoints[k].x : 0.0, shown ? keypoints[k].y : 0.0, shown ? 2.0 : 0.0 };
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_DOUBLE);
    for (guint i = 0; i < 3; i++) {
      g_value_set_double (&v, values[i]);
      gst_value_array_append_value (&coco, &v);
    }
    g_value_set_double (&v, keypoints[k].score);
    gst_value_array_append_value (&scores, &v);
    visible += shown;
  }
  gst_structure_take_value (detection, "keypoints", &coco);
  gst_structure_take_value (detection, "keypoint-scores", &scores);
  gst_structure_set (detection, "num-keypoints", G_TYPE_INT, visible, NULL);
  return TRUE;
}

static void
va_person_detect_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  VaPersonDetect *self = VA_PERSON_DETECT (object);
  gboolean changed = TRUE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MODEL:
    changed = self->model != (VaPersonDetectModel)g_value_get_enum (value);
    self->model = g_value_get_enum (value);
    break;
  case PROP_MODEL_DIR: {
    const char *dir = g_value_get_string (value);

    if (dir == NULL)
      dir = VA_OPENCV_DATA_DIR;
    changed = g_strcmp0 (self->model_dir, dir) != 0;
    g_free (self->model_dir);
    self->model_dir = g_strdup (dir);
    break;
  }
  case PROP_MIN_NEIGHBORS:
    changed = self->min_neighbors != g_value_get_int (value);
    self->min_neighbors = g_value_get_int (value);
    break;
  case PROP_HIT_THRESHOLD:
    changed = self->hit_threshold != g_value_get_double (value);
    self->hit_threshold = g_value_get_double (value);
    break;
  case PROP_SCORE_THRESHOLD:
    changed = self->score_threshold != g_value_get_double (value);
    self->score_threshold = g_value_get_double (value);
    break;
  case PROP_POSE_MODEL:
    changed = self->pose_model != (VaPersonPoseModel)g_value_get_enum (value);
    self->pose_model = g_value_get_enum (value);
    break;
  case PROP_KEYPOINTS_PER_SECOND:
    changed = self->keypoints_per_second != g_value_get_double (value);
    self->keypoints_per_second = g_value_get_double (value);
    break;
  case PROP_KEYPOINT_THRESHOLD:
    changed = self->keypoint_threshold != g_value_get_double (value);
    self->keypoint_threshold = g_value_get_double (value);
    break;
  case PROP_MODELS_DIR: {
    const char *dir = g_value_get_string (value);
    g_autofree char *fallback = NULL;

    if (dir == NULL)
      dir = fallback = va_detector_default_models_dir ();
    changed = g_strcmp0 (self->models_dir, dir) != 0;
    g_free (self->models_dir);
    self->models_dir = g_strdup (dir);
    break;
  }
  default:
    changed = FALSE;
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_person_detect_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaPersonDetect *self = VA_PERSON_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MODEL:
    g_value_set_enum (value, self->model);
    break;
  case PROP_MODEL_DIR:
    g_value_set_string (value, self->model_dir);
    break;
  case PROP_MIN_NEIGHBORS:
    g_value_set_int (value, self->min_neighbors);
    break;
  case PROP_HIT_THRESHOLD:
    g_value_set_double (value, self->hit_threshold);
    break;
  case PROP_SCORE_THRESHOLD:
    g_value_set_double (value, self->score_threshold);
    break;
  case PROP_MODELS_DIR:
    g_value_set_string (value, self->models_dir);
    break;
  case PROP_POSE_MODEL:
    g_value_set_enum (value, self->pose_model);
    break;
  case PROP_KEYPOINTS_PER_SECOND:
    g_value_set_double (value, self->keypoints_per_second);
    break;
  case PROP_KEYPOINT_THRESHOLD:
    g_value_set_double (value, self->keypoint_threshold);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_person_detect_finalize (GObject *object)
{
  VaPersonDetect *self = VA_PERSON_DETECT (object);

  clear_models (self);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->models_dir, g_free);
  G_OBJECT_CLASS (va_person_detect_parent_class)->finalize (object);
}

static void
va_person_detect_class_init (VaPersonDetectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  VaDetectorClass *detector_class = VA_DETECTOR_CLASS (klass);
  GParamFlags ready_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
                            | GST_PARAM_MUTABLE_READY;
  GParamFlags playing_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
                              | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (va_person_detect_debug, "vapersondetect", 0, "person detector");

  object_class->set_property = va_person_detect_set_property;
  object_class->get_property = va_person_detect_get_property;
  object_class->finalize = va_person_detect_finalize;

  detector_class->roi_type = "person";
  detector_class->pipeline = "person_tracking";
  /* Around a track HOG enlarges the area so that the smallest size searched
   * fills its window: cost grows with the square of that factor, so search
   * sizes 0.75–1.35 of the track's (a person's height changes little in a
   * fifth of a second). The window is twice as wide and 4/3 as tall as the
   * box it reports: at 1.35 times the size it spans 2.7 widths and 1.8
   * heights, plus room for the motion since the last sample. */
  detector_class->search_min_scale = 0.75;
  detector_class->search_max_scale = 1.35;
  detector_class->search_margin_x = 1.2;
  detector_class->search_margin_y = 0.7;
  detector_class->open = va_person_detect_open;
  detector_class->close = va_person_detect_close;
  detector_class->detect = va_person_detect_detect;
  detector_class->describe = va_person_detect_describe;

  properties[PROP_MODEL]
      = g_param_spec_enum ("model", "Model", "Person model to use (applied at the next start)",
                           VA_TYPE_PERSON_DETECT_MODEL, DEFAULT_MODEL, ready_flags);
  properties[PROP_MODEL_DIR] = g_param_spec_string (
      "model-dir", "Model directory",
      "Directory holding OpenCV's haarcascades/ folder, for the upper-body model (applied at "
      "the next start)",
      VA_OPENCV_DATA_DIR, ready_flags);
  properties[PROP_MIN_NEIGHBORS] = g_param_spec_int (
      "min-neighbors", "Minimum neighbours",
      "Overlapping raw detections a person needs to be reported (higher = fewer false "
      "positives, fewer people)",
      0, 100, DEFAULT_MIN_NEIGHBORS, playing_flags);
  properties[PROP_MODELS_DIR] = g_param_spec_string (
      "models-dir", "Neural models directory",
      "Directory where “videoannotator models install” put the neural models (the centernet/ "
      "folder; applied at the next start)",
      NULL, ready_flags);
  properties[PROP_SCORE_THRESHOLD] = g_param_spec_double (
      "score-threshold", "Score threshold",
      "CenterNet only: lowest person score (0..1) reported; higher = fewer false people, fewer "
      "people",
      0.05, 1.0, DEFAULT_SCORE_THRESHOLD,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_HIT_THRESHOLD] = g_param_spec_double (
      "hit-threshold", "Hit threshold",
      "Minimum SVM margin of a HOG window to count as a person (higher = fewer false "
      "positives, fewer people); unused by the cascade model",
      -10.0, 10.0, DEFAULT_HIT_THRESHOLD, playing_flags);
  properties[PROP_POSE_MODEL] = g_param_spec_enum (
      "pose-model", "Pose model",
      "Body keypoint model run on each person's box (applied at the next start)",
      VA_TYPE_PERSON_POSE_MODEL, DEFAULT_POSE_MODEL, ready_flags);
  properties[PROP_KEYPOINTS_PER_SECOND] = g_param_spec_double (
      "keypoints-per-second", "Keypoints per second",
      "Frames per second whose people get keypoints: every (fps / this)-th frame from the "
      "first, as vaannotationsink's person-rate keeps them (0 = every frame)",
      0.0, 1000.0, DEFAULT_KEYPOINTS_PER_SECOND, playing_flags);
  properties[PROP_KEYPOINT_THRESHOLD] = g_param_spec_double (
      "keypoint-threshold", "Keypoint threshold",
      "Lowest keypoint score (0..1) counted as visible (v = 2); below it a keypoint is "
      "written as not labelled (0, 0, 0)",
      0.0, 1.0, DEFAULT_KEYPOINT_THRESHOLD, playing_flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Person detector", "Filter/Analyzer/Video",
      "Finds people with OpenCV's HOG people detector (or the upper-body Haar cascade) on "
      "sampled frames, tracks them with stable ids across frames and short misses, and attaches "
      "each as a GstVideoRegionOfInterestMeta (roi_type \"person\", param \"detection\": "
      "confidence, track-id, backend); optionally an element message per analysed frame",
      "VideoAnnotator developers");
  gst_type_mark_as_plugin_api (VA_TYPE_PERSON_DETECT_MODEL, 0);
  gst_type_mark_as_plugin_api (VA_TYPE_PERSON_POSE_MODEL, 0);
  gst_type_mark_as_plugin_api (VA_TYPE_DETECTOR, 0);
}

static void
va_person_detect_init (VaPersonDetect *self)
{
  self->model = DEFAULT_MODEL;
  self->model_dir = g_strdup (VA_OPENCV_DATA_DIR);
  self->models_dir = va_detector_default_models_dir ();
  self->score_threshold = DEFAULT_SCORE_THRESHOLD;
  self->min_neighbors = DEFAULT_MIN_NEIGHBORS;
  self->hit_threshold = DEFAULT_HIT_THRESHOLD;
  self->pose_model = DEFAULT_POSE_MODEL;
  self->keypoints_per_second = DEFAULT_KEYPOINTS_PER_SECOND;
  self->keypoint_threshold = DEFAULT_KEYPOINT_THRESHOLD;
}
