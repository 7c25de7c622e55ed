/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "va-config-report.h"
#include "va-error.h"

/**
 * VaConfigReport:
 *
 * The result of checking a job configuration against the `config_schema`
 * of the selected pipelines (the elements' own properties, so the check
 * and the pipeline can never disagree). A configuration holds, per
 * pipeline, either its own section (`{"scene_detection": {"threshold":
 * 40}}`, the registry name or an alias as key) or top-level options that
 * apply to every selected pipeline without a section (the 1.4 rule).
 *
 * Wrong types, values out of range and unknown enumeration values are
 * errors; options no selected pipeline knows, and sections of pipelines
 * that are not selected, are warnings (they are ignored). Every issue
 * carries the dotted path of the field.
 */
struct _VaConfigReport {
  GObject parent_instance;

  GPtrArray *errors;    /* VaConfigIssue */
  GPtrArray *warnings;  /* VaConfigIssue */
  GPtrArray *validated; /* char*: pipeline names */
};

G_DEFINE_FINAL_TYPE (VaConfigReport, va_config_report, G_TYPE_OBJECT)

static void
va_config_issue_free (VaConfigIssue *issue)
{
  g_free (issue->pipeline);
  g_free (issue->field);
  g_free (issue->code);
  g_free (issue->message);
  g_free (issue->hint);
  g_free (issue);
}

static void
va_config_report_finalize (GObject *object)
{
  VaConfigReport *self = VA_CONFIG_REPORT (object);

  g_ptr_array_unref (self->errors);
  g_ptr_array_unref (self->warnings);
  g_ptr_array_unref (self->validated);
  G_OBJECT_CLASS (va_config_report_parent_class)->finalize (object);
}

static void
va_config_report_class_init (VaConfigReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_config_report_finalize;
}

static void
va_config_report_init (VaConfigReport *self)
{
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)va_config_issue_free);
  self->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify)va_config_issue_free);
  self->validated = g_ptr_array_new_with_free_func (g_free);
}

G_GNUC_PRINTF (6, 7)
static void
va_config_report_add (GPtrArray *list, const char *pipeline, const char *field, const char *code,
                      const char *hint, const char *format, ...)
{
  VaConfigIssue *issue = g_new0 (VaConfigIssue, 1);
  va_list args;

  issue->pipeline = g_strdup (pipeline);
  issue->field = g_strdup (field);
  issue->code = g_strdup (code);
  issue->hint = g_strdup (hint);
  va_start (args, format);
  issue->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (list, issue);
}

static char *
va_config_format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == floor (value) && fabs (value) < 1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)value);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static gboolean
va_config_node_is_number (JsonNode *node)
{
  GType type;

  if (JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
va_config_node_is_integer (JsonNode *node)
{
  if (!va_config_node_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return TRUE;
  /* 40.0 is an integer; JSON does not distinguish */
  return json_node_get_double (node) == floor (json_node_get_double (node))
         && fabs (json_node_get_double (node)) < 9007199254740992.0;
}

static const char *
va_config_describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node)) {
  case JSON_NODE_OBJECT:
    return "an object";
  case JSON_NODE_ARRAY:
    return "an array";
  case JSON_NODE_NULL:
    return "null";
  default:
    break;
  }
  switch (json_node_get_value_type (node)) {
  case G_TYPE_BOOLEAN:
    return "a boolean";
  case G_TYPE_STRING:
    return "a string";
  default:
    return "a number";
  }
}

/* Checks @value against one schema entry; adds an error on @report. */
static void
va_config_check_value (VaConfigReport *self, const char *pipeline, const char *field,
                       JsonObject *entry, JsonNode *value)
{
  const char *type = json_object_get_string_member_with_default (entry, "type", "string");

  if (g_str_equal (type, "boolean")) {
    if (JSON_NODE_TYPE (value) != JSON_NODE_VALUE
        || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
      va_config_report_add (self->errors, pipeline, field, "INVALID_TYPE", "Use true or false",
                            "%s: must be true or false, not %s", field,
                            va_config_describe_node (value));
    return;
  }
  if (g_str_equal (type, "integer") || g_str_equal (type, "number")) {
    gboolean integer = g_str_equal (type, "integer");
    double v;

    if (integer ? !va_config_node_is_integer (value) : !va_config_node_is_number (value)) {
      va_config_report_add (self->errors, pipeline, field, "INVALID_TYPE",
                            integer ? "Use a whole number" : "Use a number",
                            "%s: must be %s, not %s", field, integer ? "an integer" : "a number",
                            va_config_describe_node (value));
      return;
    }
    v = json_node_get_double (value);
    if ((json_object_has_member (entry, "minimum")
         && v < json_object_get_double_member (entry, "minimum"))
        || (json_object_has_member (entry, "maximum")
            && v > json_object_get_double_member (entry, "maximum"))) {
      g_autofree char *got = va_config_format_number (v);
      g_autofree char *min
          = json_object_has_member (entry, "minimum")
                ? va_config_format_number (json_object_get_double_member (entry, "minimum"))
                : NULL;
      g_autofree char *max
          = json_object_has_member (entry, "maximum")
                ? va_config_format_number (json_object_get_double_member (entry, "maximum"))
                : NULL;
      g_autofree char *range = min != NULL && max != NULL
                                   ? g_strdup_printf ("between %s and %s", min, max)
                                   : (min != NULL ? g_strdup_printf ("at least %s", min)
                                                  : g_strdup_printf ("at most %s", max));
      g_autofree char *hint = g_strdup_printf ("Use a value %s", range);
      va_config_report_add (self->errors, pipeline, field, "VALUE_OUT_OF_RANGE", hint,
                            "%s: must be %s (got %s)", field, range, got);
    }
    return;
  }

  /* strings and enumerations */
  if (JSON_NODE_TYPE (value) != JSON_NODE_VALUE
      || json_node_get_value_type (value) != G_TYPE_STRING) {
    va_config_report_add (self->errors, pipeline, field, "INVALID_TYPE", "Use a string",
                          "%s: must be a string, not %s", field, va_config_describe_node (value));
    return;
  }
  if (json_object_has_member (entry, "enum")) {
    JsonArray *values = json_object_get_array_member (entry, "enum");
    const char *text = json_node_get_string (value);
    g_autoptr (GString) known = g_string_new (NULL);

    for (guint i = 0; i < json_array_get_length (values); i++) {
      const char *allowed = json_array_get_string_element (values, i);
      if (g_strcmp0 (allowed, text) == 0)
        return;
      g_string_append_printf (known, "%s%s", known->len > 0 ? ", " : "", allowed);
    }
    {
      g_autofree char *hint = g_strdup_printf ("Use one of: %s", known->str);
      g_autofree char *shown = g_strescape (text, NULL);
      va_config_report_add (self->errors, pipeline, field, "INVALID_VALUE", hint,
                            "%s: must be one of %s (got “%s”)", field, known->str, shown);
    }
  }
}

/* The pipeline a top-level member names (by registry name or alias), if
 * any. */
static VaPipelineInfo *
va_config_section_owner (VaPipelineRegistry *registry, const char *member)
{
  return va_pipeline_registry_lookup (registry, member);
}

static gboolean
va_config_has_section (VaPipelineRegistry *registry, JsonObject *config, VaPipelineInfo *info)
{
  g_autoptr (GList) members = json_object_get_members (config);

  for (GList *l = members; l != NULL; l = l->next) {
    if (va_config_section_owner (registry, l->data) == info
        && JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, l->data)))
      return TRUE;
  }
  return FALSE;
}

static gboolean
va_config_is_selected (GPtrArray *pipelines, VaPipelineInfo *info)
{
  return g_ptr_array_find (pipelines, info, NULL);
}

/**
 * va_config_report_new:
 * @registry: the pipeline registry
 * @config: (nullable): the job configuration
 * @pipelines: (element-type VaPipelineInfo): the selected pipelines
 *
 * Returns: (transfer full): the report
 */
VaConfigReport *
va_config_report_new (VaPipelineRegistry *registry, JsonObject *config, GPtrArray *pipelines)
{
  VaConfigReport *self;
  g_autoptr (GList) members = NULL;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (registry), NULL);
  g_return_val_if_fail (pipelines != NULL, NULL);

  self = g_object_new (VA_TYPE_CONFIG_REPORT, NULL);
  for (guint i = 0; i < pipelines->len; i++)
    g_ptr_array_add (self->validated,
                     g_strdup (va_pipeline_info_get_name (g_ptr_array_index (pipelines, i))));
  if (config == NULL)
    return self;

  members = json_object_get_members (config);
  for (GList *l = members; l != NULL; l = l->next) {
    const char *member = l->data;
    JsonNode *value = json_object_get_member (config, member);
    VaPipelineInfo *owner = va_config_section_owner (registry, member);

    if (owner != NULL) {
      const char *name = va_pipeline_info_get_name (owner);
      JsonObject *schema = va_pipeline_info_get_config_schema (owner);
      g_autoptr (GList) keys = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (value)) {
        va_config_report_add (self->errors, name, member, "INVALID_TYPE",
                              "Put the options of a pipeline in an object",
                              "%s: must be an object with options of pipeline %s, not %s", member,
                              name, va_config_describe_node (value));
        continue;
      }
      if (!va_config_is_selected (pipelines, owner)) {
        va_config_report_add (self->warnings, name, member, "NOT_SELECTED",
                              "Select the pipeline or remove its section",
                              "%s: pipeline %s is not selected; these options are ignored", member,
                              name);
        continue;
      }
      keys = json_object_get_members (json_node_get_object (value));
      for (GList *k = keys; k != NULL; k = k->next) {
        g_autofree char *field = g_strdup_printf ("%s.%s", member, (char *)k->data);
        JsonNode *option = json_object_get_member (json_node_get_object (value), k->data);

        if (va_pipeline_info_get_operator_setting (owner, k->data) != NULL) {
          va_config_report_add (
              self->errors, name, field, "OPERATOR_SETTING",
              "Ask the server's operator to set it, or run videoannotator annotate locally",
              "%s: names a file on the server, which only the operator chooses (setting %s)", field,
              va_pipeline_info_get_operator_setting (owner, k->data));
          continue;
        }
        if (!json_object_has_member (schema, k->data)) {
          va_config_report_add (self->warnings, name, field, "UNKNOWN_FIELD",
                                "See the pipeline's config_schema for its options",
                                "Unknown field '%s' will be ignored", field);
          continue;
        }
        va_config_check_value (self, name, field, json_object_get_object_member (schema, k->data),
                               option);
      }
      continue;
    }

    /* a top-level option: for every selected pipeline without a section */
    {
      gboolean known = FALSE;
      for (guint i = 0; i < pipelines->len; i++) {
        VaPipelineInfo *info = g_ptr_array_index (pipelines, i);
        JsonObject *schema = va_pipeline_info_get_config_schema (info);

        if (va_config_has_section (registry, config, info))
          continue;
        if (va_pipeline_info_get_operator_setting (info, member) != NULL) {
          known = TRUE;
          va_config_report_add (
              self->errors, va_pipeline_info_get_name (info), member, "OPERATOR_SETTING",
              "Ask the server's operator to set it, or run videoannotator annotate locally",
              "%s: names a file on the server, which only the operator chooses (setting %s)",
              member, va_pipeline_info_get_operator_setting (info, member));
          continue;
        }
        if (!json_object_has_member (schema, member))
          continue;
        known = TRUE;
        va_config_check_value (self, va_pipeline_info_get_name (info), member,
                               json_object_get_object_member (schema, member), value);
      }
      if (!known)
        va_config_report_add (self->warnings, NULL, member, "UNKNOWN_FIELD",
                              "See the selected pipelines' config_schema for their options",
                              "Unknown field '%s' will be ignored", member);
    }
  }
  return self;
}

gboolean
va_config_report_is_valid (VaConfigReport *self)
{
  g_return_val_if_fail (VA_IS_CONFIG_REPORT (self), FALSE);
  return self->errors->len == 0;
}

/**
 * va_config_report_get_errors:
 *
 * Returns: (transfer none) (element-type VaConfigIssue): the errors
 */
GPtrArray *
va_config_report_get_errors (VaConfigReport *self)
{
  g_return_val_if_fail (VA_IS_CONFIG_REPORT (self), NULL);
  return self->errors;
}

/**
 * va_config_report_get_warnings:
 *
 * Returns: (transfer none) (element-type VaConfigIssue): the warnings
 */
GPtrArray *
va_config_report_get_warnings (VaConfigReport *self)
{
  g_return_val_if_fail (VA_IS_CONFIG_REPORT (self), NULL);
  return self->warnings;
}

/**
 * va_config_report_dup_summary:
 *
 * Returns: (transfer full): the error messages joined by "; " (empty when
 *   valid)
 */
char *
va_config_report_dup_summary (VaConfigReport *self)
{
  g_autoptr (GString) summary = g_string_new (NULL);

  g_return_val_if_fail (VA_IS_CONFIG_REPORT (self), NULL);
  for (guint i = 0; i < self->errors->len; i++) {
    VaConfigIssue *issue = g_ptr_array_index (self->errors, i);
    g_string_append_printf (summary, "%s%s", i > 0 ? "; " : "", issue->message);
  }
  return g_string_free (g_steal_pointer (&summary), FALSE);
}

static void
va_config_add_issues (JsonBuilder *builder, const char *name, GPtrArray *issues,
                      const char *hint_name)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < issues->len; i++) {
    VaConfigIssue *issue = g_ptr_array_index (issues, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "field");
    json_builder_add_string_value (builder, issue->field);
    json_builder_set_member_name (builder, "message");
    json_builder_add_string_value (builder, issue->message);
    json_builder_set_member_name (builder, "code");
    json_builder_add_string_value (builder, issue->code);
    json_builder_set_member_name (builder, hint_name);
    if (issue->hint != NULL)
      json_builder_add_string_value (builder, issue->hint);
    else
      json_builder_add_null_value (builder);
    json_builder_set_member_name (builder, "pipeline");
    if (issue->pipeline != NULL)
      json_builder_add_string_value (builder, issue->pipeline);
    else
      json_builder_add_null_value (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

/**
 * va_config_report_to_json:
 *
 * The body of the 1.4 validation endpoints: `{valid, errors: [{field,
 * message, code, hint, pipeline}], warnings: [{field, message, code,
 * suggestion, pipeline}], message, pipelines_validated}`.
 *
 * Returns: (transfer full): the JSON object
 */
JsonNode *
va_config_report_to_json (VaConfigReport *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *message = NULL;

  g_return_val_if_fail (VA_IS_CONFIG_REPORT (self), NULL);

  if (self->errors->len == 0)
    message = g_strdup (self->warnings->len == 0 ? "Configuration is valid"
                                                 : "Configuration is valid, with warnings");
  else
    message = g_strdup_printf ("Configuration has %u error%s", self->errors->len,
                               self->errors->len == 1 ? "" : "s");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, self->errors->len == 0);
  va_config_add_issues (builder, "errors", self->errors, "hint");
  va_config_add_issues (builder, "warnings", self->warnings, "suggestion");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "pipelines_validated");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->validated->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->validated, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
va_config_value_to_text (JsonObject *entry, JsonNode *value)
{
  const char *type = json_object_get_string_member_with_default (entry, "type", "string");

  if (JSON_NODE_TYPE (value) != JSON_NODE_VALUE)
    return NULL;
  switch (json_node_get_value_type (value)) {
  case G_TYPE_BOOLEAN:
    return g_strdup (json_node_get_boolean (value) ? "true" : "false");
  case G_TYPE_INT64:
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
  case G_TYPE_DOUBLE:
    if (g_str_equal (type, "integer"))
      return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)json_node_get_double (value));
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (value)));
    }
  case G_TYPE_STRING:
    return g_strdup (json_node_get_string (value));
  default:
    return NULL;
  }
}

static gboolean
va_config_apply_object (VaPipelineRegistry *registry, VaPipelineBuilder *builder,
                        VaPipelineInfo *info, JsonObject *object, const char *prefix,
                        GError **error)
{
  JsonObject *schema = va_pipeline_info_get_config_schema (info);
  g_autoptr (GList) keys = json_object_get_members (object);

  for (GList *k = keys; k != NULL; k = k->next) {
    const char *key = k->data;
    g_autofree char *text = NULL;

    /* sections of other pipelines and unknown options are not ours */
    if (prefix == NULL && va_config_section_owner (registry, key) != NULL)
      continue;
    if (!json_object_has_member (schema, key))
      continue;
    text = va_config_value_to_text (json_object_get_object_member (schema, key),
                                    json_object_get_member (object, key));
    if (text == NULL
        || !va_pipeline_builder_set_option (builder, va_pipeline_info_get_name (info), key, text,
                                            error)) {
      if (text == NULL)
        g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s%s%s: not a valid value",
                     prefix != NULL ? prefix : "", prefix != NULL ? "." : "", key);
      else
        g_prefix_error (error, "%s%s%s: ", prefix != NULL ? prefix : "", prefix != NULL ? "." : "",
                        key);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * va_config_apply:
 * @config: (nullable): a job configuration (checked with
 *   va_config_report_new() at submission)
 * @builder: a builder with the job's pipelines added
 *
 * Sets every option of @config that a pipeline of @builder knows, with
 * the same section rules as the report. Unknown options are ignored, as
 * the report warned.
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT if a value is refused
 */
gboolean
va_config_apply (VaPipelineRegistry *registry, JsonObject *config, VaPipelineBuilder *builder,
                 GError **error)
{
  GPtrArray *pipelines;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (registry), FALSE);
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (builder), FALSE);

  if (config == NULL)
    return TRUE;
  pipelines = va_pipeline_builder_get_pipelines (builder);
  for (guint i = 0; i < pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (pipelines, i);
    g_autoptr (GList) members = json_object_get_members (config);
    gboolean sectioned = FALSE;

    for (GList *l = members; l != NULL; l = l->next) {
      JsonNode *value = json_object_get_member (config, l->data);
      if (va_config_section_owner (registry, l->data) == info && JSON_NODE_HOLDS_OBJECT (value)) {
        sectioned = TRUE;
        if (!va_config_apply_object (registry, builder, info, json_node_get_object (value), l->data,
                                     error))
          return FALSE;
      }
    }
    if (!sectioned && !va_config_apply_object (registry, builder, info, config, NULL, error))
      return FALSE;
  }
  return TRUE;
}
