/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "fuzz.h"
#include "va-json.h"

/* va_json_parse() (src/core/va-json.c), the one parser of JSON from
 * outside the process, and the scan in front of it that bounds nesting
 * before json-glib recurses. Input: any text. Whatever parses must nest no
 * deeper than the scan counted: a scan that counts too few levels lets a
 * deep document reach the recursive parser. */

static guint
va_fuzz_json_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);

    for (guint i = 0; i < json_array_get_length (array); i++) {
      /* not inside MAX(), which would evaluate it twice per level */
      guint depth = va_fuzz_json_depth (json_array_get_element (array, i));

      deepest = MAX (deepest, depth);
    }
    return deepest + 1;
  }
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObjectIter iter;
    JsonNode *member;

    json_object_iter_init (&iter, json_node_get_object (node));
    while (json_object_iter_next (&iter, NULL, &member)) {
      guint depth = va_fuzz_json_depth (member);

      deepest = MAX (deepest, depth);
    }
    return deepest + 1;
  }
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root
      = va_json_parse ((const char *)data, (gssize)size, VA_JSON_MAX_SIZE, &error);
  guint depth;

  g_assert_true ((root == NULL) == (error != NULL));
  if (root == NULL) {
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    return 0;
  }
  depth = va_fuzz_json_depth (root);
  g_assert_cmpuint (depth, <=, VA_JSON_MAX_DEPTH);
  /* the scan may count more than the tree holds (json-glib ignores text
   * after a scalar root: "false[[" parses as false), never less */
  if (depth > 0)
    g_assert_false (va_json_check_limits ((const char *)data, size, size, depth - 1, NULL));
  return 0;
}
