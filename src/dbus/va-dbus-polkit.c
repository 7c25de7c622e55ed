/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-error.h"

#ifdef VA_HAVE_POLKIT
#include <polkit/polkit.h>
#endif

/* The key methods on the system bus ask polkit first whether the sender
 * may perform VA_DBUS_POLKIT_ACTION (data/polkit/…policy). A yes makes
 * the caller an administrator for that call (the engine then applies its
 * own rules: read-only mode, auditing); a no leaves the uid rule (root and
 * the data directory's owner are administrators, they can read everything
 * on disk anyway); no polkit (not built with it, no authority on the bus,
 * the session bus, a peer-to-peer connection) leaves the uid rule too. */

#define VA_DBUS_POLKIT_ACTION "org.videoannotator.VideoAnnotator.manage-keys"

#ifdef VA_HAVE_POLKIT
static void
va_dbus_polkit_checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaDBusCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitAuthorizationResult) answer
      = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);

  if (answer == NULL)
    g_debug ("polkit did not answer (%s); the uid rule decides", error->message);
  else
    call->admin_authorized = polkit_authorization_result_get_is_authorized (answer);
  va_dbus_call_run (call);
}

static void
va_dbus_polkit_authority_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaDBusCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitAuthority) authority = polkit_authority_get_finish (result, &error);
  g_autoptr (PolkitSubject) subject = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);

  if (authority == NULL || polkit_authority_get_owner (authority) == NULL) {
    g_debug ("no polkit authority (%s); the uid rule decides",
             error != NULL ? error->message : "not running");
    va_dbus_call_run (call);
    return;
  }
  subject = polkit_system_bus_name_new (sender);
  polkit_authority_check_authorization (authority, subject, VA_DBUS_POLKIT_ACTION, NULL,
                                        POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION,
                                        NULL, va_dbus_polkit_checked_cb, call);
}
#endif

/**
 * va_dbus_call_run_admin:
 *
 * va_dbus_call_run() for an administration method: on the system bus,
 * polkit is asked first (see above). Takes @call.
 *
 * Returns: %G_DBUS_METHOD_INVOCATION_HANDLED
 */
gboolean
va_dbus_call_run_admin (VaDBusCall *call)
{
#ifdef VA_HAVE_POLKIT
  if (va_dbus_service_get_system_bus (call->service)
      && g_dbus_method_invocation_get_sender (call->invocation) != NULL) {
    polkit_authority_get_async (NULL, va_dbus_polkit_authority_cb, call);
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  }
#endif
  return va_dbus_call_run (call);
}
