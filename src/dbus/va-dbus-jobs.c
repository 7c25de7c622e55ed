/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>

#include "va-dbus-private.h"
#include "va-error.h"
#include "va-serializable.h"

/* List, get, cancel, delete, results and result files: arguments →
 * engine call → a{sv}. Every rule (scopes, ownership, read-only mode,
 * auditing) is the engine's. */

static VaDBusCall *
va_dbus_job_call_new (VaDBusManager *manager, GDBusMethodInvocation *invocation, const char *id,
                      VaDBusCallFunc func)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, func);

  call->id = g_strdup (id);
  return call;
}

/* ---- ListJobs ---- */

static void
va_dbus_list_jobs_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GVariant) value = NULL;
  guint64 total = 0;

  jobs = va_engine_list_jobs_finish (VA_ENGINE (source), result, &total, &error);
  if (jobs == NULL) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  value = va_codec_list_to_variant (jobs);
  va_dbus_manager_complete_list_jobs (VA_DBUS_MANAGER (call->service),
                                      g_steal_pointer (&call->invocation), value, total);
}

static void
va_dbus_list_jobs_run (VaDBusCall *call)
{
  GError *error = NULL;
  guint page, per_page;
  g_autofree char *status = NULL;

  if (!va_dbus_options_parse_list (call->options, &page, &per_page, &status, &error)) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_engine_list_jobs_async (call->engine, call->caller, page, per_page, status, NULL,
                             va_dbus_list_jobs_cb, call);
}

gboolean
va_dbus_handle_list_jobs (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                          GVariant *options)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_list_jobs_run);

  call->options = g_variant_ref (options);
  return va_dbus_call_run (call);
}

/* ---- GetJob / CancelJob ---- */

static void
va_dbus_job_reply (VaDBusCall *call, VaJob *job, GError *error,
                   void (*complete) (VaDBusManager *, GDBusMethodInvocation *, GVariant *))
{
  g_autoptr (GVariant) value = NULL;

  if (job == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  value = va_codec_to_variant (VA_SERIALIZABLE (job));
  complete (VA_DBUS_MANAGER (call->service), g_steal_pointer (&call->invocation), value);
  va_dbus_call_free (call);
}

static void
va_dbus_get_job_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;
  g_autoptr (VaJob) job = va_engine_get_job_finish (VA_ENGINE (source), result, &error);

  va_dbus_job_reply (user_data, job, error, va_dbus_manager_complete_get_job);
}

static void
va_dbus_get_job_run (VaDBusCall *call)
{
  va_engine_get_job_async (call->engine, call->caller, call->id, NULL, va_dbus_get_job_cb, call);
}

gboolean
va_dbus_handle_get_job (VaDBusManager *manager, GDBusMethodInvocation *invocation, const char *id)
{
  return va_dbus_call_run (va_dbus_job_call_new (manager, invocation, id, va_dbus_get_job_run));
}

static void
va_dbus_cancel_job_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;
  g_autoptr (VaJob) job = va_engine_cancel_job_finish (VA_ENGINE (source), result, &error);

  va_dbus_job_reply (user_data, job, error, va_dbus_manager_complete_cancel_job);
}

static void
va_dbus_cancel_job_run (VaDBusCall *call)
{
  va_engine_cancel_job_async (call->engine, call->caller, call->id, NULL, va_dbus_cancel_job_cb,
                              call);
}

gboolean
va_dbus_handle_cancel_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                           const char *id)
{
  return va_dbus_call_run (va_dbus_job_call_new (manager, invocation, id, va_dbus_cancel_job_run));
}

/* ---- DeleteJob ---- */

static void
va_dbus_delete_job_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;

  if (!va_engine_delete_job_finish (VA_ENGINE (source), result, &error)) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  va_dbus_manager_complete_delete_job (VA_DBUS_MANAGER (call->service),
                                       g_steal_pointer (&call->invocation));
}

static void
va_dbus_delete_job_run (VaDBusCall *call)
{
  va_engine_delete_job_async (call->engine, call->caller, call->id, NULL, va_dbus_delete_job_cb,
                              call);
}

gboolean
va_dbus_handle_delete_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                           const char *id)
{
  return va_dbus_call_run (va_dbus_job_call_new (manager, invocation, id, va_dbus_delete_job_run));
}

/* ---- GetResults ---- */

static void
va_dbus_get_results_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GVariant) value = NULL;

  results = va_engine_get_results_finish (VA_ENGINE (source), result, NULL, &error);
  if (results == NULL) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  value = va_codec_list_to_variant (results);
  va_dbus_manager_complete_get_results (VA_DBUS_MANAGER (call->service),
                                        g_steal_pointer (&call->invocation), value);
}

static void
va_dbus_get_results_run (VaDBusCall *call)
{
  va_engine_get_results_async (call->engine, call->caller, call->id, NULL, va_dbus_get_results_cb,
                               call);
}

gboolean
va_dbus_handle_get_results (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                            const char *id)
{
  return va_dbus_call_run (va_dbus_job_call_new (manager, invocation, id, va_dbus_get_results_run));
}

/* ---- OpenResultFile ---- */

static void
va_dbus_open_result_file_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GUnixFDList) fds = g_unix_fd_list_new ();
  g_autofree char *basename = NULL;
  guint64 size = 0;
  int index;

  stream = va_engine_open_result_file_finish (VA_ENGINE (source), result, &basename, &size, &error);
  if (stream == NULL) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  /* the engine opens job files as descriptors: hand over a copy of it */
  if (!G_IS_UNIX_INPUT_STREAM (stream)) {
    va_dbus_call_fail (g_steal_pointer (&call),
                       g_error_new_literal (VA_ERROR, VA_ERROR_INTERNAL,
                                            "The result file has no descriptor to pass"));
    return;
  }
  index = g_unix_fd_list_append (fds, g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream)),
                                 &error);
  if (index < 0) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  va_dbus_manager_complete_open_result_file (VA_DBUS_MANAGER (call->service),
                                             g_steal_pointer (&call->invocation), fds,
                                             g_variant_new_handle (index), basename, size);
}

static void
va_dbus_open_result_file_run (VaDBusCall *call)
{
  va_engine_open_result_file_async (call->engine, call->caller, call->id, call->pipeline, NULL,
                                    va_dbus_open_result_file_cb, call);
}

gboolean
va_dbus_handle_open_result_file (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                 GUnixFDList *fd_list, const char *id, const char *pipeline)
{
  VaDBusCall *call = va_dbus_job_call_new (manager, invocation, id, va_dbus_open_result_file_run);

  call->pipeline = g_strdup (pipeline);
  return va_dbus_call_run (call);
}
