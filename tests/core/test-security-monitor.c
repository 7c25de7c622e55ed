/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <unistd.h>

#include "va-caller-local.h"
#include "va-engine-auth.h"
#include "va-engine-keys.h"
#include "va-engine-private.h"
#include "va-error.h"
#include "va-security-monitor.h"
#include "va-test-engine.h"
#include "va-token-store-private.h"

/* VaSecurityMonitor's rules with times passed in (no waiting), and the
 * engine's one path from credentials to a caller: failures counted and
 * blocked, expiry and revocation refused with their reason, use counted,
 * the anonymous case. */

#define MIN_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define T0 (1000 * MIN_US)

static void
test_auth_failures_block (void)
{
  g_autoptr (VaSecurityMonitor) m = va_security_monitor_new ();
  g_autoptr (JsonObject) alert = NULL;

  for (guint i = 0; i < VA_SECURITY_AUTH_FAILURES_MAX; i++)
    g_assert_null (va_security_monitor_note_auth_failure (m, "192.0.2.1", T0 + i));
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "192.0.2.1", T0 + 100), ==, 0);
  /* the 11th within 5 minutes fires once and blocks for 15 minutes */
  alert = va_security_monitor_note_auth_failure (m, "192.0.2.1", T0 + 4 * MIN_US);
  g_assert_nonnull (alert);
  g_assert_cmpstr (json_object_get_string_member (alert, "alert"), ==, "auth_failures");
  g_assert_cmpstr (json_object_get_string_member (alert, "client"), ==, "192.0.2.1");
  g_assert_cmpint (json_object_get_int_member (alert, "count"), ==, 11);
  g_assert_cmpint (json_object_get_int_member (alert, "blocked_seconds"), ==, 900);
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "192.0.2.1", T0 + 4 * MIN_US), ==, 900);
  /* another client is not affected */
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "192.0.2.2", T0 + 4 * MIN_US), ==, 0);
  /* failures while blocked do not raise a second alert */
  g_assert_null (va_security_monitor_note_auth_failure (m, "192.0.2.1", T0 + 5 * MIN_US));
  /* the block expires */
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "192.0.2.1", T0 + 19 * MIN_US), ==, 0);
}

static void
test_auth_failures_window (void)
{
  g_autoptr (VaSecurityMonitor) m = va_security_monitor_new ();

  /* 20 failures, one every 40 s: never more than 10 within 5 minutes */
  for (guint i = 0; i < 20; i++)
    g_assert_null (
        va_security_monitor_note_auth_failure (m, "192.0.2.9", T0 + i * 40 * G_USEC_PER_SEC));
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "192.0.2.9", T0 + 20 * MIN_US), ==, 0);
}

static void
test_request_rate_and_prune (void)
{
  g_autoptr (VaSecurityMonitor) m = va_security_monitor_new ();
  g_autoptr (JsonObject) alert = NULL;

  for (guint i = 0; i < VA_SECURITY_REQUESTS_MAX; i++)
    g_assert_null (va_security_monitor_note_request (m, "dbus:uid:1000", T0 + i));
  alert = va_security_monitor_note_request (m, "dbus:uid:1000", T0 + 2000);
  g_assert_nonnull (alert);
  g_assert_cmpstr (json_object_get_string_member (alert, "alert"), ==, "request_rate");
  g_assert_cmpuint (va_security_monitor_blocked_for (m, "dbus:uid:1000", T0 + 2000), >, 0);
  g_assert_null (va_security_monitor_note_request (m, "quiet", T0 + 3000));
  g_assert_cmpuint (va_security_monitor_get_n_clients (m), ==, 2);
  /* a quiet client is forgotten, a blocked one kept */
  va_security_monitor_prune (m, T0 + 2 * MIN_US);
  g_assert_cmpuint (va_security_monitor_get_n_clients (m), ==, 1);
  va_security_monitor_prune (m, T0 + 20 * MIN_US);
  g_assert_cmpuint (va_security_monitor_get_n_clients (m), ==, 0);
}

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
  VaCaller *admin;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *overrides[] = { "secret-backend=file", data, NULL };
  g_autoptr (GError) error = NULL;

  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, overrides);
  f->admin = va_engine_authenticate_uid (f->engine, (guint32)getuid (), &error);
  g_assert_no_error (error);
  g_assert_true (va_caller_is_admin (f->admin));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->engine);
  va_test_dir_free (f->dir);
}

static char *
make_key (Fixture *f, const char *user, guint days)
{
  VaTokenRequest request
      = { user, user, "someone@lab.example", VA_SCOPE_READ, NULL, days, days == 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaApiKey) record = NULL;
  char *key = NULL;

  record = va_engine_create_key (f->engine, f->admin, &request, &key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  return key;
}

static VaApiKey *
find_key (Fixture *f, const char *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) keys = va_engine_list_keys (f->engine, f->admin, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++) {
    if (g_str_equal (va_api_key_get_user_id (keys->pdata[i]), user))
      return g_object_ref (keys->pdata[i]);
  }
  g_assert_not_reached ();
}

static void
test_usage_counted (Fixture *f, gconstpointer data)
{
  g_autofree char *key = make_key (f, "carol", 5);
  g_autoptr (VaApiKey) before = find_key (f, "carol");
  g_autoptr (VaApiKey) after = NULL;

  g_assert_null (va_api_key_get_last_used_at (before));
  for (guint i = 0; i < 3; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaCaller) caller
        = va_engine_authenticate_request (f->engine, key, "192.0.2.5", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (va_caller_get_user_id (caller), ==, "carol");
    g_assert_cmpstr (va_caller_get_client_address (caller), ==, "192.0.2.5");
  }
  after = find_key (f, "carol");
  g_assert_nonnull (va_api_key_get_last_used_at (after));
  g_assert_cmpuint (va_api_key_get_request_count (after), ==, 3);
}

static void
test_expired_and_revoked (Fixture *f, gconstpointer data)
{
  g_autofree char *expiring = make_key (f, "dave", 1);
  g_autofree char *revoked = make_key (f, "erin", 5);
  g_autoptr (GDateTime) later = g_date_time_add_days (g_date_time_new_now_utc (), 3);
  g_autoptr (VaApiKey) record = NULL;
  VaTokenRejection rejection = VA_TOKEN_REJECTION_NONE;
  g_autoptr (GError) error = NULL;
  gboolean newly = FALSE;

  record = va_engine_revoke_key (f->engine, f->admin, revoked, &newly, &error);
  g_assert_no_error (error);
  g_assert_true (newly);
  g_assert_null (va_engine_authenticate_request (f->engine, revoked, NULL, &rejection, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_assert_cmpint (rejection, ==, VA_TOKEN_REJECTION_REVOKED);
  g_clear_error (&error);

  va_token_store_set_now (va_engine_get_token_store (f->engine), later);
  g_assert_null (va_engine_authenticate_request (f->engine, expiring, NULL, &rejection, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_assert_cmpint (rejection, ==, VA_TOKEN_REJECTION_EXPIRED);
  g_assert_nonnull (strstr (error->message, "expired"));
  va_token_store_set_now (va_engine_get_token_store (f->engine), NULL);
}

static void
on_alert (VaEngine *engine, const char *json, GPtrArray *alerts)
{
  g_ptr_array_add (alerts, g_strdup (json));
}

static void
test_engine_blocks_client (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *good = make_key (f, "frank", 5);

  g_signal_connect (f->engine, "security-alert", G_CALLBACK (on_alert), alerts);
  for (guint i = 0; i < 11; i++) {
    g_autoptr (GError) error = NULL;
    g_assert_null (
        va_engine_authenticate_request (f->engine, "va_api_nope", "198.51.100.7", NULL, &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  }
  /* raised on the main context */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_nonnull (strstr (alerts->pdata[0], "\"client\":\"198.51.100.7\""));
  g_assert_cmpuint (va_engine_client_blocked_for (f->engine, "198.51.100.7"), >, 800);
  g_assert_cmpuint (va_engine_client_blocked_for (f->engine, "198.51.100.8"), ==, 0);
  /* a good key still authenticates (blocking is the transport's answer
   * to the client, before it asks) */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaCaller) c
        = va_engine_authenticate_request (f->engine, good, "198.51.100.8", NULL, &error);
    g_assert_no_error (error);
  }
}

static void
test_anonymous (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean required = g_strcmp0 (data, "auth-required=false") != 0;
  g_autoptr (VaCaller) caller
      = va_engine_authenticate_request (f->engine, NULL, "192.0.2.77", NULL, &error);

  if (required) {
    g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
    g_assert_null (caller);
  } else {
    g_assert_no_error (error);
    g_assert_true (va_caller_is_anonymous (caller));
    g_assert_false (va_caller_is_admin (caller));
  }
}

static void
test_keys_need_admin_and_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (VaCaller) reader = va_caller_new ("someone", VA_SCOPE_READ | VA_SCOPE_WRITE);
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  VaTokenRequest request = { "g", "g", "g@lab.example", VA_SCOPE_READ, NULL, 5, FALSE };
  guint count = 0;

  g_assert_null (va_engine_list_keys (f->engine, reader, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (va_engine_revoke_all_keys (f->engine, reader, &count, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  /* read-only (this fixture's setting): no new keys, revocations allowed */
  g_assert_null (va_engine_create_key (f->engine, f->admin, &request, &key, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_true (va_engine_revoke_all_keys (f->engine, f->admin, &count, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security-monitor/auth-failures-block", test_auth_failures_block);
  g_test_add_func ("/security-monitor/auth-failures-window", test_auth_failures_window);
  g_test_add_func ("/security-monitor/request-rate-and-prune", test_request_rate_and_prune);
  g_test_add ("/security-monitor/engine/usage-counted", Fixture, "auth-required=true",
              fixture_set_up, test_usage_counted, fixture_tear_down);
  g_test_add ("/security-monitor/engine/expired-and-revoked", Fixture, "auth-required=true",
              fixture_set_up, test_expired_and_revoked, fixture_tear_down);
  g_test_add ("/security-monitor/engine/blocks-client", Fixture, "auth-required=true",
              fixture_set_up, test_engine_blocks_client, fixture_tear_down);
  g_test_add ("/security-monitor/engine/anonymous-refused", Fixture, "auth-required=true",
              fixture_set_up, test_anonymous, fixture_tear_down);
  g_test_add ("/security-monitor/engine/anonymous-allowed", Fixture, "auth-required=false",
              fixture_set_up, test_anonymous, fixture_tear_down);
  g_test_add ("/security-monitor/engine/keys-admin-read-only", Fixture, "read-only=true",
              fixture_set_up, test_keys_need_admin_and_read_only, fixture_tear_down);
  return g_test_run ();
}
