/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-speaker-refiner.h"

G_BEGIN_DECLS

/**
 * VaSpeakerClusterer:
 *
 * Groups the frames of voice segments by speaker. Segments are cut into
 * windows; every window is modelled by one full-covariance Gaussian, and
 * clusters are merged bottom-up while the Bayesian information criterion
 * prefers one model for both (Chen & Gopalakrishnan 1998): first
 * neighbouring windows of one voice segment, then any two clusters. That
 * first answer is refined on the frames by va_speaker_refine(), which
 * settles the number of speakers within the caller's bounds.
 */
typedef struct _VaSpeakerClusterer VaSpeakerClusterer;

VaSpeakerClusterer *va_speaker_clusterer_new (guint dim, gdouble penalty);
void va_speaker_clusterer_free (VaSpeakerClusterer *self);

void va_speaker_clusterer_add_segment (VaSpeakerClusterer *self, const gdouble *frames,
                                       const gboolean *loud, guint n_frames,
                                       guint frames_per_window);
guint va_speaker_clusterer_get_n_frames (VaSpeakerClusterer *self);

guint va_speaker_clusterer_run (VaSpeakerClusterer *self, guint min_speakers, guint max_speakers,
                                const VaSpeakerRefineParams *params, guint *labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaSpeakerClusterer, va_speaker_clusterer_free)

G_END_DECLS
