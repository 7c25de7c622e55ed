/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-event-tickets.h"
#include "va-http-private.h"

/* A browser's EventSource cannot send an Authorization header, and a key
 * put in its URL is written to access logs, proxies and history. So the
 * key buys a ticket (POST /api/v1/events/ticket, key in a header) and the
 * stream is opened with `?ticket=`: single use, valid for
 * VA_EVENT_TICKET_TTL_SECONDS, accepted on the event stream only. A key
 * in a query string is refused on every route, with a pointer here. A
 * job's video takes a ticket of its own (va-http-video-ticket.c). */

#define VA_HTTP_STREAM_ROUTE "/api/v1/events/stream"
#define VA_HTTP_VIDEO_ROUTE "/api/v1/jobs/{job_id}/video"

/* query parameters clients have put keys in */

static void
va_http_ticket_reject (VaHttpRequest *req, const char *message, const char *reason)
{
  g_autoptr (JsonNode) detail = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "reason", reason);
  json_node_set_object (detail, o);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "WWW-Authenticate", "Bearer error=\"invalid_request\"");
  va_http_respond_error (req, 401, "UNAUTHORIZED", message,
                         N_ ("Send the key in the Authorization header; for an EventSource, get a "
                             "ticket with POST /api/v1/events/ticket and open "
                             "/api/v1/events/stream?ticket=…"),
                         detail);
}

/**
 * va_http_query_credentials:
 * @ok: (out): when %TRUE is returned, whether the request may go on
 *
 * Credentials in the query string: a key is refused, a ticket on the
 * event stream authenticates the request (req->caller is set).
 *
 * Returns: %TRUE when the query string decided (answered with 401, or
 *   authenticated by a ticket); %FALSE to go on with the headers
 */
gboolean
va_http_query_credentials (VaHttpServer *server, VaHttpRequest *req, gboolean *ok)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *ticket = va_http_request_get_query (req, "ticket");
  g_autoptr (GError) error = NULL;
  VaCaller *caller;

  *ok = FALSE;
  if (va_http_query_has_credentials (req->query)) {
    va_http_ticket_reject (req,
                           "API keys are not accepted in the URL: URLs end up in logs and "
                           "browser history",
                           "key_in_query");
    return TRUE;
  }
  if (ticket == NULL)
    return FALSE;
  if (soup_message_headers_get_one (headers, "Authorization") != NULL
      || soup_message_headers_get_one (headers, "X-API-Key") != NULL) {
    va_http_ticket_reject (req, "Send a ticket or a key, not both", "ambiguous");
    return TRUE;
  }
  if (g_str_equal (req->route->pattern, VA_HTTP_VIDEO_ROUTE)) {
    *ok = va_http_video_ticket_credentials (req, ticket);
    if (!*ok)
      va_http_ticket_reject (req, "Video ticket unknown, expired or for another job", "ticket");
    return TRUE;
  }
  if (!g_str_equal (req->route->pattern, VA_HTTP_STREAM_ROUTE)) {
    va_http_ticket_reject (req, "Tickets are accepted on the event stream and job videos only",
                           "ticket_not_for_route");
    return TRUE;
  }
  caller = va_engine_redeem_event_ticket (va_http_server_get_engine (server), ticket, &error);
  if (caller == NULL) {
    va_http_ticket_reject (req, error->message, "ticket");
    return TRUE;
  }
  req->caller = caller;
  req->user_id = g_strdup (va_caller_get_user_id (caller));
  req->key_prefix = g_strdup (va_caller_get_key_prefix (caller));
  req->key_id = g_strdup (va_caller_get_key_id (caller));
  va_caller_set_request_id (caller, req->request_id);
  va_caller_set_client_address (caller, req->client);
  *ok = TRUE;
  return TRUE;
}

/* POST /api/v1/events/ticket */
void
va_http_events_ticket_issue (VaHttpRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) expires_at = NULL;
  g_autofree char *ticket = va_engine_issue_event_ticket (va_http_server_get_engine (req->server),
                                                          req->caller, &expires_at, &error);
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *url = NULL;

  if (ticket == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
    return;
  }
  expires = g_date_time_format_iso8601 (expires_at);
  url = g_strconcat (VA_HTTP_STREAM_ROUTE "?ticket=", ticket, NULL);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ticket");
  json_builder_add_string_value (b, ticket);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, VA_EVENT_TICKET_TTL_SECONDS);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires);
  json_builder_set_member_name (b, "stream_url");
  json_builder_add_string_value (b, url);
  json_builder_end_object (b);
  va_http_respond_builder (req, 201, b);
}
