/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <string.h>

#include "va-audit-query.h"
#include "va-error.h"

/* Reading the audit trail ("what did this key do"): `videoannotator audit
 * list` and GET /api/v1/audit. Admin only; each query is itself audited
 * (`audit.read`, after the query, so it is not in its own answer). */

/**
 * va_audit_query_parse_time:
 * @text: an ISO 8601 time (`2026-12-07T10:00:00Z`; without a zone: local
 *   time), a date (`2026-12-07`, local midnight), or an age: a number and
 *   `m`, `h` or `d` (`90m`, `24h`, `7d`: that long before @now)
 *
 * Returns: (transfer full) (nullable): the time, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT
 */
GDateTime *
va_audit_query_parse_time (const char *text, GDateTime *now, GError **error)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  GDateTime *when = NULL;
  char *end = NULL;
  guint64 amount;

  if (text == NULL || *text == '\0')
    goto invalid;
  if (g_ascii_isdigit (*text)) {
    amount = g_ascii_strtoull (text, &end, 10);
    if (end != NULL && end[0] != '\0' && end[1] == '\0' && amount <= 100 * 366 * 24 * 60) {
      switch (end[0]) {
      case 'm':
        return g_date_time_add_minutes (now, -(gint)amount);
      case 'h':
        return g_date_time_add_hours (now, -(gint)amount);
      case 'd':
        return g_date_time_add_days (now, -(gint)amount);
      default:
        break;
      }
    }
  }
  when = g_date_time_new_from_iso8601 (text, local);
  if (when != NULL)
    return when;
  if (strlen (text) == 10) {
    g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);
    when = g_date_time_new_from_iso8601 (midnight, local);
    if (when != NULL)
      return when;
  }
invalid:
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "Invalid time “%s”: use ISO 8601 (2026-12-07T10:00:00Z), a date (2026-12-07) or "
               "an age (90m, 24h, 7d)",
               text != NULL ? text : "");
  return NULL;
}

/**
 * va_audit_query_normalize_prefix:
 *
 * A key prefix as `token list` and the logs show it (`va_api_AbCd`,
 * `va_api_AbCd…`) or a whole key, cut to the prefix the audit trail
 * records — so a key pasted from an incident report finds its entries
 * without the key being stored anywhere.
 *
 * Returns: (transfer full): the prefix
 */
char *
va_audit_query_normalize_prefix (const char *text)
{
  g_autofree char *prefix = g_strstrip (g_strdup (text));

  if (g_str_has_suffix (prefix, "…"))
    prefix[strlen (prefix) - strlen ("…")] = '\0';
  else if (g_str_has_suffix (prefix, "..."))
    prefix[strlen (prefix) - 3] = '\0';
  if (g_str_has_prefix (prefix, VA_API_KEY_PREFIX)
      && strlen (prefix) > VA_API_KEY_DISPLAY_PREFIX_LENGTH)
    prefix[VA_API_KEY_DISPLAY_PREFIX_LENGTH] = '\0';
  return g_steal_pointer (&prefix);
}

typedef struct {
  VaEngine *engine; /* the task's source object holds the reference */
  VaCaller *caller;
  char *key_prefix;
  char *user_id;
  char *action;
  GDateTime *since;
  GDateTime *until;
  guint limit;
  guint offset;
} VaAuditQueryOp;

static void
va_audit_query_op_free (VaAuditQueryOp *op)
{
  g_clear_object (&op->caller);
  g_free (op->key_prefix);
  g_free (op->user_id);
  g_free (op->action);
  g_clear_pointer (&op->since, g_date_time_unref);
  g_clear_pointer (&op->until, g_date_time_unref);
  g_free (op);
}

static void
va_audit_query_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaAuditQueryOp *op = task_data;
  VaAuditQuery query
      = { op->key_prefix, op->user_id, op->action, op->since, op->until, op->limit, op->offset };
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GError) audit_error = NULL;
  GError *error = NULL;
  GPtrArray *entries;

  entries = va_store_list_audit (va_engine_get_store (op->engine), &query, &error);
  if (entries == NULL) {
    g_task_return_error (task, error);
    return;
  }
  if (op->key_prefix != NULL)
    json_object_set_string_member (detail, "key_prefix", op->key_prefix);
  if (op->user_id != NULL)
    json_object_set_string_member (detail, "user_id", op->user_id);
  if (op->action != NULL)
    json_object_set_string_member (detail, "action", op->action);
  json_object_set_int_member (detail, "entries", entries->len);
  if (!va_audit_record (va_engine_get_audit (op->engine), op->caller, "audit.read", NULL, detail,
                        &audit_error))
    g_warning ("Cannot record audit entry audit.read: %s", audit_error->message);
  g_task_return_pointer (task, entries, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * va_audit_query_async:
 * @caller: needs the admin scope
 * @query: filters (copied); key_prefix is normalized
 *   (va_audit_query_normalize_prefix())
 *
 * Lists audit entries, newest first.
 */
void
va_audit_query_async (VaEngine *engine, VaCaller *caller, const VaAuditQuery *query,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  VaAuditQueryOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (VA_IS_CALLER (caller));
  g_return_if_fail (query != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_audit_query_async);
  if (!va_caller_check_scope (caller, VA_SCOPE_ADMIN, &error)) {
    g_task_return_error (task, error);
    return;
  }
  op = g_new0 (VaAuditQueryOp, 1);
  op->engine = engine;
  op->caller = g_object_ref (caller);
  op->key_prefix
      = query->key_prefix != NULL ? va_audit_query_normalize_prefix (query->key_prefix) : NULL;
  op->user_id = g_strdup (query->user_id);
  op->action = g_strdup (query->action);
  op->since = query->since != NULL ? g_date_time_ref (query->since) : NULL;
  op->until = query->until != NULL ? g_date_time_ref (query->until) : NULL;
  op->limit = query->limit;
  op->offset = query->offset;
  g_task_set_task_data (task, op, (GDestroyNotify)va_audit_query_op_free);
  g_task_run_in_thread (task, va_audit_query_thread);
}

/**
 * va_audit_query_finish:
 *
 * Returns: (transfer container) (element-type VaAuditEntry): newest
 *   first, or %NULL with %VA_ERROR_FORBIDDEN without the admin scope
 */
GPtrArray *
va_audit_query_finish (VaEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
