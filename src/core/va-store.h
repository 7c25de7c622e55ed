/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-audit-entry.h"
#include "va-batch.h"
#include "va-job-result.h"
#include "va-job.h"

G_BEGIN_DECLS

/* the schema this build creates and migrates to, whatever the backend */
#define VA_STORE_SCHEMA_VERSION 4
#define VA_STORE_MAX_PER_PAGE 1000

/**
 * VaStoreStats:
 * @jobs_by_status: job count per #VaJobStatus
 * @total_jobs: all jobs
 * @total_annotations: sum of `annotation_count` over all pipeline results
 * @database_size_bytes: what the backend's data takes (for SQLite: main
 *   file plus write-ahead log)
 */
typedef struct {
  guint64 jobs_by_status[VA_JOB_N_STATUSES];
  guint64 total_jobs;
  guint64 total_annotations;
  guint64 database_size_bytes;
} VaStoreStats;

/**
 * VaAuditQuery:
 * @key_prefix: (nullable): only entries made with this key prefix
 * @user_id: (nullable): only entries of this user
 * @action: (nullable): only this action
 * @since: (nullable): only entries at or after this time
 * @until: (nullable): only entries strictly before this time
 * @limit: at most this many entries (0: 100, capped at %VA_STORE_MAX_PER_PAGE)
 * @offset: skip this many entries (newest first)
 */
typedef struct {
  const char *key_prefix;
  const char *user_id;
  const char *action;
  GDateTime *since;
  GDateTime *until;
  guint limit;
  guint offset;
} VaAuditQuery;

/**
 * VaJobFilter:
 * @status_mask: VA_JOB_STATUS_MASK() bits to keep; 0 for all
 * @user_id: (nullable): only this owner's jobs
 * @batch_id: (nullable): only the jobs of this batch
 * @unbatched_only: only jobs of no batch
 */
typedef struct {
  guint status_mask;
  const char *user_id;
  const char *batch_id;
  gboolean unbatched_only;
} VaJobFilter;

/**
 * VaStoreJobIds:
 * @VA_STORE_JOB_IDS_ALL: every row, marked ones included
 * @VA_STORE_JOB_IDS_DELETING: the rows marked for deletion, oldest mark first
 * @VA_STORE_JOB_IDS_OF_USER: every row of one user, marked ones included,
 *   oldest first
 */
typedef enum {
  VA_STORE_JOB_IDS_ALL,
  VA_STORE_JOB_IDS_DELETING,
  VA_STORE_JOB_IDS_OF_USER,
} VaStoreJobIds;

/**
 * VaStoreKeyUse:
 * @last_used: µs since the epoch, UTC
 * @count: requests
 */
typedef struct {
  gint64 last_used;
  guint64 count;
} VaStoreKeyUse;

#define VA_TYPE_STORE (va_store_get_type ())
G_DECLARE_DERIVABLE_TYPE (VaStore, va_store, VA, STORE, GObject)

/**
 * VaStoreClass:
 *
 * What a backend implements (docs/engine.md, "Store"). The public
 * va_store_*() functions check their arguments (paths, names, page
 * bounds) before calling these, so a backend receives valid values only;
 * it owns transactions, concurrency and the mapping of its own errors to
 * %VA_ERROR. Every vfunc may be called from any thread at any time.
 * tests/core/test-store-contract.c is the behaviour every backend passes.
 */
struct _VaStoreClass {
  GObjectClass parent_class;

  /* "sqlite", "postgresql": what /api/v1/system/database reports */
  const char *backend_name;

  /* where the data is, fit for logs and the system endpoint: a file path
   * or a URL without its password */
  const char *(*get_location) (VaStore *self);
  guint (*get_schema_version) (VaStore *self);

  gboolean (*upsert_user) (VaStore *self, const char *id, const char *username, const char *email,
                           gboolean is_admin, GError **error);
  gboolean (*delete_user) (VaStore *self, const char *user_id, GPtrArray *key_ids,
                           gboolean *existed, GError **error);

  gboolean (*insert_job) (VaStore *self, VaJob *job, GError **error);
  VaJob *(*get_job) (VaStore *self, const char *id, GError **error);
  GPtrArray *(*list_jobs) (VaStore *self, guint page, guint per_page, const VaJobFilter *filter,
                           guint64 *total, GError **error);
  GPtrArray *(*list_job_ids) (VaStore *self, VaStoreJobIds which, const char *user_id,
                              GError **error);
  gboolean (*set_job_status) (VaStore *self, const char *id, VaJobStatus status,
                              const char *message, GError **error);
  gboolean (*set_job_progress) (VaStore *self, const char *id, double progress, GError **error);
  gboolean (*set_job_video_duration) (VaStore *self, const char *id, double seconds,
                                      GError **error);
  gboolean (*set_job_warnings) (VaStore *self, const char *id, const char *const *warnings,
                                GError **error);
  gboolean (*mark_job_deleting) (VaStore *self, const char *id, gboolean *was_active,
                                 GError **error);
  gboolean (*delete_job) (VaStore *self, const char *id, GError **error);
  /* batches: jobs sharing a client-chosen batch_id; nothing else stored */
  GPtrArray *(*list_batches) (VaStore *self, const char *user_id, guint page, guint per_page,
                              guint64 *total, GError **error);
  VaBatch *(*get_batch) (VaStore *self, const char *batch_id, const char *user_id, GError **error);
  GPtrArray *(*list_batch_jobs) (VaStore *self, const char *batch_id, const char *user_id,
                                 GError **error);
  gboolean (*requeue_job) (VaStore *self, const char *id, GError **error);
  gboolean (*recover_running) (VaStore *self, guint max_retries, guint *n_requeued, guint *n_failed,
                               GError **error);

  gboolean (*upsert_result) (VaStore *self, VaJobResult *result, GError **error);
  GPtrArray *(*list_results) (VaStore *self, const char *job_id, GError **error);

  gboolean (*append_audit) (VaStore *self, VaAuditEntry *entry, GError **error);
  GPtrArray *(*list_audit) (VaStore *self, const VaAuditQuery *query, GError **error);

  /* @uses: key id → #VaStoreKeyUse, added to the stored counters (the
   * later last_used wins) in one transaction */
  gboolean (*add_key_usage) (VaStore *self, GHashTable *uses, GError **error);
  gboolean (*get_key_usage) (VaStore *self, const char *key_id, VaStoreKeyUse *use, GError **error);

  gboolean (*get_stats) (VaStore *self, VaStoreStats *stats, GError **error);
  /* %NULL when the backend has no file snapshot (va_store_backup()) */
  gboolean (*backup) (VaStore *self, const char *destination, GError **error);
};

const char *va_store_get_backend_name (VaStore *self);
const char *va_store_get_location (VaStore *self);
guint va_store_get_schema_version (VaStore *self);

gboolean va_store_upsert_user (VaStore *self, const char *id, const char *username,
                               const char *email, gboolean is_admin, GError **error);

gboolean va_store_insert_job (VaStore *self, VaJob *job, GError **error);
VaJob *va_store_get_job (VaStore *self, const char *id, GError **error);
GPtrArray *va_store_list_jobs (VaStore *self, guint page, guint per_page, guint status_mask,
                               const char *user_id, guint64 *total, GError **error);
GPtrArray *va_store_list_jobs_filtered (VaStore *self, guint page, guint per_page,
                                        const VaJobFilter *filter, guint64 *total, GError **error);
gboolean va_store_set_job_status (VaStore *self, const char *id, VaJobStatus status,
                                  const char *message, GError **error);
gboolean va_store_set_job_progress (VaStore *self, const char *id, double progress, GError **error);
gboolean va_store_set_job_video_duration (VaStore *self, const char *id, double seconds,
                                          GError **error);
gboolean va_store_delete_job (VaStore *self, const char *id, GError **error);
gboolean va_store_mark_job_deleting (VaStore *self, const char *id, gboolean *was_active,
                                     GError **error);
GPtrArray *va_store_list_deleting_jobs (VaStore *self, GError **error);
GHashTable *va_store_dup_job_ids (VaStore *self, GError **error);
GPtrArray *va_store_list_user_job_ids (VaStore *self, const char *user_id, GError **error);
gboolean va_store_delete_user (VaStore *self, const char *user_id, GPtrArray *key_ids,
                               gboolean *existed, GError **error);
gboolean va_store_set_job_warnings (VaStore *self, const char *id, const char *const *warnings,
                                    GError **error);

/* batches (1.5 clients) */
GPtrArray *va_store_list_batches (VaStore *self, const char *user_id, guint page, guint per_page,
                                  guint64 *total, GError **error);
VaBatch *va_store_get_batch (VaStore *self, const char *batch_id, const char *user_id,
                             GError **error);
GPtrArray *va_store_list_batch_jobs (VaStore *self, const char *batch_id, const char *user_id,
                                     GError **error);
gboolean va_store_requeue_job (VaStore *self, const char *id, GError **error);

gboolean va_store_upsert_result (VaStore *self, VaJobResult *result, GError **error);
GPtrArray *va_store_list_results (VaStore *self, const char *job_id, GError **error);

gboolean va_store_append_audit (VaStore *self, VaAuditEntry *entry, GError **error);
GPtrArray *va_store_list_audit (VaStore *self, const VaAuditQuery *query, GError **error);

void va_store_record_key_use (VaStore *self, const char *key_id, GDateTime *when);
gboolean va_store_flush_key_usage (VaStore *self, GError **error);
gboolean va_store_get_key_usage (VaStore *self, const char *key_id, GDateTime **last_used,
                                 guint64 *request_count, GError **error);

gboolean va_store_get_stats (VaStore *self, VaStoreStats *stats, GError **error);
gboolean va_store_recover_running (VaStore *self, guint max_retries, guint *n_requeued,
                                   guint *n_failed, GError **error);
gboolean va_store_backup (VaStore *self, const char *destination, GError **error);

G_END_DECLS
