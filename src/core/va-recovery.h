/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-audit.h"
#include "va-storage.h"
#include "va-store.h"

G_BEGIN_DECLS

/**
 * VaRecoveryReport:
 * @deletions_finished: deletions a crash interrupted, now complete
 * @runs_cleared: interrupted runs whose partial outputs were removed
 * @directories_swept: job directories without a job (partial or
 *   unsubmitted uploads) removed
 * @bytes_freed: size of the regular files removed
 * @storage_locked: %FALSE when another process holds the storage, so
 *   nothing was touched
 */
typedef struct {
  guint deletions_finished;
  guint runs_cleared;
  guint directories_swept;
  guint64 bytes_freed;
  gboolean storage_locked;
} VaRecoveryReport;

gboolean va_recovery_clear_run (VaStorage *storage, VaJob *job, guint64 *bytes, GError **error);
int va_recovery_lock_storage (VaStorage *storage, GError **error);
gboolean va_recovery_run (VaStore *store, VaStorage *storage, VaAudit *audit, gboolean locked,
                          VaRecoveryReport *report, GError **error);
gboolean va_recovery_start (VaStore *store, VaStorage *storage, VaAudit *audit, int *lock_fd,
                            GError **error);

G_END_DECLS
