/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-test-dialogue.h"

#include <math.h>

#define FRAME 160 /* 10 ms */
/* Pauses at least this long end a stretch; turns are cut only there. */
#define MIN_PAUSE_FRAMES 25
#define MIN_STRETCH_FRAMES 20
/* Audio kept around a stretch: the recording's own room and noise. */
#define MARGIN_FRAMES 10

/* The recordings, each one person (radio amateurs' recordings by call
 * sign and a 16 kHz sample of codec2-examples; the LibriVox reader of
 * pocketsphinx-testdata). Kept apart from all.wav, which holds parts of
 * some of them. Not used: david4.wav and vk2tpm_004.wav, whose noise
 * floor is within 3 dB of their speech (no pause to cut at). Paths ending
 * in .raw are 8 kHz headerless. */
static const struct {
  const char *name;
  const char *paths[6];
} sources[] = {
  { "ve9qrp", { "/usr/share/codec2/wav/ve9qrp.wav" } },
  { "vk5qi", { "/usr/share/codec2/wav/vk5qi.wav" } },
  { "cq_ref", { "/usr/share/codec2/raw/cq_ref.raw" } },
  { "speech_orig_16k", { "/usr/share/codec2/raw/speech_orig_16k.wav" } },
  { "librivox",
    { VA_TEST_LIBRIVOX_DIR "/sense_and_sensibility_01_austen_64kb-0870.wav",
      VA_TEST_LIBRIVOX_DIR "/sense_and_sensibility_01_austen_64kb-0880.wav",
      VA_TEST_LIBRIVOX_DIR "/sense_and_sensibility_01_austen_64kb-0890.wav",
      VA_TEST_LIBRIVOX_DIR "/sense_and_sensibility_01_austen_64kb-0920.wav",
      VA_TEST_LIBRIVOX_DIR "/sense_and_sensibility_01_austen_64kb-0930.wav" } },
};

struct _VaTestVoice {
  char *name;
  GArray *samples;   /* gint16 */
  GArray *stretches; /* gsize pairs: first and last + 1 sample of speech */
  guint next;
  gboolean reused;
};

static const char *const names[]
    = { "ve9qrp", "vk5qi", "cq_ref", "speech_orig_16k", "librivox", NULL };

const char *const *
va_test_voice_names (void)
{
  return names;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Speech is where the 10 ms level is above 40% of the way (in dB) from the
 * recording's noise floor (10th percentile) to its loud speech (95th); the
 * amateur radio recordings have a noise floor well above silence. */
static void
find_stretches (VaTestVoice *voice, gsize from, gsize to)
{
  const gint16 *s = (const gint16 *)voice->samples->data;
  guint n = (guint)((to - from) / FRAME);
  g_autofree gdouble *level = g_new (gdouble, MAX (n, 1u));
  g_autofree gdouble *sorted = NULL;
  gdouble threshold;
  guint f = 0;

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++) {
    gdouble e = 1.0;

    for (guint k = 0; k < FRAME; k++)
      e += (gdouble)s[from + (gsize)i * FRAME + k] * s[from + (gsize)i * FRAME + k];
    level[i] = 10.0 * log10 (e / FRAME);
  }
  sorted = g_memdup2 (level, n * sizeof (gdouble));
  qsort (sorted, n, sizeof (gdouble), compare_double);
  threshold = sorted[n / 10] + 0.4 * (sorted[n * 95 / 100] - sorted[n / 10]);

  while (f < n) {
    guint first, last, quiet = 0;

    while (f < n && level[f] < threshold)
      f++;
    if (f == n)
      break;
    first = last = f;
    for (; f < n && quiet < MIN_PAUSE_FRAMES; f++) {
      if (level[f] >= threshold) {
        last = f;
        quiet = 0;
      } else {
        quiet++;
      }
    }
    if (last + 1 - first >= MIN_STRETCH_FRAMES) {
      gsize pair[2] = { from + (gsize)first * FRAME, from + (gsize)(last + 1) * FRAME };

      g_array_append_vals (voice->stretches, pair, 2);
    }
  }
}

VaTestVoice *
va_test_voice_new (const char *name, GError **error)
{
  g_autoptr (VaTestVoice) voice = g_new0 (VaTestVoice, 1);

  voice->name = g_strdup (name);
  voice->samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  voice->stretches = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++) {
    if (!g_str_equal (sources[i].name, name))
      continue;
    for (guint p = 0; p < G_N_ELEMENTS (sources[i].paths) && sources[i].paths[p] != NULL; p++) {
      const char *path = sources[i].paths[p];
      g_autoptr (GArray) clip = g_str_has_suffix (path, ".raw")
                                    ? va_test_audio_load_raw (path, 8000, error)
                                    : va_test_audio_load (path, error);
      gsize from = voice->samples->len;

      if (clip == NULL)
        return NULL;
      g_array_append_vals (voice->samples, clip->data, clip->len);
      find_stretches (voice, from, voice->samples->len);
    }
    if (voice->stretches->len == 0) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no speech found in %s", name);
      return NULL;
    }
    return g_steal_pointer (&voice);
  }
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no recording named %s", name);
  return NULL;
}

void
va_test_voice_free (VaTestVoice *voice)
{
  if (voice == NULL)
    return;
  g_free (voice->name);
  g_array_unref (voice->samples);
  g_array_unref (voice->stretches);
  g_free (voice);
}

const char *
va_test_voice_get_name (const VaTestVoice *voice)
{
  return voice->name;
}

gdouble
va_test_voice_get_speech (const VaTestVoice *voice)
{
  gdouble total = 0.0;

  for (guint i = 0; i + 1 < voice->stretches->len; i += 2)
    total += g_array_index (voice->stretches, gsize, i + 1)
             - g_array_index (voice->stretches, gsize, i);
  return total / VA_TEST_AUDIO_RATE;
}

gboolean
va_test_voice_get_reused (const VaTestVoice *voice)
{
  return voice->reused;
}

void
va_test_layout_turn (VaTestLayout *layout, VaTestVoice *voice, gdouble seconds, guint speaker)
{
  guint n = voice->stretches->len / 2;
  gsize first, last, margin = MARGIN_FRAMES * FRAME, from, to, offset = layout->samples->len;
  VaTestSegment seg;

  if (voice->next >= n) {
    voice->next = 0;
    voice->reused = TRUE;
  }
  first = g_array_index (voice->stretches, gsize, 2 * voice->next);

  /* whole stretches until the turn is long enough, never across the end of
   * a clip (the next stretch would start far away) */
  do {
    last = g_array_index (voice->stretches, gsize, 2 * voice->next + 1);
    voice->next++;
  } while (voice->next < n && (gdouble)(last - first) / VA_TEST_AUDIO_RATE < seconds
           && g_array_index (voice->stretches, gsize, 2 * voice->next) - last
                  < (gsize)VA_TEST_AUDIO_RATE);
  from = first > margin ? first - margin : 0;
  to = MIN (last + margin, (gsize)voice->samples->len);
  g_array_append_vals (layout->samples, (const gint16 *)voice->samples->data + from, to - from);
  seg.start = (gdouble)(offset + first - from) / VA_TEST_AUDIO_RATE;
  seg.end = (gdouble)(offset + last - from) / VA_TEST_AUDIO_RATE;
  seg.speaker = speaker;
  g_array_append_val (layout->truth, seg);
}

static guint
draw_speaker (GRand *rand, VaTestVoice **voices, guint n_voices, guint current)
{
  gdouble left[4], total = 0.0, pick;

  for (guint v = 0; v < n_voices; v++) {
    left[v] = v == current || va_test_voice_get_reused (voices[v])
                  ? 0.0
                  : MAX (va_test_voice_get_speech (voices[v]), 1.0);
    total += left[v];
  }
  if (total <= 0.0)
    return (current + 1) % n_voices;
  pick = g_rand_double_range (rand, 0.0, total);
  for (guint v = 0; v < n_voices; v++) {
    if (pick < left[v])
      return v;
    pick -= left[v];
  }
  return (current + 1) % n_voices;
}

/**
 * va_test_dialogue_new:
 * @names: (array zero-terminated=1): up to 4 of va_test_voice_names()
 * @order: the speakers' order, letters A-D indexing @names, or "" for an
 *   order drawn from @seed in which the next speaker is never the current
 *   one and is chosen with odds by how much of its recording is left
 * @label: (optional): a description is appended here
 *
 * Turns of at least [turn_min, turn_max] s (drawn from @seed), gaps of
 * 0.3-1.0 s.
 */
VaTestLayout *
va_test_dialogue_new (const char *const *names, const char *order, guint n_turns, gdouble turn_min,
                      gdouble turn_max, guint32 seed, GString *label, GError **error)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  VaTestVoice *voices[4] = { NULL };
  guint n_voices = 0, current = G_MAXUINT;
  VaTestLayout *layout = NULL;
  gboolean reused = FALSE;
  gdouble speech = 0.0;

  for (; n_voices < 4 && names[n_voices] != NULL; n_voices++) {
    voices[n_voices] = va_test_voice_new (names[n_voices], error);
    if (voices[n_voices] == NULL) {
      for (guint v = 0; v < n_voices; v++)
        va_test_voice_free (voices[v]);
      return NULL;
    }
  }
  layout = va_test_layout_new ();
  va_test_layout_silence (layout, 0.5);
  for (guint t = 0; t < n_turns; t++) {
    guint who
        = *order != '\0' ? (guint)(order[t] - 'A') : draw_speaker (rand, voices, n_voices, current);

    if (va_test_voice_get_reused (voices[who]))
      reused = TRUE;
    va_test_layout_turn (layout, voices[who], g_rand_double_range (rand, turn_min, turn_max), who);
    va_test_layout_silence (layout, g_rand_double_range (rand, 0.3, 1.0));
    current = who;
  }
  for (guint t = 0; t < layout->truth->len; t++)
    speech += g_array_index (layout->truth, VaTestSegment, t).end
              - g_array_index (layout->truth, VaTestSegment, t).start;
  if (label != NULL) {
    g_string_append_printf (label, "%u turns (mean %.1f s), %.1f s:", n_turns, speech / n_turns,
                            va_test_layout_duration (layout));
    for (guint v = 0; v < n_voices; v++)
      g_string_append_printf (label, "%s %s", v > 0 ? "," : "", va_test_voice_get_name (voices[v]));
    if (*order != '\0')
      g_string_append_printf (label, " (%s)", order);
    if (reused)
      g_string_append (label, ", some turns reused");
  }
  for (guint v = 0; v < n_voices; v++)
    va_test_voice_free (voices[v]);
  return layout;
}
