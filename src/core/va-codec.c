/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-codec.h"
#include "va-serializable.h"

#include <math.h>
#include <string.h>

typedef enum {
  VA_CODEC_JSON,
  VA_CODEC_VARIANT,
  VA_CODEC_TEXT,
} VaCodecKind;

struct _VaCodec {
  VaCodecKind kind;
  JsonBuilder *builder;     /* VA_CODEC_JSON */
  GVariantBuilder *variant; /* VA_CODEC_VARIANT */
  GString *text;            /* VA_CODEC_TEXT: JSON text written directly */
  gboolean first;           /* VA_CODEC_TEXT: no member written yet */
};

/* "%Y-%m-%dT%H:%M:%S.%fZ", without g_date_time_format()'s parsing of the
 * format and allocations: a job document has four of these */
static void
va_codec_append_digits (char *at, int value, int width)
{
  for (int i = width - 1; i >= 0; i--) {
    at[i] = (char)('0' + value % 10);
    value /= 10;
  }
}

static void
va_codec_append_datetime (GString *out, GDateTime *value)
{
  /* stored times are UTC already: no conversion (an allocation) then */
  g_autoptr (GDateTime) utc = g_date_time_get_utc_offset (value) == 0 ? g_date_time_ref (value)
                                                                      : g_date_time_to_utc (value);
  char text[] = "0000-00-00T00:00:00.000000Z";
  int year, month, day;

  g_date_time_get_ymd (utc, &year, &month, &day);
  if (year < 1000 || year > 9999) {
    /* as g_date_time_format() writes them */
    g_autofree char *other = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
    g_string_append (out, other);
    return;
  }
  va_codec_append_digits (text, year, 4);
  va_codec_append_digits (text + 5, month, 2);
  va_codec_append_digits (text + 8, day, 2);
  va_codec_append_digits (text + 11, g_date_time_get_hour (utc), 2);
  va_codec_append_digits (text + 14, g_date_time_get_minute (utc), 2);
  va_codec_append_digits (text + 17, g_date_time_get_second (utc), 2);
  va_codec_append_digits (text + 20, g_date_time_get_microsecond (utc), 6);
  g_string_append_len (out, text, sizeof (text) - 1);
}

char *
va_codec_format_datetime (GDateTime *value)
{
  GString *out;

  if (value == NULL)
    return NULL;
  out = g_string_sized_new (32);
  va_codec_append_datetime (out, value);
  return g_string_free (out, FALSE);
}

/**
 * va_codec_append_int:
 * @out: where to write
 * @value: a number
 *
 * Appends @value in decimal, as "%" G_GINT64_FORMAT would. Written out by
 * hand: printf is slow in this process (libquadmath, loaded with OpenCV,
 * registers printf hooks, which send every printf call through glibc's
 * slow path), and the job documents and the access log are full of
 * numbers.
 */
void
va_codec_append_int (GString *out, gint64 value)
{
  char digits[24];
  guint n = 0;
  guint64 magnitude = value < 0 ? (guint64)(-(value + 1)) + 1 : (guint64)value;

  do {
    digits[n++] = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (value < 0)
    g_string_append_c (out, '-');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/**
 * va_codec_append_json_string:
 * @out: where to write
 * @text: a UTF-8 string
 *
 * Appends @text as a JSON string, escaped as json-glib's generator does
 * (quote, backslash, \b \f \n \r \t, other control characters and DEL
 * as \u00XX; other characters as they are).
 */
void
va_codec_append_json_string (GString *out, const char *text)
{
  const char *run = text;

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++) {
    guchar c = (guchar)*p;
    const char *escape = NULL;
    char unicode[8];

    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
      continue;
    switch (c) {
    case '"':
      escape = "\\\"";
      break;
    case '\\':
      escape = "\\\\";
      break;
    case '\b':
      escape = "\\b";
      break;
    case '\f':
      escape = "\\f";
      break;
    case '\n':
      escape = "\\n";
      break;
    case '\r':
      escape = "\\r";
      break;
    case '\t':
      escape = "\\t";
      break;
    default:
      g_snprintf (unicode, sizeof (unicode), "\\u%04x", c);
      escape = unicode;
      break;
    }
    g_string_append_len (out, run, p - run);
    g_string_append (out, escape);
    run = p + 1;
  }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

/* As json-glib writes a double (shortest form that reads back, ".0" on
 * whole numbers), but never the invalid "nan", "inf" or "1e+21.0". */
static void
va_codec_append_double (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value)) {
    g_string_append (out, "null");
    return;
  }
  g_ascii_dtostr (buf, sizeof (buf), value);
  g_string_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

/**
 * va_codec_append_json:
 * @out: where to write
 * @node: a JSON value
 * @map_string: (nullable) (scope call): replaces each string value (the
 *   log sanitizer), returning a new string
 * @user_data: for @map_string
 *
 * Appends @node as compact JSON text, as json_to_string() would, without
 * building a copy of the tree or a generator.
 */
void
va_codec_append_json (GString *out, JsonNode *node, VaCodecStringMap map_string, gpointer user_data)
{
  switch (JSON_NODE_TYPE (node)) {
  case JSON_NODE_OBJECT: {
    JsonObject *object = json_node_get_object (node);
    g_autoptr (GList) names = json_object_get_members (object); /* in order */

    g_string_append_c (out, '{');
    for (GList *l = names; l != NULL; l = l->next) {
      if (l != names)
        g_string_append_c (out, ',');
      va_codec_append_json_string (out, l->data);
      g_string_append_c (out, ':');
      va_codec_append_json (out, json_object_get_member (object, l->data), map_string, user_data);
    }
    g_string_append_c (out, '}');
    break;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *array = json_node_get_array (node);

    g_string_append_c (out, '[');
    for (guint i = 0; i < json_array_get_length (array); i++) {
      if (i > 0)
        g_string_append_c (out, ',');
      va_codec_append_json (out, json_array_get_element (array, i), map_string, user_data);
    }
    g_string_append_c (out, ']');
    break;
  }
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type (node)) {
    case G_TYPE_STRING:
      if (map_string != NULL) {
        g_autofree char *mapped = map_string (json_node_get_string (node), user_data);
        va_codec_append_json_string (out, mapped);
      } else {
        va_codec_append_json_string (out, json_node_get_string (node));
      }
      break;
    case G_TYPE_INT64:
      va_codec_append_int (out, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      va_codec_append_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    default:
      g_string_append (out, "null");
      break;
    }
    break;
  case JSON_NODE_NULL:
  default:
    g_string_append (out, "null");
    break;
  }
}

/* VA_CODEC_TEXT: the separator and name of the next member */
static void
va_codec_text_member (VaCodec *codec, const char *name)
{
  if (!codec->first)
    g_string_append_c (codec->text, ',');
  codec->first = FALSE;
  va_codec_append_json_string (codec->text, name);
  g_string_append_c (codec->text, ':');
}

/**
 * va_codec_parse_datetime:
 * @text: an ISO 8601 timestamp; without a zone it is taken as UTC
 *
 * Returns: (transfer full) (nullable): the time, or %NULL if unparsable.
 */
GDateTime *
va_codec_parse_datetime (const char *text)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL)
    return NULL;
  return g_date_time_new_from_iso8601 (text, utc);
}

/* Objects become a{sv} without their null members (as at the top level),
 * arrays av, numbers x or d. Not json_gvariant_deserialize(): it turns
 * null into a maybe type, which D-Bus cannot carry. A null inside an
 * array becomes an empty a{sv}, keeping the other elements' positions. */
static GVariant *
va_codec_json_to_variant (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node)) {
  case JSON_NODE_OBJECT: {
    GVariantBuilder builder;
    JsonObjectIter iter;
    const char *member;
    JsonNode *child;

    g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
    json_object_iter_init (&iter, json_node_get_object (node));
    while (json_object_iter_next (&iter, &member, &child)) {
      if (!JSON_NODE_HOLDS_NULL (child))
        g_variant_builder_add (&builder, "{sv}", member, va_codec_json_to_variant (child));
    }
    return g_variant_builder_end (&builder);
  }
  case JSON_NODE_ARRAY: {
    GVariantBuilder builder;
    JsonArray *array = json_node_get_array (node);

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
    for (guint i = 0; i < json_array_get_length (array); i++)
      g_variant_builder_add (&builder, "v",
                             va_codec_json_to_variant (json_array_get_element (array, i)));
    return g_variant_builder_end (&builder);
  }
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type (node)) {
    case G_TYPE_BOOLEAN:
      return g_variant_new_boolean (json_node_get_boolean (node));
    case G_TYPE_INT64:
      return g_variant_new_int64 (json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_variant_new_double (json_node_get_double (node));
    case G_TYPE_STRING:
      return g_variant_new_string (json_node_get_string (node));
    default:
      break;
    }
    break;
  case JSON_NODE_NULL:
  default:
    break;
  }
  return g_variant_new ("a{sv}", NULL);
}

void
va_codec_add_string (VaCodec *codec, const char *name, const char *value)
{
  if (value == NULL) {
    va_codec_add_null (codec, name);
    return;
  }
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    va_codec_append_json_string (codec->text, value);
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_string_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_string (value));
  }
}

void
va_codec_add_int (VaCodec *codec, const char *name, gint64 value)
{
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    va_codec_append_int (codec->text, value);
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_int_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_int64 (value));
  }
}

void
va_codec_add_double (VaCodec *codec, const char *name, double value)
{
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    va_codec_append_double (codec->text, value);
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_double_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_double (value));
  }
}

void
va_codec_add_boolean (VaCodec *codec, const char *name, gboolean value)
{
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    g_string_append (codec->text, value ? "true" : "false");
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_boolean_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_boolean (value));
  }
}

void
va_codec_add_null (VaCodec *codec, const char *name)
{
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    g_string_append (codec->text, "null");
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_null_value (codec->builder);
  }
}

void
va_codec_add_datetime (VaCodec *codec, const char *name, GDateTime *value)
{
  g_autofree char *text = NULL;

  if (value != NULL && codec->kind == VA_CODEC_TEXT) {
    /* no escaping needed: digits and separators */
    va_codec_text_member (codec, name);
    g_string_append_c (codec->text, '"');
    va_codec_append_datetime (codec->text, value);
    g_string_append_c (codec->text, '"');
    return;
  }
  text = va_codec_format_datetime (value);
  va_codec_add_string (codec, name, text);
}

void
va_codec_add_strv (VaCodec *codec, const char *name, const char *const *value)
{
  if (value == NULL) {
    va_codec_add_null (codec, name);
    return;
  }
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    g_string_append_c (codec->text, '[');
    for (guint i = 0; value[i] != NULL; i++) {
      if (i > 0)
        g_string_append_c (codec->text, ',');
      va_codec_append_json_string (codec->text, value[i]);
    }
    g_string_append_c (codec->text, ']');
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_begin_array (codec->builder);
    for (guint i = 0; value[i] != NULL; i++)
      json_builder_add_string_value (codec->builder, value[i]);
    json_builder_end_array (codec->builder);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_strv (value, -1));
  }
}

void
va_codec_add_json (VaCodec *codec, const char *name, JsonNode *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value)) {
    va_codec_add_null (codec, name);
    return;
  }
  if (codec->kind == VA_CODEC_TEXT) {
    va_codec_text_member (codec, name);
    va_codec_append_json (codec->text, value, NULL, NULL);
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_value (codec->builder, json_node_copy (value));
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, va_codec_json_to_variant (value));
  }
}

static void
va_codec_write_object (VaCodec *codec, VaSerializable *object)
{
  if (codec->kind == VA_CODEC_TEXT) {
    g_string_append_c (codec->text, '{');
    codec->first = TRUE;
  } else if (codec->kind == VA_CODEC_JSON) {
    json_builder_begin_object (codec->builder);
  } else {
    g_variant_builder_open (codec->variant, G_VARIANT_TYPE_VARDICT);
  }
  va_serializable_serialize (object, codec);
  if (codec->kind == VA_CODEC_TEXT)
    g_string_append_c (codec->text, '}');
  else if (codec->kind == VA_CODEC_JSON)
    json_builder_end_object (codec->builder);
  else
    g_variant_builder_close (codec->variant);
}

/**
 * va_codec_to_json:
 * @object: a model object
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
va_codec_to_json (VaSerializable *object)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  VaCodec codec = { VA_CODEC_JSON, builder, NULL, NULL, FALSE };

  g_return_val_if_fail (VA_IS_SERIALIZABLE (object), NULL);
  va_codec_write_object (&codec, object);
  return json_builder_get_root (builder);
}

/**
 * va_codec_to_json_text:
 * @object: a model object
 * @length: (out) (optional): length of the text
 *
 * The text json_to_string (va_codec_to_json (@object), FALSE) gives,
 * written directly: for responses of a single object, where building the
 * tree and then the text cost as much as the rest of the request.
 *
 * Returns: (transfer full): compact JSON text
 */
char *
va_codec_to_json_text (VaSerializable *object, gsize *length)
{
  VaCodec codec = { VA_CODEC_TEXT, NULL, NULL, g_string_sized_new (1024), TRUE };

  g_return_val_if_fail (VA_IS_SERIALIZABLE (object), NULL);
  va_codec_write_object (&codec, object);
  if (length != NULL)
    *length = codec.text->len;
  return g_string_free (codec.text, FALSE);
}

/**
 * va_codec_to_variant:
 * @object: a model object
 *
 * Returns: (transfer full): a non-floating `a{sv}`
 */
GVariant *
va_codec_to_variant (VaSerializable *object)
{
  g_auto (GVariantBuilder) outer = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("(a{sv})"));
  VaCodec codec = { VA_CODEC_VARIANT, NULL, &outer, NULL, FALSE };
  g_autoptr (GVariant) tuple = NULL;

  g_return_val_if_fail (VA_IS_SERIALIZABLE (object), NULL);
  va_codec_write_object (&codec, object);
  tuple = g_variant_ref_sink (g_variant_builder_end (&outer));
  return g_variant_get_child_value (tuple, 0);
}

/**
 * va_codec_list_to_json:
 * @objects: (element-type VaSerializable): model objects
 *
 * Returns: (transfer full): a JSON array node
 */
JsonNode *
va_codec_list_to_json (GPtrArray *objects)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  VaCodec codec = { VA_CODEC_JSON, builder, NULL, NULL, FALSE };

  json_builder_begin_array (builder);
  for (guint i = 0; objects != NULL && i < objects->len; i++)
    va_codec_write_object (&codec, g_ptr_array_index (objects, i));
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/**
 * va_codec_list_to_variant:
 * @objects: (element-type VaSerializable): model objects
 *
 * Returns: (transfer full): a non-floating `aa{sv}`
 */
GVariant *
va_codec_list_to_variant (GPtrArray *objects)
{
  g_auto (GVariantBuilder) outer = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  VaCodec codec = { VA_CODEC_VARIANT, NULL, &outer, NULL, FALSE };

  for (guint i = 0; objects != NULL && i < objects->len; i++)
    va_codec_write_object (&codec, g_ptr_array_index (objects, i));
  return g_variant_ref_sink (g_variant_builder_end (&outer));
}
