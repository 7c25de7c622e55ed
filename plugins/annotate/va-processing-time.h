/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/*
 * VaProcessingTime: what an analyser exposes as its read-only
 * `processing-time` property. All analysers of a job share one GstPipeline
 * (one decode), so the run's wall-clock time cannot be split between them;
 * each element measures its own work instead: the monotonic time its
 * streaming thread spends in the element's analysis (the transform of each
 * buffer and the work done at end of stream), excluding the time spent
 * pushing data downstream. Reset when the element starts (READY → PAUSED).
 *
 * `total` is written by the streaming thread and read by get_property, both
 * under the element's object lock.
 */
typedef struct {
  GstClockTime total;
} VaProcessingTime;

#define VA_PROCESSING_TIME_PROPERTY "processing-time"

GParamSpec *va_processing_time_param_spec (void);

static inline GstClockTime
va_processing_time_begin (void)
{
  return gst_util_get_timestamp ();
}

void va_processing_time_end (VaProcessingTime *self, GstObject *element, GstClockTime begin);
void va_processing_time_reset (VaProcessingTime *self, GstObject *element);

G_END_DECLS
