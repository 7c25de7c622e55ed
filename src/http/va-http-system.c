/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "va-engine.h"
#include "va-engine-admin.h"
#include "va-http-private.h"

/* /api/v1/health?detailed=true and /api/v1/system/{health,metrics,database}:
 * real numbers from the store, the storage volume, the server's own
 * request counters and /proc. */

#define GB (1024.0 * 1024.0 * 1024.0)

static double
va_http_round (double value, int digits)
{
  double scale = digits == 1 ? 10.0 : 100.0;

  return (double)(gint64)(value * scale + 0.5) / scale;
}

/* /proc/meminfo fields, in bytes */
static gboolean
va_http_read_meminfo (guint64 *total, guint64 *available)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  *total = *available = 0;
  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    guint64 kib = 0;

    if (sscanf (lines[i], "MemTotal: %" G_GUINT64_FORMAT " kB", &kib) == 1)
      *total = kib * 1024;
    else if (sscanf (lines[i], "MemAvailable: %" G_GUINT64_FORMAT " kB", &kib) == 1)
      *available = kib * 1024;
  }
  return *total > 0;
}

static guint64
va_http_read_rss (void)
{
  g_autofree char *text = NULL;
  guint64 pages_total = 0, pages_rss = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL)
      || sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &pages_total, &pages_rss) != 2)
    return 0;
  return pages_rss * (guint64)sysconf (_SC_PAGESIZE);
}

/* ---- the checks ----------------------------------------------------------------- */

static gboolean
va_http_check_database (VaHttpRequest *req, JsonBuilder *b, VaStoreStats *stats)
{
  VaEngine *engine = va_http_server_get_engine (req->server);
  g_autoptr (GError) error = NULL;
  gboolean ok = va_engine_get_store_stats (engine, stats, &error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, ok ? "ok" : "error");
  json_builder_set_member_name (b, "message");
  if (ok) {
    g_autofree char *message = g_strdup_printf (
        "Database healthy - %" G_GUINT64_FORMAT " jobs in sqlite backend", stats->total_jobs);
    json_builder_add_string_value (b, message);
    json_builder_set_member_name (b, "jobs_count");
    json_builder_add_int_value (b, (gint64)stats->total_jobs);
  } else {
    json_builder_add_string_value (b, "Database check failed");
    json_builder_set_member_name (b, "error");
    json_builder_add_string_value (b, error->message);
  }
  json_builder_end_object (b);
  return ok;
}

static gboolean
va_http_check_storage (VaHttpRequest *req, JsonBuilder *b)
{
  VaEngine *engine = va_http_server_get_engine (req->server);
  g_autoptr (GError) error = NULL;
  VaStorageUsage usage = { 0 };
  gboolean ok = va_storage_query_usage (va_engine_get_storage (engine), &usage, &error);
  double free_percent = ok ? 100.0 - usage.percent_used : 0.0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, !ok ? "error" : free_percent < 10.0 ? "warning" : "ok");
  if (ok) {
    json_builder_set_member_name (b, "total_gb");
    json_builder_add_double_value (b, va_http_round (usage.total_bytes / GB, 2));
    json_builder_set_member_name (b, "used_gb");
    json_builder_add_double_value (b, va_http_round (usage.used_bytes / GB, 2));
    json_builder_set_member_name (b, "free_gb");
    json_builder_add_double_value (b, va_http_round (usage.free_bytes / GB, 2));
    json_builder_set_member_name (b, "percent_used");
    json_builder_add_double_value (b, va_http_round (usage.percent_used, 1));
    if (free_percent < 10.0) {
      json_builder_set_member_name (b, "warning");
      json_builder_add_string_value (b, free_percent < 5.0 ? "Less than 5% free space remaining"
                                                           : "Less than 10% free space remaining");
    }
  } else {
    json_builder_set_member_name (b, "error");
    json_builder_add_string_value (b, error->message);
  }
  json_builder_end_object (b);
  return ok;
}

static gboolean
va_http_check_registry (VaHttpRequest *req, JsonBuilder *b, guint max_names)
{
  GPtrArray *pipelines = va_http_server_get_pipelines (req->server);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, pipelines->len > 0 ? "ok" : "error");
  json_builder_set_member_name (b, "pipelines_loaded");
  json_builder_add_int_value (b, pipelines->len);
  json_builder_set_member_name (b, "pipeline_names");
  json_builder_begin_array (b);
  for (guint i = 0; i < pipelines->len && i < max_names; i++)
    json_builder_add_string_value (b, va_pipeline_info_get_name (pipelines->pdata[i]));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return pipelines->len > 0;
}

static void
va_http_add_security (VaHttpRequest *req, JsonBuilder *b)
{
  gboolean auth
      = va_settings_get_boolean (va_http_server_get_settings (req->server), "auth-required");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "auth_required");
  json_builder_add_boolean_value (b, auth);
  json_builder_set_member_name (b, "tls");
  json_builder_add_boolean_value (b, va_http_server_is_tls (req->server));
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  if (!auth)
    json_builder_add_string_value (
        b, "Authentication is disabled (auth-required=false): anyone who can reach the "
           "server can submit and read jobs");
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
va_http_add_gpu (JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "available");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, "Pipelines run on the CPU (GStreamer + OpenCV)");
  json_builder_end_object (b);
}

/* GET /api/v1/health[?detailed=true] */
void
va_http_health_handle_v1 (VaHttpRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *timestamp = va_http_timestamp_now ();
  const char *detailed = va_http_request_get_query (req, "detailed");
  gboolean want_details = va_http_query_parse_flag (detailed);
  gboolean healthy = TRUE;
  VaStoreStats stats = { 0 };

  json_builder_begin_object (b);
  if (want_details) {
    json_builder_set_member_name (b, "details");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "database");
    healthy &= va_http_check_database (req, b, &stats);
    json_builder_set_member_name (b, "storage");
    healthy &= va_http_check_storage (req, b);
    json_builder_set_member_name (b, "gpu");
    va_http_add_gpu (b);
    json_builder_set_member_name (b, "registry");
    healthy &= va_http_check_registry (req, b, G_MAXUINT);
    json_builder_set_member_name (b, "security");
    va_http_add_security (req, b);
    json_builder_end_object (b);
  }
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, healthy ? "ok" : "unhealthy");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  json_builder_end_object (b);
  va_http_respond_builder (req, healthy ? 200 : 503, b);
}

/* GET /api/v1/system/health: always 200; the status field tells. */
void
va_http_system_health (VaHttpRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *timestamp = va_http_timestamp_now ();
  VaSettings *settings = va_http_server_get_settings (req->server);
  VaStoreStats stats = { 0 };
  guint64 mem_total = 0, mem_available = 0;
  struct utsname uts;
  gboolean db_ok, storage_ok;
  guint64 total;
  double avg_ms, uptime;
  guint in_flight;

  va_http_server_get_request_stats (req->server, &total, &avg_ms, &in_flight, &uptime);
  va_http_read_meminfo (&mem_total, &mem_available);
  uname (&uts);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  json_builder_set_member_name (b, "api_version");
  json_builder_add_string_value (b, VA_HTTP_API_VERSION);
  json_builder_set_member_name (b, "videoannotator_version");
  json_builder_add_string_value (b, PACKAGE_VERSION);

  json_builder_set_member_name (b, "system");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "platform");
  json_builder_add_string_value (b, uts.sysname);
  json_builder_set_member_name (b, "machine");
  json_builder_add_string_value (b, uts.machine);
  json_builder_set_member_name (b, "cpu_count");
  json_builder_add_int_value (b, g_get_num_processors ());
  json_builder_set_member_name (b, "memory_percent");
  json_builder_add_double_value (
      b, mem_total > 0 ? va_http_round (100.0 * (mem_total - mem_available) / mem_total, 1) : 0);
  json_builder_set_member_name (b, "memory");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, (gint64)mem_total);
  json_builder_set_member_name (b, "available");
  json_builder_add_int_value (b, (gint64)mem_available);
  json_builder_set_member_name (b, "used");
  json_builder_add_int_value (b, (gint64)(mem_total - mem_available));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "process_rss_bytes");
  json_builder_add_int_value (b, (gint64)va_http_read_rss ());
  json_builder_end_object (b);

  json_builder_set_member_name (b, "database");
  db_ok = va_http_check_database (req, b, &stats);
  json_builder_set_member_name (b, "storage");
  storage_ok = va_http_check_storage (req, b);
  json_builder_set_member_name (b, "gpu");
  va_http_add_gpu (b);
  json_builder_set_member_name (b, "pipelines");
  va_http_check_registry (req, b, 20);

  json_builder_set_member_name (b, "workers");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (
      b, va_engine_is_accepting (va_http_server_get_engine (req->server)) ? "running" : "stopped");
  json_builder_set_member_name (b, "active_jobs");
  json_builder_add_int_value (b, (gint64)stats.jobs_by_status[VA_JOB_STATUS_RUNNING]);
  json_builder_set_member_name (b, "queued_jobs");
  json_builder_add_int_value (b, (gint64)stats.jobs_by_status[VA_JOB_STATUS_PENDING]);
  json_builder_set_member_name (b, "max_concurrent_workers");
  json_builder_add_int_value (b, va_settings_get_uint (settings, "max-concurrent-jobs"));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "database");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, db_ok ? "healthy" : "unhealthy");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "job_queue");
  json_builder_add_string_value (b, "embedded");
  json_builder_set_member_name (b, "pipelines");
  json_builder_add_string_value (b, "ready");
  json_builder_end_object (b);

  json_builder_set_member_name (b, "security");
  va_http_add_security (req, b);
  json_builder_set_member_name (b, "uptime_seconds");
  json_builder_add_double_value (b, va_http_round (uptime, 1));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, db_ok && storage_ok ? "healthy" : "unhealthy");
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}

/* GET /api/v1/system/metrics */
void
va_http_system_metrics (VaHttpRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *timestamp = va_http_timestamp_now ();
  g_autoptr (GError) error = NULL;
  VaEngine *engine = va_http_server_get_engine (req->server);
  VaStoreStats stats = { 0 };
  guint64 total;
  double avg_ms, uptime;
  guint in_flight;

  if (!va_engine_get_store_stats (engine, &stats, &error)) {
    va_http_respond_error (req, 500, "METRICS_FAILED", error->message,
                           N_ ("Check server logs for details"), NULL);
    return;
  }
  va_http_server_get_request_stats (req->server, &total, &avg_ms, &in_flight, &uptime);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobs_total");
  json_builder_add_int_value (b, (gint64)stats.total_jobs);
  json_builder_set_member_name (b, "jobs_active");
  json_builder_add_int_value (b, (gint64)(stats.jobs_by_status[VA_JOB_STATUS_RUNNING]
                                          + stats.jobs_by_status[VA_JOB_STATUS_PENDING]));
  for (guint s = 0; s < VA_JOB_N_STATUSES; s++) {
    g_autofree char *name = g_strdup_printf ("jobs_%s", va_job_status_to_string (s));
    json_builder_set_member_name (b, name);
    json_builder_add_int_value (b, (gint64)stats.jobs_by_status[s]);
  }
  json_builder_set_member_name (b, "total_annotations");
  json_builder_add_int_value (b, (gint64)stats.total_annotations);
  json_builder_set_member_name (b, "api_requests_total");
  json_builder_add_int_value (b, (gint64)total);
  json_builder_set_member_name (b, "api_requests_in_flight");
  json_builder_add_int_value (b, in_flight);
  json_builder_set_member_name (b, "api_responses_4xx");
  json_builder_add_int_value (b, (gint64)va_http_server_get_responses_by_class (req->server, 4));
  json_builder_set_member_name (b, "api_responses_5xx");
  json_builder_add_int_value (b, (gint64)va_http_server_get_responses_by_class (req->server, 5));
  json_builder_set_member_name (b, "response_time_avg");
  json_builder_add_double_value (b, avg_ms / 1000.0);
  json_builder_set_member_name (b, "response_time_avg_ms");
  json_builder_add_double_value (b, avg_ms);
  json_builder_set_member_name (b, "uptime_seconds");
  json_builder_add_double_value (b, va_http_round (uptime, 1));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "performance");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "memory_rss_bytes");
  json_builder_add_int_value (b, (gint64)va_http_read_rss ());
  json_builder_set_member_name (b, "database_size_bytes");
  json_builder_add_int_value (b, (gint64)stats.database_size_bytes);
  json_builder_end_object (b);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}

/* GET /api/v1/system/database (admin: it names paths) */
void
va_http_system_database (VaHttpRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GError) error = NULL;
  VaEngine *engine = va_http_server_get_engine (req->server);
  VaStoreStats stats = { 0 };

  if (!va_engine_get_store_stats (engine, &stats, &error)) {
    va_http_respond_error (req, 500, "DATABASE_INFO_FAILED", error->message,
                           N_ ("Check server logs for details"), NULL);
    return;
  }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "backend_type");
  json_builder_add_string_value (b, va_engine_get_database_backend (engine));
  json_builder_set_member_name (b, "connection_info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "database_path");
  json_builder_add_string_value (b, va_engine_get_database_path (engine));
  json_builder_set_member_name (b, "database_size_mb");
  json_builder_add_double_value (b, va_http_round (stats.database_size_bytes / 1048576.0, 2));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "statistics");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total_jobs");
  json_builder_add_int_value (b, (gint64)stats.total_jobs);
  for (guint s = 0; s < VA_JOB_N_STATUSES; s++) {
    g_autofree char *name = g_strdup_printf ("%s_jobs", va_job_status_to_string (s));
    json_builder_set_member_name (b, name);
    json_builder_add_int_value (b, (gint64)stats.jobs_by_status[s]);
  }
  json_builder_set_member_name (b, "total_annotations");
  json_builder_add_int_value (b, (gint64)stats.total_annotations);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "schema_version");
  json_builder_add_int_value (b, va_engine_get_schema_version (engine));
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}
