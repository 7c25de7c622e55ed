/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-test-audio.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/app.h>
#include <math.h>
#include <string.h>

#include "va-meta.h"

/* Runs @argv; its standard error goes into @error on failure. */
static gboolean
run_tool (const char *const *argv, GError **error)
{
  g_autofree char *err = NULL;
  /* The sanitizer build preloads its runtime into the tests and their
   * children (for the uninstrumented tools that load our plugin); espeak-ng
   * deadlocks under it in libpulse's gettext setup, and neither it nor sox
   * loads our code. */
  g_auto (GStrv) envp = g_environ_unsetenv (g_get_environ (), "LD_PRELOAD");
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s failed: %s", argv[0],
                 err != NULL ? err : "");
    return FALSE;
  }
  return TRUE;
}

static GArray *
read_raw (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  GArray *samples;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  samples = g_array_sized_new (FALSE, FALSE, sizeof (gint16), length / 2);
  g_array_append_vals (samples, data, length / 2);
  return samples;
}

/* sox converts anything it reads to the 16 kHz mono 16-bit raw we use;
 * headerless input (@raw_rate > 0) is 16-bit signed mono at that rate. */
static GArray *
convert_with_sox (const char *input, guint raw_rate, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("va-audio-XXXXXX", error);
  g_autofree char *raw = NULL;
  GArray *samples;

  if (dir == NULL)
    return NULL;
  raw = g_build_filename (dir, "out.raw", NULL);
  {
    /* -R: sox dithers when it resamples (espeak-ng speaks at 22050 Hz), with
     * random noise unless told to repeat it; without it the same sentence
     * gives different samples, and recognition results, on every run. */
    g_autofree char *rate = g_strdup_printf ("%u", raw_rate);
    const char *argv[] = { "sox",
                           "-R",
                           "-q",
                           "-t",
                           "raw",
                           "-r",
                           rate,
                           "-c",
                           "1",
                           "-b",
                           "16",
                           "-e",
                           "signed-integer",
                           "-L",
                           input,
                           "-t",
                           "raw",
                           "-r",
                           "16000",
                           "-c",
                           "1",
                           "-b",
                           "16",
                           "-e",
                           "signed-integer",
                           "-L",
                           raw,
                           NULL };
    /* without a raw rate, sox reads the file's own header */
    if (raw_rate == 0)
      memmove (argv + 3, argv + 14, (G_N_ELEMENTS (argv) - 14) * sizeof (char *));
    if (!run_tool (argv, error)) {
      g_rmdir (dir);
      return NULL;
    }
  }
  samples = read_raw (raw, error);
  g_unlink (raw);
  g_rmdir (dir);
  return samples;
}

/**
 * va_test_audio_speak:
 * @voice: an espeak-ng voice, e.g. "en+m3"
 * @pitch: espeak-ng pitch 0..99
 */
GArray *
va_test_audio_speak (const char *voice, int pitch, const char *text, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("va-speak-XXXXXX", error);
  g_autofree char *wav = NULL;
  g_autofree char *pitch_str = g_strdup_printf ("%d", pitch);
  GArray *samples;

  if (dir == NULL)
    return NULL;
  wav = g_build_filename (dir, "speech.wav", NULL);
  {
    const char *argv[]
        = { "espeak-ng", "-v", voice, "-p", pitch_str, "-s", "160", "-w", wav, text, NULL };
    if (!run_tool (argv, error)) {
      g_rmdir (dir);
      return NULL;
    }
  }
  samples = convert_with_sox (wav, 0, error);
  g_unlink (wav);
  g_rmdir (dir);
  return samples;
}

GArray *
va_test_audio_load (const char *path, GError **error)
{
  return convert_with_sox (path, 0, error);
}

/* Headerless 16-bit mono recordings at @rate, such as codec2-examples'
 * raw/ directory. */
GArray *
va_test_audio_load_raw (const char *path, guint rate, GError **error)
{
  return convert_with_sox (path, rate, error);
}

GStrv
va_test_librivox_ids (GError **error)
{
  g_autofree char *path = g_build_filename (VA_TEST_LIBRIVOX_DIR, "fileids", NULL);
  g_autofree char *data = NULL;

  if (!g_file_get_contents (path, &data, NULL, error))
    return NULL;
  return g_strsplit (g_strstrip (data), "\n", -1);
}

char *
va_test_librivox_reference (const char *id, GError **error)
{
  g_autofree char *path = g_build_filename (VA_TEST_LIBRIVOX_DIR, "transcription", NULL);
  g_autofree char *data = NULL;
  g_autofree char *tag = g_strdup_printf ("(%s)", id);
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &data, NULL, error))
    return NULL;
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *start = strstr (lines[i], "<s>");
    const char *end = strstr (lines[i], "</s>");

    if (strstr (lines[i], tag) != NULL && start != NULL && end != NULL && end > start)
      return g_strstrip (g_strndup (start + strlen ("<s>"), end - start - strlen ("<s>")));
  }
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no reference for %s", path, id);
  return NULL;
}

GArray *
va_test_librivox_audio (const char *id, GError **error)
{
  g_autofree char *name = g_strconcat (id, ".wav", NULL);
  g_autofree char *path = g_build_filename (VA_TEST_LIBRIVOX_DIR, name, NULL);

  return va_test_audio_load (path, error);
}

/**
 * va_test_audio_noise:
 * @kind: a sox noise type: "whitenoise", "pinknoise", "brownnoise"
 *
 * sox's repeatable random numbers (-R): the same noise on every run.
 */
GArray *
va_test_audio_noise (const char *kind, gdouble seconds, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("va-noise-XXXXXX", error);
  g_autofree char *raw = NULL;
  char length[G_ASCII_DTOSTR_BUF_SIZE];
  GArray *samples;

  if (dir == NULL)
    return NULL;
  raw = g_build_filename (dir, "noise.raw", NULL);
  g_ascii_dtostr (length, sizeof length, seconds);
  {
    const char *argv[] = { "sox",   "-R", "-q",    "-n",   "-t", "raw", "-r",
                           "16000", "-c", "1",     "-b",   "16", "-e",  "signed-integer",
                           "-L",    raw,  "synth", length, kind, NULL };
    if (!run_tool (argv, error)) {
      g_rmdir (dir);
      return NULL;
    }
  }
  samples = read_raw (raw, error);
  g_unlink (raw);
  g_rmdir (dir);
  return samples;
}

gboolean
va_test_audio_save_wav (const GArray *samples, const char *path, GError **error)
{
  guint32 data_len = samples->len * 2;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 header[44];

  memcpy (header, "RIFF", 4);
  GST_WRITE_UINT32_LE (header + 4, 36 + data_len);
  memcpy (header + 8, "WAVEfmt ", 8);
  GST_WRITE_UINT32_LE (header + 16, 16);
  GST_WRITE_UINT16_LE (header + 20, 1);
  GST_WRITE_UINT16_LE (header + 22, 1);
  GST_WRITE_UINT32_LE (header + 24, VA_TEST_AUDIO_RATE);
  GST_WRITE_UINT32_LE (header + 28, VA_TEST_AUDIO_RATE * 2);
  GST_WRITE_UINT16_LE (header + 32, 2);
  GST_WRITE_UINT16_LE (header + 34, 16);
  memcpy (header + 36, "data", 4);
  GST_WRITE_UINT32_LE (header + 40, data_len);
  g_byte_array_append (out, header, sizeof header);
  for (guint i = 0; i < samples->len; i++) {
    guint8 le[2];

    GST_WRITE_UINT16_LE (le, (guint16)g_array_index (samples, gint16, i));
    g_byte_array_append (out, le, 2);
  }
  return g_file_set_contents (path, (const char *)out->data, out->len, error);
}

/**
 * va_test_audio_speech_bounds:
 * @first: (out): first sample above 1% of full scale
 * @last: (out): one past the last such sample
 *
 * Where the speech in a clean synthesized clip really is: espeak-ng adds
 * silence after each utterance.
 */
void
va_test_audio_speech_bounds (const GArray *clip, gsize *first, gsize *last)
{
  const gint16 *s = (const gint16 *)clip->data;
  gsize i;

  *first = 0;
  *last = 0;
  for (i = 0; i < clip->len; i++)
    if (ABS (s[i]) > 328)
      break;
  if (i == clip->len)
    return;
  *first = i;
  for (i = clip->len; i > *first; i--)
    if (ABS (s[i - 1]) > 328)
      break;
  *last = i;
}

VaTestLayout *
va_test_layout_new (void)
{
  VaTestLayout *layout = g_new0 (VaTestLayout, 1);

  layout->samples = g_array_new (FALSE, TRUE, sizeof (gint16));
  layout->truth = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  return layout;
}

void
va_test_layout_free (VaTestLayout *layout)
{
  if (layout == NULL)
    return;
  g_array_unref (layout->samples);
  g_array_unref (layout->truth);
  g_free (layout);
}

void
va_test_layout_silence (VaTestLayout *layout, gdouble seconds)
{
  g_array_set_size (layout->samples,
                    layout->samples->len + (guint)(seconds * VA_TEST_AUDIO_RATE + 0.5));
}

/* Appends @clip; its speech (between va_test_audio_speech_bounds()) is a
 * true segment of @speaker. */
void
va_test_layout_speech (VaTestLayout *layout, const GArray *clip, guint speaker)
{
  gsize first, last;
  guint offset = layout->samples->len;
  VaTestSegment seg;

  va_test_audio_speech_bounds (clip, &first, &last);
  g_array_append_vals (layout->samples, clip->data, clip->len);
  if (last <= first)
    return;
  seg.start = (gdouble)(offset + first) / VA_TEST_AUDIO_RATE;
  seg.end = (gdouble)(offset + last) / VA_TEST_AUDIO_RATE;
  seg.speaker = speaker;
  g_array_append_val (layout->truth, seg);
}

/* Mixes @noise (repeated as needed) at @snr_db below the mean power of the
 * true speech segments. */
void
va_test_layout_add_noise (VaTestLayout *layout, const GArray *noise, gdouble snr_db)
{
  gint16 *s = (gint16 *)layout->samples->data;
  const gint16 *n = (const gint16 *)noise->data;
  gdouble speech = 0.0, noise_power = 0.0, gain;
  gsize n_speech = 0;

  for (guint t = 0; t < layout->truth->len; t++) {
    VaTestSegment *seg = &g_array_index (layout->truth, VaTestSegment, t);
    gsize a = (gsize)(seg->start * VA_TEST_AUDIO_RATE), b = (gsize)(seg->end * VA_TEST_AUDIO_RATE);

    for (gsize i = a; i < b && i < layout->samples->len; i++, n_speech++)
      speech += (gdouble)s[i] * s[i];
  }
  for (guint i = 0; i < noise->len; i++)
    noise_power += (gdouble)n[i] * n[i];
  if (n_speech == 0 || noise_power <= 0.0)
    return;
  speech /= n_speech;
  noise_power /= noise->len;
  gain = sqrt (speech / noise_power / pow (10.0, snr_db / 10.0));

  for (guint i = 0; i < layout->samples->len; i++) {
    gdouble v = s[i] + gain * n[i % noise->len];

    s[i] = (gint16)CLAMP (lrint (v), -32768, 32767);
  }
}

gdouble
va_test_layout_duration (const VaTestLayout *layout)
{
  return (gdouble)layout->samples->len / VA_TEST_AUDIO_RATE;
}

void
va_test_audio_result_free (VaTestAudioResult *result)
{
  if (result == NULL)
    return;
  g_array_unref (result->voice);
  g_array_unref (result->turns);
  g_ptr_array_unref (result->utterances);
  g_array_unref (result->words);
  g_ptr_array_unref (result->messages);
  g_string_free (result->transcript_log, TRUE);
  g_free (result);
}

/* All recognized utterances joined by spaces. */
char *
va_test_audio_result_text (const VaTestAudioResult *result)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < result->utterances->len; i++) {
    const char *u = g_ptr_array_index (result->utterances, i);

    if (*u == '\0')
      continue;
    if (text->len > 0)
      g_string_append_c (text, ' ');
    g_string_append (text, u);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
collect (VaTestAudioResult *result, GstBuffer *buf)
{
  gpointer state = NULL;
  GstMeta *meta;

  while ((meta = gst_buffer_iterate_meta (buf, &state)) != NULL) {
    GType api = meta->info->api;

    if (api == VA_VOICE_SEGMENT_META_API_TYPE) {
      VaVoiceSegmentMeta *m = (VaVoiceSegmentMeta *)meta;
      VaTestSegment seg = { (gdouble)m->start / GST_SECOND, (gdouble)m->end / GST_SECOND, 0 };
      g_array_append_val (result->voice, seg);
    } else if (api == VA_SPEAKER_TURN_META_API_TYPE) {
      VaSpeakerTurnMeta *m = (VaSpeakerTurnMeta *)meta;
      VaTestSegment seg
          = { (gdouble)m->start / GST_SECOND, (gdouble)m->end / GST_SECOND, m->speaker };
      g_array_append_val (result->turns, seg);
    } else if (api == VA_TRANSCRIPT_META_API_TYPE) {
      VaTranscriptMeta *m = (VaTranscriptMeta *)meta;

      g_ptr_array_add (result->utterances, g_strdup (m->text));
      g_string_append_printf (result->transcript_log,
                              "buffer %" GST_TIME_FORMAT " +%" G_GSIZE_FORMAT
                              " utterance %" GST_TIME_FORMAT "-%" GST_TIME_FORMAT ":",
                              GST_TIME_ARGS (GST_BUFFER_PTS (buf)), gst_buffer_get_size (buf),
                              GST_TIME_ARGS (m->start), GST_TIME_ARGS (m->end));
      for (guint i = 0; i < m->words->len; i++) {
        VaTranscriptWord *w = &g_array_index (m->words, VaTranscriptWord, i);
        VaTestSegment seg = { (gdouble)w->start / GST_SECOND, (gdouble)w->end / GST_SECOND, 0 };
        g_array_append_val (result->words, seg);
        g_string_append_printf (result->transcript_log,
                                " %s[%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT " %.6f]", w->text,
                                w->start, w->end, w->confidence);
      }
      g_string_append_c (result->transcript_log, '\n');
    }
  }
}

/**
 * va_test_audio_run:
 * @chain: a gst-launch description placed between an appsrc giving
 *   @samples (16 kHz mono S16LE, 100 ms buffers) and an appsink
 *
 * Returns: what the chain attached, or NULL with the pipeline's error.
 */
VaTestAudioResult *
va_test_audio_run (const GArray *samples, const char *chain, GError **error)
{
  return va_test_audio_run_full (samples, chain, TRUE, error);
}

/**
 * va_test_audio_run_full:
 * @with_appsink: FALSE when @chain ends in its own sink; the result then
 *   only has the messages
 */
VaTestAudioResult *
va_test_audio_run_full (const GArray *samples, const char *chain, gboolean with_appsink,
                        GError **error)
{
  g_autofree char *desc = g_strdup_printf (
      "appsrc name=src format=time max-bytes=0 caps=audio/x-raw,format=S16LE,rate=16000,"
      "channels=1,layout=interleaved ! %s%s",
      chain, with_appsink ? " ! appsink name=sink sync=false max-buffers=0" : "");
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (VaTestAudioResult) result = g_new0 (VaTestAudioResult, 1);
  const gsize chunk = VA_TEST_AUDIO_RATE / 10;
  GstMessage *msg;

  result->voice = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  result->turns = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  result->utterances = g_ptr_array_new_with_free_func (g_free);
  result->words = g_array_new (FALSE, FALSE, sizeof (VaTestSegment));
  result->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_message_unref);
  result->transcript_log = g_string_new (NULL);

  {
    g_autoptr (GError) parse_error = NULL;

    /* gst_parse_launch() may return a pipeline with an error set (a missing
     * element); that is a failure here. */
    pipeline = gst_parse_launch (desc, &parse_error);
    if (parse_error != NULL) {
      g_propagate_error (error, g_steal_pointer (&parse_error));
      return NULL;
    }
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  bus = gst_element_get_bus (pipeline);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL) {
      gst_message_parse_error (msg, error, NULL);
      gst_message_unref (msg);
    } else {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE, "could not start");
    }
    gst_element_set_state (pipeline, GST_STATE_NULL);
    return NULL;
  }

  for (gsize off = 0; off < samples->len; off += chunk) {
    gsize n = MIN (chunk, samples->len - off);
    GstBuffer *buf = gst_buffer_new_memdup (&g_array_index (samples, gint16, off), n * 2);

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (off, GST_SECOND, VA_TEST_AUDIO_RATE);
    GST_BUFFER_DURATION (buf)
        = gst_util_uint64_scale (off + n, GST_SECOND, VA_TEST_AUDIO_RATE) - GST_BUFFER_PTS (buf);
    if (gst_app_src_push_buffer (GST_APP_SRC (src), buf) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  while (sink != NULL) {
    /* Bounded, so that a chain that failed (and will never reach EOS) is
     * reported from the bus below instead of blocking here. */
    g_autoptr (GstSample) sample
        = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 120 * GST_SECOND);
    GstBuffer *buf;

    if (sample == NULL)
      break;
    buf = gst_sample_get_buffer (sample);
    collect (result, buf);
    result->n_samples += gst_buffer_get_size (buf) / 2;
  }

  {
    g_autoptr (GError) failure = NULL;

    /* Without an appsink, wait for the whole chain (speech recognition runs
     * at about real time). Element messages are kept on the way (a filtered
     * pop would discard them). */
    for (;;) {
      msg = gst_bus_timed_pop (bus, sink != NULL ? 10 * GST_SECOND : 300 * GST_SECOND);
      if (msg == NULL) {
        g_set_error (&failure, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "no EOS");
        break;
      }
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
        g_ptr_array_add (result->messages, msg);
        continue;
      }
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        gst_message_parse_error (msg, &failure, NULL);
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR
          || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
        gst_message_unref (msg);
        break;
      }
      gst_message_unref (msg);
    }
    gst_element_set_state (pipeline, GST_STATE_NULL);
    if (failure != NULL) {
      g_propagate_error (error, g_steal_pointer (&failure));
      return NULL;
    }
  }
  return g_steal_pointer (&result);
}

/* Frame (10 ms) level speech/non-speech agreement. */
static gboolean
covered (const GArray *segments, gdouble t)
{
  for (guint i = 0; i < segments->len; i++) {
    const VaTestSegment *s = &g_array_index (segments, VaTestSegment, i);

    if (t >= s->start && t < s->end)
      return TRUE;
  }
  return FALSE;
}

/**
 * va_test_frame_f1:
 *
 * Scores @found against @truth on 10 ms frames over @duration seconds,
 * speech being the positive class.
 *
 * Returns: the F1 score (0 when there is no true and no found speech)
 */
gdouble
va_test_frame_f1 (const GArray *truth, const GArray *found, gdouble duration, gdouble *precision,
                  gdouble *recall)
{
  guint tp = 0, fp = 0, fn = 0;
  gdouble p, r;

  for (guint f = 0; f < (guint)(duration * 100.0); f++) {
    gdouble t = (f + 0.5) / 100.0;
    gboolean a = covered (truth, t), b = covered (found, t);

    tp += a && b;
    fp += !a && b;
    fn += a && !b;
  }
  p = tp + fp > 0 ? (gdouble)tp / (tp + fp) : 0.0;
  r = tp + fn > 0 ? (gdouble)tp / (tp + fn) : 0.0;
  if (precision != NULL)
    *precision = p;
  if (recall != NULL)
    *recall = r;
  return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
}

/**
 * va_test_wer:
 * @errors: (out) (optional): substitutions + deletions + insertions
 * @n_reference: (out) (optional): words in @reference
 *
 * Word error rate by Levenshtein alignment of the lower-cased words.
 */
gdouble
va_test_wer (const char *reference, const char *hypothesis, guint *errors, guint *n_reference)
{
  g_autofree char *ref_lower = g_ascii_strdown (reference, -1);
  g_autofree char *hyp_lower = g_ascii_strdown (hypothesis, -1);
  g_auto (GStrv) ref = g_strsplit_set (g_strstrip (ref_lower), " \t\n", -1);
  g_auto (GStrv) hyp = g_strsplit_set (g_strstrip (hyp_lower), " \t\n", -1);
  g_autoptr (GPtrArray) r = g_ptr_array_new ();
  g_autoptr (GPtrArray) h = g_ptr_array_new ();
  g_autofree guint *prev = NULL, *cur = NULL;

  for (guint i = 0; ref[i] != NULL; i++)
    if (*ref[i] != '\0')
      g_ptr_array_add (r, ref[i]);
  for (guint i = 0; hyp[i] != NULL; i++)
    if (*hyp[i] != '\0')
      g_ptr_array_add (h, hyp[i]);

  prev = g_new (guint, h->len + 1);
  cur = g_new (guint, h->len + 1);
  for (guint j = 0; j <= h->len; j++)
    prev[j] = j;
  for (guint i = 1; i <= r->len; i++) {
    cur[0] = i;
    for (guint j = 1; j <= h->len; j++) {
      guint sub
          = prev[j - 1]
            + (g_str_equal (g_ptr_array_index (r, i - 1), g_ptr_array_index (h, j - 1)) ? 0 : 1);
      cur[j] = MIN (sub, MIN (prev[j] + 1, cur[j - 1] + 1));
    }
    memcpy (prev, cur, (h->len + 1) * sizeof (guint));
  }

  if (errors != NULL)
    *errors = prev[h->len];
  if (n_reference != NULL)
    *n_reference = r->len;
  return r->len > 0 ? (gdouble)prev[h->len] / r->len : (h->len > 0 ? 1.0 : 0.0);
}

/* Speaker of @segments at time @t, or -1. */
static gint
speaker_at (const GArray *segments, gdouble t)
{
  for (guint i = 0; i < segments->len; i++) {
    const VaTestSegment *s = &g_array_index (segments, VaTestSegment, i);

    if (t >= s->start && t < s->end)
      return s->speaker;
  }
  return -1;
}

static gboolean
near_boundary (const GArray *truth, gdouble t, gdouble collar)
{
  for (guint i = 0; i < truth->len; i++) {
    const VaTestSegment *s = &g_array_index (truth, VaTestSegment, i);

    if (fabs (t - s->start) < collar || fabs (t - s->end) < collar)
      return TRUE;
  }
  return FALSE;
}

/**
 * va_test_der:
 * @collar: seconds around each true boundary that are not scored (NIST
 *   md-eval uses 0.25)
 *
 * Diarization error rate on 10 ms frames: (missed speech + false alarm +
 * speaker confusion) / true speech, with the found speakers mapped to the
 * true ones by the best one-to-one assignment (greedy on the overlap
 * matrix, exact for the two- and few-speaker cases scored here).
 */
gdouble
va_test_der (const GArray *truth, const GArray *found, gdouble collar, gdouble duration)
{
  return va_test_der_parts (truth, found, collar, duration, NULL, NULL, NULL);
}

/**
 * va_test_der_parts:
 * @missed: (out) (optional): missed speech / true speech
 * @false_alarm: (out) (optional): false alarm / true speech
 * @confusion: (out) (optional): speaker confusion / true speech
 *
 * va_test_der() and its three parts.
 */
gdouble
va_test_der_parts (const GArray *truth, const GArray *found, gdouble collar, gdouble duration,
                   gdouble *missed_out, gdouble *false_alarm_out, gdouble *confusion_out)
{
  guint n_true = 0, n_found = 0;
  g_autofree guint *overlap = NULL;
  g_autofree gint *map = NULL;
  g_autofree gboolean *used = NULL;
  guint total = 0, missed = 0, false_alarm = 0, confusion = 0;
  guint n_frames = (guint)(duration * 100.0);

  for (guint i = 0; i < truth->len; i++)
    n_true = MAX (n_true, g_array_index (truth, VaTestSegment, i).speaker + 1);
  for (guint i = 0; i < found->len; i++)
    n_found = MAX (n_found, g_array_index (found, VaTestSegment, i).speaker + 1);

  overlap = g_new0 (guint, (gsize)MAX (n_true, 1) * MAX (n_found, 1));
  for (guint f = 0; f < n_frames; f++) {
    gdouble t = (f + 0.5) / 100.0;
    gint a = speaker_at (truth, t), b = speaker_at (found, t);

    if (a >= 0 && b >= 0)
      overlap[a * n_found + b]++;
  }

  /* Greedy assignment: repeatedly pair the largest remaining overlap. */
  map = g_new (gint, MAX (n_found, 1));
  used = g_new0 (gboolean, MAX (n_true, 1));
  for (guint b = 0; b < n_found; b++)
    map[b] = -1;
  for (;;) {
    guint best = 0;
    gint ba = -1, bb = -1;

    for (guint a = 0; a < n_true; a++)
      for (guint b = 0; b < n_found; b++)
        if (!used[a] && map[b] < 0 && overlap[a * n_found + b] > best) {
          best = overlap[a * n_found + b];
          ba = a;
          bb = b;
        }
    if (ba < 0)
      break;
    map[bb] = ba;
    used[ba] = TRUE;
  }

  for (guint f = 0; f < n_frames; f++) {
    gdouble t = (f + 0.5) / 100.0;
    gint a = speaker_at (truth, t), b = speaker_at (found, t);

    if (collar > 0.0 && near_boundary (truth, t, collar))
      continue;
    if (a >= 0)
      total++;
    if (a >= 0 && b < 0)
      missed++;
    else if (a < 0 && b >= 0)
      false_alarm++;
    else if (a >= 0 && b >= 0 && map[b] != a)
      confusion++;
  }
  if (missed_out != NULL)
    *missed_out = total > 0 ? (gdouble)missed / total : 0.0;
  if (false_alarm_out != NULL)
    *false_alarm_out = total > 0 ? (gdouble)false_alarm / total : 0.0;
  if (confusion_out != NULL)
    *confusion_out = total > 0 ? (gdouble)confusion / total : 0.0;
  return total > 0 ? (gdouble)(missed + false_alarm + confusion) / total : 0.0;
}
