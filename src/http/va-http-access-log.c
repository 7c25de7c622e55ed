/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"
#include "va-log.h"

/* logs/api_requests.log: one JSON record per request, written through
 * VaLog (so through the one sanitizer, rotated by size). Only values we
 * produce or bound go in: the key *prefix* (never the key), the path
 * without its query string (queries may carry secrets), a truncated user
 * agent. */

#define VA_HTTP_USER_AGENT_MAX 200

void
va_http_access_log_write (VaLog *log, VaHttpRequest *req, guint status, guint64 bytes,
                          double duration_ms)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (GError) error = NULL;
  const char *agent = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "User-Agent");
  GUri *uri = soup_server_message_get_uri (req->msg);

  json_object_set_string_member (o, "request_id", req->request_id);
  json_object_set_string_member (o, "client", req->client);
  json_object_set_string_member (o, "method", soup_server_message_get_method (req->msg));
  json_object_set_string_member (o, "path", uri != NULL ? g_uri_get_path (uri) : "");
  json_object_set_int_member (o, "status", status);
  json_object_set_int_member (o, "bytes", (gint64)bytes);
  json_object_set_double_member (o, "duration_ms", duration_ms);
  json_object_set_string_member (o, "user_id", req->user_id);
  json_object_set_string_member (o, "key_prefix", req->key_prefix);
  if (agent != NULL) {
    g_autofree char *ua = g_utf8_make_valid (agent, MIN (strlen (agent), VA_HTTP_USER_AGENT_MAX));
    json_object_set_string_member (o, "user_agent", ua);
  } else {
    json_object_set_null_member (o, "user_agent");
  }
  if (!va_log_append_record (log, "api_requests", o, &error))
    g_warning ("Cannot write the access log: %s", error->message);
}
