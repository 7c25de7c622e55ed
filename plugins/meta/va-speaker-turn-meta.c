/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-speaker-turn-meta.h"

#include <gst/audio/audio.h>

GType
va_speaker_turn_meta_api_get_type (void)
{
  static GType type = 0;
  /* Audio tag only, so audioconvert/audioresample keep the meta. */
  static const gchar *tags[] = { GST_META_TAG_AUDIO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("VaSpeakerTurnMetaAPI", tags);

    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
va_speaker_turn_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  VaSpeakerTurnMeta *self = (VaSpeakerTurnMeta *)meta;

  self->start = GST_CLOCK_TIME_NONE;
  self->end = GST_CLOCK_TIME_NONE;
  self->speaker = 0;
  return TRUE;
}

/* Times are absolute stream times: every transform copies them unchanged. */
static gboolean
va_speaker_turn_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                                gpointer data)
{
  VaSpeakerTurnMeta *src = (VaSpeakerTurnMeta *)meta;

  return va_buffer_add_speaker_turn_meta (dest, src->start, src->end, src->speaker) != NULL;
}

const GstMetaInfo *
va_speaker_turn_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **)&info)) {
    const GstMetaInfo *i = gst_meta_register (VA_SPEAKER_TURN_META_API_TYPE, "VaSpeakerTurnMeta",
                                              sizeof (VaSpeakerTurnMeta), va_speaker_turn_meta_init,
                                              NULL, va_speaker_turn_meta_transform);

    g_once_init_leave ((GstMetaInfo **)&info, (GstMetaInfo *)i);
  }
  return info;
}

/**
 * va_buffer_add_speaker_turn_meta:
 *
 * Returns: (transfer none): the new meta
 */
VaSpeakerTurnMeta *
va_buffer_add_speaker_turn_meta (GstBuffer *buffer, GstClockTime start, GstClockTime end,
                                 guint speaker)
{
  VaSpeakerTurnMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end), NULL);
  g_return_val_if_fail (end >= start, NULL);

  meta = (VaSpeakerTurnMeta *)gst_buffer_add_meta (buffer, VA_SPEAKER_TURN_META_INFO, NULL);
  meta->start = start;
  meta->end = end;
  meta->speaker = speaker;
  return meta;
}

/**
 * va_speaker_turn_meta_format_label:
 *
 * Returns: (transfer full): the RTTM/WebVTT name of a speaker, `SPEAKER_00`
 *   for index 0 (the pyannote convention the old service used)
 */
gchar *
va_speaker_turn_meta_format_label (guint speaker)
{
  return g_strdup_printf ("SPEAKER_%02u", speaker);
}
