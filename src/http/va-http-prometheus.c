/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-engine-admin.h"
#include "va-http-private.h"

/* GET /metrics: the same numbers as /api/v1/system/metrics in the
 * Prometheus text exposition format (version 0.0.4), for scrapers. */

static void
va_http_prom (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
va_http_prometheus_handle (VaHttpRequest *req)
{
  VaEngine *engine = va_http_server_get_engine (req->server);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  VaStoreStats stats = { 0 };
  guint64 total;
  double avg_ms, uptime;
  guint in_flight;
  gsize len;

  if (!va_engine_get_store_stats (engine, &stats, &error)) {
    va_http_respond_error (req, 500, "METRICS_FAILED", error->message,
                           N_ ("Check server logs for details"), NULL);
    return;
  }
  va_http_server_get_request_stats (req->server, &total, &avg_ms, &in_flight, &uptime);

  va_http_prom (out, "videoannotator_jobs", "gauge", "Jobs in the database, by state");
  for (guint s = 0; s < VA_JOB_N_STATUSES; s++)
    g_string_append_printf (out, "videoannotator_jobs{status=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            va_job_status_to_string (s), stats.jobs_by_status[s]);
  va_http_prom (out, "videoannotator_annotations", "gauge", "Annotations of all pipeline results");
  g_string_append_printf (out, "videoannotator_annotations %" G_GUINT64_FORMAT "\n",
                          stats.total_annotations);
  va_http_prom (out, "videoannotator_http_requests_total", "counter",
                "HTTP requests answered, by status class");
  for (guint k = 1; k <= 5; k++)
    g_string_append_printf (
        out, "videoannotator_http_requests_total{class=\"%uxx\"} %" G_GUINT64_FORMAT "\n", k,
        va_http_server_get_responses_by_class (req->server, k));
  va_http_prom (out, "videoannotator_http_requests_in_flight", "gauge",
                "HTTP requests being processed");
  g_string_append_printf (out, "videoannotator_http_requests_in_flight %u\n", in_flight);
  va_http_prom (out, "videoannotator_http_response_time_avg_seconds", "gauge",
                "Average time to answer a request since start");
  g_string_append_printf (out, "videoannotator_http_response_time_avg_seconds %.6f\n",
                          avg_ms / 1000.0);
  va_http_prom (out, "videoannotator_database_size_bytes", "gauge",
                "Database file plus write-ahead log");
  g_string_append_printf (out, "videoannotator_database_size_bytes %" G_GUINT64_FORMAT "\n",
                          stats.database_size_bytes);
  va_http_prom (out, "videoannotator_uptime_seconds", "gauge", "Seconds since the server started");
  g_string_append_printf (out, "videoannotator_uptime_seconds %.1f\n", uptime);

  len = out->len;
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_server_message_set_response (req->msg, "text/plain; version=0.0.4", SOUP_MEMORY_TAKE,
                                    g_string_free (g_steal_pointer (&out), FALSE), len);
}
