/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>

#include "va-http-private.h"

/* Prints the OpenAPI document, for the external validator test. */
int
main (void)
{
  g_autoptr (JsonNode) doc = va_http_openapi_build ();
  g_autofree char *text = json_to_string (doc, TRUE);

  fputs (text, stdout);
  fputc ('\n', stdout);
  return 0;
}
