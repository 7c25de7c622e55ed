/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-vamotion
 * @title: vamotion
 *
 * Measures how much the picture moves and attaches a #VaMotionMeta to every
 * analysed frame. Buffers pass through unchanged otherwise.
 *
 * Every `interval`-th frame is reduced to a small luma grid
 * (`downscale-width` columns, rows following the aspect ratio; each value the
 * mean of four pixels spread over its cell, read directly from the decoder's
 * own format) and compared with the previously analysed frame:
 *
 * - `energy` is the mean absolute luma difference divided by 255, in [0, 1]:
 *   0 for a still picture, 1 for black turning white everywhere. It grows
 *   with the moving area and with speed (until an object moves by more than
 *   its own size between the compared frames).
 * - `moving-fraction` is the share of grid points whose luma changed by more
 *   than `noise-threshold`.
 * - with `grid-rows` and `grid-cols` both above 0, the frame is also split
 *   into that many regions and each gets its own energy (same scale), which
 *   tells where the motion is.
 *
 * The first frame of a stream (and the first after a flush) has nothing to be
 * compared with and gets no meta. With `interval` above 1 the compared frames
 * are `interval` frames apart, so values grow accordingly.
 *
 * When `post-messages` is %TRUE, every analysed frame is also posted as an
 * element message named `vamotion` with these fields:
 *
 * - #GstClockTime `timestamp`: PTS of the frame.
 * - #GstClockTime `stream-time`: its stream time.
 * - #GstClockTime `running-time`: its running time.
 * - #GstClockTime `duration`: duration of the frame.
 * - #guint64 `frame`: index of the frame since the start of the stream.
 * - #gdouble `energy`: motion energy in [0, 1].
 * - #gdouble `moving-fraction`: share of changed grid points in [0, 1].
 * - #guint `interval`: frames between this frame and the compared one.
 * - #guint `grid-rows`, #guint `grid-cols`: the region grid, 0 × 0 without.
 * - #GstValueArray `grid`: with a grid only, grid-rows × grid-cols #gdouble
 *   region energies, row-major from the top-left.
 *
 * The element also sends a sticky custom event announcing the
 * `motion_analysis` pipeline, so that `vaannotationsink` writes the motion
 * file.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball num-buffers=100 ! \
 *     vamotion grid-rows=3 grid-cols=3 post-messages=true ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "va-motion.h"

#include <string.h>

#include "va-frame-sampler.h"
#include "va-meta.h"
#include "va-processing-time.h"

GST_DEBUG_CATEGORY_STATIC (va_motion_debug);
#define GST_CAT_DEFAULT va_motion_debug

#define DEFAULT_INTERVAL 1
#define DEFAULT_GRID_ROWS 0
#define DEFAULT_GRID_COLS 0
#define DEFAULT_DOWNSCALE_WIDTH 128
#define DEFAULT_NOISE_THRESHOLD 10
#define DEFAULT_POST_MESSAGES FALSE
#define MAX_GRID 64

struct _VaMotion {
  GstVideoFilter parent_instance;

  /* properties, under the object lock */
  guint interval;
  guint grid_rows;
  guint grid_cols;
  guint downscale_width;
  guint noise_threshold;
  gboolean post_messages;

  /* streaming thread only */
  VaFrameSampler sampler;
  guint8 *prev;
  gboolean have_prev;
  guint64 frames;
  guint64 prev_frame;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
  /* region of each sample for the requested grid size (req_*), which is
   * clamped to the sample grid (cur_*) */
  guint req_rows;
  guint req_cols;
  guint cur_rows;
  guint cur_cols;
  guint16 *region;
  guint *region_count;
  guint64 *region_sum;
  gfloat *region_energy;
};

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_GRID_ROWS,
  PROP_GRID_COLS,
  PROP_DOWNSCALE_WIDTH,
  PROP_NOISE_THRESHOLD,
  PROP_POST_MESSAGES,
  PROP_PROCESSING_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaMotion, va_motion, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE (vamotion, "vamotion", GST_RANK_NONE, VA_TYPE_MOTION);

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                               GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VA_FRAME_SAMPLER_FORMATS)));

static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                               GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VA_FRAME_SAMPLER_FORMATS)));

static void
clear_regions (VaMotion *self)
{
  g_clear_pointer (&self->region, g_free);
  g_clear_pointer (&self->region_count, g_free);
  g_clear_pointer (&self->region_sum, g_free);
  g_clear_pointer (&self->region_energy, g_free);
  self->req_rows = self->req_cols = 0;
  self->cur_rows = self->cur_cols = 0;
}

/* Allocates only when the grid size or the sample grid changes. */
static void
setup_regions (VaMotion *self, guint rows, guint cols)
{
  guint w = self->sampler.width, h = self->sampler.height;

  if (rows == self->req_rows && cols == self->req_cols)
    return;
  clear_regions (self);
  self->req_rows = rows;
  self->req_cols = cols;
  if (rows == 0 || cols == 0)
    return;
  /* A region needs at least one sample. */
  rows = MIN (rows, h);
  cols = MIN (cols, w);
  self->region = g_new (guint16, (gsize)w * h);
  self->region_count = g_new0 (guint, rows * cols);
  self->region_sum = g_new0 (guint64, rows * cols);
  self->region_energy = g_new0 (gfloat, rows * cols);
  for (guint i = 0; i < h; i++) {
    for (guint j = 0; j < w; j++) {
      guint r = (i * rows / h) * cols + j * cols / w;
      self->region[i * w + j] = (guint16)r;
      self->region_count[r]++;
    }
  }
  self->cur_rows = rows;
  self->cur_cols = cols;
}

static gboolean
va_motion_set_info (GstVideoFilter *filter, GstCaps *incaps, GstVideoInfo *in_info,
                    GstCaps *outcaps, GstVideoInfo *out_info)
{
  VaMotion *self = VA_MOTION (filter);
  guint width;

  GST_OBJECT_LOCK (self);
  width = self->downscale_width;
  GST_OBJECT_UNLOCK (self);

  clear_regions (self);
  if (!va_frame_sampler_configure (&self->sampler, in_info, width, FALSE)) {
    GST_ERROR_OBJECT (self, "unsupported format %s",
                      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)));
    return FALSE;
  }
  g_free (self->prev);
  self->prev = g_malloc ((gsize)self->sampler.width * self->sampler.height);
  self->have_prev = FALSE;
  return TRUE;
}

static void
post_motion_message (VaMotion *self, GstBuffer *buf, const VaMotionMeta *meta)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE, running_time = GST_CLOCK_TIME_NONE;
  GstStructure *s;

  if (GST_CLOCK_TIME_IS_VALID (pts) && trans->segment.format == GST_FORMAT_TIME) {
    stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts);
    running_time = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  }
  s = gst_structure_new ("vamotion", "timestamp", G_TYPE_UINT64, pts, "stream-time", G_TYPE_UINT64,
                         stream_time, "running-time", G_TYPE_UINT64, running_time, "duration",
                         G_TYPE_UINT64, GST_BUFFER_DURATION (buf), "frame", G_TYPE_UINT64,
                         self->frames, "energy", G_TYPE_DOUBLE, meta->energy, "moving-fraction",
                         G_TYPE_DOUBLE, meta->moving_fraction, "interval", G_TYPE_UINT,
                         meta->interval, "grid-rows", G_TYPE_UINT, meta->grid_rows, "grid-cols",
                         G_TYPE_UINT, meta->grid_cols, NULL);
  if (meta->grid != NULL) {
    GValue array = G_VALUE_INIT;
    GValue v = G_VALUE_INIT;

    g_value_init (&array, GST_TYPE_ARRAY);
    g_value_init (&v, G_TYPE_DOUBLE);
    for (guint i = 0; i < meta->grid_rows * meta->grid_cols; i++) {
      g_value_set_double (&v, meta->grid[i]);
      gst_value_array_append_value (&array, &v);
    }
    gst_structure_take_value (s, "grid", &array);
    g_value_unset (&v);
  }
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Read-only map on purpose; see va-scene-detect.c: a read-write map would
 * copy every decoded frame. */
static GstFlowReturn
va_motion_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaMotion *self = VA_MOTION (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  guint interval, rows, cols, noise;
  gboolean post;
  GstVideoFrame frame;
  VaMotionMeta *meta;
  const guint8 *cur;
  guint n;
  guint64 sum = 0;
  guint moving = 0;
  gboolean grid;

  if (G_UNLIKELY (!filter->negotiated || self->prev == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("no format negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("motion_analysis"));
    self->announced = TRUE;
  }

  GST_OBJECT_LOCK (self);
  interval = self->interval;
  rows = self->grid_rows;
  cols = self->grid_cols;
  noise = self->noise_threshold;
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  if (self->have_prev && self->frames - self->prev_frame < interval) {
    self->frames++;
    return GST_FLOW_OK;
  }

  if (!gst_video_frame_map (&frame, &filter->in_info, buf, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL), ("could not map video frame"));
    return GST_FLOW_ERROR;
  }
  va_frame_sampler_sample (&self->sampler, &frame);
  gst_video_frame_unmap (&frame);

  cur = self->sampler.y;
  n = self->sampler.width * self->sampler.height;
  if (!self->have_prev) {
    memcpy (self->prev, cur, n);
    self->have_prev = TRUE;
    self->prev_frame = self->frames++;
    return GST_FLOW_OK;
  }

  setup_regions (self, rows, cols);
  grid = self->region != NULL;
  if (grid)
    memset (self->region_sum, 0, sizeof (guint64) * self->cur_rows * self->cur_cols);

  for (guint k = 0; k < n; k++) {
    guint d = (guint)ABS ((gint)cur[k] - (gint)self->prev[k]);
    sum += d;
    moving += d > noise;
    if (grid)
      self->region_sum[self->region[k]] += d;
  }
  if (grid)
    for (guint r = 0; r < self->cur_rows * self->cur_cols; r++)
      self->region_energy[r] = (gfloat)self->region_sum[r] / (255.0 * self->region_count[r]);

  meta = va_buffer_add_motion_meta (buf, (gdouble)sum / (255.0 * n), (gdouble)moving / n,
                                    (guint)(self->frames - self->prev_frame), self->cur_rows,
                                    self->cur_cols, grid ? self->region_energy : NULL);
  if (post)
    post_motion_message (self, buf, meta);

  memcpy (self->prev, cur, n);
  self->prev_frame = self->frames++;
  return GST_FLOW_OK;
}

static gboolean
va_motion_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaMotion *self = VA_MOTION (trans);

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_STREAM_START:
    /* Re-announce (see va-scene-detect.c); measuring continues. */
    self->announced = FALSE;
    break;
  case GST_EVENT_FLUSH_STOP:
    self->have_prev = FALSE;
    break;
  default:
    break;
  }
  return GST_BASE_TRANSFORM_CLASS (va_motion_parent_class)->sink_event (trans, event);
}

static gboolean
va_motion_start (GstBaseTransform *trans)
{
  VaMotion *self = VA_MOTION (trans);

  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  self->have_prev = FALSE;
  self->frames = 0;
  return TRUE;
}

static gboolean
va_motion_stop (GstBaseTransform *trans)
{
  VaMotion *self = VA_MOTION (trans);

  clear_regions (self);
  va_frame_sampler_clear (&self->sampler);
  g_clear_pointer (&self->prev, g_free);
  return TRUE;
}

static void
va_motion_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaMotion *self = VA_MOTION (object);
  guint *field = NULL;
  gboolean changed;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_INTERVAL:
    field = &self->interval;
    break;
  case PROP_GRID_ROWS:
    field = &self->grid_rows;
    break;
  case PROP_GRID_COLS:
    field = &self->grid_cols;
    break;
  case PROP_DOWNSCALE_WIDTH:
    field = &self->downscale_width;
    break;
  case PROP_NOISE_THRESHOLD:
    field = &self->noise_threshold;
    break;
  case PROP_POST_MESSAGES:
    break;
  default:
    GST_OBJECT_UNLOCK (self);
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  if (field != NULL) {
    changed = *field != g_value_get_uint (value);
    *field = g_value_get_uint (value);
  } else {
    changed = self->post_messages != g_value_get_boolean (value);
    self->post_messages = g_value_get_boolean (value);
  }
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_motion_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaMotion *self = VA_MOTION (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_INTERVAL:
    g_value_set_uint (value, self->interval);
    break;
  case PROP_GRID_ROWS:
    g_value_set_uint (value, self->grid_rows);
    break;
  case PROP_GRID_COLS:
    g_value_set_uint (value, self->grid_cols);
    break;
  case PROP_DOWNSCALE_WIDTH:
    g_value_set_uint (value, self->downscale_width);
    break;
  case PROP_NOISE_THRESHOLD:
    g_value_set_uint (value, self->noise_threshold);
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
va_motion_finalize (GObject *object)
{
  VaMotion *self = VA_MOTION (object);

  clear_regions (self);
  va_frame_sampler_clear (&self->sampler);
  g_clear_pointer (&self->prev, g_free);

  G_OBJECT_CLASS (va_motion_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_motion_timed_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaMotion *self = VA_MOTION (trans);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret = va_motion_transform_ip (trans, buf);

  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_motion_class_init (VaMotionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  GST_DEBUG_CATEGORY_INIT (va_motion_debug, "vamotion", 0, "VideoAnnotator motion energy");

  object_class->set_property = va_motion_set_property;
  object_class->get_property = va_motion_get_property;
  object_class->finalize = va_motion_finalize;

  /**
   * VaMotion:interval:
   *
   * Analyse one frame out of this many; each analysed frame is compared
   * with the previously analysed one.
   */
  properties[PROP_INTERVAL]
      = g_param_spec_uint ("interval", "Interval",
                           "Analyse every Nth frame, comparing it with the previously analysed one",
                           1, 1000, DEFAULT_INTERVAL, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaMotion:grid-rows:
   *
   * Rows of the region grid; a grid is computed when this and
   * #VaMotion:grid-cols are both above 0.
   */
  properties[PROP_GRID_ROWS] = g_param_spec_uint (
      "grid-rows", "Grid rows",
      "Rows of regions with their own energy (0 = no grid; needs grid-cols too)", 0, MAX_GRID,
      DEFAULT_GRID_ROWS, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaMotion:grid-cols:
   *
   * Columns of the region grid; see #VaMotion:grid-rows.
   */
  properties[PROP_GRID_COLS] = g_param_spec_uint (
      "grid-cols", "Grid columns",
      "Columns of regions with their own energy (0 = no grid; needs grid-rows too)", 0, MAX_GRID,
      DEFAULT_GRID_COLS, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaMotion:downscale-width:
   *
   * Width of the luma grid frames are reduced to; the height follows the
   * aspect ratio. Larger notices smaller moving objects and costs more.
   */
  properties[PROP_DOWNSCALE_WIDTH] = g_param_spec_uint (
      "downscale-width", "Downscale width",
      "Columns of the luma grid frames are reduced to (rows follow the aspect ratio)", 16, 1024,
      DEFAULT_DOWNSCALE_WIDTH, flags | GST_PARAM_MUTABLE_READY);

  /**
   * VaMotion:noise-threshold:
   *
   * Luma change (0–255) above which a grid point counts as moving for
   * `moving_fraction`; the energy itself uses every change.
   */
  properties[PROP_NOISE_THRESHOLD]
      = g_param_spec_uint ("noise-threshold", "Noise threshold",
                           "Luma change (0-255) above which a grid point counts as moving", 0, 255,
                           DEFAULT_NOISE_THRESHOLD, flags | GST_PARAM_MUTABLE_PLAYING);

  /**
   * VaMotion:post-messages:
   *
   * Post a `vamotion` element message for every analysed frame (fields in
   * the element description).
   */
  properties[PROP_POST_MESSAGES]
      = g_param_spec_boolean ("post-messages", "Post messages",
                              "Post a \"vamotion\" element message for every analysed frame",
                              DEFAULT_POST_MESSAGES, flags | GST_PARAM_MUTABLE_PLAYING);

  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (
      element_class, "Motion energy", "Filter/Analyzer/Video",
      "Measures motion as the mean luma change between frames on a downscaled copy, optionally "
      "per region of a grid and on every Nth frame only, and attaches it to each analysed frame "
      "as a VaMotionMeta (optionally also an element message)",
      "VideoAnnotator developers");

  trans_class->start = GST_DEBUG_FUNCPTR (va_motion_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_motion_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_motion_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (va_motion_timed_transform_ip);
  filter_class->set_info = GST_DEBUG_FUNCPTR (va_motion_set_info);
}

static void
va_motion_init (VaMotion *self)
{
  self->interval = DEFAULT_INTERVAL;
  self->grid_rows = DEFAULT_GRID_ROWS;
  self->grid_cols = DEFAULT_GRID_COLS;
  self->downscale_width = DEFAULT_DOWNSCALE_WIDTH;
  self->noise_threshold = DEFAULT_NOISE_THRESHOLD;
  self->post_messages = DEFAULT_POST_MESSAGES;

  /* In place and never passthrough: the meta goes on the buffer we pass on;
   * no QoS, every frame counts. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
