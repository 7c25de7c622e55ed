/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

typedef enum {
  VA_EXPORT_FLAGS_NONE = 0,
  VA_EXPORT_FLAGS_WITH_MEDIA = 1 << 0,
} VaExportFlags;

/* An export being written, one step at a time (va-export.c). */
typedef struct _VaExport VaExport;

/**
 * VaExportWriteFunc:
 * @data: as given to va_export_start()
 *
 * Takes the next bytes of the ZIP.
 *
 * Returns: %FALSE with @error set when they cannot be written
 */
typedef gboolean (*VaExportWriteFunc) (gpointer data, const void *buffer, gsize length,
                                       GError **error);

void va_export_prepare_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                              const char *user_id, VaExportFlags flags, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
VaExport *va_export_prepare_finish (VaEngine *engine, GAsyncResult *result, GError **error);

gboolean va_export_start (VaExport *self, VaExportWriteFunc write, gpointer data, GError **error);
gboolean va_export_step (VaExport *self, GError **error);
gboolean va_export_is_done (VaExport *self);
guint va_export_get_n_jobs (VaExport *self);
const char *va_export_get_filename (VaExport *self);
void va_export_free (VaExport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaExport, va_export_free)

/* the whole export into a file (the command line) */
void va_export_write_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                            const char *user_id, const char *output, VaExportFlags flags,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean va_export_write_finish (VaEngine *engine, GAsyncResult *result, guint *n_jobs,
                                 GError **error);

G_END_DECLS
