/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"
#include "va-media-tickets.h"

/* A <video> element cannot send the key in a header, and reads the video
 * with many Range requests as the user seeks. So the page trades its key
 * for a media ticket bound to one job (POST /api/v1/jobs/{id}/video/ticket)
 * and plays /api/v1/jobs/{id}/video?ticket=…: streamed from disk, seekable,
 * never the whole file in the page's memory. The ticket opens that job's
 * video only, for VA_MEDIA_TICKET_TTL_SECONDS; the access log never
 * records query strings. */

/* POST /api/v1/jobs/{job_id}/video/ticket */
void
va_http_jobs_video_ticket (VaHttpRequest *req)
{
  const char *job_id = va_http_request_get_param (req, "job_id");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *ticket = NULL;
  g_autofree char *url = NULL;

  /* only a caller who may read the job gets a ticket for it (404 as for
   * the job itself otherwise) */
  ticket = va_engine_issue_media_ticket (va_http_server_get_engine (req->server),
                                         va_http_server_get_media_tickets (req->server),
                                         req->caller, job_id, &error);
  if (ticket == NULL) {
    va_http_respond_job_error (req, error, job_id);
    return;
  }
  url = g_strdup_printf ("/api/v1/jobs/%s/video?ticket=%s", job_id, ticket);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ticket");
  json_builder_add_string_value (b, ticket);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, VA_MEDIA_TICKET_TTL_SECONDS);
  json_builder_set_member_name (b, "video_url");
  json_builder_add_string_value (b, url);
  json_builder_end_object (b);
  va_http_respond_builder (req, 201, b);
}

/* A ticket on GET /api/v1/jobs/{job_id}/video: authenticates the request
 * as the ticket's caller when it was issued for this job. */
gboolean
va_http_video_ticket_credentials (VaHttpRequest *req, const char *ticket)
{
  g_autoptr (VaCaller) holder = va_media_tickets_check (
      va_http_server_get_media_tickets (req->server), ticket,
      va_http_request_get_param (req, "job_id"), g_get_monotonic_time (), NULL);
  VaCaller *caller;

  if (holder == NULL)
    return FALSE;
  /* a copy per request: the ticket's caller is shared by concurrent
   * requests, and the request id and address below are per request */
  caller = va_caller_is_anonymous (holder)
               ? va_caller_new_anonymous ()
               : va_caller_new (va_caller_get_user_id (holder), va_caller_get_scopes (holder));
  va_caller_set_username (caller, va_caller_get_username (holder));
  va_caller_set_email (caller, va_caller_get_email (holder));
  va_caller_set_key_id (caller, va_caller_get_key_id (holder));
  va_caller_set_key_prefix (caller, va_caller_get_key_prefix (holder));
  req->caller = caller;
  req->user_id = g_strdup (va_caller_get_user_id (caller));
  req->key_prefix = g_strdup (va_caller_get_key_prefix (caller));
  req->key_id = g_strdup (va_caller_get_key_id (caller));
  va_caller_set_request_id (caller, req->request_id);
  va_caller_set_client_address (caller, req->client);
  return TRUE;
}
