/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Limits for JSON from outside the process (request bodies, form fields,
 * files a user points at, answers of a remote server). json-glib's parser
 * recurses once per nesting level, so depth must be bounded before it
 * runs; every real document of ours nests fewer than ten levels. */
#define VA_JSON_MAX_DEPTH 64
#define VA_JSON_MAX_SIZE (1024 * 1024)

gboolean va_json_check_limits (const char *data, gsize length, gsize max_size, guint max_depth,
                               GError **error);
JsonNode *va_json_parse (const char *data, gssize length, gsize max_size, GError **error);

G_END_DECLS
