/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"
#include "va-pipeline-registry.h"

/* GET /api/v1/pipelines and /api/v1/pipelines/{name}: the registry, as the
 * registry serializes itself. */

#define VA_HTTP_PIPELINE_HINT "Run 'videoannotator pipelines --detailed' to list the pipelines"

void
va_http_pipelines_list (VaHttpRequest *req)
{
  GPtrArray *pipelines = va_http_server_get_pipelines (req->server);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelines");
  json_builder_begin_array (b);
  for (guint i = 0; i < pipelines->len; i++)
    json_builder_add_value (b, va_pipeline_info_to_json (pipelines->pdata[i]));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, pipelines->len);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
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
