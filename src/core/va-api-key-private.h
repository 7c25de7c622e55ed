/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-api-key.h"
#include "va-crypto.h"

G_BEGIN_DECLS

/* The on-disk record of a key (one element of tokens.json "keys"),
 * shared by VaTokenStore only. */
VaApiKey *va_api_key_new (const char *id, const char *prefix,
                          const guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN], const char *user_id,
                          const char *username, const char *email, VaScopes scopes,
                          const char *description, GDateTime *created_at, GDateTime *expires_at);
VaApiKey *va_api_key_copy (VaApiKey *self);
const guint8 *va_api_key_get_digest (VaApiKey *self);
void va_api_key_revoke (VaApiKey *self, GDateTime *when);
void va_api_key_set_tampered (VaApiKey *self, gboolean tampered);
gboolean va_api_key_get_tampered (VaApiKey *self);

GBytes *va_api_key_canonical_record (VaApiKey *self);
JsonNode *va_api_key_to_record (VaApiKey *self, const guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN]);
VaApiKey *va_api_key_from_record (JsonNode *record, guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN],
                                  GError **error);

G_END_DECLS
