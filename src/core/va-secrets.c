/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "va-crypto.h"
#include "va-error.h"
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
