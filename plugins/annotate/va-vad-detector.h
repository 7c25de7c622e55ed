/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VaVadParams:
 * @threshold_db: mean per-band level above the noise estimate (dB) that makes
 *   a frame count as speech
 * @min_level_db: frames quieter than this (dBFS) never count as speech
 * @onset_ms: speech must last this long before a segment opens
 * @hangover_ms: a segment closes after this much non-speech
 * @min_segment_ms: shorter segments are dropped (clicks, door slams)
 * @max_segment_ms: longer segments are cut (bounds the audio that the
 *   recognizer and the speaker features must hold); 0 = no limit
 */
typedef struct {
  gdouble threshold_db;
  gdouble min_level_db;
  guint onset_ms;
  guint hangover_ms;
  guint min_segment_ms;
  guint max_segment_ms;
} VaVadParams;

#define VA_VAD_DEFAULT_THRESHOLD_DB 1.5
#define VA_VAD_DEFAULT_MIN_LEVEL_DB -60.0
#define VA_VAD_DEFAULT_ONSET_MS 30
#define VA_VAD_DEFAULT_HANGOVER_MS 300
#define VA_VAD_DEFAULT_MIN_SEGMENT_MS 150
#define VA_VAD_DEFAULT_MAX_SEGMENT_MS 30000

/* Decisions are made every 10 ms; the analysis window is 25 ms. */
#define VA_VAD_FRAME_MS 10

/**
 * VaVadSegment:
 * @start: index of the first speech sample, counted from the first sample
 *   pushed after creation or va_vad_detector_reset()
 * @end: index one past the last speech sample
 */
typedef struct {
  guint64 start;
  guint64 end;
} VaVadSegment;

typedef struct _VaVadDetector VaVadDetector;

void va_vad_params_init (VaVadParams *params);

VaVadDetector *va_vad_detector_new (guint rate, const VaVadParams *params);
void va_vad_detector_free (VaVadDetector *self);
void va_vad_detector_reset (VaVadDetector *self);

void va_vad_detector_push (VaVadDetector *self, const gint16 *samples, gsize n_samples,
                           GArray *segments);
void va_vad_detector_flush (VaVadDetector *self, GArray *segments);

guint64 va_vad_detector_get_pending_start (VaVadDetector *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaVadDetector, va_vad_detector_free)

G_END_DECLS
