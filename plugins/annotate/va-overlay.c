/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-vaoverlay
 * @title: vaoverlay
 *
 * Draws what the analysers found onto the video, for a preview:
 *
 * - every #GstVideoRegionOfInterestMeta of the frame as a box (faces
 *   yellow, people cyan, anything else magenta) labelled with its type,
 *   its track id and its confidence (from the `detection` parameter
 *   structure `vafacedetect` and `vapersondetect` attach);
 * - the current scene index (from the #VaSceneCutMeta of `vascenedetect`,
 *   top left), once a scene detector announced itself or a cut was seen;
 * - the words being spoken (bottom), from the #VaTranscriptMeta that
 *   `vaspeech` attaches to *audio* buffers.
 *
 * The transcript reaches the element through a second sink pad,
 * `transcript_sink`, in the manner of `textoverlay`'s `text_sink`: link the
 * audio branch to it (after `vaspeech`, through a `tee` and a `queue`); the
 * audio itself is dropped, only the metas are kept. Since a recognized
 * utterance is only known after it ended, a frame at stream time t is drawn
 * only once the transcript stream has reached t + `transcript-latency` (or
 * ended): words of an utterance that ends later than that after the frame
 * are missed on that frame. The video therefore runs that much behind the
 * audio: whatever sits between the demuxer and this element must be able
 * to hold it (`videoannotator annotate --preview` raises decodebin's queue
 * limits, on compressed data, accordingly). With the pad unlinked the
 * element never waits.
 *
 * Drawing is done with cairo and pango into small ARGB rectangles that are
 * blended onto the frame (#GstVideoOverlayComposition), so the frame keeps
 * its format (I420, NV12, … as decoded) and only the pixels under the
 * boxes and labels are touched.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=clip.mp4 ! decodebin ! vascenedetect ! vafacedetect ! \
 *     vaoverlay ! videoconvert ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "va-overlay.h"

#include <gst/video/video.h>
#include <pango/pangocairo.h>

#include "va-meta.h"

GST_DEBUG_CATEGORY_STATIC (va_overlay_debug);
#define GST_CAT_DEFAULT va_overlay_debug

#define DEFAULT_DRAW_BOXES TRUE
#define DEFAULT_DRAW_SCENE TRUE
#define DEFAULT_DRAW_TRANSCRIPT TRUE
#define DEFAULT_TRANSCRIPT_LATENCY (10 * GST_SECOND)
#define MAX_TRANSCRIPT_LATENCY (600 * GST_SECOND)
/* an utterance stays on screen this long after its last word */
#define TRANSCRIPT_HOLD (GST_SECOND)

/* Pango's font map and fontconfig are not meant to be used from several
 * threads at once; every overlay renders under this lock. */
static GMutex render_lock;

typedef struct {
  GstClockTime start;
  GstClockTime end;
  GArray *words; /* VaTranscriptWord, shared with the meta it came from */
} VaOverlayUtterance;

struct _VaOverlay {
  GstVideoFilter parent_instance;

  GstPad *transcript_pad;

  /* properties, under the object lock */
  gboolean draw_boxes;
  gboolean draw_scene;
  gboolean draw_transcript;
  GstClockTime transcript_latency;

  /* streaming thread of the video */
  PangoFontMap *font_map;
  PangoContext *pango;
  guint scene_index;
  gboolean scenes_known;

  /* shared between both streaming threads, under tlock */
  GMutex tlock;
  GCond tcond;
  GArray *utterances; /* VaOverlayUtterance, by end time */
  GstSegment tsegment;
  GstClockTime tposition; /* stream time the transcript stream reached */
  gboolean tlinked;
  gboolean teos;
  gboolean tflushing;
  gboolean vflushing;
};

enum {
  PROP_0,
  PROP_DRAW_BOXES,
  PROP_DRAW_SCENE,
  PROP_DRAW_TRANSCRIPT,
  PROP_TRANSCRIPT_LATENCY,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* the 8-bit layouts decoders produce; blending keeps them as they are */
#define VIDEO_CAPS                                                                                 \
  GST_VIDEO_CAPS_MAKE ("{ I420, YV12, NV12, NV21, Y42B, Y444, Y41B, YUY2, UYVY, YVYU, AYUV, "      \
                       "BGRx, RGBx, xRGB, xBGR, BGRA, RGBA, ARGB, ABGR, RGB, BGR }")

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (VIDEO_CAPS));
/* Any stream carrying VaTranscriptMeta; in practice the audio after vaspeech. */
static GstStaticPadTemplate transcript_template = GST_STATIC_PAD_TEMPLATE (
    "transcript_sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_FINAL_TYPE (VaOverlay, va_overlay, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE (vaoverlay, "vaoverlay", GST_RANK_NONE, VA_TYPE_OVERLAY);

static void
va_overlay_utterance_clear (VaOverlayUtterance *u)
{
  g_clear_pointer (&u->words, g_array_unref);
}

/* Called with tlock held. */
static void
va_overlay_reset_transcript (VaOverlay *self)
{
  g_array_set_size (self->utterances, 0);
  gst_segment_init (&self->tsegment, GST_FORMAT_TIME);
  self->tposition = GST_CLOCK_TIME_NONE;
  self->teos = FALSE;
}

/* ---- transcript pad ---- */

static GstFlowReturn
va_overlay_transcript_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  VaOverlay *self = VA_OVERLAY (parent);
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  gpointer state = NULL;
  GstMeta *meta;
  GstFlowReturn ret = GST_FLOW_OK;

  g_mutex_lock (&self->tlock);
  if (self->tflushing) {
    ret = GST_FLOW_FLUSHING;
    goto out;
  }
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state, VA_TRANSCRIPT_META_API_TYPE))) {
    VaTranscriptMeta *tm = (VaTranscriptMeta *)meta;
    VaOverlayUtterance u = { tm->start, tm->end, NULL };

    if (tm->words == NULL || tm->words->len == 0)
      continue;
    u.words = g_array_ref (tm->words);
    g_array_append_val (self->utterances, u);
  }
  if (GST_CLOCK_TIME_IS_VALID (ts)) {
    GstClockTime end = ts, stream_time;
    if (GST_BUFFER_DURATION_IS_VALID (buffer))
      end += GST_BUFFER_DURATION (buffer);
    stream_time = gst_segment_to_stream_time (&self->tsegment, GST_FORMAT_TIME, end);
    if (GST_CLOCK_TIME_IS_VALID (stream_time)
        && (!GST_CLOCK_TIME_IS_VALID (self->tposition) || stream_time > self->tposition))
      self->tposition = stream_time;
  }
  g_cond_broadcast (&self->tcond);
out:
  g_mutex_unlock (&self->tlock);
  gst_buffer_unref (buffer);
  return ret;
}

static gboolean
va_overlay_transcript_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  VaOverlay *self = VA_OVERLAY (parent);

  g_mutex_lock (&self->tlock);
  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_SEGMENT: {
    const GstSegment *segment;
    gst_event_parse_segment (event, &segment);
    if (segment->format == GST_FORMAT_TIME)
      gst_segment_copy_into (segment, &self->tsegment);
    break;
  }
  case GST_EVENT_GAP: {
    GstClockTime ts, duration, stream_time;
    gst_event_parse_gap (event, &ts, &duration);
    if (GST_CLOCK_TIME_IS_VALID (duration))
      ts += duration;
    stream_time = gst_segment_to_stream_time (&self->tsegment, GST_FORMAT_TIME, ts);
    if (GST_CLOCK_TIME_IS_VALID (stream_time)
        && (!GST_CLOCK_TIME_IS_VALID (self->tposition) || stream_time > self->tposition))
      self->tposition = stream_time;
    break;
  }
  case GST_EVENT_EOS:
    self->teos = TRUE;
    break;
  case GST_EVENT_FLUSH_START:
    self->tflushing = TRUE;
    break;
  case GST_EVENT_FLUSH_STOP:
    self->tflushing = FALSE;
    va_overlay_reset_transcript (self);
    break;
  case GST_EVENT_STREAM_START:
    self->teos = FALSE;
    break;
  default:
    break;
  }
  g_cond_broadcast (&self->tcond);
  g_mutex_unlock (&self->tlock);
  /* the transcript stream ends here */
  gst_event_unref (event);
  return TRUE;
}

static GstPadLinkReturn
va_overlay_transcript_link (GstPad *pad, GstObject *parent, GstPad *peer)
{
  VaOverlay *self = VA_OVERLAY (parent);

  g_mutex_lock (&self->tlock);
  self->tlinked = TRUE;
  g_mutex_unlock (&self->tlock);
  return GST_PAD_LINK_OK;
}

static void
va_overlay_transcript_unlink (GstPad *pad, GstObject *parent)
{
  VaOverlay *self = VA_OVERLAY (parent);

  g_mutex_lock (&self->tlock);
  self->tlinked = FALSE;
  g_cond_broadcast (&self->tcond);
  g_mutex_unlock (&self->tlock);
}

/* ---- drawing ---- */

typedef struct {
  GstBuffer *buffer;
  GstMapInfo map;
  cairo_surface_t *surface;
  cairo_t *cr;
  int width;
  int height;
} VaCanvas;

/* A transparent premultiplied ARGB canvas in the layout
 * GstVideoOverlayRectangle expects (cairo's ARGB32 is that layout). */
static void
va_canvas_begin (VaCanvas *canvas, int width, int height)
{
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, width);

  canvas->width = width;
  canvas->height = height;
  canvas->buffer
      = gst_buffer_new_wrapped (g_malloc0 ((gsize)stride * height), (gsize)stride * height);
  gst_buffer_map (canvas->buffer, &canvas->map, GST_MAP_READWRITE);
  canvas->surface = cairo_image_surface_create_for_data (canvas->map.data, CAIRO_FORMAT_ARGB32,
                                                         width, height, stride);
  canvas->cr = cairo_create (canvas->surface);
}

static GstVideoOverlayRectangle *
va_canvas_end (VaCanvas *canvas, int x, int y)
{
  GstVideoOverlayRectangle *rect;
  int stride = cairo_image_surface_get_stride (canvas->surface);
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gint strides[GST_VIDEO_MAX_PLANES] = { stride };

  cairo_destroy (canvas->cr);
  cairo_surface_destroy (canvas->surface);
  gst_buffer_unmap (canvas->buffer, &canvas->map);
  gst_buffer_add_video_meta_full (canvas->buffer, GST_VIDEO_FRAME_FLAG_NONE,
                                  GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, canvas->width,
                                  canvas->height, 1, offset, strides);
  rect = gst_video_overlay_rectangle_new_raw (canvas->buffer, x, y, canvas->width, canvas->height,
                                              GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA);
  gst_buffer_unref (canvas->buffer);
  return rect;
}

static PangoLayout *
va_overlay_layout (VaOverlay *self, const char *text, int font_px)
{
  PangoLayout *layout = pango_layout_new (self->pango);
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string ("Sans Bold");

  pango_font_description_set_absolute_size (font, font_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* White text on a dark translucent band at (x, y); returns its rectangle. */
static GstVideoOverlayRectangle *
va_overlay_label (VaOverlay *self, PangoLayout *layout, int x, int y, int max_w, int max_h,
                  double r, double g, double b)
{
  VaCanvas canvas;
  int tw, th, pad = 3;

  pango_layout_get_pixel_size (layout, &tw, &th);
  tw = MIN (tw + 2 * pad, max_w);
  th = MIN (th + 2 * pad, max_h);
  if (tw <= 0 || th <= 0)
    return NULL;
  va_canvas_begin (&canvas, tw, th);
  cairo_set_source_rgba (canvas.cr, 0, 0, 0, 0.6);
  cairo_paint (canvas.cr);
  cairo_set_source_rgb (canvas.cr, r, g, b);
  cairo_move_to (canvas.cr, pad, pad);
  pango_cairo_show_layout (canvas.cr, layout);
  return va_canvas_end (&canvas, x, y);
}

static void
va_overlay_add (GstVideoOverlayComposition **comp, GstVideoOverlayRectangle *rect)
{
  if (rect == NULL)
    return;
  if (*comp == NULL)
    *comp = gst_video_overlay_composition_new (rect);
  else
    gst_video_overlay_composition_add_rectangle (*comp, rect);
  gst_video_overlay_rectangle_unref (rect);
}

static void
va_overlay_draw_roi (VaOverlay *self, GstVideoOverlayComposition **comp,
                     GstVideoRegionOfInterestMeta *roi, int width, int height)
{
  const char *type = g_quark_to_string (roi->roi_type);
  GstStructure *detection = gst_video_region_of_interest_meta_get_param (roi, "detection");
  int line = MAX (2, height / 240);
  int font_px = MAX (10, height / 40);
  int x0 = CLAMP ((int)roi->x, 0, width - 1), y0 = CLAMP ((int)roi->y, 0, height - 1);
  int x1 = CLAMP ((int)(roi->x + roi->w), 0, width), y1 = CLAMP ((int)(roi->y + roi->h), 0, height);
  double r = 1, g = 0, b = 1;
  g_autoptr (GString) text = g_string_new (type);
  int track = roi->id;
  double confidence = -1;
  VaCanvas canvas;
  PangoLayout *layout;
  int tw, th;

  if (x1 - x0 < 2 || y1 - y0 < 2)
    return;
  if (g_strcmp0 (type, "face") == 0)
    r = 1, g = 0.85, b = 0;
  else if (g_strcmp0 (type, "person") == 0)
    r = 0, g = 0.8, b = 1;

  va_canvas_begin (&canvas, x1 - x0, y1 - y0);
  cairo_set_source_rgb (canvas.cr, r, g, b);
  cairo_set_line_width (canvas.cr, line);
  cairo_rectangle (canvas.cr, line / 2.0, line / 2.0, canvas.width - line, canvas.height - line);
  cairo_stroke (canvas.cr);
  va_overlay_add (comp, va_canvas_end (&canvas, x0, y0));

  if (detection != NULL) {
    gst_structure_get_int (detection, "track-id", &track);
    gst_structure_get_double (detection, "confidence", &confidence);
  }
  if (track > 0)
    g_string_append_printf (text, " #%d", track);
  if (confidence >= 0)
    g_string_append_printf (text, " %.2f", confidence);
  layout = va_overlay_layout (self, text->str, font_px);
  pango_layout_get_pixel_size (layout, &tw, &th);
  /* above the box when there is room, else just inside its top */
  {
    int ly = y0 - th - 6 >= 0 ? y0 - th - 6 : y0 + line;
    va_overlay_add (comp,
                    va_overlay_label (self, layout, x0, ly, width - x0, height - ly, r, g, b));
  }
  g_object_unref (layout);
}

/* The words of the utterance being spoken at @t, up to @t. Called with
 * tlock held; forgets utterances that are over. */
static char *
va_overlay_words_at (VaOverlay *self, GstClockTime t)
{
  GString *text = NULL;
  guint i = 0;

  while (i < self->utterances->len) {
    VaOverlayUtterance *u = &g_array_index (self->utterances, VaOverlayUtterance, i);
    if (u->end + TRANSCRIPT_HOLD < t) {
      g_array_remove_index (self->utterances, i); /* the clear func drops the words */
      continue;
    }
    if (u->start <= t) {
      if (text != NULL)
        g_string_truncate (text, 0); /* a later utterance replaces an earlier one */
      for (guint j = 0; j < u->words->len; j++) {
        VaTranscriptWord *w = &g_array_index (u->words, VaTranscriptWord, j);
        if (w->start > t)
          break;
        if (text == NULL)
          text = g_string_new (NULL);
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", w->text);
      }
    }
    i++;
  }
  if (text != NULL && text->len == 0) {
    g_string_free (text, TRUE);
    return NULL;
  }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

static GstFlowReturn
va_overlay_transform_frame_ip (GstVideoFilter *filter, GstVideoFrame *frame)
{
  VaOverlay *self = VA_OVERLAY (filter);
  GstBuffer *buffer = frame->buffer;
  int width = GST_VIDEO_FRAME_WIDTH (frame), height = GST_VIDEO_FRAME_HEIGHT (frame);
  GstVideoOverlayComposition *comp = NULL;
  VaSceneCutMeta *cut = va_buffer_get_scene_cut_meta (buffer);
  gboolean draw_boxes, draw_scene, draw_transcript, flushing = FALSE;
  GstClockTime latency, t;
  g_autofree char *words = NULL;

  GST_OBJECT_LOCK (self);
  draw_boxes = self->draw_boxes;
  draw_scene = self->draw_scene;
  draw_transcript = self->draw_transcript;
  latency = self->transcript_latency;
  GST_OBJECT_UNLOCK (self);

  if (cut != NULL) {
    self->scene_index = cut->scene_index;
    self->scenes_known = TRUE;
  }
  t = gst_segment_to_stream_time (&GST_BASE_TRANSFORM (filter)->segment, GST_FORMAT_TIME,
                                  GST_BUFFER_PTS (buffer));

  if (draw_transcript && GST_CLOCK_TIME_IS_VALID (t)) {
    g_mutex_lock (&self->tlock);
    /* wait until the recognizer can have finished what is said at t */
    while (self->tlinked && !self->teos && !self->tflushing && !self->vflushing
           && (!GST_CLOCK_TIME_IS_VALID (self->tposition) || self->tposition < t + latency))
      g_cond_wait (&self->tcond, &self->tlock);
    flushing = self->vflushing;
    if (!flushing)
      words = va_overlay_words_at (self, t);
    g_mutex_unlock (&self->tlock);
    if (flushing)
      return GST_FLOW_FLUSHING;
  }

  g_mutex_lock (&render_lock);
  if (draw_boxes) {
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
                                                     GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
      va_overlay_draw_roi (self, &comp, (GstVideoRegionOfInterestMeta *)meta, width, height);
  }
  if (draw_scene && self->scenes_known) {
    g_autofree char *label = g_strdup_printf ("scene %u", self->scene_index);
    PangoLayout *layout = va_overlay_layout (self, label, MAX (12, height / 30));
    va_overlay_add (&comp, va_overlay_label (self, layout, 4, 4, width - 4, height - 4, 1, 1, 1));
    g_object_unref (layout);
  }
  if (words != NULL) {
    PangoLayout *layout = va_overlay_layout (self, words, MAX (12, height / 24));
    int tw, th;
    /* long lines lose their beginning: the latest word matters most */
    pango_layout_set_width (layout, (width * 9 / 10) * PANGO_SCALE);
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_START);
    pango_layout_get_pixel_size (layout, &tw, &th);
    va_overlay_add (&comp, va_overlay_label (self, layout, MAX (0, (width - tw) / 2 - 3),
                                             MAX (0, height - th - height / 20 - 6), width, height,
                                             1, 1, 1));
    g_object_unref (layout);
  }
  g_mutex_unlock (&render_lock);

  if (comp != NULL) {
    gst_video_overlay_composition_blend (comp, frame);
    gst_video_overlay_composition_unref (comp);
  }
  return GST_FLOW_OK;
}

/* ---- element ---- */

static gboolean
va_overlay_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaOverlay *self = VA_OVERLAY (trans);
  const char *announced = va_annotation_output_parse_announce_event (event);

  if (announced != NULL && g_str_equal (announced, "scene_detection"))
    self->scenes_known = TRUE;

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_FLUSH_START:
    g_mutex_lock (&self->tlock);
    self->vflushing = TRUE;
    g_cond_broadcast (&self->tcond);
    g_mutex_unlock (&self->tlock);
    break;
  case GST_EVENT_FLUSH_STOP:
    g_mutex_lock (&self->tlock);
    self->vflushing = FALSE;
    g_mutex_unlock (&self->tlock);
    self->scene_index = 0;
    break;
  default:
    break;
  }
  return GST_BASE_TRANSFORM_CLASS (va_overlay_parent_class)->sink_event (trans, event);
}

static gboolean
va_overlay_start (GstBaseTransform *trans)
{
  VaOverlay *self = VA_OVERLAY (trans);

  g_mutex_lock (&render_lock);
  self->font_map = pango_cairo_font_map_new ();
  self->pango = pango_font_map_create_context (self->font_map);
  g_mutex_unlock (&render_lock);
  self->scene_index = 0;
  self->scenes_known = FALSE;
  return TRUE;
}

static gboolean
va_overlay_stop (GstBaseTransform *trans)
{
  VaOverlay *self = VA_OVERLAY (trans);

  g_mutex_lock (&render_lock);
  g_clear_object (&self->pango);
  g_clear_object (&self->font_map);
  g_mutex_unlock (&render_lock);
  return TRUE;
}

static GstStateChangeReturn
va_overlay_change_state (GstElement *element, GstStateChange transition)
{
  VaOverlay *self = VA_OVERLAY (element);

  switch (transition) {
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    g_mutex_lock (&self->tlock);
    self->vflushing = FALSE;
    self->tflushing = FALSE;
    va_overlay_reset_transcript (self);
    g_mutex_unlock (&self->tlock);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    /* release a streaming thread waiting for the transcript before the
     * pads are deactivated (which takes its stream lock) */
    g_mutex_lock (&self->tlock);
    self->vflushing = TRUE;
    self->tflushing = TRUE;
    g_cond_broadcast (&self->tcond);
    g_mutex_unlock (&self->tlock);
    break;
  default:
    break;
  }
  return GST_ELEMENT_CLASS (va_overlay_parent_class)->change_state (element, transition);
}

static void
va_overlay_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaOverlay *self = VA_OVERLAY (object);
  gboolean changed = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_DRAW_BOXES:
    changed = self->draw_boxes != g_value_get_boolean (value);
    self->draw_boxes = g_value_get_boolean (value);
    break;
  case PROP_DRAW_SCENE:
    changed = self->draw_scene != g_value_get_boolean (value);
    self->draw_scene = g_value_get_boolean (value);
    break;
  case PROP_DRAW_TRANSCRIPT:
    changed = self->draw_transcript != g_value_get_boolean (value);
    self->draw_transcript = g_value_get_boolean (value);
    break;
  case PROP_TRANSCRIPT_LATENCY:
    changed = self->transcript_latency != g_value_get_uint64 (value);
    self->transcript_latency = g_value_get_uint64 (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);
  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_overlay_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaOverlay *self = VA_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_DRAW_BOXES:
    g_value_set_boolean (value, self->draw_boxes);
    break;
  case PROP_DRAW_SCENE:
    g_value_set_boolean (value, self->draw_scene);
    break;
  case PROP_DRAW_TRANSCRIPT:
    g_value_set_boolean (value, self->draw_transcript);
    break;
  case PROP_TRANSCRIPT_LATENCY:
    g_value_set_uint64 (value, self->transcript_latency);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
va_overlay_finalize (GObject *object)
{
  VaOverlay *self = VA_OVERLAY (object);

  g_clear_pointer (&self->utterances, g_array_unref);
  g_mutex_clear (&self->tlock);
  g_cond_clear (&self->tcond);
  G_OBJECT_CLASS (va_overlay_parent_class)->finalize (object);
}

static void
va_overlay_class_init (VaOverlayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (va_overlay_debug, "vaoverlay", 0, "VideoAnnotator overlay");

  object_class->set_property = va_overlay_set_property;
  object_class->get_property = va_overlay_get_property;
  object_class->finalize = va_overlay_finalize;

  properties[PROP_DRAW_BOXES] = g_param_spec_boolean (
      "draw-boxes", "Draw boxes",
      "Draw every region of interest of the frame (faces, people) with its type, track id and "
      "confidence",
      DEFAULT_DRAW_BOXES,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_DRAW_SCENE] = g_param_spec_boolean (
      "draw-scene", "Draw scene",
      "Draw the index of the current scene (top left) once a scene detector is upstream",
      DEFAULT_DRAW_SCENE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_DRAW_TRANSCRIPT] = g_param_spec_boolean (
      "draw-transcript", "Draw transcript",
      "Draw the words being spoken (bottom), from the transcripts arriving on transcript_sink; "
      "when off, frames never wait for the transcript",
      DEFAULT_DRAW_TRANSCRIPT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_TRANSCRIPT_LATENCY] = g_param_spec_uint64 (
      "transcript-latency", "Transcript latency",
      "How far (ns of stream time) the transcript stream must be ahead of a frame before the "
      "frame is drawn, when transcript_sink is linked: utterances ending later than this after "
      "a frame are not shown on it",
      0, MAX_TRANSCRIPT_LATENCY, DEFAULT_TRANSCRIPT_LATENCY,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_READY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  element_class->change_state = va_overlay_change_state;
  trans_class->sink_event = va_overlay_sink_event;
  trans_class->start = va_overlay_start;
  trans_class->stop = va_overlay_stop;
  trans_class->passthrough_on_same_caps = FALSE;
  filter_class->transform_frame_ip = va_overlay_transform_frame_ip;

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_add_static_pad_template (element_class, &transcript_template);
  gst_element_class_set_static_metadata (
      element_class, "Annotation overlay", "Filter/Editor/Video",
      "Draws the analysers' results onto the video with cairo and pango: face and person boxes "
      "(GstVideoRegionOfInterestMeta) with track ids and confidences, the current scene index "
      "(VaSceneCutMeta), and the words being spoken, taken from the VaTranscriptMeta of the "
      "audio stream linked to transcript_sink",
      "VideoAnnotator developers");
}

static void
va_overlay_init (VaOverlay *self)
{
  self->draw_boxes = DEFAULT_DRAW_BOXES;
  self->draw_scene = DEFAULT_DRAW_SCENE;
  self->draw_transcript = DEFAULT_DRAW_TRANSCRIPT;
  self->transcript_latency = DEFAULT_TRANSCRIPT_LATENCY;
  g_mutex_init (&self->tlock);
  g_cond_init (&self->tcond);
  self->utterances = g_array_new (FALSE, FALSE, sizeof (VaOverlayUtterance));
  g_array_set_clear_func (self->utterances, (GDestroyNotify)va_overlay_utterance_clear);
  gst_segment_init (&self->tsegment, GST_FORMAT_TIME);
  self->tposition = GST_CLOCK_TIME_NONE;

  self->transcript_pad = gst_pad_new_from_static_template (&transcript_template, "transcript_sink");
  gst_pad_set_chain_function (self->transcript_pad, va_overlay_transcript_chain);
  gst_pad_set_event_function (self->transcript_pad, va_overlay_transcript_event);
  gst_pad_set_link_function (self->transcript_pad, va_overlay_transcript_link);
  gst_pad_set_unlink_function (self->transcript_pad, va_overlay_transcript_unlink);
  gst_element_add_pad (GST_ELEMENT (self), self->transcript_pad);
}
