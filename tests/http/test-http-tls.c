/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "va-error.h"
#include "va-http-test-utils.h"

/* Native TLS: HTTPS only, HSTS, plain port that redirects, TLS >= 1.2. */

typedef struct {
  VaHttpFixture f;
  char *certdir;
} TlsFixture;

static gboolean
accept_any (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE; /* self-signed test certificate */
}

static void
make_certificate (const char *dir, char **cert, char **key)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  *cert = g_build_filename (dir, "cert.pem", NULL);
  *key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[]
        = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",        "-keyout", *key,
            "-out",    *cert, "-days", "1",       "-subj",    "/CN=127.0.0.1", NULL };
    g_spawn_sync (NULL, (char **)argv, NULL,
                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static VaHttpReply *
fetch_tls (VaHttpFixture *f, const char *uri, gboolean follow)
{
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GError) error = NULL;
  VaHttpReply *reply = g_new0 (VaHttpReply, 1);
  g_autoptr (GAsyncResult) result = NULL;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (!follow)
    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, va_http_sent_cb,
                                    &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply->body = soup_session_send_and_read_finish (f->session, result, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return reply;
}

static void
test_https (void)
{
  g_autoptr (VaTestDir) certdir = va_test_dir_new ();
  g_autofree char *cert = NULL, *key = NULL;
  VaHttpFixture f = { 0 };
  g_autoptr (GError) error = NULL;

  make_certificate (certdir, &cert, &key);
  {
    g_autofree char *c = g_strconcat ("tls-certificate=", cert, NULL);
    g_autofree char *k = g_strconcat ("tls-private-key=", key, NULL);
    const char *settings[] = { c, k, NULL };
    g_autoptr (GError) e = NULL;

    /* set up by hand: the redirect port must be chosen before start */
    f.dir = va_test_dir_new ();
    f.engine = va_test_engine_new (f.dir, settings);
    f.settings = g_object_ref (va_engine_get_settings (f.engine));
    f.server = va_http_server_new (f.engine, FALSE, NULL, &e);
    g_assert_no_error (e);
    va_http_server_set_listen_port (f.server, 0);
    va_http_server_set_redirect_port (f.server, 0);
    va_http_server_start (f.server, &e);
    g_assert_no_error (e);
    f.base = va_http_server_get_base_uri (f.server);
    f.session = soup_session_new ();
  }
  g_assert_true (va_http_server_is_tls (f.server));
  g_assert_true (g_str_has_prefix (f.base, "https://"));
  {
    g_autofree char *uri = g_strconcat (f.base, "/api/v1/health", NULL);
    g_autoptr (VaHttpReply) reply = fetch_tls (&f, uri, FALSE);
    const char *hsts = va_http_reply_header (reply, "Strict-Transport-Security");

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_nonnull (hsts);
    g_assert_nonnull (strstr (hsts, "max-age="));
  }
  {
    /* plain HTTP on the TLS port is not served */
    g_autofree char *plain
        = g_strdup_printf ("http://127.0.0.1:%u/health", va_http_server_get_port (f.server));
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", plain);
    g_autoptr (GBytes) body = NULL;
    g_autoptr (GAsyncResult) result = NULL;

    soup_session_send_and_read_async (f.session, msg, G_PRIORITY_DEFAULT, NULL, va_http_sent_cb,
                                      &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    body = soup_session_send_and_read_finish (f.session, result, &error);
    g_assert_true (body == NULL || soup_message_get_status (msg) != 200);
    g_clear_error (&error);
  }
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health?x=1",
                                            va_http_server_get_redirect_port (f.server));
    g_autoptr (VaHttpReply) reply = fetch_tls (&f, uri, FALSE);
    g_autofree char *expected = g_strdup_printf ("https://127.0.0.1:%u/api/v1/health?x=1",
                                                 va_http_server_get_port (f.server));

    g_assert_cmpuint (reply->status, ==, 301);
    g_assert_cmpstr (va_http_reply_header (reply, "Location"), ==, expected);
  }
  {
    /* TLS 1.1 is refused, TLS 1.2 is accepted */
    const char *versions[] = { "-tls1_1", "-tls1_2" };

    for (guint i = 0; i < G_N_ELEMENTS (versions); i++) {
      g_autofree char *connect
          = g_strdup_printf ("127.0.0.1:%u", va_http_server_get_port (f.server));
      g_autoptr (GSubprocess) proc = g_subprocess_new (
          G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
              | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
          &error, "openssl", "s_client", "-connect", connect, versions[i], NULL);
      g_autoptr (GAsyncResult) result = NULL;

      g_assert_no_error (error);
      g_output_stream_close (g_subprocess_get_stdin_pipe (proc), NULL, NULL);
      g_subprocess_wait_async (proc, NULL, va_http_sent_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_subprocess_wait_finish (proc, result, &error);
      g_assert_no_error (error);
      if (i == 0)
        g_assert_false (g_subprocess_get_successful (proc));
      else
        g_assert_true (g_subprocess_get_successful (proc));
    }
  }
  va_http_fixture_teardown (&f, NULL);
}

/* A free TCP port on the loopback, for settings that take a fixed one. */
static guint
free_port (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The redirect port from the tls-redirect-port setting (what `server
 * --tls-redirect-port` sets), without the C API. */
static void
test_redirect_setting (void)
{
  g_autoptr (VaTestDir) certdir = va_test_dir_new ();
  g_autofree char *cert = NULL, *key = NULL;
  g_autofree char *c = NULL, *k = NULL, *r = NULL;
  g_autofree char *uri = NULL, *expected = NULL;
  g_autoptr (GError) error = NULL;
  VaHttpFixture f = { 0 };
  guint port = free_port ();

  make_certificate (certdir, &cert, &key);
  c = g_strconcat ("tls-certificate=", cert, NULL);
  k = g_strconcat ("tls-private-key=", key, NULL);
  r = g_strdup_printf ("tls-redirect-port=%u", port);
  {
    const char *settings[] = { c, k, r, NULL };

    va_http_fixture_setup_with (&f, settings, FALSE);
  }
  g_assert_cmpuint (va_http_server_get_redirect_port (f.server), ==, port);
  uri = g_strdup_printf ("http://127.0.0.1:%u/api/v1/jobs", port);
  expected
      = g_strdup_printf ("https://127.0.0.1:%u/api/v1/jobs", va_http_server_get_port (f.server));
  {
    g_autoptr (VaHttpReply) reply = fetch_tls (&f, uri, FALSE);

    g_assert_cmpuint (reply->status, ==, 301);
    g_assert_cmpstr (va_http_reply_header (reply, "Location"), ==, expected);
  }
  va_http_fixture_teardown (&f, NULL);

  /* without the setting (and without the C API) there is no plain port */
  {
    const char *settings[] = { c, k, NULL };

    va_http_fixture_setup_with (&f, settings, FALSE);
  }
  g_assert_cmpuint (va_http_server_get_redirect_port (f.server), ==, 0);
  va_http_fixture_teardown (&f, NULL);
}

static void
test_bad_certificate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *bogus = g_build_filename (dir, "bogus.pem", NULL);
  g_autofree char *c = g_strconcat ("tls-certificate=", bogus, NULL);
  g_autofree char *k = g_strconcat ("tls-private-key=", bogus, NULL);
  const char *settings[] = { c, k, NULL };
  g_autoptr (VaEngine) engine = NULL;
  g_autoptr (VaHttpServer) server = NULL;

  g_file_set_contents (bogus, "not a certificate", -1, &error);
  g_assert_no_error (error);
  engine = va_test_engine_new (dir, settings);
  server = va_http_server_new (engine, FALSE, NULL, &error);
  g_assert_null (server);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bogus.pem"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/tls/https", test_https);
  g_test_add_func ("/http/tls/redirect-setting", test_redirect_setting);
  g_test_add_func ("/http/tls/bad-certificate", test_bad_certificate);
  return g_test_run ();
}
