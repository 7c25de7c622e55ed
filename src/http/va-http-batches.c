/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-error.h"
#include "va-http-private.h"
#include "va-serializable.h"

/* /api/v1/batches (1.5): summaries of the jobs sharing a `batch_id`, and
 * cancel/retry of a whole batch. Parse → engine → serialize. */

#define VA_HTTP_BATCHES_PER_PAGE 20
#define VA_HTTP_BATCHES_MAX_PER_PAGE 100

typedef struct {
  guint page;
  guint per_page;
} VaHttpBatchPage;

static VaEngine *
va_http_batches_engine (VaHttpRequest *req)
{
  return va_http_server_get_engine (req->server);
}

static void
va_http_batches_respond_error (VaHttpRequest *req, const GError *error)
{
  if (g_error_matches (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT))
    va_http_respond_error (req, 400, "INVALID_REQUEST", error->message,
                           N_ ("Use the batch_id the jobs were submitted with"), NULL);
  else
    va_http_respond_gerror (req, error, NULL, NULL);
}

/* ---- GET /api/v1/batches ------------------------------------------------------ */

static void
va_http_batches_list_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  VaHttpBatchPage *args = req->handler_data;
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  g_autoptr (GPtrArray) batches
      = va_engine_list_batches_finish (VA_ENGINE (source), result, &total, &error);

  if (batches == NULL) {
    va_http_batches_respond_error (req, error);
  } else {
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "batches");
    json_builder_add_value (b, va_codec_list_to_json (batches));
    json_builder_set_member_name (b, "total");
    json_builder_add_int_value (b, (gint64)total);
    json_builder_set_member_name (b, "page");
    json_builder_add_int_value (b, args->page);
    json_builder_set_member_name (b, "per_page");
    json_builder_add_int_value (b, args->per_page);
    json_builder_end_object (b);
    va_http_respond_builder (req, 200, b);
  }
  va_http_request_unpause (req);
}

void
va_http_batches_list (VaHttpRequest *req)
{
  const char *page = va_http_request_get_query (req, "page");
  const char *per_page = va_http_request_get_query (req, "per_page");
  VaHttpBatchPage *args = g_new0 (VaHttpBatchPage, 1);

  req->handler_data = args;
  req->handler_data_free = g_free;
  args->page = 1;
  args->per_page = VA_HTTP_BATCHES_PER_PAGE;
  if (page != NULL && !va_http_query_parse_uint (page, 1, G_MAXINT32, &args->page)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "page must be an integer ≥ 1",
                           N_ ("Pages are numbered from 1"), NULL);
    return;
  }
  if (per_page != NULL
      && !va_http_query_parse_uint (per_page, 1, VA_HTTP_BATCHES_MAX_PER_PAGE, &args->per_page)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "per_page must be an integer from 1 to 100",
                           NULL, NULL);
    return;
  }
  va_http_request_pause (req);
  va_engine_list_batches_async (va_http_batches_engine (req), req->caller, args->page,
                                args->per_page, req->cancellable, va_http_batches_list_done, req);
}

/* ---- GET /api/v1/batches/{batch_id} ------------------------------------------- */

static void
va_http_batches_get_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaBatch) batch = va_engine_get_batch_finish (VA_ENGINE (source), result, &error);

  if (batch == NULL) {
    va_http_batches_respond_error (req, error);
  } else {
    gsize length = 0;
    char *text = va_codec_to_json_text (VA_SERIALIZABLE (batch), &length);

    va_http_respond_json_text (req, 200, text, length);
  }
  va_http_request_unpause (req);
}

void
va_http_batches_get (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_get_batch_async (va_http_batches_engine (req), req->caller,
                             va_http_request_get_param (req, "batch_id"), req->cancellable,
                             va_http_batches_get_done, req);
}

/* ---- POST /api/v1/batches/{batch_id}/cancel and /retry ------------------------ */

static void
va_http_batches_outcome_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  const char *done_member = req->handler_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaBatchOutcome) outcome
      = va_engine_batch_outcome_finish (VA_ENGINE (source), result, &error);

  if (outcome == NULL) {
    va_http_batches_respond_error (req, error);
  } else {
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "batch_id");
    json_builder_add_string_value (b, outcome->batch_id);
    json_builder_set_member_name (b, done_member);
    json_builder_begin_array (b);
    for (guint i = 0; i < outcome->done->len; i++)
      json_builder_add_string_value (b, g_ptr_array_index (outcome->done, i));
    json_builder_end_array (b);
    json_builder_set_member_name (b, "skipped");
    json_builder_begin_array (b);
    for (guint i = 0; i < outcome->skipped->len; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "job_id");
      json_builder_add_string_value (b, g_ptr_array_index (outcome->skipped, i));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, g_ptr_array_index (outcome->reasons, i));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    va_http_respond_builder (req, 200, b);
  }
  va_http_request_unpause (req);
}

void
va_http_batches_cancel (VaHttpRequest *req)
{
  req->handler_data = (gpointer) "cancelled";
  va_http_request_pause (req);
  va_engine_cancel_batch_async (va_http_batches_engine (req), req->caller,
                                va_http_request_get_param (req, "batch_id"), NULL,
                                va_http_batches_outcome_done, req);
}

void
va_http_batches_retry (VaHttpRequest *req)
{
  req->handler_data = (gpointer) "retried";
  va_http_request_pause (req);
  va_engine_retry_batch_async (va_http_batches_engine (req), req->caller,
                               va_http_request_get_param (req, "batch_id"), NULL,
                               va_http_batches_outcome_done, req);
}
