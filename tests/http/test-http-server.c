/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "va-error.h"
#include "va-http-test-utils.h"

static void
setup (VaHttpFixture *f, gconstpointer data)
{
  va_http_fixture_setup_with (f, data, FALSE);
}

static void
assert_common_headers (VaHttpReply *reply)
{
  const char *id = va_http_reply_header (reply, "X-Request-ID");

  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), >=, 8);
  g_assert_cmpstr (va_http_reply_header (reply, "X-Content-Type-Options"), ==, "nosniff");
  g_assert_cmpstr (va_http_reply_header (reply, "X-Frame-Options"), ==, "DENY");
  g_assert_cmpstr (va_http_reply_header (reply, "Referrer-Policy"), ==, "no-referrer");
  g_assert_cmpstr (va_http_reply_header (reply, "Cache-Control"), ==, "no-store");
  /* plain HTTP: no HSTS */
  g_assert_null (va_http_reply_header (reply, "Strict-Transport-Security"));
}

static void
test_health_legacy (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply = va_http_fetch (f, "GET", "/health");
  JsonObject *o;

  g_assert_cmpuint (reply->status, ==, 200);
  assert_common_headers (reply);
  o = va_http_reply_object (reply);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "healthy");
  g_assert_true (json_object_has_member (o, "api_version"));
  g_assert_cmpstr (json_object_get_string_member (o, "videoannotator_version"), ==,
                   PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==,
                   "VideoAnnotator API is running");
}

static void
test_health_v1 (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply = va_http_fetch (f, "GET", "/api/v1/health");
  g_autoptr (VaHttpReply) slash = va_http_fetch (f, "GET", "/api/v1/health/");
  JsonObject *o;

  g_assert_cmpuint (reply->status, ==, 200);
  o = va_http_reply_object (reply);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "timestamp"), "Z"));
  g_assert_false (json_object_has_member (o, "details"));
  /* trailing-slash alias of §1.1 */
  g_assert_cmpuint (slash->status, ==, 200);
}

static void
test_request_id (VaHttpFixture *f, gconstpointer data)
{
  const char *good[] = { "X-Request-ID", "proxy-id-1234567", NULL };
  const char *bad[] = { "X-Request-ID", "<script>alert(1)</script>", NULL };
  g_autoptr (VaHttpReply) a = va_http_fetch (f, "GET", "/health");
  g_autoptr (VaHttpReply) b = va_http_fetch (f, "GET", "/health");
  g_autoptr (VaHttpReply) kept = va_http_fetch_full (f, "GET", "/health", good, NULL, NULL);
  g_autoptr (VaHttpReply) replaced = va_http_fetch_full (f, "GET", "/health", bad, NULL, NULL);

  g_assert_cmpstr (va_http_reply_header (a, "X-Request-ID"), !=,
                   va_http_reply_header (b, "X-Request-ID"));
  g_assert_cmpstr (va_http_reply_header (kept, "X-Request-ID"), ==, "proxy-id-1234567");
  g_assert_null (strchr (va_http_reply_header (replaced, "X-Request-ID"), '<'));
}

static void
test_unknown_route (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply = va_http_fetch (f, "GET", "/api/v1/nope");
  JsonObject *err;

  err = va_http_assert_envelope (reply, 404, "NOT_FOUND");
  g_assert_true (json_object_has_member (err, "hint"));
  assert_common_headers (reply);
}

static void
test_wrong_method (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply = va_http_fetch (f, "DELETE", "/health");
  g_autoptr (VaHttpReply) options = va_http_fetch (f, "OPTIONS", "/health");

  va_http_assert_envelope (reply, 405, "METHOD_NOT_ALLOWED");
  g_assert_nonnull (strstr (va_http_reply_header (reply, "Allow"), "GET"));
  /* plain OPTIONS (no preflight) lists the methods */
  g_assert_cmpuint (options->status, ==, 204);
  g_assert_nonnull (strstr (va_http_reply_header (options, "Allow"), "GET"));
}

static void
test_openapi (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (VaHttpReply) reply = va_http_fetch (f, "GET", "/openapi.json");
  JsonObject *o, *paths;

  g_assert_cmpuint (reply->status, ==, 200);
  o = va_http_reply_object (reply);
  g_assert_cmpstr (json_object_get_string_member (o, "openapi"), ==, "3.0.3");
  paths = json_object_get_object_member (o, "paths");
  g_assert_true (json_object_has_member (paths, "/health"));
  g_assert_true (json_object_has_member (paths, "/api/v1/health"));
  g_assert_true (json_object_has_member (paths, "/openapi.json"));
}

/* ---- CORS ------------------------------------------------------------------- */

static const char *cors_settings[] = {
  "cors-origins=https://app.example.org, http://localhost:3000",
  NULL,
};

static void
test_cors_allowed (VaHttpFixture *f, gconstpointer data)
{
  const char *h[] = { "Origin", "https://app.example.org", NULL };
  g_autoptr (VaHttpReply) reply = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (va_http_reply_header (reply, "Access-Control-Allow-Origin"), ==,
                   "https://app.example.org");
  g_assert_nonnull (strstr (soup_message_headers_get_list (reply->headers, "Vary"), "Origin"));
  /* no credentials mode, ever */
  g_assert_null (va_http_reply_header (reply, "Access-Control-Allow-Credentials"));
}

static void
test_cors_disallowed (VaHttpFixture *f, gconstpointer data)
{
  const char *h[] = { "Origin", "https://evil.example.com", NULL };
  g_autoptr (VaHttpReply) reply = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_null (va_http_reply_header (reply, "Access-Control-Allow-Origin"));
  g_assert_nonnull (strstr (soup_message_headers_get_list (reply->headers, "Vary"), "Origin"));
}

static void
test_cors_preflight (VaHttpFixture *f, gconstpointer data)
{
  const char *ok[]
      = { "Origin", "http://localhost:3000", "Access-Control-Request-Method", "GET", NULL };
  const char *evil[]
      = { "Origin", "https://evil.example.com", "Access-Control-Request-Method", "GET", NULL };
  g_autoptr (VaHttpReply) allowed = va_http_fetch_full (f, "OPTIONS", "/health", ok, NULL, NULL);
  g_autoptr (VaHttpReply) denied = va_http_fetch_full (f, "OPTIONS", "/health", evil, NULL, NULL);

  g_assert_cmpuint (allowed->status, ==, 204);
  g_assert_cmpstr (va_http_reply_header (allowed, "Access-Control-Allow-Origin"), ==,
                   "http://localhost:3000");
  g_assert_nonnull (strstr (va_http_reply_header (allowed, "Access-Control-Allow-Methods"), "GET"));
  g_assert_nonnull (
      strstr (va_http_reply_header (allowed, "Access-Control-Allow-Headers"), "X-API-Key"));
  va_http_assert_envelope (denied, 403, "CORS_ORIGIN_NOT_ALLOWED");
  g_assert_null (va_http_reply_header (denied, "Access-Control-Allow-Origin"));
}

static void
test_cors_wildcard (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  const char *wildcard[] = { "cors-origins=*", NULL };
  g_autoptr (VaEngine) engine = va_test_engine_new (dir, wildcard);
  g_autoptr (VaHttpServer) refused = NULL;
  VaHttpFixture f = { 0 };
  const char *h[] = { "Origin", "http://anything.example:8080", NULL };

  refused = va_http_server_new (engine, FALSE, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "--dev"));
  g_assert_null (refused);

  /* development mode: any origin, still without credentials */
  va_http_fixture_setup_with (&f, wildcard, TRUE);
  {
    g_autoptr (VaHttpReply) reply = va_http_fetch_full (&f, "GET", "/health", h, NULL, NULL);
    g_assert_cmpstr (va_http_reply_header (reply, "Access-Control-Allow-Origin"), ==,
                     "http://anything.example:8080");
    g_assert_null (va_http_reply_header (reply, "Access-Control-Allow-Credentials"));
  }
  va_http_fixture_teardown (&f, NULL);
}

/* ---- rate limiting ------------------------------------------------------------ */

static const char *rate_settings[] = { "rate-limit=1", "rate-limit-burst=3", NULL };

static void
test_rate_limit (VaHttpFixture *f, gconstpointer data)
{
  for (guint i = 0; i < 3; i++) {
    g_autoptr (VaHttpReply) ok = va_http_fetch (f, "GET", "/health");
    g_assert_cmpuint (ok->status, ==, 200);
  }
  {
    g_autoptr (VaHttpReply) limited = va_http_fetch (f, "GET", "/health");
    const char *retry;

    va_http_assert_envelope (limited, 429, "RATE_LIMITED");
    retry = va_http_reply_header (limited, "Retry-After");
    g_assert_nonnull (retry);
    g_assert_cmpint (atoi (retry), >=, 1);
    assert_common_headers (limited);
  }
}

/* X-Forwarded-For from an untrusted peer is ignored: spoofing it does not
 * buy a fresh bucket. */
static void
test_rate_limit_xff_untrusted (VaHttpFixture *f, gconstpointer data)
{
  for (guint i = 0; i < 4; i++) {
    g_autofree char *addr = g_strdup_printf ("10.0.0.%u", i + 1);
    const char *h[] = { "X-Forwarded-For", addr, NULL };
    g_autoptr (VaHttpReply) reply = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);

    g_assert_cmpuint (reply->status, ==, i < 3 ? 200 : 429);
  }
}

static const char *rate_proxy_settings[] = {
  "rate-limit=1",
  "rate-limit-burst=2",
  "trusted-proxies=127.0.0.0/8",
  NULL,
};

/* Behind a trusted proxy each forwarded client has its own bucket; the
 * right-most untrusted hop counts, not what the client wrote further left. */
static void
test_rate_limit_xff_trusted (VaHttpFixture *f, gconstpointer data)
{
  for (guint i = 0; i < 3; i++) {
    const char *h[] = { "X-Forwarded-For", "203.0.113.7", NULL };
    g_autoptr (VaHttpReply) reply = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);
    g_assert_cmpuint (reply->status, ==, i < 2 ? 200 : 429);
  }
  {
    const char *h[] = { "X-Forwarded-For", "198.51.100.1, 203.0.113.8", NULL };
    g_autoptr (VaHttpReply) other = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);
    g_assert_cmpuint (other->status, ==, 200);
  }
  {
    /* spoofed left part, same real client 203.0.113.7 → still limited */
    const char *h[] = { "X-Forwarded-For", "1.2.3.4, 203.0.113.7", NULL };
    g_autoptr (VaHttpReply) same = va_http_fetch_full (f, "GET", "/health", h, NULL, NULL);
    g_assert_cmpuint (same->status, ==, 429);
  }
}

/* ---- access log ------------------------------------------------------------- */

static void
test_access_log (VaHttpFixture *f, gconstpointer data)
{
  const char *h[] = { "User-Agent", "va-test/1.0", NULL };
  g_autoptr (VaHttpReply) a = va_http_fetch_full (f, "GET", "/health?secret=zzz", h, NULL, NULL);
  g_autoptr (VaHttpReply) b = va_http_fetch (f, "GET", "/missing");
  g_autofree char *path = g_build_filename (f->dir, "logs", "api_requests.log", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;

  /* the lines are buffered and written by a timer (a few hundred ms) */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    for (;;) {
      g_clear_pointer (&contents, g_free);
      if (g_file_get_contents (path, &contents, NULL, NULL)) {
        g_auto (GStrv) found = g_strsplit (g_strstrip (contents), "\n", -1);
        if (g_strv_length (found) >= 2)
          break;
      }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  }
  g_clear_pointer (&contents, g_free);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (contents, "zzz"));
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; i < 2; i++) {
    g_autoptr (JsonNode) node = json_from_string (lines[i], &error);
    JsonObject *o;

    g_assert_no_error (error);
    o = json_node_get_object (node);
    for (const char *const *k
         = (const char *const[]){ "timestamp", "request_id", "client", "method", "path", "status",
                                  "bytes", "duration_ms", "user_id", "key_prefix", "user_agent",
                                  NULL };
         *k != NULL; k++)
      if (!json_object_has_member (o, *k))
        g_error ("access log line lacks %s: %s", *k, lines[i]);
    g_assert_cmpstr (json_object_get_string_member (o, "client"), ==, "127.0.0.1");
    g_assert_cmpstr (json_object_get_string_member (o, "method"), ==, "GET");
  }
  {
    g_autoptr (JsonNode) first = json_from_string (lines[0], NULL);
    g_autoptr (JsonNode) second = json_from_string (lines[1], NULL);
    JsonObject *o1 = json_node_get_object (first);
    JsonObject *o2 = json_node_get_object (second);

    g_assert_cmpstr (json_object_get_string_member (o1, "path"), ==, "/health");
    g_assert_cmpint (json_object_get_int_member (o1, "status"), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (o1, "user_agent"), ==, "va-test/1.0");
    g_assert_cmpstr (json_object_get_string_member (o1, "request_id"), ==,
                     va_http_reply_header (a, "X-Request-ID"));
    g_assert_cmpint (json_object_get_int_member (o1, "bytes"), ==,
                     (gint64)g_bytes_get_size (a->body));
    g_assert_cmpint (json_object_get_int_member (o2, "status"), ==, 404);
  }
}

/* ---- security alerts ------------------------------------------------------- */

/* where the test's alert-command writes */
static char *alert_dir;

static void
on_alert (VaHttpServer *server, const char *json, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (json));
}

static void
test_alert_auth_failures (VaHttpFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  const char *bad[] = { "Authorization", "Bearer va_api_nope", NULL };
  g_autofree char *security
      = g_build_filename (va_settings_get_log_dir (f->settings), "security.log", NULL);
  g_autofree char *command_out = g_build_filename (alert_dir, "alert.json", NULL);
  g_autofree char *contents = NULL;

  g_signal_connect (f->engine, "security-alert", G_CALLBACK (on_alert), alerts);
  for (guint i = 0; i < 11; i++) {
    g_autoptr (VaHttpReply) r = va_http_fetch_full (f, "GET", "/health", bad, NULL, NULL);
    g_assert_cmpuint (r->status, ==, 401);
  }
  /* a request answered on a serving thread raises its alert on the main
   * context, which may come after the answer has reached the client */
  for (guint i = 0; i < 500 && alerts->len == 0; i++) {
    g_main_context_iteration (NULL, FALSE);
    g_usleep (10000);
  }
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_nonnull (strstr (alerts->pdata[0], "\"alert\":\"auth_failures\""));
  g_assert_nonnull (strstr (alerts->pdata[0], "\"client\":\"127.0.0.1\""));
  {
    /* now blocked, even with no key at all */
    g_autoptr (VaHttpReply) r = va_http_fetch (f, "GET", "/health");
    va_http_assert_envelope (r, 403, "CLIENT_BLOCKED");
    g_assert_cmpint (atoi (va_http_reply_header (r, "Retry-After")), >, 800);
  }
  g_assert_true (g_file_get_contents (security, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"alert\":\"auth_failures\""));
  /* the alert-command got the record on standard input */
  for (guint i = 0; i < 500 && !g_file_test (command_out, G_FILE_TEST_EXISTS); i++) {
    g_main_context_iteration (NULL, FALSE);
    g_usleep (10000);
  }
  g_clear_pointer (&contents, g_free);
  for (guint i = 0; i < 100; i++) {
    g_main_context_iteration (NULL, FALSE);
    if (g_file_get_contents (command_out, &contents, NULL, NULL) && strstr (contents, "}\n"))
      break;
    g_clear_pointer (&contents, g_free);
    g_usleep (10000);
  }
  g_assert_nonnull (contents);
  g_assert_nonnull (strstr (contents, "\"alert\":\"auth_failures\""));
  va_test_dir_remove (alert_dir);
  g_clear_pointer (&alert_dir, g_free);
}

static void
setup_alert (VaHttpFixture *f, gconstpointer data)
{
  g_autofree char *command = NULL;
  const char *overrides[] = { NULL, NULL };

  alert_dir = va_test_dir_new ();
  command = g_strdup_printf ("alert-command=sh -c 'cat > %s/alert.json'", alert_dir);
  overrides[0] = command;
  va_http_fixture_setup_with (f, overrides, FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn, data)                                                                        \
  g_test_add (name, VaHttpFixture, data, setup, fn, va_http_fixture_teardown)
  ADD ("/http/health/legacy", test_health_legacy, NULL);
  ADD ("/http/health/v1", test_health_v1, NULL);
  ADD ("/http/request-id", test_request_id, NULL);
  ADD ("/http/errors/unknown-route", test_unknown_route, NULL);
  ADD ("/http/errors/wrong-method", test_wrong_method, NULL);
  ADD ("/http/openapi", test_openapi, NULL);
  ADD ("/http/cors/allowed", test_cors_allowed, cors_settings);
  ADD ("/http/cors/disallowed", test_cors_disallowed, cors_settings);
  ADD ("/http/cors/preflight", test_cors_preflight, cors_settings);
  ADD ("/http/rate-limit/basic", test_rate_limit, rate_settings);
  ADD ("/http/rate-limit/xff-untrusted", test_rate_limit_xff_untrusted, rate_settings);
  ADD ("/http/rate-limit/xff-trusted", test_rate_limit_xff_trusted, rate_proxy_settings);
  ADD ("/http/access-log", test_access_log, NULL);
  g_test_add ("/http/alerts/auth-failures", VaHttpFixture, NULL, setup_alert,
              test_alert_auth_failures, va_http_fixture_teardown);
#undef ADD
  g_test_add_func ("/http/cors/wildcard-dev", test_cors_wildcard);
  return g_test_run ();
}
