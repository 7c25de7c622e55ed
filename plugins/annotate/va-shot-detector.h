/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "va-meta.h"

G_BEGIN_DECLS

/*
 * VaShotDetector finds scene changes in a sequence of downscaled frames
 * (VaFrameSampler output). It is causal: the decision for a frame only uses
 * that frame and earlier ones, so a filter can attach the result to the frame
 * it is processing. See va-scene-detect.c for the method.
 */

typedef struct {
  gdouble threshold;      /* 0..100 */
  gdouble adaptive_ratio; /* >= 1 */
  GstClockTime min_scene_length;
  gboolean detect_gradual;
} VaShotDetectorSettings;

typedef struct {
  gboolean cut;
  gdouble score;     /* this frame against the previous one, 0..100 */
  gdouble cut_score; /* the score that made the cut, 0..100 */
  VaSceneTransition transition;
  GstClockTime transition_duration;
  guint scene_index; /* of the scene this frame belongs to */
} VaShotResult;

typedef struct _VaShotDetector VaShotDetector;

VaShotDetector *va_shot_detector_new (guint width, guint height, gdouble fps);
void va_shot_detector_free (VaShotDetector *self);
void va_shot_detector_reset (VaShotDetector *self);
void va_shot_detector_push (VaShotDetector *self, const guint8 *y, const guint8 *u, const guint8 *v,
                            GstClockTime time, const VaShotDetectorSettings *settings,
                            VaShotResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaShotDetector, va_shot_detector_free)

G_END_DECLS
