/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * VaSceneTransition:
 * @VA_SCENE_TRANSITION_CUT: an abrupt change between two consecutive frames.
 * @VA_SCENE_TRANSITION_FADE: the previous scene went to black (a fade out, or
 *   a cut to black) and this frame is the first one with content again.
 * @VA_SCENE_TRANSITION_DISSOLVE: a gradual change (dissolve, wipe, dip through
 *   a colour) that completed on the previous frame.
 *
 * How the scene that starts on a frame was reached.
 */
typedef enum {
  VA_SCENE_TRANSITION_CUT,
  VA_SCENE_TRANSITION_FADE,
  VA_SCENE_TRANSITION_DISSOLVE,
} VaSceneTransition;

GType va_scene_transition_get_type (void);
#define VA_TYPE_SCENE_TRANSITION (va_scene_transition_get_type ())

const char *va_scene_transition_to_string (VaSceneTransition transition);

/**
 * VaSceneCutMeta:
 * @meta: the parent #GstMeta.
 * @scene_index: index of the scene this frame starts. The first scene of a
 *   stream (index 0) starts without a cut, so the first meta carries 1.
 * @score: the content change that caused the cut, on the same 0–100 scale as
 *   the `threshold` property of `vascenedetect`. For a hard cut it compares
 *   this frame with the previous one; for a fade or a dissolve it compares
 *   this frame with the last frame before the transition.
 * @transition: how the new scene was reached.
 * @transition_duration: for %VA_SCENE_TRANSITION_FADE and
 *   %VA_SCENE_TRANSITION_DISSOLVE, how long the transition lasted before this
 *   frame (black section, or the gradual change); 0 for a hard cut.
 *
 * Attached by `vascenedetect` to the first frame of every new scene. The meta
 * only has the "video" tag and carries no pixel coordinates, so it is copied
 * through conversions and scaling.
 */
typedef struct {
  GstMeta meta;

  guint scene_index;
  gdouble score;
  VaSceneTransition transition;
  GstClockTime transition_duration;
} VaSceneCutMeta;

GType va_scene_cut_meta_api_get_type (void);
#define VA_SCENE_CUT_META_API_TYPE (va_scene_cut_meta_api_get_type ())

const GstMetaInfo *va_scene_cut_meta_get_info (void);
#define VA_SCENE_CUT_META_INFO (va_scene_cut_meta_get_info ())

#define va_buffer_get_scene_cut_meta(b)                                                            \
  ((VaSceneCutMeta *)gst_buffer_get_meta ((b), VA_SCENE_CUT_META_API_TYPE))

VaSceneCutMeta *va_buffer_add_scene_cut_meta (GstBuffer *buffer, guint scene_index, gdouble score,
                                              VaSceneTransition transition,
                                              GstClockTime transition_duration);

G_END_DECLS
