/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-engine-auth.h"
#include "va-engine-private.h"
#include "va-error.h"
#include "va-log.h"

/* From credentials to a VaCaller, for every transport: which key is valid
 * (expiry and revocation are the key store's, seen within a second of a
 * change by another process), who is anonymous, how a key's use is
 * counted, and which clients are blocked after an alert (the
 * VaSecurityMonitor's rules). A transport extracts the credentials from
 * its own protocol and reports what it saw; it decides none of this. */

/* The caller a key record stands for. */
static VaCaller *
va_engine_caller_for_key (VaApiKey *record)
{
  VaCaller *caller
      = va_caller_new (va_api_key_get_user_id (record), va_api_key_get_scopes (record));

  va_caller_set_username (caller, va_api_key_get_username (record));
  va_caller_set_email (caller, va_api_key_get_email (record));
  va_caller_set_key_id (caller, va_api_key_get_id (record));
  va_caller_set_key_prefix (caller, va_api_key_get_prefix (record));
  return caller;
}

static VaCaller *
va_engine_validate_key (VaEngine *self, const char *key, VaTokenRejection *rejection,
                        GError **error)
{
  g_autoptr (VaApiKey) record = NULL;
  VaCaller *caller;

  record = va_token_store_validate (va_engine_get_token_store (self), key, rejection, error);
  if (record == NULL)
    return NULL;
  caller = va_engine_caller_for_key (record);
  /* usage counting: last use and count, shown by key listings */
  va_store_record_key_use (va_engine_get_store (self), va_api_key_get_id (record), NULL);
  return caller;
}

/**
 * va_engine_authenticate:
 * @key: the API key a client presented
 * @error: return location for a %VA_ERROR_UNAUTHENTICATED whose message
 *   says why (unknown, revoked, expired — with the date — or malformed);
 *   it never contains more of the key than its display prefix
 *
 * Turns a key into the caller it stands for, and counts its use.
 * Revocations and new keys written by `videoannotator token` in another
 * process are seen at once (the key store reloads changed files).
 *
 * Returns: (transfer full) (nullable): the caller
 */
VaCaller *
va_engine_authenticate (VaEngine *self, const char *key, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  if (key == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("No API key"));
    return NULL;
  }
  return va_engine_validate_key (self, key, NULL, error);
}

/**
 * va_engine_authenticate_request:
 * @key: (nullable): the one key the request carried, or %NULL for none
 * @client_address: (nullable): who sent it (an address, `dbus:…`), for
 *   the caller, the audit trail and the failed-authentication rule
 * @rejection: (out) (optional): why a key was refused
 *   (%VA_TOKEN_REJECTION_NONE when no key was sent)
 *
 * The one path from a transport's credentials to a caller:
 * - a key that is sent is always checked, even where auth is off: a bad
 *   key is never ignored;
 * - no key: the anonymous caller (read + write, user `anonymous`) when
 *   `auth-required` is off, %VA_ERROR_UNAUTHENTICATED otherwise;
 * - a valid key's use is counted;
 * - every refusal counts towards the client's failed-authentication rule.
 *
 * Returns: (transfer full) (nullable): the caller, with @client_address
 *   set, or %NULL with %VA_ERROR_UNAUTHENTICATED (or %VA_ERROR_INTERNAL
 *   when the key store cannot be read)
 */
VaCaller *
va_engine_authenticate_request (VaEngine *self, const char *key, const char *client_address,
                                VaTokenRejection *rejection, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  VaCaller *caller;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  if (rejection != NULL)
    *rejection = VA_TOKEN_REJECTION_NONE;
  if (key != NULL)
    caller = va_engine_validate_key (self, key, rejection, &local_error);
  else if (va_settings_get_boolean (va_engine_get_settings (self), "auth-required")) {
    caller = NULL;
    g_set_error_literal (
        &local_error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
        N_ ("API key required. Set AUTH_REQUIRED=false to disable authentication."));
  } else
    caller = va_caller_new_anonymous ();

  if (caller == NULL) {
    if (client_address != NULL && g_error_matches (local_error, VA_ERROR, VA_ERROR_UNAUTHENTICATED))
      va_engine_note_auth_failure (self, client_address);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  va_caller_set_client_address (caller, client_address);
  return caller;
}

/* ---- alerts --------------------------------------------------------------------------- */

static void
va_engine_alert_command_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, NULL, &error))
    g_warning ("alert-command failed: %s", error->message);
}

/* Writes the alert to logs/security.log, emits ::security-alert and hands
 * it, as JSON on standard input, to the alert-command if one is set. On
 * the main context. */
static void
va_engine_raise_alert_now (VaEngine *self, JsonObject *alert)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), alert);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *json = NULL;
  const char *command = va_settings_get_string (va_engine_get_settings (self), "alert-command");

  json_object_set_string_member (alert, "timestamp", timestamp);
  g_message ("Security alert: %s", json_object_get_string_member (alert, "message"));
  if (!va_log_append_record (va_engine_get_log (self), "security", alert, &error)) {
    g_warning ("Cannot write the security log: %s", error->message);
    g_clear_error (&error);
  }
  json = json_to_string (node, FALSE);
  va_engine_emit_security_alert (self, json);
  if (command != NULL && *command != '\0') {
    g_auto (GStrv) argv = NULL;
    g_autoptr (GSubprocess) proc = NULL;
    g_autofree char *input = g_strconcat (json, "\n", NULL);

    if (!g_shell_parse_argv (command, NULL, &argv, &error)
        || (proc
            = g_subprocess_newv ((const char *const *)argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error))
               == NULL) {
      g_warning ("Cannot run alert-command: %s", error->message);
      return;
    }
    g_subprocess_communicate_utf8_async (proc, input, NULL, va_engine_alert_command_done, NULL);
  }
}

typedef struct {
  VaEngine *engine;
  JsonObject *alert;
} VaEngineAlert;

static void
va_engine_alert_free (VaEngineAlert *call)
{
  g_object_unref (call->engine);
  json_object_unref (call->alert);
  g_free (call);
}

static gboolean
va_engine_raise_alert_cb (gpointer user_data)
{
  VaEngineAlert *call = user_data;

  va_engine_raise_alert_now (call->engine, call->alert);
  return G_SOURCE_REMOVE;
}

/* Transports feed the monitor from their own threads (HTTP serving
 * threads); alerts are raised on the main context, where the signal's
 * handlers expect them. Takes @alert. */
static void
va_engine_raise_alert (VaEngine *self, JsonObject *alert)
{
  VaEngineAlert *call = g_new0 (VaEngineAlert, 1);

  call->engine = g_object_ref (self);
  call->alert = alert;
  g_main_context_invoke_full (va_engine_get_main_context (self), G_PRIORITY_DEFAULT,
                              va_engine_raise_alert_cb, call, (GDestroyNotify)va_engine_alert_free);
}

/**
 * va_engine_client_blocked_for:
 * @client: a client address (`dbus:uid:N` for a D-Bus user)
 *
 * Returns: seconds @client stays blocked after an alert; 0 when it is not
 */
guint
va_engine_client_blocked_for (VaEngine *self, const char *client)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), 0);
  if (client == NULL)
    return 0;
  return va_security_monitor_blocked_for (va_engine_get_security_monitor (self), client,
                                          g_get_monotonic_time ());
}

/**
 * va_engine_note_request:
 *
 * Counts one request of @client towards the request-rate rule. With
 * `rate-limit` 0 the server may be hammered on purpose (load tests, a
 * proxy that limits), and the rule is off with the limiter.
 */
void
va_engine_note_request (VaEngine *self, const char *client)
{
  gint64 now = g_get_monotonic_time ();
  JsonObject *alert;

  g_return_if_fail (VA_IS_ENGINE (self));
  if (client == NULL || va_settings_get_uint (va_engine_get_settings (self), "rate-limit") == 0)
    return;
  alert = va_security_monitor_note_request (va_engine_get_security_monitor (self), client, now);
  if (alert != NULL)
    va_engine_raise_alert (self, alert);
}

/**
 * va_engine_note_auth_failure:
 *
 * Counts one failed authentication of @client that the transport decided
 * itself (credentials it could not even pass on, such as two different
 * keys in one request). va_engine_authenticate_request() counts its own.
 */
void
va_engine_note_auth_failure (VaEngine *self, const char *client)
{
  gint64 now = g_get_monotonic_time ();
  JsonObject *alert;

  g_return_if_fail (VA_IS_ENGINE (self));
  if (client == NULL)
    return;
  alert
      = va_security_monitor_note_auth_failure (va_engine_get_security_monitor (self), client, now);
  if (alert != NULL)
    va_engine_raise_alert (self, alert);
}

/**
 * va_engine_caller_may_see_job:
 *
 * Whether events about @job (progress, state changes) may reach @caller:
 * its owner and administrators, as for reading the job itself.
 */
gboolean
va_engine_caller_may_see_job (VaEngine *self, VaCaller *caller, VaJob *job)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (VA_IS_JOB (job), FALSE);

  if (caller == NULL)
    return FALSE;
  if (va_caller_is_admin (caller))
    return TRUE;
  return g_strcmp0 (va_job_get_user_id (job), va_caller_get_user_id (caller)) == 0;
}
