/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * VaVoiceSegmentMeta:
 * @start: stream time of the first speech sample
 * @end: stream time just after the last speech sample
 *
 * One stretch of voice activity found by `vavad`. It is attached to the
 * buffer on which the detector closed the segment (after its hangover), so
 * its times usually lie before that buffer's timestamp; a segment still open
 * at end of stream travels on an empty buffer pushed just before EOS.
 * Registered with the audio tag only, so audioconvert and audioresample
 * keep it.
 */
typedef struct {
  GstMeta meta;

  GstClockTime start;
  GstClockTime end;
} VaVoiceSegmentMeta;

GType va_voice_segment_meta_api_get_type (void);
const GstMetaInfo *va_voice_segment_meta_get_info (void);

#define VA_VOICE_SEGMENT_META_API_TYPE (va_voice_segment_meta_api_get_type ())
#define VA_VOICE_SEGMENT_META_INFO (va_voice_segment_meta_get_info ())

VaVoiceSegmentMeta *va_buffer_add_voice_segment_meta (GstBuffer *buffer, GstClockTime start,
                                                      GstClockTime end);

/**
 * VA_VOICE_ACTIVITY_EVENT_NAME:
 *
 * Name of the custom sticky downstream event that `vavad` sends before its
 * first buffer. Elements that need voice segments (`vaspeech`, `vadiarize`)
 * use the #VaVoiceSegmentMeta of the stream when they have seen it, and run
 * their own detector otherwise.
 */
#define VA_VOICE_ACTIVITY_EVENT_NAME "va-voice-activity"

GstEvent *va_voice_activity_event_new (void);
gboolean va_event_is_voice_activity (GstEvent *event);

G_END_DECLS
