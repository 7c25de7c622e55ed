/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vascenedetect: cuts at the exact frame, nothing on static or slowly
 * changing content, one cut per fade or dissolve, min-scene-length, formats,
 * messages, and no copy of the frames. */
#include <gst/check/gstharness.h>
#include <gst/gst.h>

#include "va-meta.h"
#include "va-test-video.h"

typedef struct {
  guint64 frame;
  guint scene_index;
  gdouble score;
  VaSceneTransition transition;
} Cut;

/* Pushes @frames (stamped 0, 1, 2, ... at 25 fps) through
 * `vascenedetect @props` and returns the cuts found on the output. */
static GArray *
detect (GPtrArray *frames, const char *format, const char *props)
{
  g_autofree char *desc = g_strdup_printf ("vascenedetect %s", props != NULL ? props : "");
  GstHarness *h = gst_harness_new_parse (desc);
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (Cut));

  gst_harness_set_src_caps (h, va_test_caps (format));
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, i));
    g_autoptr (GstBuffer) out = NULL;
    VaSceneCutMeta *meta;

    va_test_stamp (in, i);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_nonnull (out);
    g_assert_cmpuint (GST_BUFFER_PTS (out), ==, gst_util_uint64_scale (i, GST_SECOND, 25));
    meta = va_buffer_get_scene_cut_meta (out);
    if (meta != NULL) {
      Cut cut = { i, meta->scene_index, meta->score, meta->transition };
      g_array_append_val (cuts, cut);
    }
  }
  gst_harness_teardown (h);
  return cuts;
}

static void
print_cuts (GArray *cuts)
{
  for (guint i = 0; i < cuts->len; i++) {
    Cut *c = &g_array_index (cuts, Cut, i);
    g_test_message ("cut at %" G_GUINT64_FORMAT " (scene %u, %s, score %.1f)", c->frame,
                    c->scene_index, va_scene_transition_to_string (c->transition), c->score);
  }
}

static void
assert_cuts (GArray *cuts, const guint64 *expected, guint n_expected)
{
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++) {
    Cut *c = &g_array_index (cuts, Cut, i);
    g_assert_cmpuint (c->frame, ==, expected[i]);
    g_assert_cmpuint (c->scene_index, ==, i + 1);
    g_assert_cmpint (c->transition, ==, VA_SCENE_TRANSITION_CUT);
    g_assert_cmpfloat (c->score, >=, 30.0);
    g_assert_cmpfloat (c->score, <=, 100.0);
  }
}

/* Concatenates videotestsrc clips of @n frames each. */
static GPtrArray *
patterns (const char *const *list, const char *format, guint n)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);

  for (guint i = 0; list[i] != NULL; i++) {
    g_autoptr (GPtrArray) part = va_test_videotestsrc (list[i], format, n);
    for (guint j = 0; j < part->len; j++)
      g_ptr_array_add (all, gst_buffer_ref (g_ptr_array_index (part, j)));
  }
  return all;
}

static const char *const test_patterns[] = {
  "pattern=smpte",      "pattern=pinwheel",
  "pattern=checkers-8", "pattern=zone-plate kx2=20 ky2=20 kt=1",
  "pattern=ball",       "pattern=gradient",
  "pattern=red",        NULL,
};

static void
test_hard_cuts_exact (void)
{
  g_autoptr (GPtrArray) frames = patterns (test_patterns, "I420", 30);
  g_autoptr (GArray) cuts = detect (frames, "I420", NULL);
  const guint64 expected[] = { 30, 60, 90, 120, 150, 180 };

  assert_cuts (cuts, expected, G_N_ELEMENTS (expected));
}

/* The element reads the planes of each format itself. */
static void
test_formats (gconstpointer data)
{
  const char *format = data;
  const char *const list[] = { "pattern=smpte", "pattern=pinwheel", "pattern=checkers-8", NULL };
  g_autoptr (GPtrArray) frames = patterns (list, format, 30);
  g_autoptr (GArray) cuts = detect (frames, format, NULL);
  const guint64 expected[] = { 30, 60 };

  assert_cuts (cuts, expected, G_N_ELEMENTS (expected));
}

static GPtrArray *
frames_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)gst_buffer_unref);
}

static void
test_static_noise (void)
{
  g_autoptr (VaTestScene) scene = va_test_scene_new (1, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;

  for (guint i = 0; i < 125; i++)
    g_ptr_array_add (frames, va_test_scene_frame (scene, 0, 1.0, 6, rand));
  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 0);
}

static void
test_pan (gconstpointer data)
{
  guint speed = GPOINTER_TO_UINT (data);
  guint n = 125;
  g_autoptr (VaTestScene) scene = va_test_scene_new (2, VA_TEST_WIDTH + speed * n, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (frames, va_test_scene_frame (scene, i * speed, 1.0, 3, rand));
  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 0);
}

/* Light dims to 40 % over two seconds and comes back: no cut. */
static void
test_brightness_ramp (void)
{
  g_autoptr (VaTestScene) scene = va_test_scene_new (3, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;

  for (guint i = 0; i < 150; i++) {
    gdouble t = i < 25 ? 0 : i < 75 ? (i - 25) / 50.0 : i < 125 ? (125 - i) / 50.0 : 0;
    g_ptr_array_add (frames, va_test_scene_frame (scene, 0, 1.0 - 0.6 * t, 3, rand));
  }
  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 0);
}

/* Scene A, fade out over 12 frames, 8 black frames, fade in to scene B over
 * 12 frames: exactly one scene change, on a frame of the fade-in. */
static void
test_fade_through_black (void)
{
  g_autoptr (VaTestScene) a = va_test_scene_new (4, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (VaTestScene) b = va_test_scene_new (5, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (10);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;
  Cut *cut;

  for (guint i = 0; i < 50; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 1.0, 3, rand));
  for (guint i = 1; i <= 12; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 1.0 - i / 12.0, 3, rand));
  for (guint i = 0; i < 8; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 0.0, 3, rand));
  for (guint i = 1; i <= 12; i++)
    g_ptr_array_add (frames, va_test_scene_frame (b, 0, i / 12.0, 3, rand));
  for (guint i = 0; i < 50; i++)
    g_ptr_array_add (frames, va_test_scene_frame (b, 0, 1.0, 3, rand));

  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 1);
  cut = &g_array_index (cuts, Cut, 0);
  g_assert_cmpint (cut->transition, ==, VA_SCENE_TRANSITION_FADE);
  g_assert_cmpuint (cut->frame, >=, 70);
  g_assert_cmpuint (cut->frame, <, 82);
}

/* A clip that fades in from black and out to black again is one scene. */
static void
test_fade_in_and_out (void)
{
  g_autoptr (VaTestScene) a = va_test_scene_new (6, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;

  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 0.0, 3, rand));
  for (guint i = 1; i <= 20; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, i / 20.0, 3, rand));
  for (guint i = 0; i < 60; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 1.0, 3, rand));
  for (guint i = 1; i <= 20; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 1.0 - i / 20.0, 3, rand));
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 0.0, 3, rand));

  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 0);
}

/* A dissolve from A to B over @data frames is one cut, reported when the
 * dissolve completed (on its last frame, pure B, or a few frames later). */
static void
test_dissolve (gconstpointer data)
{
  guint length = GPOINTER_TO_UINT (data);
  g_autoptr (VaTestScene) a = va_test_scene_new (12, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (VaTestScene) b = va_test_scene_new (13, VA_TEST_WIDTH, VA_TEST_HEIGHT);
  g_autoptr (GRand) rand = g_rand_new_with_seed (14);
  g_autoptr (GPtrArray) frames = frames_new ();
  g_autoptr (GArray) cuts = NULL;
  Cut *cut;

  for (guint i = 0; i < 50; i++)
    g_ptr_array_add (frames, va_test_scene_frame (a, 0, 1.0, 3, rand));
  for (guint i = 1; i <= length; i++) {
    g_autoptr (GstBuffer) fa = va_test_scene_frame (a, 0, 1.0, 3, rand);
    g_autoptr (GstBuffer) fb = va_test_scene_frame (b, 0, 1.0, 3, rand);
    g_ptr_array_add (frames, va_test_blend (fa, fb, (gdouble)i / length));
  }
  for (guint i = 0; i < 60; i++)
    g_ptr_array_add (frames, va_test_scene_frame (b, 0, 1.0, 3, rand));

  cuts = detect (frames, "I420", NULL);
  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, ==, 1);
  cut = &g_array_index (cuts, Cut, 0);
  g_assert_cmpint (cut->transition, ==, VA_SCENE_TRANSITION_DISSOLVE);
  /* The last dissolve frame is 50 + length - 1 (pure B). */
  g_assert_cmpuint (cut->frame, >=, 50 + length - 1);
  g_assert_cmpuint (cut->frame, <=, 50 + length + 3);
}

/* Cuts every 10 frames (0.4 s): with min-scene-length 1 s only every third
 * one counts; with 0 all of them. */
static void
test_min_scene_length (void)
{
  const char *const list[] = {
    "pattern=smpte",
    "pattern=pinwheel",
    "pattern=checkers-8",
    "pattern=gradient",
    "pattern=ball",
    "pattern=red",
    "pattern=smpte75",
    "pattern=blue",
    "pattern=zone-plate kx2=20 ky2=20 kt=1",
    "pattern=green",
    NULL,
  };
  g_autoptr (GPtrArray) frames = patterns (list, "I420", 10);
  g_autoptr (GArray) cuts = detect (frames, "I420", NULL);
  g_autoptr (GArray) all = NULL;
  g_autoptr (GArray) half = NULL;
  const guint64 expected_default[] = { 30, 60, 90 };
  const guint64 expected_all[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90 };
  const guint64 expected_half[] = { 20, 40, 60, 80 };

  assert_cuts (cuts, expected_default, G_N_ELEMENTS (expected_default));
  all = detect (frames, "I420", "min-scene-length=0");
  assert_cuts (all, expected_all, G_N_ELEMENTS (expected_all));
  half = detect (frames, "I420", "min-scene-length=0.5");
  assert_cuts (half, expected_half, G_N_ELEMENTS (expected_half));
}

/* Noise that changes every pixel every frame does not cut again and again. */
static void
test_noise_no_storm (void)
{
  const char *const list[] = { "pattern=smpte", "pattern=snow", NULL };
  g_autoptr (GPtrArray) frames = patterns (list, "I420", 75);
  g_autoptr (GArray) cuts = detect (frames, "I420", NULL);

  print_cuts (cuts);
  g_assert_cmpuint (cuts->len, <=, 1);
  if (cuts->len == 1)
    g_assert_cmpuint (g_array_index (cuts, Cut, 0).frame, ==, 75);
}

static void
test_threshold (void)
{
  g_autoptr (GPtrArray) frames = patterns (test_patterns, "I420", 30);
  g_autoptr (GArray) none = detect (frames, "I420", "threshold=100");
  g_autoptr (GArray) hard = detect (frames, "I420", "detect-gradual=false");

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (hard->len, ==, 6);
}

static void
test_messages (void)
{
  const char *const list[] = { "pattern=smpte", "pattern=pinwheel", NULL };
  g_autoptr (GPtrArray) frames = patterns (list, "I420", 30);
  g_autoptr (GstBus) bus = gst_bus_new ();
  GstHarness *h = gst_harness_new ("vascenedetect");
  g_autoptr (GstMessage) msg = NULL;
  const GstStructure *s;
  guint64 u64;
  guint u;
  gdouble d;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps (h, va_test_caps ("I420"));

  /* Off by default. */
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, i));
    va_test_stamp (in, i);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  g_assert_null (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT));

  g_object_set (h->element, "post-messages", TRUE, NULL);
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, i));
    va_test_stamp (in, 60 + i);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  /* Cuts at 60 (pinwheel -> smpte) and 90 (smpte -> pinwheel). */
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  g_assert_nonnull (msg);
  s = gst_message_get_structure (msg);
  g_assert_true (gst_structure_has_name (s, "vascenedetect"));
  g_assert_true (gst_structure_get_uint64 (s, "timestamp", &u64));
  g_assert_cmpuint (u64, ==, 60 * GST_SECOND / 25);
  g_assert_true (gst_structure_get_uint64 (s, "stream-time", &u64));
  g_assert_cmpuint (u64, ==, 60 * GST_SECOND / 25);
  g_assert_true (gst_structure_get_uint64 (s, "running-time", &u64));
  g_assert_true (gst_structure_get_uint64 (s, "duration", &u64));
  g_assert_cmpuint (u64, ==, GST_SECOND / 25);
  g_assert_true (gst_structure_get_uint64 (s, "frame", &u64));
  g_assert_cmpuint (u64, ==, 60);
  g_assert_true (gst_structure_get_uint (s, "scene-index", &u));
  g_assert_cmpuint (u, ==, 2);
  g_assert_true (gst_structure_get_double (s, "score", &d));
  g_assert_cmpfloat (d, >=, 30.0);
  g_assert_cmpstr (gst_structure_get_string (s, "transition"), ==, "cut");
  g_assert_true (gst_structure_get_uint64 (s, "transition-duration", &u64));
  g_assert_cmpuint (u64, ==, 0);
  gst_clear_message (&msg);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  g_assert_nonnull (msg);
  g_assert_true (gst_structure_get_uint64 (gst_message_get_structure (msg), "frame", &u64));
  g_assert_cmpuint (u64, ==, 90);
  gst_clear_message (&msg);
  g_assert_null (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT));

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

/* Only the "video" tag: the meta survives conversion and scaling. */
static void
test_meta_survives_conversion (void)
{
  const char *const list[] = { "pattern=smpte", "pattern=pinwheel", NULL };
  g_autoptr (GPtrArray) frames = patterns (list, "I420", 30);
  GstHarness *h
      = gst_harness_new_parse ("vascenedetect ! videoconvert ! videoscale ! "
                               "capsfilter caps=\"video/x-raw,format=RGBA,width=160,height=120\"");
  guint found = 0;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, i));
    g_autoptr (GstBuffer) out = NULL;
    VaSceneCutMeta *meta;

    va_test_stamp (in, i);
    g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_cmpuint (gst_buffer_get_size (out), ==, 160 * 120 * 4);
    meta = va_buffer_get_scene_cut_meta (out);
    if (meta != NULL) {
      g_assert_cmpuint (i, ==, 30);
      g_assert_cmpuint (meta->scene_index, ==, 1);
      found++;
    }
  }
  g_assert_cmpuint (found, ==, 1);
  gst_harness_teardown (h);
}

/* A frame still referenced upstream (as decoders do) is passed on with the
 * same memory: reading it must not copy it. */
static void
test_no_copy (void)
{
  g_autoptr (GPtrArray) frames = va_test_videotestsrc ("pattern=smpte", "I420", 3);
  GstHarness *h = gst_harness_new ("vascenedetect");

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = g_ptr_array_index (frames, i);
    g_autoptr (GstBuffer) out = NULL;

    va_test_stamp (in, i);
    /* We keep our reference, so the element gets a non-writable buffer. */
    g_assert_cmpint (gst_harness_push (h, gst_buffer_ref (in)), ==, GST_FLOW_OK);
    out = gst_harness_pull (h);
    g_assert_true (gst_buffer_peek_memory (out, 0) == gst_buffer_peek_memory (in, 0));
  }
  gst_harness_teardown (h);
}

static void
test_announce (void)
{
  g_autoptr (GPtrArray) frames = va_test_videotestsrc ("pattern=smpte", "I420", 1);
  GstHarness *h = gst_harness_new ("vascenedetect");
  GstBuffer *in = gst_buffer_copy (g_ptr_array_index (frames, 0));
  g_autoptr (GstEvent) event = NULL;

  gst_harness_set_src_caps (h, va_test_caps ("I420"));
  va_test_stamp (in, 0);
  g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  event = gst_pad_get_sticky_event (h->sinkpad, GST_EVENT_CUSTOM_DOWNSTREAM_STICKY, 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (va_annotation_output_parse_announce_event (event), ==, "scene_detection");
  gst_harness_teardown (h);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vascenedetect/hard-cuts-exact", test_hard_cuts_exact);
  g_test_add_data_func ("/vascenedetect/format/NV12", "NV12", test_formats);
  g_test_add_data_func ("/vascenedetect/format/YUY2", "YUY2", test_formats);
  g_test_add_data_func ("/vascenedetect/format/Y444", "Y444", test_formats);
  g_test_add_data_func ("/vascenedetect/format/AYUV", "AYUV", test_formats);
  g_test_add_data_func ("/vascenedetect/format/RGBx", "RGBx", test_formats);
  g_test_add_data_func ("/vascenedetect/format/BGR", "BGR", test_formats);
  g_test_add_data_func ("/vascenedetect/format/GRAY8", "GRAY8", test_formats);
  g_test_add_data_func ("/vascenedetect/format/I420_10LE", "I420_10LE", test_formats);
  g_test_add_data_func ("/vascenedetect/format/P010_10LE", "P010_10LE", test_formats);
  g_test_add_data_func ("/vascenedetect/format/Y444_12LE", "Y444_12LE", test_formats);
  g_test_add_data_func ("/vascenedetect/format/GRAY16_LE", "GRAY16_LE", test_formats);
  g_test_add_func ("/vascenedetect/static-noise", test_static_noise);
  g_test_add_data_func ("/vascenedetect/pan/slow", GUINT_TO_POINTER (2), test_pan);
  g_test_add_data_func ("/vascenedetect/pan/fast", GUINT_TO_POINTER (8), test_pan);
  g_test_add_func ("/vascenedetect/brightness-ramp", test_brightness_ramp);
  g_test_add_func ("/vascenedetect/fade-through-black", test_fade_through_black);
  g_test_add_func ("/vascenedetect/fade-in-and-out", test_fade_in_and_out);
  g_test_add_data_func ("/vascenedetect/dissolve/short", GUINT_TO_POINTER (10), test_dissolve);
  g_test_add_data_func ("/vascenedetect/dissolve/long", GUINT_TO_POINTER (40), test_dissolve);
  g_test_add_func ("/vascenedetect/min-scene-length", test_min_scene_length);
  g_test_add_func ("/vascenedetect/noise-no-storm", test_noise_no_storm);
  g_test_add_func ("/vascenedetect/threshold", test_threshold);
  g_test_add_func ("/vascenedetect/messages", test_messages);
  g_test_add_func ("/vascenedetect/meta-survives-conversion", test_meta_survives_conversion);
  g_test_add_func ("/vascenedetect/no-copy", test_no_copy);
  g_test_add_func ("/vascenedetect/announce", test_announce);

  return g_test_run ();
}
