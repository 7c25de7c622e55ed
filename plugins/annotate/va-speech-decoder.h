/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VA_SPEECH_DEFAULT_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#define VA_SPEECH_DEFAULT_HMM VA_SPEECH_DEFAULT_MODEL_DIR "/en-us"
#define VA_SPEECH_DEFAULT_LM VA_SPEECH_DEFAULT_MODEL_DIR "/en-us.lm.bin"
#define VA_SPEECH_DEFAULT_DICT VA_SPEECH_DEFAULT_MODEL_DIR "/cmudict-en-us.dict"

/* The acoustic models of pocketsphinx-en-us are trained on 16 kHz audio. */
#define VA_SPEECH_RATE 16000

/**
 * VaSpeechDecoder:
 *
 * A pocketsphinx decoder behind a GLib API, so that its headers (which
 * define their own integer types and TRUE/FALSE) stay in this file. It
 * decodes one utterance at a time; not thread-safe.
 */
typedef struct _VaSpeechDecoder VaSpeechDecoder;

/**
 * VaSpeechSearch:
 * @VA_SPEECH_SEARCH_ACCURATE: pocketsphinx's own search settings
 * @VA_SPEECH_SEARCH_FAST: a narrower search (see va-speech-decoder.c for
 *   the settings and docs/accuracy.md for what they cost and save)
 *
 * How widely the decoder searches: the trade between word error rate and
 * CPU time.
 */
typedef enum {
  VA_SPEECH_SEARCH_ACCURATE,
  VA_SPEECH_SEARCH_FAST,
} VaSpeechSearch;

#define VA_TYPE_SPEECH_SEARCH (va_speech_search_get_type ())
GType va_speech_search_get_type (void);

const gchar *const *va_speech_search_get_options (VaSpeechSearch search);

VaSpeechDecoder *va_speech_decoder_new (const gchar *hmm, const gchar *lm, const gchar *dict,
                                        VaSpeechSearch search, GError **error);
VaSpeechDecoder *va_speech_decoder_new_full (const gchar *hmm, const gchar *lm, const gchar *dict,
                                             const gchar *const *options, GError **error);
void va_speech_decoder_free (VaSpeechDecoder *self);

GArray *va_speech_decoder_decode (VaSpeechDecoder *self, const gint16 *samples, gsize n_samples,
                                  GstClockTime audio_start, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaSpeechDecoder, va_speech_decoder_free)

G_END_DECLS
