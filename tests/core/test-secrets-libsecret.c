/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-error.h"
#include "va-secrets-factory.h"
#include "va-secrets-file.h"
#include "va-secrets-libsecret.h"
#include "va-token-store.h"
#include "va-test-dir.h"

/* Needs a Secret Service: run through test-secrets-libsecret.sh. */

static void
test_libsecret_pepper (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *other_dir = g_build_filename (dir, "other", NULL);
  g_autoptr (VaSecrets) secrets = va_secrets_libsecret_new (dir);
  g_autoptr (VaSecrets) other = va_secrets_libsecret_new (other_dir);
  g_autoptr (GBytes) pepper = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GBytes) missing = NULL;
  g_autoptr (GError) error = NULL;
  gboolean created = FALSE;

  g_assert_true (va_secrets_service_is_reachable ());
  g_assert_cmpstr (va_secrets_get_name (secrets), ==, "libsecret");

  missing = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  pepper = va_secrets_ensure_pepper (secrets, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpuint (g_bytes_get_size (pepper), ==, VA_SECRETS_PEPPER_LENGTH);
  again = va_secrets_ensure_pepper (secrets, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (g_bytes_equal (pepper, again));

  /* one item per token directory */
  missing = va_secrets_load_pepper (other, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* nothing on disk */
  {
    g_autofree char *key_file = g_build_filename (dir, VA_SECRETS_FILE_NAME, NULL);
    g_assert_false (g_file_test (key_file, G_FILE_TEST_EXISTS));
  }

  g_assert_true (va_secrets_clear_pepper (secrets, &error));
  g_assert_no_error (error);
  missing = va_secrets_load_pepper (secrets, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

static void
test_libsecret_token_store (void)
{
  g_autoptr (VaTestDir) root = va_test_dir_new ();
  g_autofree char *dir = g_build_filename (root, "tokens", NULL);
  g_autofree char *tokens_json = g_build_filename (dir, "tokens.json", NULL);
  g_autofree char *key_file = g_build_filename (dir, VA_SECRETS_FILE_NAME, NULL);
  g_autoptr (VaTokenStore) store = NULL;
  g_autoptr (VaTokenStore) again = NULL;
  g_autoptr (VaTokenStore) wrong = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (VaApiKey) valid = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *contents = NULL;
  VaTokenRequest request = { "u1", "alice", "alice@lab.edu", VA_SCOPE_READ, NULL, 0, FALSE };

  /* auto picks the Secret Service on a fresh installation */
  store = va_token_store_new (dir, "auto", &error);
  g_assert_no_error (error);
  record = va_token_store_create_key (store, &request, &key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_token_store_get_secret_backend (store), ==, "libsecret");
  g_assert_false (g_file_test (key_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (tokens_json, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"secret_backend\" : \"libsecret\""));

  again = va_token_store_new (dir, NULL, &error);
  g_assert_no_error (error);
  valid = va_token_store_validate (again, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_api_key_get_id (valid), ==, va_api_key_get_id (record));

  /* forcing the file back end cannot find the pepper, and says where it is */
  wrong = va_token_store_new (dir, "file", &error);
  g_assert_null (wrong);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "libsecret"));
  g_clear_error (&error);

  /* leave the throwaway keyring clean */
  {
    g_autoptr (VaSecrets) secrets = va_secrets_libsecret_new (va_token_store_get_token_dir (store));
    g_assert_true (va_secrets_clear_pepper (secrets, &error));
    g_assert_no_error (error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secrets/libsecret/pepper", test_libsecret_pepper);
  g_test_add_func ("/secrets/libsecret/token-store", test_libsecret_token_store);
  return g_test_run ();
}
