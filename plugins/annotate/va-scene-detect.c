/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-vascenedetect
 * @title: vascenedetect
 *
 * Finds shot changes in a video stream and marks the first frame of every new
 * scene with a #VaSceneCutMeta. Buffers pass through unchanged otherwise.
 *
 * Each frame is reduced to a small grid (`downscale-width` columns, rows
 * following the aspect ratio) read directly from the luma and chroma planes of
 * the decoder's own format, so no conversion or copy is needed. A frame's
 * score (0–100) is half the distance of its colour distribution (luma and
 * chroma histograms) to the previous frame's and half the mean change of the
 * grid values. Then:
 *
 * - a hard cut is reported when the score reaches `threshold` and also
 *   `adaptive-ratio` times the median score of the last half second, so that
 *   fast motion or noise does not produce a storm of cuts;
 * - a gradual transition (dissolve, dip through a colour) is reported once,
 *   on the first frame after it completed, when the colour distribution
 *   moved by at least `threshold` since the frame before it began and the
 *   picture's structure changed (a brightness ramp or a slow pan is no
 *   transition);
 * - black frames separate scenes: a fade to black (or a cut to black) and
 *   back is one scene change, reported on the first frame that is no longer
 *   black; black at the start or the end of a stream is part of the first or
 *   last scene;
 * - no scene is shorter than `min-scene-length`: a change sooner than that
 *   after the previous one is ignored.
 *
 * The decision for a frame only depends on it and earlier frames, so the
 * element adds no latency.
 *
 * When `post-messages` is %TRUE, every cut is also posted as an element
 * message named `vascenedetect` with these fields:
 *
 * - #GstClockTime `timestamp`: PTS of the first frame of the new scene.
 * - #GstClockTime `stream-time`: its stream time.
 * - #GstClockTime `running-time`: its running time.
 * - #GstClockTime `duration`: duration of the frame.
 * - #guint64 `frame`: index of the frame since the start of the stream.
 * - #guint `scene-index`: index of the new scene (the first scene is 0).
 * - #gdouble `score`: the content change that made the cut, 0–100.
 * - #gchararray `transition`: "cut", "fade" or "dissolve".
 * - #GstClockTime `transition-duration`: length of the fade or dissolve, 0
 *   for a cut.
 *
 * The element also sends a sticky custom event announcing the
 * `scene_detection` pipeline, so that `vaannotationsink` writes the scene
 * file even when there was no cut.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! \
 *     vascenedetect post-messages=true ! vaannotationsink location=out
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "va-scene-detect.h"

#include "va-frame-sampler.h"
#include "va-meta.h"
#include "va-processing-time.h"
#include "va-shot-detector.h"

GST_DEBUG_CATEGORY_STATIC (va_scene_detect_debug);
#define GST_CAT_DEFAULT va_scene_detect_debug

#define DEFAULT_THRESHOLD 30.0
#define DEFAULT_MIN_SCENE_LENGTH 1.0
#define DEFAULT_ADAPTIVE_RATIO 2.0
#define DEFAULT_DOWNSCALE_WIDTH 96
#define DEFAULT_DETECT_GRADUAL TRUE
#define DEFAULT_POST_MESSAGES FALSE

struct _VaSceneDetect {
  GstVideoFilter parent_instance;

  /* properties, under the object lock */
  gdouble threshold;
  gdouble min_scene_length;
  gdouble adaptive_ratio;
  guint downscale_width;
  gboolean detect_gradual;
  gboolean post_messages;

  /* streaming thread only */
  VaFrameSampler sampler;
  VaShotDetector *detector;
  guint64 frames;
  guint scene_index;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
};

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_MIN_SCENE_LENGTH,
  PROP_ADAPTIVE_RATIO,
  PROP_DOWNSCALE_WIDTH,
  PROP_DETECT_GRADUAL,
  PROP_POST_MESSAGES,
  PROP_PROCESSING_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaSceneDetect, va_scene_detect, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE (vascenedetect, "vascenedetect", GST_RANK_NONE, VA_TYPE_SCENE_DETECT);

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                               GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VA_FRAME_SAMPLER_FORMATS)));

static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                               GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VA_FRAME_SAMPLER_FORMATS)));

static void
va_scene_detect_reset (VaSceneDetect *self)
{
  if (self->detector != NULL)
    va_shot_detector_reset (self->detector);
  self->frames = 0;
  self->scene_index = 0;
}

static gboolean
va_scene_detect_set_info (GstVideoFilter *filter, GstCaps *incaps, GstVideoInfo *in_info,
                          GstCaps *outcaps, GstVideoInfo *out_info)
{
  VaSceneDetect *self = VA_SCENE_DETECT (filter);
  guint width;
  gdouble fps = 0.0;

  GST_OBJECT_LOCK (self);
  width = self->downscale_width;
  GST_OBJECT_UNLOCK (self);

  if (!va_frame_sampler_configure (&self->sampler, in_info, width, TRUE)) {
    GST_ERROR_OBJECT (self, "unsupported format %s",
                      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)));
    return FALSE;
  }
  if (GST_VIDEO_INFO_FPS_N (in_info) > 0 && GST_VIDEO_INFO_FPS_D (in_info) > 0)
    gst_util_fraction_to_double (GST_VIDEO_INFO_FPS_N (in_info), GST_VIDEO_INFO_FPS_D (in_info),
                                 &fps);

  g_clear_pointer (&self->detector, va_shot_detector_free);
  self->detector = va_shot_detector_new (self->sampler.width, self->sampler.height, fps);
  /* A new format restarts the comparison, not the scene numbering. */
  GST_DEBUG_OBJECT (self, "analysing %ux%u samples per frame", self->sampler.width,
                    self->sampler.height);
  return TRUE;
}

/* The detector's clock: running time, which keeps growing across segments
 * and joined streams (concat), so that min-scene-length holds everywhere. */
static GstClockTime
frame_time (VaSceneDetect *self, GstBuffer *buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstVideoInfo *info = &GST_VIDEO_FILTER (self)->in_info;
  GstClockTime pts = GST_BUFFER_PTS (buf);

  if (GST_CLOCK_TIME_IS_VALID (pts) && trans->segment.format == GST_FORMAT_TIME) {
    GstClockTime rt = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
    if (GST_CLOCK_TIME_IS_VALID (rt))
      return rt;
  }
  if (GST_CLOCK_TIME_IS_VALID (pts))
    return pts;
  /* No timestamps: count frames at the nominal rate (25 when unknown). */
  if (GST_VIDEO_INFO_FPS_N (info) > 0)
    return gst_util_uint64_scale_int (self->frames * GST_SECOND, GST_VIDEO_INFO_FPS_D (info),
                                      GST_VIDEO_INFO_FPS_N (info));
  return self->frames * (GST_SECOND / 25);
}

static void
post_cut_message (VaSceneDetect *self, GstBuffer *buf, const VaShotResult *result)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE, running_time = GST_CLOCK_TIME_NONE;
  GstStructure *s;

  if (GST_CLOCK_TIME_IS_VALID (pts) && trans->segment.format == GST_FORMAT_TIME) {
    stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts);
    running_time = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  }
  s = gst_structure_new ("vascenedetect", "timestamp", G_TYPE_UINT64, pts, "stream-time",
                         G_TYPE_UINT64, stream_time, "running-time", G_TYPE_UINT64, running_time,
                         "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf), "frame",
                         G_TYPE_UINT64, self->frames, "scene-index", G_TYPE_UINT, self->scene_index,
                         "score", G_TYPE_DOUBLE, result->cut_score, "transition", G_TYPE_STRING,
                         va_scene_transition_to_string (result->transition), "transition-duration",
                         G_TYPE_UINT64, result->transition_duration, NULL);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* GstVideoFilter maps frames read-write whenever the element is not in
 * passthrough, and a write map of memory the decoder still references copies
 * the whole frame. We only read pixels and add meta (which needs a writable
 * buffer, not writable memory), so this maps the frame read-only itself. */
static GstFlowReturn
va_scene_detect_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaSceneDetect *self = VA_SCENE_DETECT (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  VaShotDetectorSettings settings;
  VaShotResult result;
  GstVideoFrame frame;
  gboolean post;

  if (G_UNLIKELY (!filter->negotiated || self->detector == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("no format negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("scene_detection"));
    self->announced = TRUE;
  }

  if (!gst_video_frame_map (&frame, &filter->in_info, buf, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL), ("could not map video frame"));
    return GST_FLOW_ERROR;
  }
  va_frame_sampler_sample (&self->sampler, &frame);
  gst_video_frame_unmap (&frame);

  GST_OBJECT_LOCK (self);
  settings.threshold = self->threshold;
  settings.adaptive_ratio = self->adaptive_ratio;
  settings.min_scene_length = (GstClockTime)(self->min_scene_length * GST_SECOND);
  settings.detect_gradual = self->detect_gradual;
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  va_shot_detector_push (self->detector, self->sampler.y, self->sampler.u, self->sampler.v,
                         frame_time (self, buf), &settings, &result);

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT " score %.2f", self->frames, result.score);
  if (result.cut) {
    self->scene_index++;
    GST_DEBUG_OBJECT (self, "scene %u starts at frame %" G_GUINT64_FORMAT " (%s, score %.1f)",
                      self->scene_index, self->frames,
                      va_scene_transition_to_string (result.transition), result.cut_score);
    va_buffer_add_scene_cut_meta (buf, self->scene_index, result.cut_score, result.transition,
                                  result.transition_duration);
    if (post)
      post_cut_message (self, buf, &result);
  }
  self->frames++;
  return GST_FLOW_OK;
}

static gboolean
va_scene_detect_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaSceneDetect *self = VA_SCENE_DETECT (trans);

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_STREAM_START:
    /* A new stream-start may drop stream-scoped sticky events downstream;
     * detection itself continues (concat joins streams into one timeline). */
    self->announced = FALSE;
    break;
  case GST_EVENT_FLUSH_STOP:
    /* After a seek the previous frame is no neighbour of the next one. */
    if (self->detector != NULL)
      va_shot_detector_reset (self->detector);
    break;
  default:
    break;
  }
  return GST_BASE_TRANSFORM_CLASS (va_scene_detect_parent_class)->sink_event (trans, event);
}

static gboolean
va_scene_detect_start (GstBaseTransform *trans)
{
  VaSceneDetect *self = VA_SCENE_DETECT (trans);

  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  va_scene_detect_reset (self);
  return TRUE;
}

static gboolean
va_scene_detect_stop (GstBaseTransform *trans)
{
  VaSceneDetect *self = VA_SCENE_DETECT (trans);

  g_clear_pointer (&self->detector, va_shot_detector_free);
  va_frame_sampler_clear (&self->sampler);
  return TRUE;
}

static void
va_scene_detect_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  VaSceneDetect *self = VA_SCENE_DETECT (object);
  gboolean changed = TRUE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_THRESHOLD:
    changed = self->threshold != g_value_get_double (value);
    self->threshold = g_value_get_double (value);
    break;
  case PROP_MIN_SCENE_LENGTH:
    changed = self->min_scene_length != g_value_get_double (value);
    self->min_scene_length = g_value_get_double (value);
    break;
  case PROP_ADAPTIVE_RATIO:
    changed = self->adaptive_ratio != g_value_get_double (value);
    self->adaptive_ratio = g_value_get_double (value);
    break;
  case PROP_DOWNSCALE_WIDTH:
    changed = self->downscale_width != g_value_get_uint (value);
    self->downscale_width = g_value_get_uint (value);
    break;
  case PROP_DETECT_GRADUAL:
    changed = self->detect_gradual != g_value_get_boolean (value);
    self->detect_gradual = g_value_get_boolean (value);
    break;
  case PROP_POST_MESSAGES:
    changed = self->post_messages != g_value_get_boolean (value);
    self->post_messages = g_value_get_boolean (value);
    break;
  default:
    changed = FALSE;
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_scene_detect_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaSceneDetect *self = VA_SCENE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_THRESHOLD:
    g_value_set_double (value, self->threshold);
    break;
  case PROP_MIN_SCENE_LENGTH:
    g_value_set_double (value, self->min_scene_length);
    break;
  case PROP_ADAPTIVE_RATIO:
    g_value_set_double (value, self->adaptive_ratio);
    break;
  case PROP_DOWNSCALE_WIDTH:
    g_value_set_uint (value, self->downscale_width);
    break;
  case PROP_DETECT_GRADUAL:
    g_value_set_boolean (value, self->detect_gradual);
    break;
  case PROP_POST_MESSAGES:
    g_value_set_boolean (value, self->post_messages);
    break;
  case PROP_PROCESSING_TIME:
    g_value_set_uint64 (value, self->processing.total);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_scene_detect_finalize (GObject *object)
{
  VaSceneDetect *self = VA_SCENE_DETECT (object);

  g_clear_pointer (&self->detector, va_shot_detector_free);
  va_frame_sampler_clear (&self->sampler);

  G_OBJECT_CLASS (va_scene_detect_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_scene_detect_timed_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaSceneDetect *self = VA_SCENE_DETECT (trans);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret = va_scene_detect_transform_ip (trans, buf);

  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_scene_detect_class_init (VaSceneDetectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  GST_DEBUG_CATEGORY_INIT (va_scene_detect_debug, "vascenedetect", 0,
                           "VideoAnnotator scene cut detection");

  object_class->set_property = va_scene_detect_set_property;
  object_class->get_property = va_scene_detect_get_property;
  object_class->finalize = va_scene_detect_finalize;

  /**
   * VaSceneDetect:threshold:
   *
   * Content change (0–100) that makes a cut: the same number decides hard
   * cuts (change against the previous frame) and gradual transitions (change
   * since the frame before the transition). Lower finds more cuts.
   */
  properties[PROP_THRESHOLD] = g_param_spec_double (
      "threshold", "Threshold",
      "Content change (0-100) from which a frame starts a new scene; lower finds more cuts", 0.0,
      100.0, DEFAULT_THRESHOLD, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaSceneDetect:min-scene-length:
   *
   * Minimum length of a scene in seconds; a change sooner than this after
   * the previous cut (or the stream start) is not reported.
   */
  properties[PROP_MIN_SCENE_LENGTH] = g_param_spec_double (
      "min-scene-length", "Minimum scene length",
      "Minimum length of a scene in seconds; changes sooner after the previous cut are ignored",
      0.0, 3600.0, DEFAULT_MIN_SCENE_LENGTH, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaSceneDetect:adaptive-ratio:
   *
   * A hard cut also needs a score this many times the median score of the
   * last half second, which keeps fast motion and noise from cutting. 1
   * disables the adaptive part.
   */
  properties[PROP_ADAPTIVE_RATIO] = g_param_spec_double (
      "adaptive-ratio", "Adaptive ratio",
      "A hard cut also needs this many times the median score of the last half second "
      "(1 = fixed threshold only)",
      1.0, 20.0, DEFAULT_ADAPTIVE_RATIO, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaSceneDetect:downscale-width:
   *
   * Width of the grid each frame is reduced to before comparison; the height
   * follows the aspect ratio. Larger sees smaller details and costs more.
   */
  properties[PROP_DOWNSCALE_WIDTH] = g_param_spec_uint (
      "downscale-width", "Downscale width",
      "Columns of the grid frames are reduced to for analysis (rows follow the aspect ratio)", 16,
      1024, DEFAULT_DOWNSCALE_WIDTH, flags | GST_PARAM_MUTABLE_READY);

  /**
   * VaSceneDetect:detect-gradual:
   *
   * Whether dissolves and fades through black are reported (once, when they
   * complete). When %FALSE only hard cuts are found.
   */
  properties[PROP_DETECT_GRADUAL] = g_param_spec_boolean (
      "detect-gradual", "Detect gradual transitions",
      "Also report dissolves and fades through black (once, when they complete)",
      DEFAULT_DETECT_GRADUAL, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaSceneDetect:post-messages:
   *
   * Post a `vascenedetect` element message for every cut (fields in the
   * element description).
   */
  properties[PROP_POST_MESSAGES] = g_param_spec_boolean (
      "post-messages", "Post messages", "Post a \"vascenedetect\" element message for every cut",
      DEFAULT_POST_MESSAGES, flags | GST_PARAM_MUTABLE_PLAYING);

  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (
      element_class, "Scene cut detector", "Filter/Analyzer/Video",
      "Finds shot changes (hard cuts, dissolves, fades through black) from colour histograms "
      "and content change on a downscaled copy of each frame, with an adaptive threshold and a "
      "minimum scene length, and marks the first frame of every new scene with a VaSceneCutMeta "
      "(optionally also an element message)",
      "VideoAnnotator developers");

  trans_class->start = GST_DEBUG_FUNCPTR (va_scene_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_scene_detect_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_scene_detect_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (va_scene_detect_timed_transform_ip);
  filter_class->set_info = GST_DEBUG_FUNCPTR (va_scene_detect_set_info);
}

static void
va_scene_detect_init (VaSceneDetect *self)
{
  self->threshold = DEFAULT_THRESHOLD;
  self->min_scene_length = DEFAULT_MIN_SCENE_LENGTH;
  self->adaptive_ratio = DEFAULT_ADAPTIVE_RATIO;
  self->downscale_width = DEFAULT_DOWNSCALE_WIDTH;
  self->detect_gradual = DEFAULT_DETECT_GRADUAL;
  self->post_messages = DEFAULT_POST_MESSAGES;

  /* In place and never passthrough: the meta goes on the buffer we pass on. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* Every frame counts; GstVideoFilter would let QoS drop late ones. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
