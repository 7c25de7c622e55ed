/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-codec.h"
#include "va-serializable.h"

typedef enum {
  VA_CODEC_JSON,
  VA_CODEC_VARIANT,
} VaCodecKind;

struct _VaCodec {
  VaCodecKind kind;
  JsonBuilder *builder;     /* VA_CODEC_JSON */
  GVariantBuilder *variant; /* VA_CODEC_VARIANT */
};

char *
va_codec_format_datetime (GDateTime *value)
{
  g_autoptr (GDateTime) utc = NULL;

  if (value == NULL)
    return NULL;
  utc = g_date_time_to_utc (value);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
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
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_string_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_string (value));
  }
}

void
va_codec_add_int (VaCodec *codec, const char *name, gint64 value)
{
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_int_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_int64 (value));
  }
}

void
va_codec_add_double (VaCodec *codec, const char *name, double value)
{
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_double_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_double (value));
  }
}

void
va_codec_add_boolean (VaCodec *codec, const char *name, gboolean value)
{
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_boolean_value (codec->builder, value);
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, g_variant_new_boolean (value));
  }
}

void
va_codec_add_null (VaCodec *codec, const char *name)
{
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_null_value (codec->builder);
  }
}

void
va_codec_add_datetime (VaCodec *codec, const char *name, GDateTime *value)
{
  g_autofree char *text = va_codec_format_datetime (value);

  va_codec_add_string (codec, name, text);
}

void
va_codec_add_strv (VaCodec *codec, const char *name, const char *const *value)
{
  if (value == NULL) {
    va_codec_add_null (codec, name);
    return;
  }
  if (codec->kind == VA_CODEC_JSON) {
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
  if (codec->kind == VA_CODEC_JSON) {
    json_builder_set_member_name (codec->builder, name);
    json_builder_add_value (codec->builder, json_node_copy (value));
  } else {
    g_variant_builder_add (codec->variant, "{sv}", name, va_codec_json_to_variant (value));
  }
}

static void
va_codec_write_object (VaCodec *codec, VaSerializable *object)
{
  if (codec->kind == VA_CODEC_JSON)
    json_builder_begin_object (codec->builder);
  else
    g_variant_builder_open (codec->variant, G_VARIANT_TYPE_VARDICT);
  va_serializable_serialize (object, codec);
  if (codec->kind == VA_CODEC_JSON)
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
  VaCodec codec = { VA_CODEC_JSON, builder, NULL };

  g_return_val_if_fail (VA_IS_SERIALIZABLE (object), NULL);
  va_codec_write_object (&codec, object);
  return json_builder_get_root (builder);
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
  VaCodec codec = { VA_CODEC_VARIANT, NULL, &outer };
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
  VaCodec codec = { VA_CODEC_JSON, builder, NULL };

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
  VaCodec codec = { VA_CODEC_VARIANT, NULL, &outer };

  for (guint i = 0; objects != NULL && i < objects->len; i++)
    va_codec_write_object (&codec, g_ptr_array_index (objects, i));
  return g_variant_ref_sink (g_variant_builder_end (&outer));
}
