/* VaTracker: associates detections on sampled frames with tracks.
 *
 * Each track keeps its last measured box and a constant-velocity estimate of
 * its centre. On a sampled frame, every track is predicted to that time and
 * detections are matched greedily, best pair first: by IoU with the predicted
 * box, or — for objects that moved more than their own size between samples —
 * by a centre-distance gate with similar size (these pairs always rank below
 * IoU pairs). Unmatched detections start tracks with fresh ids (ids are never
 * reused, not even after reset); a track that finds no detection for more than
 * max-missed samples ends. Between samples, va_tracker_predict() extrapolates.
 *
 * Greedy matching rather than an optimal assignment: with the handful of
 * objects a frame holds the two agree except in contrived ties, and greedy
 * keeps the best-overlapping pair together, which is what we want at a
 * crossing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-tracker.h"

#include <math.h>

/* Weight of a new velocity measurement against the running estimate. */
#define VELOCITY_GAIN 0.6
/* Weight of a new box size against the running estimate (damps jitter). */
#define SIZE_GAIN 0.7
/* Centre distance, relative to the predicted box size, under which a
 * non-overlapping detection may still continue a track. */
#define DISTANCE_GATE 0.75
/* Size ratio a detection may differ from the track by and still match. */
#define MAX_SIZE_RATIO 1.6

typedef struct {
  int id;
  double cx, cy, w, h; /* at t_last */
  double vx, vy;       /* px per time unit */
  double t_last;
  double confidence;
  guint hits;
  guint missed;
} Track;

typedef struct {
  guint track;
  guint det;
  double score;
} Pair;

struct _VaTracker {
  GObject parent_instance;

  double iou_threshold;
  guint max_missed;

  GArray *tracks; /* Track */
  int next_id;
};

enum { PROP_0, PROP_IOU_THRESHOLD, PROP_MAX_MISSED, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaTracker, va_tracker, G_TYPE_OBJECT)

double
va_track_box_iou (const VaTrackBox *a, const VaTrackBox *b)
{
  double x0 = MAX (a->x, b->x);
  double y0 = MAX (a->y, b->y);
  double x1 = MIN (a->x + a->width, b->x + b->width);
  double y1 = MIN (a->y + a->height, b->y + b->height);
  double inter, uni;

  if (x1 <= x0 || y1 <= y0)
    return 0.0;
  inter = (x1 - x0) * (y1 - y0);
  uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0.0 ? inter / uni : 0.0;
}

static VaTrackBox
track_box_at (const Track *track, double t)
{
  double dt = t - track->t_last;
  VaTrackBox box = {
    .x = track->cx + track->vx * dt - track->w / 2.0,
    .y = track->cy + track->vy * dt - track->h / 2.0,
    .width = track->w,
    .height = track->h,
    .confidence = track->confidence,
    .id = track->id,
  };
  return box;
}

/* Score of continuing `pred` with `det`: IoU when they overlap enough,
 * otherwise a value below the IoU threshold when the detection is close and
 * of similar size, otherwise 0 (no match). */
static double
match_score (const VaTracker *self, const VaTrackBox *pred, const VaTrackBox *det)
{
  double iou = va_track_box_iou (pred, det);
  double size, dx, dy, dist, ratio;

  if (iou >= self->iou_threshold)
    return iou;

  size = sqrt (pred->width * pred->height);
  ratio = sqrt ((det->width * det->height) / MAX (pred->width * pred->height, 1e-9));
  if (size <= 0.0 || ratio > MAX_SIZE_RATIO || ratio < 1.0 / MAX_SIZE_RATIO)
    return 0.0;
  dx = (det->x + det->width / 2.0) - (pred->x + pred->width / 2.0);
  dy = (det->y + det->height / 2.0) - (pred->y + pred->height / 2.0);
  dist = sqrt (dx * dx + dy * dy) / size;
  if (dist >= DISTANCE_GATE)
    return 0.0;
  /* Strictly below any IoU match, ordered by closeness. */
  return self->iou_threshold * 0.5 * (1.0 - dist / DISTANCE_GATE) + 1e-6;
}

static int
compare_pairs (gconstpointer a, gconstpointer b)
{
  const Pair *pa = a, *pb = b;

  if (pa->score != pb->score)
    return pa->score < pb->score ? 1 : -1;
  /* Deterministic order for equal scores: older tracks first. */
  if (pa->track != pb->track)
    return pa->track < pb->track ? -1 : 1;
  return pa->det < pb->det ? -1 : (pa->det > pb->det);
}

static void
track_correct (Track *track, double t, const VaTrackBox *det)
{
  double cx = det->x + det->width / 2.0;
  double cy = det->y + det->height / 2.0;
  double dt = t - track->t_last;

  if (dt > 0.0) {
    double mvx = (cx - track->cx) / dt;
    double mvy = (cy - track->cy) / dt;

    if (track->hits == 1) {
      track->vx = mvx;
      track->vy = mvy;
    } else {
      track->vx = VELOCITY_GAIN * mvx + (1.0 - VELOCITY_GAIN) * track->vx;
      track->vy = VELOCITY_GAIN * mvy + (1.0 - VELOCITY_GAIN) * track->vy;
    }
  }
  track->cx = cx;
  track->cy = cy;
  track->w = SIZE_GAIN * det->width + (1.0 - SIZE_GAIN) * track->w;
  track->h = SIZE_GAIN * det->height + (1.0 - SIZE_GAIN) * track->h;
  track->t_last = t;
  track->confidence = det->confidence;
  track->hits++;
  track->missed = 0;
}

/**
 * va_tracker_update:
 * @t: time of the sampled frame (any monotonic unit, e.g. frame number)
 * @out: (element-type VaTrackBox): receives the tracks confirmed on this frame,
 *   with ids, in the order of @detections
 *
 * Associates @detections with the live tracks. Every detection ends up in a
 * track, so @out has exactly @n_detections boxes (the detections themselves,
 * carrying track ids).
 */
void
va_tracker_update (VaTracker *self, double t, const VaTrackBox *detections, guint n_detections,
                   GArray *out)
{
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  g_autofree gboolean *track_used = NULL;
  g_autofree int *det_track = NULL;
  guint n_tracks;

  g_return_if_fail (VA_IS_TRACKER (self));
  g_return_if_fail (detections != NULL || n_detections == 0);

  n_tracks = self->tracks->len;
  track_used = g_new0 (gboolean, MAX (n_tracks, 1));
  det_track = g_new (int, MAX (n_detections, 1));
  for (guint j = 0; j < n_detections; j++)
    det_track[j] = -1;

  for (guint i = 0; i < n_tracks; i++) {
    VaTrackBox pred = track_box_at (&g_array_index (self->tracks, Track, i), t);

    for (guint j = 0; j < n_detections; j++) {
      double score = match_score (self, &pred, &detections[j]);

      if (score > 0.0) {
        Pair p = { i, j, score };
        g_array_append_val (pairs, p);
      }
    }
  }
  g_array_sort (pairs, compare_pairs);

  for (guint k = 0; k < pairs->len; k++) {
    const Pair *p = &g_array_index (pairs, Pair, k);

    if (track_used[p->track] || det_track[p->det] >= 0)
      continue;
    track_used[p->track] = TRUE;
    det_track[p->det] = (int)p->track;
  }

  for (guint i = 0; i < n_tracks; i++) {
    Track *track = &g_array_index (self->tracks, Track, i);

    if (!track_used[i])
      track->missed++;
  }
  for (guint j = 0; j < n_detections; j++) {
    if (det_track[j] >= 0) {
      track_correct (&g_array_index (self->tracks, Track, det_track[j]), t, &detections[j]);
    } else {
      Track track = {
        .id = self->next_id++,
        .cx = detections[j].x + detections[j].width / 2.0,
        .cy = detections[j].y + detections[j].height / 2.0,
        .w = detections[j].width,
        .h = detections[j].height,
        .t_last = t,
        .confidence = detections[j].confidence,
        .hits = 1,
      };
      det_track[j] = (int)self->tracks->len;
      g_array_append_val (self->tracks, track);
    }
    if (out != NULL) {
      VaTrackBox box = detections[j];

      box.id = g_array_index (self->tracks, Track, det_track[j]).id;
      g_array_append_val (out, box);
    }
  }

  /* Drop ended tracks last: det_track[] holds indices into the array. */
  for (guint i = self->tracks->len; i > 0; i--) {
    if (g_array_index (self->tracks, Track, i - 1).missed > self->max_missed)
      g_array_remove_index (self->tracks, i - 1);
  }
}

/**
 * va_tracker_predict:
 * @t: time of an unsampled frame
 * @include_coasting: also return tracks that missed their last sample(s)
 * @out: (element-type VaTrackBox): receives the extrapolated boxes
 *
 * Extrapolates the tracks to @t without changing them. Tracks not seen on the
 * last sample ("coasting") are only returned when asked for, e.g. to search
 * for them again; they are not reported as present.
 */
void
va_tracker_predict (VaTracker *self, double t, gboolean include_coasting, GArray *out)
{
  g_return_if_fail (VA_IS_TRACKER (self));
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < self->tracks->len; i++) {
    const Track *track = &g_array_index (self->tracks, Track, i);
    VaTrackBox box;

    if (track->missed > 0 && !include_coasting)
      continue;
    box = track_box_at (track, t);
    g_array_append_val (out, box);
  }
}

/* Forgets all tracks (e.g. after a seek); ids continue to grow. */
void
va_tracker_reset (VaTracker *self)
{
  g_return_if_fail (VA_IS_TRACKER (self));
  g_array_set_size (self->tracks, 0);
}

guint
va_tracker_get_n_tracks (VaTracker *self)
{
  g_return_val_if_fail (VA_IS_TRACKER (self), 0);
  return self->tracks->len;
}

void
va_tracker_set_iou_threshold (VaTracker *self, double threshold)
{
  g_return_if_fail (VA_IS_TRACKER (self));
  g_return_if_fail (threshold > 0.0 && threshold <= 1.0);

  if (self->iou_threshold == threshold)
    return;
  self->iou_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IOU_THRESHOLD]);
}

double
va_tracker_get_iou_threshold (VaTracker *self)
{
  g_return_val_if_fail (VA_IS_TRACKER (self), 0.0);
  return self->iou_threshold;
}

void
va_tracker_set_max_missed (VaTracker *self, guint max_missed)
{
  g_return_if_fail (VA_IS_TRACKER (self));

  if (self->max_missed == max_missed)
    return;
  self->max_missed = max_missed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MISSED]);
}

guint
va_tracker_get_max_missed (VaTracker *self)
{
  g_return_val_if_fail (VA_IS_TRACKER (self), 0);
  return self->max_missed;
}

static void
va_tracker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaTracker *self = VA_TRACKER (object);

  switch (prop_id) {
  case PROP_IOU_THRESHOLD:
    g_value_set_double (value, self->iou_threshold);
    break;
  case PROP_MAX_MISSED:
    g_value_set_uint (value, self->max_missed);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_tracker_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaTracker *self = VA_TRACKER (object);

  switch (prop_id) {
  case PROP_IOU_THRESHOLD:
    va_tracker_set_iou_threshold (self, g_value_get_double (value));
    break;
  case PROP_MAX_MISSED:
    va_tracker_set_max_missed (self, g_value_get_uint (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_tracker_finalize (GObject *object)
{
  VaTracker *self = VA_TRACKER (object);

  g_clear_pointer (&self->tracks, g_array_unref);
  G_OBJECT_CLASS (va_tracker_parent_class)->finalize (object);
}

static void
va_tracker_class_init (VaTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = va_tracker_get_property;
  object_class->set_property = va_tracker_set_property;
  object_class->finalize = va_tracker_finalize;

  properties[PROP_IOU_THRESHOLD] = g_param_spec_double (
      "iou-threshold", "IoU threshold",
      "Minimum overlap between a predicted track box and a detection to continue the track", 0.01,
      1.0, 0.3, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_MISSED] = g_param_spec_uint (
      "max-missed", "Max missed", "Samples a track may go undetected before it ends", 0, G_MAXUINT,
      2, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_tracker_init (VaTracker *self)
{
  self->iou_threshold = 0.3;
  self->max_missed = 2;
  self->tracks = g_array_new (FALSE, FALSE, sizeof (Track));
  self->next_id = 1;
}

VaTracker *
va_tracker_new (void)
{
  return g_object_new (VA_TYPE_TRACKER, NULL);
}
