/* va-speech-search: word error rate and decoding CPU time of vaspeech's
 * recognizer (VaSpeechDecoder, the same code and base options) under
 * pocketsphinx search options given on the command line, to choose the
 * settings of vaspeech's `search` property. Used by bench/speech-search.sh.
 *
 *   va-speech-search [--books] [fast|accurate|-option value ...]
 *
 * --books decodes the LibriVox clips only (for the slow callgrind runs).
 *
 * Material: the five LibriVox clips of pocketsphinx-testdata against their
 * transcription (natural read speech, 24.7 s) and fifteen sentences spoken
 * by espeak-ng's en-us voice at three pitches (synthetic, about 50 s; the
 * en-us models recognize these worse than natural speech, which makes them
 * sensitive to a narrower search). Each clip is decoded whole, as one utterance.
 *
 * Prints one Markdown table row: options, errors/words and WER per set,
 * and the CPU seconds spent in va_speech_decoder_decode() (this thread's
 * CPU clock; model loading not counted). Under valgrind --tool=callgrind
 * --toggle-collect=va_speech_decoder_decode the same run gives instruction
 * counts, which do not depend on the machine's load.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "va-speech-decoder.h"
#include "va-test-audio.h"
#include "va-transcript-meta.h"

static const char *const sentences[] = {
  "the weather today will be cloudy with a chance of rain in the afternoon",
  "please open the door and bring the children inside before dinner",
  "she bought three apples and a loaf of bread at the market",
  "we watched the video together and talked about the results",
  "the meeting has been moved to next tuesday at ten in the morning",
  "he said that the train was late because of the snow",
  "my brother likes to play football with his friends after school",
  "the researchers recorded every conversation in the room",
  "can you tell me where the nearest station is",
  "they walked along the river until the sun went down",
  "the teacher asked the students to read the first chapter",
  "i think we should start again from the beginning",
  "the little girl laughed when the dog jumped into the water",
  "there are many reasons why people move to a new city",
  "turn left at the corner and then walk straight ahead",
};

static const struct {
  const char *voice;
  int pitch;
} voices[] = { { "en-us", 40 }, { "en-us", 50 }, { "en-us", 60 } };

static double
thread_cpu (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

typedef struct {
  guint errors;
  guint words;
  double audio;
  double cpu;
} Tally;

static void
decode_one (VaSpeechDecoder *decoder, const GArray *samples, const char *reference, Tally *tally)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) words = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  double t0 = thread_cpu ();
  guint e, n;

  words
      = va_speech_decoder_decode (decoder, (const gint16 *)samples->data, samples->len, 0, &error);
  tally->cpu += thread_cpu () - t0;
  if (words == NULL) {
    g_printerr ("decoding failed: %s\n", error->message);
    exit (1);
  }
  for (guint i = 0; i < words->len; i++) {
    if (i > 0)
      g_string_append_c (text, ' ');
    g_string_append (text, g_array_index (words, VaTranscriptWord, i).text);
  }
  va_test_wer (reference, text->str, &e, &n);
  tally->errors += e;
  tally->words += n;
  tally->audio += (double)samples->len / VA_TEST_AUDIO_RATE;
  if (g_getenv ("VA_SPEECH_SEARCH_VERBOSE") != NULL)
    g_printerr ("ref: %s\nhyp: %s\n", reference, text->str);
}

static void
librivox (VaSpeechDecoder *decoder, Tally *tally)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = va_test_librivox_ids (&error);

  if (ids == NULL) {
    g_printerr ("%s\n", error->message);
    exit (1);
  }
  for (guint i = 0; ids[i] != NULL; i++) {
    g_autofree char *reference = va_test_librivox_reference (ids[i], &error);
    g_autoptr (GArray) samples = NULL;

    if (reference != NULL)
      samples = va_test_librivox_audio (ids[i], &error);
    if (samples == NULL) {
      g_printerr ("%s: %s\n", ids[i], error->message);
      exit (1);
    }
    decode_one (decoder, samples, reference, tally);
  }
}

static void
espeak (VaSpeechDecoder *decoder, Tally *tally)
{
  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) samples
        = va_test_audio_speak (voices[i % G_N_ELEMENTS (voices)].voice,
                               voices[i % G_N_ELEMENTS (voices)].pitch, sentences[i], &error);

    if (samples == NULL) {
      g_printerr ("espeak-ng: %s\n", error->message);
      exit (1);
    }
    decode_one (decoder, samples, sentences[i], tally);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) options = g_ptr_array_new ();
  g_autoptr (GString) label = g_string_new (NULL);
  g_autoptr (VaSpeechDecoder) decoder = NULL;
  Tally books = { 0 }, synth = { 0 };
  gboolean books_only = argc > 1 && g_str_equal (argv[1], "--books");

  gst_init (&argc, &argv);
  for (int i = books_only ? 2 : 1; i < argc; i++) {
    const gchar *const *preset = NULL;

    if (g_str_equal (argv[i], "fast"))
      preset = va_speech_search_get_options (VA_SPEECH_SEARCH_FAST);
    else if (g_str_equal (argv[i], "accurate"))
      preset = va_speech_search_get_options (VA_SPEECH_SEARCH_ACCURATE);
    for (guint j = 0; preset != NULL && preset[j] != NULL; j++)
      g_ptr_array_add (options, (gpointer)preset[j]);
    if (preset == NULL)
      g_ptr_array_add (options, argv[i]);
    g_string_append_printf (label, "%s%s", label->len > 0 ? " " : "", argv[i]);
  }
  g_ptr_array_add (options, NULL);

  decoder = va_speech_decoder_new_full (VA_SPEECH_DEFAULT_HMM, VA_SPEECH_DEFAULT_LM,
                                        VA_SPEECH_DEFAULT_DICT,
                                        (const gchar *const *)options->pdata, &error);
  if (decoder == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  librivox (decoder, &books);
  if (books_only) {
    printf ("| %s | %u/%u = %.1f%% | %.2f |\n",
            label->len > 0 ? label->str : "(pocketsphinx defaults)", books.errors, books.words,
            100.0 * books.errors / books.words, books.cpu);
    return 0;
  }
  espeak (decoder, &synth);

  printf ("| %s | %u/%u = %.1f%% | %u/%u = %.1f%% | %.2f | %.2f |\n",
          label->len > 0 ? label->str : "(pocketsphinx defaults)", books.errors, books.words,
          100.0 * books.errors / books.words, synth.errors, synth.words,
          100.0 * synth.errors / synth.words, books.cpu, synth.cpu);
  return 0;
}
