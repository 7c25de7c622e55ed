/* VaDetector: what vafacedetect and vapersondetect share.
 *
 * The model runs on sampled frames only (`interval` or
 * `predictions-per-second`); a VaTracker gives the boxes stable ids and
 * carries them to the frames in between, so every frame gets its
 * GstVideoRegionOfInterestMeta. Most samples are only searched around the
 * tracked objects (cheap); the whole frame is searched every
 * `rescan-interval` seconds and at shot changes (checked on every frame; a
 * cut ends all tracks and is analysed at once), so new objects are found
 * within that delay and boxes do not outlive a cut. The search runs on a
 * shrunk grey frame (`downscale`): cost grows with the pixel count, and the
 * luma plane of planar YUV is already grey, so it is read in place. Neural
 * models were trained on colour: for them (va_detector_set_colour) the
 * frame is converted to packed RGB once, on the frames that are analysed
 * or described only, and only when the input is not RGB already.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-detector.h"

#include <gst/video/gstvideometa.h>
#include <math.h>

#include "va-annotation-output.h"
#include "va-processing-time.h"

GST_DEBUG_CATEGORY_STATIC (va_detector_debug);
#define GST_CAT_DEFAULT va_detector_debug

/* Auto downscale keeps the searched frame near this many pixels (640×360),
 * so the cost of a search does not grow with the input resolution. */
#define AUTO_DOWNSCALE_PIXELS (640.0 * 360.0)
#define MIN_DOWNSCALE 0.25
/* Around a tracked object, search sizes within this range of its own (and,
 * unless the class says otherwise, half its size on each side). */
#define TRACK_SEARCH_MARGIN 0.5
#define TRACK_SEARCH_MIN_SCALE 0.6
#define TRACK_SEARCH_MAX_SCALE 1.7
/* Overlapping search regions can report one object twice. */
#define DUPLICATE_IOU 0.5
/* Shot-change test on a thumbnail of THUMB_W × THUMB_H block means: a mean
 * absolute difference above SHOT_CHANGE_LEVEL (0..255), or 15 % of the
 * blocks changing by more than BLOCK_CHANGE_LEVEL (a cut that keeps most of
 * the picture, e.g. the same background with other people), forces a full
 * scan. Motion between two frames changes block means far less. */
#define THUMB_W 16
#define THUMB_H 9
#define SHOT_CHANGE_LEVEL 12.0
#define BLOCK_CHANGE_LEVEL 30.0
#define BLOCK_CHANGE_SHARE 0.15

#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_INTERVAL 0
#define DEFAULT_PPS 5.0
#define DEFAULT_RESCAN_INTERVAL 1.0
#define DEFAULT_DOWNSCALE 0.0
#define DEFAULT_MIN_SIZE 0
#define DEFAULT_MAX_SIZE 0
#define DEFAULT_SCALE_FACTOR 1.2
#define DEFAULT_MAX_MISSED 2

typedef struct {
  /* settings, under the object lock */
  gboolean post_messages;
  guint interval;
  double pps;
  double rescan_interval;
  double downscale;
  guint min_size;
  guint max_size;
  double scale_factor;
  guint max_missed;
  const char *backend; /* interned */

  /* streaming state */
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
  VaTracker *tracker;
  guint64 frame_index;
  guint64 frames_since_sample;
  GstClockTime last_sample_pts;
  GstClockTime last_full_pts;
  gboolean have_thumb;
  double thumb[THUMB_W * THUMB_H];
  GArray *boxes;       /* VaTrackBox, per frame */
  GArray *detections;  /* VaTrackBox, per sample */
  GArray *predictions; /* VaTrackBox, per sample */
  GArray *regions;     /* VaDetectRegion, per sample */
  guint8 *grey;        /* luma of packed and RGB frames */
  gsize grey_size;
  gboolean colour;              /* the model wants RGB; set at open */
  const GstVideoFrame *current; /* the frame being transformed */
  gboolean have_rgb;            /* rgb holds the current frame */
  GstVideoConverter *converter; /* input format → RGB, per caps */
  GstVideoInfo rgb_info;
  GstBuffer *rgb;          /* its output, allocated once per caps */
  GstVideoFrame rgb_frame; /* mapped while have_rgb */
} VaDetectorPrivate;

enum {
  PROP_0,
  PROP_POST_MESSAGES,
  PROP_INTERVAL,
  PROP_PPS,
  PROP_RESCAN_INTERVAL,
  PROP_DOWNSCALE,
  PROP_MIN_SIZE,
  PROP_MAX_SIZE,
  PROP_SCALE_FACTOR,
  PROP_MAX_MISSED,
  PROP_PROCESSING_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (VaDetector, va_detector, GST_TYPE_VIDEO_FILTER,
                                  G_ADD_PRIVATE (VaDetector)
                                      GST_DEBUG_CATEGORY_INIT (va_detector_debug, "vadetector", 0,
                                                               "object detectors"))

/* What decoders output natively, packed YUV, grey and 8-bit RGB: no
 * videoconvert is needed in front. The planar and semi-planar YUV formats
 * and GRAY8 are read in place; the others are reduced to luma first. */
#define VIDEO_CAPS                                                                                 \
  GST_VIDEO_CAPS_MAKE ("{ I420, YV12, NV12, NV21, Y42B, Y444, Y41B, NV16, NV24, YUY2, UYVY, "      \
                       "YVYU, AYUV, VUYA, GRAY8, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, " \
                       "RGB, BGR }")

static void
reset_stream_state (VaDetector *self)
{
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  va_tracker_reset (priv->tracker);
  priv->frame_index = 0;
  priv->frames_since_sample = 0;
  priv->last_sample_pts = GST_CLOCK_TIME_NONE;
  priv->last_full_pts = GST_CLOCK_TIME_NONE;
  priv->have_thumb = FALSE;
}

static gboolean
va_detector_start (GstBaseTransform *trans)
{
  VaDetector *self = VA_DETECTOR (trans);
  VaDetectorClass *klass = VA_DETECTOR_GET_CLASS (self);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  g_autoptr (GError) error = NULL;

  reset_stream_state (self);
  priv->announced = FALSE;
  va_processing_time_reset (&priv->processing, GST_OBJECT (self));
  if (klass->open != NULL && !klass->open (self, &error)) {
    gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, error->domain, error->code,
                              g_strdup (error->message), NULL, __FILE__, GST_FUNCTION, __LINE__);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_detector_stop (GstBaseTransform *trans)
{
  VaDetector *self = VA_DETECTOR (trans);
  VaDetectorClass *klass = VA_DETECTOR_GET_CLASS (self);

  if (klass->close != NULL)
    klass->close (self);
  reset_stream_state (self);
  return TRUE;
}

static gboolean
va_detector_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaDetector *self = VA_DETECTOR (trans);

  /* Tracks do not survive a seek; ids keep growing. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    reset_stream_state (self);
  /* A new stream may drop sticky events downstream: announce again. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    VaDetectorPrivate *priv = va_detector_get_instance_private (self);

    priv->announced = FALSE;
  }
  return GST_BASE_TRANSFORM_CLASS (va_detector_parent_class)->sink_event (trans, event);
}

static void
clear_converter (VaDetectorPrivate *priv)
{
  g_clear_pointer (&priv->converter, gst_video_converter_free);
  gst_clear_buffer (&priv->rgb);
}

static gboolean
va_detector_set_info (GstVideoFilter *filter, GstCaps *incaps, GstVideoInfo *in_info,
                      GstCaps *outcaps, GstVideoInfo *out_info)
{
  VaDetector *self = VA_DETECTOR (filter);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  /* Boxes from another frame size mean nothing on this one. */
  reset_stream_state (self);
  /* Made again on the first frame that needs colour. */
  clear_converter (priv);
  return TRUE;
}

/**
 * va_detector_set_colour:
 * @colour: whether the detection model wants colour (neural models) or grey
 *   is enough
 *
 * Called by subclasses when they load a model. With %TRUE, the frames
 * handed to #VaDetectorClass.detect carry packed RGB (a describe callback
 * asks for it with va_detector_with_colour).
 */
void
va_detector_set_colour (VaDetector *self, gboolean colour)
{
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  priv->colour = colour;
}

/**
 * va_detector_with_colour:
 * @frame: the image handed to #VaDetectorClass.detect or .describe
 *
 * Only valid while that call runs. The conversion is made once per frame
 * and only on demand, so a describe callback asks for it after deciding
 * the frame is one it describes.
 *
 * Returns: @frame with its packed RGB copy (rgb = %NULL only when the
 * input's format cannot be converted)
 */
VaLumaImage
va_detector_with_colour (VaDetector *self, const VaLumaImage *frame)
{
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  const GstVideoFrame *in = priv->current;
  VaLumaImage img = *frame;

  if (in == NULL || frame->rgb != NULL)
    return img;
  if (GST_VIDEO_FRAME_FORMAT (in) == GST_VIDEO_FORMAT_RGB) {
    img.rgb = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
    img.rgb_stride = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
    return img;
  }
  if (priv->converter == NULL) {
    gst_video_info_set_format (&priv->rgb_info, GST_VIDEO_FORMAT_RGB, GST_VIDEO_FRAME_WIDTH (in),
                               GST_VIDEO_FRAME_HEIGHT (in));
    /* The converter wants these equal; they do not change the pixels. */
    priv->rgb_info.fps_n = GST_VIDEO_INFO_FPS_N (&in->info);
    priv->rgb_info.fps_d = GST_VIDEO_INFO_FPS_D (&in->info);
    priv->rgb_info.par_n = GST_VIDEO_INFO_PAR_N (&in->info);
    priv->rgb_info.par_d = GST_VIDEO_INFO_PAR_D (&in->info);
    priv->rgb_info.interlace_mode = GST_VIDEO_INFO_INTERLACE_MODE (&in->info);
    /* One thread: the pipeline's other elements use the other cores. */
    priv->converter = gst_video_converter_new (
        (GstVideoInfo *)&in->info, &priv->rgb_info,
        gst_structure_new ("options", GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1, NULL));
    priv->rgb = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&priv->rgb_info), NULL);
  }
  if (priv->converter == NULL || priv->rgb == NULL)
    return img;
  if (!priv->have_rgb) {
    if (!gst_video_frame_map (&priv->rgb_frame, &priv->rgb_info, priv->rgb, GST_MAP_WRITE))
      return img;
    gst_video_converter_frame (priv->converter, in, &priv->rgb_frame);
    priv->have_rgb = TRUE;
  }
  img.rgb = GST_VIDEO_FRAME_PLANE_DATA (&priv->rgb_frame, 0);
  img.rgb_stride = GST_VIDEO_FRAME_PLANE_STRIDE (&priv->rgb_frame, 0);
  return img;
}

/* Ends what va_detector_with_colour made for the current frame. */
static void
forget_colour (VaDetectorPrivate *priv)
{
  if (priv->have_rgb)
    gst_video_frame_unmap (&priv->rgb_frame);
  priv->have_rgb = FALSE;
  priv->current = NULL;
}

static gboolean
is_sample_frame (VaDetectorPrivate *priv, const GstVideoInfo *info, GstClockTime pts,
                 guint interval, double pps)
{
  GstClockTime period, slack = 0;

  if (interval > 0)
    return priv->frames_since_sample == 0 || priv->frames_since_sample >= interval;
  if (pps <= 0.0 || !GST_CLOCK_TIME_IS_VALID (pts))
    return TRUE;
  if (!GST_CLOCK_TIME_IS_VALID (priv->last_sample_pts) || pts < priv->last_sample_pts)
    return TRUE;
  period = (GstClockTime)(GST_SECOND / pps);
  /* Half a frame of slack so 25 fps at 5 per second samples every 5th frame
   * despite rounded timestamps. */
  if (GST_VIDEO_INFO_FPS_N (info) > 0)
    slack = gst_util_uint64_scale (GST_SECOND, GST_VIDEO_INFO_FPS_D (info),
                                   2 * (guint64)GST_VIDEO_INFO_FPS_N (info));
  return pts - priv->last_sample_pts + slack >= period;
}

/* Block means of the luma plane (every 4th pixel of every 4th row is plenty
 * to notice a cut); returns TRUE when they differ a lot from the previous
 * frame's. */
static gboolean
shot_changed (VaDetectorPrivate *priv, const VaLumaImage *img)
{
  double thumb[THUMB_W * THUMB_H] = { 0 };
  guint count[THUMB_W * THUMB_H] = { 0 };
  double diff = 0.0;
  guint changed_blocks = 0;
  gboolean changed;

  for (int y = 0; y < img->height; y += 4) {
    const guint8 *row = img->data + (gsize)y * img->stride;
    int by = y * THUMB_H / img->height;

    for (int x = 0; x < img->width; x += 4) {
      int cell = by * THUMB_W + x * THUMB_W / img->width;

      thumb[cell] += row[x];
      count[cell]++;
    }
  }
  for (guint i = 0; i < THUMB_W * THUMB_H; i++) {
    thumb[i] = count[i] ? thumb[i] / count[i] : 0.0;
    diff += fabs (thumb[i] - priv->thumb[i]);
    if (fabs (thumb[i] - priv->thumb[i]) > BLOCK_CHANGE_LEVEL)
      changed_blocks++;
  }
  changed = priv->have_thumb
            && (diff / (THUMB_W * THUMB_H) > SHOT_CHANGE_LEVEL
                || changed_blocks > BLOCK_CHANGE_SHARE * THUMB_W * THUMB_H);
  if (priv->have_thumb)
    GST_TRACE ("thumbnail change %.1f, %u blocks changed%s", diff / (THUMB_W * THUMB_H),
               changed_blocks, changed ? ": shot change" : "");
  memcpy (priv->thumb, thumb, sizeof thumb);
  priv->have_thumb = TRUE;
  return changed;
}

static double
effective_downscale (double setting, int width, int height)
{
  if (setting > 0.0)
    return MAX (setting, MIN_DOWNSCALE);
  return MAX (1.0, sqrt ((double)width * height / AUTO_DOWNSCALE_PIXELS));
}

static void
add_track_regions (VaDetector *self, int width, int height, guint min_size, guint max_size)
{
  VaDetectorClass *klass = VA_DETECTOR_GET_CLASS (self);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  double margin_x = klass->search_margin_x > 0 ? klass->search_margin_x : TRACK_SEARCH_MARGIN;
  double margin_y = klass->search_margin_y > 0 ? klass->search_margin_y : TRACK_SEARCH_MARGIN;
  double min_scale = klass->search_min_scale > 0 ? klass->search_min_scale : TRACK_SEARCH_MIN_SCALE;
  double max_scale = klass->search_max_scale > 0 ? klass->search_max_scale : TRACK_SEARCH_MAX_SCALE;

  for (guint i = 0; i < priv->predictions->len; i++) {
    const VaTrackBox *b = &g_array_index (priv->predictions, VaTrackBox, i);
    double mx = b->width * margin_x, my = b->height * margin_y;
    double x0 = CLAMP (b->x - mx, 0, width), y0 = CLAMP (b->y - my, 0, height);
    double x1 = CLAMP (b->x + b->width + mx, 0, width);
    double y1 = CLAMP (b->y + b->height + my, 0, height);
    VaDetectRegion r = {
      .x = x0,
      .y = y0,
      .width = x1 - x0,
      .height = y1 - y0,
      .min_size = MAX (b->height * min_scale, min_size),
      .max_size = b->height * max_scale,
    };

    if (max_size > 0)
      r.max_size = MIN (r.max_size, max_size);
    if (r.width >= 1.0 && r.height >= 1.0 && r.max_size >= r.min_size)
      g_array_append_val (priv->regions, r);
  }
}

/* Keeps the most confident of boxes found twice by overlapping regions. */
static void
drop_duplicates (GArray *boxes)
{
  for (guint i = 0; i < boxes->len; i++) {
    for (guint j = i + 1; j < boxes->len;) {
      VaTrackBox *a = &g_array_index (boxes, VaTrackBox, i);
      VaTrackBox *b = &g_array_index (boxes, VaTrackBox, j);

      if (va_track_box_iou (a, b) > DUPLICATE_IOU) {
        if (b->confidence > a->confidence)
          *a = *b;
        g_array_remove_index (boxes, j);
      } else {
        j++;
      }
    }
  }
}

/**
 * va_detector_default_models_dir:
 *
 * Returns: where `videoannotator models install` puts the neural models
 * with the default settings; a service passes its models-dir setting to
 * the elements instead
 */
char *
va_detector_default_models_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "videoannotator", "models", NULL);
}

/**
 * va_detector_set_backend:
 * @backend: short name of the model family, e.g. "opencv-lbp"
 *
 * Names the model in the `backend` field of every detection's structure
 * (written to the annotation files); subclasses call it when the model
 * changes.
 */
void
va_detector_set_backend (VaDetector *self, const char *backend)
{
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  GST_OBJECT_LOCK (self);
  priv->backend = g_intern_string (backend);
  GST_OBJECT_UNLOCK (self);
}

static gboolean
attach_metas (VaDetector *self, GstBuffer *buf, const GArray *boxes, const VaLumaImage *frame,
              const GstVideoInfo *info, guint64 frame_number, const char *backend, GError **error)
{
  VaDetectorClass *klass = VA_DETECTOR_GET_CLASS (self);
  int width = frame->width, height = frame->height;

  for (guint i = 0; i < boxes->len; i++) {
    const VaTrackBox *b = &g_array_index (boxes, VaTrackBox, i);
    double x0 = CLAMP (b->x, 0, width), y0 = CLAMP (b->y, 0, height);
    double x1 = CLAMP (b->x + b->width, 0, width), y1 = CLAMP (b->y + b->height, 0, height);
    GstVideoRegionOfInterestMeta *meta;
    GstStructure *s;
    guint x = (guint)lround (x0), y = (guint)lround (y0);
    guint w = (guint)lround (x1) - x, h = (guint)lround (y1) - y;

    /* A predicted box can drift off the frame: nothing left to report. */
    if (w == 0 || h == 0)
      continue;
    s = gst_structure_new ("detection", "confidence", G_TYPE_DOUBLE, b->confidence, "track-id",
                           G_TYPE_INT, b->id, "backend", G_TYPE_STRING, backend, NULL);
    if (klass->describe != NULL
        && !klass->describe (self, frame, info, frame_number, b, s, error)) {
      gst_structure_free (s);
      return FALSE;
    }
    meta = gst_buffer_add_video_region_of_interest_meta (buf, klass->roi_type, x, y, w, h);
    meta->id = b->id;
    gst_video_region_of_interest_meta_add_param (meta, s);
  }
  return TRUE;
}

static GstMessage *
build_message (VaDetector *self, GstBuffer *buf, guint64 frame_number, gboolean full_scan,
               const GArray *boxes)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const char *roi_type = VA_DETECTOR_GET_CLASS (self)->roi_type;
  GstClockTime pts = GST_BUFFER_PTS (buf), stream_time = GST_CLOCK_TIME_NONE;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GValue list = G_VALUE_INIT;
  GstStructure *s;

  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, pts);
    running_time = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  }
  g_value_init (&list, GST_TYPE_LIST);
  for (guint i = 0; i < boxes->len; i++) {
    const VaTrackBox *b = &g_array_index (boxes, VaTrackBox, i);
    GValue v = G_VALUE_INIT;

    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new (roi_type, "x", G_TYPE_INT, (int)lround (b->x), "y",
                                               G_TYPE_INT, (int)lround (b->y), "width", G_TYPE_INT,
                                               (int)lround (b->width), "height", G_TYPE_INT,
                                               (int)lround (b->height), "confidence", G_TYPE_DOUBLE,
                                               b->confidence, "track-id", G_TYPE_INT, b->id, NULL));
    gst_value_list_append_and_take_value (&list, &v);
  }
  s = gst_structure_new (GST_OBJECT_NAME (gst_element_get_factory (GST_ELEMENT (self))),
                         "timestamp", G_TYPE_UINT64, pts, "stream-time", G_TYPE_UINT64, stream_time,
                         "running-time", G_TYPE_UINT64, running_time, "duration", G_TYPE_UINT64,
                         GST_BUFFER_DURATION (buf), "frame-number", G_TYPE_UINT64, frame_number,
                         "full-scan", G_TYPE_BOOLEAN, full_scan, NULL);
  gst_structure_take_value (s, "detections", &list);
  return gst_message_new_element (GST_OBJECT (self), s);
}

/* The luma plane as a grey image: the frame's own first plane when its
 * pixels are one byte apart, otherwise a converted copy (BT.601 weights for
 * RGB, which is what the cascades and HOG were trained on: grey photos). */
static VaLumaImage
frame_luma (VaDetectorPrivate *priv, const GstVideoFrame *frame)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  int width = GST_VIDEO_FRAME_WIDTH (frame), height = GST_VIDEO_FRAME_HEIGHT (frame);
  VaLumaImage img = { NULL, width, height, width, NULL, 0 };
  gsize size = (gsize)width * height;

  if (!GST_VIDEO_FORMAT_INFO_IS_RGB (finfo) && GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0) == 1) {
    img.data = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
    img.stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
    return img;
  }
  if (priv->grey_size != size) {
    g_free (priv->grey);
    priv->grey = g_malloc (size);
    priv->grey_size = size;
  }
  if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)) {
    for (int y = 0; y < height; y++) {
      const guint8 *r = (const guint8 *)GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_R)
                        + (gsize)y * GST_VIDEO_FRAME_COMP_STRIDE (frame, GST_VIDEO_COMP_R);
      const guint8 *g = (const guint8 *)GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_G)
                        + (gsize)y * GST_VIDEO_FRAME_COMP_STRIDE (frame, GST_VIDEO_COMP_G);
      const guint8 *b = (const guint8 *)GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_B)
                        + (gsize)y * GST_VIDEO_FRAME_COMP_STRIDE (frame, GST_VIDEO_COMP_B);
      int ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, GST_VIDEO_COMP_R);
      guint8 *out = priv->grey + (gsize)y * width;

      for (int x = 0; x < width; x++)
        out[x] = (guint8)((77 * r[x * ps] + 150 * g[x * ps] + 29 * b[x * ps] + 128) >> 8);
    }
  } else {
    int ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);

    for (int y = 0; y < height; y++) {
      const guint8 *in = (const guint8 *)GST_VIDEO_FRAME_COMP_DATA (frame, 0)
                         + (gsize)y * GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
      guint8 *out = priv->grey + (gsize)y * width;

      for (int x = 0; x < width; x++)
        out[x] = in[x * ps];
    }
  }
  img.data = priv->grey;
  return img;
}

static GstFlowReturn
va_detector_transform_frame_ip (GstVideoFilter *filter, GstVideoFrame *frame)
{
  VaDetector *self = VA_DETECTOR (filter);
  VaDetectorClass *klass = VA_DETECTOR_GET_CLASS (self);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  const GstVideoInfo *info = &frame->info;
  GstClockTime pts = GST_BUFFER_PTS (frame->buffer);
  int width = GST_VIDEO_INFO_WIDTH (info), height = GST_VIDEO_INFO_HEIGHT (info);
  double t = (double)priv->frame_index;
  guint64 frame_number = priv->frame_index;
  VaLumaImage luma = frame_luma (priv, frame);
  gboolean post_messages, sampled, cut, full_scan = FALSE;
  const char *backend;
  guint interval, min_size, max_size, max_missed;
  double pps, rescan_interval;
  VaDetectParams params;
  GstMessage *msg = NULL;

  GST_OBJECT_LOCK (self);
  post_messages = priv->post_messages;
  interval = priv->interval;
  pps = priv->pps;
  rescan_interval = priv->rescan_interval;
  min_size = priv->min_size;
  max_size = priv->max_size;
  params.downscale = effective_downscale (priv->downscale, width, height);
  params.scale_factor = priv->scale_factor;
  max_missed = priv->max_missed;
  backend = priv->backend;
  GST_OBJECT_UNLOCK (self);
  va_tracker_set_max_missed (priv->tracker, max_missed);

  if (G_UNLIKELY (!priv->announced) && klass->pipeline != NULL) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (filter),
                        va_annotation_output_new_announce_event (klass->pipeline));
    priv->announced = TRUE;
  }

  priv->frame_index++;
  g_array_set_size (priv->boxes, 0);
  /* Checked on every frame (it is cheap): after a cut the tracked boxes
   * are stale, so analyse right away instead of at the next sample. */
  cut = shot_changed (priv, &luma);
  sampled = cut || is_sample_frame (priv, info, pts, interval, pps);

  if (sampled) {
    g_autoptr (GError) error = NULL;

    priv->frames_since_sample = 1;
    priv->last_sample_pts = pts;
    /* Nothing links a box before a cut to one after it by position. */
    if (cut)
      va_tracker_reset (priv->tracker);
    full_scan = rescan_interval <= 0.0 || cut || !GST_CLOCK_TIME_IS_VALID (pts)
                || !GST_CLOCK_TIME_IS_VALID (priv->last_full_pts) || pts < priv->last_full_pts
                || pts - priv->last_full_pts >= (GstClockTime)(rescan_interval * GST_SECOND);

    g_array_set_size (priv->regions, 0);
    g_array_set_size (priv->detections, 0);
    if (full_scan) {
      VaDetectRegion r = { 0, 0, width, height, min_size, max_size };

      priv->last_full_pts = pts;
      g_array_append_val (priv->regions, r);
    } else {
      g_array_set_size (priv->predictions, 0);
      va_tracker_predict (priv->tracker, t, TRUE, priv->predictions);
      add_track_regions (self, width, height, min_size, max_size);
    }

    if (priv->regions->len > 0 && priv->colour)
      luma = va_detector_with_colour (self, &luma);
    if (priv->regions->len > 0
        && !klass->detect (self, &luma, &params, (const VaDetectRegion *)priv->regions->data,
                           priv->regions->len, priv->detections, &error)) {
      gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, error->domain, error->code,
                                g_strdup (error->message), NULL, __FILE__, GST_FUNCTION, __LINE__);
      return GST_FLOW_ERROR;
    }
    drop_duplicates (priv->detections);
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %s scan of %u region(s), %u found",
                    frame_number, full_scan ? "full" : "track", priv->regions->len,
                    priv->detections->len);
    va_tracker_update (priv->tracker, t, (const VaTrackBox *)priv->detections->data,
                       priv->detections->len, priv->boxes);
  } else {
    priv->frames_since_sample++;
    va_tracker_predict (priv->tracker, t, FALSE, priv->boxes);
  }

  {
    g_autoptr (GError) error = NULL;

    if (!attach_metas (self, frame->buffer, priv->boxes, &luma, info, frame_number, backend,
                       &error)) {
      gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, error->domain, error->code,
                                g_strdup (error->message), NULL, __FILE__, GST_FUNCTION, __LINE__);
      return GST_FLOW_ERROR;
    }
  }
  if (sampled && post_messages)
    msg = build_message (self, frame->buffer, frame_number, full_scan, priv->boxes);
  if (msg != NULL)
    gst_element_post_message (GST_ELEMENT (self), msg);
  return GST_FLOW_OK;
}

static void
va_detector_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaDetector *self = VA_DETECTOR (object);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  gboolean changed = TRUE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_POST_MESSAGES:
    changed = priv->post_messages != g_value_get_boolean (value);
    priv->post_messages = g_value_get_boolean (value);
    break;
  case PROP_INTERVAL:
    changed = priv->interval != g_value_get_uint (value);
    priv->interval = g_value_get_uint (value);
    break;
  case PROP_PPS:
    changed = priv->pps != g_value_get_double (value);
    priv->pps = g_value_get_double (value);
    break;
  case PROP_RESCAN_INTERVAL:
    changed = priv->rescan_interval != g_value_get_double (value);
    priv->rescan_interval = g_value_get_double (value);
    break;
  case PROP_DOWNSCALE:
    changed = priv->downscale != g_value_get_double (value);
    priv->downscale = g_value_get_double (value);
    break;
  case PROP_MIN_SIZE:
    changed = priv->min_size != g_value_get_uint (value);
    priv->min_size = g_value_get_uint (value);
    break;
  case PROP_MAX_SIZE:
    changed = priv->max_size != g_value_get_uint (value);
    priv->max_size = g_value_get_uint (value);
    break;
  case PROP_SCALE_FACTOR:
    changed = priv->scale_factor != g_value_get_double (value);
    priv->scale_factor = g_value_get_double (value);
    break;
  case PROP_MAX_MISSED:
    changed = priv->max_missed != g_value_get_uint (value);
    priv->max_missed = g_value_get_uint (value);
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
va_detector_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaDetector *self = VA_DETECTOR (object);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_POST_MESSAGES:
    g_value_set_boolean (value, priv->post_messages);
    break;
  case PROP_INTERVAL:
    g_value_set_uint (value, priv->interval);
    break;
  case PROP_PPS:
    g_value_set_double (value, priv->pps);
    break;
  case PROP_RESCAN_INTERVAL:
    g_value_set_double (value, priv->rescan_interval);
    break;
  case PROP_DOWNSCALE:
    g_value_set_double (value, priv->downscale);
    break;
  case PROP_MIN_SIZE:
    g_value_set_uint (value, priv->min_size);
    break;
  case PROP_MAX_SIZE:
    g_value_set_uint (value, priv->max_size);
    break;
  case PROP_SCALE_FACTOR:
    g_value_set_double (value, priv->scale_factor);
    break;
  case PROP_MAX_MISSED:
    g_value_set_uint (value, priv->max_missed);
    break;
  case PROP_PROCESSING_TIME:
    g_value_set_uint64 (value, priv->processing.total);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_detector_finalize (GObject *object)
{
  VaDetector *self = VA_DETECTOR (object);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  g_clear_object (&priv->tracker);
  g_clear_pointer (&priv->boxes, g_array_unref);
  g_clear_pointer (&priv->detections, g_array_unref);
  g_clear_pointer (&priv->predictions, g_array_unref);
  g_clear_pointer (&priv->regions, g_array_unref);
  g_clear_pointer (&priv->grey, g_free);
  clear_converter (priv);
  G_OBJECT_CLASS (va_detector_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_detector_timed_transform_frame_ip (GstVideoFilter *filter, GstVideoFrame *frame)
{
  VaDetector *self = VA_DETECTOR (filter);
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret;

  priv->current = frame;
  ret = va_detector_transform_frame_ip (filter, frame);
  forget_colour (priv);

  va_processing_time_end (&priv->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_detector_class_init (VaDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS
                      | GST_PARAM_MUTABLE_PLAYING;
  g_autoptr (GstCaps) caps = gst_caps_from_string (VIDEO_CAPS);

  object_class->set_property = va_detector_set_property;
  object_class->get_property = va_detector_get_property;
  object_class->finalize = va_detector_finalize;

  trans_class->start = GST_DEBUG_FUNCPTR (va_detector_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_detector_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_detector_sink_event);
  filter_class->set_info = GST_DEBUG_FUNCPTR (va_detector_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (va_detector_timed_transform_frame_ip);

  gst_element_class_add_pad_template (
      element_class, gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (
      element_class, gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));

  properties[PROP_POST_MESSAGES]
      = g_param_spec_boolean ("post-messages", "Post messages",
                              "Post an element message with the detections of every analysed frame",
                              DEFAULT_POST_MESSAGES, flags);
  properties[PROP_INTERVAL] = g_param_spec_uint (
      "interval", "Interval",
      "Run the detector on every Nth frame; 0 = sample by predictions-per-second", 0, G_MAXUINT,
      DEFAULT_INTERVAL, flags);
  properties[PROP_PPS] = g_param_spec_double (
      "predictions-per-second", "Predictions per second",
      "Frames per second of stream time the detector runs on when interval is 0 "
      "(0 = every frame); tracked boxes are carried to the frames in between",
      0.0, 1000.0, DEFAULT_PPS, flags);
  properties[PROP_RESCAN_INTERVAL] = g_param_spec_double (
      "rescan-interval", "Rescan interval",
      "Seconds between searches of the whole frame; the analysed frames in between are "
      "searched only around tracked objects, and a shot change forces a full search "
      "(0 = search the whole frame every time)",
      0.0, 3600.0, DEFAULT_RESCAN_INTERVAL, flags);
  properties[PROP_DOWNSCALE] = g_param_spec_double (
      "downscale", "Downscale",
      "Shrink the grey frame by this factor before searching (faster; objects smaller than "
      "the model window times this factor are missed). Below 1 enlarges it (slow). "
      "0 = automatic: about 640x360 pixels, never enlarged",
      0.0, 16.0, DEFAULT_DOWNSCALE, flags);
  properties[PROP_MIN_SIZE] = g_param_spec_uint (
      "min-size", "Minimum size",
      "Smallest object height to report, in input pixels (0 = the smallest the model finds "
      "at this downscale)",
      0, G_MAXINT, DEFAULT_MIN_SIZE, flags);
  properties[PROP_MAX_SIZE] = g_param_spec_uint (
      "max-size", "Maximum size", "Largest object height to report, in input pixels (0 = no limit)",
      0, G_MAXINT, DEFAULT_MAX_SIZE, flags);
  properties[PROP_SCALE_FACTOR] = g_param_spec_double (
      "scale-factor", "Scale factor",
      "Ratio between consecutive object sizes searched (smaller = slower, finds more)", 1.01, 2.0,
      DEFAULT_SCALE_FACTOR, flags);
  properties[PROP_MAX_MISSED] = g_param_spec_uint (
      "max-missed", "Max missed",
      "Analysed frames a tracked object may go undetected before its track ends (a "
      "reappearing object then gets a new track id)",
      0, 1000, DEFAULT_MAX_MISSED, flags);
  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_detector_init (VaDetector *self)
{
  VaDetectorPrivate *priv = va_detector_get_instance_private (self);

  priv->post_messages = DEFAULT_POST_MESSAGES;
  priv->interval = DEFAULT_INTERVAL;
  priv->pps = DEFAULT_PPS;
  priv->rescan_interval = DEFAULT_RESCAN_INTERVAL;
  priv->downscale = DEFAULT_DOWNSCALE;
  priv->min_size = DEFAULT_MIN_SIZE;
  priv->max_size = DEFAULT_MAX_SIZE;
  priv->scale_factor = DEFAULT_SCALE_FACTOR;
  priv->max_missed = DEFAULT_MAX_MISSED;
  priv->backend = g_intern_static_string ("unknown");
  priv->tracker = va_tracker_new ();
  priv->boxes = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));
  priv->detections = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));
  priv->predictions = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));
  priv->regions = g_array_new (FALSE, FALSE, sizeof (VaDetectRegion));
  reset_stream_state (self);

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* A late frame must still be analysed and carry its boxes, not be dropped. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
