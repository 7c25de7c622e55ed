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

/* One generator per thread (serving threads take ids at the same time),
 * seeded from the system's random source. */
static GPrivate va_http_request_id_rand = G_PRIVATE_INIT ((GDestroyNotify)g_rand_free);

/* A random (version 4) UUID as text, like g_uuid_string_random() but
 * without its lock and printf: ids tell requests apart in the logs; they
 * are not secrets. */
void
va_http_request_id_random (char out[37])
{
  static const char hex[] = "0123456789abcdef";
  GRand *rand = g_private_get (&va_http_request_id_rand);
  guint8 bytes[16];
  guint pos = 0;

  if (rand == NULL) {
    guint32 seed[4];

    for (guint i = 0; i < G_N_ELEMENTS (seed); i++)
      seed[i] = g_random_int ();
    rand = g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
    g_private_set (&va_http_request_id_rand, rand);
  }
  for (guint i = 0; i < sizeof bytes; i += 4) {
    guint32 r = g_rand_int (rand);
    memcpy (bytes + i, &r, 4);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40; /* version 4 */
  bytes[8] = (bytes[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  for (guint i = 0; i < sizeof bytes; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[pos++] = '-';
    out[pos++] = hex[bytes[i] >> 4];
    out[pos++] = hex[bytes[i] & 0x0f];
  }
  out[pos] = '\0';
}

void
va_http_request_id_generate (SoupServerMessage *msg, char out[37])
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *incoming = soup_message_headers_get_one (headers, "X-Request-ID");

  if (va_http_request_id_is_safe (incoming))
    g_strlcpy (out, incoming, 37);
  else
    va_http_request_id_random (out);
}

/* Also for answers written without libsoup (va-http-connection.c). */
void
va_http_headers_apply_security (SoupMessageHeaders *h, const char *request_id, gboolean tls)
{
  soup_message_headers_replace (h, "X-Request-ID", request_id);
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (h, "X-Frame-Options", "DENY");
  soup_message_headers_replace (h, "Referrer-Policy", "no-referrer");
  /* API documents describe live state and may carry personal data: never
   * cached by browsers or shared caches. */
  soup_message_headers_replace (h, "Cache-Control", "no-store");
  if (tls)
    soup_message_headers_replace (h, "Strict-Transport-Security", "max-age=31536000");
}

void
va_http_headers_apply (VaHttpRequest *req)
{
  va_http_headers_apply_security (soup_server_message_get_response_headers (req->msg),
                                  req->request_id, va_http_server_is_tls (req->server));
}
