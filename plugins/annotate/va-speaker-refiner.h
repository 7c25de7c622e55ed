/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tuned on the dialogues of docs/accuracy.md: lower merged the real
 * dialogues' extra clusters but also all.wav's different speakers. */
#define VA_SPEAKER_REFINE_DEFAULT_THRESHOLD 0.0

/**
 * VaSpeakerRefineParams:
 * @clr_threshold: clusters are merged while their cross likelihood ratio
 *   (average log-likelihood gain per frame of each under the other's model
 *   over the background model) is above this; for a pair whose smaller
 *   cluster holds a small share of the speech, a margin of standard errors
 *   is added first (va-speaker-refiner.c)
 * @switch_penalty: log-likelihood a change of speaker costs in the Viterbi
 *   resegmentation
 * @min_turn_frames: shorter runs of one speaker inside a voice segment go
 *   to a neighbouring speaker
 */
typedef struct {
  gdouble clr_threshold;
  gdouble switch_penalty;
  guint min_turn_frames;
} VaSpeakerRefineParams;

void va_speaker_refine_params_init (VaSpeakerRefineParams *params);

guint va_speaker_refine (const gdouble *frames, const guint8 *loud, guint n_frames, guint dim,
                         const guint *segments, guint n_segments, guint *labels, guint n_clusters,
                         guint min_speakers, guint max_speakers,
                         const VaSpeakerRefineParams *params);

G_END_DECLS
