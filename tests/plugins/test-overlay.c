/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vaoverlay: boxes, scene index and transcript words change the pixels where
 * they are drawn and nowhere else; frames wait for the transcript stream. */
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "va-meta.h"

#define W 320
#define H 240
#define GREY 100

static GstBuffer *
grey_frame (GstClockTime pts)
{
  GstVideoInfo info;
  GstBuffer *buffer;
  GstVideoFrame frame;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, W, H);
  buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_WRITE));
  for (int y = 0; y < H; y++)
    memset ((guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
                + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
            GREY, W);
  for (int p = 1; p < 3; p++)
    for (int y = 0; y < H / 2; y++)
      memset ((guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&frame, p)
                  + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p),
              128, W / 2);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / 25;
  return buffer;
}

/* A W × H map of the luma pixels that differ from the grey input. */
static gboolean *
changed_map (GstBuffer *buffer)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  gboolean *changed = g_new0 (gboolean, W * H);

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, W, H);
  g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ));
  for (int y = 0; y < H; y++) {
    const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
                        + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    for (int x = 0; x < W; x++)
      changed[y * W + x] = ABS (row[x] - GREY) > 8;
  }
  gst_video_frame_unmap (&frame);
  return changed;
}

static guint
count_changed (const gboolean *changed, int x0, int y0, int x1, int y1)
{
  guint n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, H); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, W); x++)
      n += changed[y * W + x];
  return n;
}

static GstHarness *
overlay_harness (GstElement **element_out)
{
  GstElement *overlay = gst_element_factory_make ("vaoverlay", NULL);
  GstHarness *h;

  g_assert_nonnull (overlay);
  h = gst_harness_new_with_element (overlay, "sink", "src");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=320,height=240,framerate=25/1");
  if (element_out != NULL)
    *element_out = overlay;
  gst_object_unref (overlay);
  return h;
}

static void
test_boxes (void)
{
  GstHarness *h = overlay_harness (NULL);
  GstBuffer *in = grey_frame (0), *out;
  GstVideoRegionOfInterestMeta *roi;
  g_autofree gboolean *changed = NULL;
  guint total;

  roi = gst_buffer_add_video_region_of_interest_meta (in, "face", 120, 90, 80, 80);
  roi->id = 3;
  gst_video_region_of_interest_meta_add_param (
      roi, gst_structure_new ("detection", "confidence", G_TYPE_DOUBLE, 0.87, "track-id",
                              G_TYPE_INT, 3, NULL));
  g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  g_assert_nonnull (out);
  changed = changed_map (out);
  total = count_changed (changed, 0, 0, W, H);

  /* the four edges of the box are drawn */
  g_assert_cmpuint (count_changed (changed, 120, 90, 200, 92), >=, 70);
  g_assert_cmpuint (count_changed (changed, 120, 168, 200, 170), >=, 70);
  g_assert_cmpuint (count_changed (changed, 120, 90, 122, 170), >=, 70);
  g_assert_cmpuint (count_changed (changed, 198, 90, 200, 170), >=, 70);
  /* its inside is not */
  g_assert_cmpuint (count_changed (changed, 124, 94, 196, 166), ==, 0);
  /* the label sits just above the box, starting at its left edge */
  g_assert_cmpuint (count_changed (changed, 120, 60, W, 90), >, 100);
  /* nothing else: below the box, left of it, above the label, right of it
   * below the label */
  g_assert_cmpuint (count_changed (changed, 0, 170, W, H), ==, 0);
  g_assert_cmpuint (count_changed (changed, 0, 0, 120, H), ==, 0);
  g_assert_cmpuint (count_changed (changed, 0, 0, W, 60), ==, 0);
  g_assert_cmpuint (count_changed (changed, 200, 90, W, H), ==, 0);
  g_assert_cmpuint (total, ==,
                    count_changed (changed, 120, 90, 200, 170)
                        + count_changed (changed, 120, 60, W, 90));
  gst_buffer_unref (out);

  /* without regions of interest the frame passes untouched */
  gst_harness_push (h, grey_frame (GST_SECOND / 25));
  out = gst_harness_pull (h);
  g_clear_pointer (&changed, g_free);
  changed = changed_map (out);
  g_assert_cmpuint (count_changed (changed, 0, 0, W, H), ==, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_draw_boxes_off (void)
{
  GstElement *overlay;
  GstHarness *h = overlay_harness (&overlay);
  GstBuffer *in = grey_frame (0), *out;
  g_autofree gboolean *changed = NULL;

  g_object_set (overlay, "draw-boxes", FALSE, NULL);
  gst_buffer_add_video_region_of_interest_meta (in, "person", 40, 40, 100, 150);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);
  changed = changed_map (out);
  g_assert_cmpuint (count_changed (changed, 0, 0, W, H), ==, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static void
test_scene_index (void)
{
  GstHarness *h = overlay_harness (NULL);
  GstBuffer *in, *out;
  g_autofree gboolean *first = NULL;
  g_autofree gboolean *second = NULL;

  /* no scene detector upstream: no label */
  gst_harness_push (h, grey_frame (0));
  out = gst_harness_pull (h);
  first = changed_map (out);
  g_assert_cmpuint (count_changed (first, 0, 0, W, H), ==, 0);
  gst_buffer_unref (out);

  /* a cut: the index appears in the top left corner, and only there */
  in = grey_frame (GST_SECOND / 25);
  va_buffer_add_scene_cut_meta (in, 2, 55.0, VA_SCENE_TRANSITION_CUT, 0);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);
  second = changed_map (out);
  g_assert_cmpuint (count_changed (second, 0, 0, 100, 40), >, 50);
  g_assert_cmpuint (count_changed (second, 0, 0, W, H), ==, count_changed (second, 0, 0, 100, 40));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

static GstBuffer *
transcript_buffer (GstClockTime pts, GstClockTime duration, gboolean with_words)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, 320, NULL);

  gst_buffer_memset (buffer, 0, 0, 320);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = duration;
  if (with_words) {
    g_autoptr (GArray) words = va_transcript_words_new ();
    va_transcript_words_append (words, "hello", GST_SECOND / 10, 4 * GST_SECOND / 10, 0.9);
    va_transcript_words_append (words, "world", 5 * GST_SECOND / 10, 8 * GST_SECOND / 10, 0.8);
    va_buffer_add_transcript_meta (buffer, GST_SECOND / 10, 8 * GST_SECOND / 10, words);
  }
  return buffer;
}

static void
test_transcript_words (void)
{
  GstElement *overlay;
  GstHarness *h = overlay_harness (&overlay);
  GstHarness *ht = gst_harness_new_with_element (overlay, "transcript_sink", NULL);
  GstBuffer *out;
  g_autofree gboolean *during = NULL;
  g_autofree gboolean *before = NULL;
  g_autofree gboolean *after = NULL;

  g_object_set (overlay, "transcript-latency", (guint64)GST_SECOND, NULL);
  gst_harness_set_src_caps_str (ht, "audio/x-raw,format=S16LE,rate=16000,channels=1,"
                                    "layout=interleaved");
  /* the utterance arrives on a later audio buffer, as vaspeech sends it */
  gst_harness_push (ht, transcript_buffer (0, GST_SECOND, FALSE));
  gst_harness_push (ht, transcript_buffer (GST_SECOND, GST_SECOND, TRUE));
  gst_harness_push_event (ht, gst_event_new_eos ());

  /* before the first word: nothing */
  gst_harness_push (h, grey_frame (GST_SECOND / 20));
  out = gst_harness_pull (h);
  before = changed_map (out);
  g_assert_cmpuint (count_changed (before, 0, 0, W, H), ==, 0);
  gst_buffer_unref (out);

  /* while "world" is spoken: a line of text at the bottom, nothing above */
  gst_harness_push (h, grey_frame (6 * GST_SECOND / 10));
  out = gst_harness_pull (h);
  during = changed_map (out);
  g_assert_cmpuint (count_changed (during, 0, H * 3 / 4, W, H), >, 150);
  g_assert_cmpuint (count_changed (during, 0, 0, W, H * 3 / 4), ==, 0);
  gst_buffer_unref (out);

  /* long after the utterance: gone */
  gst_harness_push (h, grey_frame (5 * GST_SECOND));
  out = gst_harness_pull (h);
  after = changed_map (out);
  g_assert_cmpuint (count_changed (after, 0, 0, W, H), ==, 0);
  gst_buffer_unref (out);

  gst_harness_teardown (ht);
  gst_harness_teardown (h);
}

static gpointer
push_thread (gpointer data)
{
  GstHarness *h = data;
  return GINT_TO_POINTER (gst_harness_push (h, grey_frame (0)));
}

static void
test_waits_for_transcript (void)
{
  GstElement *overlay;
  GstHarness *h = overlay_harness (&overlay);
  GstHarness *ht = gst_harness_new_with_element (overlay, "transcript_sink", NULL);
  GThread *thread;
  GstBuffer *out;

  g_object_set (overlay, "transcript-latency", (guint64)GST_SECOND, NULL);
  gst_harness_set_src_caps_str (ht, "audio/x-raw,format=S16LE,rate=16000,channels=1,"
                                    "layout=interleaved");
  thread = g_thread_new ("push", push_thread, h);
  /* the transcript stream has not reached 0 + 1 s: the frame is held */
  g_usleep (200 * 1000);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, 0);
  gst_harness_push (ht, transcript_buffer (0, GST_SECOND / 2, FALSE));
  g_usleep (100 * 1000);
  g_assert_cmpuint (gst_harness_buffers_received (h), ==, 0);
  gst_harness_push (ht, transcript_buffer (GST_SECOND / 2, GST_SECOND / 2, FALSE));
  g_assert_cmpint (GPOINTER_TO_INT (g_thread_join (thread)), ==, GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_unref (out);

  /* teardown while a frame waits must not hang */
  thread = g_thread_new ("push", push_thread, h);
  g_usleep (100 * 1000);
  gst_harness_teardown (ht);
  {
    GstFlowReturn ret = GPOINTER_TO_INT (g_thread_join (thread));
    /* unlinked (drawn without words) or stopped (flushing), never stuck */
    g_assert_true (ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING);
  }
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/overlay/boxes", test_boxes);
  g_test_add_func ("/overlay/draw-boxes-off", test_draw_boxes_off);
  g_test_add_func ("/overlay/scene-index", test_scene_index);
  g_test_add_func ("/overlay/transcript-words", test_transcript_words);
  g_test_add_func ("/overlay/waits-for-transcript", test_waits_for_transcript);

  return g_test_run ();
}
