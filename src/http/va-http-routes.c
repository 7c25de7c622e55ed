/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* The route table: method, path pattern, scope, handler. The router, the
 * authentication step and the OpenAPI document all read these rows. */

static const VaHttpQueryParam va_http_health_query[] = {
  { "detailed", "Include database, storage and pipeline registry checks", "boolean" },
  { NULL },
};

static const VaHttpRoute va_http_routes[] = {
  { "GET", "/health", VA_HTTP_SCOPE_PUBLIC, 0, va_http_health_handle, "getHealth",
    "Liveness probe (1.4 compatible)", "health", 200, "application/json", NULL },
  { "GET", "/api/v1/health", VA_HTTP_SCOPE_PUBLIC, 0, va_http_health_handle_v1, "getApiHealth",
    "Readiness probe; detailed=true checks database, storage and registry", "health", 200,
    "application/json", va_http_health_query },
  { "GET", "/openapi.json", VA_HTTP_SCOPE_PUBLIC, 0, va_http_openapi_handle, "getOpenApi",
    "This OpenAPI 3 document", "meta", 200, "application/json", NULL },
};

const VaHttpRoute *
va_http_server_get_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (va_http_routes);
  return va_http_routes;
}
