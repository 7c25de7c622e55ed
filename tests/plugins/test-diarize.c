/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vadiarize: a two-voice espeak-ng dialogue gives two speakers with turn
 * boundaries within tolerance; one voice gives one speaker; dialogues cut
 * from real recordings give a speaker who comes back the same id;
 * min-speakers, max-speakers and num-speakers bound the count; messages at
 * EOS; two real voices over many turns stay two; recordings played one
 * after another keep their speakers apart; and the RTTM and WebVTT files of audio_processing
 * follow the contract's formats. */
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "va-meta.h"
#include "va-test-audio.h"
#include "va-test-dialogue.h"

#define BOUNDARY_TOLERANCE 0.3

static const struct {
  guint speaker;
  const char *text;
} dialogue[] = {
  { 0, "Good morning, I wanted to ask you about the results of the experiment we ran last week." },
  { 1, "Sure, the data looked very promising, especially the second group of participants." },
  { 0, "That is great news. Did the infants respond to the new sounds as we expected?" },
  { 1, "Most of them did. They turned their heads quickly and looked at the speaker for a long "
       "time." },
  { 0, "Then we should write the report soon and share it with the rest of the team." },
  { 1, "I agree. I will start with the methods section this afternoon." },
};

static const char *voices[] = { "en+m3", "en+f3" };
static const int pitches[] = { 40, 70 };

static GArray *
speak (guint speaker, const char *text)
{
  g_autoptr (GError) error = NULL;
  GArray *clip = va_test_audio_speak (voices[speaker], pitches[speaker], text, &error);

  g_assert_no_error (error);
  return clip;
}

/* The turns of dialogue[] (up to @n_turns), 0.8 s apart. */
static VaTestLayout *
make_dialogue (guint n_turns)
{
  VaTestLayout *layout = va_test_layout_new ();

  va_test_layout_silence (layout, 0.5);
  for (guint i = 0; i < MIN (n_turns, G_N_ELEMENTS (dialogue)); i++) {
    g_autoptr (GArray) clip = speak (dialogue[i].speaker, dialogue[i].text);

    va_test_layout_speech (layout, clip, dialogue[i].speaker);
    va_test_layout_silence (layout, 0.8);
  }
  return layout;
}

static VaTestAudioResult *
diarize (const GArray *samples, const char *chain)
{
  g_autoptr (GError) error = NULL;
  VaTestAudioResult *result = va_test_audio_run (samples, chain, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < result->turns->len; i++) {
    VaTestSegment *t = &g_array_index (result->turns, VaTestSegment, i);
    g_test_message ("turn %.3f - %.3f SPEAKER_%02u", t->start, t->end, t->speaker);
  }
  return result;
}

static guint
count_speakers (const GArray *turns)
{
  guint n = 0;

  for (guint i = 0; i < turns->len; i++)
    n = MAX (n, g_array_index (turns, VaTestSegment, i).speaker + 1);
  return n;
}

static void
test_two_voices (void)
{
  g_autoptr (VaTestLayout) layout = make_dialogue (G_N_ELEMENTS (dialogue));
  g_autoptr (VaTestAudioResult) result = diarize (layout->samples, "vavad ! vadiarize");
  gdouble der;

  g_assert_cmpuint (count_speakers (result->turns), ==, 2);
  /* Speakers are numbered by first appearance, and the first voice is the
   * truth's speaker 0. Each true turn is covered by found turns of its
   * speaker, starting and ending near its boundaries (a turn may be split
   * at a comma pause, never across speakers). */
  for (guint t = 0; t < layout->truth->len; t++) {
    VaTestSegment *truth = &g_array_index (layout->truth, VaTestSegment, t);
    gdouble first = -1.0, last = -1.0;

    for (guint i = 0; i < result->turns->len; i++) {
      VaTestSegment *found = &g_array_index (result->turns, VaTestSegment, i);

      if (found->end <= truth->start - BOUNDARY_TOLERANCE
          || found->start >= truth->end + BOUNDARY_TOLERANCE)
        continue;
      g_assert_cmpuint (found->speaker, ==, truth->speaker);
      if (first < 0.0)
        first = found->start;
      last = found->end;
    }
    g_test_message ("truth %.3f - %.3f: found %.3f - %.3f", truth->start, truth->end, first, last);
    g_assert_cmpfloat_with_epsilon (first, truth->start, BOUNDARY_TOLERANCE);
    g_assert_cmpfloat_with_epsilon (last, truth->end, BOUNDARY_TOLERANCE);
  }

  der = va_test_der (layout->truth, result->turns, 0.25, va_test_layout_duration (layout));
  g_test_message ("DER %.1f%%", 100.0 * der);
  g_assert_cmpfloat (der, <, 0.05);
}

static void
test_one_voice (void)
{
  g_autoptr (VaTestLayout) layout = va_test_layout_new ();
  g_autoptr (VaTestAudioResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dialogue); i += 2) {
    g_autoptr (GArray) clip = speak (1, dialogue[i].text);

    va_test_layout_speech (layout, clip, 0);
    va_test_layout_silence (layout, 0.8);
  }
  result = diarize (layout->samples, "vavad ! vadiarize");
  g_assert_cmpuint (result->turns->len, >=, 3);
  g_assert_cmpuint (count_speakers (result->turns), ==, 1);
}

/* A real reader: the LibriVox clips of pocketsphinx-testdata, one after
 * the other, are one speaker. */
static void
test_one_reader (void)
{
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  g_autoptr (GDir) dir = g_dir_open (VA_TEST_LIBRIVOX_DIR, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (VaTestAudioResult) result = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".wav"))
      g_ptr_array_add (names, g_build_filename (VA_TEST_LIBRIVOX_DIR, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) clip = va_test_audio_load (g_ptr_array_index (names, i), &error);

    g_assert_no_error (error);
    g_array_append_vals (samples, clip->data, clip->len);
  }
  result = diarize (samples, "vavad ! vadiarize");
  g_assert_cmpuint (count_speakers (result->turns), ==, 1);
}

/* The found speaker covering most of each true turn. */
static guint
main_speaker (const VaTestSegment *truth, const GArray *turns)
{
  gdouble best = 0.0;
  guint who = G_MAXUINT;

  for (guint i = 0; i < turns->len; i++) {
    const VaTestSegment *t = &g_array_index (turns, VaTestSegment, i);
    gdouble overlap = MIN (t->end, truth->end) - MAX (t->start, truth->start);
    gdouble same = overlap;

    /* add up the other turns of this speaker inside the true turn */
    for (guint j = 0; j < turns->len; j++) {
      const VaTestSegment *u = &g_array_index (turns, VaTestSegment, j);

      if (j != i && u->speaker == t->speaker)
        same += MAX (0.0, MIN (u->end, truth->end) - MAX (u->start, truth->start));
    }
    if (overlap > 0.0 && same > best) {
      best = same;
      who = t->speaker;
    }
  }
  return who;
}

/* A B A C B A cut from three amateur radio recordings of codec2-examples:
 * the speakers who come back get the id they had, the others new ones. */
static void
test_returning_speakers (void)
{
  const char *names[] = { "ve9qrp", "vk5qi", "cq_ref", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestLayout) layout
      = va_test_dialogue_new (names, "ABACBA", 6, 3.0, 4.0, 1, NULL, &error);
  g_autoptr (VaTestAudioResult) result = NULL;
  guint found[3] = { G_MAXUINT, G_MAXUINT, G_MAXUINT };

  g_assert_no_error (error);
  result = diarize (layout->samples, "vavad ! vadiarize");
  g_assert_cmpuint (count_speakers (result->turns), ==, 3);
  for (guint t = 0; t < layout->truth->len; t++) {
    VaTestSegment *truth = &g_array_index (layout->truth, VaTestSegment, t);
    guint who = main_speaker (truth, result->turns);

    g_test_message ("truth %.3f - %.3f speaker %u: found SPEAKER_%02u", truth->start, truth->end,
                    truth->speaker, who);
    if (found[truth->speaker] == G_MAXUINT)
      found[truth->speaker] = who;
    g_assert_cmpuint (who, ==, found[truth->speaker]);
  }
  g_assert_cmpuint (found[0], !=, found[1]);
  g_assert_cmpuint (found[0], !=, found[2]);
  g_assert_cmpuint (found[1], !=, found[2]);
  g_assert_cmpfloat (
      va_test_der (layout->truth, result->turns, 0.25, va_test_layout_duration (layout)), <, 0.10);
}

/* Four real voices over 50 turns (some recordings used twice), under pink
 * noise at 10 dB SNR: the count within one, and few errors. The BIC
 * clustering alone found 9 speakers here (DER 0.46). */
static void
test_recorded_dialogue (void)
{
  const char *names[] = { "ve9qrp", "vk5qi", "librivox", "cq_ref", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestLayout) layout = va_test_dialogue_new (names, "", 50, 2.0, 8.0, 6, NULL, &error);
  g_autoptr (GArray) noise = NULL;
  g_autoptr (VaTestAudioResult) result = NULL;
  gdouble der;

  g_assert_no_error (error);
  noise = va_test_audio_noise ("pinknoise", 30.0, &error);
  g_assert_no_error (error);
  va_test_layout_add_noise (layout, noise, 10.0);
  result = diarize (layout->samples, "vavad ! vadiarize");
  der = va_test_der (layout->truth, result->turns, 0.25, va_test_layout_duration (layout));
  g_test_message ("%u speakers, DER %.1f%%", count_speakers (result->turns), 100.0 * der);
  g_assert_cmpuint (count_speakers (result->turns), >=, 3);
  g_assert_cmpuint (count_speakers (result->turns), <=, 5);
  g_assert_cmpfloat (der, <, 0.20);
}

/* Two real voices alternating over 16 short turns (A B A B ...; the
 * recordings' fading channel makes parts of one look like another
 * speaker): two speakers. Before fragments of a speaker were merged by
 * the standard error of their cross likelihood ratio, this gave 4. */
static void
test_two_alternating (void)
{
  const char *names[] = { "ve9qrp", "librivox", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestLayout) layout
      = va_test_dialogue_new (names, "ABABABABABABABAB", 16, 0.5, 1.5, 2, NULL, &error);
  g_autoptr (VaTestAudioResult) result = NULL;
  gdouble der;

  g_assert_no_error (error);
  result = diarize (layout->samples, "vavad ! vadiarize");
  der = va_test_der (layout->truth, result->turns, 0.25, va_test_layout_duration (layout));
  g_test_message ("%u speakers, DER %.1f%%", count_speakers (result->turns), 100.0 * der);
  g_assert_cmpuint (count_speakers (result->turns), ==, 2);
  g_assert_cmpfloat (der, <, 0.05);
}

/* codec2-examples' all.wav: nine recordings of 2-12 s played one after
 * another, each speaker talking once. None is a fragment of another, so
 * the margin for fragments must not merge them: 7 speakers (DER 0.10)
 * with it applied only to interleaved clusters, 4 (DER 0.26) when it
 * applied to every small cluster. */
static void
test_one_shot_speakers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) all = va_test_audio_load (VA_TEST_CODEC2_ALL, &error);
  g_autoptr (VaTestAudioResult) result = NULL;

  g_assert_no_error (error);
  result = diarize (all, "vavad ! vadiarize");
  g_test_message ("%u speakers", count_speakers (result->turns));
  g_assert_cmpuint (count_speakers (result->turns), >=, 6);
  g_assert_cmpuint (count_speakers (result->turns), <=, 10);
}

static void
test_bounds (void)
{
  g_autoptr (VaTestLayout) layout = make_dialogue (4);
  g_autoptr (VaTestAudioResult) one = diarize (layout->samples, "vavad ! vadiarize max-speakers=1");
  g_autoptr (VaTestAudioResult) three
      = diarize (layout->samples, "vavad ! vadiarize min-speakers=3");

  g_autoptr (VaTestAudioResult) exactly
      = diarize (layout->samples, "vavad ! vadiarize num-speakers=3 max-speakers=2");

  g_assert_cmpuint (count_speakers (one->turns), ==, 1);
  g_assert_cmpuint (count_speakers (three->turns), ==, 3);
  /* num-speakers wins over the bounds */
  g_assert_cmpuint (count_speakers (exactly->turns), ==, 3);
}

/* Without vavad, vadiarize finds the segments itself; messages at EOS. */
static void
test_own_segments_and_messages (void)
{
  g_autoptr (VaTestLayout) layout = make_dialogue (4);
  g_autoptr (VaTestAudioResult) result = diarize (layout->samples, "vadiarize post-messages=true");
  guint n = 0;

  g_assert_cmpuint (count_speakers (result->turns), ==, 2);
  for (guint i = 0; i < result->messages->len; i++) {
    const GstStructure *s = gst_message_get_structure (g_ptr_array_index (result->messages, i));
    VaTestSegment *turn;
    g_autofree char *label = NULL;
    guint64 start, end;

    if (!gst_structure_has_name (s, "vadiarize"))
      continue;
    g_assert_cmpuint (n, <, result->turns->len);
    turn = &g_array_index (result->turns, VaTestSegment, n++);
    label = va_speaker_turn_meta_format_label (turn->speaker);
    g_assert_true (gst_structure_get_uint64 (s, "start", &start));
    g_assert_true (gst_structure_get_uint64 (s, "end", &end));
    g_assert_cmpfloat_with_epsilon ((gdouble)start / GST_SECOND, turn->start, 1e-6);
    g_assert_cmpfloat_with_epsilon ((gdouble)end / GST_SECOND, turn->end, 1e-6);
    g_assert_cmpstr (gst_structure_get_string (s, "speaker"), ==, label);
  }
  g_assert_cmpuint (n, ==, result->turns->len);
}

static char *
read_and_remove (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_unlink (path);
  return text;
}

/* audio_processing as the runner builds it: the WebVTT has numbered cues
 * with HH:MM:SS.mmm times and voices, the RTTM one SPEAKER line of at
 * least 9 fields per turn. */
static void
test_audio_processing_files (void)
{
  g_autoptr (VaTestLayout) layout = make_dialogue (4);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-diarize-XXXXXX", &error);
  g_autofree char *chain = g_strdup_printf (
      "vavad ! vaspeech ! vadiarize ! vaannotationsink location=%s stem=dialogue "
      "pipelines=audio_processing",
      dir);
  g_autoptr (VaTestAudioResult) result = NULL;
  g_autofree char *vtt = NULL, *rttm = NULL;
  g_auto (GStrv) cues = NULL, lines = NULL;
  g_autoptr (GRegex) timing = g_regex_new (
      "^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d --> \\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d$", 0, 0, NULL);
  g_autoptr (GRegex) rttm_line
      = g_regex_new ("^SPEAKER dialogue 1 \\d+\\.\\d\\d\\d \\d+\\.\\d\\d\\d <NA> <NA> "
                     "SPEAKER_\\d\\d <NA> <NA>$",
                     0, 0, NULL);
  guint n_cues = 0, n_lines = 0;
  gboolean found_outputs = FALSE;

  g_assert_no_error (error);
  result = va_test_audio_run_full (layout->samples, chain, FALSE, &error);
  g_assert_no_error (error);

  vtt = read_and_remove (dir, "dialogue_audio_processing.vtt");
  rttm = read_and_remove (dir, "dialogue_audio_processing.rttm");
  g_rmdir (dir);
  g_test_message ("%s\n%s", vtt, rttm);

  g_assert_true (g_str_has_prefix (vtt, "WEBVTT\n\n"));
  cues = g_strsplit (vtt + strlen ("WEBVTT\n\n"), "\n\n", -1);
  for (guint i = 0; cues[i] != NULL; i++) {
    g_auto (GStrv) parts = NULL;
    g_autofree char *number = NULL;

    if (*cues[i] == '\0') {
      g_assert_null (cues[i + 1]);
      break;
    }
    parts = g_strsplit (cues[i], "\n", -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 3);
    number = g_strdup_printf ("%u", ++n_cues);
    g_assert_cmpstr (parts[0], ==, number);
    g_assert_true (g_regex_match (timing, parts[1], 0, NULL));
    g_assert_false (g_str_has_prefix (parts[2], "<v"));
  }
  g_assert_cmpuint (n_cues, >=, 4);

  lines = g_strsplit (rttm, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++) {
    g_auto (GStrv) fields = g_strsplit (lines[i], " ", -1);

    g_assert_true (g_regex_match (rttm_line, lines[i], 0, NULL));
    g_assert_cmpuint (g_strv_length (fields), >=, 9);
    n_lines++;
  }
  g_assert_cmpuint (n_lines, >=, 4);

  for (guint i = 0; i < result->messages->len; i++) {
    const GstStructure *s = gst_message_get_structure (g_ptr_array_index (result->messages, i));
    const GValue *files;

    if (!gst_structure_has_name (s, "videoannotator-outputs"))
      continue;
    files = gst_structure_get_value (s, "files");
    g_assert_cmpuint (gst_value_array_get_size (files), ==, 2);
    g_assert_true (g_str_has_suffix (g_value_get_string (gst_value_array_get_value (files, 0)),
                                     "_audio_processing.vtt"));
    g_assert_true (g_str_has_suffix (g_value_get_string (gst_value_array_get_value (files, 1)),
                                     "_audio_processing.rttm"));
    found_outputs = TRUE;
  }
  g_assert_true (found_outputs);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vadiarize/two-voices", test_two_voices);
  g_test_add_func ("/vadiarize/one-voice", test_one_voice);
  g_test_add_func ("/vadiarize/one-reader", test_one_reader);
  g_test_add_func ("/vadiarize/returning-speakers", test_returning_speakers);
  g_test_add_func ("/vadiarize/recorded-dialogue", test_recorded_dialogue);
  g_test_add_func ("/vadiarize/two-alternating", test_two_alternating);
  g_test_add_func ("/vadiarize/one-shot-speakers", test_one_shot_speakers);
  g_test_add_func ("/vadiarize/bounds", test_bounds);
  g_test_add_func ("/vadiarize/own-segments-and-messages", test_own_segments_and_messages);
  g_test_add_func ("/vadiarize/audio-processing-files", test_audio_processing_files);
  return g_test_run ();
}
