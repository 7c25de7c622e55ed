/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "va-crypto.h"
#include "va-error.h"
#include "va-secrets-file.h"
#include "va-secrets-libsecret.h"
#include "va-secrets.h"

/**
 * VaSecrets:
 *
 * Keeps the token pepper: 32 random bytes that every API key digest is
 * keyed with (HMAC-SHA256), so a stolen tokens.json alone cannot be
 * brute-forced offline. Each back end is bound to one token directory.
 */
typedef struct {
  char *token_dir;
} VaSecretsPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VaSecrets, va_secrets, G_TYPE_OBJECT)

enum { PROP_0, PROP_TOKEN_DIR, N_PROPS };

static GParamSpec *properties[N_PROPS];

static void
va_secrets_finalize (GObject *object)
{
  VaSecretsPrivate *priv = va_secrets_get_instance_private (VA_SECRETS (object));

  g_free (priv->token_dir);
  G_OBJECT_CLASS (va_secrets_parent_class)->finalize (object);
}

static void
va_secrets_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaSecretsPrivate *priv = va_secrets_get_instance_private (VA_SECRETS (object));

  switch (prop_id) {
  case PROP_TOKEN_DIR:
    g_value_set_string (value, priv->token_dir);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_secrets_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaSecretsPrivate *priv = va_secrets_get_instance_private (VA_SECRETS (object));

  switch (prop_id) {
  case PROP_TOKEN_DIR:
    priv->token_dir = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_secrets_class_init (VaSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = va_secrets_finalize;
  object_class->get_property = va_secrets_get_property;
  object_class->set_property = va_secrets_set_property;

  properties[PROP_TOKEN_DIR]
      = g_param_spec_string ("token-dir", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_secrets_init (VaSecrets *self)
{
}

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

/* "file" or "libsecret": what tokens.json records and settings name */
const char *
va_secrets_get_name (VaSecrets *self)
{
  g_return_val_if_fail (VA_IS_SECRETS (self), NULL);
  return VA_SECRETS_GET_CLASS (self)->name;
}

const char *
va_secrets_get_token_dir (VaSecrets *self)
{
  VaSecretsPrivate *priv = va_secrets_get_instance_private (self);

  g_return_val_if_fail (VA_IS_SECRETS (self), NULL);
  return priv->token_dir;
}

/**
 * va_secrets_load_pepper:
 *
 * Returns: (transfer full) (nullable): the pepper, or %NULL with
 *   %VA_ERROR_NOT_FOUND when none is stored
 */
GBytes *
va_secrets_load_pepper (VaSecrets *self, GError **error)
{
  g_autoptr (GBytes) pepper = NULL;

  g_return_val_if_fail (VA_IS_SECRETS (self), NULL);

  pepper = VA_SECRETS_GET_CLASS (self)->lookup (self, error);
  if (pepper == NULL)
    return NULL;
  if (g_bytes_get_size (pepper) != VA_SECRETS_PEPPER_LENGTH) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "The token pepper in the %s back end is corrupt (%" G_GSIZE_FORMAT
                 " bytes instead of %d)",
                 va_secrets_get_name (self), g_bytes_get_size (pepper), VA_SECRETS_PEPPER_LENGTH);
    return NULL;
  }
  return g_steal_pointer (&pepper);
}

gboolean
va_secrets_store_pepper (VaSecrets *self, GBytes *pepper, GError **error)
{
  g_return_val_if_fail (VA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (pepper != NULL, FALSE);
  g_return_val_if_fail (g_bytes_get_size (pepper) == VA_SECRETS_PEPPER_LENGTH, FALSE);

  return VA_SECRETS_GET_CLASS (self)->store (self, pepper, error);
}

gboolean
va_secrets_clear_pepper (VaSecrets *self, GError **error)
{
  g_return_val_if_fail (VA_IS_SECRETS (self), FALSE);
  return VA_SECRETS_GET_CLASS (self)->clear (self, error);
}

/**
 * va_secrets_ensure_pepper:
 * @self: a back end
 * @created: (out) (optional): whether a new pepper was made
 * @error: return location for a %VA_ERROR
 *
 * Loads the pepper, or creates one from the OS CSPRNG and stores it.
 *
 * Returns: (transfer full) (nullable): the pepper
 */
GBytes *
va_secrets_ensure_pepper (VaSecrets *self, gboolean *created, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) pepper = NULL;
  guint8 *data;

  g_return_val_if_fail (VA_IS_SECRETS (self), NULL);

  if (created != NULL)
    *created = FALSE;
  pepper = va_secrets_load_pepper (self, &local_error);
  if (pepper != NULL)
    return g_steal_pointer (&pepper);
  if (!g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }

  data = g_malloc (VA_SECRETS_PEPPER_LENGTH);
  if (!va_crypto_random_bytes (data, VA_SECRETS_PEPPER_LENGTH, error)) {
    g_free (data);
    return NULL;
  }
  pepper = g_bytes_new_take (data, VA_SECRETS_PEPPER_LENGTH);
  if (!va_secrets_store_pepper (self, pepper, error))
    return NULL;
  if (created != NULL)
    *created = TRUE;
  return g_steal_pointer (&pepper);
}
