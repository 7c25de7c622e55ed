/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fuzz.h"
#include "va-api-key-private.h"
#include "va-token-store-private.h"

/* tokens.json as VaTokenStore reads it (va_token_store_parse() and
 * va_api_key_from_record()): the file is private to the service, but a
 * damaged, truncated or hand-edited one must be refused with an error,
 * never crash the server. Every key that parses is written back as a
 * record and must read back to the same canonical form, since that form
 * is what the record MAC covers. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

static GBytes *
va_fuzz_round_trip (VaApiKey *key, const guint8 *mac)
{
  g_autoptr (JsonNode) record = va_api_key_to_record (key, mac);
  g_autoptr (GError) error = NULL;
  guint8 mac_again[VA_CRYPTO_HMAC_SHA256_LEN];
  g_autoptr (VaApiKey) again = va_api_key_from_record (record, mac_again, &error);

  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpmem (mac, VA_CRYPTO_HMAC_SHA256_LEN, mac_again, VA_CRYPTO_HMAC_SHA256_LEN);
  return va_api_key_canonical_record (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GPtrArray) macs = NULL;
  g_autofree char *backend = NULL;
  g_autoptr (GError) error = NULL;

  if (!va_token_store_parse ("tokens.json", (const char *)data, size, &keys, &macs, &backend,
                             &error)) {
    g_assert_nonnull (error);
    g_assert_null (keys);
    g_assert_null (backend);
    return 0;
  }
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, macs->len);
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    g_autoptr (GBytes) canonical = va_api_key_canonical_record (key);
    g_autoptr (GBytes) again = va_fuzz_round_trip (key, g_ptr_array_index (macs, i));

    g_assert_true (g_bytes_equal (canonical, again));
  }
  return 0;
}
