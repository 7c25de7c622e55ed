/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

/* the archive's layout (docs/operations.md, "Backup and restore") */
#define VA_BACKUP_FORMAT "videoannotator-backup"
#define VA_BACKUP_FORMAT_VERSION 1
#define VA_BACKUP_MANIFEST "manifest.json"
#define VA_BACKUP_DATABASE "videoannotator.db"
#define VA_BACKUP_TOKENS "tokens"
#define VA_BACKUP_STORAGE "storage"

/**
 * VaBackupReport:
 * @jobs: jobs in the archive
 * @files: files in the archive, manifest excluded
 * @bytes: their total size
 * @jobs_dropped: jobs left out because they were deleted while the
 *   backup ran (or were being deleted when it began)
 */
typedef struct {
  guint jobs;
  guint files;
  guint64 bytes;
  guint jobs_dropped;
} VaBackupReport;

typedef enum {
  VA_BACKUP_FLAGS_NONE = 0,
  VA_BACKUP_FLAGS_NO_MEDIA = 1 << 0,
} VaBackupFlags;

void va_backup_create_async (VaEngine *engine, const char *output, VaBackupFlags flags,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean va_backup_create_finish (VaEngine *engine, GAsyncResult *result, VaBackupReport *report,
                                  GError **error);

void va_backup_restore_async (VaSettings *settings, const char *archive, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean va_backup_restore_finish (GAsyncResult *result, VaBackupReport *report, GError **error);

G_END_DECLS
