/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-http-private.h"

/* Request id and the security headers every response carries. */

/* A request id sent by a proxy in front of us is kept so one id follows the
 * request through both logs, but only when it is short and made of safe
 * characters: it is echoed in a header and written to the access log. */
static gboolean
va_http_request_id_is_safe (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len < 8 || len > 36)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  }
  return TRUE;
}

void
va_http_request_id_generate (SoupServerMessage *msg, char out[37])
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *incoming = soup_message_headers_get_one (headers, "X-Request-ID");

  if (va_http_request_id_is_safe (incoming)) {
    g_strlcpy (out, incoming, 37);
  } else {
    g_autofree char *uuid = g_uuid_string_random ();
    g_strlcpy (out, uuid, 37);
  }
}

void
va_http_headers_apply (VaHttpRequest *req)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  soup_message_headers_replace (h, "X-Request-ID", req->request_id);
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (h, "X-Frame-Options", "DENY");
  soup_message_headers_replace (h, "Referrer-Policy", "no-referrer");
  /* API documents describe live state and may carry personal data: never
   * cached by browsers or shared caches. */
  soup_message_headers_replace (h, "Cache-Control", "no-store");
  if (va_http_server_is_tls (req->server))
    soup_message_headers_replace (h, "Strict-Transport-Security", "max-age=31536000");
}
