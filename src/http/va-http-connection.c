/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n-lib.h>

#include "va-http-connection.h"
#include "va-http-private.h"

/**
 * SECTION:va-http-connection
 *
 * The connection layer under each SoupServer. libsoup 3.2 accepts
 * connections itself, but then
 *
 * - a keep-alive connection the client closes between two requests is
 *   never closed on our side (it stays in CLOSE-WAIT with its descriptor
 *   until the process runs out of them; fixed in libsoup 3.3), and its
 *   listener stops accepting for good after one failed accept(2);
 * - a request header over 64 KiB gets the connection closed with no
 *   answer, and a slow client may take as long as it likes.
 *
 * So we accept the connections (and do the TLS handshake) ourselves and
 * give libsoup, through soup_server_accept_iostream(), a stream whose
 * reads we see. That tells us where each connection is — reading a
 * request's headers, its body, being answered, idle between requests —
 * which is what the timeouts and the header limit need, and it lets us
 * keep libsoup from ever seeing an idle connection's end of stream: we
 * take the connection back (soup_server_message_steal_connection()) and
 * close it. Connections we take back for an answer of our own (408, 413,
 * 431, …) get that answer written by us, then a short lingering close so
 * that the client reads it instead of a reset.
 */

/* libsoup refuses (without an answer) request headers over 64 KiB; ours
 * is lower so that we always answer 431 first. */
#define VA_HTTP_MAX_HEADER_BYTES (32 * 1024)
/* After our own answer: how long we keep reading (and dropping) what the
 * client still sends, so that closing does not reset the connection
 * before it has read the answer. */
#define VA_HTTP_LINGER_US (2 * G_USEC_PER_SEC)
#define VA_HTTP_LINGER_MAX_BYTES (16 * 1024 * 1024)
/* A warning when the process holds more descriptors than this share of
 * RLIMIT_NOFILE; again only after it went below the lower mark. */
#define VA_HTTP_FD_WARN_PERCENT 80
#define VA_HTTP_FD_REARM_PERCENT 70

typedef enum {
  VA_HTTP_PHASE_HANDSHAKE, /* TLS handshake, libsoup not involved yet */
  VA_HTTP_PHASE_IDLE,      /* waiting for a request's first byte */
  VA_HTTP_PHASE_HEADERS,   /* reading a request's headers */
  VA_HTTP_PHASE_BODY,      /* reading a request's body */
  VA_HTTP_PHASE_BUSY,      /* the request is being handled and answered */
  VA_HTTP_PHASE_CLOSING,   /* ours again: our answer, then a lingering close */
} VaHttpPhase;

typedef struct _VaHttpConn VaHttpConn;

struct _VaHttpClientCounts {
  GMutex lock;
  GHashTable *counts; /* address → open connections (GUINT_TO_POINTER) */
};

struct _VaHttpConnections {
  SoupServer *soup; /* unowned: owns this */
  GMainContext *context;
  VaHttpConnectionLimits limits;
  VaHttpClientCounts *counts; /* unowned, may be NULL */
  VaHttpDroppedFunc dropped;
  gpointer dropped_data;
  GTlsCertificate *certificate;
  GSocket *listener;
  GSocket *soup_listener; /* see va_http_connections_listen() */
  GSocket *soup_listener_peer;
  GSource *accept_source;
  GSource *sweep_source;
  GHashTable *conns; /* VaHttpConn* set, owned */
  gulong started_id;
};

struct _VaHttpConn {
  VaHttpConnections *owner;
  GSocket *socket;
  GIOStream *tcp;    /* GSocketConnection */
  GIOStream *base;   /* tcp, or the TLS connection over it */
  GIOStream *stream; /* what libsoup reads and writes (VaHttpGuardStream) */
  GSocketAddress *remote;
  char *client;           /* counted in owner->counts; NULL when not counted */
  SoupServerMessage *msg; /* the latest request's message */
  GCancellable *cancellable;
  GSource *linger_source;
  GSource *drop_source;
  GBytes *answer; /* for drop_source */
  VaHttpPhase phase;
  gboolean first;               /* no request yet */
  gboolean stalled;             /* libsoup reads nothing more: we are taking it back */
  gboolean answer_from_message; /* the stall answers with the message's response */
  gboolean answer_on_close;     /* libsoup's own error answer was replaced by @answer */
  gint64 phase_since_us;
  gint64 last_read_us;
  gsize header_bytes;
  gsize lingered;
};

static GQuark va_http_conn_quark (void);
G_DEFINE_QUARK (va - http - conn, va_http_conn)

static void va_http_conn_close (VaHttpConn *conn);
static void va_http_conn_send_and_close (VaHttpConn *conn, GBytes *answer);
static void va_http_conn_take_back (VaHttpConn *conn, guint status, const char *code,
                                    const char *message, gboolean from_message);

/* ---- per-client counts -------------------------------------------------- */

VaHttpClientCounts *
va_http_client_counts_new (void)
{
  VaHttpClientCounts *counts = g_new0 (VaHttpClientCounts, 1);

  g_mutex_init (&counts->lock);
  counts->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return counts;
}

void
va_http_client_counts_free (VaHttpClientCounts *counts)
{
  g_hash_table_unref (counts->counts);
  g_mutex_clear (&counts->lock);
  g_free (counts);
}

static gboolean
va_http_client_counts_take (VaHttpClientCounts *counts, const char *client, guint max)
{
  guint n;

  g_mutex_lock (&counts->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (counts->counts, client));
  if (max > 0 && n >= max) {
    g_mutex_unlock (&counts->lock);
    return FALSE;
  }
  g_hash_table_replace (counts->counts, g_strdup (client), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&counts->lock);
  return TRUE;
}

static void
va_http_client_counts_release (VaHttpClientCounts *counts, const char *client)
{
  guint n;

  g_mutex_lock (&counts->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (counts->counts, client));
  if (n <= 1)
    g_hash_table_remove (counts->counts, client);
  else
    g_hash_table_replace (counts->counts, g_strdup (client), GUINT_TO_POINTER (n - 1));
  g_mutex_unlock (&counts->lock);
}

/* ---- the stream libsoup reads ------------------------------------------- */

/* Input: the connection's own, counted; it reports nothing readable once
 * the connection is being taken back. */
#define VA_TYPE_HTTP_GUARD_INPUT (va_http_guard_input_get_type ())
G_DECLARE_FINAL_TYPE (VaHttpGuardInput, va_http_guard_input, VA, HTTP_GUARD_INPUT, GInputStream)

struct _VaHttpGuardInput {
  GInputStream parent_instance;
  GInputStream *base;
  VaHttpConn *conn; /* NULL once the connection is no longer libsoup's */
};

static void va_http_guard_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaHttpGuardInput, va_http_guard_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      va_http_guard_input_pollable_init))

static void
va_http_conn_set_phase (VaHttpConn *conn, VaHttpPhase phase)
{
  conn->phase = phase;
  conn->phase_since_us = g_get_monotonic_time ();
}

static gboolean
va_http_conn_drop_cb (gpointer user_data)
{
  VaHttpConn *conn = user_data;

  g_clear_pointer (&conn->drop_source, g_source_unref);
  va_http_conn_take_back (conn, 0, NULL, NULL, conn->answer_from_message);
  return G_SOURCE_REMOVE;
}

/* Inside libsoup's reading: nothing more reaches it, and the connection is
 * taken back from our own source right after (never from within libsoup's
 * call stack). @answer: (transfer full) (nullable): what to write first. */
static void
va_http_conn_stall (VaHttpConn *conn, GBytes *answer)
{
  if (conn->stalled)
    return;
  conn->stalled = TRUE;
  conn->answer = answer;
  conn->drop_source = g_idle_source_new ();
  g_source_set_priority (conn->drop_source, G_PRIORITY_HIGH);
  g_source_set_callback (conn->drop_source, va_http_conn_drop_cb, conn, NULL);
  g_source_attach (conn->drop_source, conn->owner->context);
}

static GBytes *
va_http_conn_error_answer (VaHttpConn *conn, guint status, const char *code, const char *message,
                           const char *hint)
{
  g_autoptr (JsonNode) root = va_http_error_envelope (status, code, message, hint, NULL);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  soup_message_headers_replace (headers, "Content-Type", "application/json");
  return va_http_raw_response (status, headers, text, strlen (text),
                               conn->owner->certificate != NULL);
}

static gssize
va_http_guard_input_read_nonblocking (GPollableInputStream *pollable, void *buffer, gsize count,
                                      GError **error)
{
  VaHttpGuardInput *self = VA_HTTP_GUARD_INPUT (pollable);
  VaHttpConn *conn = self->conn;
  gssize n;

  if (conn != NULL && conn->stalled) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "stalled");
    return -1;
  }
  if (conn != NULL && (conn->phase == VA_HTTP_PHASE_HEADERS || conn->phase == VA_HTTP_PHASE_IDLE)) {
    if (conn->header_bytes >= VA_HTTP_MAX_HEADER_BYTES) {
      g_autofree char *message = g_strdup_printf ("Request headers are larger than %u KiB",
                                                  VA_HTTP_MAX_HEADER_BYTES / 1024);

      if (conn->msg != NULL)
        soup_server_message_set_status (conn->msg, 431, NULL);
      va_http_conn_stall (conn, va_http_conn_error_answer (conn, 431, "HEADERS_TOO_LARGE", message,
                                                           "Send fewer or shorter headers"));
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "stalled");
      return -1;
    }
    count = MIN (count, VA_HTTP_MAX_HEADER_BYTES - conn->header_bytes);
  }
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer, count,
                                                NULL, error);
  if (conn == NULL)
    return n;
  if (n > 0) {
    conn->last_read_us = g_get_monotonic_time ();
    if (conn->phase == VA_HTTP_PHASE_IDLE)
      va_http_conn_set_phase (conn, VA_HTTP_PHASE_HEADERS);
    if (conn->phase == VA_HTTP_PHASE_HEADERS)
      conn->header_bytes += (gsize)n;
  } else if (conn->phase == VA_HTTP_PHASE_IDLE
             && (n == 0 || !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))) {
    /* the client closed (or broke) a connection between two requests:
     * libsoup 3.2 would forget it open; take it back and close it */
    g_clear_error (error);
    va_http_conn_stall (conn, NULL);
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "stalled");
    return -1;
  }
  return n;
}

static gssize
va_http_guard_input_read (GInputStream *stream, void *buffer, gsize count,
                          GCancellable *cancellable, GError **error)
{
  /* libsoup's server only reads without blocking */
  return va_http_guard_input_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer, count,
                                               error);
}

static gboolean
va_http_guard_input_can_poll (GPollableInputStream *pollable)
{
  return TRUE;
}

static gboolean
va_http_guard_input_is_readable (GPollableInputStream *pollable)
{
  VaHttpGuardInput *self = VA_HTTP_GUARD_INPUT (pollable);

  if (self->conn != NULL && self->conn->stalled)
    return FALSE;
  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
va_http_guard_input_create_source (GPollableInputStream *pollable, GCancellable *cancellable)
{
  VaHttpGuardInput *self = VA_HTTP_GUARD_INPUT (pollable);
  g_autoptr (GSource) base = NULL;

  /* stalled: a source that never fires (the connection is taken back) */
  if (self->conn != NULL && self->conn->stalled)
    return g_pollable_source_new_full (pollable, NULL, cancellable);
  base = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  return g_pollable_source_new_full (pollable, base, cancellable);
}

static void
va_http_guard_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = va_http_guard_input_can_poll;
  iface->is_readable = va_http_guard_input_is_readable;
  iface->create_source = va_http_guard_input_create_source;
  iface->read_nonblocking = va_http_guard_input_read_nonblocking;
}

static gboolean
va_http_guard_input_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE; /* the connection closes the real one */
}

static void
va_http_guard_input_finalize (GObject *object)
{
  g_clear_object (&VA_HTTP_GUARD_INPUT (object)->base);
  G_OBJECT_CLASS (va_http_guard_input_parent_class)->finalize (object);
}

static void
va_http_guard_input_class_init (VaHttpGuardInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_http_guard_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = va_http_guard_input_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = va_http_guard_input_close;
}

static void
va_http_guard_input_init (VaHttpGuardInput *self)
{
}

/* Output: the connection's own, except that an answer libsoup writes on
 * its own, for a request it could not parse (no headers reached us), is
 * replaced by one with the envelope and the security headers. */
#define VA_TYPE_HTTP_GUARD_OUTPUT (va_http_guard_output_get_type ())
G_DECLARE_FINAL_TYPE (VaHttpGuardOutput, va_http_guard_output, VA, HTTP_GUARD_OUTPUT, GOutputStream)

struct _VaHttpGuardOutput {
  GOutputStream parent_instance;
  GOutputStream *base;
  VaHttpConn *conn; /* NULL once the connection is no longer libsoup's */
};

static void va_http_guard_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaHttpGuardOutput, va_http_guard_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      va_http_guard_output_pollable_init))

static gboolean
va_http_guard_output_replaces (VaHttpGuardOutput *self)
{
  VaHttpConn *conn = self->conn;
  guint status;
  g_autofree char *message = NULL;

  if (conn == NULL || conn->stalled
      || (conn->phase != VA_HTTP_PHASE_HEADERS && conn->phase != VA_HTTP_PHASE_IDLE))
    return FALSE;
  if (conn->answer == NULL) {
    status = conn->msg != NULL ? soup_server_message_get_status (conn->msg) : 0;
    if (status < 400)
      status = 400;
    message = g_strdup_printf ("Malformed request: %s", soup_status_get_phrase (status));
    conn->answer
        = va_http_conn_error_answer (conn, status, status == 400 ? "INVALID_REQUEST" : "HTTP_ERROR",
                                     message, "Send a well-formed HTTP/1.1 request");
    conn->answer_on_close = TRUE;
  }
  return TRUE;
}

static gssize
va_http_guard_output_write_nonblocking (GPollableOutputStream *pollable, const void *buffer,
                                        gsize count, GError **error)
{
  VaHttpGuardOutput *self = VA_HTTP_GUARD_OUTPUT (pollable);

  if (va_http_guard_output_replaces (self))
    return (gssize)count; /* written when libsoup closes the connection */
  return g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->base), buffer,
                                                     count, NULL, error);
}

static gssize
va_http_guard_output_write (GOutputStream *stream, const void *buffer, gsize count,
                            GCancellable *cancellable, GError **error)
{
  VaHttpGuardOutput *self = VA_HTTP_GUARD_OUTPUT (stream);

  if (va_http_guard_output_replaces (self))
    return (gssize)count;
  return g_output_stream_write (self->base, buffer, count, cancellable, error);
}

static gboolean
va_http_guard_output_flush (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return g_output_stream_flush (VA_HTTP_GUARD_OUTPUT (stream)->base, cancellable, error);
}

static gboolean
va_http_guard_output_close (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE; /* the connection closes the real one */
}

static gboolean
va_http_guard_output_can_poll (GPollableOutputStream *pollable)
{
  return TRUE;
}

static gboolean
va_http_guard_output_is_writable (GPollableOutputStream *pollable)
{
  return g_pollable_output_stream_is_writable (
      G_POLLABLE_OUTPUT_STREAM (VA_HTTP_GUARD_OUTPUT (pollable)->base));
}

static GSource *
va_http_guard_output_create_source (GPollableOutputStream *pollable, GCancellable *cancellable)
{
  g_autoptr (GSource) base = g_pollable_output_stream_create_source (
      G_POLLABLE_OUTPUT_STREAM (VA_HTTP_GUARD_OUTPUT (pollable)->base), NULL);

  return g_pollable_source_new_full (pollable, base, cancellable);
}

static void
va_http_guard_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = va_http_guard_output_can_poll;
  iface->is_writable = va_http_guard_output_is_writable;
  iface->create_source = va_http_guard_output_create_source;
  iface->write_nonblocking = va_http_guard_output_write_nonblocking;
}

static void
va_http_guard_output_finalize (GObject *object)
{
  g_clear_object (&VA_HTTP_GUARD_OUTPUT (object)->base);
  G_OBJECT_CLASS (va_http_guard_output_parent_class)->finalize (object);
}

static void
va_http_guard_output_class_init (VaHttpGuardOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_http_guard_output_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = va_http_guard_output_write;
  G_OUTPUT_STREAM_CLASS (klass)->flush = va_http_guard_output_flush;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = va_http_guard_output_close;
}

static void
va_http_guard_output_init (VaHttpGuardOutput *self)
{
}

/* The GIOStream libsoup owns: our input and output; closing it closes the
 * connection. */
#define VA_TYPE_HTTP_GUARD_STREAM (va_http_guard_stream_get_type ())
G_DECLARE_FINAL_TYPE (VaHttpGuardStream, va_http_guard_stream, VA, HTTP_GUARD_STREAM, GIOStream)

struct _VaHttpGuardStream {
  GIOStream parent_instance;
  VaHttpGuardInput *input;
  VaHttpGuardOutput *output;
  VaHttpConn *conn; /* NULL once the connection is no longer libsoup's */
};

G_DEFINE_FINAL_TYPE (VaHttpGuardStream, va_http_guard_stream, G_TYPE_IO_STREAM)

static GInputStream *
va_http_guard_stream_get_input (GIOStream *stream)
{
  return G_INPUT_STREAM (VA_HTTP_GUARD_STREAM (stream)->input);
}

static GOutputStream *
va_http_guard_stream_get_output (GIOStream *stream)
{
  return G_OUTPUT_STREAM (VA_HTTP_GUARD_STREAM (stream)->output);
}

static void
va_http_guard_stream_detach (VaHttpGuardStream *self)
{
  self->conn = NULL;
  self->input->conn = NULL;
  self->output->conn = NULL;
}

static gboolean
va_http_guard_stream_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  VaHttpGuardStream *self = VA_HTTP_GUARD_STREAM (stream);
  VaHttpConn *conn = self->conn;

  /* libsoup is done with the connection */
  if (conn != NULL) {
    va_http_guard_stream_detach (self);
    g_clear_object (&conn->stream);
    if (conn->answer_on_close) {
      if (conn->msg != NULL && conn->owner->dropped != NULL)
        conn->owner->dropped (conn->msg, conn->owner->dropped_data);
      va_http_conn_send_and_close (conn, g_steal_pointer (&conn->answer));
    } else {
      va_http_conn_close (conn);
    }
  }
  return TRUE;
}

static void
va_http_guard_stream_finalize (GObject *object)
{
  VaHttpGuardStream *self = VA_HTTP_GUARD_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  G_OBJECT_CLASS (va_http_guard_stream_parent_class)->finalize (object);
}

static void
va_http_guard_stream_class_init (VaHttpGuardStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_http_guard_stream_finalize;
  G_IO_STREAM_CLASS (klass)->get_input_stream = va_http_guard_stream_get_input;
  G_IO_STREAM_CLASS (klass)->get_output_stream = va_http_guard_stream_get_output;
  G_IO_STREAM_CLASS (klass)->close_fn = va_http_guard_stream_close;
}

static void
va_http_guard_stream_init (VaHttpGuardStream *self)
{
}

static GIOStream *
va_http_guard_stream_new (VaHttpConn *conn)
{
  VaHttpGuardStream *self = g_object_new (VA_TYPE_HTTP_GUARD_STREAM, NULL);

  self->input = g_object_new (VA_TYPE_HTTP_GUARD_INPUT, NULL);
  self->input->base = g_object_ref (g_io_stream_get_input_stream (conn->base));
  self->input->conn = conn;
  self->output = g_object_new (VA_TYPE_HTTP_GUARD_OUTPUT, NULL);
  self->output->base = g_object_ref (g_io_stream_get_output_stream (conn->base));
  self->output->conn = conn;
  self->conn = conn;
  return G_IO_STREAM (self);
}

/* ---- connections ----------------------------------------------------------- */

static void
va_http_conn_free (VaHttpConn *conn)
{
  if (conn->drop_source != NULL) {
    g_source_destroy (conn->drop_source);
    g_source_unref (conn->drop_source);
  }
  if (conn->linger_source != NULL) {
    g_source_destroy (conn->linger_source);
    g_source_unref (conn->linger_source);
  }
  if (conn->client != NULL && conn->owner->counts != NULL)
    va_http_client_counts_release (conn->owner->counts, conn->client);
  if (conn->remote != NULL)
    g_object_set_qdata (G_OBJECT (conn->remote), va_http_conn_quark (), NULL);
  if (conn->stream != NULL)
    va_http_guard_stream_detach (VA_HTTP_GUARD_STREAM (conn->stream));
  /* a message may outlive its connection (a paused request) */
  if (conn->msg != NULL)
    g_signal_handlers_disconnect_by_data (conn->msg, conn);
  g_clear_pointer (&conn->answer, g_bytes_unref);
  g_clear_object (&conn->msg);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->base);
  g_clear_object (&conn->tcp);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->remote);
  g_free (conn->client);
  g_free (conn);
}

/* Closes the descriptor now (no TLS close_notify: it could block on a
 * client that reads nothing) and forgets the connection. */
static void
va_http_conn_close (VaHttpConn *conn)
{
  if (conn->cancellable != NULL)
    g_cancellable_cancel (conn->cancellable);
  g_socket_close (conn->socket, NULL);
  g_hash_table_remove (conn->owner->conns, conn);
}

static VaHttpConn *
va_http_conn_from_message (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), va_http_conn_quark ()) : NULL;
}

static gboolean
va_http_conn_linger_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  VaHttpConn *conn = user_data;
  char buffer[16384];

  for (;;) {
    gssize n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, NULL);

    if (n == 0 || (n < 0 && !g_socket_condition_check (socket, G_IO_IN))) {
      if (n == 0)
        break;
      return G_SOURCE_CONTINUE; /* would block */
    }
    if (n < 0)
      break;
    conn->lingered += (gsize)n;
    if (conn->lingered > VA_HTTP_LINGER_MAX_BYTES)
      break;
  }
  g_clear_pointer (&conn->linger_source, g_source_unref);
  va_http_conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
va_http_conn_linger (VaHttpConn *conn)
{
  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  va_http_conn_set_phase (conn, VA_HTTP_PHASE_CLOSING);
  conn->linger_source = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->linger_source, G_SOURCE_FUNC (va_http_conn_linger_cb), conn, NULL);
  g_source_attach (conn->linger_source, conn->owner->context);
}

static void
va_http_conn_answer_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpConn *conn = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      va_http_conn_close (conn);
    return; /* cancelled: the connection is gone already */
  }
  va_http_conn_linger (conn);
}

/* Writes @answer on a connection libsoup no longer has, then closes it. */
static void
va_http_conn_send_and_close (VaHttpConn *conn, GBytes *answer)
{
  gsize length;
  const void *data;

  if (answer == NULL) {
    va_http_conn_close (conn);
    return;
  }
  va_http_conn_set_phase (conn, VA_HTTP_PHASE_CLOSING);
  g_clear_pointer (&conn->answer, g_bytes_unref);
  conn->answer = answer; /* kept alive while it is written */
  data = g_bytes_get_data (answer, &length);
  g_main_context_push_thread_default (conn->owner->context);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (conn->base), data, length,
                                   G_PRIORITY_DEFAULT, conn->cancellable,
                                   va_http_conn_answer_written, conn);
  g_main_context_pop_thread_default (conn->owner->context);
}

/* Takes the connection back from libsoup (outside its call stack) and
 * closes it, after writing an answer: @status > 0 makes one (and gives
 * the message that status), @from_message writes the message's own
 * response, else the one a stall prepared (if any). */
static void
va_http_conn_take_back (VaHttpConn *conn, guint status, const char *code, const char *message,
                        gboolean from_message)
{
  g_autoptr (SoupServerMessage) msg = conn->msg != NULL ? g_object_ref (conn->msg) : NULL;
  GBytes *answer = g_steal_pointer (&conn->answer);
  gboolean in_request = conn->phase == VA_HTTP_PHASE_HEADERS || conn->phase == VA_HTTP_PHASE_BODY;

  if (status > 0) {
    g_clear_pointer (&answer, g_bytes_unref);
    answer = va_http_conn_error_answer (conn, status, code, message, NULL);
    if (msg != NULL)
      soup_server_message_set_status (msg, status, NULL);
  } else if (from_message && msg != NULL) {
    SoupMessageBody *body = soup_server_message_get_response_body (msg);
    g_autoptr (GBytes) flat = soup_message_body_flatten (body);

    g_clear_pointer (&answer, g_bytes_unref);
    answer = va_http_raw_response (
        soup_server_message_get_status (msg), soup_server_message_get_response_headers (msg),
        g_bytes_get_data (flat, NULL), g_bytes_get_size (flat), conn->owner->certificate != NULL);
  }
  conn->stalled = TRUE;
  if (conn->stream != NULL) {
    g_autoptr (GIOStream) stolen = NULL;

    va_http_guard_stream_detach (VA_HTTP_GUARD_STREAM (conn->stream));
    if (msg != NULL)
      stolen = soup_server_message_steal_connection (msg);
    g_clear_object (&conn->stream);
    /* libsoup reports nothing for a message whose connection was taken */
    if (msg != NULL && in_request && conn->owner->dropped != NULL)
      conn->owner->dropped (msg, conn->owner->dropped_data);
  }
  va_http_conn_send_and_close (conn, answer);
}

/* The connection is ready for HTTP (after the TLS handshake, if any). */
static void
va_http_conn_start_http (VaHttpConn *conn)
{
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (conn->socket, NULL);
  VaHttpConnections *owner = conn->owner;

  va_http_conn_set_phase (conn, VA_HTTP_PHASE_IDLE);
  conn->first = TRUE;
  conn->stream = va_http_guard_stream_new (conn);
  /* libsoup gives each message this very address object: it leads from a
   * message back to its connection */
  g_object_set_qdata (G_OBJECT (conn->remote), va_http_conn_quark (), conn);
  soup_server_accept_iostream (owner->soup, conn->stream, local, conn->remote, NULL);
}

static void
va_http_conn_handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpConn *conn = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error)) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_debug ("TLS handshake failed: %s", error->message);
      va_http_conn_close (conn);
    }
    return;
  }
  /* the TLS library is set to refuse older versions; this holds even if
   * G_TLS_GNUTLS_PRIORITY was set to allow them */
  if (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (source))
      < G_TLS_PROTOCOL_VERSION_TLS_1_2) {
    g_message ("Refused a TLS connection older than TLS 1.2");
    va_http_conn_close (conn);
    return;
  }
  va_http_conn_start_http (conn);
}

static void
va_http_connections_accepted (VaHttpConnections *self, GSocket *socket)
{
  VaHttpConn *conn = g_new0 (VaHttpConn, 1);
  g_autoptr (GError) error = NULL;

  conn->owner = self;
  conn->socket = socket;
  conn->cancellable = g_cancellable_new ();
  conn->remote = g_socket_get_remote_address (socket, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  conn->tcp = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  conn->last_read_us = g_get_monotonic_time ();
  va_http_conn_set_phase (conn, VA_HTTP_PHASE_HANDSHAKE);
  g_hash_table_add (self->conns, conn);
  if (conn->remote == NULL) {
    va_http_conn_close (conn);
    return;
  }
  if (self->counts != NULL && G_IS_INET_SOCKET_ADDRESS (conn->remote)) {
    g_autofree char *client = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (conn->remote)));

    if (!va_http_client_counts_take (self->counts, client, self->limits.max_per_client)) {
      /* plain HTTP only: refusing before a TLS handshake cannot be read */
      conn->base = g_object_ref (conn->tcp);
      if (self->certificate != NULL) {
        va_http_conn_close (conn);
        return;
      }
      va_http_conn_send_and_close (
          conn, va_http_conn_error_answer (conn, 429, "TOO_MANY_CONNECTIONS",
                                           "Too many open connections from this address",
                                           "Close idle connections or reuse them"));
      return;
    }
    conn->client = g_steal_pointer (&client);
  }
  if (self->certificate == NULL) {
    conn->base = g_object_ref (conn->tcp);
    va_http_conn_start_http (conn);
    return;
  }
  conn->base = G_IO_STREAM (g_tls_server_connection_new (conn->tcp, self->certificate, &error));
  if (conn->base == NULL) {
    g_warning ("Cannot start TLS: %s", error->message);
    va_http_conn_close (conn);
    return;
  }
  {
    const char *protocols[] = { "http/1.1", "http/1.0", NULL };

    g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (conn->base), protocols);
  }
  g_object_set (conn->base, "require-close-notify", FALSE, NULL);
  g_main_context_push_thread_default (self->context);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->base), G_PRIORITY_DEFAULT,
                                    conn->cancellable, va_http_conn_handshake_done, conn);
  g_main_context_pop_thread_default (self->context);
}

/* ---- descriptors ------------------------------------------------------------ */

static guint
va_http_count_descriptors (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Once a second for the whole process: warn when descriptors run short
 * (each connection holds one). */
static void
va_http_check_descriptors (void)
{
  static GMutex lock;
  static gint64 last_check_us;
  static gboolean warned;
  gint64 now = g_get_monotonic_time ();
  struct rlimit limit;
  guint open;

  if (!g_mutex_trylock (&lock))
    return; /* another thread is checking */
  if (now - last_check_us < G_USEC_PER_SEC || getrlimit (RLIMIT_NOFILE, &limit) != 0
      || limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur == 0) {
    g_mutex_unlock (&lock);
    return;
  }
  last_check_us = now;
  open = va_http_count_descriptors ();
  if (open * 100 > limit.rlim_cur * VA_HTTP_FD_WARN_PERCENT) {
    if (!warned)
      g_warning ("%u of %lu file descriptors are open (over %d %% of RLIMIT_NOFILE): new "
                 "connections will soon be refused; raise the limit (LimitNOFILE=, ulimit -n) "
                 "or lower the number of clients",
                 open, (unsigned long)limit.rlim_cur, VA_HTTP_FD_WARN_PERCENT);
    warned = TRUE;
  } else if (open * 100 < limit.rlim_cur * VA_HTTP_FD_REARM_PERCENT) {
    warned = FALSE;
  }
  g_mutex_unlock (&lock);
}

/* ---- accepting -------------------------------------------------------------- */

static gboolean va_http_connections_accept_cb (GSocket *socket, GIOCondition condition,
                                               gpointer user_data);

static void
va_http_connections_watch_listener (VaHttpConnections *self)
{
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (va_http_connections_accept_cb), self,
                         NULL);
  g_source_attach (self->accept_source, self->context);
}

static gboolean
va_http_connections_resume_cb (gpointer user_data)
{
  VaHttpConnections *self = user_data;

  g_clear_pointer (&self->accept_source, g_source_unref);
  va_http_connections_watch_listener (self);
  return G_SOURCE_REMOVE;
}

static gboolean
va_http_connections_accept_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  VaHttpConnections *self = user_data;

  for (guint i = 0; i < 64; i++) {
    g_autoptr (GError) error = NULL;
    GSocket *client = g_socket_accept (socket, NULL, &error);

    if (client != NULL) {
      va_http_connections_accepted (self, client);
      continue;
    }
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      break;
    /* out of descriptors (or memory): keep the listener, try again soon;
     * the pending connections wait in the backlog meanwhile */
    va_http_check_descriptors ();
    g_warning ("Cannot accept a connection: %s", error->message);
    g_source_unref (self->accept_source);
    self->accept_source = g_timeout_source_new (250);
    g_source_set_callback (self->accept_source, va_http_connections_resume_cb, self, NULL);
    g_source_attach (self->accept_source, self->context);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- timeouts ----------------------------------------------------------------- */

static gboolean
va_http_conn_expired (VaHttpConn *conn, const VaHttpConnectionLimits *limits, gint64 now)
{
  guint seconds;
  gint64 since = conn->phase_since_us;

  switch (conn->phase) {
  case VA_HTTP_PHASE_HANDSHAKE:
  case VA_HTTP_PHASE_HEADERS:
    seconds = limits->header_timeout;
    break;
  case VA_HTTP_PHASE_IDLE:
    seconds = conn->first ? limits->header_timeout : limits->keepalive_timeout;
    break;
  case VA_HTTP_PHASE_BODY:
    seconds = limits->body_idle_timeout;
    since = conn->last_read_us;
    break;
  case VA_HTTP_PHASE_CLOSING:
    return conn->linger_source != NULL && now - since > VA_HTTP_LINGER_US;
  case VA_HTTP_PHASE_BUSY:
  default:
    return FALSE;
  }
  return seconds > 0 && now - since > (gint64)seconds * G_USEC_PER_SEC;
}

static gboolean
va_http_connections_sweep_cb (gpointer user_data)
{
  VaHttpConnections *self = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  va_http_check_descriptors ();
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    VaHttpConn *conn = key;

    if (!conn->stalled && va_http_conn_expired (conn, &self->limits, now))
      g_ptr_array_add (expired, conn);
    else if (conn->phase == VA_HTTP_PHASE_CLOSING
             && va_http_conn_expired (conn, &self->limits, now))
      g_ptr_array_add (expired, conn);
  }
  for (guint i = 0; i < expired->len; i++) {
    VaHttpConn *conn = expired->pdata[i];

    switch (conn->phase) {
    case VA_HTTP_PHASE_HEADERS:
      va_http_conn_take_back (conn, 408, "REQUEST_TIMEOUT",
                              "The request headers took too long to arrive", FALSE);
      break;
    case VA_HTTP_PHASE_BODY:
      va_http_conn_take_back (conn, 408, "REQUEST_TIMEOUT", "The request body stopped arriving",
                              FALSE);
      break;
    case VA_HTTP_PHASE_IDLE:
      va_http_conn_take_back (conn, 0, NULL, NULL, FALSE);
      break;
    case VA_HTTP_PHASE_HANDSHAKE:
    case VA_HTTP_PHASE_CLOSING:
    default:
      va_http_conn_close (conn);
      break;
    }
  }
  return G_SOURCE_CONTINUE;
}

/* ---- following libsoup's messages ----------------------------------------------- */

static void
va_http_conn_got_headers (SoupServerMessage *msg, VaHttpConn *conn)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (in);

  if (conn->msg != msg || conn->stalled)
    return;
  if (encoding == SOUP_ENCODING_CHUNKED
      || (encoding == SOUP_ENCODING_CONTENT_LENGTH
          && soup_message_headers_get_content_length (in) > 0))
    va_http_conn_set_phase (conn, VA_HTTP_PHASE_BODY);
  else
    va_http_conn_set_phase (conn, VA_HTTP_PHASE_BUSY);
}

static void
va_http_conn_got_body (SoupServerMessage *msg, VaHttpConn *conn)
{
  if (conn->msg == msg && !conn->stalled)
    va_http_conn_set_phase (conn, VA_HTTP_PHASE_BUSY);
}

static void
va_http_conn_finished (SoupServerMessage *msg, VaHttpConn *conn)
{
  if (conn->msg != msg || conn->stalled)
    return;
  /* the next request, if any, starts from nothing */
  conn->header_bytes = 0;
  conn->first = FALSE;
  va_http_conn_set_phase (conn, VA_HTTP_PHASE_IDLE);
}

static void
va_http_connections_request_started (SoupServer *soup, SoupServerMessage *msg,
                                     VaHttpConnections *self)
{
  VaHttpConn *conn = va_http_conn_from_message (msg);

  if (conn == NULL)
    return;
  if (conn->msg != NULL)
    g_signal_handlers_disconnect_by_data (conn->msg, conn);
  g_set_object (&conn->msg, msg);
  g_signal_connect (msg, "got-headers", G_CALLBACK (va_http_conn_got_headers), conn);
  g_signal_connect (msg, "got-body", G_CALLBACK (va_http_conn_got_body), conn);
  g_signal_connect (msg, "finished", G_CALLBACK (va_http_conn_finished), conn);
}

void
va_http_connection_refused (SoupServerMessage *msg)
{
  VaHttpConn *conn = va_http_conn_from_message (msg);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (in);

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  /* (the early handler runs before va_http_conn_got_headers() moves the
   * connection to its body) */
  if (conn == NULL || conn->stalled
      || (conn->phase != VA_HTTP_PHASE_HEADERS && conn->phase != VA_HTTP_PHASE_BODY))
    return;
  /* (reading even a small body would let a client dribble it forever) */
  if (encoding != SOUP_ENCODING_CHUNKED
      && (encoding != SOUP_ENCODING_CONTENT_LENGTH
          || soup_message_headers_get_content_length (in) <= 0))
    return; /* no body: the connection is kept */
  va_http_conn_set_phase (conn, VA_HTTP_PHASE_BODY);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  /* the answer is the message's own, written once libsoup let it go */
  conn->answer_from_message = TRUE;
  va_http_conn_stall (conn, NULL);
}

void
va_http_connection_abort (SoupServerMessage *msg)
{
  VaHttpConn *conn = va_http_conn_from_message (msg);

  /* libsoup notices and closes the connection */
  if (conn != NULL)
    g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

/* ---- the set of connections ---------------------------------------------------- */

VaHttpConnections *
va_http_connections_new (SoupServer *soup, GMainContext *context,
                         const VaHttpConnectionLimits *limits, VaHttpClientCounts *counts,
                         VaHttpDroppedFunc dropped, gpointer user_data)
{
  VaHttpConnections *self = g_new0 (VaHttpConnections, 1);

  self->soup = soup;
  self->context = g_main_context_ref (context);
  self->limits = *limits;
  self->counts = counts;
  self->dropped = dropped;
  self->dropped_data = user_data;
  self->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)va_http_conn_free, NULL);
  self->started_id = g_signal_connect (soup, "request-started",
                                       G_CALLBACK (va_http_connections_request_started), self);
  return self;
}

void
va_http_connections_set_tls (VaHttpConnections *self, GTlsCertificate *certificate)
{
  g_set_object (&self->certificate, certificate);
}

/* libsoup 3.2 keeps a connection alive after a response only while the
 * server has a listener of its own; ours is one end of a socket pair
 * nobody can reach or write to, so it never accepts anything. */
static gboolean
va_http_connections_add_soup_listener (VaHttpConnections *self, GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socketpair: %s",
                 g_strerror (saved));
    return FALSE;
  }
  self->soup_listener = g_socket_new_from_fd (fds[0], error);
  if (self->soup_listener == NULL) {
    close (fds[0]);
    close (fds[1]);
    return FALSE;
  }
  self->soup_listener_peer = g_socket_new_from_fd (fds[1], error);
  if (self->soup_listener_peer == NULL) {
    close (fds[1]);
    return FALSE;
  }
  return soup_server_listen_socket (self->soup, self->soup_listener, 0, error);
}

/**
 * va_http_connections_listen:
 * @socket: a listening socket
 *
 * Accepts @socket's connections on the context given at construction.
 * Call it on the thread that runs that context.
 */
gboolean
va_http_connections_listen (VaHttpConnections *self, GSocket *socket, GError **error)
{
  if (self->soup_listener == NULL && !va_http_connections_add_soup_listener (self, error))
    return FALSE;
  g_set_object (&self->listener, socket);
  g_socket_set_blocking (socket, FALSE);
  va_http_connections_watch_listener (self);
  if (self->sweep_source == NULL) {
    self->sweep_source = g_timeout_source_new (250);
    g_source_set_callback (self->sweep_source, va_http_connections_sweep_cb, self, NULL);
    g_source_attach (self->sweep_source, self->context);
  }
  return TRUE;
}

guint
va_http_connections_get_port (VaHttpConnections *self)
{
  g_autoptr (GSocketAddress) address = NULL;

  if (self->listener == NULL)
    return 0;
  address = g_socket_get_local_address (self->listener, NULL);
  return address != NULL && G_IS_INET_SOCKET_ADDRESS (address)
             ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address))
             : 0;
}

guint
va_http_connections_count (VaHttpConnections *self)
{
  return g_hash_table_size (self->conns);
}

/* Stops accepting and closes the connections libsoup does not have (TLS
 * handshakes, lingering closes); soup_server_disconnect() closes the
 * others. On the context's thread. */
void
va_http_connections_stop (VaHttpConnections *self)
{
  g_autoptr (GPtrArray) ours = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (self->accept_source != NULL) {
    g_source_destroy (self->accept_source);
    g_clear_pointer (&self->accept_source, g_source_unref);
  }
  if (self->listener != NULL)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    VaHttpConn *conn = key;

    if (conn->stream == NULL)
      g_ptr_array_add (ours, conn);
  }
  for (guint i = 0; i < ours->len; i++)
    va_http_conn_close (ours->pdata[i]);
}

/* After soup_server_disconnect(), on the context's thread (or once it has
 * ended). */
void
va_http_connections_free (VaHttpConnections *self)
{
  if (self == NULL)
    return;
  va_http_connections_stop (self);
  if (self->sweep_source != NULL) {
    g_source_destroy (self->sweep_source);
    g_source_unref (self->sweep_source);
  }
  if (g_signal_handler_is_connected (self->soup, self->started_id))
    g_signal_handler_disconnect (self->soup, self->started_id);
  /* whatever is left is closed here */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->conns);
    while (g_hash_table_iter_next (&iter, &key, NULL)) {
      VaHttpConn *conn = key;

      if (conn->stream != NULL)
        va_http_guard_stream_detach (VA_HTTP_GUARD_STREAM (conn->stream));
      g_socket_close (conn->socket, NULL);
    }
  }
  g_hash_table_unref (self->conns);
  g_clear_object (&self->soup_listener);
  g_clear_object (&self->soup_listener_peer);
  g_clear_object (&self->certificate);
  g_main_context_unref (self->context);
  g_free (self);
}

/* ---- TLS versions ---------------------------------------------------------------- */

void
va_http_connection_require_modern_tls (void)
{
  static const char no_old[] = ":-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1";
  const char *current = g_getenv ("G_TLS_GNUTLS_PRIORITY");
  g_autofree char *priority = NULL;

  /* glib-networking's GnuTLS back end reads this once, when its first TLS
   * connection is made; GLib 2.74 has no API for a minimum version */
  if (current != NULL && *current != '\0')
    priority = g_str_has_suffix (current, no_old) ? NULL : g_strconcat (current, no_old, NULL);
  else
    priority = g_strconcat ("NORMAL:%COMPAT", no_old, NULL);
  if (priority != NULL)
    g_setenv ("G_TLS_GNUTLS_PRIORITY", priority, TRUE);
}

/* ---- answers without libsoup ------------------------------------------------------- */

GBytes *
va_http_raw_response (guint status, SoupMessageHeaders *headers, const char *body, gsize length,
                      gboolean tls)
{
  GString *out = g_string_sized_new (512 + length);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  char request_id[37];

  if (soup_message_headers_get_one (headers, "X-Request-ID") == NULL) {
    va_http_request_id_random (request_id);
    va_http_headers_apply_security (headers, request_id, tls);
  }
  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status,
                          status == 431 ? "Request Header Fields Too Large"
                                        : soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value)) {
    if (g_ascii_strcasecmp (name, "Content-Length") == 0
        || g_ascii_strcasecmp (name, "Connection") == 0
        || g_ascii_strcasecmp (name, "Transfer-Encoding") == 0
        || g_ascii_strcasecmp (name, "Date") == 0)
      continue;
    g_string_append_printf (out, "%s: %s\r\n", name, value);
  }
  g_string_append_printf (
      out, "Date: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n", date,
      length);
  if (length > 0)
    g_string_append_len (out, body, (gssize)length);
  return g_string_free_to_bytes (out);
}
