/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-speech-decoder.h"

#include <gio/gio.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <stdarg.h>

#include "va-transcript-meta.h"

GST_DEBUG_CATEGORY_STATIC (va_speech_decoder_debug);
#define GST_CAT_DEFAULT va_speech_decoder_debug

/* pocketsphinx computes one feature frame every 10 ms (-frate 100). */
#define FRAMES_PER_SECOND 100

struct _VaSpeechDecoder {
  ps_decoder_t *ps;
};

/* sphinxbase prints to stderr unless told otherwise; send its chatter to
 * the GStreamer debug log instead. */
static void
log_sphinx (void *user_data, err_lvl_t level, const char *fmt, ...)
{
  GstDebugLevel gst_level;
  g_autofree gchar *text = NULL;
  va_list args;

  switch (level) {
  case ERR_ERROR:
  case ERR_FATAL:
    gst_level = GST_LEVEL_WARNING;
    break;
  case ERR_WARN:
    gst_level = GST_LEVEL_INFO;
    break;
  default:
    gst_level = GST_LEVEL_LOG;
    break;
  }
  if (gst_level > gst_debug_category_get_threshold (GST_CAT_DEFAULT))
    return;

  va_start (args, fmt);
  text = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_strchomp (text);
  if (*text != '\0')
    GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, gst_level, NULL, "%s", text);
}

static void
init_logging (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (va_speech_decoder_debug, "vaspeechdecoder", 0, "pocketsphinx decoder");
    err_set_callback (log_sphinx, NULL);
    /* The configuration dump at start-up bypasses the callback and goes
     * straight to this stream (stderr by default). */
    err_set_logfp (NULL);
    g_once_init_leave (&done, 1);
  }
}

static gboolean
check_model_path (const gchar *what, const gchar *path, GFileTest test, GError **error)
{
  if (path == NULL || *path == '\0') {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No speech %s path set", what);
    return FALSE;
  }
  if (!g_file_test (path, test)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "Speech %s not found: %s", what, path);
    return FALSE;
  }
  return TRUE;
}

GType
va_speech_search_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VA_SPEECH_SEARCH_ACCURATE, "pocketsphinx's default search", "accurate" },
    { VA_SPEECH_SEARCH_FAST, "narrower search: less CPU time, a few more errors", "fast" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("VaSpeechSearch", values));
  return type;
}

/* The pocketsphinx options of each VaSpeechSearch, as name, value, ….
 * "fast" is the setting chosen from bench/speech-search.sh's table in
 * docs/accuracy.md (word errors against decoding CPU time). */
static const char *const accurate_options[] = { NULL };
/* At most 3000 HMMs active per frame (pocketsphinx: 30000): the same
 * errors on the LibriVox clips, 4 more words wrong out of 160 on the
 * espeak-ng sentences, 18 % fewer instructions on the LibriVox clips and
 * about half the CPU time on the espeak-ng ones, whose worse match keeps
 * more hypotheses alive. */
static const char *const fast_options[] = { "-maxhmmpf", "3000", NULL };

/**
 * va_speech_search_get_options:
 *
 * Returns: the pocketsphinx options (name, value, …, NULL) that @search adds
 *   to pocketsphinx's defaults
 */
const gchar *const *
va_speech_search_get_options (VaSpeechSearch search)
{
  return search == VA_SPEECH_SEARCH_FAST ? fast_options : accurate_options;
}

/**
 * va_speech_decoder_new:
 * @search: the search settings (va_speech_search_get_options())
 *
 * As va_speech_decoder_new_full().
 */
VaSpeechDecoder *
va_speech_decoder_new (const gchar *hmm, const gchar *lm, const gchar *dict, VaSpeechSearch search,
                       GError **error)
{
  return va_speech_decoder_new_full (hmm, lm, dict, va_speech_search_get_options (search), error);
}

/**
 * va_speech_decoder_new_full:
 * @hmm: acoustic model directory
 * @lm: language model file (ARPA or binary)
 * @dict: pronunciation dictionary
 * @options: (nullable): more pocketsphinx options, name, value, …, NULL
 * @error: G_FILE_ERROR_NOENT naming the missing path, or G_IO_ERROR_FAILED
 *   when pocketsphinx rejects the models or the options
 */
VaSpeechDecoder *
va_speech_decoder_new_full (const gchar *hmm, const gchar *lm, const gchar *dict,
                            const gchar *const *options, GError **error)
{
  g_autofree gchar *mdef = NULL;
  g_autoptr (GPtrArray) argv = NULL;
  cmd_ln_t *config;
  ps_decoder_t *ps;
  VaSpeechDecoder *self;

  init_logging ();

  /* pocketsphinx exits the process on some missing files; check first. */
  if (!check_model_path ("acoustic model", hmm, G_FILE_TEST_IS_DIR, error))
    return NULL;
  mdef = g_build_filename (hmm, "mdef", NULL);
  if (!check_model_path ("acoustic model", mdef, G_FILE_TEST_IS_REGULAR, error)
      || !check_model_path ("language model", lm, G_FILE_TEST_IS_REGULAR, error)
      || !check_model_path ("dictionary", dict, G_FILE_TEST_IS_REGULAR, error))
    return NULL;

  /* -remove_silence no: pocketsphinx would otherwise drop the frames its
   * own detector finds silent, and word frames would no longer map to
   * stream time. */
  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "-hmm");
  g_ptr_array_add (argv, (gpointer)hmm);
  g_ptr_array_add (argv, (gpointer) "-lm");
  g_ptr_array_add (argv, (gpointer)lm);
  g_ptr_array_add (argv, (gpointer) "-dict");
  g_ptr_array_add (argv, (gpointer)dict);
  g_ptr_array_add (argv, (gpointer) "-remove_silence");
  g_ptr_array_add (argv, (gpointer) "no");
  g_ptr_array_add (argv, (gpointer) "-samprate");
  g_ptr_array_add (argv, (gpointer) "16000");
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)options[i]);
  config = cmd_ln_parse_r (NULL, ps_args (), argv->len, (char **)argv->pdata, TRUE);
  if (config == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "Could not configure the speech recognizer (unknown or malformed option)");
    return NULL;
  }
  ps = ps_init (config);
  cmd_ln_free_r (config);
  if (ps == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "The speech recognizer rejected its models (%s, %s, %s)", hmm, lm, dict);
    return NULL;
  }

  self = g_new0 (VaSpeechDecoder, 1);
  self->ps = ps;
  return self;
}

void
va_speech_decoder_free (VaSpeechDecoder *self)
{
  if (self == NULL)
    return;
  ps_free (self->ps);
  g_free (self);
}

/* Fillers (<s>, </s>, <sil>, [NOISE], ...) are not words of the transcript. */
static gboolean
is_filler (const gchar *word)
{
  return word[0] == '<' || word[0] == '[' || word[0] == '+';
}

static GstClockTime
frame_to_time (GstClockTime audio_start, int frame)
{
  return audio_start + gst_util_uint64_scale (MAX (frame, 0), GST_SECOND, FRAMES_PER_SECOND);
}

/**
 * va_speech_decoder_decode:
 * @audio_start: stream time of @samples[0]
 *
 * Decodes @samples as one utterance, independently of the ones decoded
 * before (the result depends on @samples alone).
 *
 * Returns: (transfer full) (element-type VaTranscriptWord): the recognized
 *   words in order (possibly none), or NULL with @error set
 */
GArray *
va_speech_decoder_decode (VaSpeechDecoder *self, const gint16 *samples, gsize n_samples,
                          GstClockTime audio_start, GError **error)
{
  g_autoptr (GArray) words = va_transcript_words_new ();
  logmath_t *lmath = ps_get_logmath (self->ps);

  /* A new stream per utterance: pocketsphinx otherwise carries its noise
   * estimate (-remove_noise) from one utterance to the next, and the words
   * found would depend on which utterances this decoder saw before — with
   * several decoders working in parallel, on the scheduling. vaspeech gives each
   * utterance 0.2 s of audio before the speech to estimate the noise from. */
  if (ps_start_stream (self->ps) < 0 || ps_start_utt (self->ps) < 0
      || ps_process_raw (self->ps, samples, n_samples, FALSE, TRUE) < 0
      || ps_end_utt (self->ps) < 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Speech recognition failed");
    return NULL;
  }

  for (ps_seg_t *seg = ps_seg_iter (self->ps); seg != NULL; seg = ps_seg_next (seg)) {
    const gchar *word = ps_seg_word (seg);
    g_autofree gchar *text = NULL;
    gchar *variant;
    int sf, ef;
    int32 ascr, lscr, lback;
    gdouble confidence;

    if (word == NULL || is_filler (word))
      continue;
    /* Alternative pronunciations are spelled "word(2)". */
    text = g_strdup (word);
    variant = strchr (text, '(');
    if (variant != NULL && variant != text)
      *variant = '\0';

    ps_seg_frames (seg, &sf, &ef);
    confidence = CLAMP (logmath_exp (lmath, ps_seg_prob (seg, &ascr, &lscr, &lback)), 0.0, 1.0);
    va_transcript_words_append (words, text, frame_to_time (audio_start, sf),
                                frame_to_time (audio_start, ef + 1), confidence);
  }

  return g_steal_pointer (&words);
}
