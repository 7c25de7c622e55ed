/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-codec.h"
#include "va-http-private.h"
#include "va-log-sanitizer.h"
#include "va-log.h"

/* logs/api_requests.log: one JSON record per request, written through
 * VaLog (so through the one sanitizer, rotated by size). Only values we
 * produce or bound go in: the key *prefix* (never the key), the path
 * without its query string (queries may carry secrets), a truncated user
 * agent.
 *
 * The line is written here directly rather than built as a JsonObject for
 * va_log_append_record(): once per request, the object, its generator and
 * the timestamp's GDateTime cost more than a small request's own work.
 * The text is the same (every string through the log's sanitizer, the
 * timestamp first) except that duration_ms has at most 3 decimals. */

#define VA_HTTP_USER_AGENT_MAX 200

static void
va_http_access_log_add_string (GString *line, VaLogSanitizer *sanitizer, const char *name,
                               const char *value)
{
  g_string_append_c (line, ',');
  va_codec_append_json_string (line, name);
  g_string_append_c (line, ':');
  if (value == NULL) {
    g_string_append (line, "null");
  } else {
    g_autofree char *clean = va_log_sanitizer_sanitize (sanitizer, value);
    va_codec_append_json_string (line, clean);
  }
}

static void
va_http_access_log_add_int (GString *line, const char *name, gint64 value)
{
  g_string_append_c (line, ',');
  va_codec_append_json_string (line, name);
  g_string_append_c (line, ':');
  va_codec_append_int (line, value);
}

void
va_http_access_log_write (VaLog *log, VaHttpRequest *req, guint status, guint64 bytes,
                          gint64 duration_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) line = g_string_sized_new (384);
  VaLogSanitizer *sanitizer = va_log_get_sanitizer (log);
  const char *agent = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "User-Agent");
  GUri *uri = soup_server_message_get_uri (req->msg);
  char fraction[4];

  g_string_append (line, "{\"timestamp\":\"");
  va_log_append_timestamp (line, g_get_real_time ());
  g_string_append_c (line, '"');
  va_http_access_log_add_string (line, sanitizer, "request_id", req->request_id);
  va_http_access_log_add_string (line, sanitizer, "client", req->client);
  va_http_access_log_add_string (line, sanitizer, "method",
                                 soup_server_message_get_method (req->msg));
  va_http_access_log_add_string (line, sanitizer, "path", uri != NULL ? g_uri_get_path (uri) : "");
  va_http_access_log_add_int (line, "status", status);
  va_http_access_log_add_int (line, "bytes", (gint64)bytes);
  /* milliseconds with 3 decimals */
  va_http_access_log_add_int (line, "duration_ms", duration_us / 1000);
  duration_us = ABS (duration_us) % 1000;
  for (int i = 2; i >= 0; i--, duration_us /= 10)
    fraction[i] = (char)('0' + duration_us % 10);
  g_string_append_c (line, '.');
  g_string_append_len (line, fraction, 3);
  va_http_access_log_add_string (line, sanitizer, "user_id", req->user_id);
  va_http_access_log_add_string (line, sanitizer, "key_prefix", req->key_prefix);
  if (agent != NULL) {
    g_autofree char *ua = g_utf8_make_valid (agent, MIN (strlen (agent), VA_HTTP_USER_AGENT_MAX));
    va_http_access_log_add_string (line, sanitizer, "user_agent", ua);
  } else {
    va_http_access_log_add_string (line, sanitizer, "user_agent", NULL);
  }
  g_string_append_c (line, '}');
  if (!va_log_append_line (log, "api_requests", line->str, line->len, &error))
    g_warning ("Cannot write the access log: %s", error->message);
}
