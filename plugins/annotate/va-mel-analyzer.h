/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VaMelAnalyzer:
 *
 * Short-time spectral analysis shared by the audio elements: Hann window,
 * radix-2 FFT, triangular mel filter bank and (for the speaker features) the
 * cepstrum. One analyzer works on one frame length at one sample rate; it is
 * not thread-safe (it owns scratch buffers).
 */
typedef struct _VaMelAnalyzer VaMelAnalyzer;

VaMelAnalyzer *va_mel_analyzer_new (guint rate, guint frame_len, guint n_bands, gdouble fmin,
                                    gdouble fmax);
void va_mel_analyzer_free (VaMelAnalyzer *self);

guint va_mel_analyzer_get_frame_len (VaMelAnalyzer *self);
guint va_mel_analyzer_get_n_bands (VaMelAnalyzer *self);

void va_mel_analyzer_process (VaMelAnalyzer *self, const gint16 *frame, gdouble *band_power,
                              gdouble *frame_power);

void va_mel_analyzer_cepstrum (VaMelAnalyzer *self, const gdouble *band_power, gdouble *ceps,
                               guint n_ceps);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaMelAnalyzer, va_mel_analyzer_free)

G_END_DECLS
