/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Generated test video for the element tests: frames from videotestsrc, and
 * synthetic I420 frames (textured scenes, pans, fades, dissolves, moving
 * squares) whose content is known exactly. */

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define VA_TEST_WIDTH 320
#define VA_TEST_HEIGHT 240
#define VA_TEST_FPS 25

GstCaps *va_test_caps (const char *format);
void va_test_info (GstVideoInfo *info);

GPtrArray *va_test_videotestsrc (const char *pattern, const char *format, guint n_frames);

/* A deterministic textured picture of width × height (wider than the frame
 * for pans), seeded by @seed; I420 planes. */
typedef struct {
  guint width;
  guint height;
  guint8 *y;
  guint8 *u;
  guint8 *v;
} VaTestScene;

VaTestScene *va_test_scene_new (guint seed, guint width, guint height);
void va_test_scene_free (VaTestScene *scene);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestScene, va_test_scene_free)

/* An I420 frame showing @scene from column @offset_x, each sample scaled
 * towards black by @gain (1 = unchanged, 0 = black), with uniform luma
 * noise of +/- @noise. */
GstBuffer *va_test_scene_frame (const VaTestScene *scene, guint offset_x, gdouble gain, guint noise,
                                GRand *rand);

/* (1 - alpha) * a + alpha * b, both I420 frames of the test size. */
GstBuffer *va_test_blend (GstBuffer *a, GstBuffer *b, gdouble alpha);

/* Grey background with a white square of @size at (@x, @y). */
GstBuffer *va_test_square_frame (guint x, guint y, guint size);

void va_test_stamp (GstBuffer *buf, guint64 frame);

G_END_DECLS
