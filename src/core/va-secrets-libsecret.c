/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "va-error.h"
#include "va-secrets-libsecret.h"

/**
 * VaSecretsLibsecret:
 *
 * The pepper as an item of the Secret Service (the desktop keyring),
 * one item per token directory, so two data directories of one user
 * never share or overwrite each other's pepper.
 */
struct _VaSecretsLibsecret {
  VaSecrets parent_instance;
};

G_DEFINE_FINAL_TYPE (VaSecretsLibsecret, va_secrets_libsecret, VA_TYPE_SECRETS)

static const SecretSchema *
va_secrets_libsecret_schema (void)
{
  static const SecretSchema schema = {
    .name = "org.videoannotator.VideoAnnotator.TokenPepper",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { "token-dir", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  return &schema;
}

/* D-Bus and libsecret errors become one VA_ERROR with context */
static void
va_secrets_libsecret_set_error (GError **error, GError *cause, const char *what)
{
  g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Secret Service: %s: %s", what,
               cause != NULL ? cause->message : "unknown error");
}

static GBytes *
va_secrets_libsecret_lookup (VaSecrets *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  char *encoded;
  guchar *decoded;
  gsize length = 0;

  encoded = secret_password_lookup_sync (va_secrets_libsecret_schema (), NULL, &local_error,
                                         "token-dir", va_secrets_get_token_dir (self), NULL);
  if (local_error != NULL) {
    va_secrets_libsecret_set_error (error, local_error, "cannot read the token pepper");
    return NULL;
  }
  if (encoded == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND,
                 "The Secret Service has no token pepper for %s", va_secrets_get_token_dir (self));
    return NULL;
  }
  decoded = g_base64_decode (encoded, &length);
  secret_password_free (encoded);
  return g_bytes_new_take (decoded, length);
}

static gboolean
va_secrets_libsecret_store (VaSecrets *self, GBytes *pepper, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *encoded = NULL;
  gsize length;
  const guchar *data = g_bytes_get_data (pepper, &length);
  gboolean ok;

  encoded = g_base64_encode (data, length);
  label = g_strdup_printf ("VideoAnnotator API key pepper (%s)", va_secrets_get_token_dir (self));
  ok = secret_password_store_sync (va_secrets_libsecret_schema (), SECRET_COLLECTION_DEFAULT, label,
                                   encoded, NULL, &local_error, "token-dir",
                                   va_secrets_get_token_dir (self), NULL);
  memset (encoded, 0, strlen (encoded));
  if (!ok) {
    va_secrets_libsecret_set_error (error, local_error, "cannot store the token pepper");
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_secrets_libsecret_clear (VaSecrets *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  secret_password_clear_sync (va_secrets_libsecret_schema (), NULL, &local_error, "token-dir",
                              va_secrets_get_token_dir (self), NULL);
  if (local_error != NULL) {
    va_secrets_libsecret_set_error (error, local_error, "cannot remove the token pepper");
    return FALSE;
  }
  return TRUE;
}

static void
va_secrets_libsecret_class_init (VaSecretsLibsecretClass *klass)
{
  VaSecretsClass *secrets_class = VA_SECRETS_CLASS (klass);

  secrets_class->name = "libsecret";
  secrets_class->lookup = va_secrets_libsecret_lookup;
  secrets_class->store = va_secrets_libsecret_store;
  secrets_class->clear = va_secrets_libsecret_clear;
}

static void
va_secrets_libsecret_init (VaSecretsLibsecret *self)
{
}

/**
 * va_secrets_libsecret_new:
 * @token_dir: the token directory the pepper belongs to
 *
 * Returns: (transfer full): the Secret Service back end
 */
VaSecrets *
va_secrets_libsecret_new (const char *token_dir)
{
  g_return_val_if_fail (token_dir != NULL, NULL);
  return g_object_new (VA_TYPE_SECRETS_LIBSECRET, "token-dir", token_dir, NULL);
}
