/**
 * SECTION:element-vafacedetect
 * @title: vafacedetect
 *
 * Finds frontal faces with an OpenCV cascade classifier (the files Debian's
 * opencv-data package installs) and gives each a track id that stays stable
 * while the face moves.
 *
 * Every frame gets one GstVideoRegionOfInterestMeta per face, with roi_type
 * "face", `id` = the track id and a parameter structure named "detection":
 *
 * * `confidence` (double, 0..1): grows with the number of neighbouring
 *   detections the cascade merged into the box; not a calibrated probability
 * * `track-id` (int): stable while the face is tracked; never reused
 * * `backend` (string): "opencv-lbp", "opencv-haar" or "blazeface"
 *
 * With the attribute models installed (`attributes`, all three by default),
 * on the frames `attributes-per-second` keeps, each face's structure also
 * has `emotion` (string: angry, disgust, fear, happy, sad, surprise or
 * neutral), `emotion-confidence` (double), `emotion-scores` (GstValueArray
 * of 7 doubles in that order), `age` (double, years), `gender` ("Man" or
 * "Woman") and `gender-confidence` (double). A model that is not installed
 * is a warning, and its fields are left out.
 *
 * The cascade runs on sampled frames (`interval`, `predictions-per-second`);
 * boxes on the frames in between are the tracks extrapolated at constant
 * velocity. Most samples are only searched around tracked faces; the whole
 * frame every `rescan-interval` seconds and at shot changes, which also end
 * every track. Boxes of every model cover forehead to chin (the LBP model's
 * are enlarged to match the Haar models'). See docs/elements.md.
 *
 * With `post-messages`, each analysed frame posts an element message named
 * "vafacedetect" with fields:
 *
 * * `timestamp`, `stream-time`, `running-time`, `duration` (guint64, ns):
 *   of the analysed buffer
 * * `frame-number` (guint64): frames since the stream (or the last flush) began
 * * `full-scan` (gboolean): whether the whole frame was searched
 * * `detections` (GstValueList of GstStructure "face"): `x`, `y`, `width`,
 *   `height` (int, pixels), `confidence` (double), `track-id` (int)
 *
 * A model file that is missing or unreadable is reported as a
 * GST_RESOURCE_ERROR (NOT_FOUND / OPEN_READ) naming the file, and the change
 * to PAUSED fails.
 *
 * Input: 8-bit YUV (planar, semi-planar or packed), GRAY8 or 8-bit RGB; the
 * cascades use luma, read in place from planar formats; BlazeFace and the
 * age and gender model get an RGB copy made on the frames they analyse.
 * BlazeFace's full scans also search `tiles` (small faces).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! videoconvert ! \
 *     vafacedetect post-messages=true ! fakesink -m
 * ]|
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-face-detect.h"

#include <gio/gio.h>
#include <math.h>

#include "va-annotation-model.h"
#include "va-blazeface-cv.h"
#include "va-face-attributes.h"
#include "va-face-detect-cv.h"

GST_DEBUG_CATEGORY_STATIC (va_face_detect_debug);
#define GST_CAT_DEFAULT va_face_detect_debug

/* Haar "alt", not LBP: on the benchmark videos LBP misses one face in six
 * that the Haar cascades (and gst-plugins-bad's facedetect) find; of the
 * Haar ones, "default" fires on background textures (precision 0.94) and
 * loses a marginal face in the searches around its track, which "alt" does
 * not (docs/accuracy.md). */
#define FALLBACK_MODEL VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT
/* BlazeFace when installed: on real footage the cascades miss most faces
 * that are not frontal, well lit and sharp (docs/accuracy.md). */
#define DEFAULT_MODEL VA_FACE_DETECT_MODEL_AUTO
#define DEFAULT_MIN_NEIGHBORS 3
#define DEFAULT_SCORE_THRESHOLD 0.5
/* Whole-frame searches of BlazeFace also cover the frame with square tiles,
 * this many down its shorter side: letterboxed into the model's 256 × 256
 * input, a 50 px face of a 1280 × 720 frame shrinks to 10 px, at the
 * model's limit; one row of tiles (three of 720 px at 1280 × 720) keeps
 * 18 px, which it finds (docs/accuracy.md). */
#define DEFAULT_TILES 1
/* Emotion, age and gender are on, as in the reference face pipeline; once
 * a second per face (about 30 ms of CPU per face for all three). */
#define DEFAULT_ATTRIBUTES VA_FACE_ATTRIBUTES_ALL
#define DEFAULT_ATTRIBUTES_PER_SECOND 1.0
/* In the models directory (models-dir), as data/models/models.json names it. */
#define BLAZEFACE_FILE "blazeface/face_detection_back_256x256.onnx"

struct _VaFaceDetect {
  VaDetector parent_instance;

  /* settings, under the object lock */
  VaFaceDetectModel model;
  char *model_dir;
  char *models_dir;
  int min_neighbors;
  double score_threshold;
  guint tiles;
  VaFaceAttributeFlags attributes;
  double attributes_per_second;

  VaCascadeCv *cascade; /* between start and stop, one of the two */
  VaBlazeFaceCv *blazeface;
  VaFaceAttributesCv *attribute_models; /* between start and stop, if any */
  VaFaceAttributeFlags wanted;          /* attributes, as at start */
  double box_scale;
  double box_shift;
};

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MODEL_DIR,
  PROP_MODELS_DIR,
  PROP_MIN_NEIGHBORS,
  PROP_SCORE_THRESHOLD,
  PROP_TILES,
  PROP_ATTRIBUTES,
  PROP_ATTRIBUTES_PER_SECOND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaFaceDetect, va_face_detect, VA_TYPE_DETECTOR)
GST_ELEMENT_REGISTER_DEFINE (vafacedetect, "vafacedetect", GST_RANK_NONE, VA_TYPE_FACE_DETECT)

/* BlazeFace boxes, measured against the same forehead-to-chin labels. */
#define BLAZEFACE_SCALE 1.0
#define BLAZEFACE_SHIFT 0.0

/* The LBP cascade was trained on an inner-face square (eyebrows to lower
 * lip), the Haar ones on a forehead-to-chin square. Boxes of every model are
 * reported in the Haar convention, so a model switch does not change what a
 * box means: LBP boxes are enlarged by box_scale about a centre moved by
 * box_shift box heights (negative = up). The two numbers are the mean ratio
 * between the boxes both kinds of model find on the same faces (the five
 * face photos opencv-doc ships; see docs/accuracy.md). */
static const struct {
  const char *file; /* relative to the model directory */
  const char *backend;
  double box_scale;
  double box_shift;
} models[] = {
  [VA_FACE_DETECT_MODEL_LBP_FRONTALFACE_IMPROVED]
  = { "lbpcascades/lbpcascade_frontalface_improved.xml", "opencv-lbp", 1.4, -0.12 },
  [VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_DEFAULT]
  = { "haarcascades/haarcascade_frontalface_default.xml", "opencv-haar", 1.0, 0.0 },
  [VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT]
  = { "haarcascades/haarcascade_frontalface_alt.xml", "opencv-haar", 1.0, 0.0 },
  [VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT2]
  = { "haarcascades/haarcascade_frontalface_alt2.xml", "opencv-haar", 1.0, 0.0 },
  [VA_FACE_DETECT_MODEL_BLAZEFACE]
  = { BLAZEFACE_FILE, "blazeface", BLAZEFACE_SCALE, BLAZEFACE_SHIFT },
  [VA_FACE_DETECT_MODEL_AUTO] = { NULL, NULL, 1.0, 0.0 },
};

GType
va_face_detect_model_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VA_FACE_DETECT_MODEL_LBP_FRONTALFACE_IMPROVED,
      "LBP frontal face, improved (lbpcascade_frontalface_improved.xml)",
      "lbp-frontalface-improved" },
    { VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_DEFAULT,
      "Haar frontal face (haarcascade_frontalface_default.xml)", "haar-frontalface-default" },
    { VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT,
      "Haar frontal face, alt (haarcascade_frontalface_alt.xml)", "haar-frontalface-alt" },
    { VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT2,
      "Haar frontal face, alt2 (haarcascade_frontalface_alt2.xml)", "haar-frontalface-alt2" },
    { VA_FACE_DETECT_MODEL_BLAZEFACE,
      "MediaPipe BlazeFace, full range (neural; videoannotator models install blazeface)",
      "blazeface" },
    { VA_FACE_DETECT_MODEL_AUTO,
      "BlazeFace when installed, otherwise haar-frontalface-alt with a warning", "auto" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("VaFaceDetectModel", values));
  return type;
}

/**
 * va_face_detect_model_backend:
 *
 * Returns: the `backend` name written for @model ("opencv-lbp", "opencv-haar",
 * "blazeface"); %NULL for `auto`, which depends on what is installed.
 */
const char *
va_face_detect_model_backend (VaFaceDetectModel model)
{
  g_return_val_if_fail (model < G_N_ELEMENTS (models), NULL);
  return models[model].backend;
}

static void va_face_detect_close (VaDetector *detector);

static gboolean
va_face_detect_open_blazeface (VaFaceDetect *self, const char *path, GError **error)
{
  g_autofree char *message = NULL;

  self->blazeface = va_blazeface_cv_new (path, &message);
  if (self->blazeface == NULL) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_face_detect_open (VaDetector *detector, GError **error)
{
  VaFaceDetect *self = VA_FACE_DETECT (detector);
  g_autofree char *path = NULL;
  g_autofree char *neural = NULL;
  g_autofree char *message = NULL;
  g_autofree char *models_dir = NULL;
  VaFaceDetectModel model;

  GST_OBJECT_LOCK (self);
  model = self->model;
  models_dir = g_strdup (self->models_dir);
  self->wanted = self->attributes;
  neural = g_build_filename (self->models_dir, BLAZEFACE_FILE, NULL);
  if (model == VA_FACE_DETECT_MODEL_AUTO)
    model = g_file_test (neural, G_FILE_TEST_IS_REGULAR) ? VA_FACE_DETECT_MODEL_BLAZEFACE
                                                         : FALLBACK_MODEL;
  path = model == VA_FACE_DETECT_MODEL_BLAZEFACE
             ? g_strdup (neural)
             : g_build_filename (self->model_dir, models[model].file, NULL);
  GST_OBJECT_UNLOCK (self);

  va_face_detect_close (detector);
  if (self->model == VA_FACE_DETECT_MODEL_AUTO && model == FALLBACK_MODEL)
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
                         ("The BlazeFace face model is not installed; using the Haar cascade, "
                          "which misses most faces in real footage"),
                         ("No %s: run “videoannotator models install blazeface”", neural));
  /* OpenCV would only print a warning and hand back an empty classifier. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    if (model == VA_FACE_DETECT_MODEL_BLAZEFACE)
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                   "Face model file not found: %s (run “videoannotator models install "
                   "blazeface”)",
                   path);
    else
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                   "Face model file not found: %s (Debian package opencv-data)", path);
    return FALSE;
  }
  if (model == VA_FACE_DETECT_MODEL_BLAZEFACE) {
    if (!va_face_detect_open_blazeface (self, path, error))
      return FALSE;
  } else {
    self->cascade = va_cascade_cv_new (path, &message);
    if (self->cascade == NULL) {
      g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
      return FALSE;
    }
  }
  self->box_scale = models[model].box_scale;
  self->box_shift = models[model].box_shift;
  va_detector_set_backend (detector, models[model].backend);
  /* BlazeFace was trained on colour photos, the cascades on grey. */
  va_detector_set_colour (detector, self->blazeface != NULL);
  GST_DEBUG_OBJECT (self, "loaded %s", path);
  return va_face_attributes_open (GST_ELEMENT (self), models_dir, self->wanted,
                                  &self->attribute_models, error);
}

static void
va_face_detect_close (VaDetector *detector)
{
  VaFaceDetect *self = VA_FACE_DETECT (detector);

  g_clear_pointer (&self->cascade, va_cascade_cv_free);
  g_clear_pointer (&self->blazeface, va_blazeface_cv_free);
  g_clear_pointer (&self->attribute_models, va_face_attributes_cv_free);
}

/* The face's attributes, on the frames attributes-per-second keeps. */
static gboolean
va_face_detect_describe (VaDetector *detector, const VaLumaImage *frame, const GstVideoInfo *info,
                         guint64 frame_number, const VaTrackBox *box, GstStructure *detection,
                         GError **error)
{
  VaFaceDetect *self = VA_FACE_DETECT (detector);
  double rate, fps = 0.0;
  VaLumaImage coloured;

  if (self->attribute_models == NULL)
    return TRUE;
  GST_OBJECT_LOCK (self);
  rate = self->attributes_per_second;
  GST_OBJECT_UNLOCK (self);
  if (GST_VIDEO_INFO_FPS_N (info) > 0 && GST_VIDEO_INFO_FPS_D (info) > 0)
    gst_util_fraction_to_double (GST_VIDEO_INFO_FPS_N (info), GST_VIDEO_INFO_FPS_D (info), &fps);
  if (!va_annotation_rate_keeps_frame (fps, rate, frame_number))
    return TRUE;
  /* The age and gender network was trained on colour faces. */
  coloured = va_detector_with_colour (detector, frame);
  return va_face_attributes_describe (self->attribute_models, self->wanted, &coloured, box,
                                      detection, error);
}

/* Square tiles of side 2 × short / (rows + 1), overlapping by half, so
 * every face up to half a tile lies whole in one; they only report faces
 * that small (larger ones are the whole frame's). Appended to @regions
 * after each region that is the whole frame; returns the new count. */
static guint
add_tiles (const VaLumaImage *frame, guint rows, VaDetectRegion *regions, guint n_regions)
{
  int shorter = MIN (frame->width, frame->height);
  double side = 2.0 * shorter / (rows + 1), step = side / 2.0;
  guint n = n_regions;

  if (rows == 0)
    return n;
  for (guint i = 0; i < n_regions; i++) {
    const VaDetectRegion *whole = &regions[i];
    guint cols = (guint)ceil ((frame->width - side) / step) + 1;
    guint lines = (guint)ceil ((frame->height - side) / step) + 1;

    if (whole->x > 0 || whole->y > 0 || whole->width < frame->width
        || whole->height < frame->height)
      continue;
    for (guint ty = 0; ty < lines; ty++) {
      for (guint tx = 0; tx < cols; tx++) {
        VaDetectRegion *t = &regions[n++];

        t->x = MIN (tx * step, frame->width - side);
        t->y = MIN (ty * step, frame->height - side);
        t->width = side;
        t->height = side;
        t->min_size = whole->min_size;
        t->max_size = whole->max_size > 0 ? MIN (whole->max_size, step) : step;
      }
    }
  }
  return n;
}

/* How many tiles add_tiles makes for one whole-frame region. */
static guint
count_tiles (const VaLumaImage *frame, guint rows)
{
  int shorter = MIN (frame->width, frame->height);
  double side = 2.0 * shorter / (rows + 1), step = side / 2.0;

  if (rows == 0)
    return 0;
  return ((guint)ceil ((frame->width - side) / step) + 1)
         * ((guint)ceil ((frame->height - side) / step) + 1);
}

static gboolean
va_face_detect_detect (VaDetector *detector, const VaLumaImage *frame, const VaDetectParams *params,
                       const VaDetectRegion *regions, guint n_regions, GArray *out, GError **error)
{
  VaFaceDetect *self = VA_FACE_DETECT (detector);
  g_autofree VaDetectRegion *cascade_regions = NULL;
  g_autofree char *message = NULL;
  guint first = out->len, tiles;
  int min_neighbors;
  double score_threshold;
  gboolean ok;

  GST_OBJECT_LOCK (self);
  min_neighbors = self->min_neighbors;
  score_threshold = self->score_threshold;
  tiles = self->blazeface != NULL ? self->tiles : 0;
  GST_OBJECT_UNLOCK (self);
  cascade_regions = g_new (VaDetectRegion, n_regions * (1 + count_tiles (frame, tiles)) + 1);

  /* Sizes asked for are of reported boxes; the cascade sees its own. */
  for (guint i = 0; i < n_regions; i++) {
    cascade_regions[i] = regions[i];
    cascade_regions[i].min_size /= self->box_scale;
    cascade_regions[i].max_size /= self->box_scale;
  }
  if (self->blazeface != NULL)
    ok = va_blazeface_cv_detect (self->blazeface, frame, score_threshold, cascade_regions,
                                 add_tiles (frame, tiles, cascade_regions, n_regions), out,
                                 &message);
  else
    ok = va_cascade_cv_detect (self->cascade, frame, params, min_neighbors, cascade_regions,
                               n_regions, out, &message);
  if (!ok) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, message);
    return FALSE;
  }
  for (guint i = first; i < out->len; i++) {
    VaTrackBox *b = &g_array_index (out, VaTrackBox, i);
    double cx = b->x + b->width / 2.0;
    double cy = b->y + b->height / 2.0 + self->box_shift * b->height;

    b->width *= self->box_scale;
    b->height *= self->box_scale;
    b->x = cx - b->width / 2.0;
    b->y = cy - b->height / 2.0;
  }
  return TRUE;
}

static void
va_face_detect_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaFaceDetect *self = VA_FACE_DETECT (object);
  gboolean changed = TRUE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MODEL:
    changed = self->model != (VaFaceDetectModel)g_value_get_enum (value);
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
  case PROP_MIN_NEIGHBORS:
    changed = self->min_neighbors != g_value_get_int (value);
    self->min_neighbors = g_value_get_int (value);
    break;
  case PROP_SCORE_THRESHOLD:
    changed = self->score_threshold != g_value_get_double (value);
    self->score_threshold = g_value_get_double (value);
    break;
  case PROP_TILES:
    changed = self->tiles != g_value_get_uint (value);
    self->tiles = g_value_get_uint (value);
    break;
  case PROP_ATTRIBUTES:
    changed = self->attributes != g_value_get_flags (value);
    self->attributes = g_value_get_flags (value);
    break;
  case PROP_ATTRIBUTES_PER_SECOND:
    changed = self->attributes_per_second != g_value_get_double (value);
    self->attributes_per_second = g_value_get_double (value);
    break;
  default:
    changed = FALSE;
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_face_detect_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaFaceDetect *self = VA_FACE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MODEL:
    g_value_set_enum (value, self->model);
    break;
  case PROP_MODEL_DIR:
    g_value_set_string (value, self->model_dir);
    break;
  case PROP_MODELS_DIR:
    g_value_set_string (value, self->models_dir);
    break;
  case PROP_MIN_NEIGHBORS:
    g_value_set_int (value, self->min_neighbors);
    break;
  case PROP_SCORE_THRESHOLD:
    g_value_set_double (value, self->score_threshold);
    break;
  case PROP_TILES:
    g_value_set_uint (value, self->tiles);
    break;
  case PROP_ATTRIBUTES:
    g_value_set_flags (value, self->attributes);
    break;
  case PROP_ATTRIBUTES_PER_SECOND:
    g_value_set_double (value, self->attributes_per_second);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_face_detect_finalize (GObject *object)
{
  VaFaceDetect *self = VA_FACE_DETECT (object);

  g_clear_pointer (&self->cascade, va_cascade_cv_free);
  g_clear_pointer (&self->blazeface, va_blazeface_cv_free);
  g_clear_pointer (&self->attribute_models, va_face_attributes_cv_free);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->models_dir, g_free);
  G_OBJECT_CLASS (va_face_detect_parent_class)->finalize (object);
}

static void
va_face_detect_class_init (VaFaceDetectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  VaDetectorClass *detector_class = VA_DETECTOR_CLASS (klass);
  GParamFlags ready_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
                            | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (va_face_detect_debug, "vafacedetect", 0, "face detector");

  object_class->set_property = va_face_detect_set_property;
  object_class->get_property = va_face_detect_get_property;
  object_class->finalize = va_face_detect_finalize;

  detector_class->roi_type = "face";
  detector_class->pipeline = "face_analysis";
  detector_class->open = va_face_detect_open;
  detector_class->close = va_face_detect_close;
  detector_class->detect = va_face_detect_detect;
  detector_class->describe = va_face_detect_describe;

  properties[PROP_MODEL] = g_param_spec_enum (
      "model", "Model",
      "Face model (applied at the next start): auto = BlazeFace when installed in models-dir, "
      "otherwise the Haar alt cascade with a warning; Haar cascades find smaller faces per "
      "pixel searched than LBP but are slower",
      VA_TYPE_FACE_DETECT_MODEL, DEFAULT_MODEL, ready_flags);
  properties[PROP_MODEL_DIR] = g_param_spec_string (
      "model-dir", "Model directory",
      "Directory holding OpenCV's lbpcascades/ and haarcascades/ folders (applied at the next "
      "start)",
      VA_OPENCV_DATA_DIR, ready_flags);
  properties[PROP_MODELS_DIR] = g_param_spec_string (
      "models-dir", "Neural models directory",
      "Directory where “videoannotator models install” put the neural models (the blazeface/ "
      "folder; applied at the next start)",
      NULL, ready_flags);
  properties[PROP_SCORE_THRESHOLD] = g_param_spec_double (
      "score-threshold", "Score threshold",
      "BlazeFace only: lowest face score (0..1) reported; higher = fewer false faces, fewer "
      "faces",
      0.05, 1.0, DEFAULT_SCORE_THRESHOLD,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_TILES] = g_param_spec_uint (
      "tiles", "Tiles",
      "BlazeFace only: whole-frame searches also search overlapping square tiles, this many "
      "down the shorter side, for faces up to half a tile (small faces the whole frame shrinks "
      "below the model's limit); 1 on 1280x720 = 3 tiles of 720 px, 2 = 10 of 480 px, one model "
      "run each, once per rescan-interval. 0 = whole frame only",
      0, 8, DEFAULT_TILES,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_MIN_NEIGHBORS] = g_param_spec_int (
      "min-neighbors", "Minimum neighbours",
      "Overlapping raw detections a face needs to be reported (higher = fewer false "
      "positives, fewer faces)",
      0, 100, DEFAULT_MIN_NEIGHBORS,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_ATTRIBUTES] = g_param_spec_flags (
      "attributes", "Attributes",
      "What to estimate from each face crop (applied at the next start): emotion, age, gender "
      "(e.g. attributes=emotion+age); each needs its model in models-dir (videoannotator models "
      "install emotion age-gender); without it a warning, and the faces have no such field",
      VA_TYPE_FACE_ATTRIBUTE_FLAGS, DEFAULT_ATTRIBUTES, ready_flags);
  properties[PROP_ATTRIBUTES_PER_SECOND] = g_param_spec_double (
      "attributes-per-second", "Attributes per second",
      "Frames per second whose faces get attributes: every (fps / this)-th frame from the "
      "first; 0 = every frame",
      0.0, G_MAXDOUBLE, DEFAULT_ATTRIBUTES_PER_SECOND,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Face detector", "Filter/Analyzer/Video",
      "Finds frontal faces with an OpenCV cascade classifier (LBP or Haar, from opencv-data) on "
      "sampled frames of a downscaled grey copy, tracks them so ids stay stable and every frame "
      "carries its faces, and attaches each as a GstVideoRegionOfInterestMeta (roi_type \"face\", "
      "param \"detection\": confidence, track-id, backend); optionally an element message per "
      "analysed frame",
      "VideoAnnotator developers");
  gst_type_mark_as_plugin_api (VA_TYPE_FACE_DETECT_MODEL, 0);
  gst_type_mark_as_plugin_api (VA_TYPE_FACE_ATTRIBUTE_FLAGS, 0);
  gst_type_mark_as_plugin_api (VA_TYPE_DETECTOR, 0);
}

static void
va_face_detect_init (VaFaceDetect *self)
{
  self->model = DEFAULT_MODEL;
  self->model_dir = g_strdup (VA_OPENCV_DATA_DIR);
  self->models_dir = va_detector_default_models_dir ();
  self->min_neighbors = DEFAULT_MIN_NEIGHBORS;
  self->score_threshold = DEFAULT_SCORE_THRESHOLD;
  self->tiles = DEFAULT_TILES;
  self->attributes = DEFAULT_ATTRIBUTES;
  self->attributes_per_second = DEFAULT_ATTRIBUTES_PER_SECOND;
  self->box_scale = 1.0;
}
