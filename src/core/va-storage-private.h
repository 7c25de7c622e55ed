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

G_END_DECLS
