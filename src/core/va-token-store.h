/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-api-key.h"
#include "va-settings.h"

G_BEGIN_DECLS

#define VA_TOKEN_STORE_FILE_NAME "tokens.json"

/**
 * VaTokenRejection:
 * @VA_TOKEN_REJECTION_NONE: accepted
 * @VA_TOKEN_REJECTION_MALFORMED: not of the form va_api_ + 43 base64url chars
 * @VA_TOKEN_REJECTION_UNKNOWN: no such key (or its record was tampered with)
 * @VA_TOKEN_REJECTION_REVOKED: the key was revoked
 * @VA_TOKEN_REJECTION_EXPIRED: the key expired
 *
 * Why va_token_store_validate() refused a key; the error message says
 * the same in words (with the time for revoked and expired keys).
 */
typedef enum {
  VA_TOKEN_REJECTION_NONE,
  VA_TOKEN_REJECTION_MALFORMED,
  VA_TOKEN_REJECTION_UNKNOWN,
  VA_TOKEN_REJECTION_REVOKED,
  VA_TOKEN_REJECTION_EXPIRED,
} VaTokenRejection;

/**
 * VaTokenRequest:
 * @user_id: owner id (required)
 * @username: owner name (required)
 * @email: owner e-mail (required)
 * @scopes: what the key may do (at least one)
 * @description: (nullable): free text
 * @expires_in_days: lifetime; 0 for the default (`key-expiry-days`);
 *   more than `key-max-expiry-days` is refused
 * @no_expiry: a key that never expires; must be asked for explicitly and
 *   excludes @expires_in_days
 */
typedef struct {
  const char *user_id;
  const char *username;
  const char *email;
  VaScopes scopes;
  const char *description;
  guint expires_in_days;
  gboolean no_expiry;
} VaTokenRequest;

#define VA_TYPE_TOKEN_STORE (va_token_store_get_type ())
G_DECLARE_FINAL_TYPE (VaTokenStore, va_token_store, VA, TOKEN_STORE, GObject)

VaTokenStore *va_token_store_new (const char *token_dir, const char *secret_backend,
                                  GError **error);
VaTokenStore *va_token_store_new_from_settings (VaSettings *settings, GError **error);

const char *va_token_store_get_token_dir (VaTokenStore *self);
const char *va_token_store_get_secret_backend (VaTokenStore *self);
void va_token_store_set_expiry_days (VaTokenStore *self, guint default_days, guint max_days);

VaApiKey *va_token_store_create_key (VaTokenStore *self, const VaTokenRequest *request, char **key,
                                     GError **error);
VaApiKey *va_token_store_validate (VaTokenStore *self, const char *key, VaTokenRejection *rejection,
                                   GError **error);
GPtrArray *va_token_store_list_keys (VaTokenStore *self, GError **error);
VaApiKey *va_token_store_revoke (VaTokenStore *self, const char *key_id_or_prefix,
                                 gboolean *newly_revoked, GError **error);
gboolean va_token_store_revoke_all (VaTokenStore *self, guint *n_revoked, GError **error);
GPtrArray *va_token_store_remove_user_keys (VaTokenStore *self, const char *user_id,
                                            GError **error);
gboolean va_token_store_reload (VaTokenStore *self, GError **error);

G_END_DECLS
