/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-audit-query.h"
#include "va-codec.h"
#include "va-error.h"
#include "va-http-private.h"

/* GET /api/v1/audit (admin): the audit trail, newest first, with the
 * filters of `videoannotator audit list` (src/core/va-audit-query.c). */

static void
va_http_audit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = va_audit_query_finish (VA_ENGINE (source), result, &error);
  g_autoptr (JsonBuilder) b = NULL;

  if (entries == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
    va_http_request_unpause (req);
    return;
  }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_add_value (b, va_codec_list_to_json (entries));
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, entries->len);
  json_builder_end_object (b);
  va_http_respond_builder (req, 200, b);
  va_http_request_unpause (req);
}

/* A query parameter as an integer within bounds; answers 400 otherwise. */
gboolean
va_http_param_uint (VaHttpRequest *req, const char *name, guint min, guint max, guint *out)
{
  const char *text = va_http_request_get_query (req, name);
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL)) {
    g_autofree char *message
        = g_strdup_printf ("%s must be an integer from %u to %u", name, min, max);
    va_http_respond_error (req, 400, "INVALID_REQUEST", message, NULL, NULL);
    return FALSE;
  }
  *out = (guint)value;
  return TRUE;
}

/* A query parameter as a time (va_audit_query_parse_time()); answers 400
 * otherwise. */
gboolean
va_http_param_time (VaHttpRequest *req, const char *name, GDateTime *now, GDateTime **out)
{
  const char *text = va_http_request_get_query (req, name);
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return TRUE;
  *out = va_audit_query_parse_time (text, now, &error);
  if (*out == NULL) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", error->message, NULL, NULL);
    return FALSE;
  }
  return TRUE;
}

static const char *
va_http_audit_text (VaHttpRequest *req, const char *name)
{
  const char *text = va_http_request_get_query (req, name);
  return text != NULL && *text != '\0' ? text : NULL;
}

void
va_http_audit_list (VaHttpRequest *req)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) since = NULL;
  g_autoptr (GDateTime) until = NULL;
  VaAuditQuery query = { 0 };

  query.limit = 100;
  if (!va_http_param_uint (req, "limit", 1, VA_STORE_MAX_PER_PAGE, &query.limit)
      || !va_http_param_uint (req, "offset", 0, G_MAXINT32, &query.offset)
      || !va_http_param_time (req, "since", now, &since)
      || !va_http_param_time (req, "until", now, &until))
    return;
  query.key_prefix = va_http_audit_text (req, "key_prefix");
  query.user_id = va_http_audit_text (req, "user_id");
  query.action = va_http_audit_text (req, "action");
  query.since = since;
  query.until = until;
  va_http_request_pause (req);
  va_audit_query_async (va_http_server_get_engine (req->server), req->caller, &query, NULL,
                        va_http_audit_done, req);
}
