/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vamotion: energy grows with speed and moving area, zero when still,
 * region grid, interval, messages. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>

#include "va-meta.h"
#include "va-test-video.h"

/* Pushes @n frames of a 40 px square moving right by @speed px per frame
 * through `vamotion @props`; returns the mean energy over the frames with a
 * meta and checks that exactly the expected frames had one. */
static gdouble
mean_energy (guint speed, guint n, const char *props, guint interval)
{
  g_autofree char *desc = g_strdup_printf ("vamotion %s", props != NULL ? props : "");
  GstHarness *h = gst_harness_new_parse (desc);
  gdouble sum = 0;
  guint with_meta = 0;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  for (guint i = 0; i < n; i++) {
    GstBuffer *in = va_test_square_frame (20 + i * speed, 100, 40);
    g_autoptr (GstBuffer) out = NULL;
    VaMotionMeta *meta;

    va_test_stamp (in, i);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    meta = va_buffer_get_motion_meta (out);
    /* The first frame has nothing to compare with; then every interval-th. */
    if (i == 0 || i % interval != 0) {
      g_assert_null (meta);
      continue;
    }
    g_assert_nonnull (meta);
    g_assert_cmpuint (meta->interval, ==, interval);
    g_assert_cmpfloat (meta->energy, >=, 0.0);
    g_assert_cmpfloat (meta->energy, <=, 1.0);
    g_assert_cmpfloat (meta->moving_fraction, >=, 0.0);
    g_assert_cmpfloat (meta->moving_fraction, <=, 1.0);
    sum += meta->energy;
    with_meta++;
  }
  gst_harness_teardown (h);
  g_assert_cmpuint (with_meta, ==, (n - 1) / interval);
  return sum / with_meta;
}

static void
test_energy_rises_with_speed (void)
{
  const guint speeds[] = { 0, 1, 2, 4, 8, 16, 32 };
  gdouble prev = -1.0;

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++) {
    gdouble e = mean_energy (speeds[i], 8, NULL, 1);
    g_test_message ("speed %u px/frame: energy %.5f", speeds[i], e);
    if (speeds[i] == 0)
      g_assert_cmpfloat (e, ==, 0.0);
    else
      g_assert_cmpfloat (e, >, prev * 1.3);
    prev = e;
  }
}

/* Energy is the mean luma change / 255: a full-frame change from black to
 * white (studio range 16 -> 235) is (235 - 16) / 255. */
static void
test_energy_scale (void)
{
  g_autoptr (GPtrArray) black = va_test_videotestsrc ("pattern=black", "I420", 1);
  g_autoptr (GPtrArray) white = va_test_videotestsrc ("pattern=white", "I420", 1);
  GstHarness *h = gst_harness_new ("vamotion");
  g_autoptr (GstBuffer) out = NULL;
  GstBuffer *in;
  VaMotionMeta *meta;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  in = gst_buffer_copy (g_ptr_array_index (black, 0));
  va_test_stamp (in, 0);
  gst_harness_push (h, in);
  gst_buffer_unref (gst_harness_pull (h));
  in = gst_buffer_copy (g_ptr_array_index (white, 0));
  va_test_stamp (in, 1);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);
  meta = va_buffer_get_motion_meta (out);
  g_assert_nonnull (meta);
  g_assert_cmpfloat_with_epsilon (meta->energy, (235.0 - 16.0) / 255.0, 0.01);
  g_assert_cmpfloat (meta->moving_fraction, ==, 1.0);
  gst_harness_teardown (h);
}

/* A 3 x 4 grid: only the regions the square crosses move. */
static void
test_grid (void)
{
  GstHarness *h = gst_harness_new_parse ("vamotion grid-rows=3 grid-cols=4");
  g_autoptr (GstBuffer) out = NULL;
  VaMotionMeta *meta;
  GstBuffer *in;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  /* The square moves inside the top-left region (x < 80, y < 80). */
  in = va_test_square_frame (10, 10, 30);
  va_test_stamp (in, 0);
  gst_harness_push (h, in);
  gst_buffer_unref (gst_harness_pull (h));
  in = va_test_square_frame (30, 20, 30);
  va_test_stamp (in, 1);
  gst_harness_push (h, in);
  out = gst_harness_pull (h);

  meta = va_buffer_get_motion_meta (out);
  g_assert_nonnull (meta);
  g_assert_cmpuint (meta->grid_rows, ==, 3);
  g_assert_cmpuint (meta->grid_cols, ==, 4);
  g_assert_nonnull (meta->grid);
  g_assert_cmpfloat (meta->grid[0], >, 0.05);
  for (guint r = 1; r < 12; r++)
    g_assert_cmpfloat (meta->grid[r], ==, 0.0);
  /* The whole-frame energy is the mean of the equal-sized regions. */
  g_assert_cmpfloat_with_epsilon (meta->energy, meta->grid[0] / 12.0, 1e-4);
  gst_harness_teardown (h);
}

static void
test_interval (void)
{
  gdouble every = mean_energy (2, 21, NULL, 1);
  gdouble fifth = mean_energy (2, 21, "interval=5", 5);

  /* Five frames apart the square moved five times as far. */
  g_assert_cmpfloat (fifth, >, 3.0 * every);
}

static void
test_messages (void)
{
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstHarness *h = gst_harness_new_parse ("vamotion grid-rows=2 grid-cols=2 post-messages=true");
  g_autoptr (GstMessage) msg = NULL;
  const GstStructure *s;
  const GValue *grid;
  guint64 u64;
  guint u;
  gdouble energy, fraction;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  for (guint i = 0; i < 3; i++) {
    GstBuffer *in = va_test_square_frame (10 + 5 * i, 10, 40);
    va_test_stamp (in, i);
    gst_harness_push (h, in);
    gst_buffer_unref (gst_harness_pull (h));
  }

  /* Frames 1 and 2. */
  for (guint frame = 1; frame <= 2; frame++) {
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    g_assert_nonnull (msg);
    s = gst_message_get_structure (msg);
    g_assert_true (gst_structure_has_name (s, "vamotion"));
    g_assert_true (gst_structure_get_uint64 (s, "frame", &u64));
    g_assert_cmpuint (u64, ==, frame);
    g_assert_true (gst_structure_get_uint64 (s, "timestamp", &u64));
    g_assert_cmpuint (u64, ==, frame * GST_SECOND / 25);
    g_assert_true (gst_structure_get_uint64 (s, "stream-time", &u64));
    g_assert_true (gst_structure_get_uint64 (s, "running-time", &u64));
    g_assert_true (gst_structure_get_uint64 (s, "duration", &u64));
    g_assert_true (gst_structure_get_double (s, "energy", &energy));
    g_assert_cmpfloat (energy, >, 0.0);
    g_assert_true (gst_structure_get_double (s, "moving-fraction", &fraction));
    g_assert_cmpfloat (fraction, >, 0.0);
    g_assert_true (gst_structure_get_uint (s, "interval", &u));
    g_assert_cmpuint (u, ==, 1);
    g_assert_true (gst_structure_get_uint (s, "grid-rows", &u));
    g_assert_cmpuint (u, ==, 2);
    g_assert_true (gst_structure_get_uint (s, "grid-cols", &u));
    g_assert_cmpuint (u, ==, 2);
    grid = gst_structure_get_value (s, "grid");
    g_assert_true (GST_VALUE_HOLDS_ARRAY (grid));
    g_assert_cmpuint (gst_value_array_get_size (grid), ==, 4);
    g_assert_cmpfloat (g_value_get_double (gst_value_array_get_value (grid, 0)), >, 0.0);
    g_assert_cmpfloat (g_value_get_double (gst_value_array_get_value (grid, 3)), ==, 0.0);
    gst_clear_message (&msg);
  }
  g_assert_null (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT));

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

/* Same motion in other formats gives the same energy (luma is read from the
 * format's own plane layout). */
static void
test_formats (void)
{
  const char *formats[] = { "I420",      "NV12",      "YUY2",    "UYVY",      "Y444",     "GRAY8",
                            "I420_10LE", "P010_10LE", "P016_LE", "I422_12LE", "GRAY16_LE" };
  gdouble reference = -1;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    g_autoptr (GPtrArray) frames = va_test_videotestsrc ("pattern=ball", formats[f], 5);
    GstHarness *h = gst_harness_new ("vamotion");
    gdouble sum = 0;

    gst_harness_set_src_caps (h, va_test_caps (formats[f]));
    for (guint i = 0; i < frames->len; i++) {
      GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, i));
      g_autoptr (GstBuffer) out = NULL;
      VaMotionMeta *meta;

      va_test_stamp (in, i);
      gst_harness_push (h, in);
      out = gst_harness_pull (h);
      meta = va_buffer_get_motion_meta (out);
      if (i > 0)
        sum += meta->energy;
    }
    gst_harness_teardown (h);
    g_test_message ("%s: %.5f", formats[f], sum);
    g_assert_cmpfloat (sum, >, 0.0);
    if (reference < 0)
      reference = sum;
    g_assert_cmpfloat_with_epsilon (sum, reference, reference * 0.05);
  }
}

static void
test_announce (void)
{
  GstHarness *h = gst_harness_new ("vamotion");
  GstBuffer *in = va_test_square_frame (0, 0, 10);
  g_autoptr (GstEvent) event = NULL;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  va_test_stamp (in, 0);
  gst_harness_push (h, in);
  gst_buffer_unref (gst_harness_pull (h));
  event = gst_pad_get_sticky_event (h->sinkpad, GST_EVENT_CUSTOM_DOWNSTREAM_STICKY, 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (va_annotation_output_parse_announce_event (event), ==, "motion_analysis");
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vamotion/energy-rises-with-speed", test_energy_rises_with_speed);
  g_test_add_func ("/vamotion/energy-scale", test_energy_scale);
  g_test_add_func ("/vamotion/grid", test_grid);
  g_test_add_func ("/vamotion/interval", test_interval);
  g_test_add_func ("/vamotion/messages", test_messages);
  g_test_add_func ("/vamotion/formats", test_formats);
  g_test_add_func ("/vamotion/announce", test_announce);

  return g_test_run ();
}
