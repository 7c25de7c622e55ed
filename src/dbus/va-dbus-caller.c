/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "va-caller-local.h"
#include "va-dbus-private.h"
#include "va-engine-auth.h"
#include "va-error.h"

/* Every method starts here: the sender's uid comes from the bus daemon
 * (GetConnectionUnixUser), or from the peer's socket credentials on a
 * peer-to-peer connection; the engine turns it into a VaCaller. A
 * message carries no identity of its own that we would believe. */

VaDBusCall *
va_dbus_call_new (VaDBusManager *manager, GDBusMethodInvocation *invocation, VaDBusCallFunc func)
{
  VaDBusCall *call = g_new0 (VaDBusCall, 1);

  call->service = g_object_ref (VA_DBUS_SERVICE (manager));
  call->engine = va_dbus_service_get_engine (call->service);
  call->invocation = invocation;
  call->func = func;
  call->fd = -1;
  return call;
}

void
va_dbus_call_free (VaDBusCall *call)
{
  if (call == NULL)
    return;
  /* every call is answered: a path that forgot would leave the client
   * waiting for its timeout */
  if (call->invocation != NULL)
    g_dbus_method_invocation_return_error_literal (g_steal_pointer (&call->invocation), VA_ERROR,
                                                   VA_ERROR_INTERNAL, "No answer was made");
  if (call->upload != NULL)
    va_upload_abort (call->upload);
  g_clear_object (&call->upload);
  g_strfreev (call->pipelines);
  g_clear_pointer (&call->config, json_object_unref);
  g_clear_pointer (&call->consent, json_object_unref);
  if (call->fd >= 0)
    g_close (call->fd, NULL);
  g_clear_object (&call->caller);
  g_free (call->id);
  g_free (call->pipeline);
  g_free (call->path);
  g_free (call->filename);
  g_clear_pointer (&call->options, g_variant_unref);
  g_object_unref (call->service);
  g_free (call);
}

/**
 * va_dbus_call_fail:
 * @error: (transfer full): any error; converted to %VA_ERROR, whose codes
 *   are registered D-Bus error names
 *
 * Answers with @error and frees @call.
 */
void
va_dbus_call_fail (VaDBusCall *call, GError *error)
{
  va_error_convert (&error);
  g_dbus_method_invocation_take_error (g_steal_pointer (&call->invocation), error);
  va_dbus_call_free (call);
}

static void
va_dbus_call_authenticated (VaDBusCall *call, guint32 uid)
{
  GError *error = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);
  g_autofree char *address = g_strdup_printf ("dbus:%s", sender != NULL ? sender : "peer");
  /* the security monitor's rules apply per user, whatever connection */
  g_autofree char *client = g_strdup_printf ("dbus:uid:%u", uid);
  guint blocked = va_engine_client_blocked_for (call->engine, client);

  call->uid = uid;
  if (blocked > 0) {
    va_dbus_call_fail (call, g_error_new (VA_ERROR, VA_ERROR_RATE_LIMITED,
                                          "This user is blocked for %u s after a security alert",
                                          blocked));
    return;
  }
  va_engine_note_request (call->engine, client);
  call->caller = call->admin_authorized
                     ? va_engine_authenticate_uid_authorized (call->engine, uid, &error)
                     : va_engine_authenticate_uid (call->engine, uid, &error);
  if (call->caller == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_caller_set_client_address (call->caller, address);
  va_caller_set_transport (call->caller, "dbus");
  call->func (call);
}

static void
va_dbus_call_uid_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaDBusCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  guint32 uid;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL) {
    va_dbus_call_fail (call,
                       g_error_new (VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                                    "The bus did not say who is calling: %s", error->message));
    return;
  }
  g_variant_get (reply, "(u)", &uid);
  va_dbus_call_authenticated (call, uid);
}

/**
 * va_dbus_call_run:
 *
 * Finds out who calls, then runs call->func with call->caller set, or
 * answers with an error. Takes @call.
 *
 * Returns: %G_DBUS_METHOD_INVOCATION_HANDLED, for the handle_* function
 */
gboolean
va_dbus_call_run (VaDBusCall *call)
{
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (call->invocation);
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);

  if (sender == NULL) {
    GCredentials *credentials = g_dbus_connection_get_peer_credentials (connection);
    GError *error = NULL;
    uid_t uid;

    if (credentials == NULL
        || (uid = g_credentials_get_unix_user (credentials, &error)) == (uid_t)-1) {
      va_dbus_call_fail (call, g_error_new_literal (VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                                                    "The peer's credentials are unknown"));
      g_clear_error (&error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
    va_dbus_call_authenticated (call, (guint32)uid);
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  }
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, va_dbus_call_uid_cb, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}
