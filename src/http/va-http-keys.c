/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-codec.h"
#include "va-engine-keys.h"
#include "va-error.h"
#include "va-http-private.h"
#include "va-serializable.h"

/* /api/v1/keys: key administration over REST (admin scope, in the route
 * table). Each handler parses, makes one engine call (va-engine-keys.c:
 * the same calls as D-Bus and `videoannotator token`) and serializes the
 * records through the codec, which never has a secret to show: the key
 * itself appears once, in the answer to its creation. */

#define VA_HTTP_KEYS_HINT                                                                               \
  N_ ("Send {\"user_id\": \"…\", \"username\": \"…\", \"email\": \"…\", \"scopes\": [\"read\"], " \
      "\"expires_in_days\": 90}")

static void
va_http_keys_respond_record (VaHttpRequest *req, guint status, VaApiKey *record, const char *key,
                             int newly_revoked)
{
  g_autoptr (JsonNode) root = va_codec_to_json (VA_SERIALIZABLE (record));
  JsonObject *o = json_node_get_object (root);

  if (key != NULL)
    json_object_set_string_member (o, "key", key);
  if (newly_revoked >= 0)
    json_object_set_boolean_member (o, "newly_revoked", newly_revoked);
  va_http_respond_json (req, status, root);
}

/* GET /api/v1/keys */
void
va_http_keys_list (VaHttpRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) keys
      = va_engine_list_keys (va_http_server_get_engine (req->server), req->caller, &error);
  g_autoptr (JsonBuilder) b = NULL;

  if (keys == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "keys");
  json_builder_add_value (b, va_codec_list_to_json (keys));
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, keys->len);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}

/* A string member, or NULL when absent; FALSE (answered 422) when it is
 * not a string. */
static gboolean
va_http_keys_string (VaHttpRequest *req, JsonObject *body, const char *name, const char **out)
{
  JsonNode *node = json_object_get_member (body, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING) {
    g_autofree char *message = g_strdup_printf ("Field `%s` must be a string", name);
    va_http_respond_error (req, 422, "VALIDATION_ERROR", message, VA_HTTP_KEYS_HINT, NULL);
    return FALSE;
  }
  *out = json_node_get_string (node);
  return TRUE;
}

/* "scopes": ["read", "write"] or "read,write" */
static gboolean
va_http_keys_scopes (VaHttpRequest *req, JsonObject *body, VaScopes *scopes)
{
  JsonNode *node = json_object_get_member (body, "scopes");
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);

    for (guint i = 0; i < json_array_get_length (array); i++) {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING) {
        va_http_respond_error (req, 422, "VALIDATION_ERROR",
                               "Field `scopes` must list scope names (read, write, admin)",
                               VA_HTTP_KEYS_HINT, NULL);
        return FALSE;
      }
      g_string_append_printf (text, "%s%s", i > 0 ? "," : "", json_node_get_string (element));
    }
  } else if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING) {
    g_string_append (text, json_node_get_string (node));
  } else {
    va_http_respond_error (req, 422, "VALIDATION_ERROR",
                           node == NULL ? N_ ("Field `scopes` is required")
                                        : N_ ("Field `scopes` must be an array of scope names"),
                           VA_HTTP_KEYS_HINT, NULL);
    return FALSE;
  }
  if (!va_scopes_parse (text->str, scopes, &error)) {
    va_http_respond_error (req, 422, "VALIDATION_ERROR", error->message, VA_HTTP_KEYS_HINT, NULL);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_http_keys_expiry (VaHttpRequest *req, JsonObject *body, VaTokenRequest *request)
{
  JsonNode *days = json_object_get_member (body, "expires_in_days");
  JsonNode *never = json_object_get_member (body, "no_expiry");

  if (days != NULL && !JSON_NODE_HOLDS_NULL (days)) {
    if (json_node_get_value_type (days) != G_TYPE_INT64 || json_node_get_int (days) < 1
        || json_node_get_int (days) > G_MAXINT32) {
      va_http_respond_error (req, 422, "VALIDATION_ERROR",
                             "Field `expires_in_days` must be a positive integer",
                             VA_HTTP_KEYS_HINT, NULL);
      return FALSE;
    }
    request->expires_in_days = (guint)json_node_get_int (days);
  }
  if (never != NULL && !JSON_NODE_HOLDS_NULL (never)) {
    if (json_node_get_value_type (never) != G_TYPE_BOOLEAN) {
      va_http_respond_error (req, 422, "VALIDATION_ERROR", "Field `no_expiry` must be a boolean",
                             VA_HTTP_KEYS_HINT, NULL);
      return FALSE;
    }
    request->no_expiry = json_node_get_boolean (never);
  }
  return TRUE;
}

/* POST /api/v1/keys */
void
va_http_keys_create (VaHttpRequest *req)
{
  g_autoptr (JsonObject) body = va_http_parse_json_object (req, VA_HTTP_KEYS_HINT);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  g_autofree char *key = NULL;
  VaTokenRequest request = { 0 };

  if (body == NULL)
    return;
  if (!va_http_keys_string (req, body, "user_id", &request.user_id)
      || !va_http_keys_string (req, body, "username", &request.username)
      || !va_http_keys_string (req, body, "email", &request.email)
      || !va_http_keys_string (req, body, "description", &request.description)
      || !va_http_keys_scopes (req, body, &request.scopes)
      || !va_http_keys_expiry (req, body, &request))
    return;
  if (request.user_id == NULL || request.username == NULL || request.email == NULL) {
    va_http_respond_error (req, 422, "VALIDATION_ERROR",
                           "Fields `user_id`, `username` and `email` are required",
                           VA_HTTP_KEYS_HINT, NULL);
    return;
  }
  record = va_engine_create_key (va_http_server_get_engine (req->server), req->caller, &request,
                                 &key, &error);
  if (record == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
    return;
  }
  va_http_keys_respond_record (req, 201, record, key, -1);
  memset (key, 0, strlen (key));
}

/* DELETE /api/v1/keys/{key_id}: by id or unambiguous prefix */
void
va_http_keys_revoke (VaHttpRequest *req)
{
  g_autoptr (GError) error = NULL;
  gboolean newly = FALSE;
  g_autoptr (VaApiKey) record
      = va_engine_revoke_key (va_http_server_get_engine (req->server), req->caller,
                              va_http_request_get_param (req, "key_id"), &newly, &error);

  if (record == NULL) {
    va_http_respond_gerror (req, error, "KEY_NOT_FOUND", "List keys with GET /api/v1/keys");
    return;
  }
  va_http_keys_respond_record (req, 200, record, NULL, newly);
}

/* POST /api/v1/keys/revoke-all */
void
va_http_keys_revoke_all (VaHttpRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  guint count = 0;

  if (!va_engine_revoke_all_keys (va_http_server_get_engine (req->server), req->caller, &count,
                                  &error)) {
    va_http_respond_gerror (req, error, NULL, NULL);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "revoked");
  json_builder_add_int_value (b, count);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
}
