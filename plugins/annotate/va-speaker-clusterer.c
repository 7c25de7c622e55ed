/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-speaker-clusterer.h"

#include <math.h>
#include <string.h>

#include "va-speaker-refiner.h"

/* A covariance needs clearly more vectors than dimensions to be estimated;
 * smaller windows are labelled after clustering instead of taking part. */
#define MIN_VECTORS_PER_DIM 3

typedef struct {
  guint n;
  gdouble *sum;     /* dim */
  gdouble *scatter; /* dim x dim, sum of x x^T */
  gdouble n_logdet; /* n * log det(covariance), cached */
  gboolean continues_previous;
  gboolean small;
  guint first_frame; /* the window's frames in the clusterer's frames */
  guint n_frames;
} Stats;

struct _VaSpeakerClusterer {
  guint dim;
  gdouble penalty;
  GArray *windows;  /* Stats */
  gdouble *scratch; /* dim x dim */
  GArray *frames;   /* gdouble, dim per frame, every frame of every segment */
  GArray *loud;     /* guint8 per frame: taken into speaker statistics */
  GArray *segments; /* guint pairs: first frame, number of frames */
};

static void
stats_clear (gpointer data)
{
  Stats *s = data;

  g_free (s->sum);
  g_free (s->scatter);
}

/**
 * va_speaker_clusterer_new:
 * @dim: length of each feature vector
 * @penalty: weight of the model-size term of the BIC; larger values merge
 *   more readily (fewer speakers)
 */
VaSpeakerClusterer *
va_speaker_clusterer_new (guint dim, gdouble penalty)
{
  VaSpeakerClusterer *self;

  g_return_val_if_fail (dim > 0, NULL);

  self = g_new0 (VaSpeakerClusterer, 1);
  self->dim = dim;
  self->penalty = penalty;
  self->windows = g_array_new (FALSE, TRUE, sizeof (Stats));
  g_array_set_clear_func (self->windows, stats_clear);
  self->scratch = g_new (gdouble, dim * dim);
  self->frames = g_array_new (FALSE, FALSE, sizeof (gdouble));
  self->loud = g_array_new (FALSE, FALSE, sizeof (guint8));
  self->segments = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
}

void
va_speaker_clusterer_free (VaSpeakerClusterer *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->windows);
  g_array_unref (self->frames);
  g_array_unref (self->loud);
  g_array_unref (self->segments);
  g_free (self->scratch);
  g_free (self);
}

guint
va_speaker_clusterer_get_n_frames (VaSpeakerClusterer *self)
{
  return self->loud->len;
}

/* n * log det of the covariance of @s (lightly regularised so that
 * degenerate windows, e.g. digital silence, stay finite). */
static gdouble
n_logdet (VaSpeakerClusterer *self, guint n, const gdouble *sum, const gdouble *scatter)
{
  guint d = self->dim;
  gdouble *a = self->scratch;
  gdouble trace = 0.0, ridge, logdet = 0.0;

  if (n == 0)
    return 0.0;

  for (guint i = 0; i < d; i++)
    for (guint j = 0; j < d; j++)
      a[i * d + j] = scatter[i * d + j] / n - (sum[i] / n) * (sum[j] / n);
  for (guint i = 0; i < d; i++)
    trace += a[i * d + i];
  ridge = 1e-4 * MAX (trace, 0.0) / d + 1e-8;
  for (guint i = 0; i < d; i++)
    a[i * d + i] += ridge;

  /* Cholesky: log det = 2 sum log L_ii. */
  for (guint j = 0; j < d; j++) {
    gdouble diag = a[j * d + j];

    for (guint k = 0; k < j; k++)
      diag -= a[j * d + k] * a[j * d + k];
    if (diag <= ridge * 1e-3)
      diag = ridge * 1e-3;
    diag = sqrt (diag);
    a[j * d + j] = diag;
    logdet += 2.0 * log (diag);
    for (guint i = j + 1; i < d; i++) {
      gdouble v = a[i * d + j];

      for (guint k = 0; k < j; k++)
        v -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = v / diag;
    }
  }

  return n * logdet;
}

/* Statistics of the loud frames among @n_frames from @first_frame. */
static void
add_window (VaSpeakerClusterer *self, guint first_frame, guint n_frames,
            gboolean continues_previous)
{
  guint d = self->dim;
  Stats s = { 0 };

  s.sum = g_new0 (gdouble, d);
  s.scatter = g_new0 (gdouble, d * d);
  for (guint f = first_frame; f < first_frame + n_frames; f++) {
    const gdouble *x = &g_array_index (self->frames, gdouble, (gsize)f * d);

    if (!g_array_index (self->loud, guint8, f))
      continue;
    s.n++;
    for (guint i = 0; i < d; i++) {
      s.sum[i] += x[i];
      for (guint j = 0; j < d; j++)
        s.scatter[i * d + j] += x[i] * x[j];
    }
  }
  s.n_logdet = n_logdet (self, s.n, s.sum, s.scatter);
  s.continues_previous = continues_previous && self->windows->len > 0;
  s.small = s.n < MIN_VECTORS_PER_DIM * d;
  s.first_frame = first_frame;
  s.n_frames = n_frames;
  g_array_append_val (self->windows, s);
}

/**
 * va_speaker_clusterer_add_segment:
 * @frames: @n_frames feature vectors of length dim, one every 10 ms, of one
 *   voice segment
 * @loud: for each frame, whether it is speech rather than a pause inside
 *   the segment; only loud frames describe the speaker
 * @frames_per_window: the length of the pieces the segment is first cut
 *   into
 */
void
va_speaker_clusterer_add_segment (VaSpeakerClusterer *self, const gdouble *frames,
                                  const gboolean *loud, guint n_frames, guint frames_per_window)
{
  guint first = self->loud->len, n_windows;
  guint segment[2] = { first, n_frames };

  if (n_frames == 0)
    return;
  g_array_append_vals (self->frames, frames, (gsize)n_frames * self->dim);
  for (guint f = 0; f < n_frames; f++) {
    guint8 v = loud[f] ? 1 : 0;

    g_array_append_val (self->loud, v);
  }
  g_array_append_vals (self->segments, segment, 2);

  frames_per_window = MAX (frames_per_window, 1u);
  n_windows = MAX (1u, (n_frames + frames_per_window / 2) / frames_per_window);
  for (guint w = 0; w < n_windows; w++) {
    guint a = (guint)((guint64)n_frames * w / n_windows);
    guint b = (guint)((guint64)n_frames * (w + 1) / n_windows);

    add_window (self, first + a, b - a, w > 0);
  }
}

/* A cluster under construction: the union of some windows. */
typedef struct {
  guint n;
  gdouble *sum;
  gdouble *scatter;
  gdouble n_logdet;
  gboolean active;
} Cluster;

static void
cluster_init (VaSpeakerClusterer *self, Cluster *c, const Stats *s)
{
  guint d = self->dim;

  c->n = s->n;
  c->sum = g_memdup2 (s->sum, d * sizeof (gdouble));
  c->scatter = g_memdup2 (s->scatter, d * d * sizeof (gdouble));
  c->n_logdet = s->n_logdet;
  c->active = TRUE;
}

static void
cluster_clear (Cluster *c)
{
  g_clear_pointer (&c->sum, g_free);
  g_clear_pointer (&c->scatter, g_free);
  c->active = FALSE;
}

/* BIC difference between modelling @a and @b together and apart (n =
 * frames, P = parameters of one Gaussian). Negative: one speaker. */
static gdouble
delta_bic (VaSpeakerClusterer *self, guint na, const gdouble *suma, const gdouble *scattera,
           gdouble nlda, guint nb, const gdouble *sumb, const gdouble *scatterb, gdouble nldb)
{
  guint d = self->dim;
  guint n = na + nb;
  g_autofree gdouble *sum = g_new (gdouble, d);
  g_autofree gdouble *scatter = g_new (gdouble, d * d);
  gdouble params = d + d * (d + 1) / 2.0;

  for (guint i = 0; i < d; i++)
    sum[i] = suma[i] + sumb[i];
  for (guint i = 0; i < d * d; i++)
    scatter[i] = scattera[i] + scatterb[i];

  return 0.5 * (n_logdet (self, n, sum, scatter) - nlda - nldb)
         - self->penalty * 0.5 * params * log ((gdouble)n);
}

static gdouble
cluster_delta_bic (VaSpeakerClusterer *self, const Cluster *a, const Cluster *b)
{
  return delta_bic (self, a->n, a->sum, a->scatter, a->n_logdet, b->n, b->sum, b->scatter,
                    b->n_logdet);
}

static void
cluster_merge (VaSpeakerClusterer *self, Cluster *into, Cluster *from)
{
  guint d = self->dim;

  into->n += from->n;
  for (guint i = 0; i < d; i++)
    into->sum[i] += from->sum[i];
  for (guint i = 0; i < d * d; i++)
    into->scatter[i] += from->scatter[i];
  into->n_logdet = n_logdet (self, into->n, into->sum, into->scatter);
  cluster_clear (from);
}

/* Condensed symmetric matrix index, i != j. */
static inline gsize
pair_index (guint n, guint i, guint j)
{
  if (i > j) {
    guint t = i;

    i = j;
    j = t;
  }
  return (gsize)i * n - (gsize)i * (i + 1) / 2 + (j - i - 1);
}

typedef struct {
  VaSpeakerClusterer *self;
  Cluster *clusters;
  guint *parent;
  guint n;
  gfloat *dist;
  gfloat *row_min;
  guint *row_arg;
} Agglo;

static void
agglo_update_row (Agglo *ag, guint i)
{
  ag->row_min[i] = G_MAXFLOAT;
  ag->row_arg[i] = G_MAXUINT;
  for (guint j = 0; j < ag->n; j++) {
    gfloat v;

    if (j == i || !ag->clusters[j].active)
      continue;
    v = ag->dist[pair_index (ag->n, i, j)];
    if (v < ag->row_min[i]) {
      ag->row_min[i] = v;
      ag->row_arg[i] = j;
    }
  }
}

/* Merges clusters bottom-up until the BIC stops preferring merges (or the
 * bounds say otherwise). Returns the number of clusters left. */
static guint
agglomerate (VaSpeakerClusterer *self, Cluster *clusters, guint *parent, guint n, guint min_k,
             guint max_k)
{
  Agglo ag = { self, clusters, parent, n, NULL, NULL, NULL };
  guint active = 0;

  for (guint i = 0; i < n; i++)
    active += clusters[i].active ? 1 : 0;
  if (active <= 1)
    return active;

  ag.dist = g_new (gfloat, (gsize)n * (n - 1) / 2);
  ag.row_min = g_new (gfloat, n);
  ag.row_arg = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      ag.dist[pair_index (n, i, j)]
          = clusters[i].active && clusters[j].active
                ? (gfloat)cluster_delta_bic (self, &clusters[i], &clusters[j])
                : G_MAXFLOAT;
  for (guint i = 0; i < n; i++)
    if (clusters[i].active)
      agglo_update_row (&ag, i);

  while (active > MAX (min_k, 1u)) {
    guint best = G_MAXUINT;
    gfloat best_v = G_MAXFLOAT;
    guint a, b;

    for (guint i = 0; i < n; i++) {
      if (clusters[i].active && ag.row_arg[i] != G_MAXUINT && ag.row_min[i] < best_v) {
        best_v = ag.row_min[i];
        best = i;
      }
    }
    if (best == G_MAXUINT || (best_v >= 0.0f && active <= max_k))
      break;

    a = best;
    b = ag.row_arg[best];
    cluster_merge (self, &clusters[a], &clusters[b]);
    parent[b] = a;
    active--;

    for (guint k = 0; k < n; k++) {
      if (k == a || !clusters[k].active)
        continue;
      ag.dist[pair_index (n, a, k)] = (gfloat)cluster_delta_bic (self, &clusters[a], &clusters[k]);
    }
    for (guint k = 0; k < n; k++) {
      gfloat v;

      if (!clusters[k].active)
        continue;
      if (k == a || ag.row_arg[k] == a || ag.row_arg[k] == b) {
        agglo_update_row (&ag, k);
        continue;
      }
      v = ag.dist[pair_index (n, a, k)];
      if (v < ag.row_min[k]) {
        ag.row_min[k] = v;
        ag.row_arg[k] = a;
      }
    }
  }

  g_free (ag.dist);
  g_free (ag.row_min);
  g_free (ag.row_arg);
  return active;
}

/* The classic first pass: one full-covariance Gaussian per window and
 * bottom-up merging while the BIC prefers it. One label per window. */
static guint
bic_clustering (VaSpeakerClusterer *self, guint min_speakers, guint max_speakers, guint *labels)
{
  guint n = self->windows->len;
  Stats *w = (Stats *)self->windows->data;
  g_autofree Cluster *pieces = NULL;
  g_autofree guint *piece_of = NULL;
  g_autofree guint *parent = NULL;
  g_autofree guint *root_label = NULL;
  guint n_pieces = 0, n_speakers = 0;

  if (n == 0)
    return 0;

  /* Stage 1: within a voice segment, a window joins the piece before it
   * when the BIC says it shares the speaker of the window before it; long
   * turns become one piece. */
  pieces = g_new0 (Cluster, n);
  piece_of = g_new (guint, n);
  for (guint i = 0; i < n; i++) {
    if (w[i].small) {
      piece_of[i] = G_MAXUINT;
      continue;
    }
    /* Compare with the previous window rather than the growing piece: a
     * long piece has a broad model that would swallow the next voice. */
    if (w[i].continues_previous && n_pieces > 0 && i > 0 && piece_of[i - 1] == n_pieces - 1
        && delta_bic (self, w[i - 1].n, w[i - 1].sum, w[i - 1].scatter, w[i - 1].n_logdet, w[i].n,
                      w[i].sum, w[i].scatter, w[i].n_logdet)
               < 0.0) {
      Cluster tmp;

      cluster_init (self, &tmp, &w[i]);
      cluster_merge (self, &pieces[n_pieces - 1], &tmp);
      piece_of[i] = n_pieces - 1;
      continue;
    }
    cluster_init (self, &pieces[n_pieces], &w[i]);
    piece_of[i] = n_pieces++;
  }

  /* Stage 2: global bottom-up clustering of the pieces. */
  if (n_pieces == 0) {
    /* Only short windows: nothing to tell voices apart with. */
    memset (labels, 0, n * sizeof (guint));
    return 1;
  }
  parent = g_new (guint, n_pieces);
  for (guint p = 0; p < n_pieces; p++)
    parent[p] = p;
  agglomerate (self, pieces, parent, n_pieces, min_speakers, max_speakers);

  /* Each window's cluster: its piece's surviving root; short windows go to
   * the cluster that absorbs them at the lowest BIC cost. */
  root_label = g_new (guint, n_pieces);
  for (guint p = 0; p < n_pieces; p++)
    root_label[p] = G_MAXUINT;
  for (guint i = 0; i < n; i++) {
    guint root;

    if (piece_of[i] != G_MAXUINT) {
      root = piece_of[i];
      while (parent[root] != root)
        root = parent[root];
    } else {
      gdouble best = G_MAXDOUBLE;

      root = 0;
      for (guint p = 0; p < n_pieces; p++) {
        gdouble v;

        if (!pieces[p].active)
          continue;
        v = delta_bic (self, pieces[p].n, pieces[p].sum, pieces[p].scatter, pieces[p].n_logdet,
                       w[i].n, w[i].sum, w[i].scatter, w[i].n_logdet);
        if (v < best) {
          best = v;
          root = p;
        }
      }
    }
    if (root_label[root] == G_MAXUINT)
      root_label[root] = n_speakers++;
    labels[i] = root_label[root];
  }

  for (guint p = 0; p < n_pieces; p++)
    cluster_clear (&pieces[p]);
  return n_speakers;
}

/**
 * va_speaker_clusterer_run:
 * @labels: (out caller-allocates): one speaker index per frame, in the
 *   order the frames were added, numbered 0, 1, ... in order of first
 *   appearance
 *
 * Clusters the windows by BIC, then refines the clusters on the frames
 * (va_speaker_refine()): Viterbi resegmentation, cross likelihood ratio
 * merging within the bounds, and a last resegmentation.
 *
 * Returns: the number of speakers found (0 when there is no frame)
 */
guint
va_speaker_clusterer_run (VaSpeakerClusterer *self, guint min_speakers, guint max_speakers,
                          const VaSpeakerRefineParams *params, guint *labels)
{
  guint n = self->windows->len, n_frames = self->loud->len, n_clusters;
  g_autofree guint *window_labels = NULL;
  g_autofree guint *renumber = NULL;
  guint next = 0;

  g_return_val_if_fail (min_speakers >= 1 && max_speakers >= min_speakers, 0);
  if (n == 0 || n_frames == 0)
    return 0;

  /* the first pass over-clusters a little (it stops at the BIC); the
   * refinement decides the count */
  window_labels = g_new (guint, n);
  n_clusters = bic_clustering (self, min_speakers, MAX (max_speakers, 1u), window_labels);
  for (guint w = 0; w < n; w++) {
    Stats *s = &g_array_index (self->windows, Stats, w);

    for (guint f = s->first_frame; f < s->first_frame + s->n_frames; f++)
      labels[f] = window_labels[w];
  }

  n_clusters = va_speaker_refine ((const gdouble *)self->frames->data,
                                  (const guint8 *)self->loud->data, n_frames, self->dim,
                                  (const guint *)self->segments->data, self->segments->len / 2,
                                  labels, n_clusters, min_speakers, max_speakers, params);

  renumber = g_new (guint, MAX (n_clusters, 1u));
  for (guint c = 0; c < n_clusters; c++)
    renumber[c] = G_MAXUINT;
  for (guint f = 0; f < n_frames; f++) {
    if (renumber[labels[f]] == G_MAXUINT)
      renumber[labels[f]] = next++;
    labels[f] = renumber[labels[f]];
  }
  return next;
}
