/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VaSpeakerClusterer:
 *
 * Groups stretches of speech ("windows", each a set of feature vectors) by
 * speaker. Every window is modelled by one full-covariance Gaussian, and
 * clusters are merged bottom-up while the Bayesian information criterion
 * prefers one model for both (Chen & Gopalakrishnan 1998): first
 * neighbouring windows of one voice segment, then any two clusters. The
 * number of speakers follows from where merging stops, bounded by the
 * caller.
 */
typedef struct _VaSpeakerClusterer VaSpeakerClusterer;

VaSpeakerClusterer *va_speaker_clusterer_new (guint dim, gdouble penalty);
void va_speaker_clusterer_free (VaSpeakerClusterer *self);

guint va_speaker_clusterer_add_window (VaSpeakerClusterer *self, const gdouble *vectors,
                                       guint n_vectors, gboolean continues_previous);
guint va_speaker_clusterer_get_n_windows (VaSpeakerClusterer *self);

guint va_speaker_clusterer_run (VaSpeakerClusterer *self, guint min_speakers, guint max_speakers,
                                guint *labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaSpeakerClusterer, va_speaker_clusterer_free)

G_END_DECLS
