/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "va-codec.h"
#include "va-crypto.h"
#include "va-error.h"
#include "va-secrets-file.h"
#include "va-serializable.h"
#include "va-token-store-private.h"
#include "va-test-dir.h"

typedef struct {
  char *root;
  char *dir; /* root/tokens, not created in advance */
  char *tokens_json;
  char *key_file;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->root = va_test_dir_new ();
  f->dir = g_build_filename (f->root, "tokens", NULL);
  f->tokens_json = g_build_filename (f->dir, "tokens.json", NULL);
  f->key_file = g_build_filename (f->dir, "encryption.key", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  va_test_dir_remove (f->root);
  g_free (f->root);
  g_free (f->dir);
  g_free (f->tokens_json);
  g_free (f->key_file);
}

static VaTokenStore *
open_store (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  VaTokenStore *store = va_token_store_new (f->dir, "file", &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static VaApiKey *
create (VaTokenStore *store, const char *user, VaScopes scopes, guint days, char **key)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("%s@lab.edu", user);
  VaTokenRequest request = {
    .user_id = user,
    .username = user,
    .email = email,
    .scopes = scopes,
    .description = "test key",
    .expires_in_days = days,
  };
  VaApiKey *record = va_token_store_create_key (store, &request, key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static void
assert_rejected (VaTokenStore *store, const char *key, VaTokenRejection expected,
                 const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  VaTokenRejection rejection = VA_TOKEN_REJECTION_NONE;

  record = va_token_store_validate (store, key, &rejection, &error);
  g_assert_null (record);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_assert_cmpint (rejection, ==, expected);
  if (message != NULL && strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
}

static void
assert_valid (VaTokenStore *store, const char *key, const char *id)
{
  g_autoptr (GError) error = NULL;
  VaTokenRejection rejection = VA_TOKEN_REJECTION_UNKNOWN;
  g_autoptr (VaApiKey) record = va_token_store_validate (store, key, &rejection, &error);

  g_assert_no_error (error);
  g_assert_cmpint (rejection, ==, VA_TOKEN_REJECTION_NONE);
  g_assert_cmpstr (va_api_key_get_id (record), ==, id);
}

static void
write_private (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

static void
test_tokens_create_validate (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autofree char *key = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *pepper_text = NULL;
  g_autofree guchar *pepper = NULL;
  g_autofree char *digest_hex = NULL;
  g_autoptr (GBytes) pepper_bytes = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (GError) error = NULL;
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  gsize pepper_len = 0;
  GStatBuf st;

  /* nothing exists yet: any key is unknown, nothing is created by reads */
  assert_rejected (store, "va_api_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                   VA_TOKEN_REJECTION_UNKNOWN, "Invalid API key");
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
  g_assert_null (va_token_store_get_secret_backend (store));

  record = create (store, "alice", VA_SCOPE_READ | VA_SCOPE_WRITE, 0, &key);
  g_assert_true (g_str_has_prefix (key, "va_api_"));
  g_assert_cmpuint (strlen (key), ==, 50);
  g_assert_true (va_api_key_is_well_formed (key));
  for (const char *p = key + 7; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpuint (strlen (va_api_key_get_prefix (record)), ==, 11);
  g_assert_true (g_str_has_prefix (key, va_api_key_get_prefix (record)));
  g_assert_cmpstr (va_api_key_get_user_id (record), ==, "alice");
  g_assert_cmpstr (va_api_key_get_email (record), ==, "alice@lab.edu");
  g_assert_cmpstr (va_api_key_get_description (record), ==, "test key");
  g_assert_true (va_api_key_has_scope (record, VA_SCOPE_WRITE));
  g_assert_false (va_api_key_has_scope (record, VA_SCOPE_ADMIN));
  g_assert_cmpstr (va_token_store_get_secret_backend (store), ==, "file");

  assert_valid (store, key, va_api_key_get_id (record));

  /* on disk: modes, no raw key, the digest is HMAC-SHA256(pepper, key) */
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (f->tokens_json, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (f->tokens_json, &contents, NULL, NULL));
  g_assert_null (strstr (contents, key + 7));
  g_assert_null (strstr (contents, key + 11));
  g_assert_true (g_file_get_contents (f->key_file, &pepper_text, NULL, NULL));
  pepper = g_base64_decode (pepper_text, &pepper_len);
  pepper_bytes = g_bytes_new (pepper, pepper_len);
  va_crypto_hmac_sha256 (pepper_bytes, key, strlen (key), digest);
  digest_hex = va_crypto_hex_encode (digest, sizeof digest);
  g_assert_nonnull (strstr (contents, digest_hex));

  /* near misses */
  {
    g_autofree char *other = g_strdup (key);
    other[20] = other[20] == 'A' ? 'B' : 'A';
    assert_rejected (store, other, VA_TOKEN_REJECTION_UNKNOWN, "Invalid API key");
  }
  assert_rejected (store, NULL, VA_TOKEN_REJECTION_MALFORMED, "Malformed");
  assert_rejected (store, "", VA_TOKEN_REJECTION_MALFORMED, NULL);
  assert_rejected (store, "va_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                   VA_TOKEN_REJECTION_MALFORMED, NULL);
  assert_rejected (store, "va_api_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                   VA_TOKEN_REJECTION_MALFORMED, NULL);
  {
    g_autofree char *longer = g_strconcat (key, "A", NULL);
    assert_rejected (store, longer, VA_TOKEN_REJECTION_MALFORMED, NULL);
  }

  /* a second store (another process) sees the same key */
  {
    g_autoptr (VaTokenStore) other = open_store (f);
    g_autoptr (GPtrArray) keys = va_token_store_list_keys (other, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, 1);
    assert_valid (other, key, va_api_key_get_id (record));
  }
}

static void
test_tokens_request_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  const VaTokenRequest good = { "u1", "alice", "alice@lab.edu", VA_SCOPE_READ, NULL, 0, FALSE };
  VaTokenRequest bad[] = { good, good, good, good, good, good, good, good };
  g_autoptr (VaApiKey) record = NULL;

  bad[0].user_id = "";
  bad[1].username = NULL;
  bad[2].email = "not-an-address";
  bad[3].scopes = VA_SCOPE_NONE;
  bad[4].description = "line\nbreak";
  bad[5].expires_in_days = 91; /* default maximum is 90 */
  bad[6].no_expiry = TRUE;
  bad[6].expires_in_days = 5;
  bad[7].scopes = 1 << 5;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    record = va_token_store_create_key (store, &bad[i], &key, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_null (record);
    g_assert_null (key);
    g_clear_error (&error);
  }
  /* nothing was written */
  g_assert_false (g_file_test (f->dir, G_FILE_TEST_EXISTS));
}

static void
test_tokens_scopes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  VaScopes scopes = VA_SCOPE_NONE;

  g_assert_true (va_scopes_parse ("read, admin", &scopes, &error));
  g_assert_cmpint (scopes, ==, VA_SCOPE_READ | VA_SCOPE_ADMIN);
  text = va_scopes_to_string (scopes);
  g_assert_cmpstr (text, ==, "read,admin");
  g_assert_false (va_scopes_parse ("read,debug", &scopes, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "debug"));
  g_clear_error (&error);
  g_assert_false (va_scopes_parse (" , ", &scopes, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_tokens_expiry (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *k_default = NULL, *k_ten = NULL, *k_never = NULL, *k_max = NULL;
  g_autoptr (VaApiKey) r_default = create (store, "a", VA_SCOPE_READ, 0, &k_default);
  g_autoptr (VaApiKey) r_ten = create (store, "b", VA_SCOPE_READ, 10, &k_ten);
  g_autoptr (VaApiKey) r_never = NULL;
  g_autoptr (VaApiKey) r_max = NULL;
  g_autoptr (GDateTime) later = NULL;
  g_autofree char *expected = NULL;
  VaTokenRequest never = { "c", "c", "c@lab.edu", VA_SCOPE_READ, NULL, 0, TRUE };
  VaTokenRequest too_long = { "d", "d", "d@lab.edu", VA_SCOPE_READ, NULL, 200, FALSE };

  g_assert_cmpint (g_date_time_difference (va_api_key_get_expires_at (r_default),
                                           va_api_key_get_created_at (r_default)),
                   ==, 90 * G_TIME_SPAN_DAY);
  g_assert_cmpint (
      g_date_time_difference (va_api_key_get_expires_at (r_ten), va_api_key_get_created_at (r_ten)),
      ==, 10 * G_TIME_SPAN_DAY);
  r_never = va_token_store_create_key (store, &never, &k_never, &error);
  g_assert_no_error (error);
  g_assert_null (va_api_key_get_expires_at (r_never));

  /* the limits come from the settings (key-expiry-days, key-max-expiry-days) */
  r_max = va_token_store_create_key (store, &too_long, &k_max, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "key-max-expiry-days"));
  g_clear_error (&error);
  va_token_store_set_expiry_days (store, 30, 365);
  r_max = va_token_store_create_key (store, &too_long, &k_max, &error);
  g_assert_no_error (error);
  g_clear_object (&r_max);
  g_clear_pointer (&k_max, g_free);
  r_max = create (store, "e", VA_SCOPE_READ, 0, &k_max);
  g_assert_cmpint (
      g_date_time_difference (va_api_key_get_expires_at (r_max), va_api_key_get_created_at (r_max)),
      ==, 30 * G_TIME_SPAN_DAY);

  /* eleven days later */
  later = g_date_time_add_days (va_api_key_get_created_at (r_ten), 11);
  va_token_store_set_now (store, later);
  expected = va_codec_format_datetime (va_api_key_get_expires_at (r_ten));
  assert_rejected (store, k_ten, VA_TOKEN_REJECTION_EXPIRED, "expired at");
  assert_rejected (store, k_ten, VA_TOKEN_REJECTION_EXPIRED, expected);
  assert_valid (store, k_default, va_api_key_get_id (r_default));
  assert_valid (store, k_never, va_api_key_get_id (r_never));

  /* exactly at expiry it is expired */
  va_token_store_set_now (store, va_api_key_get_expires_at (r_default));
  assert_rejected (store, k_default, VA_TOKEN_REJECTION_EXPIRED, NULL);
  g_clear_pointer (&later, g_date_time_unref);
  later = g_date_time_add_years (va_api_key_get_created_at (r_never), 10);
  va_token_store_set_now (store, later);
  assert_valid (store, k_never, va_api_key_get_id (r_never));
}

static void
test_tokens_revoke (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *k1 = NULL, *k2 = NULL, *k3 = NULL;
  g_autoptr (VaApiKey) r1 = create (store, "alice", VA_SCOPE_READ, 0, &k1);
  g_autoptr (VaApiKey) r2 = create (store, "bob", VA_SCOPE_WRITE, 0, &k2);
  g_autoptr (VaApiKey) r3 = create (store, "carol", VA_SCOPE_ADMIN, 0, &k3);
  g_autoptr (VaApiKey) revoked = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  gboolean newly = FALSE;

  /* by full key */
  revoked = va_token_store_revoke (store, k1, &newly, &error);
  g_assert_no_error (error);
  g_assert_true (newly);
  g_assert_cmpstr (va_api_key_get_id (revoked), ==, va_api_key_get_id (r1));
  g_assert_true (va_api_key_get_revoked (revoked));
  g_assert_nonnull (va_api_key_get_revoked_at (revoked));
  assert_rejected (store, k1, VA_TOKEN_REJECTION_REVOKED, "was revoked at");
  assert_valid (store, k2, va_api_key_get_id (r2));
  g_clear_object (&revoked);

  /* again: not an error, but not new either */
  revoked = va_token_store_revoke (store, va_api_key_get_id (r1), &newly, &error);
  g_assert_no_error (error);
  g_assert_false (newly);
  g_clear_object (&revoked);

  /* by id */
  revoked = va_token_store_revoke (store, va_api_key_get_id (r2), &newly, &error);
  g_assert_no_error (error);
  g_assert_true (newly);
  assert_rejected (store, k2, VA_TOKEN_REJECTION_REVOKED, NULL);
  g_clear_object (&revoked);

  /* by prefix, also as the logs print it */
  {
    g_autofree char *logged = g_strconcat (va_api_key_get_prefix (r3), "…", NULL);
    revoked = va_token_store_revoke (store, logged, &newly, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (va_api_key_get_id (revoked), ==, va_api_key_get_id (r3));
    assert_rejected (store, k3, VA_TOKEN_REJECTION_REVOKED, NULL);
    g_clear_object (&revoked);
  }

  /* not found */
  revoked = va_token_store_revoke (store, "no-such-id", NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  revoked = va_token_store_revoke (store, "va_api_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  /* never echo a full key */
  g_assert_null (strstr (error->message, "AAAAAAAAAA"));
  g_clear_error (&error);
  revoked = va_token_store_revoke (store, "", NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* ambiguous: a prefix shared by every key lists them all */
  revoked = va_token_store_revoke (store, "va_api_", NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "matches 3 keys"));
  g_assert_nonnull (strstr (error->message, va_api_key_get_id (r1)));
  g_assert_nonnull (strstr (error->message, va_api_key_get_id (r2)));
  g_assert_nonnull (strstr (error->message, va_api_key_get_id (r3)));
  g_clear_error (&error);

  keys = va_token_store_list_keys (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  for (guint i = 0; i < keys->len; i++)
    g_assert_cmpint (va_api_key_get_state (keys->pdata[i], va_api_key_get_created_at (r1)), ==,
                     VA_API_KEY_STATE_REVOKED);
}

/* Keys whose prefixes really collide: create until two share the first
 * character after va_api_ (birthday bound: about ten keys). */
static void
test_tokens_revoke_ambiguous (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) revoked = NULL;
  VaApiKey *a = NULL, *b = NULL;
  g_autofree char *query = NULL;

  for (guint n = 0; n < 200 && a == NULL; n++) {
    g_autofree char *key = NULL;
    VaApiKey *record = create (store, "u", VA_SCOPE_READ, 0, &key);
    for (guint i = 0; i < records->len && a == NULL; i++) {
      if (va_api_key_get_prefix (records->pdata[i])[7] == va_api_key_get_prefix (record)[7]) {
        a = records->pdata[i];
        b = record;
      }
    }
    g_ptr_array_add (records, record);
  }
  g_assert_nonnull (a);
  query = g_strndup (va_api_key_get_prefix (a), 8);
  revoked = va_token_store_revoke (store, query, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, va_api_key_get_id (a)));
  g_assert_nonnull (strstr (error->message, va_api_key_get_id (b)));
  g_assert_nonnull (strstr (error->message, "revoke one by its id"));
  g_clear_error (&error);

  /* the full display prefix of one of them is (almost surely) unique */
  if (strcmp (va_api_key_get_prefix (a), va_api_key_get_prefix (b)) != 0) {
    revoked = va_token_store_revoke (store, va_api_key_get_prefix (a), NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (va_api_key_get_id (revoked), ==, va_api_key_get_id (a));
  }
}

static void
test_tokens_revoke_all (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (GError) error = NULL;
  g_autofree char *k1 = NULL, *k2 = NULL, *k3 = NULL;
  g_autoptr (VaApiKey) r1 = create (store, "a", VA_SCOPE_READ, 0, &k1);
  g_autoptr (VaApiKey) r2 = create (store, "b", VA_SCOPE_READ, 0, &k2);
  g_autoptr (VaApiKey) r3 = create (store, "c", VA_SCOPE_ADMIN, 0, &k3);
  g_autoptr (VaApiKey) revoked = va_token_store_revoke (store, k2, NULL, &error);
  guint count = 0;

  g_assert_no_error (error);
  g_assert_true (va_token_store_revoke_all (store, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  assert_rejected (store, k1, VA_TOKEN_REJECTION_REVOKED, NULL);
  assert_rejected (store, k2, VA_TOKEN_REJECTION_REVOKED, NULL);
  assert_rejected (store, k3, VA_TOKEN_REJECTION_REVOKED, NULL);
  g_assert_true (va_token_store_revoke_all (store, &count, &error));
  g_assert_cmpuint (count, ==, 0);
}

static void
test_tokens_permissions (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (VaTokenStore) other = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *quoted = NULL;
  struct {
    const char *path;
    int bad_mode, good_mode;
    const char *fix;
  } cases[] = {
    { f->tokens_json, 0644, 0600, "chmod 600" }, { f->tokens_json, 0660, 0600, "chmod 600" },
    { f->key_file, 0640, 0600, "chmod 600" },    { f->dir, 0755, 0700, "chmod 700" },
    { f->dir, 0770, 0700, "chmod 700" },
  };

  record = create (store, "alice", VA_SCOPE_READ, 0, &key);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_chmod (cases[i].path, cases[i].bad_mode);
    other = va_token_store_new (f->dir, "file", &error);
    g_assert_null (other);
    g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
    quoted = g_shell_quote (cases[i].path);
    if (strstr (error->message, cases[i].fix) == NULL || strstr (error->message, quoted) == NULL)
      g_error ("message lacks the fix: %s", error->message);
    g_clear_pointer (&quoted, g_free);
    g_clear_error (&error);

    /* a running store fails closed until the mode is fixed */
    g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*refused until the key store loads*");
    g_assert_null (va_token_store_validate (store, key, NULL, &error));
    g_test_assert_expected_messages ();
    g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
    g_assert_nonnull (strstr (error->message, cases[i].fix));
    g_clear_error (&error);

    g_chmod (cases[i].path, cases[i].good_mode);
    assert_valid (store, key, va_api_key_get_id (record));
  }
}

static void
test_tokens_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (VaTokenStore) reader = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (VaApiKey) revoked = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autoptr (GDir) listing = NULL;
  const char *name;
  guint n_files = 0;

  record = create (store, "alice", VA_SCOPE_READ, 0, &key);
  g_clear_object (&store);
  /* like a mounted secret: files 0400, directory 0500, lock file gone */
  {
    g_autofree char *lock = g_build_filename (f->dir, ".tokens.lock", NULL);
    g_unlink (lock);
  }
  g_chmod (f->tokens_json, 0400);
  g_chmod (f->key_file, 0400);
  g_chmod (f->dir, 0500);

  reader = open_store (f);
  assert_valid (reader, key, va_api_key_get_id (record));
  keys = va_token_store_list_keys (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);

  /* reading created nothing (no lock, no temporary files) */
  listing = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL) {
    g_assert_true (g_str_equal (name, "tokens.json") || g_str_equal (name, "encryption.key"));
    n_files++;
  }
  g_assert_cmpuint (n_files, ==, 2);

  if (geteuid () != 0) {
    revoked = va_token_store_revoke (reader, key, NULL, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
    g_assert_nonnull (strstr (error->message, "read-only"));
    assert_valid (reader, key, va_api_key_get_id (record));
  } else {
    g_test_message ("running as root: a 0500 directory is writable, write refusal not checked");
  }
}

static void
test_tokens_reload_on_validate (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) server = open_store (f);
  g_autoptr (VaTokenStore) cli = open_store (f);
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (VaApiKey) revoked = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  gint64 start;

  /* no main loop runs here: the stat check alone must catch up */
  record = create (cli, "alice", VA_SCOPE_READ, 0, &key);
  assert_valid (server, key, va_api_key_get_id (record));

  start = g_get_monotonic_time ();
  revoked = va_token_store_revoke (cli, va_api_key_get_prefix (record), NULL, &error);
  g_assert_no_error (error);
  assert_rejected (server, key, VA_TOKEN_REJECTION_REVOKED, NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* a replaced file with the same size is still noticed */
  {
    g_autofree char *key2 = NULL;
    g_autoptr (VaApiKey) r2 = create (cli, "bob", VA_SCOPE_READ, 0, &key2);
    assert_valid (server, key2, va_api_key_get_id (r2));
    g_assert_true (va_token_store_revoke_all (cli, NULL, &error));
    assert_rejected (server, key2, VA_TOKEN_REJECTION_REVOKED, NULL);
  }
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
changed_cb (VaTokenStore *store, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static void
test_tokens_reload_monitor (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) server = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autofree char *key = NULL;
  g_autofree char *revoked_id = NULL;
  gboolean timed_out = FALSE;
  guint changes = 0;
  guint timeout_id;
  gint64 start;

  /* the key exists before the server starts */
  {
    g_autoptr (VaTokenStore) setup = open_store (f);
    record = create (setup, "alice", VA_SCOPE_READ, 0, &key);
  }
  server = open_store (f);
  g_signal_connect (server, "changed", G_CALLBACK (changed_cb), &changes);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  changes = 0;

  /* the `token revoke` command, in another process */
  {
    g_autoptr (GSubprocess) proc = NULL;
    const char *cli = g_getenv ("VA_TEST_VIDEOANNOTATOR");
    if (cli != NULL) {
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, cli, "token", "revoke",
                               va_api_key_get_id (record), "--data-dir", f->root,
                               "--secret-backend", "file", NULL);
      g_assert_no_error (error);
      g_subprocess_wait_check (proc, NULL, &error);
      g_assert_no_error (error);
    } else {
      g_autoptr (VaTokenStore) cli = open_store (f);
      g_autoptr (VaApiKey) revoked = va_token_store_revoke (cli, key, NULL, &error);
      g_assert_no_error (error);
    }
  }

  start = g_get_monotonic_time ();
  timeout_id = g_timeout_add (1000, timeout_cb, &timed_out);
  while (changes == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
  g_test_message ("change noticed after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);

  /* the monitor reloaded: the listing already shows the revocation */
  keys = va_token_store_list_keys (server, &error);
  g_assert_no_error (error);
  g_assert_true (va_api_key_get_revoked (keys->pdata[0]));
  assert_rejected (server, key, VA_TOKEN_REJECTION_REVOKED, NULL);
}

static char *
replace_once (const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, from);
  GString *out;

  g_assert_nonnull (at);
  out = g_string_new_len (text, at - text);
  g_string_append (out, to);
  g_string_append (out, at + strlen (from));
  return g_string_free (out, FALSE);
}

static void
test_tokens_tamper (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (VaApiKey) other_record = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *original = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *digest_prefix = NULL;
  const char *digest_at;

  record = create (store, "alice", VA_SCOPE_READ, 0, &key);
  g_assert_true (g_file_get_contents (f->tokens_json, &original, NULL, NULL));

  /* 1. an edited digest: the key no longer matches anything */
  /* the record's digest, not the file's "digest": "hmac-sha256" */
  digest_at = strstr (strstr (original, "\"keys\""), "\"digest\" : \"");
  g_assert_nonnull (digest_at);
  digest_at += strlen ("\"digest\" : \"");
  digest_prefix = g_strndup (digest_at, 8);
  edited
      = replace_once (original, digest_prefix, digest_prefix[0] == '0' ? "11111111" : "00000000");
  write_private (f->tokens_json, edited);
  g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
  assert_rejected (store, key, VA_TOKEN_REJECTION_UNKNOWN, "Invalid API key");
  g_test_assert_expected_messages ();
  g_clear_pointer (&edited, g_free);

  /* 2. raised scopes with the original digest: the record MAC fails */
  edited = replace_once (original, "\"read\"", "\"read\", \"admin\"");
  write_private (f->tokens_json, edited);
  g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
  assert_rejected (store, key, VA_TOKEN_REJECTION_UNKNOWN, "Invalid API key");
  g_test_assert_expected_messages ();
  keys = va_token_store_list_keys (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_api_key_get_state (keys->pdata[0], va_api_key_get_created_at (record)), ==,
                   VA_API_KEY_STATE_TAMPERED);
  g_clear_pointer (&keys, g_ptr_array_unref);

  /* 3. rewriting the file for another change keeps the record invalid */
  g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
  g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
  other_record = create (store, "bob", VA_SCOPE_READ, 0, &other_key);
  g_test_assert_expected_messages ();
  g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
  {
    g_autoptr (VaTokenStore) fresh = open_store (f);
    g_test_assert_expected_messages ();
    assert_rejected (fresh, key, VA_TOKEN_REJECTION_UNKNOWN, NULL);
    assert_valid (fresh, other_key, va_api_key_get_id (other_record));
  }

  /* 4. un-revoking by hand does not work either */
  {
    g_autoptr (VaTokenStore) clean = NULL;
    g_autoptr (VaApiKey) revoked = NULL;
    g_autofree char *revoked_text = NULL;
    g_autofree char *unrevoked = NULL;

    write_private (f->tokens_json, original);
    clean = open_store (f);
    assert_valid (clean, key, va_api_key_get_id (record));
    revoked = va_token_store_revoke (clean, key, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (f->tokens_json, &revoked_text, NULL, NULL));
    unrevoked = replace_once (revoked_text, "\"revoked\" : true", "\"revoked\" : false");
    write_private (f->tokens_json, unrevoked);
    g_test_expect_message ("VaCore", G_LOG_LEVEL_WARNING, "*fails its integrity check*");
    assert_rejected (clean, key, VA_TOKEN_REJECTION_UNKNOWN, NULL);
    g_test_assert_expected_messages ();
  }
}

static void
test_tokens_broken_store (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (VaTokenStore) other = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *saved = NULL;

  record = create (store, "alice", VA_SCOPE_READ, 0, &key);

  /* pepper gone: refuse to start rather than treat every key as unknown */
  g_assert_true (g_file_get_contents (f->key_file, &saved, NULL, NULL));
  g_unlink (f->key_file);
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_null (other);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "pepper"));
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);
  /* and never mint a new pepper over existing keys */
  {
    g_autofree char *k = NULL;
    VaTokenRequest request = { "b", "b", "b@lab.edu", VA_SCOPE_READ, NULL, 0, FALSE };
    g_autoptr (VaApiKey) r = va_token_store_create_key (store, &request, &k, &error);
    g_assert_null (r);
    g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
    g_clear_error (&error);
    g_assert_false (g_file_test (f->key_file, G_FILE_TEST_EXISTS));
  }
  write_private (f->key_file, saved);

  /* corrupt JSON */
  write_private (f->tokens_json, "{ \"format\": 1, \"keys\": [ {\"id\": 3 ");
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "corrupt"));
  g_clear_error (&error);
  write_private (f->tokens_json, "{ \"format\": 7, \"keys\": [] }");
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "format"));
  g_clear_error (&error);
  write_private (f->tokens_json, "{ \"format\": 1, \"keys\": [ { \"id\": \"x\" } ] }");
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_clear_error (&error);
  write_private (f->tokens_json, "{ \"format\": 1, \"digest\": \"md5\", \"keys\": [] }");
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "md5"));
  g_clear_error (&error);
  write_private (f->tokens_json, "{ \"format\": 1, \"keys\": [ { \"id\": \"x\" } ] }");
  other = va_token_store_new (f->dir, "file", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_clear_error (&error);

  other = va_token_store_new (f->dir, "keychain", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_tokens_serialize (Fixture *f, gconstpointer data)
{
  g_autoptr (VaTokenStore) store = open_store (f);
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (GVariant) variant = NULL;
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GDateTime) used = g_date_time_new_utc (2024, 5, 1, 0, 0, 0);
  JsonObject *obj;

  record = create (store, "alice", VA_SCOPE_READ | VA_SCOPE_ADMIN, 0, &key);
  va_api_key_set_usage (record, used, 7);
  json = va_codec_to_json (VA_SERIALIZABLE (record));
  variant = va_codec_to_variant (VA_SERIALIZABLE (record));
  obj = json_node_get_object (json);
  text = json_to_string (json, FALSE);
  /* metadata only: nothing secret-derived */
  g_assert_null (strstr (text, key + 11));
  g_assert_false (json_object_has_member (obj, "digest"));
  g_assert_false (json_object_has_member (obj, "mac"));
  g_assert_cmpstr (json_object_get_string_member (obj, "prefix"), ==,
                   va_api_key_get_prefix (record));
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (obj, "last_used_at"), ==,
                   "2024-05-01T00:00:00.000000Z");
  g_assert_cmpint (json_object_get_int_member (obj, "request_count"), ==, 7);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "scopes")), ==, 2);
  g_assert_true (g_variant_lookup (variant, "state", "&s", NULL));
  g_assert_false (g_variant_lookup (variant, "revoked_at", "&s", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/tokens/create-validate", test_tokens_create_validate);
  ADD ("/tokens/request-errors", test_tokens_request_errors);
  g_test_add_func ("/tokens/scopes", test_tokens_scopes);
  ADD ("/tokens/expiry", test_tokens_expiry);
  ADD ("/tokens/revoke", test_tokens_revoke);
  ADD ("/tokens/revoke-ambiguous", test_tokens_revoke_ambiguous);
  ADD ("/tokens/revoke-all", test_tokens_revoke_all);
  ADD ("/tokens/permissions", test_tokens_permissions);
  ADD ("/tokens/read-only", test_tokens_read_only);
  ADD ("/tokens/reload-on-validate", test_tokens_reload_on_validate);
  ADD ("/tokens/reload-monitor", test_tokens_reload_monitor);
  ADD ("/tokens/tamper", test_tokens_tamper);
  ADD ("/tokens/broken-store", test_tokens_broken_store);
  ADD ("/tokens/serialize", test_tokens_serialize);
#undef ADD
  return g_test_run ();
}
