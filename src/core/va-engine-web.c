/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"
#include "va-login-links.h"
#include "va-media-tickets.h"

/* The web UI's credentials, as the engine sees them: a login link traded
 * for a session key, and media tickets for a job's video. Both are
 * audited like the keys and tickets they are. */

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
