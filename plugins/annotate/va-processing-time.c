/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "va-processing-time.h"

/* Read-only, and no notify on change: it changes with every buffer, and a
 * reader polls it (a runner reads it at end of stream). */
GParamSpec *
va_processing_time_param_spec (void)
{
  return g_param_spec_uint64 (
      VA_PROCESSING_TIME_PROPERTY, "Processing time",
      "Nanoseconds this element spent analysing since it last started: wall-clock time of its "
      "streaming thread inside the analysis, not counting decoding, other elements or pushing "
      "downstream",
      0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

/* Adds the time since @begin (from va_processing_time_begin()). */
void
va_processing_time_end (VaProcessingTime *self, GstObject *element, GstClockTime begin)
{
  GstClockTime now = gst_util_get_timestamp ();

  if (now <= begin)
    return;
  GST_OBJECT_LOCK (element);
  self->total += now - begin;
  GST_OBJECT_UNLOCK (element);
}

void
va_processing_time_reset (VaProcessingTime *self, GstObject *element)
{
  GST_OBJECT_LOCK (element);
  self->total = 0;
  GST_OBJECT_UNLOCK (element);
}
