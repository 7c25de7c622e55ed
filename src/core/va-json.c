/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "va-error.h"
#include "va-json.h"

/* The one way JSON from outside the process is parsed: size and nesting
 * are checked by a linear scan before json-glib builds a tree, because its
 * parser recurses once per level (80 000 nested brackets, 160 KB, overflow
 * the stack of a serving thread). */

/* What JSON may have outside strings: structure, white space, numbers and
 * the letters of true/false/null. Anything else is refused rather than
 * modelled: json-glib also reads comments and single-quoted strings, with
 * rules that differ between its versions (1.6 skips from one '/' to the
 * next), and a bracket the parser skips but the scan counts as a closer
 * hides real nesting. */
static gboolean
va_json_is_code_byte (char c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr (" \t\r\n[]{}:,+-.", c) != NULL);
}

/* The code unit of "\uXXXX" at @p (4 bytes after the 'u'), or -1. */
static gint
va_json_hex4 (const char *p, const char *end)
{
  gint value = 0;

  if (end - p < 4)
    return -1;
  for (guint i = 0; i < 4; i++) {
    gint digit = g_ascii_xdigit_value (p[i]);

    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

/* Moves @i from the opening quote of a string to its closing quote.
 * Only JSON's escapes are accepted, with exactly four hex digits after
 * \u and surrogates in pairs: json-glib reads four bytes after \u whatever
 * they are, and two more for the second half of a pair, so anything else
 * could end the string somewhere the scan does not expect. */
static gboolean
va_json_skip_string (const char *data, gsize length, gsize *i, GError **error)
{
  const char *end = data + length;
  gsize start = *i;

  for (gsize j = start + 1; j < length; j++) {
    const char *p = data + j;
    gint unit, low;

    if (*p == '"') {
      *i = j;
      return TRUE;
    }
    if (*p != '\\')
      continue;
    if (j + 1 < length && strchr ("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0') {
      j++;
      continue;
    }
    unit = j + 1 < length && p[1] == 'u' ? va_json_hex4 (p + 2, end) : -1;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      low = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? va_json_hex4 (p + 8, end) : -1;
      if (low < 0xdc00 || low > 0xdfff)
        unit = -1;
      else
        j += 6;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      unit = -1;
    }
    if (unit < 0) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Not JSON: invalid escape in a string (at byte %" G_GSIZE_FORMAT ")", j);
      return FALSE;
    }
    j += 5;
  }
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "Not JSON: unterminated string (from byte %" G_GSIZE_FORMAT ")", start);
  return FALSE;
}

/**
 * va_json_check_limits:
 * @data: JSON text (not necessarily NUL-terminated)
 * @length: its length in bytes
 * @max_size: largest accepted @length
 * @max_depth: deepest accepted nesting of arrays and objects
 * @error: return location for a %VA_ERROR
 *
 * Checks @data without parsing it. Brackets inside strings do not count,
 * so the depth is the one the parser would reach. Only JSON's own syntax
 * is accepted: no comments, no single-quoted strings, only JSON's string
 * escapes (json-glib accepts more, but reads it in ways a scan cannot
 * safely follow).
 *
 * Returns: %FALSE with %VA_ERROR_PAYLOAD_TOO_LARGE when @data is too
 *   large, or %VA_ERROR_INVALID_ARGUMENT when it nests too deeply (both
 *   messages name the limit) or is not JSON (a byte JSON does not allow
 *   outside a string, a bad escape, an unterminated string)
 */
gboolean
va_json_check_limits (const char *data, gsize length, gsize max_size, guint max_depth,
                      GError **error)
{
  guint depth = 0;

  if (length > max_size) {
    g_set_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE,
                 "JSON text of %" G_GSIZE_FORMAT " bytes is larger than the limit of "
                 "%" G_GSIZE_FORMAT " bytes",
                 length, max_size);
    return FALSE;
  }
  for (gsize i = 0; i < length; i++) {
    char c = data[i];

    if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                     "JSON nests deeper than the limit of %u levels (at byte %" G_GSIZE_FORMAT ")",
                     max_depth, i);
        return FALSE;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    } else if (c == '"') {
      if (!va_json_skip_string (data, length, &i, error))
        return FALSE;
    } else if (!va_json_is_code_byte (c)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Not JSON: unexpected byte 0x%02x outside a string (at byte %" G_GSIZE_FORMAT
                   "); comments and single quotes are not accepted",
                   (guint)(guchar)c, i);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * va_json_parse:
 * @data: JSON text from outside the process
 * @length: its length, or -1 when NUL-terminated
 * @max_size: largest accepted size in bytes; 0 for %VA_JSON_MAX_SIZE
 * @error: return location for a %VA_ERROR
 *
 * Parses @data after va_json_check_limits() with %VA_JSON_MAX_DEPTH.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with
 *   %VA_ERROR_PAYLOAD_TOO_LARGE (too large) or %VA_ERROR_INVALID_ARGUMENT
 *   (too deep, empty, or not JSON: json-glib's message)
 */
JsonNode *
va_json_parse (const char *data, gssize length, gsize max_size, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize size;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  size = length < 0 ? strlen (data) : (gsize)length;
  if (!va_json_check_limits (data, size, max_size > 0 ? max_size : VA_JSON_MAX_SIZE,
                             VA_JSON_MAX_DEPTH, error))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, size > 0 ? data : "", (gssize)size, &local_error)) {
    /* json-glib quotes the offending bytes, which need not be UTF-8;
     * the message goes into JSON answers and logs */
    g_autofree char *message = g_utf8_make_valid (local_error->message, -1);

    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, message);
    return NULL;
  }
  root = json_parser_steal_root (parser);
  if (root == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("The JSON text is empty"));
    return NULL;
  }
  return root;
}
