/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "va-vad-detector.h"

G_BEGIN_DECLS

/**
 * VaUtterance:
 * @start: stream time where the voice segment starts
 * @end: stream time where it ends
 * @audio_start: stream time of @samples[0]; the audio includes up to the
 *   collector's padding before @start and after @end
 * @samples: 16-bit mono samples at the collector's rate
 */
typedef struct {
  GstClockTime start;
  GstClockTime end;
  GstClockTime audio_start;
  gint16 *samples;
  gsize n_samples;
} VaUtterance;

void va_utterance_free (VaUtterance *utterance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaUtterance, va_utterance_free)

/**
 * VaUtteranceCollector:
 *
 * Keeps the recent audio of a stream and cuts it into utterances, either at
 * the voice segments that an upstream `vavad` announces in
 * #VaVoiceSegmentMeta (va_utterance_collector_add_segment()) or, when there is
 * none, with its own #VaVadDetector. Shared by `vaspeech` and `vadiarize`,
 * which both need the samples of whole utterances.
 */
typedef struct _VaUtteranceCollector VaUtteranceCollector;

VaUtteranceCollector *va_utterance_collector_new (guint rate, guint pad_ms,
                                                  const VaVadParams *internal_vad);
void va_utterance_collector_free (VaUtteranceCollector *self);

void va_utterance_collector_push (VaUtteranceCollector *self, GstClockTime pts,
                                  const gint16 *samples, gsize n_samples, GPtrArray *ready);
void va_utterance_collector_add_segment (VaUtteranceCollector *self, GstClockTime start,
                                         GstClockTime end, GPtrArray *ready);
void va_utterance_collector_flush (VaUtteranceCollector *self, GPtrArray *ready);
gboolean va_utterance_collector_push_buffer (VaUtteranceCollector *self, GstBuffer *buf,
                                             gboolean upstream_segments, GPtrArray *ready);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaUtteranceCollector, va_utterance_collector_free)

G_END_DECLS
