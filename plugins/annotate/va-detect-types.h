/* Plain C types shared by the detector elements and their OpenCV back ends
 * (the .cpp files include this, so no GStreamer types here).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "va-tracker.h"

G_BEGIN_DECLS

/* An 8-bit grey image: the luma plane of the input frame, not copied, and,
 * for the neural models (trained on colour), the same frame as packed
 * 8-bit RGB when the element made it (va_detector_with_colour), else
 * rgb = NULL. */
typedef struct {
  const guint8 *data;
  int width;
  int height;
  int stride;
  const guint8 *rgb;
  int rgb_stride;
} VaLumaImage;

/* Where to search, in input-frame pixels, and for which object heights
 * (0 = no bound: the model's window size / the region's size). */
typedef struct {
  double x;
  double y;
  double width;
  double height;
  double min_size;
  double max_size;
} VaDetectRegion;

/* Settings of one detect call: the frame is shrunk by `downscale` (≥ 1)
 * before searching, so objects smaller than window × downscale are not found;
 * `scale_factor` is the step between the scales searched. */
typedef struct {
  double downscale;
  double scale_factor;
} VaDetectParams;

/* The 17 body keypoints of COCO, in COCO's order (nose, eyes, ears,
 * shoulders, elbows, wrists, hips, knees, ankles; left before right). */
#define VA_N_KEYPOINTS 17

/* One body keypoint in input-frame pixels, with the model's score (0..1). */
typedef struct {
  double x;
  double y;
  double score;
} VaKeypoint;

G_END_DECLS
