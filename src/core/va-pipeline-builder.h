/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

#include "va-pipeline-info.h"

G_BEGIN_DECLS

#define VA_TYPE_PIPELINE_BUILDER (va_pipeline_builder_get_type ())
G_DECLARE_FINAL_TYPE (VaPipelineBuilder, va_pipeline_builder, VA, PIPELINE_BUILDER, GObject)

VaPipelineBuilder *va_pipeline_builder_new (void);

void va_pipeline_builder_set_input (VaPipelineBuilder *self, const char *path);
const char *va_pipeline_builder_get_input (VaPipelineBuilder *self);
void va_pipeline_builder_set_output_dir (VaPipelineBuilder *self, const char *path);
const char *va_pipeline_builder_get_output_dir (VaPipelineBuilder *self);
void va_pipeline_builder_set_stem (VaPipelineBuilder *self, const char *stem);
const char *va_pipeline_builder_get_stem (VaPipelineBuilder *self);
void va_pipeline_builder_set_input_sha256 (VaPipelineBuilder *self, const char *sha256);
void va_pipeline_builder_set_preview (VaPipelineBuilder *self, const char *path);
const char *va_pipeline_builder_get_preview (VaPipelineBuilder *self);

void va_pipeline_builder_add_pipeline (VaPipelineBuilder *self, VaPipelineInfo *info);
GPtrArray *va_pipeline_builder_get_pipelines (VaPipelineBuilder *self);
gboolean va_pipeline_builder_set_option (VaPipelineBuilder *self, const char *pipeline,
                                         const char *key, const char *value, GError **error);

char *va_pipeline_builder_dup_default_stem (const char *input);
GstElement *va_pipeline_builder_build (VaPipelineBuilder *self, GError **error);

G_END_DECLS
