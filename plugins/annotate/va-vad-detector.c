/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-vad-detector.h"

#include <math.h>
#include <string.h>

#include "va-mel-analyzer.h"

#define N_BANDS 24
#define BAND_FMIN 100.0
#define BAND_FMAX 7600.0
#define WINDOW_MS 25
/* Minimum statistics over MIN_BLOCKS blocks of MIN_BLOCK_FRAMES frames
 * (2 s): long enough to span a spoken phrase, so the minimum falls in a
 * pause rather than in speech; short enough to follow a rising noise. */
#define MIN_BLOCKS 8
#define MIN_BLOCK_FRAMES 25
/* The minimum of a fluctuating noise power sits below its mean; the noise
 * estimate is kept within [minimum, minimum * MAX_NOISE_OVER_MIN]. */
#define MAX_NOISE_OVER_MIN 10.0 /* 10 dB */
#define NOISE_ALPHA 0.95        /* noise follows non-speech frames with ~0.2 s memory */
#define SMOOTH_ALPHA 0.6        /* temporal smoothing of band powers for the minimum */
/* The per-frame level is averaged over 30 ms: noise excursions are shorter
 * than a phone, so this halves their spread without blurring speech. */
#define SNR_FRAMES 3

typedef enum {
  STATE_SILENCE,
  STATE_SPEECH,
} State;

struct _VaVadDetector {
  guint rate;
  VaVadParams params;
  VaMelAnalyzer *analyzer;

  guint hop;
  guint win;
  guint lookahead; /* samples of the window after the end of the decided hop */
  guint onset_frames;
  guint hangover_frames;
  guint64 min_segment_samples;
  guint64 max_segment_samples;

  /* Sliding analysis window, oldest sample first. */
  gint16 *window;
  guint fill;         /* samples in window (reaches win after the first frame) */
  guint64 n_pushed;   /* samples received */
  guint64 next_frame; /* index of the next frame to decide */

  gdouble band[N_BANDS];
  gdouble smooth[N_BANDS];
  gdouble noise[N_BANDS];
  gdouble block_min[MIN_BLOCKS][N_BANDS];
  guint block_frames;
  guint block_index;
  gboolean primed;
  gdouble snr_history[SNR_FRAMES];

  State state;
  guint run;             /* consecutive speech frames while in silence */
  guint64 run_start;     /* first frame of that run */
  guint64 segment_start; /* first frame of the open segment */
  guint64 last_speech;   /* last speech frame of the open segment */
};

void
va_vad_params_init (VaVadParams *params)
{
  params->threshold_db = VA_VAD_DEFAULT_THRESHOLD_DB;
  params->min_level_db = VA_VAD_DEFAULT_MIN_LEVEL_DB;
  params->onset_ms = VA_VAD_DEFAULT_ONSET_MS;
  params->hangover_ms = VA_VAD_DEFAULT_HANGOVER_MS;
  params->min_segment_ms = VA_VAD_DEFAULT_MIN_SEGMENT_MS;
  params->max_segment_ms = VA_VAD_DEFAULT_MAX_SEGMENT_MS;
}

VaVadDetector *
va_vad_detector_new (guint rate, const VaVadParams *params)
{
  VaVadDetector *self;

  g_return_val_if_fail (rate >= 8000, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  self = g_new0 (VaVadDetector, 1);
  self->rate = rate;
  self->params = *params;
  self->hop = rate * VA_VAD_FRAME_MS / 1000;
  self->win = rate * WINDOW_MS / 1000;
  self->lookahead = (self->win - self->hop) / 2;
  self->onset_frames = MAX (1u, params->onset_ms / VA_VAD_FRAME_MS);
  self->hangover_frames = MAX (1u, params->hangover_ms / VA_VAD_FRAME_MS);
  self->min_segment_samples = (guint64)params->min_segment_ms * rate / 1000;
  self->max_segment_samples = (guint64)params->max_segment_ms * rate / 1000;
  self->analyzer = va_mel_analyzer_new (rate, self->win, N_BANDS, BAND_FMIN,
                                        MIN (BAND_FMAX, rate / 2.0 - 100.0));
  self->window = g_new0 (gint16, self->win);
  va_vad_detector_reset (self);

  return self;
}

void
va_vad_detector_free (VaVadDetector *self)
{
  if (self == NULL)
    return;
  va_mel_analyzer_free (self->analyzer);
  g_free (self->window);
  g_free (self);
}

void
va_vad_detector_reset (VaVadDetector *self)
{
  /* The first window is centred on the first hop: pretend the samples before
   * the start were digital silence. */
  memset (self->window, 0, self->win * sizeof (gint16));
  self->fill = self->win - self->hop - self->lookahead;
  self->n_pushed = 0;
  self->next_frame = 0;
  self->primed = FALSE;
  memset (self->snr_history, 0, sizeof (self->snr_history));
  self->block_frames = 0;
  self->block_index = 0;
  self->state = STATE_SILENCE;
  self->run = 0;
}

static void
emit (VaVadDetector *self, guint64 first_frame, guint64 last_frame, GArray *segments)
{
  VaVadSegment seg;

  seg.start = first_frame * self->hop;
  seg.end = MIN ((last_frame + 1) * self->hop, self->n_pushed);
  if (seg.end <= seg.start || seg.end - seg.start < self->min_segment_samples)
    return;
  g_array_append_val (segments, seg);
}

static gboolean
frame_is_speech (VaVadDetector *self)
{
  gdouble frame_power, snr = 0.0;

  va_mel_analyzer_process (self->analyzer, self->window, self->band, &frame_power);

  if (!self->primed) {
    for (guint b = 0; b < N_BANDS; b++) {
      self->smooth[b] = self->noise[b] = self->band[b];
      for (guint k = 0; k < MIN_BLOCKS; k++)
        self->block_min[k][b] = self->band[b];
    }
    self->primed = TRUE;
  }

  for (guint b = 0; b < N_BANDS; b++) {
    gdouble ratio = self->band[b] / self->noise[b];

    if (ratio > 1.0)
      snr += 10.0 * log10 (ratio);
  }
  snr /= N_BANDS;

  memmove (self->snr_history + 1, self->snr_history, (SNR_FRAMES - 1) * sizeof (gdouble));
  self->snr_history[0] = snr;
  snr = 0.0;
  for (guint i = 0; i < SNR_FRAMES; i++)
    snr += self->snr_history[i] / SNR_FRAMES;

  gboolean speech
      = snr > self->params.threshold_db && 10.0 * log10 (frame_power) > self->params.min_level_db;

  /* Noise tracking: follow non-speech frames, then keep the estimate within a
   * bounded distance of the recent minimum, which pulls it down when it
   * started on speech and up when the noise got louder during speech. */
  for (guint b = 0; b < N_BANDS; b++) {
    gdouble min = G_MAXDOUBLE;

    self->smooth[b] = SMOOTH_ALPHA * self->smooth[b] + (1.0 - SMOOTH_ALPHA) * self->band[b];
    self->block_min[self->block_index][b]
        = self->block_frames == 0 ? self->smooth[b]
                                  : MIN (self->block_min[self->block_index][b], self->smooth[b]);
    for (guint k = 0; k < MIN_BLOCKS; k++)
      min = MIN (min, self->block_min[k][b]);

    if (!speech)
      self->noise[b] = NOISE_ALPHA * self->noise[b] + (1.0 - NOISE_ALPHA) * self->band[b];
    self->noise[b] = CLAMP (self->noise[b], min, min * MAX_NOISE_OVER_MIN);
  }
  if (++self->block_frames == MIN_BLOCK_FRAMES) {
    self->block_frames = 0;
    self->block_index = (self->block_index + 1) % MIN_BLOCKS;
  }

  return speech;
}

static void
decide (VaVadDetector *self, gboolean speech, GArray *segments)
{
  guint64 frame = self->next_frame++;

  switch (self->state) {
  case STATE_SILENCE:
    if (!speech) {
      self->run = 0;
      break;
    }
    if (self->run++ == 0)
      self->run_start = frame;
    if (self->run >= self->onset_frames) {
      self->state = STATE_SPEECH;
      self->segment_start = self->run_start;
      self->last_speech = frame;
      self->run = 0;
    }
    break;
  case STATE_SPEECH:
    if (speech)
      self->last_speech = frame;
    if (frame - self->last_speech >= self->hangover_frames) {
      emit (self, self->segment_start, self->last_speech, segments);
      self->state = STATE_SILENCE;
    } else if (self->max_segment_samples > 0
               && (frame + 1 - self->segment_start) * self->hop >= self->max_segment_samples) {
      /* Cut a long turn; speech continues in a new segment at once. */
      emit (self, self->segment_start, frame, segments);
      self->segment_start = frame + 1;
      self->last_speech = frame;
    }
    break;
  }
}

static void
feed (VaVadDetector *self, const gint16 *samples, gsize n_samples, GArray *segments)
{
  while (n_samples > 0) {
    guint want = self->win - self->fill;
    guint take = MIN ((gsize)want, n_samples);

    memcpy (self->window + self->fill, samples, take * sizeof (gint16));
    self->fill += take;
    samples += take;
    n_samples -= take;

    if (self->fill == self->win) {
      decide (self, frame_is_speech (self), segments);
      memmove (self->window, self->window + self->hop, (self->win - self->hop) * sizeof (gint16));
      self->fill = self->win - self->hop;
    }
  }
}

/**
 * va_vad_detector_push:
 * @segments: (element-type VaVadSegment): completed segments are appended
 */
void
va_vad_detector_push (VaVadDetector *self, const gint16 *samples, gsize n_samples, GArray *segments)
{
  self->n_pushed += n_samples;
  feed (self, samples, n_samples, segments);
}

/**
 * va_vad_detector_flush:
 *
 * Decides the frames still waiting for look-ahead, closes an open segment
 * and resets the detector for a new stream.
 */
void
va_vad_detector_flush (VaVadDetector *self, GArray *segments)
{
  guint64 n_frames = (self->n_pushed + self->hop - 1) / self->hop;
  gint16 zeros[64] = { 0 };

  while (self->next_frame < n_frames)
    feed (self, zeros, G_N_ELEMENTS (zeros), segments);

  if (self->state == STATE_SPEECH)
    emit (self, self->segment_start, self->last_speech, segments);
  va_vad_detector_reset (self);
}

/**
 * va_vad_detector_get_pending_start:
 *
 * Returns: the first sample that a segment not reported yet may contain;
 *   audio before it will never be part of a new segment.
 */
guint64
va_vad_detector_get_pending_start (VaVadDetector *self)
{
  if (self->state == STATE_SPEECH)
    return self->segment_start * self->hop;
  if (self->run > 0)
    return self->run_start * self->hop;
  return self->next_frame * self->hop;
}
