/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-http-private.h"
#include "va-web-resources.h"

/* The web UI: static files compiled into the binary as a GResource
 * (data/web/), served at `/` (the page) and `/ui/{asset}` (its scripts,
 * style sheet and the message catalogues built from po/). Nothing is read from the file
 * system, so a path can never reach outside the bundle; asset names are
 * one flat segment of safe characters. Every answer carries a strict
 * Content-Security-Policy: the page runs only its own scripts and style
 * sheets and talks only to this server. */

#define VA_HTTP_WEB_RESOURCE_ROOT "/org/videoannotator/VideoAnnotator/web/"

#define VA_HTTP_WEB_CSP                                                                            \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "          \
  "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "          \
  "form-action 'self'"

static const struct {
  const char *suffix;
  const char *type;
} va_http_web_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".ico", "image/vnd.microsoft.icon" },
  { ".webmanifest", "application/manifest+json" },
};

static const char *
va_http_web_type (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (va_http_web_types); i++) {
    if (g_str_has_suffix (name, va_http_web_types[i].suffix))
      return va_http_web_types[i].type;
  }
  return NULL;
}

/* letters, digits, '-', '_' and inner dots: no "..", no hidden files */
static gboolean
va_http_web_name_is_safe (const char *name)
{
  if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++) {
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
    if (p[0] == '.' && p[1] == '.')
      return FALSE;
  }
  return TRUE;
}

static void
va_http_web_not_found (VaHttpRequest *req, const char *message, const char *hint)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Content-Security-Policy", VA_HTTP_WEB_CSP);
  va_http_respond_error (req, 404, "NOT_FOUND", message, hint, NULL);
}

/* ETag: a digest of the content, so a new build invalidates exactly the
 * files that changed; "no-cache" makes the browser revalidate each time
 * (a cheap 304) instead of running stale scripts after an upgrade. */
static void
va_http_web_serve (VaHttpRequest *req, const char *name)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  SoupMessageHeaders *out = soup_server_message_get_response_headers (req->msg);
  g_autofree char *path = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *etag = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const char *type = va_http_web_type (name);
  const char *if_none_match;

  if (!va_settings_get_boolean (va_http_server_get_settings (req->server), "web-ui")) {
    va_http_web_not_found (req, "The web UI is switched off on this server",
                           N_ ("Set the web-ui setting to true to serve it"));
    return;
  }
  if (!va_http_web_name_is_safe (name) || type == NULL) {
    va_http_web_not_found (req, "No such web UI file", NULL);
    return;
  }
  path = g_strconcat (VA_HTTP_WEB_RESOURCE_ROOT, name, NULL);
  bytes = g_resource_lookup_data (va_web_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    bytes = g_resource_lookup_data (va_catalogues_get_resource (), path,
                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL) {
    va_http_web_not_found (req, "No such web UI file", NULL);
    return;
  }
  digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  etag = g_strdup_printf ("\"%.32s\"", digest);
  soup_message_headers_replace (out, "Content-Security-Policy", VA_HTTP_WEB_CSP);
  soup_message_headers_replace (out, "Cache-Control", "no-cache");
  soup_message_headers_replace (out, "ETag", etag);
  if_none_match = soup_message_headers_get_one (in, "If-None-Match");
  if (if_none_match != NULL && strstr (if_none_match, etag) != NULL) {
    soup_server_message_set_status (req->msg, 304, NULL);
    return;
  }
  soup_server_message_set_response (req->msg, type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  soup_server_message_set_status (req->msg, 200, NULL);
}

/* GET / */
void
va_http_web_index (VaHttpRequest *req)
{
  va_http_web_serve (req, "index.html");
}

/* GET /ui/{asset} */
void
va_http_web_asset (VaHttpRequest *req)
{
  va_http_web_serve (req, va_http_request_get_param (req, "asset"));
}
