/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_MOTION (va_motion_get_type ())
G_DECLARE_FINAL_TYPE (VaMotion, va_motion, VA, MOTION, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (vamotion);

G_END_DECLS
