/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-test-video.h"

#include <gst/app/app.h>
#include <string.h>

GstCaps *
va_test_caps (const char *format)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format, "width", G_TYPE_INT,
                              VA_TEST_WIDTH, "height", G_TYPE_INT, VA_TEST_HEIGHT, "framerate",
                              GST_TYPE_FRACTION, VA_TEST_FPS, 1, NULL);
}

void
va_test_info (GstVideoInfo *info)
{
  gst_video_info_set_format (info, GST_VIDEO_FORMAT_I420, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  GST_VIDEO_INFO_FPS_N (info) = VA_TEST_FPS;
  GST_VIDEO_INFO_FPS_D (info) = 1;
}

void
va_test_stamp (GstBuffer *buf, guint64 frame)
{
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (frame, GST_SECOND, VA_TEST_FPS);
  GST_BUFFER_DURATION (buf) = GST_SECOND / VA_TEST_FPS;
  GST_BUFFER_OFFSET (buf) = frame;
}

/**
 * va_test_videotestsrc:
 * @pattern: videotestsrc properties, e.g. "pattern=smpte"
 *
 * Returns: (transfer full): @n_frames buffers in @format at the test size.
 */
GPtrArray *
va_test_videotestsrc (const char *pattern, const char *format, guint n_frames)
{
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc %s num-buffers=%u ! video/x-raw,format=%s,width=%d,height=%d,framerate=%d/1 "
      "! appsink name=sink sync=false",
      pattern, n_frames, format, VA_TEST_WIDTH, VA_TEST_HEIGHT, VA_TEST_FPS);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_autoptr (GstElement) sink = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);
  GstSample *sample;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    /* A deep copy, so the buffers outlive the pipeline's pool. */
    g_ptr_array_add (frames, gst_buffer_copy_deep (gst_sample_get_buffer (sample)));
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (frames->len, ==, n_frames);
  return frames;
}

VaTestScene *
va_test_scene_new (guint seed, guint width, guint height)
{
  VaTestScene *scene = g_new0 (VaTestScene, 1);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint cw = width / 2, ch = height / 2;
  gint base_u = g_rand_int_range (rand, 90, 166);
  gint base_v = g_rand_int_range (rand, 90, 166);

  scene->width = width;
  scene->height = height;
  scene->y = g_malloc (width * height);
  scene->u = g_malloc (cw * ch);
  scene->v = g_malloc (cw * ch);

  /* A gradient background and a few hundred rectangles of random colour:
   * structure at several scales, a stationary colour distribution. */
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      scene->y[y * width + x] = 60 + (x * 40 / width) + (y * 40 / height);
  memset (scene->u, base_u, cw * ch);
  memset (scene->v, base_v, cw * ch);
  for (guint r = 0; r < width * height / 400; r++) {
    guint rw = g_rand_int_range (rand, 6, 40), rh = g_rand_int_range (rand, 6, 40);
    guint x0 = g_rand_int_range (rand, 0, width - rw), y0 = g_rand_int_range (rand, 0, height - rh);
    guint8 yy = g_rand_int_range (rand, 30, 226);
    guint8 uu = CLAMP (base_u + g_rand_int_range (rand, -40, 41), 16, 240);
    guint8 vv = CLAMP (base_v + g_rand_int_range (rand, -40, 41), 16, 240);

    for (guint y = y0; y < y0 + rh; y++)
      memset (scene->y + y * width + x0, yy, rw);
    for (guint y = y0 / 2; y < (y0 + rh) / 2; y++) {
      memset (scene->u + y * cw + x0 / 2, uu, rw / 2);
      memset (scene->v + y * cw + x0 / 2, vv, rw / 2);
    }
  }
  return scene;
}

void
va_test_scene_free (VaTestScene *scene)
{
  if (scene == NULL)
    return;
  g_free (scene->y);
  g_free (scene->u);
  g_free (scene->v);
  g_free (scene);
}

static GstBuffer *
new_frame (GstVideoInfo *info, GstVideoFrame *frame)
{
  GstBuffer *buf;

  va_test_info (info);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  g_assert_true (gst_video_frame_map (frame, info, buf, GST_MAP_WRITE));
  return buf;
}

GstBuffer *
va_test_scene_frame (const VaTestScene *scene, guint offset_x, gdouble gain, guint noise,
                     GRand *rand)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf = new_frame (&info, &frame);
  guint cw = scene->width / 2;

  g_assert_cmpuint (offset_x + VA_TEST_WIDTH, <=, scene->width);
  for (guint y = 0; y < VA_TEST_HEIGHT; y++) {
    guint8 *row
        = GST_VIDEO_FRAME_COMP_DATA (&frame, 0) + y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
    for (guint x = 0; x < VA_TEST_WIDTH; x++) {
      gdouble v = 16 + (scene->y[y * scene->width + offset_x + x] - 16) * gain;
      if (noise > 0)
        v += g_rand_int_range (rand, -(gint)noise, (gint)noise + 1);
      row[x] = (guint8)CLAMP (v + 0.5, 0, 255);
    }
  }
  for (guint c = 1; c < 3; c++) {
    const guint8 *src = c == 1 ? scene->u : scene->v;
    for (guint y = 0; y < VA_TEST_HEIGHT / 2; y++) {
      guint8 *row
          = GST_VIDEO_FRAME_COMP_DATA (&frame, c) + y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, c);
      for (guint x = 0; x < VA_TEST_WIDTH / 2; x++)
        row[x] = (guint8)(128 + (src[y * cw + offset_x / 2 + x] - 128) * gain + 0.5);
    }
  }
  gst_video_frame_unmap (&frame);
  return buf;
}

GstBuffer *
va_test_blend (GstBuffer *a, GstBuffer *b, gdouble alpha)
{
  GstVideoInfo info;
  GstVideoFrame out, fa, fb;
  GstBuffer *buf = new_frame (&info, &out);

  g_assert_true (gst_video_frame_map (&fa, &info, a, GST_MAP_READ));
  g_assert_true (gst_video_frame_map (&fb, &info, b, GST_MAP_READ));
  for (guint c = 0; c < 3; c++) {
    guint w = GST_VIDEO_FRAME_COMP_WIDTH (&out, c), h = GST_VIDEO_FRAME_COMP_HEIGHT (&out, c);
    for (guint y = 0; y < h; y++) {
      const guint8 *ra
          = GST_VIDEO_FRAME_COMP_DATA (&fa, c) + y * GST_VIDEO_FRAME_COMP_STRIDE (&fa, c);
      const guint8 *rb
          = GST_VIDEO_FRAME_COMP_DATA (&fb, c) + y * GST_VIDEO_FRAME_COMP_STRIDE (&fb, c);
      guint8 *ro = GST_VIDEO_FRAME_COMP_DATA (&out, c) + y * GST_VIDEO_FRAME_COMP_STRIDE (&out, c);
      for (guint x = 0; x < w; x++)
        ro[x] = (guint8)((1.0 - alpha) * ra[x] + alpha * rb[x] + 0.5);
    }
  }
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
  gst_video_frame_unmap (&out);
  return buf;
}

GstBuffer *
va_test_square_frame (guint x0, guint y0, guint size)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf = new_frame (&info, &frame);

  for (guint c = 0; c < 3; c++) {
    guint h = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, c);
    for (guint y = 0; y < h; y++)
      memset (GST_VIDEO_FRAME_COMP_DATA (&frame, c) + y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, c),
              c == 0 ? 100 : 128, GST_VIDEO_FRAME_COMP_WIDTH (&frame, c));
  }
  for (guint y = y0; y < MIN (y0 + size, VA_TEST_HEIGHT); y++) {
    guint8 *row
        = GST_VIDEO_FRAME_COMP_DATA (&frame, 0) + y * GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
    for (guint x = x0; x < MIN (x0 + size, VA_TEST_WIDTH); x++)
      row[x] = 235;
  }
  gst_video_frame_unmap (&frame);
  return buf;
}
