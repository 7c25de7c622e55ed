/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* The formats the analysers read directly: what decoders output natively
 * (I420, NV12, and their 10/12-bit little-endian forms), plus common packed
 * and RGB layouts, so that no conversion is needed in front of them. */
#define VA_FRAME_SAMPLER_FORMATS                                                                   \
  "{ I420, YV12, NV12, NV21, Y42B, Y444, Y41B, NV16, NV24, YUY2, UYVY, YVYU, AYUV, VUYA, "         \
  "GRAY8, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, RGB, BGR, "                              \
  "I420_10LE, I420_12LE, I422_10LE, I422_12LE, Y444_10LE, Y444_12LE, Y444_16LE, "                  \
  "P010_10LE, P012_LE, P016_LE, GRAY16_LE }"

/*
 * VaFrameSampler reduces a frame to a small grid of Y, U, V values (BT.601
 * ranges, 128 = no chroma) by reading a few pixels per grid cell straight
 * from the planes: luma is the mean of 2 × 2 points spread over the cell,
 * chroma the cell centre. Deeper samples are reduced to their 8 most
 * significant bits. No per-frame allocation: every offset is computed when
 * the format is set.
 */
typedef struct {
  /* public, read-only */
  guint width;
  guint height;
  guint8 *y;
  guint8 *u;
  guint8 *v;

  /*< private >*/
  GstVideoFormat format;
  gboolean is_rgb;
  gboolean has_chroma;
  gboolean wide;  /* 16-bit little-endian words */
  guint shift[3]; /* right shift of a word to its 8 most significant bits */
  guint plane[3];
  guint offset[3]; /* byte offset of each component in its plane */
  gboolean want_chroma;
  guint *luma_x;   /* 2 * width byte offsets inside a row, per component */
  guint *luma_row; /* 2 * height row numbers */
  guint *chroma_x[3];
  guint *chroma_row[3];
} VaFrameSampler;

gboolean va_frame_sampler_format_supported (GstVideoFormat format);
gboolean va_frame_sampler_configure (VaFrameSampler *self, const GstVideoInfo *info, guint width,
                                     gboolean want_chroma);
void va_frame_sampler_sample (VaFrameSampler *self, const GstVideoFrame *frame);
void va_frame_sampler_clear (VaFrameSampler *self);

G_END_DECLS
