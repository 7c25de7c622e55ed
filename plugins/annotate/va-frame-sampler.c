/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-frame-sampler.h"

#include <string.h>

gboolean
va_frame_sampler_format_supported (GstVideoFormat format)
{
  const GstVideoFormatInfo *finfo = gst_video_format_get_info (format);
  guint depth;

  if (finfo == NULL || GST_VIDEO_FORMAT_INFO_IS_COMPLEX (finfo)
      || GST_VIDEO_FORMAT_INFO_IS_TILED (finfo) || GST_VIDEO_FORMAT_INFO_HAS_PALETTE (finfo))
    return FALSE;
  if (!GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && !GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)
      && !GST_VIDEO_FORMAT_INFO_IS_GRAY (finfo))
    return FALSE;
  /* One byte per sample, or one little-endian 16-bit word (YUV/grey only). */
  depth = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0);
  for (guint c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
    guint bits = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) + GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c);
    if (GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) != depth)
      return FALSE;
    if (depth == 8 && bits != 8)
      return FALSE;
    if (depth > 8
        && (bits > 16 || !GST_VIDEO_FORMAT_INFO_IS_LE (finfo)
            || GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)))
      return FALSE;
  }
  if (depth > 8) {
    /* Each component must be one word of its own. */
    for (guint c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++)
      if (GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c) % 2 != 0)
        return FALSE;
  }
  return depth >= 8 && depth <= 16;
}

void
va_frame_sampler_clear (VaFrameSampler *self)
{
  g_clear_pointer (&self->y, g_free);
  g_clear_pointer (&self->u, g_free);
  g_clear_pointer (&self->v, g_free);
  g_clear_pointer (&self->luma_x, g_free);
  g_clear_pointer (&self->luma_row, g_free);
  for (guint c = 0; c < 3; c++) {
    g_clear_pointer (&self->chroma_x[c], g_free);
    g_clear_pointer (&self->chroma_row[c], g_free);
  }
  self->width = self->height = 0;
}

/* Position of point @k of @n evenly spread points over @size pixels, the
 * points sitting in the middle of their share. */
static guint
spread (guint k, guint n, guint size)
{
  return (guint)(((guint64)(2 * k + 1) * size) / (2 * n));
}

/**
 * va_frame_sampler_configure:
 * @info: the negotiated video format
 * @width: wanted grid width; the height follows the frame's aspect ratio
 * @want_chroma: whether U and V are needed (motion only reads luma)
 *
 * Returns: %FALSE when the format is not one of VA_FRAME_SAMPLER_FORMATS.
 */
gboolean
va_frame_sampler_configure (VaFrameSampler *self, const GstVideoInfo *info, guint width,
                            gboolean want_chroma)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint fw = GST_VIDEO_INFO_WIDTH (info);
  guint fh = GST_VIDEO_INFO_HEIGHT (info);
  guint gw, gh, n;

  va_frame_sampler_clear (self);
  if (!va_frame_sampler_format_supported (GST_VIDEO_INFO_FORMAT (info)) || fw == 0 || fh == 0)
    return FALSE;

  gw = CLAMP (width, 1, fw);
  gh = CLAMP ((guint)(((guint64)gw * fh + fw / 2) / fw), 1, fh);
  n = gw * gh;

  self->format = GST_VIDEO_INFO_FORMAT (info);
  self->is_rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (finfo);
  self->has_chroma = !GST_VIDEO_FORMAT_INFO_IS_GRAY (finfo);
  self->wide = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, 0) > 8;
  for (guint c = 0; c < MIN (3, GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo)); c++) {
    guint offset = GST_VIDEO_FORMAT_INFO_POFFSET (finfo, c);

    self->plane[c] = GST_VIDEO_FORMAT_INFO_PLANE (finfo, c);
    /* GStreamer 1.22 gives the second component of P010/P012/P016 the
     * offset 1, in the middle of the first one's word; it starts at byte 2. */
    self->offset[c] = self->wide && offset % 2 != 0 ? offset + 1 : offset;
    self->shift[c] = self->wide ? GST_VIDEO_FORMAT_INFO_SHIFT (finfo, c)
                                      + GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) - 8
                                : 0;
  }
  self->want_chroma = want_chroma;
  self->width = gw;
  self->height = gh;
  self->y = g_malloc0 (n);
  self->u = g_malloc (n);
  self->v = g_malloc (n);
  memset (self->u, 128, n);
  memset (self->v, 128, n);

  /* Luma: two points per cell and axis. For RGB the same positions serve R,
   * G and B, which share one plane and pixel stride. */
  self->luma_x = g_new (guint, 2 * gw);
  self->luma_row = g_new (guint, 2 * gh);
  for (guint j = 0; j < 2 * gw; j++)
    self->luma_x[j] = spread (j, 2 * gw, fw) * GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0);
  for (guint i = 0; i < 2 * gh; i++)
    self->luma_row[i] = spread (i, 2 * gh, fh);

  /* Chroma: the cell centre, in each component's own subsampled grid. */
  for (guint c = 0; c < 3; c++) {
    if (c >= GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo))
      break;
    self->chroma_x[c] = g_new (guint, gw);
    self->chroma_row[c] = g_new (guint, gh);
    for (guint j = 0; j < gw; j++)
      self->chroma_x[c][j] = (spread (j, gw, fw) >> GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c))
                             * GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, c);
    for (guint i = 0; i < gh; i++)
      self->chroma_row[c][i] = spread (i, gh, fh) >> GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
  }
  return TRUE;
}

/* BT.601 studio range, the range the YUV formats carry. */
static inline guint8
rgb_to_y (guint r, guint g, guint b)
{
  return (guint8)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
}

static inline guint8
rgb_to_u (gint r, gint g, gint b)
{
  return (guint8)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
}

static inline guint8
rgb_to_v (gint r, gint g, gint b)
{
  return (guint8)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
}

static void
sample_yuv (VaFrameSampler *self, const GstVideoFrame *frame)
{
  const guint8 *ydata = GST_VIDEO_FRAME_COMP_DATA (frame, 0);
  gint ystride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  gboolean chroma = self->has_chroma && self->want_chroma;
  const guint8 *udata = chroma ? GST_VIDEO_FRAME_COMP_DATA (frame, 1) : NULL;
  const guint8 *vdata = chroma ? GST_VIDEO_FRAME_COMP_DATA (frame, 2) : NULL;
  gint ustride = chroma ? GST_VIDEO_FRAME_COMP_STRIDE (frame, 1) : 0;
  gint vstride = chroma ? GST_VIDEO_FRAME_COMP_STRIDE (frame, 2) : 0;
  const guint *lx = self->luma_x;
  guint k = 0;

  for (guint i = 0; i < self->height; i++) {
    const guint8 *ra = ydata + (gssize)self->luma_row[2 * i] * ystride;
    const guint8 *rb = ydata + (gssize)self->luma_row[2 * i + 1] * ystride;

    for (guint j = 0; j < self->width; j++, k++)
      self->y[k]
          = (guint8)((ra[lx[2 * j]] + ra[lx[2 * j + 1]] + rb[lx[2 * j]] + rb[lx[2 * j + 1]] + 2)
                     >> 2);
    if (chroma) {
      const guint8 *ru = udata + (gssize)self->chroma_row[1][i] * ustride;
      const guint8 *rv = vdata + (gssize)self->chroma_row[2][i] * vstride;
      guint8 *u = self->u + (gsize)i * self->width;
      guint8 *v = self->v + (gsize)i * self->width;

      for (guint j = 0; j < self->width; j++) {
        u[j] = ru[self->chroma_x[1][j]];
        v[j] = rv[self->chroma_x[2][j]];
      }
    }
  }
}

static inline guint8
word (const guint8 *p, guint shift)
{
  return (guint8)((p[0] | (p[1] << 8)) >> shift);
}

/* As sample_yuv(), for 16-bit little-endian words. */
static const guint8 *
wide_data (VaFrameSampler *self, const GstVideoFrame *frame, guint c)
{
  return (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA (frame, self->plane[c]) + self->offset[c];
}

static void
sample_yuv_wide (VaFrameSampler *self, const GstVideoFrame *frame)
{
  const guint8 *ydata = wide_data (self, frame, 0);
  gint ystride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  gboolean chroma = self->has_chroma && self->want_chroma;
  const guint *lx = self->luma_x;
  guint ys = self->shift[0];
  guint k = 0;

  for (guint i = 0; i < self->height; i++) {
    const guint8 *ra = ydata + (gssize)self->luma_row[2 * i] * ystride;
    const guint8 *rb = ydata + (gssize)self->luma_row[2 * i + 1] * ystride;

    for (guint j = 0; j < self->width; j++, k++)
      self->y[k] = (guint8)((word (ra + lx[2 * j], ys) + word (ra + lx[2 * j + 1], ys)
                             + word (rb + lx[2 * j], ys) + word (rb + lx[2 * j + 1], ys) + 2)
                            >> 2);
    if (chroma) {
      for (guint c = 1; c < 3; c++) {
        const guint8 *row
            = wide_data (self, frame, c)
              + (gssize)self->chroma_row[c][i] * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
        guint8 *out = (c == 1 ? self->u : self->v) + (gsize)i * self->width;

        for (guint j = 0; j < self->width; j++)
          out[j] = word (row + self->chroma_x[c][j], self->shift[c]);
      }
    }
  }
}

static void
sample_rgb (VaFrameSampler *self, const GstVideoFrame *frame)
{
  const guint8 *rdata = GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_R);
  const guint8 *gdata = GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_G);
  const guint8 *bdata = GST_VIDEO_FRAME_COMP_DATA (frame, GST_VIDEO_COMP_B);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, GST_VIDEO_COMP_R);
  const guint *lx = self->luma_x;
  guint k = 0;

  for (guint i = 0; i < self->height; i++) {
    for (guint j = 0; j < self->width; j++, k++) {
      guint sum = 0;

      for (guint dy = 0; dy < 2; dy++) {
        gssize row = (gssize)self->luma_row[2 * i + dy] * stride;
        for (guint dx = 0; dx < 2; dx++) {
          guint x = lx[2 * j + dx];
          sum += rgb_to_y (rdata[row + x], gdata[row + x], bdata[row + x]);
        }
      }
      self->y[k] = (guint8)((sum + 2) >> 2);

      if (self->want_chroma) {
        gssize off = (gssize)self->chroma_row[0][i] * stride + self->chroma_x[0][j];
        gint r = rdata[off], g = gdata[off], b = bdata[off];

        self->u[k] = rgb_to_u (r, g, b);
        self->v[k] = rgb_to_v (r, g, b);
      }
    }
  }
}

/**
 * va_frame_sampler_sample:
 * @frame: a mapped frame in the configured format
 *
 * Fills y, u and v (u and v stay 128 for grey formats or when chroma was not
 * wanted).
 */
void
va_frame_sampler_sample (VaFrameSampler *self, const GstVideoFrame *frame)
{
  g_return_if_fail (self->y != NULL);
  g_return_if_fail (GST_VIDEO_FRAME_FORMAT (frame) == self->format);

  if (self->is_rgb)
    sample_rgb (self, frame);
  else if (self->wide)
    sample_yuv_wide (self, frame);
  else
    sample_yuv (self, frame);
}
