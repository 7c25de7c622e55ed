/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-dbus-private.h"
#include "va-engine-keys.h"
#include "va-error.h"
#include "va-serializable.h"

/* ListKeys, CreateKey, RevokeKey, RevokeAllKeys: the engine's key
 * administration calls (va-engine-keys.c), which hold every rule (admin
 * scope, read-only mode, auditing), as REST and `videoannotator token` do.
 * On the system bus polkit may grant the administration first
 * (va-dbus-polkit.c). */

/* ---- ListKeys ---- */

static void
va_dbus_list_keys_run (VaDBusCall *call)
{
  GError *error = NULL;
  g_autoptr (GPtrArray) keys = va_engine_list_keys (call->engine, call->caller, &error);

  if (keys == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_dbus_manager_complete_list_keys (VA_DBUS_MANAGER (call->service),
                                      g_steal_pointer (&call->invocation),
                                      va_codec_list_to_variant (keys));
  va_dbus_call_free (call);
}

gboolean
va_dbus_handle_list_keys (VaDBusManager *manager, GDBusMethodInvocation *invocation)
{
  return va_dbus_call_run_admin (va_dbus_call_new (manager, invocation, va_dbus_list_keys_run));
}

/* ---- CreateKey ---- */

static gboolean
va_dbus_key_request_parse (GVariant *options, VaTokenRequest *request, GError **error)
{
  GVariantIter iter;
  const char *name;
  GVariant *value;
  g_autofree const char **scopes = NULL;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value)) {
    g_autoptr (GVariant) owned = value;
    const char *type = g_variant_get_type_string (value);
    gboolean ok = TRUE;

    if (g_str_equal (name, "user_id") || g_str_equal (name, "username")
        || g_str_equal (name, "email") || g_str_equal (name, "description")) {
      const char **field = g_str_equal (name, "user_id")    ? &request->user_id
                           : g_str_equal (name, "username") ? &request->username
                           : g_str_equal (name, "email")    ? &request->email
                                                            : &request->description;
      ok = g_str_equal (type, "s");
      if (ok)
        *field = g_variant_get_string (value, NULL);
    } else if (g_str_equal (name, "scopes")) {
      ok = g_str_equal (type, "as");
      if (ok) {
        g_autofree char *joined = NULL;

        scopes = g_variant_get_strv (value, NULL);
        joined = g_strjoinv (",", (char **)scopes);
        if (!va_scopes_parse (joined, &request->scopes, error))
          return FALSE;
      }
    } else if (g_str_equal (name, "expires_in_days")) {
      ok = g_str_equal (type, "u");
      if (ok)
        request->expires_in_days = g_variant_get_uint32 (value);
    } else if (g_str_equal (name, "no_expiry")) {
      ok = g_str_equal (type, "b");
      if (ok)
        request->no_expiry = g_variant_get_boolean (value);
    } else {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "request: unknown field “%s” (user_id, username, email, scopes, "
                   "expires_in_days, no_expiry, description)",
                   name);
      return FALSE;
    }
    if (!ok) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "request: field “%s” has type %s, which is not the documented one", name, type);
      return FALSE;
    }
  }
  if (request->user_id == NULL || request->username == NULL || request->email == NULL
      || request->scopes == VA_SCOPE_NONE) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         "request: user_id, username, email and scopes are required");
    return FALSE;
  }
  return TRUE;
}

static void
va_dbus_create_key_run (VaDBusCall *call)
{
  GError *error = NULL;
  VaTokenRequest request = { 0 };
  g_autoptr (VaApiKey) record = NULL;
  g_autofree char *key = NULL;

  /* the strings stay in call->options, which outlives the request */
  if (!va_dbus_key_request_parse (call->options, &request, &error)) {
    va_dbus_call_fail (call, error);
    return;
  }
  record = va_engine_create_key (call->engine, call->caller, &request, &key, &error);
  if (record == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_dbus_manager_complete_create_key (VA_DBUS_MANAGER (call->service),
                                       g_steal_pointer (&call->invocation), key,
                                       va_codec_to_variant (VA_SERIALIZABLE (record)));
  memset (key, 0, strlen (key));
  va_dbus_call_free (call);
}

gboolean
va_dbus_handle_create_key (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                           GVariant *request)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_create_key_run);

  call->options = g_variant_ref (request);
  return va_dbus_call_run_admin (call);
}

/* ---- RevokeKey ---- */

static void
va_dbus_revoke_key_run (VaDBusCall *call)
{
  GError *error = NULL;
  gboolean newly = FALSE;
  g_autoptr (VaApiKey) record
      = va_engine_revoke_key (call->engine, call->caller, call->id, &newly, &error);

  if (record == NULL) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_dbus_manager_complete_revoke_key (VA_DBUS_MANAGER (call->service),
                                       g_steal_pointer (&call->invocation),
                                       va_codec_to_variant (VA_SERIALIZABLE (record)), newly);
  va_dbus_call_free (call);
}

gboolean
va_dbus_handle_revoke_key (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                           const char *id)
{
  VaDBusCall *call = va_dbus_call_new (manager, invocation, va_dbus_revoke_key_run);

  call->id = g_strdup (id);
  return va_dbus_call_run_admin (call);
}

/* ---- RevokeAllKeys ---- */

static void
va_dbus_revoke_all_keys_run (VaDBusCall *call)
{
  GError *error = NULL;
  guint count = 0;

  if (!va_engine_revoke_all_keys (call->engine, call->caller, &count, &error)) {
    va_dbus_call_fail (call, error);
    return;
  }
  va_dbus_manager_complete_revoke_all_keys (VA_DBUS_MANAGER (call->service),
                                            g_steal_pointer (&call->invocation), count);
  va_dbus_call_free (call);
}

gboolean
va_dbus_handle_revoke_all_keys (VaDBusManager *manager, GDBusMethodInvocation *invocation)
{
  return va_dbus_call_run_admin (
      va_dbus_call_new (manager, invocation, va_dbus_revoke_all_keys_run));
}
