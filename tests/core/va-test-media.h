/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

/* Small media files made on the fly with GStreamer, so tests need no
 * binary fixtures. */

/* Runs a gst-launch style description with a filesink named "sink" that
 * writes @path, to EOS. */
static inline void
va_test_media_run (const char *description, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_nonnull (sink);
  g_object_set (sink, "location", path, NULL);

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) gst_error = NULL;
    gst_message_parse_error (message, &gst_error, NULL);
    g_error ("cannot make test media %s: %s", path, gst_error->message);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* An MP4 (H.264, 160×120 at 10 fps) with a moving ball: @frames frames.
 * MP4 keeps its index at the end, so cutting the file makes it
 * undecodable — exactly what a truncated upload looks like. */
static inline void
va_test_media_make_video (const char *path, guint frames)
{
  g_autofree char *description
      = g_strdup_printf ("videotestsrc num-buffers=%u pattern=ball ! "
                         "video/x-raw,width=160,height=120,framerate=10/1 ! videoconvert ! "
                         "x264enc speed-preset=ultrafast key-int-max=10 ! h264parse ! mp4mux ! "
                         "filesink name=sink",
                         frames);
  va_test_media_run (description, path);
}

/* One JPEG picture: media to GStreamer, but not audio or video. */
static inline void
va_test_media_make_jpeg (const char *path)
{
  va_test_media_run ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! jpegenc ! "
                     "filesink name=sink",
                     path);
}

/* Writes the first @fraction of @source to @dest. */
static inline void
va_test_media_truncate_copy (const char *source, const char *dest, double fraction)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (source, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (dest, contents, (gssize)(length * fraction), &error));
  g_assert_no_error (error);
}
