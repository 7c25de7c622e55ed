/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * VaCodec:
 *
 * The one writer behind every wire format. A model object describes its
 * fields once, through the va_codec_add_*() calls; the codec turns them
 * into a JSON object or into an `a{sv}` GVariant. Rules shared by both:
 *
 * - timestamps are UTC ISO 8601 strings with microseconds
 *   (`2024-05-01T12:00:00.000000Z`);
 * - a %NULL value is JSON `null`, and is left out of the `a{sv}` (D-Bus
 *   has no null);
 * - JSON-valued fields become nested objects, `a{sv}` (arrays `av`) in a
 *   GVariant, again without null members, so every variant can travel
 *   over D-Bus (which has no null and no maybe types).
 */
typedef struct _VaCodec VaCodec;

typedef struct _VaSerializable VaSerializable;

void va_codec_add_string (VaCodec *codec, const char *name, const char *value);
void va_codec_add_int (VaCodec *codec, const char *name, gint64 value);
void va_codec_add_double (VaCodec *codec, const char *name, double value);
void va_codec_add_boolean (VaCodec *codec, const char *name, gboolean value);
void va_codec_add_null (VaCodec *codec, const char *name);
void va_codec_add_datetime (VaCodec *codec, const char *name, GDateTime *value);
void va_codec_add_strv (VaCodec *codec, const char *name, const char *const *value);
void va_codec_add_json (VaCodec *codec, const char *name, JsonNode *value);

JsonNode *va_codec_to_json (VaSerializable *object);
char *va_codec_to_json_text (VaSerializable *object, gsize *length);
GVariant *va_codec_to_variant (VaSerializable *object);
JsonNode *va_codec_list_to_json (GPtrArray *objects);
GVariant *va_codec_list_to_variant (GPtrArray *objects);

char *va_codec_format_datetime (GDateTime *value);

/* returns a new string that replaces @text (see va_codec_append_json()) */
typedef char *(*VaCodecStringMap) (const char *text, gpointer user_data);

void va_codec_append_json_string (GString *out, const char *text);
void va_codec_append_int (GString *out, gint64 value);
void va_codec_append_json (GString *out, JsonNode *node, VaCodecStringMap map_string,
                           gpointer user_data);
GDateTime *va_codec_parse_datetime (const char *text);

G_END_DECLS
