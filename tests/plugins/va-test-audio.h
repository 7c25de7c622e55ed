/* Test audio: speech synthesized with espeak-ng, noise from sox, the
 * recordings Debian ships (pocketsphinx-testdata, codec2-examples), laid
 * out with silences of known length so that the true voice segments and
 * speakers are known. Shared by the plugin tests and the benchmarks in
 * bench/.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VA_TEST_AUDIO_RATE 16000
#define VA_TEST_LIBRIVOX_DIR "/usr/share/pocketsphinx/test/data/librivox"
#define VA_TEST_CODEC2_ALL "/usr/share/codec2/wav/all.wav"

/* All sample arrays are GArray of gint16, mono, VA_TEST_AUDIO_RATE. */
GArray *va_test_audio_speak (const char *voice, int pitch, const char *text, GError **error);
GArray *va_test_audio_load (const char *path, GError **error);
GArray *va_test_audio_load_raw (const char *path, guint rate, GError **error);
GArray *va_test_audio_noise (const char *kind, gdouble seconds, GError **error);
gboolean va_test_audio_save_wav (const GArray *samples, const char *path, GError **error);
void va_test_audio_speech_bounds (const GArray *clip, gsize *first, gsize *last);

/* The LibriVox clips of pocketsphinx-testdata: their ids (file `fileids`,
 * in its order), the reference transcript of one (file `transcription`,
 * lines `<s> words </s> (id)`) and its audio. */
GStrv va_test_librivox_ids (GError **error);
char *va_test_librivox_reference (const char *id, GError **error);
GArray *va_test_librivox_audio (const char *id, GError **error);

/* A true voice segment in seconds, with the index of its speaker. */
typedef struct {
  gdouble start;
  gdouble end;
  guint speaker;
} VaTestSegment;

typedef struct {
  GArray *samples; /* gint16 */
  GArray *truth;   /* VaTestSegment, in time order */
} VaTestLayout;

VaTestLayout *va_test_layout_new (void);
void va_test_layout_free (VaTestLayout *layout);
void va_test_layout_silence (VaTestLayout *layout, gdouble seconds);
void va_test_layout_speech (VaTestLayout *layout, const GArray *clip, guint speaker);
void va_test_layout_add_noise (VaTestLayout *layout, const GArray *noise, gdouble snr_db);
gdouble va_test_layout_duration (const VaTestLayout *layout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestLayout, va_test_layout_free)

/* What a chain of audio elements attached to the stream, from
 * va_test_audio_run(). */
typedef struct {
  GArray *voice;           /* VaTestSegment, from VaVoiceSegmentMeta */
  GArray *turns;           /* VaTestSegment, from VaSpeakerTurnMeta */
  GPtrArray *utterances;   /* char *, text of each VaTranscriptMeta */
  GArray *words;           /* VaTestSegment per recognized word (speaker 0) */
  GPtrArray *messages;     /* GstMessage, element messages in bus order */
  GString *transcript_log; /* per VaTranscriptMeta: the buffer carrying it, its
                              times, each word with times and confidence */
  gsize n_samples;         /* audio samples that reached the end of the chain */
} VaTestAudioResult;

VaTestAudioResult *va_test_audio_run (const GArray *samples, const char *chain, GError **error);
VaTestAudioResult *va_test_audio_run_full (const GArray *samples, const char *chain,
                                           gboolean with_appsink, GError **error);
void va_test_audio_result_free (VaTestAudioResult *result);
char *va_test_audio_result_text (const VaTestAudioResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestAudioResult, va_test_audio_result_free)

/* Scoring. */
gdouble va_test_frame_f1 (const GArray *truth, const GArray *found, gdouble duration,
                          gdouble *precision, gdouble *recall);
gdouble va_test_wer (const char *reference, const char *hypothesis, guint *errors,
                     guint *n_reference);
gdouble va_test_der (const GArray *truth, const GArray *found, gdouble collar, gdouble duration);
gdouble va_test_der_parts (const GArray *truth, const GArray *found, gdouble collar,
                           gdouble duration, gdouble *missed, gdouble *false_alarm,
                           gdouble *confusion);

G_END_DECLS
