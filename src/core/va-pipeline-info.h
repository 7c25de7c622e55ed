/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * VaPipelineBranch:
 * @VA_PIPELINE_BRANCH_VIDEO: analysers run on decoded video frames
 * @VA_PIPELINE_BRANCH_AUDIO: analysers run on 16 kHz mono audio
 *
 * Which decoded stream of the input a pipeline's elements are chained on.
 */
typedef enum {
  VA_PIPELINE_BRANCH_VIDEO,
  VA_PIPELINE_BRANCH_AUDIO,
} VaPipelineBranch;

#define VA_TYPE_PIPELINE_INFO (va_pipeline_info_get_type ())
G_DECLARE_FINAL_TYPE (VaPipelineInfo, va_pipeline_info, VA, PIPELINE_INFO, GObject)

const char *va_pipeline_info_get_name (VaPipelineInfo *self);
const char *va_pipeline_info_get_display_name (VaPipelineInfo *self);
const char *va_pipeline_info_get_description (VaPipelineInfo *self);
const char *va_pipeline_info_get_family (VaPipelineInfo *self);
const char *va_pipeline_info_get_variant (VaPipelineInfo *self);
const char *va_pipeline_info_get_stability (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_aliases (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_tasks (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_modalities (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_capabilities (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_backends (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_notes (VaPipelineInfo *self);
const char *va_pipeline_info_get_output_format (VaPipelineInfo *self);
const char *const *va_pipeline_info_get_output_types (VaPipelineInfo *self);
const char *va_pipeline_info_get_output_suffix (VaPipelineInfo *self);
GStrv va_pipeline_info_dup_output_suffixes (VaPipelineInfo *self);
VaPipelineBranch va_pipeline_info_get_branch (VaPipelineInfo *self);
gboolean va_pipeline_info_get_enabled (VaPipelineInfo *self);
const char *va_pipeline_info_get_unavailable_reason (VaPipelineInfo *self);
void va_pipeline_info_set_models_dir (VaPipelineInfo *self, const char *models_dir);

guint va_pipeline_info_get_n_elements (VaPipelineInfo *self);
const char *va_pipeline_info_get_element_factory (VaPipelineInfo *self, guint index);
const char *const *va_pipeline_info_get_element_properties (VaPipelineInfo *self, guint index);
gboolean va_pipeline_info_get_element_heavy (VaPipelineInfo *self, guint index);

JsonObject *va_pipeline_info_get_config_schema (VaPipelineInfo *self);
/* va-pipeline-schema.c */
JsonNode *va_pipeline_info_schema_to_json (VaPipelineInfo *self);
gboolean va_pipeline_info_lookup_option (VaPipelineInfo *self, const char *key,
                                         const char **factory, const char **property);
const char *va_pipeline_info_get_operator_setting (VaPipelineInfo *self, const char *key);
const char *va_pipeline_info_find_option (VaPipelineInfo *self, const char *factory,
                                          const char *property);
GPtrArray *va_pipeline_info_list_operator_options (VaPipelineInfo *self);
JsonNode *va_pipeline_info_to_json (VaPipelineInfo *self);

G_END_DECLS
