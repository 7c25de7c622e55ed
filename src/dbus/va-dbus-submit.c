/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>

#include "va-caller-local.h"
#include "va-dbus-private.h"
#include "va-error.h"
#include "va-serializable.h"

/* SubmitPath and SubmitFd: the same submission as POST /api/v1/jobs. The
 * checks that need no bytes run first (scope, read-only mode, consent,
 * configuration), then the file is copied into a VaUpload (which enforces
 * the size limit, free space and media type) and the engine makes the
 * job. An upload that does not become a job is removed. */

static void
va_dbus_submit_job_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaDBusCall) call = user_data;
  GError *error = NULL;
  g_autoptr (VaJob) job = va_engine_submit_job_finish (VA_ENGINE (source), result, &error);
  g_autoptr (GVariant) value = NULL;

  if (job == NULL) {
    va_dbus_call_fail (g_steal_pointer (&call), error);
    return;
  }
  /* the job owns the files now */
  g_clear_object (&call->upload);
  value = va_codec_to_variant (VA_SERIALIZABLE (job));
  if (call->path != NULL)
    va_dbus_manager_complete_submit_path (VA_DBUS_MANAGER (call->service),
                                          g_steal_pointer (&call->invocation), value);
  else
    va_dbus_manager_complete_submit_fd (VA_DBUS_MANAGER (call->service),
                                        g_steal_pointer (&call->invocation), NULL, value);
}

static void
va_dbus_submit_spliced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaDBusCall *call = user_data;
  GError *error = NULL;

  if (!va_upload_splice_finish (VA_UPLOAD (source), result, &error)) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_engine_submit_job_async (call->engine, call->caller, call->upload, call->config,
                              (const char *const *)call->pipelines, call->consent, NULL,
                              va_dbus_submit_job_cb, call);
}

/* call->fd is the file to copy; call->filename its display name */
static void
va_dbus_submit_copy (VaDBusCall *call)
{
  g_autoptr (GInputStream) input = NULL;
  GError *error = NULL;
  guint64 size = 0;

  if (!va_dbus_options_parse_submission (call->options, &call->pipelines, &call->config,
                                         &call->consent, &error)
      || !va_engine_check_submission (call->engine, call->caller, call->config,
                                      (const char *const *)call->pipelines, call->consent, &error)
      || !va_engine_check_descriptor (call->engine, call->fd, &size, &error)) {
    va_dbus_call_fail (call, error);
    return;
  }
  call->upload
      = va_engine_create_upload (call->engine, call->caller, call->filename, (gint64)size, &error);
  if (call->upload == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  input = g_unix_input_stream_new (call->fd, TRUE);
  call->fd = -1;
  va_upload_splice_async (call->upload, input, NULL, va_dbus_submit_spliced_cb, call);
}

static void
va_dbus_submit_path_run (VaDBusCall *call)
{
  GError *error = NULL;

  call->fd = va_engine_open_path_for_uid (call->engine, call->uid, call->path, &error);
  if (call->fd < 0) {
    va_dbus_call_fail (call, error);
    return;
  }
  call->filename = g_path_get_basename (call->path);
  va_dbus_submit_copy (call);
}

gboolean
va_dbus_handle_submit_path (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                            const char *path, GVariant *options)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_submit_path_run);

  call->path = g_strdup (path);
  call->options = g_variant_ref (options);
  return va_dbus_call_run (call);
}

gboolean
va_dbus_handle_submit_fd (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                          GUnixFDList *fd_list, GVariant *fd, const char *filename,
                          GVariant *options)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_submit_copy);
  gint32 index = g_variant_get_handle (fd);

  call->options = g_variant_ref (options);
  call->filename = g_strdup (filename != NULL && *filename != '\0' ? filename : "video");
  if (fd_list == NULL || index < 0 || index >= g_unix_fd_list_get_length (fd_list)) {
    va_dbus_call_fail (call, g_error_new_literal (VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                                                  "fd: no file descriptor was passed"));
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  }
  /* a copy of our own: the list closes its descriptors with the message */
  call->fd = g_unix_fd_list_get (fd_list, index, NULL);
  return va_dbus_call_run (call);
}
