/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-json.h"

/* The one way JSON from outside the process is parsed: size and nesting
 * are checked by a linear scan before json-glib builds a tree, because its
 * parser recurses once per level (80 000 nested brackets, 160 KB, overflow
 * the stack of a serving thread). */

typedef enum {
  SCAN_CODE,
  SCAN_STRING,        /* "...", backslash escapes */
  SCAN_STRING_ESCAPE, /* the byte after a backslash */
  SCAN_SQ_STRING,     /* '...': json-glib accepts these, without escapes */
  SCAN_SLASH,         /* a '/' in code: maybe a comment */
  SCAN_COMMENT,       /* json-glib skips C comments */
  SCAN_COMMENT_STAR,
} VaJsonScan;

/**
 * va_json_check_limits:
 * @data: JSON text (not necessarily NUL-terminated)
 * @length: its length in bytes
 * @max_size: largest accepted @length
 * @max_depth: deepest accepted nesting of arrays and objects
 * @error: return location for a %VA_ERROR
 *
 * Checks @data without parsing it. Brackets inside strings (both quote
 * styles json-glib reads) and comments do not count, so the depth is the
 * one the parser would reach; a byte the scan does not understand only
 * makes the later parse fail, never the count too low.
 *
 * Returns: %FALSE with %VA_ERROR_PAYLOAD_TOO_LARGE when @data is too
 *   large, or %VA_ERROR_INVALID_ARGUMENT when it nests too deeply; both
 *   messages name the limit
 */
gboolean
va_json_check_limits (const char *data, gsize length, gsize max_size, guint max_depth,
                      GError **error)
{
  VaJsonScan state = SCAN_CODE;
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

    switch (state) {
    case SCAN_SLASH:
      if (c == '*') {
        state = SCAN_COMMENT;
        break;
      }
      state = SCAN_CODE;
      G_GNUC_FALLTHROUGH;
    case SCAN_CODE:
      if (c == '[' || c == '{') {
        if (++depth > max_depth) {
          g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                       "JSON nests deeper than the limit of %u levels (at byte %" G_GSIZE_FORMAT
                       ")",
                       max_depth, i);
          return FALSE;
        }
      } else if ((c == ']' || c == '}') && depth > 0) {
        depth--;
      } else if (c == '"') {
        state = SCAN_STRING;
      } else if (c == '\'') {
        state = SCAN_SQ_STRING;
      } else if (c == '/') {
        state = SCAN_SLASH;
      }
      break;
    case SCAN_STRING:
      if (c == '\\')
        state = SCAN_STRING_ESCAPE;
      else if (c == '"')
        state = SCAN_CODE;
      break;
    case SCAN_STRING_ESCAPE:
      state = SCAN_STRING;
      break;
    case SCAN_SQ_STRING:
      if (c == '\'')
        state = SCAN_CODE;
      break;
    case SCAN_COMMENT:
      if (c == '*')
        state = SCAN_COMMENT_STAR;
      break;
    case SCAN_COMMENT_STAR:
      if (c == '/')
        state = SCAN_CODE;
      else if (c != '*')
        state = SCAN_COMMENT;
      break;
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
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, local_error->message);
    return NULL;
  }
  root = json_parser_steal_root (parser);
  if (root == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "The JSON text is empty");
    return NULL;
  }
  return root;
}
