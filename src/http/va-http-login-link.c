/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* POST /api/v1/auth/login-link {"token": "va_login_…"}: the web UI opened
 * from a one-time login link (`videoannotator web-link`) trades the token
 * for a session key, which it then sends like any key, in a header. Public
 * (the token is the credential); a used, expired or unknown token is 401. */

void
va_http_login_link_redeem (VaHttpRequest *req)
{
  g_autoptr (GBytes) bytes
      = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *key = NULL;
  g_autofree char *expires = NULL;
  g_auto (GStrv) scopes = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *token = NULL;
  JsonNode *root;

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL)
      && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    token = json_object_get_string_member_with_default (json_node_get_object (root), "token", NULL);
  if (token == NULL) {
    va_http_respond_error (req, 422, "VALIDATION_ERROR",
                           "The body must be a JSON object with a string `token`",
                           N_ ("Send {\"token\": \"va_login_…\"} from the login link"), NULL);
    return;
  }
  record = va_engine_redeem_login_link (va_http_server_get_engine (req->server), token, req->client,
                                        &key, &error);
  if (record == NULL) {
    va_http_respond_gerror (req, error, NULL, "Ask for a new link: videoannotator web-link");
    return;
  }
  expires = g_date_time_format_iso8601 (va_api_key_get_expires_at (record));
  scopes = va_scopes_to_strv (va_api_key_get_scopes (record));
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "api_key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "key_id");
  json_builder_add_string_value (b, va_api_key_get_id (record));
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, va_api_key_get_user_id (record));
  json_builder_set_member_name (b, "scopes");
  json_builder_begin_array (b);
  for (guint i = 0; scopes[i] != NULL; i++)
    json_builder_add_string_value (b, scopes[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires);
  json_builder_end_object (b);
  va_http_respond_builder (req, 201, b);
}
