/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

typedef enum {
  VA_EXPORT_FLAGS_NONE = 0,
  VA_EXPORT_FLAGS_WITH_MEDIA = 1 << 0,
} VaExportFlags;

void va_export_write_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                            const char *user_id, const char *output, VaExportFlags flags,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean va_export_write_finish (VaEngine *engine, GAsyncResult *result, guint *n_jobs,
                                 GError **error);

G_END_DECLS
