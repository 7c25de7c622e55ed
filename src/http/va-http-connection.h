/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Per-connection limits, from the settings. Seconds; 0 turns a timeout or
 * the per-client cap off. */
typedef struct {
  guint header_timeout;
  guint body_idle_timeout;
  guint keepalive_timeout;
  guint max_per_client;
} VaHttpConnectionLimits;

/* Open connections per client address, shared by every serving thread. */
typedef struct _VaHttpClientCounts VaHttpClientCounts;

VaHttpClientCounts *va_http_client_counts_new (void);
void va_http_client_counts_free (VaHttpClientCounts *counts);

/* One per SoupServer: accepts its connections and hands them to libsoup
 * through a stream that enforces the limits (va-http-connection.c). */
typedef struct _VaHttpConnections VaHttpConnections;

/* A request the guard cut off (timeout, header too large, refused body):
 * libsoup reports nothing for it, so the server accounts for it here. The
 * message's status is already set. */
typedef void (*VaHttpDroppedFunc) (SoupServerMessage *msg, gpointer user_data);

VaHttpConnections *va_http_connections_new (SoupServer *soup, GMainContext *context,
                                            const VaHttpConnectionLimits *limits,
                                            VaHttpClientCounts *counts, VaHttpDroppedFunc dropped,
                                            gpointer user_data);
void va_http_connections_free (VaHttpConnections *self);
void va_http_connections_set_tls (VaHttpConnections *self, GTlsCertificate *certificate);
gboolean va_http_connections_listen (VaHttpConnections *self, GSocket *socket, GError **error);
guint va_http_connections_get_port (VaHttpConnections *self);
void va_http_connections_stop (VaHttpConnections *self);
guint va_http_connections_count (VaHttpConnections *self);

/* The early checks refused @msg (its status is set): its body, if one
 * comes, is never kept; a large one is not read at all: the answer goes
 * out at once and the connection is closed. */
void va_http_connection_refused (SoupServerMessage *msg);
/* Cuts @msg's connection (a response that cannot be completed). */
void va_http_connection_abort (SoupServerMessage *msg);

/* TLS below 1.2 is refused by the TLS library itself; call before the
 * first TLS connection of the process is made. */
void va_http_connection_require_modern_tls (void);

/* A complete HTTP/1.1 answer with Connection: close, for connections
 * libsoup no longer handles: status line, @headers, the security headers,
 * Content-Length, @body. */
GBytes *va_http_raw_response (guint status, SoupMessageHeaders *headers, const char *body,
                              gsize length, gboolean tls);

G_END_DECLS
