/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-error.h"
#include "va-http-multipart.h"
#include "va-json.h"
#include "va-serializable.h"
#include "va-http-private.h"

/* POST /api/v1/jobs: multipart/form-data with `video` (required), `config`
 * (a JSON object as text), `selected_pipelines` (comma separated) and
 * `consent` (a JSON object as text). The body is never accumulated: each
 * network chunk goes through the multipart parser and the video bytes
 * straight into the engine's VaUpload, on disk. Errors found mid-body are
 * answered at once (libsoup then drops the rest of the body). */

#define VA_HTTP_FIELD_MAX VA_JSON_MAX_SIZE
/* multipart framing around the file, for the early size check */
#define VA_HTTP_MULTIPART_SLACK (64 * 1024)

typedef enum {
  FIELD_NONE,
  FIELD_VIDEO,
  FIELD_CONFIG,
  FIELD_PIPELINES,
  FIELD_CONSENT,
  FIELD_BATCH_ID,
  FIELD_BATCH_NAME,
} VaHttpField;

typedef struct {
  VaHttpRequest *req;
  VaHttpMultipart *parser;
  VaUpload *upload;
  VaHttpField field;
  GString *config;
  GString *pipelines;
  GString *consent;
  GString *batch_id;
  GString *batch_name;
  gboolean failed;
} VaHttpSubmission;

static void
va_http_submission_free (VaHttpSubmission *s)
{
  g_clear_pointer (&s->parser, va_http_multipart_free);
  if (s->upload != NULL)
    va_upload_abort (s->upload);
  g_clear_object (&s->upload);
  if (s->config != NULL)
    g_string_free (s->config, TRUE);
  if (s->pipelines != NULL)
    g_string_free (s->pipelines, TRUE);
  if (s->consent != NULL)
    g_string_free (s->consent, TRUE);
  if (s->batch_id != NULL)
    g_string_free (s->batch_id, TRUE);
  if (s->batch_name != NULL)
    g_string_free (s->batch_name, TRUE);
  g_free (s);
}

/* Parses an optional JSON object field; NULL text → NULL object, no error. */
static gboolean
va_http_parse_object_field (VaHttpRequest *req, GString *text, const char *field, JsonObject **out)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;

  *out = NULL;
  if (text == NULL || text->len == 0)
    return TRUE;
  /* the limits first, so that their answer names them; the parse
   * checks them again (a scan, cheap next to the parse) */
  if (!va_json_check_limits (text->str, text->len, VA_HTTP_FIELD_MAX, VA_JSON_MAX_DEPTH, &error)) {
    gboolean too_large = g_error_matches (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE);
    g_autofree char *message = g_strdup_printf ("Invalid JSON %s: %s", field, error->message);

    va_http_respond_error (req, too_large ? 413 : 400,
                           too_large ? "PAYLOAD_TOO_LARGE" : "INVALID_REQUEST", message, NULL,
                           NULL);
    return FALSE;
  }
  node = va_json_parse (text->str, (gssize)text->len, VA_HTTP_FIELD_MAX, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_autofree char *message = g_strdup_printf ("Invalid JSON %s", field);
    g_autofree char *detail = g_strdup_printf (
        "%s must be a JSON object, e.g. {\"scene_detection\": {\"threshold\": 30}}; check "
        "brackets and quotes%s%s",
        field, error != NULL ? ": " : "", error != NULL ? error->message : "");
    va_http_respond_error (
        req, 400, "INVALID_REQUEST",
        g_str_equal (field, "config") ? N_ ("Invalid JSON configuration") : message, detail, NULL);
    return FALSE;
  }
  *out = json_object_ref (json_node_get_object (node));
  return TRUE;
}

static void
va_http_submission_fail (VaHttpSubmission *s, const GError *error)
{
  if (s->failed)
    return;
  s->failed = TRUE;
  if (s->upload != NULL) {
    va_upload_abort (s->upload);
    g_clear_object (&s->upload);
  }
  if (g_error_matches (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT))
    va_http_respond_error (s->req, 400, "INVALID_REQUEST", error->message,
                           N_ ("Send multipart/form-data with a `video` file part"), NULL);
  else
    va_http_respond_gerror (s->req, error, NULL, NULL);
}

/* Engine validation failures are the contract's INVALID_CONFIG. */
static void
va_http_respond_submit_error (VaHttpRequest *req, const GError *error)
{
  if (g_error_matches (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT))
    va_http_respond_error (req, 400, "INVALID_CONFIG", error->message,
                           N_ ("Fix the validation errors and resubmit"), NULL);
  else
    va_http_respond_gerror (req, error, NULL, NULL);
}

static gboolean
va_http_submission_part_begin (gpointer user_data, const char *name, const char *filename,
                               const char *content_type, GError **error)
{
  VaHttpSubmission *s = user_data;
  VaHttpRequest *req = s->req;

  s->field = FIELD_NONE;
  if (g_str_equal (name, "video")) {
    VaEngine *engine = va_http_server_get_engine (req->server);
    g_autoptr (JsonObject) config = NULL;
    g_autoptr (JsonObject) consent = NULL;
    g_auto (GStrv) pipelines = NULL;

    if (s->upload != NULL) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           "More than one `video` part");
      return FALSE;
    }
    /* fields sent before the file are checked now, before any byte is
     * stored */
    if (!va_http_parse_object_field (req, s->config, "config", &config)
        || !va_http_parse_object_field (req, s->consent, "consent", &consent)) {
      s->failed = TRUE;
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "answered");
      return FALSE;
    }
    if (s->pipelines != NULL)
      pipelines = va_engine_parse_pipeline_list (s->pipelines->str);
    if ((s->config != NULL || s->pipelines != NULL || s->consent != NULL)
        && !va_engine_check_submission (engine, req->caller, config, (const char *const *)pipelines,
                                        consent, error)) {
      va_http_respond_submit_error (req, *error);
      s->failed = TRUE;
      return FALSE;
    }
    s->upload = va_engine_create_upload (engine, req->caller, filename != NULL ? filename : "video",
                                         -1, error);
    if (s->upload == NULL)
      return FALSE;
    s->field = FIELD_VIDEO;
  } else if (g_str_equal (name, "config")) {
    s->field = FIELD_CONFIG;
    s->config = s->config != NULL ? s->config : g_string_new (NULL);
  } else if (g_str_equal (name, "selected_pipelines")) {
    s->field = FIELD_PIPELINES;
    s->pipelines = s->pipelines != NULL ? s->pipelines : g_string_new (NULL);
  } else if (g_str_equal (name, "consent")) {
    s->field = FIELD_CONSENT;
    s->consent = s->consent != NULL ? s->consent : g_string_new (NULL);
  } else if (g_str_equal (name, "batch_id")) {
    s->field = FIELD_BATCH_ID;
    s->batch_id = s->batch_id != NULL ? s->batch_id : g_string_new (NULL);
  } else if (g_str_equal (name, "batch_name")) {
    s->field = FIELD_BATCH_NAME;
    s->batch_name = s->batch_name != NULL ? s->batch_name : g_string_new (NULL);
  }
  return TRUE;
}

static gboolean
va_http_submission_part_data (gpointer user_data, const guint8 *data, gsize length, GError **error)
{
  VaHttpSubmission *s = user_data;
  GString *field = NULL;

  switch (s->field) {
  case FIELD_VIDEO:
    return va_upload_write (s->upload, data, length, s->req->cancellable, error);
  case FIELD_CONFIG:
    field = s->config;
    break;
  case FIELD_PIPELINES:
    field = s->pipelines;
    break;
  case FIELD_CONSENT:
    field = s->consent;
    break;
  case FIELD_BATCH_ID:
    field = s->batch_id;
    break;
  case FIELD_BATCH_NAME:
    field = s->batch_name;
    break;
  case FIELD_NONE:
  default:
    return TRUE; /* unknown fields are ignored */
  }
  if (field->len + length > VA_HTTP_FIELD_MAX) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE,
                         "A form field other than `video` is larger than 1 MiB");
    return FALSE;
  }
  g_string_append_len (field, (const char *)data, length);
  return TRUE;
}

static const VaHttpMultipartCallbacks va_http_submission_callbacks = {
  va_http_submission_part_begin,
  va_http_submission_part_data,
  NULL,
};

static void
va_http_submission_got_chunk (SoupServerMessage *msg, GBytes *chunk, VaHttpSubmission *s)
{
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data;

  if (s->failed)
    return;
  data = g_bytes_get_data (chunk, &len);
  if (!va_http_multipart_feed (s->parser, data, len, &error) && !s->failed)
    va_http_submission_fail (s, error);
}

/**
 * va_http_submit_begin:
 *
 * Called from the early handler, headers only: checks the content type and
 * announced size and starts streaming the body into the parser.
 *
 * Returns: %FALSE when the request has been answered.
 */
gboolean
va_http_submit_begin (VaHttpRequest *req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  g_autoptr (GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (in, &params);
  const char *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;
  guint64 max
      = va_settings_get_uint64 (va_http_server_get_settings (req->server), "max-upload-size");
  goffset length = soup_message_headers_get_content_length (in);
  VaHttpSubmission *s;

  if (type == NULL || g_ascii_strcasecmp (type, "multipart/form-data") != 0 || boundary == NULL) {
    va_http_respond_error (req, 415, "UNSUPPORTED_MEDIA_TYPE",
                           "Expected a multipart/form-data body with a boundary",
                           N_ ("Send the video as a form field named `video`"), NULL);
    return FALSE;
  }
  if (soup_message_headers_get_encoding (in) == SOUP_ENCODING_CONTENT_LENGTH && max > 0
      && (guint64)length > max + VA_HTTP_MULTIPART_SLACK) {
    g_autofree char *message = g_strdup_printf (
        "Upload of %" G_GINT64_FORMAT " bytes exceeds the limit of %" G_GUINT64_FORMAT " bytes",
        (gint64)length, max);
    va_http_respond_error (req, 413, "PAYLOAD_TOO_LARGE", message,
                           N_ ("The limit is the max-upload-size setting"), NULL);
    return FALSE;
  }
  s = g_new0 (VaHttpSubmission, 1);
  s->req = req;
  s->parser = va_http_multipart_new (boundary, &va_http_submission_callbacks, s);
  if (s->parser == NULL) {
    va_http_submission_free (s);
    va_http_respond_error (req, 400, "INVALID_REQUEST", "Invalid multipart boundary", NULL, NULL);
    return FALSE;
  }
  req->handler_data = s;
  req->handler_data_free = (GDestroyNotify)va_http_submission_free;
  soup_message_body_set_accumulate (soup_server_message_get_request_body (req->msg), FALSE);
  g_signal_connect (req->msg, "got-chunk", G_CALLBACK (va_http_submission_got_chunk), s);
  return TRUE;
}

static void
va_http_submit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_engine_submit_job_finish (VA_ENGINE (source), result, &error);

  if (job != NULL)
    va_http_respond_job (req, 201, job);
  else
    va_http_respond_submit_error (req, error);
  va_http_request_unpause (req);
}

/* The body is in: finish parsing and submit (the engine completes the
 * upload — typefinding, fsync — in the same worker thread as the insert). */
void
va_http_jobs_submit (VaHttpRequest *req)
{
  VaHttpSubmission *s = req->handler_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) config = NULL;
  g_autoptr (JsonObject) consent = NULL;
  g_auto (GStrv) pipelines = NULL;

  if (s == NULL || s->failed)
    return;
  if (!va_http_multipart_finish (s->parser, &error)) {
    va_http_submission_fail (s, error);
    return;
  }
  if (s->upload == NULL) {
    va_http_respond_error (req, 422, "VALIDATION_ERROR", "Field `video` is required",
                           N_ ("Send the video file as the multipart field `video`"), NULL);
    return;
  }
  if (!va_http_parse_object_field (req, s->config, "config", &config)
      || !va_http_parse_object_field (req, s->consent, "consent", &consent))
    return;
  if (s->pipelines != NULL)
    pipelines = va_engine_parse_pipeline_list (s->pipelines->str);
  /* an empty field is no batch, as an absent one (1.5 form clients) */
  va_upload_set_batch (s->upload,
                       s->batch_id != NULL && s->batch_id->len > 0 ? s->batch_id->str : NULL,
                       s->batch_name != NULL && s->batch_name->len > 0 ? s->batch_name->str : NULL);
  va_http_request_pause (req);
  va_engine_submit_job_async (va_http_server_get_engine (req->server), req->caller, s->upload,
                              config, (const char *const *)pipelines, consent, NULL,
                              va_http_submit_done, req);
}
