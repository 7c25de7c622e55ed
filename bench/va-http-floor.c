/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gnetworking.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

/* The floor of a libsoup 3 server on this machine: one handler that answers
 * every request with a fixed JSON body of the size given, nothing else (no
 * routing, authentication, database, log). bench/bench-http.sh runs it
 * beside the real server, so the gap between nginx and the server can be
 * split into what libsoup and GLib cost and what the service adds.
 *
 * With THREADS > 1 it serves as `videoannotator server` does with
 * http-threads: one SoupServer per thread, each on its own main context,
 * each with its own SO_REUSEPORT socket on the port. With THREADS = 1 it
 * listens as libsoup does by default (soup_server_listen_local). */

static GBytes *body;

static void
va_floor_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                  gpointer user_data)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, data, size);
}

static GSocket *
va_floor_socket (guint port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  struct sockaddr_storage native;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_DEFAULT, &error);

  /* g_socket_bind() would turn SO_REUSEPORT off again */
  if (socket == NULL || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, TRUE, &error)
      || !g_socket_address_to_native (address, &native, sizeof native, &error)
      || bind (g_socket_get_fd (socket), (struct sockaddr *)&native,
               (socklen_t)g_socket_address_get_native_size (address))
             != 0) {
    g_printerr ("cannot bind port %u: %s\n", port, error != NULL ? error->message : "bind");
    exit (1);
  }
  g_socket_set_listen_backlog (socket, 511);
  if (!g_socket_listen (socket, &error)) {
    g_printerr ("%s\n", error->message);
    exit (1);
  }
  return socket;
}

static SoupServer *
va_floor_server (void)
{
  SoupServer *server = soup_server_new ("server-header", "va-http-floor", NULL);

  soup_server_add_handler (server, NULL, va_floor_handler, NULL, NULL);
  return server;
}

static gpointer
va_floor_thread (gpointer user_data)
{
  g_autoptr (GSocket) socket = user_data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (context);
  server = va_floor_server ();
  if (!soup_server_listen_socket (server, socket, 0, &error)) {
    g_printerr ("%s\n", error->message);
    exit (1);
  }
  g_main_loop_run (loop);
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint port, threads = 1;
  gsize size;
  char *data;

  if (argc != 3 && argc != 4) {
    g_printerr ("usage: %s PORT BODY_BYTES [THREADS]\n", argv[0]);
    return 2;
  }
  port = (guint)atoi (argv[1]);
  size = (gsize)strtoul (argv[2], NULL, 10);
  if (argc == 4)
    threads = (guint)CLAMP (atoi (argv[3]), 1, 64);
  data = g_malloc (size);
  memset (data, 'x', size);
  if (size >= 2) {
    data[0] = '"';
    data[size - 1] = '"';
  }
  body = g_bytes_new_take (data, size);
  server = va_floor_server ();
  if (threads == 1) {
    if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  } else {
    g_autoptr (GSocket) socket = va_floor_socket (port);

    for (guint i = 1; i < threads; i++)
      g_thread_unref (g_thread_new ("floor", va_floor_thread, va_floor_socket (port)));
    if (!soup_server_listen_socket (server, socket, 0, &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  }
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
