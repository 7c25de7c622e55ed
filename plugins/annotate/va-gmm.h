/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VaGmm:
 *
 * A Gaussian mixture with diagonal covariances over fixed-length feature
 * vectors: trained by expectation-maximisation on a set of vectors (the
 * "background" model of one recording), and adapted to a subset of them
 * by maximum a posteriori re-estimation of the means (Reynolds et al.
 * 2000), which keeps small speakers' models anchored to the background.
 */
typedef struct _VaGmm VaGmm;

VaGmm *va_gmm_train (const gdouble *vectors, guint n_vectors, guint dim, guint n_components,
                     guint n_iterations);
VaGmm *va_gmm_adapt (const VaGmm *background, const gdouble *vectors, const guint *indices,
                     guint n_indices, gdouble relevance);
void va_gmm_free (VaGmm *self);

gdouble va_gmm_log_likelihood (const VaGmm *self, const gdouble *x);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaGmm, va_gmm_free)

G_END_DECLS
