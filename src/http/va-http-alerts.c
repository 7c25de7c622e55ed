/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-alerts.h"
#include "va-http-private.h"

/* GET /api/v1/security/alerts (admin): the security alerts the engine
 * raised, newest first (src/core/va-engine-alerts.c). */

static void
va_http_alerts_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) alerts = va_engine_list_alerts_finish (VA_ENGINE (source), result, &error);
  g_autoptr (JsonBuilder) b = NULL;

  if (alerts == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
    va_http_request_unpause (req);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, json_array_get_length (alerts));
  json_builder_set_member_name (b, "alerts");
  json_builder_add_value (b, json_node_init_array (json_node_alloc (), alerts));
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
  va_http_request_unpause (req);
}

void
va_http_alerts_list (VaHttpRequest *req)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) since = NULL;
  guint limit = 100;

  if (!va_http_param_uint (req, "limit", 1, VA_ENGINE_ALERTS_MAX, &limit)
      || !va_http_param_time (req, "since", now, &since))
    return;
  va_http_request_pause (req);
  va_engine_list_alerts_async (va_http_server_get_engine (req->server), req->caller, since, limit,
                               NULL, va_http_alerts_done, req);
}
