/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-run-result.h"

G_BEGIN_DECLS

VaRunResult *va_run_result_new (const char *input, const char *output_dir, const char *stem);
void va_run_result_add_output (VaRunResult *self, const char *pipeline, const char *file,
                               guint annotation_count);
void va_run_result_set_pipeline_time (VaRunResult *self, const char *pipeline, double seconds);
void va_run_result_add_warning (VaRunResult *self, const char *message);
void va_run_result_set_stats (VaRunResult *self, double processing_time, guint64 frames,
                              gint64 duration);

G_END_DECLS
