/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-http-private.h"

/* Matches a request path against the route table. Patterns are split on '/'
 * and compared segment by segment; "{name}" matches one non-empty segment
 * and is returned in @params. One trailing slash is ignored, which gives
 * every route the "/jobs/" style alias of the 1.4 service. */

static gboolean
va_http_pattern_match (const char *pattern, const char *path, GHashTable *params)
{
  const char *p = pattern;
  const char *s = path;

  while (*p != '\0' && *s != '\0') {
    if (*p == '{') {
      const char *pend = strchr (p, '}');
      const char *send = strchr (s, '/');
      gsize seglen = send != NULL ? (gsize)(send - s) : strlen (s);

      if (pend == NULL || seglen == 0)
        return FALSE;
      if (params != NULL)
        g_hash_table_insert (params, g_strndup (p + 1, pend - p - 1), g_strndup (s, seglen));
      p = pend + 1;
      s += seglen;
      continue;
    }
    if (*p != *s)
      return FALSE;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

/**
 * va_http_router_match:
 * @allow: (nullable): receives the methods allowed on @path, comma
 *   separated, when a pattern matches but not the method (HEAD wherever
 *   GET is)
 *
 * Returns: (nullable): the route, or %NULL (then @allow empty → 404,
 *   else 405)
 */
const VaHttpRoute *
va_http_router_match (const VaHttpRoute *routes, guint n_routes, const char *method,
                      const char *path, GHashTable **params, GString *allow)
{
  g_autofree char *trimmed = NULL;
  gsize len = strlen (path);

  if (len > 1 && path[len - 1] == '/') {
    trimmed = g_strndup (path, len - 1);
    path = trimmed;
  }
  for (guint i = 0; i < n_routes; i++) {
    const VaHttpRoute *r = &routes[i];

    if (!va_http_pattern_match (r->pattern, path, NULL))
      continue;
    /* HEAD is answered wherever GET is (RFC 9110 9.3.2): the same
     * handler, and libsoup sends its headers without the body */
    if (g_str_equal (r->method, method)
        || (g_str_equal (method, "HEAD") && g_str_equal (r->method, "GET"))) {
      if (params != NULL) {
        *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        va_http_pattern_match (r->pattern, path, *params);
      }
      return r;
    }
    if (allow != NULL && strstr (allow->str, r->method) == NULL) {
      if (allow->len > 0)
        g_string_append (allow, ", ");
      g_string_append (allow, r->method);
    }
  }
  if (allow != NULL && strstr (allow->str, "GET") != NULL && strstr (allow->str, "HEAD") == NULL)
    g_string_append (allow, ", HEAD");
  if (allow != NULL && allow->len > 0 && strstr (allow->str, "OPTIONS") == NULL)
    g_string_append (allow, ", OPTIONS");
  return NULL;
}

/**
 * va_http_parse_boolean:
 * @text: a query parameter's value
 *
 * Query booleans as FastAPI read them for the 1.x clients: true/false,
 * 1/0, yes/no, on/off, any case.
 *
 * Returns: %FALSE when @text is none of those
 */
gboolean
va_http_parse_boolean (const char *text, gboolean *value)
{
  static const char *const yes[] = { "true", "1", "yes", "on" };
  static const char *const no[] = { "false", "0", "no", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++) {
    if (g_ascii_strcasecmp (text, yes[i]) == 0) {
      *value = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp (text, no[i]) == 0) {
      *value = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}
