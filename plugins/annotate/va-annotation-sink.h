/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define VA_TYPE_ANNOTATION_SINK (va_annotation_sink_get_type ())
G_DECLARE_FINAL_TYPE (VaAnnotationSink, va_annotation_sink, VA, ANNOTATION_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE (vaannotationsink);

G_END_DECLS
