/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-job.h"

G_BEGIN_DECLS

#define VA_TYPE_JOB_RESULT (va_job_result_get_type ())
G_DECLARE_FINAL_TYPE (VaJobResult, va_job_result, VA, JOB_RESULT, GObject)

VaJobResult *va_job_result_new (const char *job_id, const char *pipeline_name);

const char *va_job_result_get_job_id (VaJobResult *self);
const char *va_job_result_get_pipeline_name (VaJobResult *self);
VaJobStatus va_job_result_get_status (VaJobResult *self);
void va_job_result_set_status (VaJobResult *self, VaJobStatus status);
GDateTime *va_job_result_get_start_time (VaJobResult *self);
void va_job_result_set_start_time (VaJobResult *self, GDateTime *when);
GDateTime *va_job_result_get_end_time (VaJobResult *self);
void va_job_result_set_end_time (VaJobResult *self, GDateTime *when);
double va_job_result_get_processing_time (VaJobResult *self);
void va_job_result_set_processing_time (VaJobResult *self, double seconds);
gint64 va_job_result_get_annotation_count (VaJobResult *self);
void va_job_result_set_annotation_count (VaJobResult *self, gint64 count);
const char *va_job_result_get_output_file (VaJobResult *self);
void va_job_result_set_output_file (VaJobResult *self, const char *path);
const char *va_job_result_get_error_message (VaJobResult *self);
void va_job_result_set_error_message (VaJobResult *self, const char *message);
const char *const *va_job_result_get_files (VaJobResult *self);
void va_job_result_set_files (VaJobResult *self, const char *const *files);

G_END_DECLS
