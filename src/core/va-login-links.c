/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "va-crypto.h"
#include "va-error.h"
#include "va-login-links.h"
#include "va-secure-file.h"

/* One-time login links (`videoannotator web-link`): a local user who can
 * read the key store mints a short-lived, single-use token; the web UI
 * gets it in the URL fragment (never sent to a server, never logged) and
 * exchanges it with POST /api/v1/auth/login-link for a session key: an
 * ordinary API key that expires after a day, listed and revocable like
 * any other.
 *
 * The CLI and the server are different processes, so pending links live
 * next to the keys: one file per link in `<token-dir>/login-links/`,
 * named after the SHA-256 of the token (the token itself is stored
 * nowhere). Redeeming renames the file away first: of two concurrent
 * redeemers only one rename succeeds, which makes a link single use
 * without a lock. */

#define VA_LOGIN_LINKS_DIR "login-links"
#define VA_LOGIN_LINKS_MAX 32
#define VA_LOGIN_LINK_RANDOM_CHARS 43

static char *
va_login_links_dir (VaTokenStore *store)
{
  return g_build_filename (va_token_store_get_token_dir (store), VA_LOGIN_LINKS_DIR, NULL);
}

static JsonObject *
va_login_link_read (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

/* Deletes expired and unreadable links; returns how many are left. */
static guint
va_login_links_prune (const char *dir, gint64 now_s)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint left = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autoptr (JsonObject) link = va_login_link_read (path);

    if (link == NULL || json_object_get_int_member_with_default (link, "expires", 0) <= now_s)
      g_unlink (path);
    else
      left++;
  }
  return left;
}

/**
 * va_login_link_issue:
 * @identity: whom the session key will belong to and its scopes
 *   (@expires_in_days and @no_expiry are ignored: sessions last a day)
 * @now_s: wall-clock time, seconds since the epoch
 *
 * Returns: (transfer full): `va_login_` and 43 base64url characters,
 *   valid for %VA_LOGIN_LINK_TTL_SECONDS, or %NULL
 */
char *
va_login_link_issue (VaTokenStore *store, const VaTokenRequest *identity, gint64 now_s,
                     GError **error)
{
  g_autofree char *dir = va_login_links_dir (store);
  g_autofree char *encoded = NULL;
  g_autofree char *token = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *path = NULL;
  g_autofree char *scopes = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guint8 random[32];

  g_return_val_if_fail (identity != NULL && identity->user_id != NULL, NULL);

  if (identity->scopes == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("A login link needs a scope"));
    return NULL;
  }
  /* the key store's own directory first: created here, it must be 0700 */
  if (!va_secure_file_ensure_dir (va_token_store_get_token_dir (store), error)
      || !va_secure_file_ensure_dir (dir, error))
    return NULL;
  if (va_login_links_prune (dir, now_s) >= VA_LOGIN_LINKS_MAX) {
    g_set_error (error, VA_ERROR, VA_ERROR_RATE_LIMITED,
                 "Too many unused login links; use one or wait %d s", VA_LOGIN_LINK_TTL_SECONDS);
    return NULL;
  }
  if (!va_crypto_random_bytes (random, sizeof random, error))
    return NULL;
  encoded = va_crypto_base64url_encode (random, sizeof random);
  token = g_strconcat (VA_LOGIN_LINK_PREFIX, encoded, NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  path = g_build_filename (dir, digest, NULL);
  scopes = va_scopes_to_string (identity->scopes);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "expires");
  json_builder_add_int_value (b, now_s + VA_LOGIN_LINK_TTL_SECONDS);
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, identity->user_id);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, identity->username);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, identity->email);
  json_builder_set_member_name (b, "scopes");
  json_builder_add_string_value (b, scopes);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  if (!va_secure_file_write (path, text, strlen (text), error))
    return NULL;
  return g_steal_pointer (&token);
}

static gboolean
va_login_link_is_well_formed (const char *token)
{
  const char *p;

  if (token == NULL || !g_str_has_prefix (token, VA_LOGIN_LINK_PREFIX))
    return FALSE;
  p = token + strlen (VA_LOGIN_LINK_PREFIX);
  if (strlen (p) != VA_LOGIN_LINK_RANDOM_CHARS)
    return FALSE;
  for (; *p != '\0'; p++) {
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  }
  return TRUE;
}

/* Takes the link's file away (only one caller can), reads and deletes it. */
static JsonObject *
va_login_link_claim (VaTokenStore *store, const char *token)
{
  g_autofree char *dir = va_login_links_dir (store);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *path = g_build_filename (dir, digest, NULL);
  g_autofree char *claimed = g_strconcat (path, ".claimed", NULL);
  JsonObject *link;

  if (g_rename (path, claimed) != 0)
    return NULL;
  link = va_login_link_read (claimed);
  g_unlink (claimed);
  return link;
}

/**
 * va_login_link_redeem:
 * @token: a token from va_login_link_issue(); used up
 * @key: (out): the new session key, shown this once
 *
 * Returns: (transfer full): the session key's record, or %NULL with
 *   %VA_ERROR_UNAUTHENTICATED (malformed, unknown, used or expired; the
 *   message does not tell which)
 */
VaApiKey *
va_login_link_redeem (VaTokenStore *store, const char *token, gint64 now_s, char **key,
                      GError **error)
{
  g_autoptr (JsonObject) link = NULL;
  VaTokenRequest request = { 0 };
  VaScopes scopes = 0;

  if (va_login_link_is_well_formed (token))
    link = va_login_link_claim (store, token);
  if (link == NULL || json_object_get_int_member_with_default (link, "expires", 0) <= now_s
      || !va_scopes_parse (json_object_get_string_member_with_default (link, "scopes", ""), &scopes,
                           NULL)) {
    g_set_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                 N_ ("This login link is invalid, already used or expired"));
    return NULL;
  }
  request.user_id = json_object_get_string_member_with_default (link, "user_id", NULL);
  request.username = json_object_get_string_member_with_default (link, "username", NULL);
  request.email = json_object_get_string_member_with_default (link, "email", NULL);
  request.scopes = scopes;
  request.description = "web UI session (login link)";
  request.expires_in_days = VA_LOGIN_LINK_SESSION_DAYS;
  return va_token_store_create_key (store, &request, key, error);
}
