/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-error.h"
#include "va-http-private.h"

/* CORS with an exact-origin allowlist. No credentials mode: API keys travel
 * in headers, never in cookies, so browsers never need credentials and the
 * wildcard is only accepted in development. */

#define VA_HTTP_CORS_ALLOW_HEADERS "Authorization, X-API-Key, Content-Type, X-Request-ID"
#define VA_HTTP_CORS_MAX_AGE "600"

struct _VaHttpCors {
  GHashTable *origins; /* set of exact origins */
  gboolean any;        /* "*" in development mode */
};

VaHttpCors *
va_http_cors_new (const char *const *origins, gboolean dev, GError **error)
{
  g_autoptr (VaHttpCors) cors = g_new0 (VaHttpCors, 1);

  cors->origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; origins != NULL && origins[i] != NULL; i++) {
    g_autofree char *origin = g_strstrip (g_strdup (origins[i]));
    gsize len = strlen (origin);

    if (len == 0)
      continue;
    if (g_str_equal (origin, "*")) {
      if (!dev) {
        g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                     _ ("cors-origins contains “*”, which lets any web site call the API; list "
                        "the exact origins (e.g. https://app.example.org), or use --dev for "
                        "local development"));
        return NULL;
      }
      cors->any = TRUE;
      continue;
    }
    /* browsers send origins without a trailing slash */
    if (origin[len - 1] == '/')
      origin[len - 1] = '\0';
    if (!g_str_has_prefix (origin, "http://") && !g_str_has_prefix (origin, "https://")) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("cors-origins entry “%s” is not an origin (scheme://host[:port])"), origin);
      return NULL;
    }
    g_hash_table_add (cors->origins, g_steal_pointer (&origin));
  }
  return g_steal_pointer (&cors);
}

void
va_http_cors_free (VaHttpCors *cors)
{
  if (cors == NULL)
    return;
  g_clear_pointer (&cors->origins, g_hash_table_unref);
  g_free (cors);
}

gboolean
va_http_cors_is_allowed (VaHttpCors *cors, const char *origin)
{
  if (origin == NULL)
    return FALSE;
  if (cors->any)
    return TRUE;
  return g_hash_table_contains (cors->origins, origin);
}

/**
 * va_http_cors_handle:
 * @allow_methods: methods of the matched path, for preflights
 *
 * Adds the CORS response headers. A preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here: 204 when the origin is
 * allowed, 403 with the error envelope otherwise.
 *
 * Returns: %TRUE when the request has been answered.
 */
gboolean
va_http_cors_handle (VaHttpCors *cors, VaHttpRequest *req, const char *allow_methods)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  SoupMessageHeaders *out = soup_server_message_get_response_headers (req->msg);
  const char *origin = soup_message_headers_get_one (in, "Origin");
  const char *method = soup_server_message_get_method (req->msg);
  gboolean preflight = g_str_equal (method, "OPTIONS")
                       && soup_message_headers_get_one (in, "Access-Control-Request-Method");
  gboolean allowed;

  /* the answer depends on Origin, so caches must key on it */
  soup_message_headers_append (out, "Vary", "Origin");
  if (origin == NULL)
    return FALSE;
  allowed = va_http_cors_is_allowed (cors, origin);
  if (allowed) {
    soup_message_headers_replace (out, "Access-Control-Allow-Origin", origin);
    soup_message_headers_replace (out, "Access-Control-Expose-Headers",
                                  "X-Request-ID, Retry-After, Content-Disposition");
  }
  if (!preflight)
    return FALSE;
  if (!allowed) {
    va_http_respond_error (req, 403, "CORS_ORIGIN_NOT_ALLOWED",
                           "Origin is not in the server's cors-origins allowlist",
                           N_ ("Add the exact origin to cors-origins (CORS_ORIGINS)"), NULL);
    return TRUE;
  }
  soup_message_headers_replace (out, "Access-Control-Allow-Methods",
                                allow_methods != NULL ? allow_methods : "GET, POST, DELETE");
  soup_message_headers_replace (out, "Access-Control-Allow-Headers", VA_HTTP_CORS_ALLOW_HEADERS);
  soup_message_headers_replace (out, "Access-Control-Max-Age", VA_HTTP_CORS_MAX_AGE);
  va_http_respond_empty (req, 204);
  return TRUE;
}
