/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-annotation-model.h"

const char *const va_face_emotion_names[VA_FACE_N_EMOTIONS]
    = { "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral" };

typedef struct {
  guint64 frame;
  GstClockTime time;
  gdouble score;
  VaSceneTransition transition;
} VaSceneCut;

struct _VaAnnotationModel {
  GObject parent_instance;

  char *stem;
  guint width;
  guint height;
  gint fps_n;
  gint fps_d;
  gdouble person_rate;    /* person boxes written per second, 0 = every frame */
  JsonObject *provenance; /* of the file being written, or NULL */

  guint64 n_frames;
  GstClockTime start_time;
  GstClockTime end_time;

  GPtrArray *pipelines;                     /* char*, announced analysers */
  GArray *cuts;                             /* VaSceneCut, in frame order */
  GArray *motion;                           /* VaMotionSample */
  GArray *motion_grid;                      /* gfloat, all grids back to back */
  GArray *detections[VA_DETECTION_N_KINDS]; /* VaDetection, in frame order */
  GArray *keypoints;                        /* gfloat, VA_KEYPOINT_VALUES per set */
  GArray *face_attributes;                  /* VaFaceAttributes */
  GArray *voice;                            /* VaVoiceSegment, by start */
  GArray *transcripts;                      /* VaTranscriptSegment, by start */
  GArray *words;                            /* VaTranscriptWord, per transcript in turn */
  GArray *turns;                            /* VaSpeakerTurn, by start */
};

G_DEFINE_FINAL_TYPE (VaAnnotationModel, va_annotation_model, G_TYPE_OBJECT)

static void
va_annotation_model_finalize (GObject *object)
{
  g_clear_pointer (&VA_ANNOTATION_MODEL (object)->provenance, json_object_unref);
  VaAnnotationModel *self = VA_ANNOTATION_MODEL (object);

  g_clear_pointer (&self->stem, g_free);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_pointer (&self->cuts, g_array_unref);
  g_clear_pointer (&self->motion, g_array_unref);
  g_clear_pointer (&self->motion_grid, g_array_unref);
  for (guint i = 0; i < VA_DETECTION_N_KINDS; i++)
    g_clear_pointer (&self->detections[i], g_array_unref);
  g_clear_pointer (&self->keypoints, g_array_unref);
  g_clear_pointer (&self->face_attributes, g_array_unref);
  g_clear_pointer (&self->voice, g_array_unref);
  g_clear_pointer (&self->transcripts, g_array_unref);
  g_clear_pointer (&self->words, g_array_unref);
  g_clear_pointer (&self->turns, g_array_unref);

  G_OBJECT_CLASS (va_annotation_model_parent_class)->finalize (object);
}

static void
va_annotation_model_class_init (VaAnnotationModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_annotation_model_finalize;
}

static void
clear_transcript (gpointer data)
{
  g_clear_pointer (&((VaTranscriptSegment *)data)->text, g_free);
}

static void
clear_word (gpointer data)
{
  g_clear_pointer (&((VaTranscriptWord *)data)->text, g_free);
}

static void
va_annotation_model_init (VaAnnotationModel *self)
{
  self->stem = g_strdup ("video");
  self->person_rate = VA_ANNOTATION_MODEL_DEFAULT_PERSON_RATE;
  self->start_time = GST_CLOCK_TIME_NONE;
  self->end_time = GST_CLOCK_TIME_NONE;
  self->pipelines = g_ptr_array_new_with_free_func (g_free);
  self->cuts = g_array_new (FALSE, FALSE, sizeof (VaSceneCut));
  self->motion = g_array_new (FALSE, FALSE, sizeof (VaMotionSample));
  self->motion_grid = g_array_new (FALSE, FALSE, sizeof (gfloat));
  for (guint i = 0; i < VA_DETECTION_N_KINDS; i++)
    self->detections[i] = g_array_new (FALSE, FALSE, sizeof (VaDetection));
  self->keypoints = g_array_new (FALSE, FALSE, sizeof (gfloat));
  self->face_attributes = g_array_new (FALSE, FALSE, sizeof (VaFaceAttributes));
  self->voice = g_array_new (FALSE, FALSE, sizeof (VaVoiceSegment));
  self->transcripts = g_array_new (FALSE, FALSE, sizeof (VaTranscriptSegment));
  g_array_set_clear_func (self->transcripts, clear_transcript);
  self->words = g_array_new (FALSE, FALSE, sizeof (VaTranscriptWord));
  g_array_set_clear_func (self->words, clear_word);
  self->turns = g_array_new (FALSE, FALSE, sizeof (VaSpeakerTurn));
}

VaAnnotationModel *
va_annotation_model_new (void)
{
  return g_object_new (VA_TYPE_ANNOTATION_MODEL, NULL);
}

/**
 * va_annotation_model_set_stem:
 * @stem: (nullable): file stem of the input; %NULL or "" resets it to "video"
 *
 * The stem names the output files and fills `video_id` fields.
 */
void
va_annotation_model_set_stem (VaAnnotationModel *self, const char *stem)
{
  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));

  g_free (self->stem);
  self->stem = g_strdup (stem != NULL && *stem != '\0' ? stem : "video");
}

const char *
va_annotation_model_get_stem (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  return self->stem;
}

/**
 * va_annotation_model_set_video_format:
 * @fps_n: frame rate numerator, 0 when variable or unknown
 * @fps_d: frame rate denominator
 */
void
va_annotation_model_set_video_format (VaAnnotationModel *self, guint width, guint height,
                                      gint fps_n, gint fps_d)
{
  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));

  self->width = width;
  self->height = height;
  self->fps_n = fps_d > 0 && fps_n > 0 ? fps_n : 0;
  self->fps_d = fps_d > 0 && fps_n > 0 ? fps_d : 1;
}

guint
va_annotation_model_get_width (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->width;
}

guint
va_annotation_model_get_height (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->height;
}

/**
 * va_annotation_model_get_fps:
 *
 * Returns: frames per second, or 0 when unknown.
 */
gdouble
va_annotation_model_get_fps (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0.0);
  return self->fps_n > 0 ? (gdouble)self->fps_n / self->fps_d : 0.0;
}

/**
 * va_annotation_model_set_person_rate:
 * @rate: frames per second whose person boxes are written; 0 for every frame
 *
 * The person files list the boxes of every Nth frame only, N = max(1,
 * int(fps / @rate)), frames 0, N, 2N, … — the frames the 1.4 service
 * analyses at `pps` @rate (its server passes 1). Tracking still runs on
 * every frame the detector sampled; only what is written is thinned, so
 * that a client drawing the boxes around a moment does not stack several
 * boxes per person.
 */
void
va_annotation_model_set_person_rate (VaAnnotationModel *self, gdouble rate)
{
  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (rate >= 0.0);
  self->person_rate = rate;
}

gdouble
va_annotation_model_get_person_rate (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0.0);
  return self->person_rate;
}

/**
 * va_annotation_model_set_provenance:
 * @provenance: (nullable): what made the file about to be written (tool,
 *   pipeline, model settings, input digest, times), or %NULL for none
 *
 * The writers put it into their file: a top-level `provenance` member in
 * JSON, a `NOTE provenance` block in WebVTT, `<file>.provenance.json`
 * beside an RTTM file.
 */
void
va_annotation_model_set_provenance (VaAnnotationModel *self, JsonObject *provenance)
{
  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_clear_pointer (&self->provenance, json_object_unref);
  if (provenance != NULL)
    self->provenance = json_object_ref (provenance);
}

/**
 * va_annotation_model_get_provenance:
 *
 * Returns: (transfer none) (nullable): see va_annotation_model_set_provenance()
 */
JsonObject *
va_annotation_model_get_provenance (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  return self->provenance;
}

/**
 * va_annotation_model_dup_provenance_json:
 *
 * Returns: (transfer full) (nullable): the provenance as one line of JSON
 */
char *
va_annotation_model_dup_provenance_json (VaAnnotationModel *self)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  if (self->provenance == NULL)
    return NULL;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, self->provenance);
  return json_to_string (node, FALSE);
}

/**
 * va_annotation_model_person_frame_written:
 *
 * Returns: whether the person boxes of @frame go into the person files
 *   (see va_annotation_model_set_person_rate())
 */
gboolean
va_annotation_model_person_frame_written (VaAnnotationModel *self, guint64 frame)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), TRUE);
  return va_annotation_rate_keeps_frame (va_annotation_model_get_fps (self), self->person_rate,
                                         frame);
}

/**
 * va_annotation_rate_keeps_frame:
 * @fps: frames per second of the stream (0 = unknown)
 * @rate: frames kept per second (0 = all)
 * @frame: 0-based frame index
 *
 * The frames kept at @rate per second: every (fps / rate)-th, rounded down,
 * from the first; all of them when either rate is unknown or 0. The person
 * files keep these frames, and vapersondetect estimates keypoints on them,
 * so that the written boxes are the ones with keypoints.
 *
 * Returns: whether @frame is kept
 */
gboolean
va_annotation_rate_keeps_frame (gdouble fps, gdouble rate, guint64 frame)
{
  guint64 step;

  if (rate <= 0.0 || fps <= 0.0)
    return TRUE;
  step = MAX (1, (guint64)(fps / rate));
  return frame % step == 0;
}

static GstClockTime
frame_duration (VaAnnotationModel *self)
{
  if (self->fps_n <= 0)
    return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale_int (GST_SECOND, self->fps_d, self->fps_n);
}

/**
 * va_annotation_model_add_frame:
 * @time: stream time of the frame, or %GST_CLOCK_TIME_NONE to derive it from
 *   the frame rate
 * @duration: duration of the frame, or %GST_CLOCK_TIME_NONE
 *
 * Counts one video frame and extends the stream's time span.
 *
 * Returns: the 0-based index of the frame.
 */
guint64
va_annotation_model_add_frame (VaAnnotationModel *self, GstClockTime time, GstClockTime duration)
{
  GstClockTime per_frame;
  GstClockTime end;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);

  per_frame = frame_duration (self);
  if (!GST_CLOCK_TIME_IS_VALID (time)) {
    if (GST_CLOCK_TIME_IS_VALID (per_frame)) {
      /* Both ends from the frame count, so that rounding does not drift. */
      time = gst_util_uint64_scale_int (self->n_frames * GST_SECOND, self->fps_d, self->fps_n);
      if (!GST_CLOCK_TIME_IS_VALID (duration))
        duration = gst_util_uint64_scale_int ((self->n_frames + 1) * GST_SECOND, self->fps_d,
                                              self->fps_n)
                   - time;
    } else if (GST_CLOCK_TIME_IS_VALID (self->end_time)) {
      time = self->end_time;
    } else {
      time = 0;
    }
  }
  if (!GST_CLOCK_TIME_IS_VALID (duration))
    duration = GST_CLOCK_TIME_IS_VALID (per_frame) ? per_frame : 0;

  if (!GST_CLOCK_TIME_IS_VALID (self->start_time) || time < self->start_time)
    self->start_time = time;
  end = time + duration;
  if (!GST_CLOCK_TIME_IS_VALID (self->end_time) || end > self->end_time)
    self->end_time = end;

  return self->n_frames++;
}

guint64
va_annotation_model_get_frame_count (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->n_frames;
}

/**
 * va_annotation_model_get_start_time:
 *
 * Returns: stream time of the earliest frame, 0 when there was none.
 */
GstClockTime
va_annotation_model_get_start_time (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return GST_CLOCK_TIME_IS_VALID (self->start_time) ? self->start_time : 0;
}

/**
 * va_annotation_model_get_end_time:
 *
 * Returns: stream time at which the last frame ends, 0 when there was none.
 */
GstClockTime
va_annotation_model_get_end_time (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return GST_CLOCK_TIME_IS_VALID (self->end_time) ? self->end_time : 0;
}

/**
 * va_annotation_model_add_pipeline:
 * @pipeline: a pipeline registry name, e.g. "scene_detection"
 *
 * Records that an analyser for @pipeline ran on this stream, so that its file
 * is written even when it found nothing.
 */
void
va_annotation_model_add_pipeline (VaAnnotationModel *self, const char *pipeline)
{
  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (pipeline != NULL);

  if (!va_annotation_model_has_pipeline (self, pipeline))
    g_ptr_array_add (self->pipelines, g_strdup (pipeline));
}

gboolean
va_annotation_model_has_pipeline (VaAnnotationModel *self, const char *pipeline)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), FALSE);
  g_return_val_if_fail (pipeline != NULL, FALSE);

  return g_ptr_array_find_with_equal_func (self->pipelines, pipeline, g_str_equal, NULL);
}

/**
 * va_annotation_model_add_scene_cut:
 * @frame: index of the first frame of the new scene
 * @time: stream time of that frame
 * @score: cut score on the 0–100 scale
 * @transition: how the scene was reached
 *
 * A cut on frame 0 is ignored (the first scene always starts there), as is a
 * second cut on the same frame.
 */
void
va_annotation_model_add_scene_cut (VaAnnotationModel *self, guint64 frame, GstClockTime time,
                                   gdouble score, VaSceneTransition transition)
{
  VaSceneCut cut = { frame, time, score, transition };
  guint i;

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));

  if (frame == 0)
    return;
  /* Cuts arrive in order; keep the array sorted if one does not. */
  for (i = self->cuts->len; i > 0; i--) {
    const VaSceneCut *prev = &g_array_index (self->cuts, VaSceneCut, i - 1);
    if (prev->frame == frame)
      return;
    if (prev->frame < frame)
      break;
  }
  g_array_insert_val (self->cuts, i, cut);
}

guint
va_annotation_model_get_n_cuts (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->cuts->len;
}

/**
 * va_annotation_model_dup_scenes:
 *
 * Scenes are contiguous: the first starts at the first frame, each cut starts
 * the next, the last ends with the stream. Without any cut the whole stream
 * is one scene; without any frame there is no scene. Cuts past the last
 * counted frame are dropped.
 *
 * Returns: (transfer full) (element-type VaScene): the scenes in order.
 */
GArray *
va_annotation_model_dup_scenes (VaAnnotationModel *self)
{
  g_autoptr (GArray) scenes = g_array_new (FALSE, TRUE, sizeof (VaScene));
  VaScene current = { 0 };
  guint i;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);

  if (self->n_frames == 0)
    return g_steal_pointer (&scenes);

  current.start = va_annotation_model_get_start_time (self);
  current.transition = VA_SCENE_TRANSITION_CUT;
  for (i = 0; i < self->cuts->len; i++) {
    const VaSceneCut *cut = &g_array_index (self->cuts, VaSceneCut, i);

    if (cut->frame >= self->n_frames)
      break;
    current.frame_end = cut->frame;
    current.end = MAX (cut->time, current.start);
    g_array_append_val (scenes, current);

    current.index++;
    current.frame_start = cut->frame;
    current.start = current.end;
    current.score = cut->score;
    current.transition = cut->transition;
  }
  current.frame_end = self->n_frames;
  current.end = MAX (va_annotation_model_get_end_time (self), current.start);
  g_array_append_val (scenes, current);

  return g_steal_pointer (&scenes);
}

/**
 * va_annotation_model_add_motion:
 * @frame: 0-based frame index
 * @time: stream time of the frame
 * @energy: motion energy in [0, 1]
 * @moving_fraction: share of changed sample points in [0, 1]
 * @grid_rows: rows of @grid (0 for none)
 * @grid_cols: columns of @grid (0 for none)
 * @grid: (array) (nullable): @grid_rows × @grid_cols values, copied
 */
void
va_annotation_model_add_motion (VaAnnotationModel *self, guint64 frame, GstClockTime time,
                                gdouble energy, gdouble moving_fraction, guint grid_rows,
                                guint grid_cols, const gfloat *grid)
{
  VaMotionSample sample = { frame, time, energy, moving_fraction, 0, 0, 0 };

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));

  if (grid != NULL && grid_rows > 0 && grid_cols > 0) {
    sample.grid_rows = grid_rows;
    sample.grid_cols = grid_cols;
    sample.grid_offset = self->motion_grid->len;
    g_array_append_vals (self->motion_grid, grid, grid_rows * grid_cols);
  }
  g_array_append_val (self->motion, sample);
}

guint
va_annotation_model_get_n_motion (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->motion->len;
}

const VaMotionSample *
va_annotation_model_get_motion (VaAnnotationModel *self, guint index)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->motion->len, NULL);
  return &g_array_index (self->motion, VaMotionSample, index);
}

/**
 * va_annotation_model_get_motion_grid:
 *
 * Returns: (nullable) (array): the grid of sample @index (grid_rows ×
 *   grid_cols values, row-major), or %NULL when it has none.
 */
const gfloat *
va_annotation_model_get_motion_grid (VaAnnotationModel *self, guint index)
{
  const VaMotionSample *sample;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->motion->len, NULL);

  sample = &g_array_index (self->motion, VaMotionSample, index);
  if (sample->grid_rows == 0)
    return NULL;
  return &g_array_index (self->motion_grid, gfloat, sample->grid_offset);
}

/**
 * va_annotation_model_add_detection:
 * @kind: face or person
 * @detection: the box; its @backend is interned, the struct copied
 *
 * Records one detected object. Detections are kept in the order added,
 * which for a sink is frame order.
 */
void
va_annotation_model_add_detection (VaAnnotationModel *self, VaDetectionKind kind,
                                   const VaDetection *detection)
{
  va_annotation_model_add_detection_keypoints (self, kind, detection, NULL);
}

/**
 * va_annotation_model_add_detection_keypoints:
 * @kind: face or person
 * @detection: the box; its @backend is interned, the struct copied
 * @keypoints: (nullable) (array fixed-size=51): the object's keypoints as
 *   #VA_KEYPOINT_VALUES numbers (x, y, v per keypoint), copied
 *
 * Records one detected object with its keypoints.
 */
void
va_annotation_model_add_detection_keypoints (VaAnnotationModel *self, VaDetectionKind kind,
                                             const VaDetection *detection, const gfloat *keypoints)
{
  VaDetection copy;

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail ((guint)kind < VA_DETECTION_N_KINDS);
  g_return_if_fail (detection != NULL);

  copy = *detection;
  copy.backend = detection->backend != NULL ? g_intern_string (detection->backend) : NULL;
  copy.keypoints = 0;
  copy.attributes = 0;
  if (keypoints != NULL) {
    copy.keypoints = 1 + self->keypoints->len / VA_KEYPOINT_VALUES;
    g_array_append_vals (self->keypoints, keypoints, VA_KEYPOINT_VALUES);
  }
  g_array_append_val (self->detections[kind], copy);
}

/**
 * va_annotation_model_set_last_face_attributes:
 * @attributes: what was estimated from the face, copied
 *
 * Attaches @attributes to the face detection added last (none: ignored).
 */
void
va_annotation_model_set_last_face_attributes (VaAnnotationModel *self,
                                              const VaFaceAttributes *attributes)
{
  GArray *faces;

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (attributes != NULL);

  faces = self->detections[VA_DETECTION_FACE];
  if (faces->len == 0)
    return;
  g_array_append_val (self->face_attributes, *attributes);
  g_array_index (faces, VaDetection, faces->len - 1).attributes = self->face_attributes->len;
}

/**
 * va_annotation_model_get_face_attributes:
 *
 * Returns: (transfer none) (nullable): the attributes of the @index-th face
 *   detection, %NULL when it has none
 */
const VaFaceAttributes *
va_annotation_model_get_face_attributes (VaAnnotationModel *self, guint index)
{
  const VaDetection *d = va_annotation_model_get_detection (self, VA_DETECTION_FACE, index);

  if (d == NULL || d->attributes == 0)
    return NULL;
  return &g_array_index (self->face_attributes, VaFaceAttributes, d->attributes - 1);
}

/**
 * va_annotation_model_get_keypoints:
 *
 * Returns: (transfer none) (nullable) (array fixed-size=51): the keypoints
 *   of the @index-th detection of @kind, %NULL when it has none
 */
const gfloat *
va_annotation_model_get_keypoints (VaAnnotationModel *self, VaDetectionKind kind, guint index)
{
  const VaDetection *d = va_annotation_model_get_detection (self, kind, index);

  if (d == NULL || d->keypoints == 0)
    return NULL;
  return &g_array_index (self->keypoints, gfloat, (d->keypoints - 1) * VA_KEYPOINT_VALUES);
}

guint
va_annotation_model_get_n_detections (VaAnnotationModel *self, VaDetectionKind kind)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  g_return_val_if_fail ((guint)kind < VA_DETECTION_N_KINDS, 0);

  return self->detections[kind]->len;
}

/**
 * va_annotation_model_get_detection:
 *
 * Returns: (transfer none): the @index-th detection of @kind
 */
const VaDetection *
va_annotation_model_get_detection (VaAnnotationModel *self, VaDetectionKind kind, guint index)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail ((guint)kind < VA_DETECTION_N_KINDS, NULL);
  g_return_val_if_fail (index < self->detections[kind]->len, NULL);

  return &g_array_index (self->detections[kind], VaDetection, index);
}

G_STATIC_ASSERT (G_STRUCT_OFFSET (VaVoiceSegment, start) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (VaTranscriptSegment, start) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (VaSpeakerTurn, start) == 0);

/* Index at which a record starting at @start keeps @array (whose elements
 * begin with a GstClockTime start) in start order; equal starts keep their
 * arrival order. Records normally arrive in order, so search from the end. */
static guint
sorted_position (GArray *array, gsize element_size, GstClockTime start)
{
  guint i;

  for (i = array->len; i > 0; i--) {
    const GstClockTime *prev = (const GstClockTime *)(array->data + (i - 1) * element_size);
    if (*prev <= start)
      break;
  }
  return i;
}

/**
 * va_annotation_model_add_voice_segment:
 * @start: stream time where speech starts
 * @end: stream time where it ends (not before @start)
 */
void
va_annotation_model_add_voice_segment (VaAnnotationModel *self, GstClockTime start,
                                       GstClockTime end)
{
  VaVoiceSegment seg = { start, end };

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end));
  g_return_if_fail (end >= start);

  g_array_insert_val (self->voice, sorted_position (self->voice, sizeof seg, start), seg);
}

guint
va_annotation_model_get_n_voice_segments (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->voice->len;
}

const VaVoiceSegment *
va_annotation_model_get_voice_segment (VaAnnotationModel *self, guint index)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->voice->len, NULL);
  return &g_array_index (self->voice, VaVoiceSegment, index);
}

/**
 * va_annotation_model_add_transcript:
 * @start: stream time where the utterance starts
 * @end: stream time where it ends (not before @start)
 * @words: (array length=n_words): the recognized words, copied
 */
void
va_annotation_model_add_transcript (VaAnnotationModel *self, GstClockTime start, GstClockTime end,
                                    const VaTranscriptWord *words, guint n_words)
{
  VaTranscriptSegment seg = { start, end, NULL, n_words, 0 };
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end));
  g_return_if_fail (end >= start);
  g_return_if_fail (words != NULL || n_words == 0);

  seg.first_word = self->words->len;
  for (guint i = 0; i < n_words; i++) {
    VaTranscriptWord word = words[i];

    word.text = g_strdup (words[i].text);
    g_array_append_val (self->words, word);
    if (i > 0)
      g_string_append_c (text, ' ');
    g_string_append (text, words[i].text);
  }
  seg.text = g_string_free (g_steal_pointer (&text), FALSE);
  g_array_insert_val (self->transcripts, sorted_position (self->transcripts, sizeof seg, start),
                      seg);
}

guint
va_annotation_model_get_n_transcripts (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->transcripts->len;
}

const VaTranscriptSegment *
va_annotation_model_get_transcript (VaAnnotationModel *self, guint index)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->transcripts->len, NULL);
  return &g_array_index (self->transcripts, VaTranscriptSegment, index);
}

/**
 * va_annotation_model_get_transcript_words:
 *
 * Returns: (array): the `n_words` words of transcript @index, or %NULL when
 *   it has none.
 */
const VaTranscriptWord *
va_annotation_model_get_transcript_words (VaAnnotationModel *self, guint index)
{
  const VaTranscriptSegment *seg;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->transcripts->len, NULL);

  seg = &g_array_index (self->transcripts, VaTranscriptSegment, index);
  if (seg->n_words == 0)
    return NULL;
  return &g_array_index (self->words, VaTranscriptWord, seg->first_word);
}

/**
 * va_annotation_model_add_speaker_turn:
 * @start: stream time where the turn starts
 * @end: stream time where it ends (not before @start)
 * @speaker: 0-based speaker index
 */
void
va_annotation_model_add_speaker_turn (VaAnnotationModel *self, GstClockTime start, GstClockTime end,
                                      guint speaker)
{
  VaSpeakerTurn turn = { start, end, speaker };

  g_return_if_fail (VA_IS_ANNOTATION_MODEL (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end));
  g_return_if_fail (end >= start);

  g_array_insert_val (self->turns, sorted_position (self->turns, sizeof turn, start), turn);
}

guint
va_annotation_model_get_n_speaker_turns (VaAnnotationModel *self)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), 0);
  return self->turns->len;
}

const VaSpeakerTurn *
va_annotation_model_get_speaker_turn (VaAnnotationModel *self, guint index)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), NULL);
  g_return_val_if_fail (index < self->turns->len, NULL);
  return &g_array_index (self->turns, VaSpeakerTurn, index);
}

/**
 * va_annotation_model_find_speaker:
 * @start: start of a stretch of stream time
 * @end: its end
 *
 * The speaker who talks longest within [@start, @end]; for an instant
 * (@start == @end), the speaker whose turn contains it.
 *
 * Returns: the speaker index, or -1 when no turn overlaps.
 */
gint
va_annotation_model_find_speaker (VaAnnotationModel *self, GstClockTime start, GstClockTime end)
{
  g_autoptr (GArray) talk = g_array_new (FALSE, TRUE, sizeof (GstClockTime));
  gint best = -1;
  GstClockTime best_time = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (self), -1);

  for (guint i = 0; i < self->turns->len; i++) {
    const VaSpeakerTurn *turn = &g_array_index (self->turns, VaSpeakerTurn, i);
    GstClockTime from = MAX (start, turn->start);
    GstClockTime to = MIN (end, turn->end);

    if (turn->start > end)
      break;
    if (from > to || (from == to && start != end))
      continue;
    if (turn->speaker >= talk->len)
      g_array_set_size (talk, turn->speaker + 1);
    g_array_index (talk, GstClockTime, turn->speaker) += to - from;
    if (best < 0 || g_array_index (talk, GstClockTime, turn->speaker) > best_time) {
      best = turn->speaker;
      best_time = g_array_index (talk, GstClockTime, turn->speaker);
    }
  }
  return best;
}
