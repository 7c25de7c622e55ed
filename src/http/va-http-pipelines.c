/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"
#include "va-pipeline-registry.h"

/* GET /api/v1/pipelines and /api/v1/pipelines/{name}: the registry, as the
 * registry serializes itself. */

#define VA_HTTP_PIPELINE_HINT N_ ("Run 'videoannotator pipelines --detailed' to list the pipelines")

/* As in 1.5, pipelines a job could not select are left out unless
 * include_unavailable=true (va_pipeline_registry_list_to_json()). */
void
va_http_pipelines_list (VaHttpRequest *req)
{
  GPtrArray *pipelines = va_http_server_get_pipelines (req->server);
  const char *include = va_http_request_get_query (req, "include_unavailable");
  gboolean all = FALSE;
  g_autoptr (JsonNode) document = NULL;

  if (include != NULL && !va_http_parse_boolean (include, &all)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "include_unavailable must be true or false",
                           NULL, NULL);
    return;
  }
  document = va_pipeline_registry_list_to_json (pipelines, all);
  va_http_respond_json (req, 200, document);
}

/* Unknown name → 404 PIPELINE_NOT_FOUND (answered). */
VaPipelineInfo *
va_http_pipelines_lookup (VaHttpRequest *req)
{
  const char *name = va_http_request_get_param (req, "name");
  VaPipelineInfo *info
      = va_pipeline_registry_lookup (va_http_server_get_registry (req->server), name);

  if (info == NULL) {
    g_autofree char *message = g_strdup_printf ("Pipeline '%s' not found", name);
    g_autoptr (JsonNode) detail = json_node_new (JSON_NODE_OBJECT);
    g_autoptr (JsonObject) o = json_object_new ();

    json_object_set_string_member (o, "pipeline", name);
    json_node_set_object (detail, o);
    va_http_respond_error (req, 404, "PIPELINE_NOT_FOUND", message, VA_HTTP_PIPELINE_HINT, detail);
  }
  return info;
}

void
va_http_pipelines_get (VaHttpRequest *req)
{
  VaPipelineInfo *info = va_http_pipelines_lookup (req);
  g_autoptr (JsonNode) node = NULL;

  if (info == NULL)
    return;
  node = va_pipeline_info_to_json (info);
  va_http_respond_json (req, 200, node);
}

void
va_http_pipelines_schema (VaHttpRequest *req)
{
  VaPipelineInfo *info = va_http_pipelines_lookup (req);
  g_autoptr (JsonNode) node = NULL;

  if (info == NULL)
    return;
  node = va_pipeline_info_schema_to_json (info);
  va_http_respond_json (req, 200, node);
}
