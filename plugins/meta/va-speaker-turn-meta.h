/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * VaSpeakerTurnMeta:
 * @start: stream time where the turn starts
 * @end: stream time where the turn ends
 * @speaker: speaker index, 0-based, in order of first appearance; written as
 *   `SPEAKER_NN` (va_speaker_turn_meta_format_label())
 *
 * One speaker turn found by `vadiarize`. Speakers are only known once the
 * whole stream has been clustered, so all turns travel on one empty buffer
 * that `vadiarize` pushes just before EOS. Registered with the audio tag
 * only, so audioconvert and audioresample keep it.
 */
typedef struct {
  GstMeta meta;

  GstClockTime start;
  GstClockTime end;
  guint speaker;
} VaSpeakerTurnMeta;

GType va_speaker_turn_meta_api_get_type (void);
const GstMetaInfo *va_speaker_turn_meta_get_info (void);

#define VA_SPEAKER_TURN_META_API_TYPE (va_speaker_turn_meta_api_get_type ())
#define VA_SPEAKER_TURN_META_INFO (va_speaker_turn_meta_get_info ())

VaSpeakerTurnMeta *va_buffer_add_speaker_turn_meta (GstBuffer *buffer, GstClockTime start,
                                                    GstClockTime end, guint speaker);

gchar *va_speaker_turn_meta_format_label (guint speaker);

G_END_DECLS
