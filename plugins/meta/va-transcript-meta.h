/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * VaTranscriptWord:
 * @text: the word as the recognizer's dictionary spells it (lower case,
 *   without pronunciation variant suffixes)
 * @start: stream time where the word starts
 * @end: stream time where the word ends
 * @confidence: posterior probability of the word in 0..1, or -1 when the
 *   recognizer gave none
 */
typedef struct {
  gchar *text;
  GstClockTime start;
  GstClockTime end;
  gdouble confidence;
} VaTranscriptWord;

/**
 * VaTranscriptMeta:
 * @start: stream time where the utterance starts
 * @end: stream time where the utterance ends
 * @text: the words joined by single spaces (may be empty when nothing was
 *   recognized)
 * @words: (element-type VaTranscriptWord): the words with their times;
 *   shared between copies of the meta, so treat it as read-only
 *
 * One recognized utterance from `vaspeech`, attached to the buffer on which
 * the utterance was decoded (its times lie before that buffer). Registered
 * with the audio tag only, so audioconvert and audioresample keep it.
 */
typedef struct {
  GstMeta meta;

  GstClockTime start;
  GstClockTime end;
  gchar *text;
  GArray *words;
} VaTranscriptMeta;

GType va_transcript_meta_api_get_type (void);
const GstMetaInfo *va_transcript_meta_get_info (void);

#define VA_TRANSCRIPT_META_API_TYPE (va_transcript_meta_api_get_type ())
#define VA_TRANSCRIPT_META_INFO (va_transcript_meta_get_info ())

GArray *va_transcript_words_new (void);
void va_transcript_words_append (GArray *words, const gchar *text, GstClockTime start,
                                 GstClockTime end, gdouble confidence);

VaTranscriptMeta *va_buffer_add_transcript_meta (GstBuffer *buffer, GstClockTime start,
                                                 GstClockTime end, GArray *words);

G_END_DECLS
