/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-error.h"
#include "va-http-private.h"

/* POST /api/v1/ingest (1.5): JSON `{"path", "recursive", "selected_pipelines",
 * "config", "batch_id", "batch_name"}` → one job per video of a folder on
 * the server. The engine decides who may; this file reports how the
 * request arrived (loopback or not) and maps refusals to 1.5's codes. */

static const struct {
  VaIngestRefusal refusal;
  guint status;
  const char *code;
  const char *hint;
} va_http_ingest_refusals[] = {
  { VA_INGEST_NOT_ADMIN, 403, "FORBIDDEN", "Use an administrator key" },
  { VA_INGEST_REMOTE_CALLER, 403, "INGEST_REMOTE_CALLER",
    "Upload the videos through POST /api/v1/jobs instead" },
  { VA_INGEST_DISABLED, 403, "INGEST_DISABLED",
    "The server's administrator lists allowed folders in the ingest-roots setting" },
  { VA_INGEST_PATH_REQUIRED, 422, "INGEST_PATH_REQUIRED", "Send the folder as \"path\"" },
  { VA_INGEST_PATH_INVALID, 422, "INGEST_PATH_INVALID",
    "Give an absolute path on the server, spelled as it is there" },
  { VA_INGEST_PATH_NOT_ALLOWED, 403, "INGEST_PATH_NOT_ALLOWED",
    "Only folders inside the ingest-roots setting can be read" },
  { VA_INGEST_PATH_NOT_FOUND, 404, "INGEST_PATH_NOT_FOUND",
    "Check the folder still exists and has not been moved or renamed" },
  { VA_INGEST_NOT_A_FOLDER, 422, "INGEST_PATH_NOT_A_FOLDER",
    "Point this at the folder containing the videos" },
  { VA_INGEST_UNREADABLE, 403, "INGEST_PATH_UNREADABLE",
    "Check the server process may read the folder" },
  { VA_INGEST_NO_VIDEOS, 422, "INGEST_NO_VIDEOS", NULL },
};

static void
va_http_ingest_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  VaIngestRefusal refusal = VA_INGEST_OK;
  g_autoptr (VaIngestOutcome) outcome
      = va_engine_ingest_folder_finish (VA_ENGINE (source), result, &refusal, &error);
  g_autoptr (JsonBuilder) b = NULL;

  if (outcome == NULL) {
    for (guint i = 0; i < G_N_ELEMENTS (va_http_ingest_refusals); i++) {
      if (va_http_ingest_refusals[i].refusal == refusal) {
        va_http_respond_error (req, va_http_ingest_refusals[i].status,
                               va_http_ingest_refusals[i].code, error->message,
                               va_http_ingest_refusals[i].hint, NULL);
        va_http_request_unpause (req);
        return;
      }
    }
    if (g_error_matches (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT))
      va_http_respond_error (req, 400, "INVALID_CONFIG", error->message,
                             N_ ("Fix the validation errors and resubmit"), NULL);
    else
      va_http_respond_gerror (req, error, NULL, NULL);
    va_http_request_unpause (req);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "batch_id");
  json_builder_add_string_value (b, outcome->batch_id);
  json_builder_set_member_name (b, "batch_name");
  if (outcome->batch_name != NULL)
    json_builder_add_string_value (b, outcome->batch_name);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, outcome->path);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, outcome->created->len);
  json_builder_set_member_name (b, "created");
  json_builder_begin_array (b);
  for (guint i = 0; i < outcome->created->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (outcome->created, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "skipped");
  json_builder_begin_array (b);
  for (guint i = 0; i < outcome->skipped->len; i++) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "filename");
    json_builder_add_string_value (b, g_ptr_array_index (outcome->skipped, i));
    json_builder_set_member_name (b, "reason");
    json_builder_add_string_value (b, g_ptr_array_index (outcome->reasons, i));
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  va_http_respond_builder (req, 201, b);
  va_http_request_unpause (req);
}

/* the request's effective client (X-Forwarded-For only from a trusted
 * proxy) is a loopback address */
static gboolean
va_http_ingest_is_local (VaHttpRequest *req)
{
  g_autoptr (GInetAddress) address
      = req->client != NULL ? g_inet_address_new_from_string (req->client) : NULL;

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static const char *
va_http_ingest_string (VaHttpRequest *req, JsonObject *body, const char *name, gboolean *ok)
{
  JsonNode *node = json_object_get_member (body, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_autofree char *message = g_strdup_printf ("%s must be a string", name);
    va_http_respond_error (req, 422, "VALIDATION_ERROR", message, NULL, NULL);
    *ok = FALSE;
    return NULL;
  }
  return json_node_get_string (node);
}

void
va_http_ingest_folder (VaHttpRequest *req)
{
  g_autoptr (JsonObject) body = va_http_validate_body (req);
  g_auto (GStrv) pipelines = NULL;
  JsonObject *config = NULL;
  JsonNode *node;
  const char *path, *batch_id, *batch_name;
  gboolean recursive = FALSE, ok = TRUE;

  if (body == NULL)
    return;
  path = va_http_ingest_string (req, body, "path", &ok);
  batch_id = ok ? va_http_ingest_string (req, body, "batch_id", &ok) : NULL;
  batch_name = ok ? va_http_ingest_string (req, body, "batch_name", &ok) : NULL;
  if (!ok)
    return;
  if ((node = json_object_get_member (body, "recursive")) != NULL && !JSON_NODE_HOLDS_NULL (node)) {
    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
      va_http_respond_error (req, 422, "VALIDATION_ERROR", "recursive must be true or false", NULL,
                             NULL);
      return;
    }
    recursive = json_node_get_boolean (node);
  }
  if ((node = json_object_get_member (body, "config")) != NULL && !JSON_NODE_HOLDS_NULL (node)) {
    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      va_http_respond_error (req, 422, "VALIDATION_ERROR", "config must be a JSON object", NULL,
                             NULL);
      return;
    }
    config = json_node_get_object (node);
  }
  if ((node = json_object_get_member (body, "selected_pipelines")) != NULL
      && !JSON_NODE_HOLDS_NULL (node)) {
    pipelines = va_http_rerun_pipelines (node);
    if (pipelines == NULL) {
      va_http_respond_error (req, 422, "VALIDATION_ERROR",
                             "selected_pipelines must be a list of pipeline names", NULL, NULL);
      return;
    }
  }
  va_http_request_pause (req);
  va_engine_ingest_folder_async (va_http_server_get_engine (req->server), req->caller,
                                 va_http_ingest_is_local (req), path, recursive, config,
                                 (const char *const *)pipelines, batch_id, batch_name, NULL,
                                 va_http_ingest_done, req);
}
