/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vaspeech: LibriVox clips of pocketsphinx-testdata recognized within a
 * bounded word error rate, with ordered word times inside the clip, with
 * and without vavad upstream; a missing model fails the state change with
 * RESOURCE/NOT_FOUND naming the path; silence gives no cue and a valid
 * empty WebVTT file; decoding on several threads gives exactly what one
 * thread gives; both search settings stay within the error bound. */
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "va-meta.h"
#include "va-test-audio.h"

/* pocketsphinx's own test expects about 30% WER on these clips with the
 * en-us models; allow some slack for our utterance cutting. */
#define MAX_WER 0.45

static const char *clips[] = {
  "sense_and_sensibility_01_austen_64kb-0880",
  "sense_and_sensibility_01_austen_64kb-0890",
  "sense_and_sensibility_01_austen_64kb-0930",
};

static char *
reference_for (const char *id)
{
  g_autoptr (GError) error = NULL;
  char *reference = va_test_librivox_reference (id, &error);

  g_assert_no_error (error);
  return reference;
}

static GArray *
load_clip (const char *id)
{
  g_autoptr (GError) error = NULL;
  GArray *samples = va_test_librivox_audio (id, &error);

  g_assert_no_error (error);
  return samples;
}

/* Recognizes @n_clips clips through @chain; checks word times, the
 * untouched audio and (when posted) the messages; returns errors/words. */
static void
recognize (const char *chain, const char *const *ids, guint n_clips, guint *errors, guint *words)
{
  *errors = *words = 0;
  for (guint c = 0; c < n_clips; c++) {
    g_autoptr (GArray) samples = load_clip (ids[c]);
    g_autofree char *reference = reference_for (ids[c]);
    g_autoptr (GError) error = NULL;
    g_autoptr (VaTestAudioResult) result = va_test_audio_run (samples, chain, &error);
    g_autofree char *text = NULL;
    gdouble duration = (gdouble)samples->len / VA_TEST_AUDIO_RATE, previous = 0.0;
    guint e, n, n_messages = 0;

    g_assert_no_error (error);
    text = va_test_audio_result_text (result);
    va_test_wer (reference, text, &e, &n);
    g_test_message ("%s\n  ref: %s\n  hyp: %s\n  %u errors / %u words", ids[c], reference, text, e,
                    n);
    *errors += e;
    *words += n;

    g_assert_cmpuint (result->words->len, >, 0);
    for (guint i = 0; i < result->words->len; i++) {
      VaTestSegment *w = &g_array_index (result->words, VaTestSegment, i);

      g_assert_cmpfloat (w->start, >=, previous);
      g_assert_cmpfloat (w->end, >, w->start);
      g_assert_cmpfloat (w->end, <=, duration + 0.01);
      previous = w->end;
    }
    /* The audio is passed through untouched. */
    g_assert_cmpuint (result->n_samples, ==, samples->len);

    for (guint i = 0; i < result->messages->len; i++) {
      const GstStructure *s = gst_message_get_structure (g_ptr_array_index (result->messages, i));
      guint64 start, end;

      if (!gst_structure_has_name (s, "vaspeech"))
        continue;
      g_assert_true (gst_structure_get_uint64 (s, "start", &start));
      g_assert_true (gst_structure_get_uint64 (s, "end", &end));
      g_assert_cmpuint (end, >, start);
      g_assert_cmpuint (n_messages, <, result->utterances->len);
      g_assert_cmpstr (gst_structure_get_string (s, "text"), ==,
                       g_ptr_array_index (result->utterances, n_messages));
      n_messages++;
    }
    if (strstr (chain, "post-messages=true") != NULL)
      g_assert_cmpuint (n_messages, ==, result->utterances->len);
  }
  g_test_message ("WER %.1f%% (%u / %u)", 100.0 * *errors / *words, *errors, *words);
}

static void
test_librivox (void)
{
  guint errors, words;

  recognize ("vavad ! vaspeech post-messages=true", clips, G_N_ELEMENTS (clips), &errors, &words);
  g_assert_cmpfloat ((gdouble)errors / words, <=, MAX_WER);
}

/* Without vavad, vaspeech cuts utterances with its own detector. */
static void
test_own_endpointing (void)
{
  guint errors, words;

  recognize ("vaspeech", clips + 2, 1, &errors, &words);
  g_assert_cmpfloat ((gdouble)errors / words, <=, MAX_WER);
}

/* The speech of @ids one after the other, 1 s of silence before each, the
 * last one running to the end of the stream (its utterance is closed by
 * the end of stream and travels on the empty buffer pushed before it). */
static GArray *
joined_clips (const char *const *ids, guint n_ids)
{
  g_autoptr (VaTestLayout) layout = va_test_layout_new ();

  for (guint i = 0; i < n_ids; i++) {
    g_autoptr (GArray) clip = load_clip (ids[i]);

    va_test_layout_silence (layout, 1.0);
    va_test_layout_speech (layout, clip, 0);
  }
  return g_array_ref (layout->samples);
}

/* Decoding on a pool of threads gives what decoding in the streaming thread
 * gives: the same transcripts, words, times and confidences, on the same
 * buffers, in the same order, and the same messages. */
static void
test_threads_same_output (void)
{
  static const char *ids[] = {
    "sense_and_sensibility_01_austen_64kb-0870",
    "sense_and_sensibility_01_austen_64kb-0880",
    "sense_and_sensibility_01_austen_64kb-0890",
    "sense_and_sensibility_01_austen_64kb-0930",
  };
  g_autoptr (GArray) samples = joined_clips (ids, G_N_ELEMENTS (ids));
  g_autoptr (VaTestAudioResult) serial = NULL;
  g_autoptr (GError) error = NULL;
  const guint threads[] = { 2, 3 };

  serial = va_test_audio_run (samples, "vavad ! vaspeech threads=1 post-messages=true", &error);
  g_assert_no_error (error);
  g_test_message ("threads=1:\n%s", serial->transcript_log->str);
  /* one transcript per clip, the last on the end-of-stream buffer */
  g_assert_cmpuint (serial->utterances->len, ==, G_N_ELEMENTS (ids));
  g_assert_nonnull (strstr (serial->transcript_log->str, " +0 utterance"));
  g_assert_cmpuint (serial->n_samples, ==, samples->len);

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++) {
    g_autofree char *chain
        = g_strdup_printf ("vavad ! vaspeech threads=%u post-messages=true", threads[t]);
    g_autoptr (VaTestAudioResult) pooled = va_test_audio_run (samples, chain, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (pooled->transcript_log->str, ==, serial->transcript_log->str);
    g_assert_cmpuint (pooled->n_samples, ==, samples->len);
    g_assert_cmpuint (pooled->messages->len, ==, serial->messages->len);
    for (guint i = 0; i < serial->messages->len; i++) {
      g_autofree char *a = gst_structure_to_string (
          gst_message_get_structure (g_ptr_array_index (serial->messages, i)));
      g_autofree char *b = gst_structure_to_string (
          gst_message_get_structure (g_ptr_array_index (pooled->messages, i)));
      g_assert_cmpstr (b, ==, a);
    }
  }
}

/* Both search settings recognize the clips within the bound; the default
 * is "fast" and one thread per processor. */
static void
test_search (void)
{
  g_autoptr (GstElement) speech = gst_element_factory_make ("vaspeech", NULL);
  g_autofree char *nick = NULL;
  GParamSpec *pspec;
  guint threads, errors, words;

  g_assert_nonnull (speech);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (speech), "search");
  g_assert_nonnull (pspec);
  nick = g_strdup (g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                                     G_PARAM_SPEC_ENUM (pspec)->default_value)
                       ->value_nick);
  g_assert_cmpstr (nick, ==, "fast");
  g_object_get (speech, "threads", &threads, NULL);
  g_assert_cmpuint (threads, ==, 0);

  recognize ("vavad ! vaspeech search=accurate", clips, G_N_ELEMENTS (clips), &errors, &words);
  g_assert_cmpfloat ((gdouble)errors / words, <=, MAX_WER);
  recognize ("vavad ! vaspeech search=fast", clips, G_N_ELEMENTS (clips), &errors, &words);
  g_assert_cmpfloat ((gdouble)errors / words, <=, MAX_WER);
}

/* A model path that does not exist fails READY->PAUSED with
 * RESOURCE/NOT_FOUND, and the message names the path. */
static void
test_missing_model (gconstpointer data)
{
  const char *property = data;
  g_autofree char *desc = g_strdup_printf (
      "audiotestsrc num-buffers=5 ! audio/x-raw,format=S16LE,rate=16000,channels=1 ! "
      "vaspeech %s=/nonexistent/model-file ! fakesink",
      property);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GError) failure = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), ==,
                   GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &failure, NULL);
  g_test_message ("%s", failure->message);
  g_assert_error (failure, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (failure->message, "/nonexistent/model-file"));
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_unlink (path);
  return text;
}

/* Silence: no transcript, and the sink still writes a valid empty WebVTT. */
static void
test_silence (void)
{
  g_autoptr (GArray) silence = g_array_new (FALSE, TRUE, sizeof (gint16));
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-speech-XXXXXX", &error);
  g_autofree char *chain = NULL;
  g_autoptr (VaTestAudioResult) result = NULL;
  g_autoptr (VaTestAudioResult) alone = NULL;
  g_autofree char *vtt = NULL;

  g_assert_no_error (error);
  g_array_set_size (silence, 3 * VA_TEST_AUDIO_RATE);
  alone = va_test_audio_run (silence, "vavad ! vaspeech", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alone->utterances->len, ==, 0);

  chain = g_strdup_printf ("vavad ! vaspeech ! vaannotationsink location=%s stem=quiet "
                           "pipelines=speech_recognition",
                           dir);
  result = va_test_audio_run_full (silence, chain, FALSE, &error);
  g_assert_no_error (error);
  vtt = read_file (dir, "quiet_speech_recognition.vtt");
  g_assert_cmpstr (vtt, ==, "WEBVTT\n\n");
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vaspeech/librivox", test_librivox);
  g_test_add_func ("/vaspeech/own-endpointing", test_own_endpointing);
  g_test_add_func ("/vaspeech/threads-same-output", test_threads_same_output);
  g_test_add_func ("/vaspeech/search", test_search);
  g_test_add_data_func ("/vaspeech/missing-model/hmm", "hmm", test_missing_model);
  g_test_add_data_func ("/vaspeech/missing-model/lm", "lm", test_missing_model);
  g_test_add_data_func ("/vaspeech/missing-model/dict", "dict", test_missing_model);
  g_test_add_func ("/vaspeech/silence", test_silence);
  return g_test_run ();
}
