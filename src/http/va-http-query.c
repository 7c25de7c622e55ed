/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* Values of the query string. libsoup decodes the string itself
 * (soup_form_decode(): name → value, the last of repeated names wins);
 * these read the values the routes take, so every route reads them alike
 * (fuzzing/fuzz_router.c feeds them). */

/* Query parameters some clients put a bearer token in (RFC 6750 names
 * access_token). Never a way to authenticate: a URL ends up in logs,
 * proxies and browser history. */
static const char *const va_http_query_credential_names[] = { "access_token", "api_key", "apikey" };

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
 * Returns: whether the query carries something a client meant as an API
 *   key (`access_token`, `api_key`, `apikey`), which is refused
 */
gboolean
va_http_query_has_credentials (GHashTable *query)
{
  for (guint i = 0; query != NULL && i < G_N_ELEMENTS (va_http_query_credential_names); i++) {
    if (g_hash_table_contains (query, va_http_query_credential_names[i]))
      return TRUE;
  }
  return FALSE;
}
