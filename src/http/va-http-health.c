/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* /health and /api/v1/health: public and cheap, for liveness and readiness
 * probes. */

/* Changes each time the server process starts: a client that sees a new
 * one knows the server restarted (and, for instance, that its event-stream
 * tickets are void). */
static const char *
va_http_boot_id (void)
{
  static char *boot_id;

  if (g_once_init_enter (&boot_id))
    g_once_init_leave (&boot_id, g_uuid_string_random ());
  return boot_id;
}

void
va_http_health_handle (VaHttpRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "healthy");
  json_builder_set_member_name (b, "api_version");
  json_builder_add_string_value (b, VA_HTTP_API_VERSION);
  json_builder_set_member_name (b, "videoannotator_version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "VideoAnnotator API is running");
  json_builder_set_member_name (b, "boot_id");
  json_builder_add_string_value (b, va_http_boot_id ());
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}
