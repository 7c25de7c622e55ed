/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-voice-segment-meta.h"

#include <gst/audio/audio.h>

GType
va_voice_segment_meta_api_get_type (void)
{
  static GType type = 0;
  /* Audio tag only: audioconvert/audioresample drop metas carrying any other
   * tag, and the segment times do not depend on the sample layout. */
  static const gchar *tags[] = { GST_META_TAG_AUDIO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("VaVoiceSegmentMetaAPI", tags);

    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
va_voice_segment_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  VaVoiceSegmentMeta *self = (VaVoiceSegmentMeta *)meta;

  self->start = GST_CLOCK_TIME_NONE;
  self->end = GST_CLOCK_TIME_NONE;
  return TRUE;
}

/* Times are absolute stream times, so every transform (copy, conversion,
 * resampling) keeps them unchanged. */
static gboolean
va_voice_segment_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                                 gpointer data)
{
  VaVoiceSegmentMeta *src = (VaVoiceSegmentMeta *)meta;

  return va_buffer_add_voice_segment_meta (dest, src->start, src->end) != NULL;
}

const GstMetaInfo *
va_voice_segment_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **)&info)) {
    const GstMetaInfo *i = gst_meta_register (
        VA_VOICE_SEGMENT_META_API_TYPE, "VaVoiceSegmentMeta", sizeof (VaVoiceSegmentMeta),
        va_voice_segment_meta_init, NULL, va_voice_segment_meta_transform);

    g_once_init_leave ((GstMetaInfo **)&info, (GstMetaInfo *)i);
  }
  return info;
}

/**
 * va_buffer_add_voice_segment_meta:
 *
 * Returns: (transfer none): the new meta
 */
VaVoiceSegmentMeta *
va_buffer_add_voice_segment_meta (GstBuffer *buffer, GstClockTime start, GstClockTime end)
{
  VaVoiceSegmentMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end), NULL);
  g_return_val_if_fail (end >= start, NULL);

  meta = (VaVoiceSegmentMeta *)gst_buffer_add_meta (buffer, VA_VOICE_SEGMENT_META_INFO, NULL);
  meta->start = start;
  meta->end = end;
  return meta;
}

/**
 * va_voice_activity_event_new:
 *
 * Returns: (transfer full): the event announcing that this stream carries
 *   #VaVoiceSegmentMeta
 */
GstEvent *
va_voice_activity_event_new (void)
{
  return gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
                               gst_structure_new_empty (VA_VOICE_ACTIVITY_EVENT_NAME));
}

gboolean
va_event_is_voice_activity (GstEvent *event)
{
  return GST_EVENT_TYPE (event) == GST_EVENT_CUSTOM_DOWNSTREAM_STICKY
         && gst_event_has_name (event, VA_VOICE_ACTIVITY_EVENT_NAME);
}
