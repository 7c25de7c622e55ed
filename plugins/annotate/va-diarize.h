/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_DIARIZE (va_diarize_get_type ())
G_DECLARE_FINAL_TYPE (VaDiarize, va_diarize, VA, DIARIZE, GstAudioFilter)

GST_ELEMENT_REGISTER_DECLARE (vadiarize);

G_END_DECLS
