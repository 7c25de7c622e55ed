/* VaTracker on its own: synthetic boxes, no video.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "va-tracker.h"

static VaTrackBox
box (double x, double y, double w, double h)
{
  return (VaTrackBox){ x, y, w, h, 0.9, 0 };
}

/* Updates with the given boxes; returns the ids assigned, in order. */
static GArray *
update (VaTracker *tracker, double t, const VaTrackBox *dets, guint n)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int));

  va_tracker_update (tracker, t, dets, n, out);
  g_assert_cmpuint (out->len, ==, n);
  for (guint i = 0; i < out->len; i++) {
    const VaTrackBox *b = &g_array_index (out, VaTrackBox, i);

    /* The output boxes are the detections themselves. */
    g_assert_cmpfloat (b->x, ==, dets[i].x);
    g_assert_cmpfloat (b->width, ==, dets[i].width);
    g_array_append_val (ids, b->id);
  }
  return ids;
}

static int
update_one (VaTracker *tracker, double t, VaTrackBox det)
{
  g_autoptr (GArray) ids = update (tracker, t, &det, 1);

  return g_array_index (ids, int, 0);
}

/* A box moving 8 px per frame, sampled every 5th frame: one id throughout,
 * and the frames in between get the box where it really is. */
static void
test_stable_id (void)
{
  g_autoptr (VaTracker) tracker = va_tracker_new ();
  int first = -1;

  for (int f = 0; f <= 100; f++) {
    VaTrackBox truth = box (20 + 8.0 * f, 50 + 2.0 * f, 60, 80);

    if (f % 5 == 0) {
      int id = update_one (tracker, f, truth);

      if (first < 0)
        first = id;
      g_assert_cmpint (id, ==, first);
    } else {
      g_autoptr (GArray) pred = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));

      va_tracker_predict (tracker, f, FALSE, pred);
      g_assert_cmpuint (pred->len, ==, 1);
      g_assert_cmpint (g_array_index (pred, VaTrackBox, 0).id, ==, first);
      /* From the second sample on the velocity is known. */
      if (f > 5)
        g_assert_cmpfloat (va_track_box_iou (&g_array_index (pred, VaTrackBox, 0), &truth), >,
                           0.95);
    }
  }
  g_assert_cmpint (first, ==, 1);
  g_assert_cmpuint (va_tracker_get_n_tracks (tracker), ==, 1);
}

/* Missing for max-missed samples keeps the id (the box reappears where the
 * constant-velocity prediction puts it); one sample more ends the track and
 * the object comes back with a new, larger id. */
static void
test_occlusion (void)
{
  g_autoptr (VaTracker) tracker = va_tracker_new ();
  int id, f = 0;

  va_tracker_set_max_missed (tracker, 2);
  id = update_one (tracker, f, box (0, 100, 50, 50));
  for (f = 1; f <= 3; f++)
    g_assert_cmpint (update_one (tracker, f, box (20.0 * f, 100, 50, 50)), ==, id);

  /* Short gap: 2 samples without the object. */
  for (; f <= 5; f++) {
    g_autoptr (GArray) pred = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));

    g_array_unref (update (tracker, f, NULL, 0));
    /* Not reported while unseen, but still searchable. */
    va_tracker_predict (tracker, f + 0.5, FALSE, pred);
    g_assert_cmpuint (pred->len, ==, 0);
    va_tracker_predict (tracker, f + 0.5, TRUE, pred);
    g_assert_cmpuint (pred->len, ==, 1);
  }
  g_assert_cmpint (update_one (tracker, f, box (20.0 * f, 100, 50, 50)), ==, id);
  f++;
  g_assert_cmpint (update_one (tracker, f, box (20.0 * f, 100, 50, 50)), ==, id);
  f++;

  /* Long gap: 3 samples. */
  for (int k = 0; k < 3; k++, f++)
    g_array_unref (update (tracker, f, NULL, 0));
  g_assert_cmpuint (va_tracker_get_n_tracks (tracker), ==, 0);
  g_assert_cmpint (update_one (tracker, f, box (20.0 * f, 100, 50, 50)), ==, id + 1);
}

/* Two people walking towards each other and past each other: each keeps
 * its id, also while one hides the other (only one detection). */
static void
test_crossing (gconstpointer data)
{
  gboolean occluded = GPOINTER_TO_INT (data);
  g_autoptr (VaTracker) tracker = va_tracker_new ();
  int right_id = -1, left_id = -1;

  for (int s = 0; s <= 20; s++) {
    /* Starts 300 px apart, 15 px per sample each: they meet at s = 10. */
    VaTrackBox dets[2] = { box (100 + 15.0 * s, 100, 60, 150), box (400 - 15.0 * s, 108, 60, 150) };
    gboolean hidden = occluded && s >= 9 && s <= 10;
    g_autoptr (GArray) ids = update (tracker, s, dets, hidden ? 1 : 2);

    if (s == 0) {
      right_id = g_array_index (ids, int, 0);
      left_id = g_array_index (ids, int, 1);
      g_assert_cmpint (right_id, !=, left_id);
      continue;
    }
    /* While overlapping, the single visible box may continue either one. */
    if (hidden)
      continue;
    g_assert_cmpint (g_array_index (ids, int, 0), ==, right_id);
    g_assert_cmpint (g_array_index (ids, int, 1), ==, left_id);
  }
  g_assert_cmpuint (va_tracker_get_n_tracks (tracker), ==, 2);
}

/* A new object next to a tracked one gets its own id; ids are never
 * reused, not even after reset. */
static void
test_new_ids (void)
{
  g_autoptr (VaTracker) tracker = va_tracker_new ();
  VaTrackBox two[2] = { box (10, 10, 40, 40), box (200, 10, 40, 40) };
  g_autoptr (GArray) ids = NULL;

  g_assert_cmpint (update_one (tracker, 0, two[0]), ==, 1);
  ids = update (tracker, 1, two, 2);
  g_assert_cmpint (g_array_index (ids, int, 0), ==, 1);
  g_assert_cmpint (g_array_index (ids, int, 1), ==, 2);
  va_tracker_reset (tracker);
  g_assert_cmpuint (va_tracker_get_n_tracks (tracker), ==, 0);
  g_assert_cmpint (update_one (tracker, 2, two[0]), ==, 3);
}

/* Between the first two samples the velocity is unknown: an object that
 * moved half its size (no longer overlapping enough) still continues its
 * track, one that jumped across the frame does not, and neither does a box
 * of very different size at the same place. */
static void
test_gate (void)
{
  g_autoptr (VaTracker) tracker = va_tracker_new ();

  g_assert_cmpint (update_one (tracker, 0, box (100, 100, 40, 40)), ==, 1);
  g_assert_cmpint (update_one (tracker, 1, box (125, 100, 40, 40)), ==, 1);
  g_assert_cmpint (update_one (tracker, 2, box (400, 100, 40, 40)), ==, 2);
  g_assert_cmpint (update_one (tracker, 3, box (380, 80, 120, 120)), ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tracker/stable-id", test_stable_id);
  g_test_add_func ("/tracker/occlusion", test_occlusion);
  g_test_add_data_func ("/tracker/crossing/visible", GINT_TO_POINTER (FALSE), test_crossing);
  g_test_add_data_func ("/tracker/crossing/occluded", GINT_TO_POINTER (TRUE), test_crossing);
  g_test_add_func ("/tracker/new-ids", test_new_ids);
  g_test_add_func ("/tracker/gate", test_gate);
  return g_test_run ();
}
