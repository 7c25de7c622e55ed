/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which secret back end a server uses. Kept apart from VaSecrets, the
 * class its back ends derive from, so that the class does not include
 * its subclasses. */
#include "config.h"

#include <gio/gio.h>

#include "va-error.h"
#include "va-secrets-factory.h"
#include "va-secrets-file.h"
#include "va-secrets-libsecret.h"

/**
 * va_secrets_service_is_reachable:
 *
 * Whether a Secret Service (gnome-keyring, KeePassXC, ...) runs on the
 * session bus or can be activated there. Never autolaunches a bus: a
 * server without a session gets %FALSE quickly.
 */
gboolean
va_secrets_service_is_reachable (void)
{
  g_autofree char *runtime_bus = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) names = NULL;
  gboolean owned = FALSE;
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  if (runtime != NULL)
    runtime_bus = g_build_filename (runtime, "bus", NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL
      && (runtime_bus == NULL || !g_file_test (runtime_bus, G_FILE_TEST_EXISTS)))
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
      g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
      G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  if (owned)
    return TRUE;

  names = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListActivatableNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL,
                                       NULL);
  if (names != NULL) {
    g_autofree const char **list = NULL;
    g_variant_get (names, "(^a&s)", &list);
    return g_strv_contains (list, "org.freedesktop.secrets");
  }
  return FALSE;
}

/**
 * va_secrets_new_for_backend:
 * @backend: "auto", "libsecret" or "file" (the `secret-backend` setting)
 * @token_dir: the token directory the pepper belongs to
 * @error: return location for a %VA_ERROR
 *
 * "auto" keeps an existing tokens/encryption.key, otherwise uses the
 * Secret Service when one is reachable, otherwise the file.
 *
 * Returns: (transfer full) (nullable): a back end
 */
VaSecrets *
va_secrets_new_for_backend (const char *backend, const char *token_dir, GError **error)
{
  g_autofree char *key_file = NULL;

  g_return_val_if_fail (token_dir != NULL, NULL);

  if (backend == NULL || g_str_equal (backend, "auto")) {
    key_file = g_build_filename (token_dir, VA_SECRETS_FILE_NAME, NULL);
    /* switching an existing installation to another back end would lose
     * its pepper, and with it every key */
    if (!g_file_test (key_file, G_FILE_TEST_EXISTS) && va_secrets_service_is_reachable ())
      return va_secrets_libsecret_new (token_dir);
    return va_secrets_file_new (token_dir);
  }
  if (g_str_equal (backend, "file"))
    return va_secrets_file_new (token_dir);
  if (g_str_equal (backend, "libsecret"))
    return va_secrets_libsecret_new (token_dir);
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "Unknown secret back end “%s” (expected auto, libsecret or file)", backend);
  return NULL;
}
