/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-http-private.h"

/* GET /openapi.json: an OpenAPI 3.0 document generated from the route
 * table, so it cannot drift from what the router serves. */

static void
va_http_openapi_ref (JsonBuilder *b, const char *ref)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "$ref");
  json_builder_add_string_value (b, ref);
  json_builder_end_object (b);
}

static void
va_http_openapi_error_response (JsonBuilder *b, const char *status)
{
  json_builder_set_member_name (b, status);
  va_http_openapi_ref (b, "#/components/responses/Error");
}

static void
va_http_openapi_parameters (JsonBuilder *b, const VaHttpRoute *r)
{
  const char *p = r->pattern;

  json_builder_set_member_name (b, "parameters");
  json_builder_begin_array (b);
  while ((p = strchr (p, '{')) != NULL) {
    const char *end = strchr (p, '}');
    g_autofree char *name = g_strndup (p + 1, end - p - 1);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, name);
    json_builder_set_member_name (b, "in");
    json_builder_add_string_value (b, "path");
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_set_member_name (b, "schema");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "type");
    json_builder_add_string_value (b, "string");
    json_builder_end_object (b);
    json_builder_end_object (b);
    p = end;
  }
  for (const VaHttpQueryParam *q = r->query; q != NULL && q->name != NULL; q++) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, q->name);
    json_builder_set_member_name (b, "in");
    json_builder_add_string_value (b, "query");
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, FALSE);
    json_builder_set_member_name (b, "description");
    json_builder_add_string_value (b, q->description);
    json_builder_set_member_name (b, "schema");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "type");
    json_builder_add_string_value (b, q->type);
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
va_http_openapi_request_body (JsonBuilder *b, const VaHttpRoute *r)
{
  if (r->flags & VA_HTTP_ROUTE_UPLOAD) {
    json_builder_set_member_name (b, "requestBody");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_set_member_name (b, "content");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "multipart/form-data");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "schema");
    va_http_openapi_ref (b, "#/components/schemas/JobSubmission");
    json_builder_end_object (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
  } else if (r->flags & VA_HTTP_ROUTE_JSON_BODY) {
    json_builder_set_member_name (b, "requestBody");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_set_member_name (b, "content");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "application/json");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "schema");
    va_http_openapi_ref (b, "#/components/schemas/ConfigValidation");
    json_builder_end_object (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
}

static void
va_http_openapi_operation (JsonBuilder *b, const VaHttpRoute *r)
{
  g_autofree char *method = g_ascii_strdown (r->method, -1);
  g_autofree char *status = g_strdup_printf ("%u", r->success_status);

  json_builder_set_member_name (b, method);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "operationId");
  json_builder_add_string_value (b, r->operation_id);
  json_builder_set_member_name (b, "summary");
  json_builder_add_string_value (b, r->summary);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, r->tag);
  json_builder_end_array (b);
  va_http_openapi_parameters (b, r);
  va_http_openapi_request_body (b, r);

  /* an empty requirement list marks a public route */
  json_builder_set_member_name (b, "security");
  json_builder_begin_array (b);
  if (r->scope != VA_HTTP_SCOPE_PUBLIC) {
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "BearerAuth");
    json_builder_begin_array (b);
    json_builder_end_array (b);
    json_builder_end_object (b);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "ApiKeyAuth");
    json_builder_begin_array (b);
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "responses");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, status);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Success");
  if (r->success_status != 204 && r->success_type != NULL) {
    json_builder_set_member_name (b, "content");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, r->success_type);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "schema");
    json_builder_begin_object (b);
    if (g_str_equal (r->success_type, "application/json")) {
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "object");
    } else {
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "string");
      if (!g_str_has_prefix (r->success_type, "text/")) {
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "binary");
      }
    }
    json_builder_end_object (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  if (r->flags & (VA_HTTP_ROUTE_JSON_BODY | VA_HTTP_ROUTE_UPLOAD) || r->query != NULL)
    va_http_openapi_error_response (b, "400");
  if (r->scope != VA_HTTP_SCOPE_PUBLIC) {
    va_http_openapi_error_response (b, "401");
    va_http_openapi_error_response (b, "403");
  }
  if (strchr (r->pattern, '{') != NULL)
    va_http_openapi_error_response (b, "404");
  if (r->flags & (VA_HTTP_ROUTE_JSON_BODY | VA_HTTP_ROUTE_UPLOAD))
    va_http_openapi_error_response (b, "413");
  va_http_openapi_error_response (b, "429");
  va_http_openapi_error_response (b, "default");
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
va_http_openapi_property (JsonBuilder *b, const char *name, const char *type, const char *format)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  if (format != NULL) {
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, format);
  }
  json_builder_end_object (b);
}

static void
va_http_openapi_components (JsonBuilder *b)
{
  json_builder_set_member_name (b, "components");
  json_builder_begin_object (b);

  json_builder_set_member_name (b, "securitySchemes");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "BearerAuth");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "http");
  json_builder_set_member_name (b, "scheme");
  json_builder_add_string_value (b, "bearer");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ApiKeyAuth");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "apiKey");
  json_builder_set_member_name (b, "in");
  json_builder_add_string_value (b, "header");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "X-API-Key");
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "schemas");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ErrorEnvelope");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "object");
  json_builder_set_member_name (b, "required");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "error");
  json_builder_add_string_value (b, "detail");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "object");
  json_builder_set_member_name (b, "required");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "code");
  json_builder_add_string_value (b, "message");
  json_builder_add_string_value (b, "timestamp");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  va_http_openapi_property (b, "code", "string", NULL);
  va_http_openapi_property (b, "message", "string", NULL);
  va_http_openapi_property (b, "hint", "string", NULL);
  va_http_openapi_property (b, "detail", "object", NULL);
  va_http_openapi_property (b, "timestamp", "string", "date-time");
  json_builder_end_object (b);
  json_builder_end_object (b);
  va_http_openapi_property (b, "detail", "string", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "JobSubmission");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "object");
  json_builder_set_member_name (b, "required");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "video");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  va_http_openapi_property (b, "video", "string", "binary");
  va_http_openapi_property (b, "config", "string", NULL);
  va_http_openapi_property (b, "selected_pipelines", "string", NULL);
  va_http_openapi_property (b, "consent", "string", NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "ConfigValidation");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "object");
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  va_http_openapi_property (b, "config", "object", NULL);
  json_builder_set_member_name (b, "selected_pipelines");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "array");
  json_builder_set_member_name (b, "items");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "string");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "responses");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Error envelope");
  json_builder_set_member_name (b, "content");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "application/json");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  va_http_openapi_ref (b, "#/components/schemas/ErrorEnvelope");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_end_object (b);
}

JsonNode *
va_http_openapi_build (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) patterns = g_ptr_array_new ();
  const VaHttpRoute *routes;
  guint n_routes;

  routes = va_http_server_get_routes (&n_routes);
  for (guint i = 0; i < n_routes; i++) {
    if (routes[i].flags & VA_HTTP_ROUTE_WEB)
      continue;
    if (!g_ptr_array_find_with_equal_func (patterns, routes[i].pattern, g_str_equal, NULL))
      g_ptr_array_add (patterns, (gpointer)routes[i].pattern);
  }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "openapi");
  json_builder_add_string_value (b, "3.0.3");
  json_builder_set_member_name (b, "info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, "VideoAnnotator API");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (
      b, "REST API of the VideoAnnotator service (wire compatible with VideoAnnotator 1.4). "
         "Errors use one envelope: {\"error\":{code,message,hint?,detail?,timestamp},"
         "\"detail\":message}.");
  json_builder_end_object (b);

  json_builder_set_member_name (b, "paths");
  json_builder_begin_object (b);
  for (guint p = 0; p < patterns->len; p++) {
    const char *pattern = patterns->pdata[p];

    json_builder_set_member_name (b, pattern);
    json_builder_begin_object (b);
    for (guint i = 0; i < n_routes; i++) {
      if (g_str_equal (routes[i].pattern, pattern))
        va_http_openapi_operation (b, &routes[i]);
    }
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  va_http_openapi_components (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
va_http_openapi_handle (VaHttpRequest *req)
{
  static JsonNode *document;

  /* the table is static, so is the document */
  if (g_once_init_enter (&document))
    g_once_init_leave (&document, va_http_openapi_build ());
  va_http_respond_json (req, 200, document);
}
