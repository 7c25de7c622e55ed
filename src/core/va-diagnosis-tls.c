/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "va-diagnosis-private.h"

/* The TLS files the server would load at start: both set, the key private,
 * the pair loads, the key belongs to the certificate (a handshake with
 * ourselves: GLib's loader does not compare them, and a server with a
 * wrong key starts and fails every connection), and the certificate is
 * not about to expire. */

/* certificates expiring sooner than this are a warning */
#define VA_DIAGNOSIS_CERT_WARN_DAYS 30

static void
va_diagnosis_check_key_mode (const char *key_file, GPtrArray *findings)
{
  g_autofree char *quoted = NULL;
  g_autofree char *hint = NULL;
  GStatBuf st;

  if (g_stat (key_file, &st) != 0 || (st.st_mode & 007) == 0)
    return;
  quoted = g_shell_quote (key_file);
  hint = g_strdup_printf ("chmod 600 %s", quoted);
  va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "tls", "TLS_KEY_PERMISSIONS", hint,
                    _ ("The TLS private key %s is readable by others (mode %04o)"), key_file,
                    (guint)(st.st_mode & 07777));
}

typedef struct {
  int pending;
  GError *error;
} VaHandshake;

static gboolean
va_diagnosis_accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                         gpointer user_data)
{
  return TRUE; /* self-signed or not, only the key pair is in question */
}

static void
va_diagnosis_handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHandshake *hs = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error)
      && hs->error == NULL)
    hs->error = g_steal_pointer (&error);
  hs->pending--;
}

static gboolean
va_diagnosis_handshake_timeout (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static GIOStream *
va_diagnosis_stream (int fd)
{
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, NULL);

  if (socket == NULL) {
    close (fd);
    return NULL;
  }
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static gboolean
va_diagnosis_tls_handshake (GTlsCertificate *cert, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GIOStream) server_stream = NULL;
  g_autoptr (GIOStream) client_stream = NULL;
  g_autoptr (GIOStream) server = NULL;
  g_autoptr (GIOStream) client = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GSource) timeout = NULL;
  VaHandshake hs = { 2, NULL };
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socketpair: %s",
                 g_strerror (errno));
    return FALSE;
  }
  server_stream = va_diagnosis_stream (fds[0]);
  client_stream = va_diagnosis_stream (fds[1]);
  if (server_stream == NULL || client_stream == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "socketpair");
    return FALSE;
  }
  server = g_tls_server_connection_new (server_stream, cert, error);
  if (server == NULL)
    return FALSE;
  client = g_tls_client_connection_new (client_stream, NULL, error);
  if (client == NULL)
    return FALSE;
  g_signal_connect (client, "accept-certificate", G_CALLBACK (va_diagnosis_accept_any), NULL);

  g_main_context_push_thread_default (context);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (server), G_PRIORITY_DEFAULT, cancellable,
                                    va_diagnosis_handshake_done, &hs);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (client), G_PRIORITY_DEFAULT, cancellable,
                                    va_diagnosis_handshake_done, &hs);
  /* a peer that never answers must not hang the check */
  timeout = g_timeout_source_new_seconds (10);
  g_source_set_callback (timeout, va_diagnosis_handshake_timeout, cancellable, NULL);
  g_source_attach (timeout, context);
  while (hs.pending > 0)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  if (hs.error != NULL) {
    g_propagate_error (error, hs.error);
    return FALSE;
  }
  return TRUE;
}

void
va_diagnosis_check_tls (VaSettings *settings, GPtrArray *findings)
{
  const char *cert_file = va_settings_get_string (settings, "tls-certificate");
  const char *key_file = va_settings_get_string (settings, "tls-private-key");
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GDateTime) not_after = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *expiry = NULL;
  GTimeSpan left;

  if (*cert_file == '\0' && *key_file == '\0')
    return;
  if (*cert_file == '\0' || *key_file == '\0') {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "tls", "TLS_INCOMPLETE",
                      _ ("Set both tls-certificate and tls-private-key, or neither"),
                      _ ("Only one of tls-certificate and tls-private-key is set: the server "
                         "refuses to start"));
    return;
  }
  va_diagnosis_check_key_mode (key_file, findings);
  cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  if (cert == NULL) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "tls", "TLS_INVALID",
                      _ ("Check that both files are PEM, readable, and belong together"),
                      _ ("Cannot load the TLS certificate %s with key %s: %s"), cert_file, key_file,
                      error->message);
    return;
  }
  if (!va_diagnosis_tls_handshake (cert, &error)) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "tls", "TLS_INVALID",
                      _ ("Check that the private key belongs to the certificate"),
                      _ ("A TLS handshake with %s and key %s fails: %s"), cert_file, key_file,
                      error->message);
    return;
  }
  g_object_get (cert, "not-valid-after", &not_after, NULL);
  if (not_after == NULL) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "tls", "TLS", NULL,
                      _ ("TLS certificate %s and its key load"), cert_file);
    return;
  }
  expiry = g_date_time_format_iso8601 (not_after);
  left = g_date_time_difference (not_after, now);
  if (left <= 0)
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "tls", "TLS_EXPIRED",
                      _ ("Renew the certificate"),
                      _ ("The TLS certificate %s expired on %s: clients refuse the connection"),
                      cert_file, expiry);
  else if (left < VA_DIAGNOSIS_CERT_WARN_DAYS * G_TIME_SPAN_DAY)
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "tls", "TLS_EXPIRING",
                      _ ("Renew the certificate"), _ ("The TLS certificate %s expires on %s"),
                      cert_file, expiry);
  else
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "tls", "TLS", NULL,
                      _ ("TLS certificate %s loads, valid until %s"), cert_file, expiry);
}
