/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-annotation-model.h"

G_BEGIN_DECLS

/* A cue longer than this is continued in a new cue at the next word. */
#define VA_WEBVTT_MAX_CUE_DURATION (10 * GST_SECOND)

char *va_webvtt_writer_build (VaAnnotationModel *model, gsize *length, guint *n_cues);

gboolean va_webvtt_writer_write (VaAnnotationModel *model, const char *path, guint *n_cues,
                                 GError **error);

char *va_webvtt_format_time (GstClockTime time);

G_END_DECLS
