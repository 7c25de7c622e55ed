/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-config-report.h"
#include "va-engine.h"
#include "va-error.h"
#include "va-json.h"
#include "va-http-private.h"

/* POST /api/v1/pipelines/{name}/validate and POST /api/v1/config/validate:
 * JSON in, the engine's VaConfigReport out ({valid, errors, warnings,
 * message, pipelines_validated}). Public: they read nobody's data. */

/* The request body as a JSON object; answers 400/413/422 itself. */
/* The request body as a JSON object, or NULL once answered (400, 413,
 * 422); @hint says what to send. */
JsonObject *
va_http_parse_json_object (VaHttpRequest *req, const char *hint)
{
  g_autoptr (GBytes) bytes
      = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  root = va_json_parse (data, (gssize)len, VA_JSON_MAX_SIZE, &error);
  if (root == NULL) {
    if (g_error_matches (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE))
      va_http_respond_error (req, 413, "PAYLOAD_TOO_LARGE", error->message,
                             N_ ("JSON request bodies are limited to 1 MiB"), NULL);
    else {
      g_autofree char *message
          = g_strdup_printf ("The request body is not valid JSON: %s", error->message);
      va_http_respond_error (req, 400, "INVALID_REQUEST", message, hint, NULL);
    }
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    va_http_respond_error (req, 422, "VALIDATION_ERROR", "The request body must be a JSON object",
                           hint, NULL);
    return NULL;
  }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
va_http_validate_body (VaHttpRequest *req)
{
  return va_http_parse_json_object (req,
                                    N_ ("Send {\"config\": {...}, \"selected_pipelines\": [...]}"));
}

static gboolean
va_http_validate_member_type (VaHttpRequest *req, JsonObject *body, const char *member,
                              JsonNodeType type, gboolean required)
{
  JsonNode *node = json_object_get_member (body, member);

  if ((node == NULL && !required) || (node != NULL && JSON_NODE_TYPE (node) == type))
    return TRUE;
  {
    g_autofree char *message = g_strdup_printf (
        node == NULL ? "Field `%s` is required" : "Field `%s` has the wrong type", member);
    va_http_respond_error (req, 422, "VALIDATION_ERROR", message,
                           type == JSON_NODE_OBJECT ? N_ ("It must be a JSON object")
                                                    : N_ ("It must be an array of pipeline names"),
                           NULL);
  }
  return FALSE;
}

static GStrv
va_http_validate_names (JsonArray *array)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);

    if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
      g_strv_builder_add (builder, json_node_get_string (node));
  }
  return g_strv_builder_end (builder);
}

static void
va_http_validate_respond (VaHttpRequest *req, JsonObject *config, const char *const *pipelines)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaConfigReport) report = va_engine_validate_config (
      va_http_server_get_engine (req->server), config, pipelines, &error);
  g_autoptr (JsonNode) node = NULL;

  if (report == NULL) {
    va_http_respond_error (req, 400, "INVALID_CONFIG", error->message,
                           N_ ("Run 'videoannotator pipelines --detailed' to list the pipelines"),
                           NULL);
    return;
  }
  node = va_config_report_to_json (report);
  va_http_respond_json (req, 200, node);
}

void
va_http_pipelines_validate (VaHttpRequest *req)
{
  VaPipelineInfo *info = va_http_pipelines_lookup (req);
  g_autoptr (JsonObject) body = NULL;
  const char *pipelines[] = { NULL, NULL };

  if (info == NULL)
    return;
  body = va_http_validate_body (req);
  if (body == NULL || !va_http_validate_member_type (req, body, "config", JSON_NODE_OBJECT, FALSE)
      || !va_http_validate_member_type (req, body, "selected_pipelines", JSON_NODE_ARRAY, FALSE))
    return;
  pipelines[0] = va_pipeline_info_get_name (info);
  va_http_validate_respond (req,
                            json_object_has_member (body, "config")
                                ? json_object_get_object_member (body, "config")
                                : NULL,
                            pipelines);
}

void
va_http_config_validate (VaHttpRequest *req)
{
  g_autoptr (JsonObject) body = va_http_validate_body (req);
  g_auto (GStrv) pipelines = NULL;

  if (body == NULL || !va_http_validate_member_type (req, body, "config", JSON_NODE_OBJECT, TRUE)
      || !va_http_validate_member_type (req, body, "selected_pipelines", JSON_NODE_ARRAY, TRUE))
    return;
  pipelines = va_http_validate_names (json_object_get_array_member (body, "selected_pipelines"));
  va_http_validate_respond (req, json_object_get_object_member (body, "config"),
                            (const char *const *)pipelines);
}
