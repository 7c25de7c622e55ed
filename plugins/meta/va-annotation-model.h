/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "va-scene-cut-meta.h"
#include "va-transcript-meta.h"

G_BEGIN_DECLS

/*
 * VaAnnotationModel collects what the analysers found in one stream: facts
 * about the stream (stem, frame size, rate, frame count, time span) and one
 * list of records per kind. Writers (va-coco-writer, va-csv-writer, ...) turn
 * it into files.
 *
 * A new kind of result (face or person detections, voice segments, words,
 * speaker turns) adds: a record struct below, an add function, accessors, and
 * a GArray in the instance; no existing kind changes. Not thread-safe: one
 * model belongs to one streaming thread (one sink).
 */

#define VA_TYPE_ANNOTATION_MODEL (va_annotation_model_get_type ())
G_DECLARE_FINAL_TYPE (VaAnnotationModel, va_annotation_model, VA, ANNOTATION_MODEL, GObject)

/**
 * VaScene:
 * @index: 0-based scene number.
 * @frame_start: first frame of the scene (0-based frame index of the stream).
 * @frame_end: first frame after the scene (exclusive), i.e. the next scene's
 *   @frame_start, or the frame count for the last scene.
 * @start: stream time of @frame_start.
 * @end: the next scene's @start, or the end of the last frame for the last
 *   scene.
 * @score: the cut score that started the scene (0 for the first scene).
 * @transition: how the scene was reached (%VA_SCENE_TRANSITION_CUT for the
 *   first scene).
 *
 * A scene, derived from the stream facts and the recorded cuts.
 */
typedef struct {
  guint index;
  guint64 frame_start;
  guint64 frame_end;
  GstClockTime start;
  GstClockTime end;
  gdouble score;
  VaSceneTransition transition;
} VaScene;

/**
 * VaMotionSample:
 * @frame: 0-based frame index.
 * @time: stream time of the frame.
 * @energy: motion energy in [0, 1] (see #VaMotionMeta).
 * @moving_fraction: share of changed sample points in [0, 1].
 * @grid_rows: rows of the grid (0 when none).
 * @grid_cols: columns of the grid (0 when none).
 *
 * One analysed frame of motion; its grid values are read with
 * va_annotation_model_get_motion_grid().
 */
typedef struct {
  guint64 frame;
  GstClockTime time;
  gdouble energy;
  gdouble moving_fraction;
  guint grid_rows;
  guint grid_cols;
  /*< private >*/
  guint grid_offset;
} VaMotionSample;

/**
 * VaDetectionKind:
 * @VA_DETECTION_FACE: a face (roi_type "face")
 * @VA_DETECTION_PERSON: a person (roi_type "person")
 */
typedef enum {
  VA_DETECTION_FACE,
  VA_DETECTION_PERSON,
} VaDetectionKind;

#define VA_DETECTION_N_KINDS 2

/**
 * VaDetection:
 * @frame: 0-based frame index.
 * @time: stream time of the frame.
 * @x: left edge in pixels.
 * @y: top edge in pixels.
 * @width: width in pixels.
 * @height: height in pixels.
 * @confidence: detector confidence in [0, 1].
 * @track_id: id of the track the box belongs to (> 0), or 0 when the
 *   detector gave none.
 * @backend: (nullable): model family that found it, e.g. "opencv-lbp"
 *   (an interned string).
 *
 * One detected object on one frame (from a GstVideoRegionOfInterestMeta).
 * A person's body keypoints, when it has them, are read with
 * va_annotation_model_get_keypoints().
 */
typedef struct {
  guint64 frame;
  GstClockTime time;
  gdouble x;
  gdouble y;
  gdouble width;
  gdouble height;
  gdouble confidence;
  gint track_id;
  const char *backend;
  /*< private >*/
  guint keypoints;  /* 0: none; otherwise 1 + index in the model's keypoint sets */
  guint attributes; /* 0: none; otherwise 1 + index in the model's face attributes */
} VaDetection;

/* The seven emotions of FER-2013, in the emotion model's order, named as
 * the reference face pipeline names them. */
#define VA_FACE_N_EMOTIONS 7
extern const char *const va_face_emotion_names[VA_FACE_N_EMOTIONS];

/**
 * VaFaceAttributes:
 * @has_emotion: whether @emotion_scores holds an estimate
 * @emotion_scores: one probability per va_face_emotion_names entry (sum 1)
 * @has_age: whether @age holds an estimate
 * @age: estimated age in years
 * @has_gender: whether @man holds an estimate
 * @man: estimated probability that the face is a man's (0..1)
 *
 * What vafacedetect estimated from one face crop.
 */
typedef struct {
  gboolean has_emotion;
  gfloat emotion_scores[VA_FACE_N_EMOTIONS];
  gboolean has_age;
  gfloat age;
  gboolean has_gender;
  gfloat man;
} VaFaceAttributes;

/* A person's 17 COCO keypoints as COCO writes them: x, y (frame pixels) and
 * v (2 = labelled and visible, 0 = not labelled, then x = y = 0). */
#define VA_KEYPOINT_VALUES (17 * 3)

/**
 * VaVoiceSegment:
 * @start: stream time of the first speech sample.
 * @end: stream time just after the last speech sample.
 *
 * One stretch of voice activity (from #VaVoiceSegmentMeta).
 */
typedef struct {
  GstClockTime start;
  GstClockTime end;
} VaVoiceSegment;

/**
 * VaTranscriptSegment:
 * @start: stream time where the utterance starts.
 * @end: stream time where it ends.
 * @text: the words joined by spaces.
 * @n_words: number of words, read with va_annotation_model_get_transcript_words().
 *
 * One recognized utterance (from #VaTranscriptMeta).
 */
typedef struct {
  GstClockTime start;
  GstClockTime end;
  char *text;
  guint n_words;
  /*< private >*/
  guint first_word;
} VaTranscriptSegment;

/**
 * VaSpeakerTurn:
 * @start: stream time where the turn starts.
 * @end: stream time where it ends.
 * @speaker: 0-based speaker index (`SPEAKER_NN`).
 *
 * One speaker turn (from #VaSpeakerTurnMeta).
 */
typedef struct {
  GstClockTime start;
  GstClockTime end;
  guint speaker;
} VaSpeakerTurn;

VaAnnotationModel *va_annotation_model_new (void);

/* Stream facts */
void va_annotation_model_set_stem (VaAnnotationModel *self, const char *stem);
const char *va_annotation_model_get_stem (VaAnnotationModel *self);
void va_annotation_model_set_video_format (VaAnnotationModel *self, guint width, guint height,
                                           gint fps_n, gint fps_d);
guint va_annotation_model_get_width (VaAnnotationModel *self);
guint va_annotation_model_get_height (VaAnnotationModel *self);
gdouble va_annotation_model_get_fps (VaAnnotationModel *self);

/* the 1.4 service's server analyses persons at 1 frame per second */
#define VA_ANNOTATION_MODEL_DEFAULT_PERSON_RATE 1.0
void va_annotation_model_set_person_rate (VaAnnotationModel *self, gdouble rate);
gdouble va_annotation_model_get_person_rate (VaAnnotationModel *self);
gboolean va_annotation_model_person_frame_written (VaAnnotationModel *self, guint64 frame);
gboolean va_annotation_rate_keeps_frame (gdouble fps, gdouble rate, guint64 frame);
void va_annotation_model_set_provenance (VaAnnotationModel *self, JsonObject *provenance);
JsonObject *va_annotation_model_get_provenance (VaAnnotationModel *self);
char *va_annotation_model_dup_provenance_json (VaAnnotationModel *self);
guint64 va_annotation_model_add_frame (VaAnnotationModel *self, GstClockTime time,
                                       GstClockTime duration);
guint64 va_annotation_model_get_frame_count (VaAnnotationModel *self);
GstClockTime va_annotation_model_get_start_time (VaAnnotationModel *self);
GstClockTime va_annotation_model_get_end_time (VaAnnotationModel *self);

/* Which analysers announced themselves upstream (pipeline registry names). */
void va_annotation_model_add_pipeline (VaAnnotationModel *self, const char *pipeline);
gboolean va_annotation_model_has_pipeline (VaAnnotationModel *self, const char *pipeline);

/* Scenes */
void va_annotation_model_add_scene_cut (VaAnnotationModel *self, guint64 frame, GstClockTime time,
                                        gdouble score, VaSceneTransition transition);
guint va_annotation_model_get_n_cuts (VaAnnotationModel *self);
GArray *va_annotation_model_dup_scenes (VaAnnotationModel *self);

/* Motion */
void va_annotation_model_add_motion (VaAnnotationModel *self, guint64 frame, GstClockTime time,
                                     gdouble energy, gdouble moving_fraction, guint grid_rows,
                                     guint grid_cols, const gfloat *grid);
guint va_annotation_model_get_n_motion (VaAnnotationModel *self);
const VaMotionSample *va_annotation_model_get_motion (VaAnnotationModel *self, guint index);
const gfloat *va_annotation_model_get_motion_grid (VaAnnotationModel *self, guint index);

/* Face and person detections */
void va_annotation_model_add_detection (VaAnnotationModel *self, VaDetectionKind kind,
                                        const VaDetection *detection);
void va_annotation_model_add_detection_keypoints (VaAnnotationModel *self, VaDetectionKind kind,
                                                  const VaDetection *detection,
                                                  const gfloat *keypoints);
void va_annotation_model_set_last_face_attributes (VaAnnotationModel *self,
                                                   const VaFaceAttributes *attributes);
const VaFaceAttributes *va_annotation_model_get_face_attributes (VaAnnotationModel *self,
                                                                 guint index);
const gfloat *va_annotation_model_get_keypoints (VaAnnotationModel *self, VaDetectionKind kind,
                                                 guint index);
guint va_annotation_model_get_n_detections (VaAnnotationModel *self, VaDetectionKind kind);
const VaDetection *va_annotation_model_get_detection (VaAnnotationModel *self, VaDetectionKind kind,
                                                      guint index);

/* Voice activity, kept in start-time order */
void va_annotation_model_add_voice_segment (VaAnnotationModel *self, GstClockTime start,
                                            GstClockTime end);
guint va_annotation_model_get_n_voice_segments (VaAnnotationModel *self);
const VaVoiceSegment *va_annotation_model_get_voice_segment (VaAnnotationModel *self, guint index);

/* Transcript, kept in start-time order */
void va_annotation_model_add_transcript (VaAnnotationModel *self, GstClockTime start,
                                         GstClockTime end, const VaTranscriptWord *words,
                                         guint n_words);
guint va_annotation_model_get_n_transcripts (VaAnnotationModel *self);
const VaTranscriptSegment *va_annotation_model_get_transcript (VaAnnotationModel *self,
                                                               guint index);
const VaTranscriptWord *va_annotation_model_get_transcript_words (VaAnnotationModel *self,
                                                                  guint index);

/* Speaker turns, kept in start-time order */
void va_annotation_model_add_speaker_turn (VaAnnotationModel *self, GstClockTime start,
                                           GstClockTime end, guint speaker);
guint va_annotation_model_get_n_speaker_turns (VaAnnotationModel *self);
const VaSpeakerTurn *va_annotation_model_get_speaker_turn (VaAnnotationModel *self, guint index);
gint va_annotation_model_find_speaker (VaAnnotationModel *self, GstClockTime start,
                                       GstClockTime end);

G_END_DECLS
