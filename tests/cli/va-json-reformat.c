/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>

#include "va-cli-json.h"

/* Reads one JSON document on stdin and prints it as every `--json` of
 * `videoannotator` must (va_cli_json_to_text()): a test compares a command's
 * output with this rendering of it, byte for byte. */
int
main (void)
{
  g_autoptr (GInputStream) in = g_unix_input_stream_new (0, FALSE);
  g_autoptr (GOutputStream) buffer = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (g_output_stream_splice (buffer, in, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error) < 0
      || !g_output_stream_write_all (buffer, "", 1, NULL, NULL, &error)) {
    fprintf (stderr, "va-json-reformat: %s\n", error != NULL ? error->message : "write failed");
    return 1;
  }
  node = json_from_string (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (buffer)),
                           &error);
  if (node == NULL) {
    fprintf (stderr, "va-json-reformat: %s\n", error != NULL ? error->message : "no JSON");
    return 1;
  }
  text = va_cli_json_to_text (node);
  fputs (text, stdout);
  return 0;
}
