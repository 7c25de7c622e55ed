/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-webvtt-writer.h"

#include "va-output-file.h"

/**
 * va_webvtt_format_time:
 *
 * Returns: (transfer full): @time as `HH:MM:SS.mmm` (rounded to the
 *   millisecond; hours keep two digits at least)
 */
char *
va_webvtt_format_time (GstClockTime time)
{
  guint64 ms = GST_CLOCK_TIME_IS_VALID (time) ? (time + GST_MSECOND / 2) / GST_MSECOND : 0;

  return g_strdup_printf ("%02" G_GUINT64_FORMAT ":%02u:%02u.%03u", ms / 3600000,
                          (guint)(ms / 60000 % 60), (guint)(ms / 1000 % 60), (guint)(ms % 1000));
}

/* Cue text must not contain markup characters or "-->". */
static void
append_escaped (GString *out, const char *text)
{
  for (const char *c = text; *c != '\0'; c++) {
    switch (*c) {
    case '&':
      g_string_append (out, "&amp;");
      break;
    case '<':
      g_string_append (out, "&lt;");
      break;
    case '>':
      g_string_append (out, "&gt;");
      break;
    case '\n':
    case '\r':
      g_string_append_c (out, ' ');
      break;
    default:
      g_string_append_c (out, *c);
      break;
    }
  }
}

typedef struct {
  GString *out;
  guint n_cues;
  GstClockTime start;
  GstClockTime end;
  GString *text;
} CueBuilder;

static void
cue_flush (CueBuilder *b)
{
  g_autofree char *from = NULL, *to = NULL;

  if (b->text->len == 0)
    return;
  /* A cue must end after it starts; a word of under 1 ms gets 1 ms. */
  if (b->end <= b->start)
    b->end = b->start + GST_MSECOND;
  from = va_webvtt_format_time (b->start);
  to = va_webvtt_format_time (b->end);
  g_string_append_printf (b->out, "%u\n%s --> %s\n", ++b->n_cues, from, to);
  g_string_append_len (b->out, b->text->str, b->text->len);
  g_string_append (b->out, "\n\n");
  g_string_truncate (b->text, 0);
}

/**
 * va_webvtt_writer_build:
 * @length: (out) (optional): length of the returned text
 * @n_cues: (out) (optional): number of cues
 *
 * Builds `<stem>_speech_recognition.vtt` (contract §5.2): `WEBVTT`, a blank
 * line, then numbered cues
 *
 *     N
 *     HH:MM:SS.mmm --> HH:MM:SS.mmm
 *     text
 *     (blank line)
 *
 * One cue per recognized utterance, from its first word's start to its last
 * word's end; cues longer than %VA_WEBVTT_MAX_CUE_DURATION continue in a new
 * cue. The text is the words alone: no `<v>` voice tags, which clients of
 * the 1.4 service show literally (speakers are in the RTTM file, matched by
 * time). `&`, `<` and `>` in words are escaped. Without transcripts the file
 * is the header alone, a valid empty WebVTT file.
 *
 * With a provenance in @model, a block `NOTE provenance` holding it as one
 * line of JSON comes before the first cue.
 *
 * Returns: (transfer full): the WebVTT text.
 */
char *
va_webvtt_writer_build (VaAnnotationModel *model, gsize *length, guint *n_cues)
{
  g_autoptr (GString) out = g_string_new ("WEBVTT\n\n");
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *provenance = va_annotation_model_dup_provenance_json (model);
  CueBuilder b = { out, 0, 0, 0, text };
  guint n = va_annotation_model_get_n_transcripts (model);

  /* One line of JSON in a NOTE block, which players and clients skip; a
   * NOTE must not contain "-->", so its ">" is written as a JSON escape. */
  if (provenance != NULL) {
    g_autoptr (GString) note = g_string_new (provenance);

    g_string_replace (note, "-->", "--\\u003e", 0);
    g_string_append_printf (out, "NOTE provenance\n%s\n\n", note->str);
  }

  for (guint t = 0; t < n; t++) {
    const VaTranscriptSegment *seg = va_annotation_model_get_transcript (model, t);
    const VaTranscriptWord *words = va_annotation_model_get_transcript_words (model, t);

    for (guint i = 0; i < seg->n_words; i++) {
      const VaTranscriptWord *w = &words[i];

      if (b.text->len > 0 && w->end > b.start + VA_WEBVTT_MAX_CUE_DURATION)
        cue_flush (&b);
      if (b.text->len == 0) {
        b.start = w->start;
        b.end = w->end;
      } else {
        g_string_append_c (b.text, ' ');
        b.end = MAX (b.end, w->end);
      }
      append_escaped (b.text, w->text);
    }
    cue_flush (&b);
  }

  if (length != NULL)
    *length = out->len;
  if (n_cues != NULL)
    *n_cues = b.n_cues;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * va_webvtt_writer_write:
 * @path: file to write (replaced atomically)
 * @n_cues: (out) (optional): number of cues written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_webvtt_writer_write (VaAnnotationModel *model, const char *path, guint *n_cues, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = va_webvtt_writer_build (model, &length, n_cues);
  return va_output_file_write (path, data, length, error);
}
