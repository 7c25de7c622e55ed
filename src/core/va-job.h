/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * VaJobStatus:
 * @VA_JOB_STATUS_PENDING: submitted, waiting in the queue
 * @VA_JOB_STATUS_RUNNING: a pipeline is processing it
 * @VA_JOB_STATUS_COMPLETED: at least one selected pipeline succeeded
 * @VA_JOB_STATUS_FAILED: every pipeline failed, or the job could not start
 * @VA_JOB_STATUS_CANCELLED: cancelled while pending or running; final,
 *   never overwritten by a late completion
 *
 * The strings (va_job_status_to_string()) are the ones of the 1.4 REST
 * contract and the values stored in the database.
 */
typedef enum {
  VA_JOB_STATUS_PENDING,
  VA_JOB_STATUS_RUNNING,
  VA_JOB_STATUS_COMPLETED,
  VA_JOB_STATUS_FAILED,
  VA_JOB_STATUS_CANCELLED,
} VaJobStatus;

#define VA_JOB_N_STATUSES (VA_JOB_STATUS_CANCELLED + 1)
/* for status filters: VA_JOB_STATUS_MASK (A) | VA_JOB_STATUS_MASK (B) */
#define VA_JOB_STATUS_MASK(s) (1u << (s))

#define VA_TYPE_JOB_STATUS (va_job_status_get_type ())
GType va_job_status_get_type (void);
const char *va_job_status_to_string (VaJobStatus status);
gboolean va_job_status_from_string (const char *text, VaJobStatus *status);
gboolean va_job_status_is_terminal (VaJobStatus status);

#define VA_TYPE_JOB (va_job_get_type ())
G_DECLARE_FINAL_TYPE (VaJob, va_job, VA, JOB, GObject)

VaJob *va_job_new (void);
VaJob *va_job_new_with_id (const char *id);

const char *va_job_get_id (VaJob *self);
VaJobStatus va_job_get_status (VaJob *self);
void va_job_set_status (VaJob *self, VaJobStatus status);
const char *va_job_get_user_id (VaJob *self);
void va_job_set_user_id (VaJob *self, const char *user_id);
const char *va_job_get_video_path (VaJob *self);
void va_job_set_video_path (VaJob *self, const char *video_path);
const char *va_job_get_video_filename (VaJob *self);
void va_job_set_video_filename (VaJob *self, const char *video_filename);
gint64 va_job_get_video_size_bytes (VaJob *self);
void va_job_set_video_size_bytes (VaJob *self, gint64 size);
double va_job_get_video_duration_seconds (VaJob *self);
void va_job_set_video_duration_seconds (VaJob *self, double seconds);
JsonObject *va_job_get_config (VaJob *self);
void va_job_set_config (VaJob *self, JsonObject *config);
const char *const *va_job_get_selected_pipelines (VaJob *self);
void va_job_set_selected_pipelines (VaJob *self, const char *const *pipelines);
JsonObject *va_job_get_consent (VaJob *self);
void va_job_set_consent (VaJob *self, JsonObject *consent);
GDateTime *va_job_get_created_at (VaJob *self);
void va_job_set_created_at (VaJob *self, GDateTime *when);
GDateTime *va_job_get_started_at (VaJob *self);
void va_job_set_started_at (VaJob *self, GDateTime *when);
GDateTime *va_job_get_completed_at (VaJob *self);
void va_job_set_completed_at (VaJob *self, GDateTime *when);
GDateTime *va_job_get_cancelled_at (VaJob *self);
void va_job_set_cancelled_at (VaJob *self, GDateTime *when);
const char *va_job_get_error_message (VaJob *self);
void va_job_set_error_message (VaJob *self, const char *message);
double va_job_get_progress (VaJob *self);
void va_job_set_progress (VaJob *self, double progress);
guint va_job_get_retry_count (VaJob *self);
void va_job_set_retry_count (VaJob *self, guint retry_count);
const char *va_job_get_storage_path (VaJob *self);
void va_job_set_storage_path (VaJob *self, const char *storage_path);
guint va_job_get_queue_position (VaJob *self);
void va_job_set_queue_position (VaJob *self, guint position);
const char *va_job_get_input_sha256 (VaJob *self);
void va_job_set_input_sha256 (VaJob *self, const char *sha256);
const char *const *va_job_get_warnings (VaJob *self);
void va_job_set_warnings (VaJob *self, const char *const *warnings);
const char *va_job_get_batch_id (VaJob *self);
void va_job_set_batch_id (VaJob *self, const char *batch_id);
const char *va_job_get_batch_name (VaJob *self);
void va_job_set_batch_name (VaJob *self, const char *batch_name);
const char *va_job_get_rerun_of (VaJob *self);
void va_job_set_rerun_of (VaJob *self, const char *rerun_of);

G_END_DECLS
