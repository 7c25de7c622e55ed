/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VA_TYPE_RUN_RESULT (va_run_result_get_type ())
G_DECLARE_FINAL_TYPE (VaRunResult, va_run_result, VA, RUN_RESULT, GObject)

const char *va_run_result_get_input (VaRunResult *self);
const char *va_run_result_get_output_dir (VaRunResult *self);
const char *va_run_result_get_stem (VaRunResult *self);
guint va_run_result_get_n_outputs (VaRunResult *self);
const char *va_run_result_get_output_pipeline (VaRunResult *self, guint index);
const char *va_run_result_get_output_file (VaRunResult *self, guint index);
guint va_run_result_get_output_annotation_count (VaRunResult *self, guint index);
gboolean va_run_result_lookup_output (VaRunResult *self, const char *pipeline, const char **file,
                                      guint *annotation_count);
double va_run_result_get_processing_time (VaRunResult *self);
double va_run_result_get_pipeline_time (VaRunResult *self, const char *pipeline);
guint64 va_run_result_get_frames (VaRunResult *self);
gint64 va_run_result_get_duration (VaRunResult *self);
const char *const *va_run_result_get_warnings (VaRunResult *self);
JsonNode *va_run_result_to_json (VaRunResult *self);

G_END_DECLS
