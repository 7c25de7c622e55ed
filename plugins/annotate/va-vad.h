/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_VAD (va_vad_get_type ())
G_DECLARE_FINAL_TYPE (VaVad, va_vad, VA, VAD, GstAudioFilter)

GST_ELEMENT_REGISTER_DECLARE (vavad);

G_END_DECLS
