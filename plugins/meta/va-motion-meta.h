/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * VaMotionMeta:
 * @meta: the parent #GstMeta.
 * @energy: motion energy of the frame in [0, 1]: the mean absolute luma
 *   difference between this frame and the compared earlier frame, on a
 *   downscaled copy, divided by 255. 0 is a still picture; a full-frame change
 *   from black to white is 1. Typical camera noise is below 0.01; a person
 *   walking across a medium shot gives roughly 0.02–0.08.
 * @moving_fraction: share of the sampled points, in [0, 1], whose luma changed
 *   by more than the analyser's noise threshold.
 * @interval: how many frames before this one the compared frame was.
 * @grid_rows: rows of @grid, 0 when no grid was requested.
 * @grid_cols: columns of @grid, 0 when no grid was requested.
 * @grid: (array) (nullable): @grid_rows × @grid_cols energies, row-major from
 *   the top-left region, each on the same scale as @energy but restricted to
 *   its region; %NULL without a grid.
 *
 * Attached by `vamotion` to every analysed frame. Only has the "video" tag and
 * its regions are relative to the frame, so it is copied through conversions
 * and scaling.
 */
typedef struct {
  GstMeta meta;

  gdouble energy;
  gdouble moving_fraction;
  guint interval;
  guint grid_rows;
  guint grid_cols;
  gfloat *grid;
} VaMotionMeta;

GType va_motion_meta_api_get_type (void);
#define VA_MOTION_META_API_TYPE (va_motion_meta_api_get_type ())

const GstMetaInfo *va_motion_meta_get_info (void);
#define VA_MOTION_META_INFO (va_motion_meta_get_info ())

#define va_buffer_get_motion_meta(b)                                                               \
  ((VaMotionMeta *)gst_buffer_get_meta ((b), VA_MOTION_META_API_TYPE))

VaMotionMeta *va_buffer_add_motion_meta (GstBuffer *buffer, gdouble energy, gdouble moving_fraction,
                                         guint interval, guint grid_rows, guint grid_cols,
                                         const gfloat *grid);

G_END_DECLS
