/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VA_CRYPTO_HMAC_SHA256_LEN 32

gboolean va_crypto_random_bytes (guint8 *buffer, gsize length, GError **error);
char *va_crypto_base64url_encode (const guint8 *data, gsize length);
gboolean va_crypto_equal (const guint8 *a, const guint8 *b, gsize length);
void va_crypto_hmac_sha256 (GBytes *key, const void *data, gsize length,
                            guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN]);
char *va_crypto_hex_encode (const guint8 *data, gsize length);
gboolean va_crypto_hex_decode (const char *hex, guint8 *out, gsize length);

G_END_DECLS
