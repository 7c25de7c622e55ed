/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-shot-detector.h"

#include <math.h>
#include <string.h>

#define LUMA_BINS 16
#define CHROMA_BINS 8
#define HIST_BINS (LUMA_BINS + CHROMA_BINS * CHROMA_BINS)
/* Chroma of real pictures rarely leaves 64..192; binning only that range
 * keeps the bins meaningful for pale colours. */
#define CHROMA_LO 64
#define CHROMA_SPAN 128
#define COARSE_COLS 16
#define COARSE_MAX (COARSE_COLS * COARSE_COLS)

/* A mean absolute change (luma plus half the chroma) of this much, on the
 * 0–255 scale, counts as a complete change of the picture. */
#define PIXEL_DELTA_FULL 64.0
/* Black: enter below this mean/deviation of luma, leave above the second
 * pair (hysteresis, so noise at the boundary does not toggle it). */
#define DARK_ENTER_MEAN 32.0
#define DARK_ENTER_STD 10.0
#define DARK_LEAVE_MEAN 36.0
#define DARK_LEAVE_STD 14.0
/* Below this deviation a coarse luma picture has no structure to correlate. */
#define FLAT_STD 3.0
/* Correlation of coarse luma below which two frames show different things. */
#define STRUCTURE_NCC 0.5
/* Chroma vectors shorter than this are grey; hue further apart than this
 * (radians) is another colour. */
#define GREY_CHROMA 8.0
#define HUE_APART 0.45
/* During a gradual transition the picture's distance to the frame before it
 * grows steadily; a frame that adds less than this share of the average
 * growth per frame ends the transition. */
#define GRADUAL_SETTLE_SHARE 0.3

typedef struct {
  guint64 frame;
  GstClockTime time;
  gfloat hist[HIST_BINS];
  gfloat coarse[COARSE_MAX];
  gfloat coarse_std;
  gfloat mean_y;
  gfloat std_y;
  gfloat mean_u;
  gfloat mean_v;
} Features;

typedef enum {
  STATE_NORMAL,
  STATE_GRADUAL,
  STATE_DARK,
} State;

struct _VaShotDetector {
  guint width;
  guint height;
  guint n;
  guint coarse_cols;
  guint coarse_rows;
  guint8 *coarse_row;   /* coarse row of each sample row */
  guint8 *coarse_col;   /* coarse column of each sample column */
  guint8 luma_bin[256]; /* soft-binning tables, see soft_bin_table() */
  guint16 luma_upper[256];
  guint8 u_bin[256];
  guint8 v_bin[256];
  guint16 v_upper[256];
  gfloat *coarse_weight; /* per coarse cell: 1 / samples in it */

  guint8 *prev_y;
  guint8 *prev_u;
  guint8 *prev_v;

  guint lookback; /* frames a gradual change is measured over */
  Features *ring; /* lookback + 1 slots, indexed by frame number */
  guint8 *ring_y; /* the luma samples of the same frames */

  guint window; /* frames in the running median */
  gfloat *scores;
  gfloat *sorted;
  guint n_scores;

  /* state */
  guint64 frame; /* number of the next frame */
  State state;
  guint64 floor; /* earliest frame usable as a reference */
  GstClockTime scene_start;
  guint scene_index;
  gboolean scene_has_content;
  GstClockTime dark_start;
  Features last_content; /* last frame before black */
  Features anchor;       /* last frame before a gradual change */
  guint8 *anchor_y;
  gdouble gradual_max;  /* largest mean luma distance to the anchor so far */
  guint gradual_growth; /* frames over which it built up */
  guint gradual_frames;
};

/* Soft binning: each sample is split between the two nearest bins (weights
 * in 1/256), so that a value sitting on a bin edge does not make the
 * histogram jump with noise. The split of every 8-bit value is tabulated. */
static void
soft_bin_table (guint bins, guint lo, guint span, guint8 *bin, guint16 *upper)
{
  for (guint value = 0; value < 256; value++) {
    gdouble p = (CLAMP ((gint)value - (gint)lo, 0, (gint)span - 1) * (gdouble)bins / span) - 0.5;
    guint b;

    p = CLAMP (p, 0.0, bins - 1.0);
    b = (guint)p;
    bin[value] = (guint8)b;
    /* The last bin keeps the whole weight. */
    upper[value] = b + 1 < bins ? (guint16)((p - b) * 256.0 + 0.5) : 0;
  }
}

VaShotDetector *
va_shot_detector_new (guint width, guint height, gdouble fps)
{
  VaShotDetector *self = g_new0 (VaShotDetector, 1);
  guint *counts;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (fps <= 0.0)
    fps = 25.0;
  self->width = width;
  self->height = height;
  self->n = width * height;
  self->coarse_cols = MIN (COARSE_COLS, width);
  self->coarse_rows = CLAMP ((guint)(self->coarse_cols * height / (gdouble)width + 0.5), 1,
                             MIN (COARSE_COLS, height));
  self->coarse_row = g_new (guint8, height);
  self->coarse_col = g_new (guint8, width);
  self->coarse_weight = g_new0 (gfloat, COARSE_MAX);
  counts = g_new0 (guint, COARSE_MAX);
  for (guint i = 0; i < height; i++)
    self->coarse_row[i] = (guint8)(i * self->coarse_rows / height);
  for (guint j = 0; j < width; j++)
    self->coarse_col[j] = (guint8)(j * self->coarse_cols / width);
  for (guint i = 0; i < height; i++)
    for (guint j = 0; j < width; j++)
      counts[self->coarse_row[i] * self->coarse_cols + self->coarse_col[j]]++;
  for (guint c = 0; c < COARSE_MAX; c++)
    self->coarse_weight[c] = counts[c] > 0 ? 1.0f / counts[c] : 0.0f;
  g_free (counts);

  soft_bin_table (LUMA_BINS, 0, 256, self->luma_bin, self->luma_upper);
  soft_bin_table (CHROMA_BINS, CHROMA_LO, CHROMA_SPAN, self->v_bin, self->v_upper);
  /* U is binned hard (the 2-D histogram is soft along V only). */
  for (guint value = 0; value < 256; value++)
    self->u_bin[value]
        = (guint8)(CLAMP ((gint)value - CHROMA_LO, 0, CHROMA_SPAN - 1) * CHROMA_BINS / CHROMA_SPAN);

  self->prev_y = g_malloc (self->n);
  self->prev_u = g_malloc (self->n);
  self->prev_v = g_malloc (self->n);

  /* About one second: dissolves up to that length are measured from their
   * first frame; longer ones still register once half of them is over. */
  self->lookback = CLAMP ((guint)(fps + 0.5), 4, 60);
  self->ring = g_new0 (Features, self->lookback + 1);
  self->ring_y = g_malloc0 ((gsize)self->n * (self->lookback + 1));
  self->anchor_y = g_malloc0 (self->n);
  /* About half a second of scores gives the running median. */
  self->window = CLAMP ((guint)(fps / 2 + 0.5), 5, 31);
  self->scores = g_new0 (gfloat, self->window);
  self->sorted = g_new0 (gfloat, self->window);

  va_shot_detector_reset (self);
  return self;
}

void
va_shot_detector_free (VaShotDetector *self)
{
  if (self == NULL)
    return;
  g_free (self->coarse_row);
  g_free (self->coarse_col);
  g_free (self->coarse_weight);
  g_free (self->prev_y);
  g_free (self->prev_u);
  g_free (self->prev_v);
  g_free (self->ring);
  g_free (self->ring_y);
  g_free (self->anchor_y);
  g_free (self->scores);
  g_free (self->sorted);
  g_free (self);
}

/**
 * va_shot_detector_reset:
 *
 * Forgets everything; the next frame starts scene 0 again.
 */
void
va_shot_detector_reset (VaShotDetector *self)
{
  self->frame = 0;
  self->state = STATE_NORMAL;
  self->floor = 0;
  self->scene_start = 0;
  self->scene_index = 0;
  self->scene_has_content = FALSE;
  self->n_scores = 0;
}

static void
compute_features (VaShotDetector *self, const guint8 *y, const guint8 *u, const guint8 *v,
                  Features *f)
{
  /* One spare bin per row takes the (zero) upper share of the last bin. */
  guint32 luma[LUMA_BINS + 1] = { 0 };
  guint32 chroma[CHROMA_BINS * (CHROMA_BINS + 1)] = { 0 };
  guint32 coarse[COARSE_MAX] = { 0 };
  guint64 sum_y = 0, sum_yy = 0, sum_u = 0, sum_v = 0;
  guint nc = self->coarse_cols * self->coarse_rows;
  gdouble total = 256.0 * self->n;
  gdouble cm = 0, cv = 0;
  guint k = 0;

  for (guint i = 0; i < self->height; i++) {
    const guint8 *cmap = self->coarse_col;
    guint32 *crow = coarse + self->coarse_row[i] * self->coarse_cols;

    for (guint j = 0; j < self->width; j++, k++) {
      guint yy = y[k], vv = v[k];
      guint lb = self->luma_bin[yy], lw = self->luma_upper[yy];
      guint cb = self->u_bin[u[k]] * (CHROMA_BINS + 1) + self->v_bin[vv];
      guint cw = self->v_upper[vv];

      luma[lb] += 256 - lw;
      luma[lb + 1] += lw;
      chroma[cb] += 256 - cw;
      chroma[cb + 1] += cw;
      sum_y += yy;
      sum_yy += yy * yy;
      sum_u += u[k];
      sum_v += vv;
      crow[cmap[j]] += yy;
    }
  }

  for (guint b = 0; b < LUMA_BINS; b++)
    f->hist[b] = luma[b] / total;
  for (guint bu = 0; bu < CHROMA_BINS; bu++)
    for (guint bv = 0; bv < CHROMA_BINS; bv++)
      f->hist[LUMA_BINS + bu * CHROMA_BINS + bv] = chroma[bu * (CHROMA_BINS + 1) + bv] / total;

  f->mean_y = (gdouble)sum_y / self->n;
  f->std_y = sqrt (MAX (0.0, (gdouble)sum_yy / self->n - (gdouble)f->mean_y * f->mean_y));
  f->mean_u = (gdouble)sum_u / self->n;
  f->mean_v = (gdouble)sum_v / self->n;

  for (guint c = 0; c < nc; c++) {
    f->coarse[c] = coarse[c] * self->coarse_weight[c];
    cm += f->coarse[c];
  }
  cm /= nc;
  for (guint c = 0; c < nc; c++)
    cv += (f->coarse[c] - cm) * (f->coarse[c] - cm);
  f->coarse_std = sqrt (cv / nc);
}

/* Distance of two frames' colour distributions in [0, 1]: half the L1
 * distance of the luma histogram and of the chroma histogram, averaged. */
static gdouble
hist_distance (const Features *a, const Features *b)
{
  gdouble dl = 0, dc = 0;

  for (guint i = 0; i < LUMA_BINS; i++)
    dl += fabsf (a->hist[i] - b->hist[i]);
  for (guint i = LUMA_BINS; i < HIST_BINS; i++)
    dc += fabsf (a->hist[i] - b->hist[i]);
  return CLAMP ((dl + dc) / 4.0, 0.0, 1.0);
}

/* Whether two frames show different things, as opposed to the same thing
 * brighter or darker: a brightness ramp keeps the coarse luma correlated and
 * the hue of flat frames unchanged. */
static gboolean
structure_changed (VaShotDetector *self, const Features *a, const Features *b)
{
  guint nc = self->coarse_cols * self->coarse_rows;
  gboolean flat_a = a->coarse_std < FLAT_STD;
  gboolean flat_b = b->coarse_std < FLAT_STD;
  gdouble ma = 0, mb = 0, cov = 0;

  if (flat_a && flat_b) {
    gdouble ua = a->mean_u - 128, va = a->mean_v - 128;
    gdouble ub = b->mean_u - 128, vb = b->mean_v - 128;
    gboolean grey_a = hypot (ua, va) < GREY_CHROMA;
    gboolean grey_b = hypot (ub, vb) < GREY_CHROMA;
    gdouble dh;

    if (grey_a || grey_b)
      return grey_a != grey_b;
    dh = fabs (atan2 (va, ua) - atan2 (vb, ub));
    if (dh > G_PI)
      dh = 2 * G_PI - dh;
    return dh > HUE_APART;
  }
  if (flat_a != flat_b)
    return TRUE;

  for (guint c = 0; c < nc; c++) {
    ma += a->coarse[c];
    mb += b->coarse[c];
  }
  ma /= nc;
  mb /= nc;
  for (guint c = 0; c < nc; c++)
    cov += (a->coarse[c] - ma) * (b->coarse[c] - mb);
  cov /= nc;
  return cov / ((gdouble)a->coarse_std * b->coarse_std) < STRUCTURE_NCC;
}

static gboolean
is_dark (const Features *f, gboolean was_dark)
{
  if (was_dark)
    return f->mean_y < DARK_LEAVE_MEAN && f->std_y < DARK_LEAVE_STD;
  return f->mean_y < DARK_ENTER_MEAN && f->std_y < DARK_ENTER_STD;
}

static gdouble
pixel_delta (VaShotDetector *self, const guint8 *y, const guint8 *u, const guint8 *v)
{
  guint64 dy = 0, dc = 0;

  for (guint k = 0; k < self->n; k++) {
    dy += ABS ((gint)y[k] - (gint)self->prev_y[k]);
    dc += ABS ((gint)u[k] - (gint)self->prev_u[k]) + ABS ((gint)v[k] - (gint)self->prev_v[k]);
  }
  return ((gdouble)dy + 0.5 * dc) / self->n;
}

static gdouble
running_median (VaShotDetector *self)
{
  guint n = MIN (self->n_scores, self->window);

  if (n == 0)
    return 0.0;
  memcpy (self->sorted, self->scores, n * sizeof (gfloat));
  for (guint i = 1; i < n; i++) {
    gfloat x = self->sorted[i];
    guint j = i;
    for (; j > 0 && self->sorted[j - 1] > x; j--)
      self->sorted[j] = self->sorted[j - 1];
    self->sorted[j] = x;
  }
  return n % 2 ? self->sorted[n / 2] : 0.5 * (self->sorted[n / 2 - 1] + self->sorted[n / 2]);
}

static Features *
slot (VaShotDetector *self, guint64 frame)
{
  return &self->ring[frame % (self->lookback + 1)];
}

static guint8 *
slot_y (VaShotDetector *self, guint64 frame)
{
  return self->ring_y + (gsize)self->n * (frame % (self->lookback + 1));
}

static gdouble
luma_distance (VaShotDetector *self, const guint8 *a, const guint8 *b)
{
  guint64 sum = 0;

  for (guint k = 0; k < self->n; k++)
    sum += ABS ((gint)a[k] - (gint)b[k]);
  return (gdouble)sum / self->n;
}

static void
start_scene (VaShotDetector *self, const Features *cur, VaShotResult *result, gdouble score,
             VaSceneTransition transition, GstClockTime since)
{
  result->cut = TRUE;
  result->cut_score = CLAMP (score, 0.0, 100.0);
  result->transition = transition;
  result->transition_duration = transition == VA_SCENE_TRANSITION_CUT ? 0 : since;
  self->scene_index++;
  self->scene_start = cur->time;
  self->floor = cur->frame;
  self->state = STATE_NORMAL;
}

/**
 * va_shot_detector_push:
 * @y: (array): luma samples, width × height
 * @u: (array): U samples, width × height
 * @v: (array): V samples, width × height
 * @time: time of the frame; must not decrease
 * @settings: the element's current settings
 * @result: (out caller-allocates): the decision for this frame
 */
void
va_shot_detector_push (VaShotDetector *self, const guint8 *y, const guint8 *u, const guint8 *v,
                       GstClockTime time, const VaShotDetectorSettings *settings,
                       VaShotResult *result)
{
  Features *cur = slot (self, self->frame);
  gboolean long_enough;
  gboolean dark;
  gdouble score, threshold;

  memset (result, 0, sizeof *result);
  cur->frame = self->frame;
  cur->time = time;
  compute_features (self, y, u, v, cur);

  if (self->frame == 0) {
    dark = is_dark (cur, FALSE);
    self->scene_start = time;
    self->scene_has_content = !dark;
    self->state = dark ? STATE_DARK : STATE_NORMAL;
    self->dark_start = time;
    goto done;
  }

  score = 100.0
          * (0.5 * hist_distance (slot (self, self->frame - 1), cur)
             + 0.5 * MIN (1.0, pixel_delta (self, y, u, v) / PIXEL_DELTA_FULL));
  result->score = score;
  long_enough = time >= self->scene_start && time - self->scene_start >= settings->min_scene_length;
  threshold = MAX (settings->threshold, settings->adaptive_ratio * running_median (self));
  dark = is_dark (cur, self->state == STATE_DARK);

  if (self->state == STATE_DARK) {
    if (dark)
      goto done;
    /* First picture after black: the new scene starts here, provided there
     * was a picture before the black. */
    if (self->scene_has_content && long_enough)
      start_scene (self, cur, result, 100.0 * hist_distance (&self->last_content, cur),
                   VA_SCENE_TRANSITION_FADE, time - self->dark_start);
    self->state = STATE_NORMAL;
    self->floor = cur->frame;
    self->scene_has_content = TRUE;
    goto done;
  }

  if (dark) {
    /* Going to black never cuts by itself; coming back does. */
    self->last_content = *slot (self, self->frame - 1);
    self->dark_start = time;
    self->state = STATE_DARK;
    goto done;
  }

  if (score >= threshold && long_enough) {
    start_scene (self, cur, result, score, VA_SCENE_TRANSITION_CUT, 0);
    goto done;
  }

  if (!settings->detect_gradual)
    goto done;

  if (self->state == STATE_NORMAL) {
    guint64 ref = self->frame >= self->lookback ? self->frame - self->lookback : 0;
    const Features *anchor;
    gdouble d;

    ref = MAX (ref, self->floor);
    if (self->frame - ref < 2)
      goto done;
    anchor = slot (self, ref);
    d = hist_distance (anchor, cur);
    if (100.0 * d >= settings->threshold && structure_changed (self, anchor, cur)) {
      self->state = STATE_GRADUAL;
      self->anchor = *anchor;
      memcpy (self->anchor_y, slot_y (self, ref), self->n);
      self->gradual_max = luma_distance (self, y, self->anchor_y);
      self->gradual_growth = (guint)(self->frame - ref);
      self->gradual_frames = 0;
    }
  } else {
    gdouble p = luma_distance (self, y, self->anchor_y);
    gdouble mean_growth = self->gradual_max / MAX (self->gradual_growth, 1);

    self->gradual_frames++;
    if (p > self->gradual_max + GRADUAL_SETTLE_SHARE * mean_growth) {
      self->gradual_max = p;
      self->gradual_growth++;
    } else {
      /* The picture stopped moving away from the frame before the
       * transition: the transition is complete. */
      gdouble d = hist_distance (&self->anchor, cur);

      if (long_enough && 100.0 * d >= settings->threshold
          && structure_changed (self, &self->anchor, cur)) {
        start_scene (self, cur, result, 100.0 * d, VA_SCENE_TRANSITION_DISSOLVE,
                     time - self->anchor.time);
      } else {
        self->state = STATE_NORMAL;
        self->floor = cur->frame;
      }
      goto done;
    }
    if (self->gradual_frames > 4 * self->lookback) {
      /* Still changing after several seconds: a drift (camera move, light
       * change), not a transition. Measure afresh from here. */
      self->state = STATE_NORMAL;
      self->floor = cur->frame;
    }
  }

done:
  if (self->frame > 0) {
    self->scores[self->n_scores % self->window] = (gfloat)result->score;
    self->n_scores++;
  }
  result->scene_index = self->scene_index;
  memcpy (slot_y (self, self->frame), y, self->n);
  memcpy (self->prev_y, y, self->n);
  memcpy (self->prev_u, u, self->n);
  memcpy (self->prev_v, v, self->n);
  self->frame++;
}
