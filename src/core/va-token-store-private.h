/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-token-store.h"

G_BEGIN_DECLS

/* Tests only: judge expiry at @now instead of the clock (NULL: clock). */
void va_token_store_set_now (VaTokenStore *self, GDateTime *now);

/* The tokens.json parser without the file checks (fuzzing); @name is the
 * file as error messages show it. On success @keys holds VaApiKey and
 * @macs the record MACs (VA_CRYPTO_HMAC_SHA256_LEN bytes each). */
gboolean va_token_store_parse (const char *name, const char *contents, gsize length,
                               GPtrArray **keys, GPtrArray **macs, char **recorded_backend,
                               GError **error);

G_END_DECLS
