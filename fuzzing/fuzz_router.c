/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <libsoup/soup.h>

#include "fuzz.h"
#include "va-http-private.h"
#include "va-job.h"
#include "va-store.h"

/* The request target as the HTTP server reads it: the route table's
 * router (va_http_router_match(), src/http/va-http-router.c) on the path,
 * and the query string as libsoup decodes it (soup_form_decode()) read by
 * the project's helpers (src/http/va-http-query.c) for the parameters the
 * routes take. Input: the method, '\n', the target (path[?query]).
 *
 * A matched route must be the method asked for, and its pattern with the
 * parameters put back must give the path again; a parameter is one
 * non-empty segment. A refused path's Allow list names only methods that
 * do match it. Accepted numbers are within their bounds. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

/* @pattern with each {name} replaced by its value in @params */
static char *
va_fuzz_expand (const char *pattern, GHashTable *params)
{
  GString *out = g_string_new (NULL);

  for (const char *p = pattern; *p != '\0'; p++) {
    if (*p == '{') {
      const char *end = strchr (p, '}');
      g_autofree char *name = g_strndup (p + 1, end - p - 1);
      const char *value = g_hash_table_lookup (params, name);

      g_assert_nonnull (value);
      g_assert_true (*value != '\0');
      g_assert_null (strchr (value, '/'));
      g_string_append (out, value);
      p = end;
    } else {
      g_string_append_c (out, *p);
    }
  }
  return g_string_free (out, FALSE);
}

static void
va_fuzz_route (const char *method, const char *path)
{
  guint n_routes = 0;
  const VaHttpRoute *routes = va_http_server_get_routes (&n_routes);
  g_autoptr (GString) allow = g_string_new (NULL);
  g_autoptr (GHashTable) params = NULL;
  const VaHttpRoute *route = va_http_router_match (routes, n_routes, method, path, &params, allow);

  if (route != NULL) {
    gsize len = strlen (path);
    g_autofree char *trimmed
        = len > 1 && path[len - 1] == '/' ? g_strndup (path, len - 1) : g_strdup (path);
    g_autofree char *expanded = va_fuzz_expand (route->pattern, params);

    g_assert_cmpstr (route->method, ==, method);
    g_assert_cmpstr (expanded, ==, trimmed);
    return;
  }
  g_assert_null (params);
  if (allow->len > 0) {
    g_auto (GStrv) methods = g_strsplit (allow->str, ", ", -1);

    for (guint i = 0; methods[i] != NULL; i++) {
      if (g_str_equal (methods[i], "OPTIONS"))
        continue;
      g_assert_nonnull (va_http_router_match (routes, n_routes, methods[i], path, NULL, NULL));
    }
  }
}

static void
va_fuzz_uint (GHashTable *query, const char *name, guint max)
{
  const char *text = g_hash_table_lookup (query, name);
  guint value = 0;

  if (va_http_query_parse_uint (text, 1, max, &value)) {
    g_assert_cmpuint (value, >=, 1);
    g_assert_cmpuint (value, <=, max);
    for (const char *c = text; *c != '\0'; c++)
      g_assert_true (g_ascii_isdigit (*c));
  }
}

static void
va_fuzz_query (const char *text)
{
  g_autoptr (GHashTable) query = soup_form_decode (text);
  const char *status_filter;
  VaJobStatus status;

  g_assert_nonnull (query);
  va_fuzz_uint (query, "page", G_MAXINT32);
  va_fuzz_uint (query, "per_page", VA_STORE_MAX_PER_PAGE);
  if (va_http_query_parse_flag (g_hash_table_lookup (query, "detailed")))
    g_assert_true (g_hash_table_contains (query, "detailed"));
  status_filter = g_hash_table_lookup (query, "status_filter");
  if (status_filter != NULL && va_job_status_from_string (status_filter, &status))
    g_assert_cmpstr (va_job_status_to_string (status), ==, status_filter);
  /* a parameter named like a credential is always refused */
  if (g_hash_table_contains (query, "access_token") || g_hash_table_contains (query, "api_key")
      || g_hash_table_contains (query, "apikey") || g_hash_table_contains (query, "token"))
    g_assert_true (va_http_query_has_credentials (query));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *rest;
  size_t rest_size;
  g_autofree char *method = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_autofree char *target = va_fuzz_strndup (rest, rest_size);
  char *query = strchr (target, '?');

  if (query != NULL)
    *query++ = '\0';
  va_fuzz_route (method, target);
  if (query != NULL)
    va_fuzz_query (query);
  return 0;
}
