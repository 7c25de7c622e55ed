/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"
#include "va-error.h"
#include "va-login-links.h"
#include "va-media-tickets.h"

/* The web UI's credentials, as the engine sees them: a login link traded
 * for a session key, and media tickets for a job's video. Both are
 * audited like the keys and tickets they are. */

/**
 * va_engine_issue_login_link:
 * @caller: who asks: an administrator, or a caller asking for a link that
 *   signs itself in with no more than its own scopes
 * @identity: the session's owner and scopes (expiry fields are ignored:
 *   the link lives %VA_LOGIN_LINK_TTL_SECONDS, its session
 *   %VA_LOGIN_LINK_SESSION_DAYS)
 *
 * A link creates a key when it is used, so issuing one is key
 * administration: audited as `login_link.issue`.
 *
 * Returns: (transfer full): the link's token, or %NULL
 *   (%VA_ERROR_FORBIDDEN)
 */
char *
va_engine_issue_login_link (VaEngine *self, VaCaller *caller, const VaTokenRequest *identity,
                            GError **error)
{
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autofree char *scopes = NULL;
  char *token;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);
  g_return_val_if_fail (identity != NULL, NULL);

  if (!va_caller_is_admin (caller)
      && (g_strcmp0 (identity->user_id, va_caller_get_user_id (caller)) != 0
          || (identity->scopes & ~va_caller_get_scopes (caller)) != 0)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                         "Only an administrator may issue a login link for another user or "
                         "with more scopes than its own");
    return NULL;
  }
  token = va_login_link_issue (va_engine_get_token_store (self), identity,
                               g_get_real_time () / G_USEC_PER_SEC, error);
  if (token == NULL)
    return NULL;
  scopes = va_scopes_to_string (identity->scopes);
  json_object_set_string_member (detail, "user_id", identity->user_id);
  json_object_set_string_member (detail, "scopes", scopes);
  json_object_set_int_member (detail, "ttl_seconds", VA_LOGIN_LINK_TTL_SECONDS);
  va_engine_audit (self, caller, "login_link.issue", identity->user_id, detail);
  return token;
}

/**
 * va_engine_redeem_login_link:
 * @token: the link's token; used up
 * @client_address: (nullable): for the audit record
 * @key: (out): the new session key, shown this once
 *
 * Returns: (transfer full): the session key's record, or %NULL
 *   (%VA_ERROR_UNAUTHENTICATED for a bad link)
 */
VaApiKey *
va_engine_redeem_login_link (VaEngine *self, const char *token, const char *client_address,
                             char **key, GError **error)
{
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (VaCaller) owner = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autofree char *scopes = NULL;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  record = va_login_link_redeem (va_engine_get_token_store (self), token,
                                 g_get_real_time () / G_USEC_PER_SEC, key, error);
  if (record == NULL)
    return NULL;
  owner = va_caller_new (va_api_key_get_user_id (record), va_api_key_get_scopes (record));
  va_caller_set_username (owner, va_api_key_get_username (record));
  va_caller_set_email (owner, va_api_key_get_email (record));
  va_caller_set_key_id (owner, va_api_key_get_id (record));
  va_caller_set_key_prefix (owner, va_api_key_get_prefix (record));
  va_caller_set_client_address (owner, client_address);
  scopes = va_scopes_to_string (va_api_key_get_scopes (record));
  json_object_set_string_member (detail, "scopes", scopes);
  json_object_set_string_member (detail, "via", "login_link");
  va_engine_audit (self, owner, "key.create", va_api_key_get_id (record), detail);
  return g_steal_pointer (&record);
}

/**
 * va_engine_issue_media_ticket:
 * @tickets: where the ticket is kept (the transport's)
 * @caller: who asks; must be able to read @job_id
 *
 * Returns: (transfer full): a ticket for the job's video
 *   (%VA_MEDIA_TICKET_TTL_SECONDS), or %NULL (the job's lookup errors:
 *   %VA_ERROR_NOT_FOUND for a job the caller cannot see)
 */
char *
va_engine_issue_media_ticket (VaEngine *self, VaMediaTickets *tickets, VaCaller *caller,
                              const char *job_id, GError **error)
{
  g_autoptr (VaJob) job = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();
  char *ticket;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  job = va_engine_lookup_job (self, caller, job_id, VA_SCOPE_READ, error);
  if (job == NULL)
    return NULL;
  ticket = va_media_tickets_issue (tickets, caller, job_id, g_get_monotonic_time (), error);
  if (ticket == NULL)
    return NULL;
  json_object_set_int_member (detail, "ttl_seconds", VA_MEDIA_TICKET_TTL_SECONDS);
  va_engine_audit (self, caller, "job.video.ticket", job_id, detail);
  return ticket;
}
