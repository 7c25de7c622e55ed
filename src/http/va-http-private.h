/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "va-engine.h"
#include "va-http-server.h"
#include "va-log.h"
#include "va-media-tickets.h"
#include "va-pipeline-registry.h"
#include "va-token-store.h"

#include <glib/gi18n-lib.h>

/* the 1.4 REST contract this API keeps */
#define VA_HTTP_API_VERSION "1.4.4"

G_BEGIN_DECLS

/* Scope a route needs. PUBLIC routes take no key (a key that is sent is
 * still checked: a bad key is never ignored). */
typedef enum {
  VA_HTTP_SCOPE_PUBLIC,
  VA_HTTP_SCOPE_READ,
  VA_HTTP_SCOPE_WRITE,
  VA_HTTP_SCOPE_ADMIN,
} VaHttpScope;

typedef enum {
  VA_HTTP_ROUTE_NONE = 0,
  /* the request body is a large multipart upload, streamed to disk */
  VA_HTTP_ROUTE_UPLOAD = 1 << 0,
  /* a JSON request body is expected */
  VA_HTTP_ROUTE_JSON_BODY = 1 << 1,
  /* the response is not an API document (no Cache-Control: no-store) */
  VA_HTTP_ROUTE_STREAM = 1 << 2,
  /* a web UI file, not part of the API: left out of the OpenAPI document */
  VA_HTTP_ROUTE_WEB = 1 << 3,
} VaHttpRouteFlags;

typedef struct _VaHttpRequest VaHttpRequest;
/* One SoupServer and the main context it runs on: the main one, or a
 * serving thread's (va-http-server.c). */
typedef struct _VaHttpServing VaHttpServing;
typedef void (*VaHttpHandler) (VaHttpRequest *req);

typedef struct {
  const char *name;
  const char *description;
  const char *type; /* "integer", "string", "boolean" */
} VaHttpQueryParam;

/* One row of the route table (va-http-routes.c); the OpenAPI document is
 * generated from the same rows. */
typedef struct {
  const char *method;
  const char *pattern; /* "/api/v1/jobs/{job_id}" */
  VaHttpScope scope;
  VaHttpRouteFlags flags;
  VaHttpHandler handler;
  const char *operation_id;
  const char *summary;
  const char *tag;
  guint success_status;
  const char *success_type; /* media type of the success body */
  const VaHttpQueryParam *query;
} VaHttpRoute;

/* Per-request state, attached to the SoupServerMessage from request-started
 * until the message is finished. */
struct _VaHttpRequest {
  VaHttpServer *server;   /* unowned: outlives its requests */
  VaHttpServing *serving; /* unowned: the server answering on this thread */
  SoupServerMessage *msg;
  char request_id[37];
  gint64 start_us;
  char *client; /* effective client address (X-Forwarded-For from trusted proxies) */
  const VaHttpRoute *route;
  GHashTable *params; /* {name} → value from the path */
  GHashTable *query;  /* decoded query string, may be NULL */
  VaCaller *caller;   /* NULL: public route called without a key */
  char *user_id;
  char *key_prefix;
  char *key_id;
  guint scopes;                /* mask of 1 << VaHttpScope granted to the caller */
  gboolean auth_failure_noted; /* the engine counted this request's 401 already */
  GCancellable *cancellable;   /* cancelled when the client goes away */
  guint64 body_bytes;          /* request body bytes seen (for limits) */
  gpointer handler_data;
  GDestroyNotify handler_data_free;
  gboolean finished;
};

/* va-http-server.c */
VaSettings *va_http_server_get_settings (VaHttpServer *self);
VaEngine *va_http_server_get_engine (VaHttpServer *self);
VaMediaTickets *va_http_server_get_media_tickets (VaHttpServer *self);
VaPipelineRegistry *va_http_server_get_registry (VaHttpServer *self);
GPtrArray *va_http_server_get_pipelines (VaHttpServer *self);
guint va_http_server_get_heartbeat_interval (VaHttpServer *self);
GMainContext *va_http_server_get_main_context (VaHttpServer *self);
void va_http_serving_track_stream (VaHttpServing *serving, gpointer stream, GDestroyNotify close);
void va_http_serving_untrack_stream (VaHttpServing *serving, gpointer stream);
GMainContext *va_http_serving_get_context (VaHttpServing *serving);
gboolean va_http_server_is_dev (VaHttpServer *self);
const VaHttpRoute *va_http_server_get_routes (guint *n_routes);
void va_http_request_pause (VaHttpRequest *req);
void va_http_request_unpause (VaHttpRequest *req);
const char *va_http_request_get_param (VaHttpRequest *req, const char *name);
const char *va_http_request_get_query (VaHttpRequest *req, const char *name);
void va_http_server_get_request_stats (VaHttpServer *self, guint64 *total, double *avg_ms,
                                       guint *in_flight, double *uptime_s);
guint64 va_http_server_get_responses_by_class (VaHttpServer *self, guint klass);

/* va-http-response.c */
void va_http_respond_json (VaHttpRequest *req, guint status, JsonNode *body);
void va_http_respond_json_text (VaHttpRequest *req, guint status, char *text, gsize length);
void va_http_respond_builder (VaHttpRequest *req, guint status, JsonBuilder *builder);
void va_http_respond_empty (VaHttpRequest *req, guint status);
void va_http_respond_error (VaHttpRequest *req, guint status, const char *code, const char *message,
                            const char *hint, JsonNode *detail);
void va_http_respond_gerror (VaHttpRequest *req, const GError *error, const char *not_found_code,
                             const char *hint);
JsonNode *va_http_error_envelope (guint status, const char *code, const char *message,
                                  const char *hint, JsonNode *detail);
void va_http_message_set_error (SoupServerMessage *msg, guint status, const char *code,
                                const char *message, const char *hint);
char *va_http_timestamp_now (void);

/* va-http-i18n.c */
const char *va_http_i18n_translate (SoupServerMessage *msg, const char *text);
/* messages-<lang>.json, generated from po/ (po/meson.build) */
GResource *va_catalogues_get_resource (void);

/* va-http-stream.c */
typedef gssize (*VaHttpProduceFunc) (gpointer data, SoupMessageBody *body, GError **error);
void va_http_stream_start (VaHttpRequest *req, gint64 length, VaHttpProduceFunc produce,
                           gpointer data, GDestroyNotify data_free);
void va_http_stream_input (VaHttpRequest *req, const char *content_type, const char *filename,
                           GInputStream *in, gint64 size);

/* va-http-headers.c: request id + security headers */
void va_http_headers_apply (VaHttpRequest *req);
void va_http_request_id_generate (SoupServerMessage *msg, char out[37]);
void va_http_request_id_random (char out[37]);
void va_http_headers_apply_security (SoupMessageHeaders *h, const char *request_id, gboolean tls);

/* va-http-cors.c */
typedef struct _VaHttpCors VaHttpCors;
VaHttpCors *va_http_cors_new (const char *const *origins, gboolean dev, GError **error);
void va_http_cors_free (VaHttpCors *cors);
gboolean va_http_cors_is_allowed (VaHttpCors *cors, const char *origin);
/* returns TRUE when the request was fully answered (a preflight) */
gboolean va_http_cors_handle (VaHttpCors *cors, VaHttpRequest *req, const char *allow_methods);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaHttpCors, va_http_cors_free)

/* va-http-rate-limit.c */
typedef struct _VaHttpRateLimiter VaHttpRateLimiter;
VaHttpRateLimiter *va_http_rate_limiter_new (double rate, double burst);
void va_http_rate_limiter_free (VaHttpRateLimiter *limiter);
/* TRUE when allowed; else *retry_after_s holds whole seconds to wait */
gboolean va_http_rate_limiter_take (VaHttpRateLimiter *limiter, const char *bucket, gint64 now_us,
                                    guint *retry_after_s);
guint va_http_rate_limiter_get_size (VaHttpRateLimiter *limiter);
void va_http_rate_limiter_prune (VaHttpRateLimiter *limiter, gint64 now_us);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaHttpRateLimiter, va_http_rate_limiter_free)
char *va_http_client_address (SoupServerMessage *msg, const char *const *trusted_proxies);

/* va-http-access-log.c */
void va_http_access_log_write (VaLog *log, VaHttpRequest *req, guint status, guint64 bytes,
                               gint64 duration_us);

/* va-http-router.c */
const VaHttpRoute *va_http_router_match (const VaHttpRoute *routes, guint n_routes,
                                         const char *method, const char *path, GHashTable **params,
                                         GString *allow);

gboolean va_http_parse_boolean (const char *text, gboolean *value);

/* va-http-openapi.c */
JsonNode *va_http_openapi_build (void);

/* va-http-query.c */
gboolean va_http_query_parse_uint (const char *text, guint min, guint max, guint *out);
gboolean va_http_query_parse_flag (const char *text);
gboolean va_http_query_has_credentials (GHashTable *query);

/* va-http-auth.c */
gboolean va_http_auth_check (VaHttpServer *server, VaHttpRequest *req);

/* va-http-events-ticket.c */
gboolean va_http_query_credentials (VaHttpServer *server, VaHttpRequest *req, gboolean *ok);
void va_http_events_ticket_issue (VaHttpRequest *req);

/* handlers, one file per area */
void va_http_health_handle (VaHttpRequest *req);
void va_http_health_handle_v1 (VaHttpRequest *req);
void va_http_openapi_handle (VaHttpRequest *req);
void va_http_identity_me (VaHttpRequest *req);
void va_http_system_health (VaHttpRequest *req);
void va_http_system_metrics (VaHttpRequest *req);
void va_http_system_database (VaHttpRequest *req);
void va_http_prometheus_handle (VaHttpRequest *req);
void va_http_pipelines_list (VaHttpRequest *req);
void va_http_pipelines_get (VaHttpRequest *req);
void va_http_pipelines_schema (VaHttpRequest *req);
void va_http_pipelines_validate (VaHttpRequest *req);
void va_http_config_validate (VaHttpRequest *req);
VaPipelineInfo *va_http_pipelines_lookup (VaHttpRequest *req);
void va_http_jobs_list (VaHttpRequest *req);
void va_http_jobs_get (VaHttpRequest *req);
void va_http_jobs_delete (VaHttpRequest *req);
void va_http_jobs_cancel (VaHttpRequest *req);
void va_http_jobs_rerun (VaHttpRequest *req);
void va_http_batches_list (VaHttpRequest *req);
GStrv va_http_rerun_pipelines (JsonNode *node);
void va_http_ingest_folder (VaHttpRequest *req);
void va_http_jobs_eaf (VaHttpRequest *req);
void va_http_batches_get (VaHttpRequest *req);
void va_http_batches_cancel (VaHttpRequest *req);
void va_http_batches_retry (VaHttpRequest *req);
JsonObject *va_http_validate_body (VaHttpRequest *req);
JsonObject *va_http_parse_json_object (VaHttpRequest *req, const char *hint);

/* va-http-keys.c */
void va_http_keys_list (VaHttpRequest *req);
void va_http_keys_create (VaHttpRequest *req);
void va_http_keys_revoke (VaHttpRequest *req);
void va_http_keys_revoke_all (VaHttpRequest *req);
void va_http_jobs_results (VaHttpRequest *req);
void va_http_jobs_result_file (VaHttpRequest *req);
void va_http_jobs_artifacts (VaHttpRequest *req);
void va_http_jobs_video (VaHttpRequest *req);
void va_http_jobs_submit (VaHttpRequest *req);
void va_http_erasure_purge_job (VaHttpRequest *req);
void va_http_erasure_purge_user (VaHttpRequest *req);
void va_http_export_job (VaHttpRequest *req);
void va_http_export_user (VaHttpRequest *req);
void va_http_audit_list (VaHttpRequest *req);
gboolean va_http_param_uint (VaHttpRequest *req, const char *name, guint min, guint max,
                             guint *out);
gboolean va_http_param_time (VaHttpRequest *req, const char *name, GDateTime *now, GDateTime **out);
/* va-http-alerts.c */
void va_http_alerts_list (VaHttpRequest *req);
gboolean va_http_submit_begin (VaHttpRequest *req);
void va_http_events_stream (VaHttpRequest *req);
void va_http_web_index (VaHttpRequest *req);
void va_http_web_asset (VaHttpRequest *req);
void va_http_login_link_redeem (VaHttpRequest *req);
void va_http_jobs_video_ticket (VaHttpRequest *req);
gboolean va_http_video_ticket_credentials (VaHttpRequest *req, const char *ticket);
void va_http_respond_job (VaHttpRequest *req, guint status, VaJob *job);
void va_http_respond_job_error (VaHttpRequest *req, const GError *error, const char *job_id);

G_END_DECLS
