/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-vaannotationsink
 * @title: vaannotationsink
 *
 * Collects the annotations that VideoAnnotator's analysers attached to the
 * buffers of one branch (video or audio) and, at end of stream, writes them as
 * the standard files of VideoAnnotator 1.4 into the `location` directory:
 *
 * - `scene_detection`: `<stem>_scene_detection.json`, COCO, one annotation per
 *   scene (a stream without a cut is one scene);
 * - `motion_analysis`: `<stem>_motion_analysis.csv`, one row per analysed
 *   frame: frame, timestamp, energy, moving_fraction[, grid_r<R>_c<C>...];
 * - `face_analysis`: `<stem>_face_detections.json`, COCO, one annotation per
 *   face region-of-interest meta (category 100 "face");
 * - `person_tracking`: `<stem>_person_tracking.json`, COCO, one annotation per
 *   person region-of-interest meta of every `person-rate`-th second's frame
 *   (category 1 "person", with track and person ids), and
 *   `<stem>_person_tracks.json`, the list of person tracks;
 * - `voice_activity`: `<stem>_voice_activity.csv`, one row per voice segment:
 *   start, end, duration (seconds);
 * - `speech_recognition`: `<stem>_speech_recognition.vtt`, WebVTT, one
 *   numbered cue per utterance;
 * - `speaker_diarization`: `<stem>_speaker_diarization.rttm`, RTTM, one
 *   SPEAKER line per turn;
 * - `audio_processing`: the same two files, named
 *   `<stem>_audio_processing.vtt` and `<stem>_audio_processing.rttm`.
 *
 * Frame numbers count the buffers this sink received (from 0); times are
 * stream times in seconds, from the buffer timestamps. Width, height and
 * frame rate come from the caps.
 *
 * `pipelines` selects which files to write; a selected pipeline always gets
 * its file, even when nothing was found. Unset, the sink writes the file of
 * every pipeline whose analyser ran upstream (analysers announce themselves
 * with a sticky event). The directory is created (mode 0750) if missing;
 * files are replaced atomically and get mode 0640.
 *
 * After writing, and before the end-of-stream reaches the bus, the sink posts
 * an element message named `videoannotator-outputs` with these fields:
 *
 * - #GstValueArray `pipelines`: the pipeline of each file written (strings).
 * - #GstValueArray `files`: absolute paths of the files, same order.
 * - #GstValueArray `annotation-counts`: #guint number of annotations (scenes,
 *   CSV rows, ...) in each file, same order.
 *
 * A missing or unusable `location`, an invalid `stem`, an unknown pipeline
 * name or a failed write is a %GST_RESOURCE_ERROR. The sink does not
 * synchronise to the clock by default (`sync` is %FALSE): it is meant to
 * process files as fast as they decode.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! vascenedetect ! vamotion ! \
 *     vaannotationsink location=out pipelines=scene_detection,motion_analysis
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "va-annotation-sink.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>

#include "va-meta.h"

GST_DEBUG_CATEGORY_STATIC (va_annotation_sink_debug);
#define GST_CAT_DEFAULT va_annotation_sink_debug

#define OUTPUT_DIR_MODE 0750

struct _VaAnnotationSink {
  GstBaseSink parent_instance;

  /* properties, under the object lock */
  char *location;
  char *stem;
  char *pipelines;
  gdouble person_rate;
  char *provenance;

  /* streaming thread only, set up in start() */
  char *directory; /* absolute */
  GStrv selected;  /* NULL: every announced pipeline */
  VaAnnotationModel *model;
  JsonObject *run; /* the parsed `provenance`, or NULL */
  gboolean is_video;
  gboolean stem_known;
};

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_STEM,
  PROP_PIPELINES,
  PROP_PERSON_RATE,
  PROP_PROVENANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaAnnotationSink, va_annotation_sink, GST_TYPE_BASE_SINK)
GST_ELEMENT_REGISTER_DEFINE (vaannotationsink, "vaannotationsink", GST_RANK_NONE,
                             VA_TYPE_ANNOTATION_SINK);

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

/* A stem becomes part of a file name: one path component, not "." or "..". */
static gboolean
stem_is_valid (const char *stem)
{
  return stem != NULL && *stem != '\0' && strchr (stem, G_DIR_SEPARATOR) == NULL
         && strcmp (stem, ".") != 0 && strcmp (stem, "..") != 0;
}

static char *
known_pipelines (void)
{
  g_autoptr (GString) names = g_string_new (NULL);
  const VaAnnotationOutput *outputs;
  guint n;

  outputs = va_annotation_output_get_all (&n);
  for (guint i = 0; i < n; i++) {
    if (i > 0 && g_str_equal (outputs[i].pipeline, outputs[i - 1].pipeline))
      continue;
    g_string_append_printf (names, "%s%s", names->len ? ", " : "", outputs[i].pipeline);
  }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
va_annotation_sink_start (GstBaseSink *sink)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (sink);
  g_autofree char *location = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *pipelines = NULL;
  g_autoptr (GPtrArray) selected = NULL;
  g_autofree char *provenance = NULL;
  g_autoptr (JsonNode) run = NULL;
  gdouble person_rate;

  GST_OBJECT_LOCK (self);
  person_rate = self->person_rate;
  provenance = g_strdup (self->provenance);
  location = g_strdup (self->location);
  stem = g_strdup (self->stem);
  pipelines = g_strdup (self->pipelines);
  GST_OBJECT_UNLOCK (self);

  if (location == NULL || *location == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, (_ ("No output directory given.")),
                       ("set the \"location\" property"));
    return FALSE;
  }
  if (stem != NULL && !stem_is_valid (stem)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, (_ ("Invalid file stem \"%s\"."), stem),
                       ("a stem is one file name component, not empty, \".\" or \"..\""));
    return FALSE;
  }

  if (pipelines != NULL) {
    g_auto (GStrv) names = g_strsplit (pipelines, ",", -1);

    selected = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; names[i] != NULL; i++) {
      char *name = g_strstrip (names[i]);

      if (*name == '\0')
        continue;
      if (!va_annotation_output_is_known (name)) {
        g_autofree char *known = known_pipelines ();
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
                           (_ ("Unknown annotation pipeline \"%s\"."), name),
                           ("known pipelines: %s", known));
        return FALSE;
      }
      if (!g_ptr_array_find_with_equal_func (selected, name, g_str_equal, NULL))
        g_ptr_array_add (selected, g_strdup (name));
    }
    g_ptr_array_add (selected, NULL);
  }

  if (provenance != NULL) {
    g_autoptr (GError) error = NULL;

    run = json_from_string (provenance, &error);
    if (run == NULL || !JSON_NODE_HOLDS_OBJECT (run)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, (_ ("Invalid provenance.")),
                         ("%s", error != NULL ? error->message : "not a JSON object"));
      return FALSE;
    }
  }

  g_free (self->directory);
  self->directory = g_canonicalize_filename (location, NULL);
  if (g_mkdir_with_parents (self->directory, OUTPUT_DIR_MODE) != 0) {
    int saved = errno;
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
                       (_ ("Could not create output directory \"%s\"."), self->directory),
                       ("%s", g_strerror (saved)));
    return FALSE;
  }
  if (g_access (self->directory, W_OK | X_OK) != 0) {
    int saved = errno;
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
                       (_ ("Output directory \"%s\" is not writable."), self->directory),
                       ("%s", g_strerror (saved)));
    return FALSE;
  }

  g_clear_pointer (&self->selected, g_strfreev);
  if (selected != NULL)
    self->selected = (GStrv)g_ptr_array_steal (selected, NULL);
  g_clear_object (&self->model);
  self->model = va_annotation_model_new ();
  va_annotation_model_set_person_rate (self->model, person_rate);
  g_clear_pointer (&self->run, json_object_unref);
  if (run != NULL)
    self->run = json_object_ref (json_node_get_object (run));
  self->stem_known = stem != NULL;
  if (stem != NULL)
    va_annotation_model_set_stem (self->model, stem);
  self->is_video = FALSE;
  return TRUE;
}

static gboolean
va_annotation_sink_stop (GstBaseSink *sink)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (sink);

  g_clear_object (&self->model);
  g_clear_pointer (&self->run, json_object_unref);
  g_clear_pointer (&self->selected, g_strfreev);
  g_clear_pointer (&self->directory, g_free);
  return TRUE;
}

static gboolean
va_annotation_sink_set_caps (GstBaseSink *sink, GstCaps *caps)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (sink);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  GstVideoInfo info;

  self->is_video = gst_structure_has_name (s, "video/x-raw");
  if (self->is_video) {
    if (!gst_video_info_from_caps (&info, caps)) {
      GST_ERROR_OBJECT (self, "invalid video caps %" GST_PTR_FORMAT, caps);
      return FALSE;
    }
    va_annotation_model_set_video_format (
        self->model, GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
        GST_VIDEO_INFO_FPS_N (&info), GST_VIDEO_INFO_FPS_D (&info));
  }
  return TRUE;
}

/* Without a `stem` property the stem is the upstream file's name without its
 * extension, from a URI query (answered by filesrc through decodebin). */
static void
resolve_stem (VaAnnotationSink *self)
{
  g_autoptr (GstQuery) query = gst_query_new_uri ();
  g_autofree char *uri = NULL;
  g_autofree char *location = NULL;
  g_autofree char *base = NULL;
  char *dot;

  self->stem_known = TRUE;
  if (!gst_pad_peer_query (GST_BASE_SINK_PAD (self), query))
    return;
  gst_query_parse_uri (query, &uri);
  if (uri == NULL || (location = gst_uri_get_location (uri)) == NULL)
    return;
  base = g_path_get_basename (location);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  if (stem_is_valid (base))
    va_annotation_model_set_stem (self->model, base);
  GST_DEBUG_OBJECT (self, "stem \"%s\" from %s", va_annotation_model_get_stem (self->model), uri);
}

typedef void (*CollectFunc) (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime t);

static void
collect_scene_cut (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  VaSceneCutMeta *cut = (VaSceneCutMeta *)meta;

  va_annotation_model_add_scene_cut (self->model, frame, time, cut->score, cut->transition);
}

static void
collect_motion (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  VaMotionMeta *motion = (VaMotionMeta *)meta;

  va_annotation_model_add_motion (self->model, frame, time, motion->energy, motion->moving_fraction,
                                  motion->grid_rows, motion->grid_cols, motion->grid);
}

/* Faces and persons arrive as standard region-of-interest metas; ours carry
 * a "detection" structure (confidence, track-id, backend, and for persons
 * with keypoints `keypoints`: COCO's x, y, v of the 17 keypoints). Other
 * elements' ROI metas of these types (e.g. facedetect's) have none:
 * confidence 1.0, no track. */
/* vafacedetect's `emotion-scores`, `age` and `gender` / `gender-confidence`
 * fields, when the face has them. */
static void
collect_face_attributes (VaAnnotationSink *self, const GstStructure *s)
{
  VaFaceAttributes a = { 0 };
  const GValue *scores = gst_structure_get_value (s, "emotion-scores");
  const char *gender = gst_structure_get_string (s, "gender");
  double age, confidence;

  if (scores != NULL && GST_VALUE_HOLDS_ARRAY (scores)
      && gst_value_array_get_size (scores) == VA_FACE_N_EMOTIONS) {
    a.has_emotion = TRUE;
    for (guint i = 0; i < VA_FACE_N_EMOTIONS; i++) {
      const GValue *v = gst_value_array_get_value (scores, i);

      a.has_emotion = a.has_emotion && G_VALUE_HOLDS_DOUBLE (v);
      a.emotion_scores[i] = a.has_emotion ? (gfloat)g_value_get_double (v) : 0.0f;
    }
  }
  if (gst_structure_get_double (s, "age", &age)) {
    a.has_age = TRUE;
    a.age = (gfloat)age;
  }
  if (gender != NULL && gst_structure_get_double (s, "gender-confidence", &confidence)
      && (g_str_equal (gender, "Man") || g_str_equal (gender, "Woman"))) {
    a.has_gender = TRUE;
    a.man = (gfloat)(g_str_equal (gender, "Man") ? confidence : 1.0 - confidence);
  }
  if (a.has_emotion || a.has_age || a.has_gender)
    va_annotation_model_set_last_face_attributes (self->model, &a);
}

static void
collect_roi (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
  const char *type = g_quark_to_string (roi->roi_type);
  GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, "detection");
  VaDetection d = {
    .frame = frame,
    .time = time,
    .x = roi->x,
    .y = roi->y,
    .width = roi->w,
    .height = roi->h,
    .confidence = 1.0,
  };
  VaDetectionKind kind;
  const GValue *array = NULL;
  gfloat keypoints[VA_KEYPOINT_VALUES];
  gboolean have_keypoints = FALSE;

  if (g_strcmp0 (type, "face") == 0)
    kind = VA_DETECTION_FACE;
  else if (g_strcmp0 (type, "person") == 0)
    kind = VA_DETECTION_PERSON;
  else
    return;
  if (s != NULL) {
    gst_structure_get_double (s, "confidence", &d.confidence);
    gst_structure_get_int (s, "track-id", &d.track_id);
    d.backend = gst_structure_get_string (s, "backend");
    array = gst_structure_get_value (s, "keypoints");
  }
  if (array != NULL && GST_VALUE_HOLDS_ARRAY (array)
      && gst_value_array_get_size (array) == VA_KEYPOINT_VALUES) {
    have_keypoints = TRUE;
    for (guint i = 0; i < VA_KEYPOINT_VALUES; i++) {
      const GValue *v = gst_value_array_get_value (array, i);

      have_keypoints = have_keypoints && G_VALUE_HOLDS_DOUBLE (v);
      keypoints[i] = have_keypoints ? (gfloat)g_value_get_double (v) : 0.0f;
    }
  }
  va_annotation_model_add_detection_keypoints (self->model, kind, &d,
                                               have_keypoints ? keypoints : NULL);
  if (kind == VA_DETECTION_FACE && s != NULL)
    collect_face_attributes (self, s);
}

static void
collect_voice_segment (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  VaVoiceSegmentMeta *seg = (VaVoiceSegmentMeta *)meta;

  va_annotation_model_add_voice_segment (self->model, seg->start, seg->end);
}

static void
collect_transcript (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  VaTranscriptMeta *transcript = (VaTranscriptMeta *)meta;

  va_annotation_model_add_transcript (self->model, transcript->start, transcript->end,
                                      (const VaTranscriptWord *)transcript->words->data,
                                      transcript->words->len);
}

static void
collect_speaker_turn (VaAnnotationSink *self, GstMeta *meta, guint64 frame, GstClockTime time)
{
  VaSpeakerTurnMeta *turn = (VaSpeakerTurnMeta *)meta;

  va_annotation_model_add_speaker_turn (self->model, turn->start, turn->end, turn->speaker);
}

/* Which meta feeds which part of the model; new analysers add a row. */
static const struct {
  GType (*api_type) (void);
  CollectFunc collect;
} collectors[] = {
  { va_scene_cut_meta_api_get_type, collect_scene_cut },
  { va_motion_meta_api_get_type, collect_motion },
  { gst_video_region_of_interest_meta_api_get_type, collect_roi },
  { va_voice_segment_meta_api_get_type, collect_voice_segment },
  { va_transcript_meta_api_get_type, collect_transcript },
  { va_speaker_turn_meta_api_get_type, collect_speaker_turn },
};

static GstFlowReturn
va_annotation_sink_render (GstBaseSink *sink, GstBuffer *buf)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (sink);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime time = GST_CLOCK_TIME_NONE;
  guint64 frame = 0;
  gpointer state = NULL;
  GstMeta *meta;

  if (!self->stem_known)
    resolve_stem (self);

  if (GST_CLOCK_TIME_IS_VALID (pts) && sink->segment.format == GST_FORMAT_TIME)
    time = gst_segment_to_stream_time (&sink->segment, GST_FORMAT_TIME, pts);
  else if (GST_CLOCK_TIME_IS_VALID (pts))
    time = pts;

  if (self->is_video)
    frame = va_annotation_model_add_frame (self->model, time, GST_BUFFER_DURATION (buf));

  while ((meta = gst_buffer_iterate_meta (buf, &state)) != NULL) {
    for (guint i = 0; i < G_N_ELEMENTS (collectors); i++) {
      if (meta->info->api == collectors[i].api_type ()) {
        collectors[i].collect (self, meta, frame, time);
        break;
      }
    }
  }
  return GST_FLOW_OK;
}

static void
append_string (GValue *array, const char *value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, value);
  gst_value_array_append_and_take_value (array, &v);
}

static void
append_uint (GValue *array, guint value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, value);
  gst_value_array_append_and_take_value (array, &v);
}

static gboolean
pipeline_wanted (VaAnnotationSink *self, const char *pipeline)
{
  if (self->selected != NULL)
    return g_strv_contains ((const char *const *)self->selected, pipeline);
  return va_annotation_model_has_pipeline (self->model, pipeline);
}

static JsonObject *
object_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The provenance of one file of @pipeline: the run's tool, input and start
 * from the `provenance` property, that pipeline's model settings and
 * options, and the time the file is written. */
static JsonObject *
file_provenance (VaAnnotationSink *self, const char *pipeline)
{
  JsonObject *out = json_object_new ();
  JsonObject *pipelines, *own = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *finished = g_date_time_format_iso8601 (now);
  static const char *const copied[]
      = { "tool", "version", "input_file", "input_sha256", "started_at" };

  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    if (json_object_has_member (self->run, copied[i]))
      json_object_set_member (out, copied[i],
                              json_node_copy (json_object_get_member (self->run, copied[i])));
  json_object_set_string_member (out, "pipeline", pipeline);
  pipelines = object_member (self->run, "pipelines");
  if (pipelines != NULL)
    own = object_member (pipelines, pipeline);
  if (own != NULL) {
    if (json_object_has_member (own, "model"))
      json_object_set_member (out, "model", json_node_copy (json_object_get_member (own, "model")));
    if (json_object_has_member (own, "config"))
      json_object_set_member (out, "config",
                              json_node_copy (json_object_get_member (own, "config")));
  }
  json_object_set_string_member (out, "finished_at", finished);
  return out;
}

/* Writes every wanted file, then posts `videoannotator-outputs`. Files come
 * in the order of the `pipelines` property (or of the output table). */
static gboolean
write_outputs (VaAnnotationSink *self)
{
  const VaAnnotationOutput *outputs;
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  GValue pipelines = G_VALUE_INIT;
  GValue files = G_VALUE_INIT;
  GValue counts = G_VALUE_INIT;
  GstStructure *s;
  guint n;

  if (!self->stem_known)
    resolve_stem (self);

  outputs = va_annotation_output_get_all (&n);
  if (self->selected != NULL) {
    for (guint p = 0; self->selected[p] != NULL; p++)
      for (guint i = 0; i < n; i++)
        if (g_str_equal (outputs[i].pipeline, self->selected[p]))
          g_ptr_array_add (order, (gpointer)&outputs[i]);
  } else {
    for (guint i = 0; i < n; i++)
      if (pipeline_wanted (self, outputs[i].pipeline))
        g_ptr_array_add (order, (gpointer)&outputs[i]);
  }

  g_value_init (&pipelines, GST_TYPE_ARRAY);
  g_value_init (&files, GST_TYPE_ARRAY);
  g_value_init (&counts, GST_TYPE_ARRAY);

  for (guint i = 0; i < order->len; i++) {
    const VaAnnotationOutput *output = g_ptr_array_index (order, i);
    g_autofree char *path = va_annotation_output_build_path (
        output, self->directory, va_annotation_model_get_stem (self->model));
    g_autoptr (GError) error = NULL;
    guint count = 0;

    if (self->run != NULL) {
      g_autoptr (JsonObject) provenance = file_provenance (self, output->pipeline);
      va_annotation_model_set_provenance (self->model, provenance);
    }
    if (!output->write (self->model, path, &count, &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE,
                         (_ ("Could not write annotation file \"%s\"."), path),
                         ("%s", error->message));
      g_value_unset (&pipelines);
      g_value_unset (&files);
      g_value_unset (&counts);
      return FALSE;
    }
    GST_INFO_OBJECT (self, "wrote %s (%u annotations)", path, count);
    append_string (&pipelines, output->pipeline);
    append_string (&files, path);
    append_uint (&counts, count);
  }

  s = gst_structure_new_empty ("videoannotator-outputs");
  gst_structure_take_value (s, "pipelines", &pipelines);
  gst_structure_take_value (s, "files", &files);
  gst_structure_take_value (s, "annotation-counts", &counts);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  return TRUE;
}

static gboolean
va_annotation_sink_event (GstBaseSink *sink, GstEvent *event)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (sink);
  const char *announced;

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_CUSTOM_DOWNSTREAM_STICKY:
    announced = va_annotation_output_parse_announce_event (event);
    if (announced != NULL)
      va_annotation_model_add_pipeline (self->model, announced);
    break;
  case GST_EVENT_EOS:
    /* Before chaining up: the parent posts EOS on the bus. */
    if (!write_outputs (self)) {
      gst_event_unref (event);
      return FALSE;
    }
    break;
  default:
    break;
  }
  return GST_BASE_SINK_CLASS (va_annotation_sink_parent_class)->event (sink, event);
}

static void
set_string (VaAnnotationSink *self, char **field, const GValue *value, GParamSpec *pspec)
{
  gboolean changed;

  GST_OBJECT_LOCK (self);
  changed = g_strcmp0 (*field, g_value_get_string (value)) != 0;
  g_free (*field);
  *field = g_value_dup_string (value);
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
va_annotation_sink_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (object);

  switch (prop_id) {
  case PROP_LOCATION:
    set_string (self, &self->location, value, pspec);
    break;
  case PROP_STEM:
    set_string (self, &self->stem, value, pspec);
    break;
  case PROP_PIPELINES:
    set_string (self, &self->pipelines, value, pspec);
    break;
  case PROP_PROVENANCE:
    set_string (self, &self->provenance, value, pspec);
    break;
  case PROP_PERSON_RATE:
    GST_OBJECT_LOCK (self);
    self->person_rate = g_value_get_double (value);
    GST_OBJECT_UNLOCK (self);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
}

static void
va_annotation_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  case PROP_STEM:
    g_value_set_string (value, self->stem);
    break;
  case PROP_PIPELINES:
    g_value_set_string (value, self->pipelines);
    break;
  case PROP_PERSON_RATE:
    g_value_set_double (value, self->person_rate);
    break;
  case PROP_PROVENANCE:
    g_value_set_string (value, self->provenance);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_annotation_sink_finalize (GObject *object)
{
  VaAnnotationSink *self = VA_ANNOTATION_SINK (object);

  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->stem, g_free);
  g_clear_pointer (&self->pipelines, g_free);
  g_clear_pointer (&self->provenance, g_free);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->selected, g_strfreev);
  g_clear_object (&self->model);
  g_clear_pointer (&self->run, json_object_unref);

  G_OBJECT_CLASS (va_annotation_sink_parent_class)->finalize (object);
}

static void
va_annotation_sink_class_init (VaAnnotationSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
                            | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (va_annotation_sink_debug, "vaannotationsink", 0,
                           "VideoAnnotator annotation file writer");

  object_class->set_property = va_annotation_sink_set_property;
  object_class->get_property = va_annotation_sink_get_property;
  object_class->finalize = va_annotation_sink_finalize;

  /**
   * VaAnnotationSink:location:
   *
   * Directory the annotation files are written to; created (with its
   * parents) when missing. Required.
   */
  properties[PROP_LOCATION] = g_param_spec_string (
      "location", "Location", "Directory to write the annotation files to (created if missing)",
      NULL, flags);

  /**
   * VaAnnotationSink:stem:
   *
   * Start of every file name and the `video_id` in the files. When unset,
   * the upstream file's name without its extension, or "video".
   */
  properties[PROP_STEM] = g_param_spec_string (
      "stem", "Stem",
      "File name stem and video id (default: upstream file name without extension, or \"video\")",
      NULL, flags);

  /**
   * VaAnnotationSink:pipelines:
   *
   * Comma-separated pipeline names whose files to write (scene_detection,
   * motion_analysis). A selected pipeline always gets its file. When unset,
   * every pipeline whose analyser ran upstream.
   */
  properties[PROP_PIPELINES] = g_param_spec_string (
      "pipelines", "Pipelines",
      "Comma-separated pipelines whose files to write, e.g. \"scene_detection,motion_analysis\" "
      "(default: those whose analysers ran upstream)",
      NULL, flags);

  /**
   * VaAnnotationSink:person-rate:
   *
   * Frames per second whose person boxes go into the person files: every
   * Nth frame, N = max(1, int(fps / rate)), as the 1.4 service samples at
   * `pps` (1 from its server). 0 writes every frame.
   */
  properties[PROP_PERSON_RATE] = g_param_spec_double (
      "person-rate", "Person rate",
      "Frames per second whose person boxes are written (every int(fps/rate)th frame, as the "
      "1.4 service's pps); 0 = every frame",
      0.0, 1000.0, VA_ANNOTATION_MODEL_DEFAULT_PERSON_RATE, flags);

  /**
   * VaAnnotationSink:provenance:
   *
   * A JSON object describing the run: `tool`, `version`, `input_file`,
   * `input_sha256`, `started_at` and `pipelines` (per pipeline name, its
   * `model` settings and `config` options). Set, every file gets a
   * provenance: those fields for its own pipeline plus `pipeline` and
   * `finished_at`, as a top-level `provenance` member (JSON), a
   * `NOTE provenance` block (WebVTT) or a `<file>.provenance.json` beside
   * it (RTTM). CSV files have none.
   */
  properties[PROP_PROVENANCE] = g_param_spec_string (
      "provenance", "Provenance",
      "JSON object describing the run (tool, version, input_sha256, started_at, pipelines: "
      "{name: {model, config}}), written into every file",
      NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (
      element_class, "Annotation file writer", "Sink/Metadata",
      "Collects scene cuts, motion and other VideoAnnotator metadata from the buffers of a video "
      "or audio branch and writes them at end of stream as COCO JSON / CSV files named after the "
      "input, then posts a \"videoannotator-outputs\" message listing them",
      "VideoAnnotator developers");

  sink_class->start = GST_DEBUG_FUNCPTR (va_annotation_sink_start);
  sink_class->stop = GST_DEBUG_FUNCPTR (va_annotation_sink_stop);
  sink_class->set_caps = GST_DEBUG_FUNCPTR (va_annotation_sink_set_caps);
  sink_class->render = GST_DEBUG_FUNCPTR (va_annotation_sink_render);
  sink_class->event = GST_DEBUG_FUNCPTR (va_annotation_sink_event);
}

static void
va_annotation_sink_init (VaAnnotationSink *self)
{
  /* Annotating a file should run as fast as it decodes. */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
  self->person_rate = VA_ANNOTATION_MODEL_DEFAULT_PERSON_RATE;
}
