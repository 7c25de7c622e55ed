/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-error.h"

/* Putting the service on a bus for `videoannotator server --dbus=BUS`:
 * export the object, then take the well-known name. The name is asked
 * for synchronously and without queueing, so that a second server fails
 * at start instead of waiting silently for the first one to go. */

#define VA_DBUS_NAME_FLAG_DO_NOT_QUEUE 4
#define VA_DBUS_NAME_REPLY_PRIMARY_OWNER 1
#define VA_DBUS_NAME_REPLY_ALREADY_OWNER 4

static gboolean
va_dbus_request_name (GDBusConnection *connection, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  guint32 code;

  reply = g_dbus_connection_call_sync (
      connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", VA_DBUS_BUS_NAME, VA_DBUS_NAME_FLAG_DO_NOT_QUEUE),
      G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL) {
    /* the system bus refuses the name to users its policy does not name */
    g_prefix_error (error, "Cannot own the name %s: ", VA_DBUS_BUS_NAME);
    g_dbus_error_strip_remote_error (*error);
    va_error_convert (error);
    if ((*error)->code == VA_ERROR_INTERNAL)
      (*error)->code = VA_ERROR_FORBIDDEN;
    return FALSE;
  }
  g_variant_get (reply, "(u)", &code);
  if (code != VA_DBUS_NAME_REPLY_PRIMARY_OWNER && code != VA_DBUS_NAME_REPLY_ALREADY_OWNER) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT,
                 "Another process owns the name %s on this bus (is a server already running?)",
                 VA_DBUS_BUS_NAME);
    return FALSE;
  }
  return TRUE;
}

static void
va_dbus_closed_cb (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error,
                   gpointer user_data)
{
  g_warning ("The D-Bus connection closed%s%s; the service is no longer on the bus (HTTP "
             "continues)",
             error != NULL ? ": " : "", error != NULL ? error->message : "");
}

/**
 * va_dbus_service_start:
 * @bus: "session", "system" or "none"
 * @error: %VA_ERROR_CONFLICT when the name is taken, %VA_ERROR_FORBIDDEN
 *   when the bus refuses it
 *
 * Returns: (transfer full) (nullable): the service on the bus, or %NULL
 *   without an error for "none"
 */
VaDBusService *
va_dbus_service_start (VaEngine *engine, const char *bus, GError **error)
{
  g_autoptr (GDBusConnection) connection = NULL;
  g_autoptr (VaDBusService) service = NULL;
  GBusType type;

  if (bus == NULL || g_ascii_strcasecmp (bus, "none") == 0)
    return NULL;
  if (g_ascii_strcasecmp (bus, "session") == 0) {
    type = G_BUS_TYPE_SESSION;
  } else if (g_ascii_strcasecmp (bus, "system") == 0) {
    type = G_BUS_TYPE_SYSTEM;
  } else {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "dbus: “%s” is not a bus (session, system or none)", bus);
    return NULL;
  }
  connection = g_bus_get_sync (type, NULL, error);
  if (connection == NULL) {
    g_prefix_error (error, "Cannot connect to the %s bus: ", bus);
    va_error_convert (error);
    return NULL;
  }
  /* a bus that goes away must not take the HTTP service with it */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_signal_connect (connection, "closed", G_CALLBACK (va_dbus_closed_cb), NULL);
  service = va_dbus_service_new (engine);
  va_dbus_service_set_system_bus (service, type == G_BUS_TYPE_SYSTEM);
  if (!va_dbus_service_export (service, connection, error)) {
    va_error_convert (error);
    return NULL;
  }
  if (!va_dbus_request_name (connection, error)) {
    va_dbus_service_unexport (service);
    return NULL;
  }
  return g_steal_pointer (&service);
}
