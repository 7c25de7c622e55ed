/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

/**
 * VaErasureReport:
 * @jobs_deleted: jobs whose rows and files were removed
 * @keys_removed: API keys removed from the token store
 * @user_row: whether a user row (username, e-mail) was removed
 */
typedef struct {
  guint jobs_deleted;
  guint keys_removed;
  gboolean user_row;
} VaErasureReport;

void va_erasure_purge_job_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean va_erasure_purge_job_finish (VaEngine *engine, GAsyncResult *result, GError **error);

void va_erasure_purge_user_async (VaEngine *engine, VaCaller *caller, const char *user_id,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean va_erasure_purge_user_finish (VaEngine *engine, GAsyncResult *result,
                                       VaErasureReport *report, GError **error);

G_END_DECLS
