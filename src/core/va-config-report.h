/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-pipeline-builder.h"
#include "va-pipeline-registry.h"

G_BEGIN_DECLS

/**
 * VaConfigIssue:
 * @pipeline: (nullable): the pipeline the issue is about
 * @field: dotted path in the configuration, e.g. "scene_detection.threshold"
 * @code: "INVALID_TYPE", "VALUE_OUT_OF_RANGE", "INVALID_VALUE" (errors) or
 *   "UNKNOWN_FIELD", "NOT_SELECTED" (warnings)
 * @message: what is wrong, for people
 * @hint: (nullable): how to fix it
 */
typedef struct {
  char *pipeline;
  char *field;
  char *code;
  char *message;
  char *hint;
} VaConfigIssue;

#define VA_TYPE_CONFIG_REPORT (va_config_report_get_type ())
G_DECLARE_FINAL_TYPE (VaConfigReport, va_config_report, VA, CONFIG_REPORT, GObject)

VaConfigReport *va_config_report_new (VaPipelineRegistry *registry, JsonObject *config,
                                      GPtrArray *pipelines);
gboolean va_config_report_is_valid (VaConfigReport *self);
GPtrArray *va_config_report_get_errors (VaConfigReport *self);
GPtrArray *va_config_report_get_warnings (VaConfigReport *self);
char *va_config_report_dup_summary (VaConfigReport *self);
JsonNode *va_config_report_to_json (VaConfigReport *self);

gboolean va_config_apply (VaPipelineRegistry *registry, JsonObject *config,
                          VaPipelineBuilder *builder, GError **error);

G_END_DECLS
