/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *va_cli_json_to_text (JsonNode *node);
void va_cli_print_json (JsonNode *node);
void va_cli_print_json_error (const GError *error, JsonObject *server_error);

G_END_DECLS
