/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-pipeline-info.h"

/* A pipeline's options as a form description: the shape the web viewer
 * asks for at GET /api/v1/pipelines/{name}/schema (`parameters`, one
 * object per option with name, type, default, description, min/max and
 * the choices of an enumeration), built from the same config_schema that
 * validation uses, so the form offers only what submission accepts. */

static JsonNode *
va_pipeline_schema_parameter (const char *name, JsonObject *entry)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  JsonArray *choices = json_object_has_member (entry, "enum")
                           ? json_object_get_array_member (entry, "enum")
                           : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (
      b, choices != NULL ? "enum"
                         : json_object_get_string_member_with_default (entry, "type", "string"));
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (
      b, json_object_get_string_member_with_default (entry, "description", NULL));
  json_builder_set_member_name (b, "required");
  json_builder_add_boolean_value (b, FALSE);
  if (json_object_has_member (entry, "default")) {
    json_builder_set_member_name (b, "default");
    json_builder_add_value (b, json_node_copy (json_object_get_member (entry, "default")));
  }
  if (json_object_has_member (entry, "minimum")) {
    json_builder_set_member_name (b, "min");
    json_builder_add_value (b, json_node_copy (json_object_get_member (entry, "minimum")));
  }
  if (json_object_has_member (entry, "maximum")) {
    json_builder_set_member_name (b, "max");
    json_builder_add_value (b, json_node_copy (json_object_get_member (entry, "maximum")));
  }
  if (choices != NULL) {
    json_builder_set_member_name (b, "enum");
    json_builder_begin_array (b);
    for (guint i = 0; i < json_array_get_length (choices); i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, json_array_get_string_element (choices, i));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * va_pipeline_info_schema_to_json:
 *
 * Returns: (transfer full): `{pipeline:{id,name,description,group},
 *   name, description, parameters:[…], config_schema:{…}}`
 */
JsonNode *
va_pipeline_info_schema_to_json (VaPipelineInfo *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  JsonObject *schema = va_pipeline_info_get_config_schema (self);
  g_autoptr (GList) names = json_object_get_members (schema);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipeline");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, va_pipeline_info_get_name (self));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, va_pipeline_info_get_display_name (self));
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, va_pipeline_info_get_description (self));
  json_builder_set_member_name (b, "group");
  json_builder_add_string_value (b, va_pipeline_info_get_family (self));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, va_pipeline_info_get_name (self));
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, va_pipeline_info_get_description (self));
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_array (b);
  for (GList *l = names; l != NULL; l = l->next)
    json_builder_add_value (
        b, va_pipeline_schema_parameter (l->data, json_object_get_object_member (schema, l->data)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "config_schema");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), schema));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
