/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-admin.h"
#include "va-engine-private.h"
#include "va-error.h"

/* What an operator's transport asks of the engine beyond jobs: the
 * queue's and the store's figures. Key administration is in
 * va-engine-keys.c. */

/**
 * va_engine_count_jobs:
 * @running: (out): jobs running in this process now
 * @pending: (out): jobs waiting in the queue
 *
 * Figures anyone may see (no job of anyone's is revealed).
 */
gboolean
va_engine_count_jobs (VaEngine *self, guint *running, guint *pending, GError **error)
{
  g_autoptr (GPtrArray) jobs = NULL;
  guint64 total = 0;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);

  jobs = va_store_list_jobs (va_engine_get_store (self), 1, 1,
                             VA_JOB_STATUS_MASK (VA_JOB_STATUS_PENDING), NULL, &total, error);
  if (jobs == NULL)
    return FALSE;
  *pending = (guint)MIN (total, G_MAXUINT);
  *running = va_job_queue_get_n_running (va_engine_get_queue (self));
  return TRUE;
}

/**
 * va_engine_get_job_fps:
 * @job_id: a running job
 *
 * Returns: video frames its run analysed per wall-clock second so far
 */
double
va_engine_get_job_fps (VaEngine *self, const char *job_id)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), 0.0);
  return va_job_queue_get_fps (va_engine_get_queue (self), job_id);
}

/**
 * va_engine_get_store_stats:
 *
 * Job and annotation counts and the database size (health, metrics).
 */
gboolean
va_engine_get_store_stats (VaEngine *self, VaStoreStats *stats, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  return va_store_get_stats (va_engine_get_store (self), stats, error);
}

/* Where the database is: its file, or a URL without password (shown to
 * administrators only). */
const char *
va_engine_get_database_path (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return va_store_get_location (va_engine_get_store (self));
}

/* "sqlite", "postgresql" */
const char *
va_engine_get_database_backend (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  return va_store_get_backend_name (va_engine_get_store (self));
}

int
va_engine_get_schema_version (VaEngine *self)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), 0);
  return va_store_get_schema_version (va_engine_get_store (self));
}
