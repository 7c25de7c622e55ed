/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vavad: segment boundaries on espeak-ng speech laid out with silences of
 * known length (clean and with sox noise), nothing on noise or silence, a
 * segment open at EOS, messages, and VaVoiceSegmentMeta (and the other
 * audio metas) surviving audioconvert ! audioresample. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>

#include "va-meta.h"
#include "va-test-audio.h"

#define CAPS "audio/x-raw,format=S16LE,rate=16000,channels=1,layout=interleaved"

static const char *sentences[] = {
  "The quick brown fox jumps over the lazy dog",
  "Hello there how are you today",
  "We measured the reaction of every child in the room",
};

typedef struct {
  GArray *segments;     /* VaTestSegment from the metas */
  GArray *attached_at;  /* gdouble, PTS (s) of the buffer carrying each meta */
  gboolean tail_buffer; /* an empty buffer came before EOS */
  GPtrArray *messages;
} VadRun;

static void
vad_run_free (VadRun *run)
{
  g_array_unref (run->segments);
  g_array_unref (run->attached_at);
  g_ptr_array_unref (run->messages);
  g_free (run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VadRun, vad_run_free)

/* Pushes @samples through `vavad @props` with GstHarness in 64 ms buffers. */
static VadRun *
run_vad (const GArray *samples, const char *props)
{
  g_autofree char *desc = g_strdup_printf ("vavad %s", props != NULL ? props : "");
  GstHarness *h = gst_harness_new_parse (desc);
  g_autoptr (GstBus) bus = gst_bus_new ();
  VadRun *run = g_new0 (VadRun, 1);
  const gsize chunk = 1024;
  GstBuffer *out;
  GstMessage *msg;

  run->segments = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  run->attached_at = g_array_new (FALSE, FALSE, sizeof (gdouble));
  run->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_message_unref);
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, CAPS);

  for (gsize off = 0; off < samples->len; off += chunk) {
    gsize n = MIN (chunk, samples->len - off);
    GstBuffer *buf = gst_buffer_new_memdup (&g_array_index (samples, gint16, off), n * 2);

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (off, GST_SECOND, VA_TEST_AUDIO_RATE);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (n, GST_SECOND, VA_TEST_AUDIO_RATE);
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
  }
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));

  while ((out = gst_harness_try_pull (h)) != NULL) {
    gpointer state = NULL;
    GstMeta *meta;

    if (gst_buffer_get_size (out) == 0)
      run->tail_buffer = TRUE;
    while (
        (meta = gst_buffer_iterate_meta_filtered (out, &state, VA_VOICE_SEGMENT_META_API_TYPE))) {
      VaVoiceSegmentMeta *m = (VaVoiceSegmentMeta *)meta;
      VaTestSegment seg = { (gdouble)m->start / GST_SECOND, (gdouble)m->end / GST_SECOND, 0 };
      gdouble at = (gdouble)GST_BUFFER_PTS (out) / GST_SECOND;

      g_array_append_val (run->segments, seg);
      g_array_append_val (run->attached_at, at);
    }
    gst_buffer_unref (out);
  }
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL)
    g_ptr_array_add (run->messages, msg);

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  return run;
}

static GArray *
speak (const char *voice, int pitch, const char *text)
{
  g_autoptr (GError) error = NULL;
  GArray *clip = va_test_audio_speak (voice, pitch, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (clip);
  return clip;
}

/* Three sentences with silences of 1.0, 1.5, 0.7 and 2.0 s around them. */
static VaTestLayout *
three_sentences (void)
{
  VaTestLayout *layout = va_test_layout_new ();
  const gdouble gaps[] = { 1.0, 1.5, 0.7, 2.0 };

  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++) {
    g_autoptr (GArray) clip = speak ("en+m3", 50, sentences[i]);

    va_test_layout_silence (layout, gaps[i]);
    va_test_layout_speech (layout, clip, 0);
  }
  va_test_layout_silence (layout, gaps[3]);
  return layout;
}

static void
assert_segments (const GArray *truth, const GArray *found, gdouble start_tol, gdouble end_tol)
{
  for (guint i = 0; i < found->len; i++) {
    VaTestSegment *f = &g_array_index (found, VaTestSegment, i);
    g_test_message ("found %.3f - %.3f", f->start, f->end);
  }
  g_assert_cmpuint (found->len, ==, truth->len);
  for (guint i = 0; i < truth->len; i++) {
    VaTestSegment *t = &g_array_index (truth, VaTestSegment, i);
    VaTestSegment *f = &g_array_index (found, VaTestSegment, i);

    g_test_message ("truth %.3f - %.3f", t->start, t->end);
    g_assert_cmpfloat_with_epsilon (f->start, t->start, start_tol);
    g_assert_cmpfloat_with_epsilon (f->end, t->end, end_tol);
  }
}

static void
test_clean (void)
{
  g_autoptr (VaTestLayout) layout = three_sentences ();
  g_autoptr (VadRun) run = run_vad (layout->samples, NULL);

  assert_segments (layout->truth, run->segments, 0.08, 0.12);
  /* Each meta rides on the buffer where the segment closed: after its end,
   * within the hangover (0.3 s) plus one buffer and the look-ahead. */
  for (guint i = 0; i < run->segments->len; i++) {
    gdouble end = g_array_index (run->segments, VaTestSegment, i).end;
    gdouble at = g_array_index (run->attached_at, gdouble, i);

    g_assert_cmpfloat (at, >=, end);
    g_assert_cmpfloat (at, <=, end + 0.3 + 0.064 + 0.03);
  }
  g_assert_cmpuint (run->messages->len, ==, 0);
}

static void
test_noise (gconstpointer data)
{
  const char *kind = data;
  g_autoptr (VaTestLayout) layout = three_sentences ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) noise = va_test_audio_noise (kind, 10.0, &error);
  g_autoptr (VadRun) run = NULL;

  g_assert_no_error (error);
  va_test_layout_add_noise (layout, noise, 10.0);
  run = run_vad (layout->samples, NULL);
  assert_segments (layout->truth, run->segments, 0.12, 0.2);
}

static void
test_no_speech (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) noise = va_test_audio_noise ("pinknoise", 6.0, &error);
  g_autoptr (GArray) silence = g_array_new (FALSE, TRUE, sizeof (gint16));
  g_autoptr (VadRun) noise_run = NULL;
  g_autoptr (VadRun) silence_run = NULL;

  g_assert_no_error (error);
  /* Steady noise at about -30 dBFS: loud, but not speech. */
  for (guint i = 0; i < noise->len; i++)
    g_array_index (noise, gint16, i) /= 8;
  noise_run = run_vad (noise, NULL);
  g_assert_cmpuint (noise_run->segments->len, ==, 0);

  g_array_set_size (silence, 5 * VA_TEST_AUDIO_RATE);
  silence_run = run_vad (silence, NULL);
  g_assert_cmpuint (silence_run->segments->len, ==, 0);
  g_assert_false (silence_run->tail_buffer);
}

/* Speech running into the end of the stream is closed at EOS and carried
 * by an empty buffer pushed before the EOS. */
static void
test_open_at_eos (void)
{
  g_autoptr (GArray) clip = speak ("en+f3", 70, sentences[1]);
  g_autoptr (VaTestLayout) layout = va_test_layout_new ();
  g_autoptr (VadRun) run = NULL;
  gsize first, last;

  va_test_audio_speech_bounds (clip, &first, &last);
  g_array_set_size (clip, last);
  va_test_layout_silence (layout, 0.5);
  va_test_layout_speech (layout, clip, 0);
  run = run_vad (layout->samples, NULL);

  assert_segments (layout->truth, run->segments, 0.08, 0.05);
  g_assert_true (run->tail_buffer);
  g_assert_cmpfloat (g_array_index (run->attached_at, gdouble, 0), >=,
                     va_test_layout_duration (layout) - 0.001);
}

static void
test_messages (void)
{
  g_autoptr (VaTestLayout) layout = three_sentences ();
  g_autoptr (VadRun) run = run_vad (layout->samples, "post-messages=true hangover=0.4");

  g_assert_cmpuint (run->messages->len, ==, run->segments->len);
  g_assert_cmpuint (run->segments->len, ==, 3);
  for (guint i = 0; i < run->messages->len; i++) {
    const GstStructure *s = gst_message_get_structure (g_ptr_array_index (run->messages, i));
    VaTestSegment *seg = &g_array_index (run->segments, VaTestSegment, i);
    guint64 start, end, duration;

    g_assert_true (gst_structure_has_name (s, "vavad"));
    g_assert_true (gst_structure_get_uint64 (s, "start", &start));
    g_assert_true (gst_structure_get_uint64 (s, "end", &end));
    g_assert_true (gst_structure_get_uint64 (s, "duration", &duration));
    g_assert_cmpfloat_with_epsilon ((gdouble)start / GST_SECOND, seg->start, 1e-6);
    g_assert_cmpfloat_with_epsilon ((gdouble)end / GST_SECOND, seg->end, 1e-6);
    g_assert_cmpuint (duration, ==, end - start);
  }
}

/* Properties: a long hangover bridges the shortest pause (0.7 s plus the silence espeak-ng leaves
 * after a sentence); min-segment-length drops everything shorter. */
static void
test_properties (void)
{
  g_autoptr (VaTestLayout) layout = three_sentences ();
  g_autoptr (VadRun) bridged = run_vad (layout->samples, "hangover=1.5");
  g_autoptr (VadRun) none = run_vad (layout->samples, "min-segment-length=5.0");

  g_assert_cmpuint (bridged->segments->len, ==, 2);
  g_assert_cmpuint (none->segments->len, ==, 0);
}

/* A timestamp jump (DISCONT) closes the open segment on the old timeline
 * and restarts the new one at the new timestamp. */
static void
test_discont (void)
{
  g_autoptr (GArray) a = speak ("en+m3", 50, sentences[1]);
  g_autoptr (GArray) b = speak ("en+f3", 70, sentences[0]);
  GstHarness *h = gst_harness_new_parse ("vavad");
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  const gsize chunk = 1600;
  gsize a_first, a_last, b_first, b_last;
  GstBuffer *out;

  va_test_audio_speech_bounds (a, &a_first, &a_last);
  va_test_audio_speech_bounds (b, &b_first, &b_last);
  g_array_set_size (a, a_last); /* speech runs into the gap */
  gst_harness_set_src_caps_str (h, CAPS);
  for (guint part = 0; part < 2; part++) {
    GArray *clip = part == 0 ? a : b;
    GstClockTime base = part == 0 ? 0 : 20 * GST_SECOND;

    for (gsize off = 0; off < clip->len; off += chunk) {
      gsize n = MIN (chunk, clip->len - off);
      GstBuffer *buf = gst_buffer_new_memdup (&g_array_index (clip, gint16, off), n * 2);

      GST_BUFFER_PTS (buf) = base + gst_util_uint64_scale (off, GST_SECOND, VA_TEST_AUDIO_RATE);
      GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (n, GST_SECOND, VA_TEST_AUDIO_RATE);
      if (off == 0 && part == 1)
        GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
    }
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  while ((out = gst_harness_try_pull (h)) != NULL) {
    gpointer state = NULL;
    GstMeta *meta;

    while (
        (meta = gst_buffer_iterate_meta_filtered (out, &state, VA_VOICE_SEGMENT_META_API_TYPE))) {
      VaVoiceSegmentMeta *m = (VaVoiceSegmentMeta *)meta;
      VaTestSegment seg = { (gdouble)m->start / GST_SECOND, (gdouble)m->end / GST_SECOND, 0 };

      g_test_message ("found %.3f - %.3f", seg.start, seg.end);
      g_array_append_val (found, seg);
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);

  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (found, VaTestSegment, 0).start,
                                  (gdouble)a_first / VA_TEST_AUDIO_RATE, 0.08);
  g_assert_cmpfloat_with_epsilon (g_array_index (found, VaTestSegment, 0).end,
                                  (gdouble)a_last / VA_TEST_AUDIO_RATE, 0.05);
  g_assert_cmpfloat_with_epsilon (g_array_index (found, VaTestSegment, 1).start,
                                  20.0 + (gdouble)b_first / VA_TEST_AUDIO_RATE, 0.08);
  g_assert_cmpfloat_with_epsilon (g_array_index (found, VaTestSegment, 1).end,
                                  20.0 + (gdouble)b_last / VA_TEST_AUDIO_RATE, 0.12);
}

/* audioconvert and audioresample keep the voice segments (the meta has the
 * audio tag only), also when converting to 48 kHz float. */
static void
test_survives_conversion (void)
{
  g_autoptr (VaTestLayout) layout = three_sentences ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestAudioResult) direct = va_test_audio_run (layout->samples, "vavad", &error);
  g_autoptr (VaTestAudioResult) converted = NULL;

  g_assert_no_error (error);
  converted = va_test_audio_run (
      layout->samples,
      "vavad ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=48000 ! "
      "audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=22050",
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (direct->voice->len, ==, 3);
  g_assert_cmpuint (converted->voice->len, ==, direct->voice->len);
  for (guint i = 0; i < direct->voice->len; i++) {
    VaTestSegment *a = &g_array_index (direct->voice, VaTestSegment, i);
    VaTestSegment *b = &g_array_index (converted->voice, VaTestSegment, i);

    g_assert_cmpfloat (a->start, ==, b->start);
    g_assert_cmpfloat (a->end, ==, b->end);
  }
}

/* The transcript and speaker-turn metas too: attached by hand to 16 kHz
 * buffers, read back after conversion to 44.1 kHz stereo float. */
static void
test_all_metas_survive_conversion (void)
{
  GstHarness *h = gst_harness_new_parse ("audioconvert ! audioresample");
  g_autoptr (GArray) words = va_transcript_words_new ();
  guint n_voice = 0, n_transcript = 0, n_turn = 0;
  GstBuffer *out;

  gst_harness_set_src_caps_str (h, CAPS);
  gst_harness_set_sink_caps_str (h, "audio/x-raw,format=F32LE,rate=44100,channels=2");
  va_transcript_words_append (words, "hello", 1 * GST_SECOND, 1500 * GST_MSECOND, 0.75);
  va_transcript_words_append (words, "world", 1600 * GST_MSECOND, 2 * GST_SECOND, 0.5);

  for (guint i = 0; i < 10; i++) {
    GstBuffer *buf = gst_buffer_new_and_alloc (1600 * 2);

    gst_buffer_memset (buf, 0, 0, 1600 * 2);
    GST_BUFFER_PTS (buf) = i * 100 * GST_MSECOND;
    GST_BUFFER_DURATION (buf) = 100 * GST_MSECOND;
    if (i == 4) {
      va_buffer_add_voice_segment_meta (buf, GST_SECOND, 2 * GST_SECOND);
      va_buffer_add_transcript_meta (buf, GST_SECOND, 2 * GST_SECOND, words);
      va_buffer_add_speaker_turn_meta (buf, GST_SECOND, 2 * GST_SECOND, 3);
    }
    g_assert_cmpint (gst_harness_push (h, buf), ==, GST_FLOW_OK);
  }
  gst_harness_push_event (h, gst_event_new_eos ());

  while ((out = gst_harness_try_pull (h)) != NULL) {
    gpointer state = NULL;
    GstMeta *meta;

    while ((meta = gst_buffer_iterate_meta (out, &state)) != NULL) {
      if (meta->info->api == VA_VOICE_SEGMENT_META_API_TYPE) {
        VaVoiceSegmentMeta *m = (VaVoiceSegmentMeta *)meta;
        g_assert_cmpuint (m->start, ==, GST_SECOND);
        g_assert_cmpuint (m->end, ==, 2 * GST_SECOND);
        n_voice++;
      } else if (meta->info->api == VA_TRANSCRIPT_META_API_TYPE) {
        VaTranscriptMeta *m = (VaTranscriptMeta *)meta;
        g_assert_cmpstr (m->text, ==, "hello world");
        g_assert_cmpuint (m->words->len, ==, 2);
        g_assert_cmpstr (g_array_index (m->words, VaTranscriptWord, 1).text, ==, "world");
        g_assert_cmpuint (g_array_index (m->words, VaTranscriptWord, 1).start, ==,
                          1600 * GST_MSECOND);
        n_transcript++;
      } else if (meta->info->api == VA_SPEAKER_TURN_META_API_TYPE) {
        VaSpeakerTurnMeta *m = (VaSpeakerTurnMeta *)meta;
        g_assert_cmpuint (m->speaker, ==, 3);
        n_turn++;
      }
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);

  g_assert_cmpuint (n_voice, ==, 1);
  g_assert_cmpuint (n_transcript, ==, 1);
  g_assert_cmpuint (n_turn, ==, 1);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vavad/clean", test_clean);
  g_test_add_data_func ("/vavad/pink-noise-10db", "pinknoise", test_noise);
  g_test_add_data_func ("/vavad/white-noise-10db", "whitenoise", test_noise);
  g_test_add_func ("/vavad/no-speech", test_no_speech);
  g_test_add_func ("/vavad/open-at-eos", test_open_at_eos);
  g_test_add_func ("/vavad/messages", test_messages);
  g_test_add_func ("/vavad/properties", test_properties);
  g_test_add_func ("/vavad/discont", test_discont);
  g_test_add_func ("/vavad/survives-conversion", test_survives_conversion);
  g_test_add_func ("/audio-metas/survive-conversion", test_all_metas_survive_conversion);
  return g_test_run ();
}
