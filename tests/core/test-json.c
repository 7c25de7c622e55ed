/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "va-error.h"
#include "va-json.h"

static char *
nested (guint levels)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    g_string_append (s, "{\"a\":[");
  g_string_append (s, "1");
  for (guint i = 0; i < levels; i++)
    g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static void
test_json_depth (void)
{
  g_autoptr (GError) error = NULL;
  /* two levels per step: {"a":[ */
  g_autofree char *ok = nested (VA_JSON_MAX_DEPTH / 2);
  g_autofree char *deep = nested (VA_JSON_MAX_DEPTH / 2 + 1);
  g_autofree char *hostile = g_strnfill (80000, '[');
  g_autoptr (JsonNode) node = va_json_parse (ok, -1, 0, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_null (va_json_parse (deep, -1, 0, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "limit of 64 levels"));
  g_clear_error (&error);
  /* what crashed json-glib's recursive parser: refused before it runs */
  g_assert_null (va_json_parse (hostile, -1, 0, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_json_brackets_in_strings (void)
{
  g_autofree char *closers = g_strnfill (100, ']');
  g_autofree char *openers = g_strnfill (100, '[');
  /* brackets that do not nest must not count, in both directions */
  g_autofree char *quoted = g_strdup_printf (
      "[\"%s\", \"\\\"%s\", \"\\\\\", \"\\u005b\\ud83d\\ude00%s\"]", openers, openers, openers);
  /* closers hidden from the parser must not lower the count */
  g_autofree char *hidden
      = g_strdup_printf ("%s \"%s\" \"\\\"%s\" %s", openers, closers, closers, openers);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = va_json_parse (quoted, -1, 0, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_assert_false (va_json_check_limits (hidden, strlen (hidden), G_MAXSIZE, 150, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (va_json_check_limits (hidden, strlen (hidden), G_MAXSIZE, 200, &error));
  g_assert_no_error (error);
}

/* json-glib 1.6 skips from one slash to the next as a comment, reads
 * single-quoted strings and reads four bytes after \u whatever they are
 * (then two more after a high surrogate): the first texts below parse as
 * [1,[2]] and ["c","]",...], so brackets json-glib skips would be counted
 * as closers by a scan that does not follow it exactly (both found by
 * fuzz_json). Anything outside JSON's own syntax is refused. */
static void
test_json_not_json_refused (void)
{
  const char *texts[] = {
    "[1, /x ]]]] */ [2]]",
    "[\"\\u0\\\", \"]\", [1]]",
    "[1, /* ] */ 2]",
    "[1 // ]\n]",
    "[1, # ]\n2]",
    "[1, ;2]",
    "['a', 1]",
    "[\"\\ud800x\"]",
    "[\"\\udc00\"]",
    "[\"\\ud800\\u0041\"]",
    "[\"\\x41\"]",
    "[\"\\0\"]",
    "[\"unterminated]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    g_autoptr (GError) error = NULL;

    g_assert_null (va_json_parse (texts[i], -1, 0, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "Not JSON"));
  }
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (va_json_parse ("[1\0]", 4, 0, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_json_size (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *big = g_strnfill (VA_JSON_MAX_SIZE + 1, ' ');

  g_assert_null (va_json_parse (big, -1, 0, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1048576 bytes"));
  g_clear_error (&error);
  g_assert_null (va_json_parse ("[1, 2, 3]", -1, 4, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE);
}

static void
test_json_malformed (void)
{
  const char *bad[] = { "", "   ", "{", "[1,]", "{\"a\" 1}", "[tru]" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;

    g_assert_null (va_json_parse (bad[i], -1, 0, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/brackets-in-strings", test_json_brackets_in_strings);
  g_test_add_func ("/json/not-json-refused", test_json_not_json_refused);
  g_test_add_func ("/json/size", test_json_size);
  g_test_add_func ("/json/malformed", test_json_malformed);
  return g_test_run ();
}
