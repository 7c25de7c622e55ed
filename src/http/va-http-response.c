/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-error.h"
#include "va-http-private.h"

/* Responses and the one error envelope of the API:
 *   {"error":{"code","message","hint"?,"detail"?,"timestamp"},"detail":"<message>"}
 * The top-level "detail" string is the 1.4 service's legacy alias that
 * existing clients read. */

char *
va_http_timestamp_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
va_http_set_body (SoupServerMessage *msg, guint status, const char *content_type, char *body,
                  gsize length)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body == NULL) {
    soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
    return;
  }
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, length);
}

void
va_http_respond_json (VaHttpRequest *req, guint status, JsonNode *body)
{
  gsize length = 0;
  char *text = json_to_string (body, FALSE);

  length = strlen (text);
  va_http_set_body (req->msg, status, "application/json", text, length);
}

/* @text: (transfer full): JSON text, e.g. from va_codec_to_json_text() */
void
va_http_respond_json_text (VaHttpRequest *req, guint status, char *text, gsize length)
{
  va_http_set_body (req->msg, status, "application/json", text, length);
}

void
va_http_respond_builder (VaHttpRequest *req, guint status, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  va_http_respond_json (req, status, root);
}

void
va_http_respond_empty (VaHttpRequest *req, guint status)
{
  va_http_set_body (req->msg, status, NULL, NULL, 0);
}

JsonNode *
va_http_error_envelope (guint status, const char *code, const char *message, const char *hint,
                        JsonNode *detail)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *timestamp = va_http_timestamp_now ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (hint != NULL) {
    json_builder_set_member_name (b, "hint");
    json_builder_add_string_value (b, hint);
  }
  if (detail != NULL) {
    json_builder_set_member_name (b, "detail");
    json_builder_add_value (b, json_node_copy (detail));
  }
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "detail");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* For answers given before a VaHttpRequest handler runs (early rejections). */
void
va_http_message_set_error (SoupServerMessage *msg, guint status, const char *code,
                           const char *message, const char *hint)
{
  g_autoptr (JsonNode) root
      = va_http_error_envelope (status, code, va_http_i18n_translate (msg, message),
                                va_http_i18n_translate (msg, hint), NULL);
  char *text = json_to_string (root, FALSE);

  va_http_set_body (msg, status, "application/json", text, strlen (text));
}

void
va_http_respond_error (VaHttpRequest *req, guint status, const char *code, const char *message,
                       const char *hint, JsonNode *detail)
{
  g_autoptr (JsonNode) root
      = va_http_error_envelope (status, code, va_http_i18n_translate (req->msg, message),
                                va_http_i18n_translate (req->msg, hint), detail);

  va_http_respond_json (req, status, root);
}

/* The single VA_ERROR → (status, code) mapping. @not_found_code names what
 * was not found (JOB_NOT_FOUND, PIPELINE_NOT_FOUND); NULL → NOT_FOUND. */
void
va_http_respond_gerror (VaHttpRequest *req, const GError *error, const char *not_found_code,
                        const char *hint)
{
  guint status = 500;
  const char *code = "INTERNAL_SERVER_ERROR";
  const char *message = error->message;

  if (error->domain == VA_ERROR) {
    status = va_error_to_http_status ((VaError)error->code);
    switch ((VaError)error->code) {
    case VA_ERROR_NOT_FOUND:
      code = not_found_code != NULL ? not_found_code : "NOT_FOUND";
      break;
    case VA_ERROR_INVALID_ARGUMENT:
      code = "INVALID_REQUEST";
      break;
    case VA_ERROR_UNAUTHENTICATED:
      code = "UNAUTHORIZED";
      break;
    case VA_ERROR_FORBIDDEN:
      code = "FORBIDDEN";
      break;
    case VA_ERROR_CONFLICT:
      code = "CONFLICT";
      break;
    case VA_ERROR_RATE_LIMITED:
      code = "RATE_LIMITED";
      break;
    case VA_ERROR_PAYLOAD_TOO_LARGE:
      code = "PAYLOAD_TOO_LARGE";
      break;
    case VA_ERROR_UNSUPPORTED_MEDIA:
      code = "UNSUPPORTED_MEDIA_TYPE";
      break;
    case VA_ERROR_STORAGE_FULL:
      code = "STORAGE_FULL";
      break;
    case VA_ERROR_READ_ONLY:
      code = "READ_ONLY";
      hint = hint != NULL ? hint : N_ ("The server runs with --read-only; writes are refused");
      break;
    case VA_ERROR_CANCELLED:
      status = 503;
      code = "CANCELLED";
      break;
    case VA_ERROR_PIPELINE:
      code = "PIPELINE_ERROR";
      break;
    case VA_ERROR_NOT_SUPPORTED:
      code = "NOT_IMPLEMENTED";
      break;
    case VA_ERROR_INTERNAL:
    default:
      break;
    }
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    status = 503;
    code = "CANCELLED";
  }
  if (status >= 500 && hint == NULL)
    hint = N_ ("Check server logs for details");
  va_http_respond_error (req, status, code, message, hint, NULL);
}
