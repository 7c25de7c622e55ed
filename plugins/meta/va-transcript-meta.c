/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-transcript-meta.h"

#include <gst/audio/audio.h>

GType
va_transcript_meta_api_get_type (void)
{
  static GType type = 0;
  /* Audio tag only, so audioconvert/audioresample keep the meta. */
  static const gchar *tags[] = { GST_META_TAG_AUDIO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("VaTranscriptMetaAPI", tags);

    g_once_init_leave (&type, t);
  }
  return type;
}

static void
clear_word (gpointer data)
{
  VaTranscriptWord *word = data;

  g_clear_pointer (&word->text, g_free);
}

/**
 * va_transcript_words_new:
 *
 * Returns: (transfer full) (element-type VaTranscriptWord): an empty word
 *   array that frees its strings
 */
GArray *
va_transcript_words_new (void)
{
  GArray *words = g_array_new (FALSE, TRUE, sizeof (VaTranscriptWord));

  g_array_set_clear_func (words, clear_word);
  return words;
}

void
va_transcript_words_append (GArray *words, const gchar *text, GstClockTime start, GstClockTime end,
                            gdouble confidence)
{
  VaTranscriptWord word = { g_strdup (text), start, end, confidence };

  g_array_append_val (words, word);
}

static gboolean
va_transcript_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  VaTranscriptMeta *self = (VaTranscriptMeta *)meta;

  self->start = GST_CLOCK_TIME_NONE;
  self->end = GST_CLOCK_TIME_NONE;
  self->text = NULL;
  self->words = NULL;
  return TRUE;
}

static void
va_transcript_meta_free (GstMeta *meta, GstBuffer *buffer)
{
  VaTranscriptMeta *self = (VaTranscriptMeta *)meta;

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->words, g_array_unref);
}

/* Times are absolute stream times: every transform copies the meta; the
 * word array is immutable once attached, so copies share it. */
static gboolean
va_transcript_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                              gpointer data)
{
  VaTranscriptMeta *src = (VaTranscriptMeta *)meta;

  return va_buffer_add_transcript_meta (dest, src->start, src->end, src->words) != NULL;
}

const GstMetaInfo *
va_transcript_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **)&info)) {
    const GstMetaInfo *i = gst_meta_register (
        VA_TRANSCRIPT_META_API_TYPE, "VaTranscriptMeta", sizeof (VaTranscriptMeta),
        va_transcript_meta_init, va_transcript_meta_free, va_transcript_meta_transform);

    g_once_init_leave ((GstMetaInfo **)&info, (GstMetaInfo *)i);
  }
  return info;
}

/**
 * va_buffer_add_transcript_meta:
 * @words: (element-type VaTranscriptWord) (transfer none): from
 *   va_transcript_words_new(); the meta takes a reference, do not change the
 *   array afterwards
 *
 * Returns: (transfer none): the new meta, its text built from @words
 */
VaTranscriptMeta *
va_buffer_add_transcript_meta (GstBuffer *buffer, GstClockTime start, GstClockTime end,
                               GArray *words)
{
  VaTranscriptMeta *meta;
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end), NULL);
  g_return_val_if_fail (end >= start, NULL);
  g_return_val_if_fail (words != NULL, NULL);

  for (guint i = 0; i < words->len; i++) {
    if (i > 0)
      g_string_append_c (text, ' ');
    g_string_append (text, g_array_index (words, VaTranscriptWord, i).text);
  }

  meta = (VaTranscriptMeta *)gst_buffer_add_meta (buffer, VA_TRANSCRIPT_META_INFO, NULL);
  meta->start = start;
  meta->end = end;
  meta->text = g_string_free (g_steal_pointer (&text), FALSE);
  meta->words = g_array_ref (words);
  return meta;
}
