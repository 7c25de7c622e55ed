/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-annotation-model.h"

G_BEGIN_DECLS

char *va_csv_writer_build_motion (VaAnnotationModel *model, gsize *length, guint *n_rows);

gboolean va_csv_writer_write_motion (VaAnnotationModel *model, const char *path, guint *n_rows,
                                     GError **error);

char *va_csv_writer_build_voice_activity (VaAnnotationModel *model, gsize *length, guint *n_rows);

gboolean va_csv_writer_write_voice_activity (VaAnnotationModel *model, const char *path,
                                             guint *n_rows, GError **error);

G_END_DECLS
