/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-gmm.h"

#include <math.h>
#include <string.h>

/* Variances are kept above this share of the data's own variance, so that a
 * component sitting on a few identical vectors (digital silence, clipping)
 * cannot take over the likelihood. */
#define VARIANCE_FLOOR 0.01
#define MAX_COMPONENTS 64

struct _VaGmm {
  guint dim;
  guint k;
  gdouble *weight;   /* k */
  gdouble *mean;     /* k x dim */
  gdouble *var;      /* k x dim */
  gdouble *log_norm; /* k: log weight - (dim log 2 pi + sum log var) / 2 */
  gdouble *inv_var;  /* k x dim */
};

static VaGmm *
gmm_new (guint dim, guint k)
{
  VaGmm *self = g_new0 (VaGmm, 1);

  self->dim = dim;
  self->k = k;
  self->weight = g_new (gdouble, k);
  self->mean = g_new (gdouble, (gsize)k * dim);
  self->var = g_new (gdouble, (gsize)k * dim);
  self->log_norm = g_new (gdouble, k);
  self->inv_var = g_new (gdouble, (gsize)k * dim);
  return self;
}

void
va_gmm_free (VaGmm *self)
{
  if (self == NULL)
    return;
  g_free (self->weight);
  g_free (self->mean);
  g_free (self->var);
  g_free (self->log_norm);
  g_free (self->inv_var);
  g_free (self);
}

static void
gmm_prepare (VaGmm *self)
{
  for (guint c = 0; c < self->k; c++) {
    gdouble sum_log = 0.0;

    for (guint i = 0; i < self->dim; i++) {
      sum_log += log (self->var[c * self->dim + i]);
      self->inv_var[c * self->dim + i] = 1.0 / self->var[c * self->dim + i];
    }
    self->log_norm[c]
        = log (MAX (self->weight[c], 1e-10)) - 0.5 * (self->dim * log (2.0 * G_PI) + sum_log);
  }
}

/* log p(x | component c) + log weight, for every component; returns the
 * log of their sum. */
static gdouble
component_scores (const VaGmm *self, const gdouble *x, gdouble *scores)
{
  gdouble best = -G_MAXDOUBLE, sum = 0.0;

  for (guint c = 0; c < self->k; c++) {
    const gdouble *m = self->mean + (gsize)c * self->dim;
    const gdouble *iv = self->inv_var + (gsize)c * self->dim;
    gdouble d2 = 0.0;

    for (guint i = 0; i < self->dim; i++) {
      gdouble d = x[i] - m[i];

      d2 += d * d * iv[i];
    }
    scores[c] = self->log_norm[c] - 0.5 * d2;
    best = MAX (best, scores[c]);
  }
  for (guint c = 0; c < self->k; c++)
    sum += exp (scores[c] - best);
  return best + log (sum);
}

gdouble
va_gmm_log_likelihood (const VaGmm *self, const gdouble *x)
{
  gdouble scores[MAX_COMPONENTS];

  return component_scores (self, x, scores);
}

/**
 * va_gmm_train:
 * @vectors: @n_vectors vectors of @dim values, one after the other
 *
 * Components start on vectors spread evenly through the input (so the same
 * input always gives the same model) with the data's variance.
 *
 * Returns: (transfer full): the model
 */
VaGmm *
va_gmm_train (const gdouble *vectors, guint n_vectors, guint dim, guint n_components,
              guint n_iterations)
{
  guint k = CLAMP (MIN (n_components, n_vectors), 1u, MAX_COMPONENTS);
  VaGmm *self = gmm_new (dim, k);
  g_autofree gdouble *floor = g_new0 (gdouble, dim);
  g_autofree gdouble *mean = g_new0 (gdouble, dim);
  g_autofree gdouble *occ = g_new (gdouble, k);
  g_autofree gdouble *sum = g_new (gdouble, (gsize)k * dim);
  g_autofree gdouble *sum2 = g_new (gdouble, (gsize)k * dim);
  g_autofree gdouble *post = g_new (gdouble, k);

  g_return_val_if_fail (n_vectors > 0, self);

  for (guint v = 0; v < n_vectors; v++)
    for (guint i = 0; i < dim; i++)
      mean[i] += vectors[(gsize)v * dim + i] / n_vectors;
  for (guint v = 0; v < n_vectors; v++)
    for (guint i = 0; i < dim; i++) {
      gdouble d = vectors[(gsize)v * dim + i] - mean[i];

      floor[i] += d * d / n_vectors;
    }
  for (guint i = 0; i < dim; i++)
    floor[i] = MAX (floor[i] * VARIANCE_FLOOR, 1e-6);

  for (guint c = 0; c < k; c++) {
    guint v = (guint)(((guint64)c * n_vectors + n_vectors / 2) / k);

    self->weight[c] = 1.0 / k;
    memcpy (self->mean + (gsize)c * dim, vectors + (gsize)v * dim, dim * sizeof (gdouble));
    for (guint i = 0; i < dim; i++)
      self->var[(gsize)c * dim + i] = floor[i] / VARIANCE_FLOOR;
  }
  gmm_prepare (self);

  for (guint it = 0; it < n_iterations; it++) {
    memset (occ, 0, k * sizeof (gdouble));
    memset (sum, 0, (gsize)k * dim * sizeof (gdouble));
    memset (sum2, 0, (gsize)k * dim * sizeof (gdouble));
    for (guint v = 0; v < n_vectors; v++) {
      const gdouble *x = vectors + (gsize)v * dim;
      gdouble total = component_scores (self, x, post);

      for (guint c = 0; c < k; c++) {
        gdouble p = exp (post[c] - total);

        if (p < 1e-6)
          continue;
        occ[c] += p;
        for (guint i = 0; i < dim; i++) {
          sum[(gsize)c * dim + i] += p * x[i];
          sum2[(gsize)c * dim + i] += p * x[i] * x[i];
        }
      }
    }
    for (guint c = 0; c < k; c++) {
      if (occ[c] < 1.0) {
        /* an empty component keeps its place with a tiny weight */
        self->weight[c] = 1e-6;
        continue;
      }
      self->weight[c] = occ[c] / n_vectors;
      for (guint i = 0; i < dim; i++) {
        gdouble m = sum[(gsize)c * dim + i] / occ[c];

        self->mean[(gsize)c * dim + i] = m;
        self->var[(gsize)c * dim + i] = MAX (sum2[(gsize)c * dim + i] / occ[c] - m * m, floor[i]);
      }
    }
    gmm_prepare (self);
  }
  return self;
}

/**
 * va_gmm_adapt:
 * @vectors: all vectors, of the background's dim
 * @indices: which of them belong to the speaker
 * @relevance: how many vectors a component needs before its own mean
 *   outweighs the background's (commonly 16)
 *
 * Returns: (transfer full): the background with means moved towards the
 *   speaker's vectors
 */
VaGmm *
va_gmm_adapt (const VaGmm *background, const gdouble *vectors, const guint *indices,
              guint n_indices, gdouble relevance)
{
  guint dim = background->dim, k = background->k;
  VaGmm *self = gmm_new (dim, k);
  g_autofree gdouble *occ = g_new0 (gdouble, k);
  g_autofree gdouble *sum = g_new0 (gdouble, (gsize)k * dim);
  g_autofree gdouble *post = g_new (gdouble, k);

  memcpy (self->weight, background->weight, k * sizeof (gdouble));
  memcpy (self->var, background->var, (gsize)k * dim * sizeof (gdouble));
  for (guint n = 0; n < n_indices; n++) {
    const gdouble *x = vectors + (gsize)indices[n] * dim;
    gdouble total = component_scores (background, x, post);

    for (guint c = 0; c < k; c++) {
      gdouble p = exp (post[c] - total);

      occ[c] += p;
      for (guint i = 0; i < dim; i++)
        sum[(gsize)c * dim + i] += p * x[i];
    }
  }
  for (guint c = 0; c < k; c++) {
    gdouble alpha = occ[c] / (occ[c] + relevance);

    for (guint i = 0; i < dim; i++) {
      gdouble own = occ[c] > 0.0 ? sum[(gsize)c * dim + i] / occ[c] : 0.0;

      self->mean[(gsize)c * dim + i]
          = alpha * own + (1.0 - alpha) * background->mean[(gsize)c * dim + i];
    }
  }
  gmm_prepare (self);
  return self;
}
