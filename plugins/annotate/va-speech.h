/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define VA_TYPE_SPEECH (va_speech_get_type ())
G_DECLARE_FINAL_TYPE (VaSpeech, va_speech, VA, SPEECH, GstAudioFilter)

GST_ELEMENT_REGISTER_DECLARE (vaspeech);

G_END_DECLS
