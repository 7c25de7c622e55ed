/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-http-private.h"

/* Values of the query string. libsoup decodes the string itself
 * (soup_form_decode(): name → value, the last of repeated names wins);
 * these read the values the routes take, so every route reads them alike
 * (fuzzing/fuzz_router.c feeds them). */

/* Query parameters some clients put a bearer token in (RFC 6750 names
 * access_token). Never a way to authenticate: a URL ends up in logs,
 * proxies and browser history. */
static const char *const va_http_query_credential_names[]
    = { "access_token", "api_key", "apikey", "token" };

#define VA_HTTP_KEY_MARK "va_api_"
#define VA_HTTP_KEY_SECRET_LEN 43 /* base64url of 32 bytes */

/* A whole key anywhere in a value (not a prefix such as the audit
 * filter's key_prefix=va_api_AbCd, which is not a secret). */
static gboolean
va_http_query_value_holds_key (const char *value)
{
  for (const char *p = value; p != NULL && (p = strstr (p, VA_HTTP_KEY_MARK)) != NULL; p++) {
    const char *secret = p + strlen (VA_HTTP_KEY_MARK);
    guint n = 0;

    while (n < VA_HTTP_KEY_SECRET_LEN
           && (g_ascii_isalnum (secret[n]) || secret[n] == '-' || secret[n] == '_'))
      n++;
    if (n == VA_HTTP_KEY_SECRET_LEN)
      return TRUE;
  }
  return FALSE;
}

/**
 * va_http_query_parse_uint:
 * @text: a value such as `page=2`'s
 *
 * Returns: whether @text is a decimal number from @min to @max (no sign,
 *   no spaces), stored in @out
 */
gboolean
va_http_query_parse_uint (const char *text, guint min, guint max, guint *out)
{
  guint64 value;

  /* digits only: strtoull() behind g_ascii_string_to_unsigned() skips a
   * leading vertical tab (page=%0B1), which g_ascii_isspace() does not
   * count as space (found by fuzz_router) */
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *c = text; *c != '\0'; c++) {
    if (!g_ascii_isdigit (*c))
      return FALSE;
  }
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    return FALSE;
  *out = (guint)value;
  return TRUE;
}

/**
 * va_http_query_parse_flag:
 * @text: (nullable): a value such as `detailed=true`'s
 *
 * Returns: %TRUE for `true` (any case) and `1`; %FALSE for anything
 *   else, absent included
 */
gboolean
va_http_query_parse_flag (const char *text)
{
  return text != NULL && (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1"));
}

/**
 * va_http_query_has_credentials:
 * @query: (nullable): the decoded query
 *
 * The one check for keys in URLs, which end up in logs and browser
 * history: a parameter named like a credential (`access_token`, `api_key`,
 * `apikey`, `token`: the last is what 1.4's EventSource clients send) or a
 * whole API key in any value.
 *
 * Returns: whether the query carries something meant as an API key
 */
gboolean
va_http_query_has_credentials (GHashTable *query)
{
  GHashTableIter iter;
  gpointer name, value;

  if (query == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (va_http_query_credential_names); i++) {
    if (g_hash_table_contains (query, va_http_query_credential_names[i]))
      return TRUE;
  }
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &name, &value)) {
    if (va_http_query_value_holds_key (value))
      return TRUE;
  }
  return FALSE;
}
