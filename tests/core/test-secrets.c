/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-crypto.h"
#include "va-error.h"
#include "va-secrets-factory.h"
#include "va-secrets-file.h"
#include "va-secrets.h"
#include "va-secure-file.h"
#include "va-test-dir.h"

static void
test_crypto_base64url (void)
{
  /* RFC 4648 §10 vectors, without padding, plus the two characters that
   * differ from standard base64 */
  const struct {
    const char *in, *out;
  } vectors[] = {
    { "", "" },           { "f", "Zg" },          { "fo", "Zm8" },          { "foo", "Zm9v" },
    { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
  };
  const guint8 special[] = { 0xfb, 0xff, 0xbf };
  guint8 random[32];
  g_autofree char *enc = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++) {
    g_autofree char *out
        = va_crypto_base64url_encode ((const guint8 *)vectors[i].in, strlen (vectors[i].in));
    g_assert_cmpstr (out, ==, vectors[i].out);
  }
  enc = va_crypto_base64url_encode (special, sizeof special);
  g_assert_cmpstr (enc, ==, "-_-_");
  g_clear_pointer (&enc, g_free);

  g_assert_true (va_crypto_random_bytes (random, sizeof random, NULL));
  enc = va_crypto_base64url_encode (random, sizeof random);
  g_assert_cmpuint (strlen (enc), ==, 43);
}

static void
test_crypto_random (void)
{
  guint8 a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (va_crypto_random_bytes (a, sizeof a, &error));
  g_assert_no_error (error);
  g_assert_true (va_crypto_random_bytes (b, sizeof b, &error));
  /* 2^-256 chance of a false failure */
  g_assert_false (va_crypto_equal (a, b, sizeof a));
  g_assert_false (va_crypto_equal (a, zero, sizeof a));
}

static void
test_crypto_hmac_hex (void)
{
  /* RFC 4231 test case 2 */
  g_autoptr (GBytes) key = g_bytes_new_static ("Jefe", 4);
  const char *data = "what do ya want for nothing?";
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  guint8 back[VA_CRYPTO_HMAC_SHA256_LEN];
  g_autofree char *hex = NULL;

  va_crypto_hmac_sha256 (key, data, strlen (data), digest);
  hex = va_crypto_hex_encode (digest, sizeof digest);
  g_assert_cmpstr (hex, ==, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  g_assert_true (va_crypto_hex_decode (hex, back, sizeof back));
  g_assert_true (va_crypto_equal (digest, back, sizeof back));
  g_assert_true (va_crypto_hex_decode ("00FFaa", back, 3));
  g_assert_cmpuint (back[1], ==, 0xff);
  g_assert_false (va_crypto_hex_decode ("00ff", back, 3));
  g_assert_false (va_crypto_hex_decode ("00fg00", back, 3));
  g_assert_false (va_crypto_hex_decode (NULL, back, 3));
  back[31] ^= 1;
  g_assert_false (va_crypto_equal (digest, back, sizeof back));
}

static void
test_secure_file (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *sub = g_build_filename (dir, "a", "tokens", NULL);
  g_autofree char *file = g_build_filename (sub, "f", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  g_assert_true (va_secure_file_ensure_dir (sub, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (sub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_true (va_secure_file_write (file, "one", 3, &error));
  g_assert_true (va_secure_file_write (file, "two", 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "two");
  g_assert_true (va_secure_file_check_private (file, FALSE, &error));

  g_chmod (file, 0604);
  g_assert_false (va_secure_file_check_private (file, FALSE, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "readable by group or others"));
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_assert_nonnull (strstr (error->message, file));
  g_clear_error (&error);
  g_chmod (file, 0620);
  g_assert_false (va_secure_file_check_private (file, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "writable by group or others"));
  g_clear_error (&error);
  g_assert_false (va_secure_file_check_private (sub, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);

  g_chmod (sub, 0750);
  g_assert_false (va_secure_file_ensure_dir (sub, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "chmod 700"));
  g_clear_error (&error);

  g_assert_false (va_secure_file_check_private ("/nonexistent/x", FALSE, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_secrets_file (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *tokens = g_build_filename (dir, "tokens", NULL);
  g_autofree char *key_file = g_build_filename (tokens, VA_SECRETS_FILE_NAME, NULL);
  g_autoptr (VaSecrets) secrets = va_secrets_file_new (tokens);
  g_autoptr (GBytes) pepper = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guchar *decoded = NULL;
  gboolean created = FALSE;
  gsize length = 0;
  GStatBuf st;

  g_assert_cmpstr (va_secrets_get_name (secrets), ==, "file");
  g_assert_cmpstr (va_secrets_get_token_dir (secrets), ==, tokens);
  pepper = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_null (pepper);
  g_clear_error (&error);

  pepper = va_secrets_ensure_pepper (secrets, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpuint (g_bytes_get_size (pepper), ==, VA_SECRETS_PEPPER_LENGTH);
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (tokens, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  /* base64 text, one line */
  g_assert_true (g_file_get_contents (key_file, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  decoded = g_base64_decode (contents, &length);
  g_assert_cmpmem (decoded, length, g_bytes_get_data (pepper, NULL), VA_SECRETS_PEPPER_LENGTH);

  again = va_secrets_ensure_pepper (secrets, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (g_bytes_equal (pepper, again));

  /* a readable pepper is refused, with the fix */
  g_chmod (key_file, 0644);
  g_clear_pointer (&again, g_bytes_unref);
  again = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, key_file));
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);
  g_chmod (key_file, 0600);
  g_chmod (tokens, 0711);
  again = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "chmod 700"));
  g_clear_error (&error);
  g_chmod (tokens, 0700);

  /* corrupt: wrong length */
  g_assert_true (g_file_set_contents_full (key_file, "c2hvcnQ=\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  again = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "corrupt"));
  g_clear_error (&error);
  /* ensure must not overwrite a corrupt pepper (that would orphan keys) */
  again = va_secrets_ensure_pepper (secrets, &created, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_clear_error (&error);

  g_assert_true (va_secrets_clear_pepper (secrets, &error));
  g_assert_false (g_file_test (key_file, G_FILE_TEST_EXISTS));
  g_assert_true (va_secrets_clear_pepper (secrets, &error));
  g_assert_no_error (error);
}

static void
test_secrets_factory (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (VaSecrets) file = NULL;
  g_autoptr (VaSecrets) lib = NULL;
  g_autoptr (VaSecrets) automatic = NULL;
  g_autoptr (VaSecrets) bogus = NULL;
  g_autoptr (GBytes) pepper = NULL;
  g_autoptr (GError) error = NULL;

  file = va_secrets_new_for_backend ("file", dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_secrets_get_name (file), ==, "file");
  lib = va_secrets_new_for_backend ("libsecret", dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_secrets_get_name (lib), ==, "libsecret");
  bogus = va_secrets_new_for_backend ("keychain", dir, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (bogus);
  g_clear_error (&error);

  /* an existing encryption.key keeps "auto" on the file, whatever runs */
  g_chmod (dir, 0700);
  pepper = va_secrets_ensure_pepper (file, NULL, &error);
  g_assert_no_error (error);
  automatic = va_secrets_new_for_backend ("auto", dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_secrets_get_name (automatic), ==, "file");
  g_clear_object (&automatic);
  g_assert_true (va_secrets_clear_pepper (file, NULL));

  /* without one, auto follows the Secret Service's presence */
  automatic = va_secrets_new_for_backend (NULL, dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_secrets_get_name (automatic), ==,
                   va_secrets_service_is_reachable () ? "libsecret" : "file");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crypto/base64url", test_crypto_base64url);
  g_test_add_func ("/crypto/random", test_crypto_random);
  g_test_add_func ("/crypto/hmac-hex", test_crypto_hmac_hex);
  g_test_add_func ("/secure-file", test_secure_file);
  g_test_add_func ("/secrets/file", test_secrets_file);
  g_test_add_func ("/secrets/factory", test_secrets_factory);
  return g_test_run ();
}
