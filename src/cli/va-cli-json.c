/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>

#include "va-cli-exit.h"
#include "va-cli-json.h"

/**
 * SECTION:va-cli-json
 *
 * What every `--json` of `videoannotator` prints, so that scripts meet one
 * format: the document pretty-printed with two spaces of indent, members in
 * the order they were added (for an answer relayed from a server or the
 * D-Bus service, the order it came in; nothing is sorted), text in UTF-8
 * as it is (never `\uXXXX` escapes for letters, whatever the locale), and
 * one newline at the end.
 */

/**
 * va_cli_json_to_text:
 *
 * Returns: (transfer full): @node as va_cli_print_json() prints it
 */
char *
va_cli_json_to_text (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_indent_char (generator, ' ');
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

/**
 * va_cli_print_json:
 *
 * Writes @node to standard output. Not through g_print(), which would
 * convert the text to the locale's character set (under LANG=C every
 * accented letter became a `?`).
 */
void
va_cli_print_json (JsonNode *node)
{
  g_autofree char *text = va_cli_json_to_text (node);

  fputs (text, stdout);
  fflush (stdout);
}

/**
 * va_cli_print_json_error:
 * @server_error: (nullable): the `error` object of a server's answer
 *
 * Prints `{"error": {…}}`: the server's own object when there is one,
 * otherwise `{"code": <va_cli_error_code_name()>, "message": …}`.
 */
void
va_cli_print_json_error (const GError *error, JsonObject *server_error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  if (server_error != NULL) {
    json_builder_add_value (b, json_node_init_object (json_node_alloc (), server_error));
  } else {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "code");
    json_builder_add_string_value (b, va_cli_error_code_name (error));
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, va_cli_error_message (error));
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  va_cli_print_json (root);
}
