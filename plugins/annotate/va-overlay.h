/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_OVERLAY (va_overlay_get_type ())
G_DECLARE_FINAL_TYPE (VaOverlay, va_overlay, VA, OVERLAY, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (vaoverlay);

G_END_DECLS
