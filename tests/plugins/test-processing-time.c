/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every analyser reports the time it spent analysing in its read-only
 * "processing-time" property (nanoseconds), which the job runner turns
 * into each pipeline's processing_time. */
#include <gst/gst.h>

#define VIDEO_SOURCE                                                                               \
  "videotestsrc name=src pattern=ball ! "                                                          \
  "video/x-raw,format=I420,width=320,height=240,framerate=25/1"
#define AUDIO_SOURCE                                                                               \
  "audiotestsrc name=src wave=pink-noise samplesperbuffer=1600 ! "                                 \
  "audio/x-raw,format=S16LE,rate=16000,channels=1,layout=interleaved"

static guint64
processing_time (GstElement *element)
{
  guint64 ns = G_MAXUINT64;

  g_object_get (element, "processing-time", &ns, NULL);
  return ns;
}

/* Runs the pipeline from NULL to EOS; returns the wall-clock time in ns. */
static guint64
run_to_eos (GstElement *pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) message = NULL;
  guint64 start = g_get_monotonic_time ();

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;
    gst_message_parse_error (message, &error, NULL);
    g_error ("pipeline failed: %s", error->message);
  }
  return (g_get_monotonic_time () - start) * GST_USECOND;
}

static void
test_processing_time (gconstpointer data)
{
  const char *factory = data;
  gboolean audio = g_str_equal (factory, "vavad") || g_str_equal (factory, "vaspeech")
                   || g_str_equal (factory, "vadiarize");
  g_autofree char *description = g_strdup_printf ("%s ! %s name=analyser ! fakesink sync=false",
                                                  audio ? AUDIO_SOURCE : VIDEO_SOURCE, factory);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstElement) analyser = NULL;
  g_autoptr (GstElement) src = NULL;
  GParamSpec *pspec;
  guint64 wall, first, second;

  g_assert_no_error (error);
  analyser = gst_bin_get_by_name (GST_BIN (pipeline), "analyser");
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (analyser), "processing-time");
  g_assert_nonnull (pspec);
  g_assert_true (pspec->value_type == G_TYPE_UINT64);
  g_assert_true (pspec->flags & G_PARAM_READABLE);
  g_assert_false (pspec->flags & G_PARAM_WRITABLE);
  g_assert_cmpuint (processing_time (analyser), ==, 0);

  /* 4 s of audio or 12 s of video: measured, and within the time the run
   * took. The detectors analyse a few frames a second and scan the whole
   * frame about once a second, so a short video run could cost about as
   * much as the single cold first frame of the run below. */
  g_object_set (src, "num-buffers", audio ? 40 : 300, NULL);
  wall = run_to_eos (pipeline);
  first = processing_time (analyser);
  g_test_message ("%s: %" G_GUINT64_FORMAT " ns of %" G_GUINT64_FORMAT " ns", factory, first, wall);
  g_assert_cmpuint (first, >, 0);
  g_assert_cmpuint (first, <=, wall);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  /* still readable after the run, for whoever collects it */
  g_assert_cmpuint (processing_time (analyser), ==, first);

  /* a new run starts from zero: one buffer costs less than a hundred */
  g_object_set (src, "num-buffers", 1, NULL);
  run_to_eos (pipeline);
  second = processing_time (analyser);
  g_assert_cmpuint (second, >, 0);
  g_assert_cmpuint (second, <, first);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int argc, char **argv)
{
  static const char *const analysers[]
      = { "vascenedetect", "vamotion", "vafacedetect", "vapersondetect",
          "vavad",         "vaspeech", "vadiarize" };

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (analysers); i++) {
    g_autofree char *path = g_strdup_printf ("/processing-time/%s", analysers[i]);
    g_test_add_data_func (path, analysers[i], test_processing_time);
  }
  return g_test_run ();
}
