/* VaTracker: keeps stable ids for boxes found on sampled frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A box in frame pixels; `id` is only meaningful on boxes the tracker returns. */
typedef struct {
  double x;
  double y;
  double width;
  double height;
  double confidence;
  int id;
} VaTrackBox;

#define VA_TYPE_TRACKER (va_tracker_get_type ())
G_DECLARE_FINAL_TYPE (VaTracker, va_tracker, VA, TRACKER, GObject)

VaTracker *va_tracker_new (void);

void va_tracker_set_iou_threshold (VaTracker *self, double threshold);
double va_tracker_get_iou_threshold (VaTracker *self);
void va_tracker_set_max_missed (VaTracker *self, guint max_missed);
guint va_tracker_get_max_missed (VaTracker *self);

void va_tracker_update (VaTracker *self, double t, const VaTrackBox *detections, guint n_detections,
                        GArray *out);
void va_tracker_predict (VaTracker *self, double t, gboolean include_coasting, GArray *out);
void va_tracker_reset (VaTracker *self);
guint va_tracker_get_n_tracks (VaTracker *self);

double va_track_box_iou (const VaTrackBox *a, const VaTrackBox *b);

G_END_DECLS
