/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-audit-entry.h"
#include "va-engine-keys.h"
#include "va-engine-private.h"
#include "va-error.h"

/* Key administration, the same calls for REST (/api/v1/keys), D-Bus
 * (ListKeys, CreateKey, RevokeKey, RevokeAllKeys) and `videoannotator
 * token`. The rules:
 * - every call needs the admin scope;
 * - read-only mode refuses new keys (a write that grants access) but
 *   allows revocations: they only take access away, and revoking keys on
 *   a read-only server is what an incident calls for;
 * - every change is audited (key.create, key.revoke, key.revoke_all):
 *   target the key's id, detail the key's owner, prefix and scopes and
 *   the transport it came through (`source`). The raw key never is. */

static VaTokenStore *
va_engine_keys_store (VaEngine *self, VaCaller *caller, GError **error)
{
  VaTokenStore *tokens;

  if (!va_caller_check_scope (caller, VA_SCOPE_ADMIN, error))
    return NULL;
  tokens = va_engine_get_token_store (self);
  if (tokens == NULL)
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("The key store is not open"));
  return tokens;
}

/* The entry names the actor's key and user when the actor used a key
 * (`audit list --key` answers "what did this key do"). A local operator
 * (command line, D-Bus) has no key: the entry then names the key acted
 * upon and its owner, so the key's history reads from its creation on,
 * and the operator goes in the detail. */
static void
va_engine_keys_audit (VaEngine *self, VaCaller *caller, const char *action, VaApiKey *key,
                      JsonObject *detail)
{
  g_autoptr (VaAuditEntry) entry = va_audit_entry_new (action);
  g_autoptr (JsonObject) extra = detail != NULL ? json_object_ref (detail) : json_object_new ();
  g_autoptr (GError) error = NULL;
  const char *transport = va_caller_get_transport (caller);
  gboolean actor_has_key = va_caller_get_key_prefix (caller) != NULL;

  json_object_set_string_member (extra, "source", transport != NULL ? transport : "engine");
  if (!actor_has_key) {
    json_object_set_string_member (extra, "operator_id", va_caller_get_user_id (caller));
    if (va_caller_get_username (caller) != NULL)
      json_object_set_string_member (extra, "operator", va_caller_get_username (caller));
  }
  va_audit_entry_set_user_id (entry, va_caller_get_user_id (caller));
  va_audit_entry_set_key_prefix (entry, va_caller_get_key_prefix (caller));
  va_audit_entry_set_request_id (entry, va_caller_get_request_id (caller));
  if (key != NULL) {
    g_autofree char *scopes = va_scopes_to_string (va_api_key_get_scopes (key));

    json_object_set_string_member (extra, "key_prefix", va_api_key_get_prefix (key));
    json_object_set_string_member (extra, "key_user_id", va_api_key_get_user_id (key));
    json_object_set_string_member (extra, "scopes", scopes);
    va_audit_entry_set_target (entry, va_api_key_get_id (key));
    if (!actor_has_key) {
      va_audit_entry_set_user_id (entry, va_api_key_get_user_id (key));
      va_audit_entry_set_key_prefix (entry, va_api_key_get_prefix (key));
    }
  }
  va_audit_entry_set_detail (entry, extra);
  if (!va_audit_record_entry (va_engine_get_audit (self), entry,
                              va_caller_get_client_address (caller), &error))
    g_warning ("Cannot record audit entry %s: %s", action, error->message);
}

/**
 * va_engine_list_keys:
 * @caller: needs the admin scope
 *
 * Returns: (transfer container) (element-type VaApiKey): every key, with
 *   its last use and use count; records carry no secret (the key store
 *   keeps digests only)
 */
GPtrArray *
va_engine_list_keys (VaEngine *self, VaCaller *caller, GError **error)
{
  VaTokenStore *tokens;
  GPtrArray *keys;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  if ((tokens = va_engine_keys_store (self, caller, error)) == NULL)
    return NULL;
  keys = va_token_store_list_keys (tokens, error);
  for (guint i = 0; keys != NULL && i < keys->len; i++) {
    g_autoptr (GDateTime) last_used = NULL;
    guint64 count = 0;

    if (va_store_get_key_usage (va_engine_get_store (self), va_api_key_get_id (keys->pdata[i]),
                                &last_used, &count, NULL))
      va_api_key_set_usage (keys->pdata[i], last_used, count);
  }
  return keys;
}

/**
 * va_engine_create_key:
 * @caller: needs the admin scope
 * @request: the new key's owner, scopes and lifetime (expiry limits are
 *   the key store's: key-expiry-days, key-max-expiry-days)
 * @key: (out) (transfer full): the key itself, to be shown once
 *
 * Returns: (transfer full): the new key's record, or %NULL
 *   (%VA_ERROR_FORBIDDEN, %VA_ERROR_READ_ONLY, %VA_ERROR_INVALID_ARGUMENT)
 */
VaApiKey *
va_engine_create_key (VaEngine *self, VaCaller *caller, const VaTokenRequest *request, char **key,
                      GError **error)
{
  VaTokenStore *tokens;
  VaApiKey *record;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);
  g_return_val_if_fail (request != NULL && key != NULL, NULL);

  if ((tokens = va_engine_keys_store (self, caller, error)) == NULL)
    return NULL;
  if (va_engine_get_read_only (self)) {
    g_set_error_literal (
        error, VA_ERROR, VA_ERROR_READ_ONLY,
        N_ ("The server is read-only: no new keys (revoking keys is still allowed)"));
    return NULL;
  }
  record = va_token_store_create_key (tokens, request, key, error);
  if (record != NULL)
    va_engine_keys_audit (self, caller, "key.create", record, NULL);
  return record;
}

/**
 * va_engine_revoke_key:
 * @caller: needs the admin scope
 * @query: the key itself, its id, or its prefix (which must match one key)
 * @newly: (out) (optional): %FALSE when it was revoked already
 *
 * Revokes one key; servers refuse it from their next request on. Allowed
 * in read-only mode. Audited as `key.revoke` when it was active.
 *
 * Returns: (transfer full): the key's record, or %NULL
 *   (%VA_ERROR_NOT_FOUND, %VA_ERROR_CONFLICT for an ambiguous prefix, …)
 */
VaApiKey *
va_engine_revoke_key (VaEngine *self, VaCaller *caller, const char *query, gboolean *newly,
                      GError **error)
{
  VaTokenStore *tokens;
  VaApiKey *record;
  gboolean changed = FALSE;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  if ((tokens = va_engine_keys_store (self, caller, error)) == NULL)
    return NULL;
  if (query == NULL || *query == '\0') {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("Name the key by its id, its prefix or the key itself"));
    return NULL;
  }
  record = va_token_store_revoke (tokens, query, &changed, error);
  if (record != NULL && changed)
    va_engine_keys_audit (self, caller, "key.revoke", record, NULL);
  if (newly != NULL)
    *newly = changed;
  return record;
}

/**
 * va_engine_revoke_all_keys:
 * @caller: needs the admin scope
 * @n_revoked: (out) (optional): how many keys were revoked now
 *
 * Revokes every API key; running servers refuse them from the next
 * request on. Allowed in read-only mode: it is what an incident calls
 * for. Audited as `key.revoke_all`.
 */
gboolean
va_engine_revoke_all_keys (VaEngine *self, VaCaller *caller, guint *n_revoked, GError **error)
{
  VaTokenStore *tokens;
  g_autoptr (JsonObject) detail = json_object_new ();
  guint count = 0;

  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VA_IS_CALLER (caller), FALSE);

  if ((tokens = va_engine_keys_store (self, caller, error)) == NULL)
    return FALSE;
  if (!va_token_store_revoke_all (tokens, &count, error))
    return FALSE;
  json_object_set_int_member (detail, "revoked", count);
  va_engine_keys_audit (self, caller, "key.revoke_all", NULL, detail);
  if (n_revoked != NULL)
    *n_revoked = count;
  return TRUE;
}
