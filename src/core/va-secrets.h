/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* bytes of the secret that keys are hashed with */
#define VA_SECRETS_PEPPER_LENGTH 32

#define VA_TYPE_SECRETS (va_secrets_get_type ())
G_DECLARE_DERIVABLE_TYPE (VaSecrets, va_secrets, VA, SECRETS, GObject)

/**
 * VaSecretsClass:
 * @lookup: return the stored pepper, or %NULL with %VA_ERROR_NOT_FOUND
 * @store: store (or replace) the pepper
 * @clear: forget the pepper; not an error when there is none
 *
 * Where the token pepper lives. Back ends: #VaSecretsFile
 * (tokens/encryption.key) and #VaSecretsLibsecret (the Secret Service).
 */
struct _VaSecretsClass {
  GObjectClass parent_class;

  const char *name;
  GBytes *(*lookup) (VaSecrets *self, GError **error);
  gboolean (*store) (VaSecrets *self, GBytes *pepper, GError **error);
  gboolean (*clear) (VaSecrets *self, GError **error);
};

const char *va_secrets_get_name (VaSecrets *self);
const char *va_secrets_get_token_dir (VaSecrets *self);
GBytes *va_secrets_load_pepper (VaSecrets *self, GError **error);
gboolean va_secrets_store_pepper (VaSecrets *self, GBytes *pepper, GError **error);
GBytes *va_secrets_ensure_pepper (VaSecrets *self, gboolean *created, GError **error);
gboolean va_secrets_clear_pepper (VaSecrets *self, GError **error);

G_END_DECLS
