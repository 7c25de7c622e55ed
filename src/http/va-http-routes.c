/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* The route table: method, path pattern, scope, handler. The router, the
 * authentication step and the OpenAPI document all read these rows. */

static const VaHttpQueryParam va_http_health_query[] = {
  { "detailed", "Include database, storage, pipeline registry and security checks", "boolean" },
  { NULL },
};

static const VaHttpQueryParam va_http_list_query[] = {
  { "page", "Page number, from 1 (default 1)", "integer" },
  { "per_page", "Jobs per page, 1 to 1000 (default 10)", "integer" },
  { "status_filter", "Only jobs in this state: pending, running, completed, failed, cancelled",
    "string" },
  { "batch_id", "Only the jobs submitted with this batch_id", "string" },
  { "unbatched_only", "Only jobs submitted without a batch_id (default false)", "boolean" },
  { NULL },
};

static const VaHttpQueryParam va_http_batches_query[] = {
  { "page", "Page number, from 1 (default 1)", "integer" },
  { "per_page", "Batches per page, 1 to 100 (default 20)", "integer" },
  { NULL },
};

static const VaHttpQueryParam va_http_pipelines_query[] = {
  { "include_unavailable", "Also list pipelines a job cannot select now (default false)",
    "boolean" },
  { NULL },
};

static const VaHttpQueryParam va_http_file_query[] = {
  { "name", "One of the file names the pipeline's result lists in files (default: its output file)",
    "string" },
  { NULL },
};

static const VaHttpQueryParam va_http_video_query[] = {
  { "ticket", "A ticket from POST /api/v1/jobs/{job_id}/video/ticket, for <video> elements",
    "string" },
  { NULL },
};

static const VaHttpQueryParam va_http_artifacts_query[] = {
  { "include_video", "Also put the job's video in the archive (default false)", "boolean" },
  { NULL },
};

static const VaHttpQueryParam va_http_export_query[] = {
  { "with_media", "Also put the uploaded videos in the export (default false)", "boolean" },
  { NULL },
};

static const VaHttpQueryParam va_http_events_query[] = {
  { "ticket", "A ticket from POST /api/v1/events/ticket, for clients that cannot send headers",
    "string" },
  { NULL },
};

static const VaHttpQueryParam va_http_audit_query[] = {
  { "key_prefix", "Only what this key did (va_api_AbCd, as token list shows it)", "string" },
  { "user_id", "Only what this user did", "string" },
  { "action", "Only this action (job.submit, job.delete, job.purge, key.create, ...)", "string" },
  { "since", "From this time on: ISO 8601, a date, or an age (90m, 24h, 7d)", "string" },
  { "until", "Before this time (same forms as since)", "string" },
  { "limit", "At most this many entries, 1 to 1000 (default 100)", "integer" },
  { "offset", "Skip this many of the newest entries", "integer" },
  { NULL },
};

static const VaHttpQueryParam va_http_alerts_query[] = {
  { "since", "From this time on: ISO 8601, a date, or an age (90m, 24h, 7d)", "string" },
  { "limit", "At most this many alerts, 1 to 1000 (default 100)", "integer" },
  { NULL },
};

#define JSON "application/json"
#define PUBLIC VA_HTTP_SCOPE_PUBLIC
#define READ VA_HTTP_SCOPE_READ
#define WRITE VA_HTTP_SCOPE_WRITE
#define ADMIN VA_HTTP_SCOPE_ADMIN

static const VaHttpRoute va_http_routes[] = {
  /* health and metadata */
  { "GET", "/health", PUBLIC, 0, va_http_health_handle, "getHealth",
    "Liveness probe (1.4 compatible)", "health", 200, JSON, NULL },
  { "GET", "/api/v1/health", PUBLIC, 0, va_http_health_handle_v1, "getApiHealth",
    "Readiness probe; detailed=true checks database, storage and registry (503 when unhealthy)",
    "health", 200, JSON, va_http_health_query },
  { "GET", "/openapi.json", PUBLIC, 0, va_http_openapi_handle, "getOpenApi",
    "This OpenAPI 3 document", "meta", 200, JSON, NULL },

  /* identity */
  { "GET", "/api/v1/auth/me", READ, 0, va_http_identity_me, "getCurrentUser",
    "The caller's identity: user id, name, e-mail, scopes, is_admin", "auth", 200, JSON, NULL },

  { "POST", "/api/v1/auth/login-link", PUBLIC, VA_HTTP_ROUTE_JSON_BODY, va_http_login_link_redeem,
    "redeemLoginLink",
    "Exchange a one-time login link token ({\"token\": \"va_login_…\"}) for a session key (24 h)",
    "auth", 201, JSON, NULL },

  /* jobs */
  { "POST", "/api/v1/jobs", WRITE, VA_HTTP_ROUTE_UPLOAD, va_http_jobs_submit, "submitJob",
    "Submit a video (multipart: video, config, selected_pipelines, consent, batch_id, "
    "batch_name)",
    "jobs", 201, JSON, NULL },
  { "GET", "/api/v1/jobs", READ, 0, va_http_jobs_list, "listJobs",
    "List the caller's jobs (all jobs for admin), oldest first", "jobs", 200, JSON,
    va_http_list_query },
  { "GET", "/api/v1/jobs/{job_id}", READ, 0, va_http_jobs_get, "getJob", "Get one job", "jobs", 200,
    JSON, NULL },
  { "DELETE", "/api/v1/jobs/{job_id}", WRITE, 0, va_http_jobs_delete, "deleteJob",
    "Delete a job, its rows and all its files (any state)", "jobs", 204, NULL, NULL },
  { "POST", "/api/v1/jobs/{job_id}/cancel", WRITE, 0, va_http_jobs_cancel, "cancelJob",
    "Cancel a pending or running job (idempotent)", "jobs", 200, JSON, NULL },
  { "POST", "/api/v1/jobs/{job_id}/rerun", WRITE, VA_HTTP_ROUTE_JSON_BODY, va_http_jobs_rerun,
    "rerunJob",
    "Run a finished job again on the same video (JSON body: optional config, "
    "selected_pipelines), as a new job",
    "jobs", 201, JSON, NULL },
  { "GET", "/api/v1/jobs/{job_id}/results", READ, 0, va_http_jobs_results, "getJobResults",
    "Per-pipeline results of a job", "results", 200, JSON, NULL },
  { "GET", "/api/v1/jobs/{job_id}/results/files/{pipeline}", READ, VA_HTTP_ROUTE_STREAM,
    va_http_jobs_result_file, "getJobResultFile",
    "Download the output file of one pipeline, or another of its files by name", "results", 200,
    "application/octet-stream", va_http_file_query },
  { "GET", "/api/v1/jobs/{job_id}/results/eaf", READ, 0, va_http_jobs_eaf, "getJobResultsEaf",
    "A completed job's transcript, speakers (one tier each), voice activity and scenes as one "
    "ELAN 3.0 document (.eaf)",
    "results", 200, "application/xml", NULL },
  { "GET", "/api/v1/jobs/{job_id}/artifacts", READ, VA_HTTP_ROUTE_STREAM, va_http_jobs_artifacts,
    "getJobArtifacts",
    "Download the annotations, reports and logs of a job as a ZIP archive (streamed); the video "
    "with include_video=true",
    "results", 200, "application/zip", va_http_artifacts_query },

  { "GET", "/api/v1/jobs/{job_id}/video", READ, VA_HTTP_ROUTE_STREAM, va_http_jobs_video,
    "getJobVideo",
    "The job's video; one byte range (Range: bytes=first-last) gives 206, outside the video 416",
    "jobs", 200, "application/octet-stream", va_http_video_query },
  { "POST", "/api/v1/jobs/{job_id}/video/ticket", READ, 0, va_http_jobs_video_ticket,
    "createVideoTicket",
    "A ticket (10 min, this job's video only, any number of requests) for a <video> element: "
    "GET /api/v1/jobs/{job_id}/video?ticket=",
    "jobs", 201, JSON, NULL },
  /* batches (1.5): jobs sharing a client-chosen batch_id */
  { "GET", "/api/v1/batches", READ, 0, va_http_batches_list, "listBatches",
    "The batches of the caller's jobs (all for admin), newest first, with counts per state",
    "batches", 200, JSON, va_http_batches_query },
  { "GET", "/api/v1/batches/{batch_id}", READ, 0, va_http_batches_get, "getBatch",
    "One batch's summary: counts per state, completion, time left (total 0 when no job has it)",
    "batches", 200, JSON, NULL },
  { "POST", "/api/v1/batches/{batch_id}/cancel", WRITE, 0, va_http_batches_cancel, "cancelBatch",
    "Cancel every pending or running job of a batch; finished ones are listed as skipped",
    "batches", 200, JSON, NULL },
  { "POST", "/api/v1/batches/{batch_id}/retry", WRITE, 0, va_http_batches_retry, "retryBatch",
    "Run a batch's failed and cancelled jobs again (same job ids); others are listed as skipped",
    "batches", 200, JSON, NULL },

  { "POST", "/api/v1/ingest", WRITE, VA_HTTP_ROUTE_JSON_BODY, va_http_ingest_folder, "ingestFolder",
    "Admin, on this machine only: one job per video of a folder on the server inside "
    "ingest-roots, as one batch (JSON: path, recursive, selected_pipelines, config, batch_id, "
    "batch_name)",
    "batches", 201, JSON, NULL },

  /* data portability: the export ZIP of `videoannotator export` */
  { "GET", "/api/v1/jobs/{job_id}/export", READ, VA_HTTP_ROUTE_STREAM, va_http_export_job,
    "exportJob",
    "Export a job (its owner or an admin): job.json, results.json, every file, the video with "
    "with_media=true, and manifest.json with sha256 sums, as a streamed ZIP; audited as job.export",
    "export", 200, "application/zip", va_http_export_query },
  { "GET", "/api/v1/users/{user_id}/export", ADMIN, VA_HTTP_ROUTE_STREAM, va_http_export_user,
    "exportUser",
    "Export every job of a user and their API keys' metadata as one streamed ZIP (same layout); "
    "audited as user.export",
    "export", 200, "application/zip", va_http_export_query },
  /* erasure (right to be forgotten) */
  { "POST", "/api/v1/jobs/{job_id}/purge", ADMIN, 0, va_http_erasure_purge_job, "purgeJob",
    "Erase a job: rows, upload and every output, audited as job.purge", "erasure", 204, NULL,
    NULL },
  { "POST", "/api/v1/users/{user_id}/purge", ADMIN, 0, va_http_erasure_purge_user, "purgeUser",
    "Erase a user: their API keys, every job and file, their user record", "erasure", 200, JSON,
    NULL },

  /* pipelines */
  { "GET", "/api/v1/pipelines", PUBLIC, 0, va_http_pipelines_list, "listPipelines",
    "The pipeline registry: available pipelines, or all with include_unavailable=true", "pipelines",
    200, JSON, va_http_pipelines_query },
  { "GET", "/api/v1/pipelines/{name}", PUBLIC, 0, va_http_pipelines_get, "getPipeline",
    "One pipeline of the registry", "pipelines", 200, JSON, NULL },
  { "GET", "/api/v1/pipelines/{name}/schema", PUBLIC, 0, va_http_pipelines_schema,
    "getPipelineSchema", "One pipeline's options as form parameters (name, type, default, range)",
    "pipelines", 200, JSON, NULL },
  { "POST", "/api/v1/pipelines/{name}/validate", PUBLIC, VA_HTTP_ROUTE_JSON_BODY,
    va_http_pipelines_validate, "validatePipelineConfig",
    "Check a configuration against one pipeline's options", "pipelines", 200, JSON, NULL },
  { "POST", "/api/v1/config/validate", PUBLIC, VA_HTTP_ROUTE_JSON_BODY, va_http_config_validate,
    "validateConfig", "Check a configuration against the selected pipelines", "pipelines", 200,
    JSON, NULL },

  /* system */
  { "GET", "/api/v1/system/health", PUBLIC, 0, va_http_system_health, "getSystemHealth",
    "Detailed system health (always 200; see status)", "system", 200, JSON, NULL },
  { "GET", "/api/v1/system/metrics", PUBLIC, 0, va_http_system_metrics, "getSystemMetrics",
    "Job counts, request counts, average response time, uptime", "system", 200, JSON, NULL },
  { "GET", "/api/v1/system/database", ADMIN, 0, va_http_system_database, "getSystemDatabase",
    "Database backend, size and statistics", "system", 200, JSON, NULL },

  /* key administration (the same engine calls as D-Bus and `videoannotator token`) */
  { "GET", "/api/v1/keys", ADMIN, 0, va_http_keys_list, "listKeys",
    "Every API key: id, prefix, owner, scopes, created, expires, last used, use count, state "
    "(never the key itself)",
    "keys", 200, JSON, NULL },
  { "POST", "/api/v1/keys", ADMIN, VA_HTTP_ROUTE_JSON_BODY, va_http_keys_create, "createKey",
    "Create a key (JSON: user_id, username, email, scopes, optional expires_in_days, no_expiry, "
    "description); the answer's `key` is shown this once. Refused in read-only mode",
    "keys", 201, JSON, NULL },
  { "POST", "/api/v1/keys/revoke-all", ADMIN, 0, va_http_keys_revoke_all, "revokeAllKeys",
    "Revoke every key (incident response; allowed in read-only mode)", "keys", 200, JSON, NULL },
  { "DELETE", "/api/v1/keys/{key_id}", ADMIN, 0, va_http_keys_revoke, "revokeKey",
    "Revoke one key, by id or unambiguous prefix (allowed in read-only mode)", "keys", 200, JSON,
    NULL },

  { "GET", "/api/v1/audit", ADMIN, 0, va_http_audit_list, "listAudit",
    "The audit trail, newest first (incident response: what did this key do)", "system", 200, JSON,
    va_http_audit_query },
  { "GET", "/api/v1/security/alerts", ADMIN, 0, va_http_alerts_list, "listSecurityAlerts",
    "Security alerts, newest first: repeated failed authentications and request floods from one "
    "client, each of which blocked it for 15 minutes (kept in logs/security.log)",
    "system", 200, JSON, va_http_alerts_query },

  { "GET", "/metrics", PUBLIC, 0, va_http_prometheus_handle, "getPrometheusMetrics",
    "The system metrics in the Prometheus text format", "system", 200, "text/plain", NULL },

  /* events */
  { "POST", "/api/v1/events/ticket", READ, 0, va_http_events_ticket_issue, "createEventTicket",
    "A single-use ticket (60 s) for opening the event stream from a browser: ?ticket=", "events",
    201, JSON, NULL },
  { "GET", "/api/v1/events/stream", READ, VA_HTTP_ROUTE_STREAM, va_http_events_stream,
    "streamEvents",
    "Server-Sent Events: job.update, job.complete(d), job.error, job.failed, job.cancelled, "
    "job.deleted, and unnamed job_status_changed; key in a header or ?ticket=",
    "events", 200, "text/event-stream", va_http_events_query },

  /* the web UI (docs/web-ui.md); not in the OpenAPI document */
  { "GET", "/", PUBLIC, VA_HTTP_ROUTE_WEB, va_http_web_index, "getWebUi", "The web UI", "web", 200,
    "text/html", NULL },
  { "GET", "/ui/{asset}", PUBLIC, VA_HTTP_ROUTE_WEB, va_http_web_asset, "getWebUiAsset",
    "A script, style sheet or message catalogue of the web UI", "web", 200, NULL, NULL },
};

const VaHttpRoute *
va_http_server_get_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (va_http_routes);
  return va_http_routes;
}
