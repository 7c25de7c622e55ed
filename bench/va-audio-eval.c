/* va-audio-eval: measures the audio elements on material with a known
 * answer and prints Markdown tables for docs/accuracy.md. Used by
 * bench/audio-accuracy.sh.
 *
 *   va-audio-eval vad   frame F1 of vavad on espeak-ng speech laid out with
 *                       known silences, clean and with sox noise at several
 *                       SNRs
 *   va-audio-eval wer   word error rate of vaspeech on the LibriVox clips of
 *                       pocketsphinx-testdata against their transcription
 *                       (the chains given, or vaspeech's search settings
 *                       with and without vavad), with the CPU time of the
 *                       runs (models loaded once per clip included)
 *   va-audio-eval der   diarization error rate of vadiarize on
 *                       codec2-examples' all.wav (speakers and boundaries
 *                       from the package's separate_all.sh) and on
 *                       two-voice espeak-ng dialogues, and on dialogues of
 *                       real recordings with returning speakers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "va-bench-cpu.h"
#include "va-test-audio.h"
#include "va-test-dialogue.h"

#define COLLAR 0.25

static GArray *
speak_or_die (const char *voice, int pitch, const char *text)
{
  g_autoptr (GError) error = NULL;
  GArray *clip = va_test_audio_speak (voice, pitch, text, &error);

  if (clip == NULL) {
    g_printerr ("espeak-ng: %s\n", error->message);
    exit (1);
  }
  return clip;
}

static VaTestAudioResult *
run_or_die (const GArray *samples, const char *chain)
{
  g_autoptr (GError) error = NULL;
  VaTestAudioResult *result = va_test_audio_run (samples, chain, &error);

  if (result == NULL) {
    g_printerr ("%s: %s\n", chain, error->message);
    exit (1);
  }
  return result;
}

/* ---- vad ---- */

static const struct {
  const char *voice;
  int pitch;
  const char *text;
} vad_script[] = {
  { "en+m3", 40, "The children played in the garden until the sun went down" },
  { "en+f3", 70, "Please put the red blocks back into the box" },
  { "en-us+m1", 50, "We recorded every session with two cameras and one microphone" },
  { "en+f4", 60, "Look at the little dog" },
  { "en+m3", 40, "After lunch the group moved to the quiet room for the reading task" },
  { "en-us+f2", 55, "Can you show me where the ball went" },
  { "en+m7", 45, "That was very good" },
  { "en+f3", 70, "The next part of the study starts in five minutes and lasts half an hour" },
};
/* Silence before each sentence and after the last one, in seconds. */
static const double vad_gaps[] = { 1.0, 0.6, 2.5, 1.2, 0.8, 3.0, 0.5, 1.5, 2.0 };

static VaTestLayout *
vad_layout (void)
{
  VaTestLayout *layout = va_test_layout_new ();

  for (guint i = 0; i < G_N_ELEMENTS (vad_script); i++) {
    g_autoptr (GArray) clip
        = speak_or_die (vad_script[i].voice, vad_script[i].pitch, vad_script[i].text);
    va_test_layout_silence (layout, vad_gaps[i]);
    va_test_layout_speech (layout, clip, 0);
  }
  va_test_layout_silence (layout, vad_gaps[G_N_ELEMENTS (vad_script)]);
  return layout;
}

static double
speech_seconds (const GArray *truth)
{
  double s = 0.0;

  for (guint i = 0; i < truth->len; i++)
    s += g_array_index (truth, VaTestSegment, i).end
         - g_array_index (truth, VaTestSegment, i).start;
  return s;
}

static int
eval_vad (const char *chain)
{
  const char *noises[] = { "pinknoise", "whitenoise", "brownnoise" };
  const double snrs[] = { 20.0, 10.0, 5.0, 0.0 };
  g_autoptr (VaTestLayout) clean = vad_layout ();
  double duration = va_test_layout_duration (clean);

  printf ("Speech: %u espeak-ng sentences (5 voices) with silences of 0.5-3.0 s, %.1f s in "
          "all, %.1f s of speech.\nElements: `%s`.\n\n",
          clean->truth->len, duration, speech_seconds (clean->truth), chain);
  printf ("| noise (sox) | SNR | precision | recall | F1 | segments (truth %u) |\n",
          clean->truth->len);
  printf ("|---|---|---|---|---|---|\n");
  {
    g_autoptr (VaTestAudioResult) r = run_or_die (clean->samples, chain);
    double p, rc, f1 = va_test_frame_f1 (clean->truth, r->voice, duration, &p, &rc);

    printf ("| none | clean | %.3f | %.3f | %.3f | %u |\n", p, rc, f1, r->voice->len);
  }
  for (guint n = 0; n < G_N_ELEMENTS (noises); n++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) noise = va_test_audio_noise (noises[n], 30.0, &error);

    if (noise == NULL) {
      g_printerr ("sox: %s\n", error->message);
      return 1;
    }
    for (guint s = 0; s < G_N_ELEMENTS (snrs); s++) {
      g_autoptr (VaTestLayout) noisy = va_test_layout_new ();
      g_autoptr (VaTestAudioResult) r = NULL;
      double p, rc, f1;

      g_array_append_vals (noisy->samples, clean->samples->data, clean->samples->len);
      g_array_append_vals (noisy->truth, clean->truth->data, clean->truth->len);
      va_test_layout_add_noise (noisy, noise, snrs[s]);
      r = run_or_die (noisy->samples, chain);
      f1 = va_test_frame_f1 (noisy->truth, r->voice, duration, &p, &rc);
      printf ("| %s | %.0f dB | %.3f | %.3f | %.3f | %u |\n", noises[n], snrs[s], p, rc, f1,
              r->voice->len);
    }
  }
  return 0;
}

/* ---- wer ---- */

static int
eval_wer (const char *const *chains, guint n_chains)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ids = va_test_librivox_ids (&error);

  if (ids == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }

  for (guint c = 0; c < n_chains; c++) {
    guint errors = 0, words = 0;
    double audio = 0.0, wall = 0.0, cpu = 0.0;

    printf (
        "Elements: `%s`\n\n| clip | words | errors | WER | recognized |\n|---|---|---|---|---|\n",
        chains[c]);
    for (guint i = 0; ids[i] != NULL; i++) {
      g_autofree char *reference = va_test_librivox_reference (ids[i], &error);
      g_autofree char *text = NULL;
      g_autoptr (GArray) samples = NULL;
      g_autoptr (VaTestAudioResult) r = NULL;
      guint e, n;
      gint64 t0;
      double c0;

      if (reference != NULL)
        samples = va_test_librivox_audio (ids[i], &error);
      if (samples == NULL) {
        g_printerr ("%s: %s\n", ids[i], error->message);
        return 1;
      }
      t0 = g_get_monotonic_time ();
      c0 = va_bench_process_cpu_seconds ();
      r = run_or_die (samples, chains[c]);
      wall += (g_get_monotonic_time () - t0) / 1e6;
      cpu += va_bench_process_cpu_seconds () - c0;
      audio += (double)samples->len / VA_TEST_AUDIO_RATE;
      text = va_test_audio_result_text (r);
      va_test_wer (reference, text, &e, &n);
      errors += e;
      words += n;
      printf ("| %s | %u | %u | %.1f%% | %s |\n", ids[i] + strlen ("sense_and_sensibility_01_"), n,
              e, 100.0 * e / n, text);
    }
    printf ("| **all** | %u | %u | **%.1f%%** | %.1f s audio in %.1f s wall, %.1f CPU-s |\n\n",
            words, errors, 100.0 * errors / words, audio, wall, cpu);
  }
  return 0;
}

/* ---- der ---- */

/* all.wav is the clips of the other codec2 samples one after the other;
 * separate_all.sh cuts it back with `sox $1.wav NAME_$1.wav trim START
 * LENGTH`. Each name is one recording, taken as one speaker. */
static GArray *
codec2_reference (GPtrArray *names, GError **error)
{
  g_autofree char *script = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GRegex) re
      = g_regex_new ("^sox \\$1\\.wav (\\w+)_\\$1\\.wav trim ([0-9.]+) ([0-9.]+)\\s*$", 0, 0, NULL);
  GArray *truth = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));

  if (!g_file_get_contents ("/usr/share/codec2/script/separate_all.sh", &script, NULL, error)) {
    g_array_unref (truth);
    return NULL;
  }
  lines = g_strsplit (script, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (GMatchInfo) m = NULL;

    if (g_regex_match (re, lines[i], 0, &m)) {
      g_autofree char *name = g_match_info_fetch (m, 1);
      g_autofree char *start = g_match_info_fetch (m, 2);
      g_autofree char *length = g_match_info_fetch (m, 3);
      VaTestSegment seg;

      seg.start = g_ascii_strtod (start, NULL);
      seg.end = seg.start + g_ascii_strtod (length, NULL);
      seg.speaker = names->len;
      g_ptr_array_add (names, g_steal_pointer (&name));
      g_array_append_val (truth, seg);
    }
  }
  return truth;
}

static guint
n_speakers (const GArray *turns)
{
  guint n = 0;

  for (guint i = 0; i < turns->len; i++)
    n = MAX (n, g_array_index (turns, VaTestSegment, i).speaker + 1);
  return n;
}

static const char *dialogue_lines[] = {
  "Good morning, I wanted to ask you about the results of the experiment we ran last week.",
  "Sure, the data looked very promising, especially the second group of participants.",
  "That is great news. Did the infants respond to the new sounds as we expected?",
  "Most of them did. They turned their heads quickly and looked at the speaker for a long time.",
  "Then we should write the report soon and share it with the rest of the team.",
  "I agree. I will start with the methods section this afternoon.",
  "Do you need the video files from the second session as well?",
  "Yes please, and the notes from the observers if you have them.",
};

typedef struct {
  const char *label;
  const char *voice[2];
  int pitch[2];
} VoicePair;

static const VoicePair pairs[] = {
  { "male / female", { "en+m3", "en+f3" }, { 40, 70 } },
  { "male / male", { "en+m3", "en-us+m1" }, { 40, 55 } },
  { "female / female", { "en+f3", "en+f4" }, { 70, 55 } },
  { "male / child-like", { "en+m7", "en+f5" }, { 35, 90 } },
};

/* The development set (`der-dev`): other voices, orders, seeds and turn
 * lengths than the reported table, for choosing settings without tuning
 * on what is reported. */
static const VoicePair dev_pairs[] = {
  { "male / female", { "en-us+m2", "en-us+f2" }, { 45, 65 } },
  { "male / male", { "en+m1", "en+m4" }, { 50, 35 } },
  { "female / female", { "en-us+f4", "en+f2" }, { 60, 75 } },
  { "male / child-like", { "en+m2", "en+f1" }, { 40, 95 } },
  { "male / male, close", { "en-us+m3", "en+m6" }, { 45, 55 } },
};

/* With VA_EVAL_DETAIL set: seconds of each true speaker under each found
 * one, on stderr. */
static void
print_detail (const GArray *truth, const GArray *found)
{
  guint n_true = n_speakers (truth), n_found = n_speakers (found);

  if (g_getenv ("VA_EVAL_DETAIL") == NULL)
    return;
  for (guint b = 0; b < n_found; b++) {
    g_printerr ("  found %u:", b);
    for (guint a = 0; a < n_true; a++) {
      double s = 0.0;

      for (guint i = 0; i < truth->len; i++) {
        const VaTestSegment *t = &g_array_index (truth, VaTestSegment, i);

        if (t->speaker != a)
          continue;
        for (guint j = 0; j < found->len; j++) {
          const VaTestSegment *u = &g_array_index (found, VaTestSegment, j);

          if (u->speaker == b)
            s += MAX (0.0, MIN (t->end, u->end) - MAX (t->start, u->start));
        }
      }
      g_printerr (" %6.1f", s);
    }
    g_printerr ("\n");
  }
}

static void
print_der (const GArray *truth, const GArray *found, double duration)
{
  double missed, false_alarm, confusion;
  double der
      = va_test_der_parts (truth, found, COLLAR, duration, &missed, &false_alarm, &confusion);

  print_detail (truth, found);
  printf ("%.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", 100.0 * der, 100.0 * missed, 100.0 * false_alarm,
          100.0 * confusion);
}

/* Dialogues of real recordings (va_test_dialogue_new()). */
typedef struct {
  const char *voices[5];
  const char *order;
  guint n_turns;
  double turn_min, turn_max;
  guint32 seed;
} RealDialogue;

static const RealDialogue dev_dialogues[] = {
  { { "librivox", "vk5qi" }, "ABABABABAB", 10, 2.0, 5.0, 101 },
  { { "speech_orig_16k", "ve9qrp" }, "ABABABABABAB", 12, 1.0, 3.0, 102 },
  { { "vk5qi", "speech_orig_16k", "cq_ref" }, "", 15, 1.0, 3.0, 103 },
  { { "cq_ref", "librivox", "ve9qrp" }, "", 24, 2.0, 5.0, 104 },
  { { "ve9qrp", "vk5qi", "cq_ref", "librivox" }, "", 30, 2.0, 6.0, 105 },
  { { "librivox", "speech_orig_16k", "vk5qi", "ve9qrp" }, "", 40, 1.0, 4.0, 106 },
  { { "vk5qi", "cq_ref", "ve9qrp" }, "ABCACB", 6, 3.0, 4.0, 107 },
  { { "speech_orig_16k", "librivox", "cq_ref" }, "ABCBAC", 6, 2.0, 4.0, 108 },
  { { "ve9qrp", "vk5qi", "cq_ref", "speech_orig_16k" }, "ABCDABCD", 8, 1.5, 3.0, 109 },
};

static const RealDialogue real_dialogues[] = {
  { { "ve9qrp", "vk5qi", "cq_ref" }, "ABACBA", 6, 3.0, 4.0, 1 },
  { { "ve9qrp", "librivox" }, "ABABABABABABABAB", 16, 0.5, 1.5, 2 },
  { { "librivox", "ve9qrp" }, "ABABABABABAB", 12, 3.0, 6.0, 3 },
  { { "vk5qi", "cq_ref", "speech_orig_16k", "librivox" }, "", 20, 1.0, 3.0, 4 },
  { { "ve9qrp", "vk5qi", "librivox" }, "", 22, 2.0, 5.0, 5 },
  { { "ve9qrp", "vk5qi", "librivox", "cq_ref" }, "", 50, 2.0, 8.0, 6 },
};

static int
eval_all_wav (const char *chain)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) truth = codec2_reference (names, &error);
  g_autoptr (GArray) all = NULL;
  g_autoptr (VaTestAudioResult) r = NULL;
  double duration;

  if (truth == NULL || truth->len == 0) {
    g_printerr ("codec2-examples: %s\n", error != NULL ? error->message : "no segments");
    return 1;
  }
  all = va_test_audio_load (VA_TEST_CODEC2_ALL, &error);
  if (all == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  duration = (double)all->len / VA_TEST_AUDIO_RATE;
  r = run_or_die (all, chain);
  printf ("| codec2-examples all.wav (%.1f s, recordings:", duration);
  for (guint i = 0; i < names->len; i++)
    printf ("%s %s", i > 0 ? "," : "", (char *)g_ptr_array_index (names, i));
  printf (") | %u | %u | ", names->len, n_speakers (r->turns));
  print_der (truth, r->turns, duration);
  return 0;
}

/* Adds pink noise at 10 dB SNR to @layout. */
static gboolean
add_pink_noise (VaTestLayout *layout)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) noise = va_test_audio_noise ("pinknoise", 30.0, &error);

  if (noise == NULL) {
    g_printerr ("sox: %s\n", error->message);
    return FALSE;
  }
  va_test_layout_add_noise (layout, noise, 10.0);
  return TRUE;
}

static int
eval_espeak_dialogues (const char *chain, const VoicePair *list, guint n)
{
  for (guint p = 0; p < n; p++) {
    for (guint noisy = 0; noisy < 2; noisy++) {
      g_autoptr (VaTestLayout) layout = va_test_layout_new ();
      g_autoptr (VaTestAudioResult) d = NULL;

      va_test_layout_silence (layout, 0.5);
      for (guint i = 0; i < G_N_ELEMENTS (dialogue_lines); i++) {
        guint who = i % 2;
        g_autoptr (GArray) clip
            = speak_or_die (list[p].voice[who], list[p].pitch[who], dialogue_lines[i]);

        va_test_layout_speech (layout, clip, who);
        va_test_layout_silence (layout, 0.8);
      }
      if (noisy && !add_pink_noise (layout))
        return 1;
      d = run_or_die (layout->samples, chain);
      printf ("| espeak-ng dialogue, %s (%s p%d / %s p%d), 8 turns, %.1f s%s | 2 | %u | ",
              list[p].label, list[p].voice[0], list[p].pitch[0], list[p].voice[1], list[p].pitch[1],
              va_test_layout_duration (layout), noisy ? ", pink noise 10 dB" : "",
              n_speakers (d->turns));
      print_der (layout->truth, d->turns, va_test_layout_duration (layout));
    }
  }
  return 0;
}

static int
eval_real_dialogues (const char *chain, const RealDialogue *list, guint n)
{
  for (guint i = 0; i < n; i++) {
    for (guint noisy = 0; noisy < 2; noisy++) {
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) label = g_string_new (NULL);
      g_autoptr (VaTestLayout) layout = NULL;
      g_autoptr (VaTestAudioResult) d = NULL;

      layout
          = va_test_dialogue_new (list[i].voices, list[i].order, list[i].n_turns, list[i].turn_min,
                                  list[i].turn_max, list[i].seed, label, &error);
      if (layout == NULL) {
        g_printerr ("%s\n", error->message);
        return 1;
      }
      if (noisy && !add_pink_noise (layout))
        return 1;
      d = run_or_die (layout->samples, chain);
      printf ("| recorded dialogue, %s%s | %u | %u | ", label->str,
              noisy ? ", pink noise 10 dB" : "", n_speakers (layout->truth), n_speakers (d->turns));
      print_der (layout->truth, d->turns, va_test_layout_duration (layout));
    }
  }
  return 0;
}

/* @dev: the development set instead of the reported material */
static int
eval_der (const char *chain, gboolean dev)
{
  printf ("Elements: `%s`, collar %.2f s.\n\n", chain, COLLAR);
  printf ("| material | true speakers | found | DER | missed | false alarm | confusion |\n"
          "|---|---|---|---|---|---|---|\n");
  if (dev)
    return eval_espeak_dialogues (chain, dev_pairs, G_N_ELEMENTS (dev_pairs))
           || eval_real_dialogues (chain, dev_dialogues, G_N_ELEMENTS (dev_dialogues));
  return eval_all_wav (chain) || eval_espeak_dialogues (chain, pairs, G_N_ELEMENTS (pairs))
         || eval_real_dialogues (chain, real_dialogues, G_N_ELEMENTS (real_dialogues));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);

  if (argc >= 2 && g_str_equal (argv[1], "vad"))
    return eval_vad (argc > 2 ? argv[2] : "vavad");
  if (argc == 2 && g_str_equal (argv[1], "wer")) {
    const char *chains[] = { "vavad ! vaspeech", "vavad ! vaspeech search=accurate", "vaspeech" };
    return eval_wer (chains, G_N_ELEMENTS (chains));
  }
  if (argc > 2 && g_str_equal (argv[1], "wer"))
    return eval_wer ((const char *const *)argv + 2, argc - 2);
  if (argc >= 2 && (g_str_equal (argv[1], "der") || g_str_equal (argv[1], "der-dev")))
    return eval_der (argc > 2 ? argv[2] : "vavad ! vadiarize", g_str_equal (argv[1], "der-dev"));
  g_printerr ("usage: %s vad ['ELEMENTS'] | wer ['ELEMENTS'...] | der|der-dev ['ELEMENTS']\n",
              argv[0]);
  return 2;
}
