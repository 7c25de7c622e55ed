/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "va-pipeline-info.h"

G_BEGIN_DECLS

#define VA_TYPE_PIPELINE_REGISTRY (va_pipeline_registry_get_type ())
G_DECLARE_FINAL_TYPE (VaPipelineRegistry, va_pipeline_registry, VA, PIPELINE_REGISTRY, GObject)

VaPipelineRegistry *va_pipeline_registry_new (void);
GPtrArray *va_pipeline_registry_list (VaPipelineRegistry *self);
GPtrArray *va_pipeline_registry_get_defaults (VaPipelineRegistry *self);
VaPipelineInfo *va_pipeline_registry_lookup (VaPipelineRegistry *self, const char *name);
VaPipelineInfo *va_pipeline_registry_resolve (VaPipelineRegistry *self, const char *name,
                                              GError **error);
GPtrArray *va_pipeline_registry_resolve_list (VaPipelineRegistry *self, const char *names,
                                              GError **error);
char *va_pipeline_registry_dup_known_names (VaPipelineRegistry *self);
void va_pipeline_registry_set_models_dir (VaPipelineRegistry *self, const char *models_dir);
JsonNode *va_pipeline_registry_list_to_json (GPtrArray *pipelines, gboolean include_unavailable);

G_END_DECLS
