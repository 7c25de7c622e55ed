/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_SCENE_DETECT (va_scene_detect_get_type ())
G_DECLARE_FINAL_TYPE (VaSceneDetect, va_scene_detect, VA, SCENE_DETECT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (vascenedetect);

G_END_DECLS
