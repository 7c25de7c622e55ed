/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-http-private.h"
#include "va-engine-auth.h"

/* Request authentication, the HTTP half: the key comes from
 * `Authorization: Bearer KEY` or `X-API-Key: KEY`, and
 * va_engine_authenticate_request() turns it into a VaCaller (validity,
 * expiry, revocation, the anonymous caller when auth is off, usage
 * counting, the failed-authentication rule). What is decided here is
 * HTTP's own:
 *
 * - a key that is sent is always passed on, on every route, even public
 *   ones: a bad key is never ignored;
 * - a request carries one key: a header sent twice, two different keys in
 *   the two headers, or a key in the URL is refused (401), never resolved
 *   by picking one;
 * - a route without a scope called without a key has no caller;
 * - a caller without the route's scope: 403, before a body is read (the
 *   engine checks scopes and ownership again). */

#define VA_HTTP_BEARER "Bearer "

typedef enum {
  VA_HTTP_CREDENTIALS_NONE,
  VA_HTTP_CREDENTIALS_KEY,
  VA_HTTP_CREDENTIALS_WRONG_SCHEME,
  VA_HTTP_CREDENTIALS_AMBIGUOUS,
} VaHttpCredentials;

/* The one key of the request, or why there is none. libsoup joins a
 * header sent twice with ", ", and neither a bearer token nor an API key
 * contains a comma: a comma means two keys, and the request is refused
 * rather than one of them picked (the last Authorization header used to
 * win, and a bad X-API-Key beside a good Bearer key went unchecked). */
static VaHttpCredentials
va_http_auth_extract_key (VaHttpRequest *req, const char **out)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *authorization = soup_message_headers_get_list (headers, "Authorization");
  const char *api_key = soup_message_headers_get_list (headers, "X-API-Key");
  const char *bearer = NULL;

  *out = NULL;
  if ((authorization != NULL && strchr (authorization, ',') != NULL)
      || (api_key != NULL && strchr (api_key, ',') != NULL))
    return VA_HTTP_CREDENTIALS_AMBIGUOUS;
  if (authorization != NULL) {
    /* Basic, Digest, ...: not a scheme we speak; refusing it is clearer
     * than silently treating the request as anonymous */
    if (g_ascii_strncasecmp (authorization, VA_HTTP_BEARER, strlen (VA_HTTP_BEARER)) != 0)
      return VA_HTTP_CREDENTIALS_WRONG_SCHEME;
    bearer = authorization + strlen (VA_HTTP_BEARER);
    while (*bearer == ' ')
      bearer++;
  }
  /* the same key in both headers is one key; two different ones are not */
  if (bearer != NULL && api_key != NULL && !g_str_equal (bearer, api_key))
    return VA_HTTP_CREDENTIALS_AMBIGUOUS;
  *out = bearer != NULL ? bearer : api_key;
  return *out != NULL ? VA_HTTP_CREDENTIALS_KEY : VA_HTTP_CREDENTIALS_NONE;
}

static void
va_http_auth_reject (VaHttpRequest *req, const char *message, const char *reason)
{
  g_autoptr (JsonNode) detail = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) o = json_object_new ();
  /* RFC 6750: more than one way of sending a key is an invalid request */
  g_autofree char *challenge = g_strdup_printf (
      "Bearer error=\"%s\", error_description=\"%s\"",
      g_str_equal (reason, "ambiguous") ? "invalid_request" : "invalid_token", reason);

  json_object_set_string_member (o, "reason", reason);
  json_node_set_object (detail, o);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "WWW-Authenticate",
                                g_str_equal (reason, "missing") ? "Bearer" : challenge);
  va_http_respond_error (
      req, 401, "UNAUTHORIZED", message,
      g_str_equal (reason, "missing")
          ? N_ ("Send the key as 'Authorization: Bearer va_api_…' or 'X-API-Key: "
                "va_api_…'; an administrator creates keys with 'videoannotator "
                "token create'")
          : N_ ("Check the key, or ask an administrator for a new one"),
      detail);
}

static VaScopes
va_http_scope_to_va (VaHttpScope scope)
{
  switch (scope) {
  case VA_HTTP_SCOPE_READ:
    return VA_SCOPE_READ;
  case VA_HTTP_SCOPE_WRITE:
    return VA_SCOPE_WRITE;
  case VA_HTTP_SCOPE_ADMIN:
    return VA_SCOPE_ADMIN;
  case VA_HTTP_SCOPE_PUBLIC:
  default:
    return VA_SCOPE_NONE;
  }
}

/**
 * va_http_auth_check:
 *
 * Authenticates @req and checks the route's scope. On success req->caller
 * is set (NULL on a public route called without a key).
 *
 * Returns: %FALSE when the request has been answered (401/403/500).
 */
gboolean
va_http_auth_check (VaHttpServer *server, VaHttpRequest *req)
{
  VaEngine *engine = va_http_server_get_engine (server);
  const char *key = NULL;
  VaScopes needed = va_http_scope_to_va (req->route->scope);
  gboolean query_ok;

  /* a key in the URL is refused, a ticket opens the event stream */
  if (va_http_query_credentials (server, req, &query_ok))
    return query_ok;
  switch (va_http_auth_extract_key (req, &key)) {
  case VA_HTTP_CREDENTIALS_WRONG_SCHEME:
    va_http_auth_reject (req, "Unsupported Authorization scheme; use Bearer", "malformed");
    return FALSE;
  case VA_HTTP_CREDENTIALS_AMBIGUOUS:
    va_http_auth_reject (req,
                         "More than one API key in the request (Authorization sent twice, or "
                         "Authorization and X-API-Key with different keys); send exactly one",
                         "ambiguous");
    return FALSE;
  case VA_HTTP_CREDENTIALS_NONE:
  case VA_HTTP_CREDENTIALS_KEY:
  default:
    break;
  }
  if (key != NULL || needed != VA_SCOPE_NONE) {
    VaTokenRejection rejection = VA_TOKEN_REJECTION_NONE;
    g_autoptr (GError) error = NULL;

    req->caller = va_engine_authenticate_request (engine, key, req->client, &rejection, &error);
    if (req->caller == NULL) {
      /* the engine counted the failure towards the client's alert rule */
      req->auth_failure_noted = TRUE;
      if (!g_error_matches (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED)) {
        va_http_respond_gerror (req, error, NULL, NULL);
        return FALSE;
      }
      switch (rejection) {
      case VA_TOKEN_REJECTION_NONE:
        va_http_auth_reject (req, error->message, "missing");
        break;
      case VA_TOKEN_REJECTION_EXPIRED:
        va_http_auth_reject (req, error->message, "expired");
        break;
      case VA_TOKEN_REJECTION_REVOKED:
        va_http_auth_reject (req, error->message, "revoked");
        break;
      case VA_TOKEN_REJECTION_MALFORMED:
        va_http_auth_reject (req, error->message, "malformed");
        break;
      default:
        va_http_auth_reject (req, error->message, "unknown");
        break;
      }
      return FALSE;
    }
    va_caller_set_request_id (req->caller, req->request_id);
    va_caller_set_transport (req->caller, "http");
    g_free (req->user_id);
    req->user_id = g_strdup (va_caller_get_user_id (req->caller));
    g_free (req->key_prefix);
    req->key_prefix = g_strdup (va_caller_get_key_prefix (req->caller));
    g_free (req->key_id);
    req->key_id = g_strdup (va_caller_get_key_id (req->caller));
  }

  if (needed != VA_SCOPE_NONE && !va_caller_has_scope (req->caller, needed)) {
    g_autofree char *message
        = g_strdup_printf ("This API key lacks the “%s” scope needed for %s %s",
                           va_scope_to_string (needed), req->route->method, req->route->pattern);
    va_http_respond_error (req, 403, "FORBIDDEN", message,
                           N_ ("Ask an administrator for a key with that scope"), NULL);
    return FALSE;
  }
  return TRUE;
}
