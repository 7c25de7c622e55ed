/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-scene-cut-meta.h"

G_DEFINE_ENUM_TYPE (VaSceneTransition, va_scene_transition,
                    G_DEFINE_ENUM_VALUE (VA_SCENE_TRANSITION_CUT, "cut"),
                    G_DEFINE_ENUM_VALUE (VA_SCENE_TRANSITION_FADE, "fade"),
                    G_DEFINE_ENUM_VALUE (VA_SCENE_TRANSITION_DISSOLVE, "dissolve"))

/**
 * va_scene_transition_to_string:
 * @transition: a #VaSceneTransition
 *
 * Returns: the nick used in messages and output files ("cut", "fade",
 *   "dissolve"), or "unknown" for an out-of-range value.
 */
const char *
va_scene_transition_to_string (VaSceneTransition transition)
{
  switch (transition) {
  case VA_SCENE_TRANSITION_CUT:
    return "cut";
  case VA_SCENE_TRANSITION_FADE:
    return "fade";
  case VA_SCENE_TRANSITION_DISSOLVE:
    return "dissolve";
  default:
    return "unknown";
  }
}

GType
va_scene_cut_meta_api_get_type (void)
{
  static GType type = 0;
  static const char *tags[] = { GST_META_TAG_VIDEO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType api = gst_meta_api_type_register ("VaSceneCutMetaAPI", tags);
    g_once_init_leave (&type, api);
  }
  return type;
}

static gboolean
va_scene_cut_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  VaSceneCutMeta *self = (VaSceneCutMeta *)meta;

  self->scene_index = 0;
  self->score = 0.0;
  self->transition = VA_SCENE_TRANSITION_CUT;
  self->transition_duration = 0;
  return TRUE;
}

/* Nothing in the meta depends on pixel positions, so every transform (copy,
 * scale, conversion) keeps it unchanged. */
static gboolean
va_scene_cut_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                             gpointer data)
{
  VaSceneCutMeta *src = (VaSceneCutMeta *)meta;

  return va_buffer_add_scene_cut_meta (dest, src->scene_index, src->score, src->transition,
                                       src->transition_duration)
         != NULL;
}

const GstMetaInfo *
va_scene_cut_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **)&info)) {
    const GstMetaInfo *mi
        = gst_meta_register (VA_SCENE_CUT_META_API_TYPE, "VaSceneCutMeta", sizeof (VaSceneCutMeta),
                             va_scene_cut_meta_init, NULL, va_scene_cut_meta_transform);
    g_once_init_leave ((GstMetaInfo **)&info, (GstMetaInfo *)mi);
  }
  return info;
}

/**
 * va_buffer_add_scene_cut_meta:
 * @buffer: a writable #GstBuffer, the first frame of the new scene
 * @scene_index: index of the scene that starts here (>= 1)
 * @score: content change on the 0–100 scale
 * @transition: how the scene was reached
 * @transition_duration: length of a fade or dissolve, 0 for a hard cut
 *
 * Returns: (transfer none): the added meta.
 */
VaSceneCutMeta *
va_buffer_add_scene_cut_meta (GstBuffer *buffer, guint scene_index, gdouble score,
                              VaSceneTransition transition, GstClockTime transition_duration)
{
  VaSceneCutMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), NULL);

  meta = (VaSceneCutMeta *)gst_buffer_add_meta (buffer, VA_SCENE_CUT_META_INFO, NULL);
  meta->scene_index = scene_index;
  meta->score = score;
  meta->transition = transition;
  meta->transition_duration = transition_duration;
  return meta;
}
