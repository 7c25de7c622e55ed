/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-erasure.h"
#include "va-http-private.h"

/* POST /api/v1/jobs/{job_id}/purge and /api/v1/users/{user_id}/purge
 * (admin): the engine's erasure (src/core/va-erasure.c). Neither takes
 * the request's cancellable: an erasure that started completes even if
 * the client hangs up. */

static void
va_http_purge_job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;

  if (!va_erasure_purge_job_finish (VA_ENGINE (source), result, &error))
    va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  else
    va_http_respond_empty (req, 204);
  va_http_request_unpause (req);
}

void
va_http_erasure_purge_job (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_erasure_purge_job_async (va_http_server_get_engine (req->server), req->caller,
                              va_http_request_get_param (req, "job_id"), NULL,
                              va_http_purge_job_done, req);
}

static void
va_http_purge_user_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  VaErasureReport report = { 0 };

  if (!va_erasure_purge_user_finish (VA_ENGINE (source), result, &report, &error)) {
    va_http_respond_gerror (req, error, "USER_NOT_FOUND", NULL);
    va_http_request_unpause (req);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, va_http_request_get_param (req, "user_id"));
  json_builder_set_member_name (b, "jobs_deleted");
  json_builder_add_int_value (b, report.jobs_deleted);
  json_builder_set_member_name (b, "keys_removed");
  json_builder_add_int_value (b, report.keys_removed);
  json_builder_set_member_name (b, "user_record_removed");
  json_builder_add_boolean_value (b, report.user_row);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
  va_http_request_unpause (req);
}

void
va_http_erasure_purge_user (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_erasure_purge_user_async (va_http_server_get_engine (req->server), req->caller,
                               va_http_request_get_param (req, "user_id"), NULL,
                               va_http_purge_user_done, req);
}
