/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "va-cli.h"
#include "va-dbus-service.h"
#include "va-settings.h"

/* `videoannotator open`: what the desktop entry runs. It makes sure the
 * user's service runs (D-Bus activation of the session bus name, through
 * the systemd user unit where there is one) and opens the web UI in the
 * default browser. The URL carries no key: the browser signs in on the
 * page itself (docs/desktop.md). */

/* DBus.StartServiceByName() answers 1 (started) or 2 (was running) */
#define VA_DBUS_START_REPLY_SUCCESS 1

static gboolean
va_cli_open_start_service (gboolean *started, GError **error)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  g_autoptr (GVariant) reply = NULL;
  guint32 result = 0;

  if (bus == NULL)
    return FALSE;
  /* the activated server owns its name only once it serves HTTP too, so
   * the reply comes when the page can be loaded */
  reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "StartServiceByName", g_variant_new ("(su)", VA_DBUS_BUS_NAME, 0), G_VARIANT_TYPE ("(u)"),
      G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &result);
  *started = result == VA_DBUS_START_REPLY_SUCCESS;
  return TRUE;
}

/**
 * va_cli_web_base_url:
 *
 * The server's own address, as the service reads it from the same stored
 * settings; a wildcard bind address is reached on the loopback.
 *
 * Returns: (transfer full): `scheme://host:port/`
 */
char *
va_cli_web_base_url (VaSettings *settings)
{
  const char *address = va_settings_get_string (settings, "bind-address");
  const char *cert = va_settings_get_string (settings, "tls-certificate");
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  const char *scheme = cert != NULL && *cert != '\0' ? "https" : "http";
  int port = va_settings_get_int (settings, "port");

  if (inet == NULL || g_inet_address_get_is_any (inet)) {
    gboolean v6 = inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;
    address = v6 ? "::1" : "127.0.0.1";
    g_clear_object (&inet);
    inet = g_inet_address_new_from_string (address);
  }
  if (inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%d/", scheme, address, port);
  return g_strdup_printf ("%s://%s:%d/", scheme, address, port);
}

int
va_cli_open (int argc, char **argv)
{
  gboolean print_only = FALSE;
  gboolean no_start = FALSE;
  const GOptionEntry entries[] = {
    { "print", 0, 0, G_OPTION_ARG_NONE, &print_only,
      N_ ("Print the address of the web UI instead of opening a browser"), NULL },
    { "no-start", 0, 0, G_OPTION_ARG_NONE, &no_start,
      N_ ("Do not start the service over D-Bus (it runs elsewhere)"), NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "open",
    .summary = _ ("Start the service if it is not running and open its web UI in the browser."),
    .entries = entries,
  };
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *url = NULL;
  gboolean started = FALSE;
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (g_strv_length (args) > 1) {
    g_printerr (_ ("videoannotator open: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;

  if (!no_start && !va_cli_open_start_service (&started, &error)) {
    g_dbus_error_strip_remote_error (error);
    g_printerr (_ ("videoannotator open: cannot start the service on the session bus: %s\n"),
                va_cli_error_message (error));
    return VA_EXIT_UNAVAILABLE;
  }
  if (started)
    g_info ("started %s through D-Bus activation", VA_DBUS_BUS_NAME);

  url = va_cli_web_base_url (settings);
  if (print_only) {
    g_print ("%s\n", url);
    return VA_EXIT_OK;
  }
  {
    /* the browser gets a fresh one-time login, never a key */
    g_autofree char *user = g_strdup (g_get_user_name ());
    g_autofree char *email = g_strdup_printf ("%s@localhost", user);
    VaTokenRequest request = {
      .user_id = user, .username = user, .email = email, .scopes = VA_SCOPE_READ | VA_SCOPE_WRITE
    };

    g_free (url);
    url = va_cli_web_login_url (settings, NULL, &request, &error);
    if (url == NULL) {
      g_printerr (_ ("videoannotator open: cannot make a login link: %s\n"),
                  va_cli_error_message (error));
      return va_cli_exit_code_for_error (error);
    }
  }
  if (!g_app_info_launch_default_for_uri (url, NULL, &error)) {
    g_printerr (_ ("videoannotator open: cannot open the web UI: %s\n"),
                va_cli_error_message (error));
    return VA_EXIT_FAILURE;
  }
  return VA_EXIT_OK;
}
