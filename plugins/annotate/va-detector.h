/* VaDetector: base class of the object detectors (vafacedetect, vapersondetect).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/gstvideofilter.h>

#include "va-detect-types.h"

G_BEGIN_DECLS

#define VA_TYPE_DETECTOR (va_detector_get_type ())
G_DECLARE_DERIVABLE_TYPE (VaDetector, va_detector, VA, DETECTOR, GstVideoFilter)

/**
 * VaDetectorClass:
 * @roi_type: roi_type of the GstVideoRegionOfInterestMeta and name of the
 *   per-detection structures in element messages ("face", "person")
 * @pipeline: the annotation pipeline the element implements, announced
 *   downstream so a vaannotationsink writes its file even when nothing is
 *   found ("face_analysis", "person_tracking")
 * @search_margin_x: around a tracked object, how much of its width to search
 *   on each side; must leave room for the model's window at 1.7 times the
 *   object's size, which for HOG is much larger than the reported box
 *   (0 = 0.5)
 * @search_margin_y: the same for the height
 * @search_min_scale: around a tracked object, the smallest size searched,
 *   relative to the object's (0 = 0.6)
 * @search_max_scale: the largest (0 = 1.7); a narrow range keeps searches
 *   around tracks cheap for models that enlarge small objects
 * @open: loads the model; called on READY→PAUSED. Errors are in the
 *   GST_RESOURCE_ERROR domain and name the file.
 * @close: frees the model; called on PAUSED→READY
 * @detect: appends to @out (VaTrackBox, input-frame pixels) the objects found
 *   in @regions of @frame; runs in the streaming thread, without locks
 * @describe: optional; called on every frame for every box the frame will
 *   carry (found or carried by the tracker), may add fields to the box's
 *   "detection" structure; @frame_number counts the frames from the start
 *   of the stream (0-based). Runs in the streaming thread, without locks;
 *   an error stops the stream.
 */
struct _VaDetectorClass {
  GstVideoFilterClass parent_class;

  const char *roi_type;
  const char *pipeline;
  double search_margin_x;
  double search_margin_y;
  double search_min_scale;
  double search_max_scale;

  gboolean (*open) (VaDetector *self, GError **error);
  void (*close) (VaDetector *self);
  gboolean (*detect) (VaDetector *self, const VaLumaImage *frame, const VaDetectParams *params,
                      const VaDetectRegion *regions, guint n_regions, GArray *out, GError **error);
  gboolean (*describe) (VaDetector *self, const VaLumaImage *frame, const GstVideoInfo *info,
                        guint64 frame_number, const VaTrackBox *box, GstStructure *detection,
                        GError **error);

  gpointer padding[3];
};

void va_detector_set_backend (VaDetector *self, const char *backend);
void va_detector_set_colour (VaDetector *self, gboolean colour);
VaLumaImage va_detector_with_colour (VaDetector *self, const VaLumaImage *frame);
char *va_detector_default_models_dir (void);

G_END_DECLS
