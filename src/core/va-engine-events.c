/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"
#include "va-error.h"

/* Event-stream tickets: who may have one (a caller with the read scope,
 * which the stream needs) and what it stands for (a copy of that caller's
 * identity, without the request it was issued in). */

/**
 * va_engine_issue_event_ticket:
 * @expires_at: (out) (transfer full): when it stops working
 *
 * Returns: (transfer full): a single-use ticket for the event stream, or
 *   %NULL with %VA_ERROR_FORBIDDEN (no read scope) or
 *   %VA_ERROR_RATE_LIMITED
 */
char *
va_engine_issue_event_ticket (VaEngine *self, VaCaller *caller, GDateTime **expires_at,
                              GError **error)
{
  g_autoptr (VaCaller) holder = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (JsonObject) detail = json_object_new ();
  char *ticket;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  if (!va_caller_check_scope (caller, VA_SCOPE_READ, error))
    return NULL;
  holder = va_caller_is_anonymous (caller)
               ? va_caller_new_anonymous ()
               : va_caller_new (va_caller_get_user_id (caller), va_caller_get_scopes (caller));
  va_caller_set_username (holder, va_caller_get_username (caller));
  va_caller_set_email (holder, va_caller_get_email (caller));
  va_caller_set_key_id (holder, va_caller_get_key_id (caller));
  va_caller_set_key_prefix (holder, va_caller_get_key_prefix (caller));
  ticket = va_event_tickets_issue (va_engine_get_event_tickets (self), holder,
                                   g_get_monotonic_time (), error);
  if (ticket == NULL)
    return NULL;
  *expires_at = g_date_time_add_seconds (now, VA_EVENT_TICKET_TTL_SECONDS);
  json_object_set_int_member (detail, "ttl_seconds", VA_EVENT_TICKET_TTL_SECONDS);
  va_engine_audit (self, caller, "events.ticket", NULL, detail);
  return ticket;
}

/**
 * va_engine_redeem_event_ticket:
 *
 * Uses up @ticket.
 *
 * Returns: (transfer full): the caller it stands for, or %NULL with
 *   %VA_ERROR_UNAUTHENTICATED
 */
VaCaller *
va_engine_redeem_event_ticket (VaEngine *self, const char *ticket, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  return va_event_tickets_redeem (va_engine_get_event_tickets (self), ticket,
                                  g_get_monotonic_time (), error);
}
