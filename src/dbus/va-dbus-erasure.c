/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-erasure.h"

/* PurgeJob and PurgeUser: the engine's erasure (src/core/va-erasure.c),
 * the same calls as REST's purge routes and `job/user delete --purge`.
 * The engine decides who may (administrators) and refuses in read-only
 * mode. */

/* ---- PurgeJob ---- */

static void
va_dbus_purge_job_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;

  if (!va_erasure_purge_job_finish (VA_ENGINE (source), result, &error)) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  va_dbus_manager_complete_purge_job (VA_DBUS_MANAGER (call->service),
                                      g_steal_pointer (&call->invocation));
}

static void
va_dbus_purge_job_run (VaDBusCall *call)
{
  /* no cancellable: an erasure that started completes even if the
   * client goes away */
  va_erasure_purge_job_async (call->engine, call->caller, call->id, NULL, va_dbus_purge_job_cb,
                              call);
}

gboolean
va_dbus_handle_purge_job (VaDBusManager *manager, GDBusMethodInvocation *invocation, const char *id)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_purge_job_run);

  call->id = g_strdup (id);
  return va_dbus_call_run (call);
}

/* ---- PurgeUser ---- */

static void
va_dbus_purge_user_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;
  VaErasureReport report = { 0 };

  if (!va_erasure_purge_user_finish (VA_ENGINE (source), result, &report, &error)) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  va_dbus_manager_complete_purge_user (VA_DBUS_MANAGER (call->service),
                                       g_steal_pointer (&call->invocation), report.jobs_deleted,
                                       report.keys_removed, report.user_row);
}

static void
va_dbus_purge_user_run (VaDBusCall *call)
{
  va_erasure_purge_user_async (call->engine, call->caller, call->id, NULL, va_dbus_purge_user_cb,
                               call);
}

gboolean
va_dbus_handle_purge_user (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                           const char *user_id)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_purge_user_run);

  call->id = g_strdup (user_id);
  return va_dbus_call_run (call);
}
