/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-engine-admin.h"
#include "va-error.h"

/* What an operator's transport asks of the engine beyond jobs: incident
 * response (revoking every key) and the queue's figures. */

/**
 * va_engine_revoke_all_keys:
 * @caller: needs the admin scope
 * @n_revoked: (out) (optional): how many keys were revoked now
 *
 * Revokes every API key; running HTTP servers refuse them from the next
 * request on. Allowed in read-only mode: it is what an incident calls
 * for. Audited as `key.revoke_all`.
 */
gboolean
va_engine_revoke_all_keys (VaEngine *self, VaCaller *caller, guint *n_revoked, GError **error)
{
  VaTokenStore *tokens;
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GError) audit_error = NULL;
  guint count = 0;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VA_IS_CALLER (caller), FALSE);

  if (!va_caller_check_scope (caller, VA_SCOPE_ADMIN, error))
    return FALSE;
  tokens = va_engine_get_token_store (self);
  if (tokens == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("The key store is not open"));
    return FALSE;
  }
  if (!va_token_store_revoke_all (tokens, &count, error))
    return FALSE;
  json_object_set_int_member (detail, "revoked", count);
  if (!va_audit_record (va_engine_get_audit (self), caller, "key.revoke_all", NULL, detail,
                        &audit_error))
    g_warning ("Cannot record audit entry key.revoke_all: %s", audit_error->message);
  if (n_revoked != NULL)
    *n_revoked = count;
  return TRUE;
}

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
