/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "va-audit.h"
#include "va-byte-range.h"
#include "va-caller.h"
#include "va-config-report.h"
#include "va-ingest.h"
#include "va-job-queue.h"
#include "va-pipeline-registry.h"
#include "va-job-result.h"
#include "va-job.h"
#include "va-media-tickets.h"
#include "va-settings.h"
#include "va-storage.h"
#include "va-store.h"
#include "va-token-store.h"
#include "va-upload.h"

G_BEGIN_DECLS

/**
 * VaArtifact:
 * @name: path relative to the job directory (the name inside an archive)
 * @path: absolute path, for reading
 * @size: size in bytes
 * @is_video: whether it is the job's stored video (left out of archives
 *   unless asked for)
 *
 * One file of a job's artifacts (va_engine_list_artifacts_async()).
 */
typedef struct {
  char *name;
  char *path;
  guint64 size;
  gboolean is_video; /* the job's stored video */
} VaArtifact;

void va_artifact_free (VaArtifact *artifact);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaArtifact, va_artifact_free)

#define VA_TYPE_ENGINE (va_engine_get_type ())
G_DECLARE_FINAL_TYPE (VaEngine, va_engine, VA, ENGINE, GObject)

VaEngine *va_engine_new (VaSettings *settings, GError **error);
gboolean va_engine_start (VaEngine *self, GError **error);
void va_engine_shutdown_async (VaEngine *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean va_engine_shutdown_finish (VaEngine *self, GAsyncResult *result, GError **error);

VaSettings *va_engine_get_settings (VaEngine *self);
struct _VaRetention *va_engine_get_retention (VaEngine *self);
VaStorage *va_engine_get_storage (VaEngine *self);
void va_engine_set_log (VaEngine *self, VaLog *log);
VaPipelineRegistry *va_engine_get_registry (VaEngine *self);

/* API keys and callers: va-engine-auth.h, va-engine-keys.h */
VaCaller *va_engine_authenticate (VaEngine *self, const char *key, GError **error);
gboolean va_engine_create_initial_key (VaEngine *self, char **key, GError **error);
gboolean va_engine_withdraw_initial_key (VaEngine *self, const char *key, GError **error);
gboolean va_engine_get_read_only (VaEngine *self);
gboolean va_engine_get_dev_mode (VaEngine *self);
void va_engine_set_dev_mode (VaEngine *self, gboolean dev_mode);
gboolean va_engine_is_accepting (VaEngine *self);

/* uploads and submission */
VaUpload *va_engine_create_upload (VaEngine *self, VaCaller *caller, const char *client_filename,
                                   gint64 expected_size, GError **error);
GStrv va_engine_parse_pipeline_list (const char *text);
VaConfigReport *va_engine_validate_config (VaEngine *self, JsonObject *config,
                                           const char *const *pipelines, GError **error);
gboolean va_engine_check_submission (VaEngine *self, VaCaller *caller, JsonObject *config,
                                     const char *const *pipelines, JsonObject *consent,
                                     GError **error);
void va_engine_submit_job_async (VaEngine *self, VaCaller *caller, VaUpload *upload,
                                 JsonObject *config, const char *const *pipelines,
                                 JsonObject *consent, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
VaJob *va_engine_submit_job_finish (VaEngine *self, GAsyncResult *result, GError **error);
VaJob *va_engine_submit_job (VaEngine *self, VaCaller *caller, VaUpload *upload, JsonObject *config,
                             const char *const *pipelines, JsonObject *consent, GError **error);

/* jobs */
void va_engine_get_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
VaJob *va_engine_get_job_finish (VaEngine *self, GAsyncResult *result, GError **error);
VaJob *va_engine_get_job (VaEngine *self, VaCaller *caller, const char *job_id, GError **error);

void va_engine_list_jobs_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                                const char *status_filter, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *va_engine_list_jobs_finish (VaEngine *self, GAsyncResult *result, guint64 *total,
                                       GError **error);
GPtrArray *va_engine_list_jobs (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                                const char *status_filter, guint64 *total, GError **error);

void va_engine_list_batch_jobs_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                                      const char *status_filter, const char *batch_id,
                                      gboolean unbatched_only, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);

void va_engine_cancel_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
VaJob *va_engine_cancel_job_finish (VaEngine *self, GAsyncResult *result, GError **error);
void va_engine_rerun_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                JsonObject *config, const char *const *pipelines,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
VaJob *va_engine_rerun_job_finish (VaEngine *self, GAsyncResult *result, GError **error);
VaJob *va_engine_cancel_job (VaEngine *self, VaCaller *caller, const char *job_id, GError **error);

void va_engine_delete_job_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean va_engine_delete_job_finish (VaEngine *self, GAsyncResult *result, GError **error);
gboolean va_engine_delete_job (VaEngine *self, VaCaller *caller, const char *job_id,
                               GError **error);

/* results and files */
void va_engine_get_results_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *va_engine_get_results_finish (VaEngine *self, GAsyncResult *result, VaJob **job,
                                         GError **error);
GPtrArray *va_engine_get_results (VaEngine *self, VaCaller *caller, const char *job_id, VaJob **job,
                                  GError **error);

void va_engine_open_result_file_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                       const char *pipeline, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
GInputStream *va_engine_open_result_file_finish (VaEngine *self, GAsyncResult *result,
                                                 char **basename, guint64 *size, GError **error);

void va_engine_open_result_named_file_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                             const char *pipeline, const char *name,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
void va_engine_list_artifacts_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
GPtrArray *va_engine_list_artifacts_finish (VaEngine *self, GAsyncResult *result, GError **error);

/* batches of 1.5 clients (va-engine-batches.c) */
/**
 * VaBatchOutcome:
 * @batch_id: the batch
 * @done: (element-type utf8): the jobs cancelled (or retried)
 * @skipped: (element-type utf8): the jobs left alone
 * @reasons: (element-type utf8): why, one per @skipped job
 */
typedef struct {
  char *batch_id;
  GPtrArray *done;
  GPtrArray *skipped;
  GPtrArray *reasons;
} VaBatchOutcome;

void va_batch_outcome_free (VaBatchOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaBatchOutcome, va_batch_outcome_free)

void va_engine_list_batches_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
GPtrArray *va_engine_list_batches_finish (VaEngine *self, GAsyncResult *result, guint64 *total,
                                          GError **error);
void va_engine_get_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
VaBatch *va_engine_get_batch_finish (VaEngine *self, GAsyncResult *result, GError **error);
void va_engine_cancel_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
void va_engine_retry_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
VaBatchOutcome *va_engine_batch_outcome_finish (VaEngine *self, GAsyncResult *result,
                                                GError **error);

/* server-side folder ingest of 1.5 clients (va-engine-ingest.c) */
/**
 * VaIngestOutcome:
 * @batch_id: the batch of the new jobs
 * @batch_name: (nullable): its name
 * @path: the folder, resolved
 * @created: (element-type utf8): the new jobs' ids
 * @skipped: (element-type utf8): file names not ingested
 * @reasons: (element-type utf8): why, one per @skipped file
 */
typedef struct {
  char *batch_id;
  char *batch_name;
  char *path;
  GPtrArray *created;
  GPtrArray *skipped;
  GPtrArray *reasons;
} VaIngestOutcome;

void va_ingest_outcome_free (VaIngestOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaIngestOutcome, va_ingest_outcome_free)

void va_engine_ingest_folder_async (VaEngine *self, VaCaller *caller, gboolean local_caller,
                                    const char *path, gboolean recursive, JsonObject *config,
                                    const char *const *pipelines, const char *batch_id,
                                    const char *batch_name, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
VaIngestOutcome *va_engine_ingest_folder_finish (VaEngine *self, GAsyncResult *result,
                                                 VaIngestRefusal *refusal, GError **error);

/* a job's results as an ELAN document (va-engine-eaf.c) */
void va_engine_export_eaf_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
GBytes *va_engine_export_eaf_finish (VaEngine *self, GAsyncResult *result, char **filename,
                                     GError **error);

/* tickets for the browser's event stream (va-engine-events.c) */
char *va_engine_issue_event_ticket (VaEngine *self, VaCaller *caller, GDateTime **expires_at,
                                    GError **error);
VaCaller *va_engine_redeem_event_ticket (VaEngine *self, const char *ticket, GError **error);

/* the web UI's login links and video tickets (va-engine-web.c) */
char *va_engine_issue_login_link (VaEngine *self, VaCaller *caller, const VaTokenRequest *identity,
                                  GError **error);
VaApiKey *va_engine_redeem_login_link (VaEngine *self, const char *token,
                                       const char *client_address, char **key, GError **error);
char *va_engine_issue_media_ticket (VaEngine *self, VaMediaTickets *tickets, VaCaller *caller,
                                    const char *job_id, GError **error);

/* the job's video, for playback (va-engine-video.c) */
void va_engine_open_video_async (VaEngine *self, VaCaller *caller, const char *job_id,
                                 const char *range, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
GInputStream *va_engine_open_video_finish (VaEngine *self, GAsyncResult *result, VaByteRange *range,
                                           char **content_type, char **filename, GError **error);

G_END_DECLS
