/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-annotation-model.h"

G_BEGIN_DECLS

char *va_rttm_writer_build (VaAnnotationModel *model, gsize *length, guint *n_turns);

/* `<file>.provenance.json`: the provenance of an RTTM file, beside it */
#define VA_RTTM_PROVENANCE_SUFFIX ".provenance.json"

gboolean va_rttm_writer_write (VaAnnotationModel *model, const char *path, guint *n_turns,
                               GError **error);

G_END_DECLS
