/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-storage.h"

G_BEGIN_DECLS

/**
 * VaStorageUsageFunc:
 *
 * Measures the file system under @root. Tests replace the real one
 * (statvfs through GIO) to simulate a disk that fills up.
 */
typedef gboolean (*VaStorageUsageFunc) (const char *root, VaStorageUsage *usage, gpointer user_data,
                                        GError **error);

void va_storage_set_usage_func (VaStorage *self, VaStorageUsageFunc func, gpointer user_data);

/* bytes written between two free-space checks during an upload */
#define VA_STORAGE_SPACE_CHECK_INTERVAL (8 * 1024 * 1024)

/* Removes @path and, for a directory, everything under it, adding the
 * size of the regular files removed to *@bytes; sets *@not_empty when a
 * directory filled up again meanwhile. A missing @path is not an error. */
gboolean va_storage_remove_tree (const char *path, guint64 *bytes, gboolean *not_empty,
                                 GError **error);

G_END_DECLS
