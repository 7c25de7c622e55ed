/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

/* The floor of a libsoup 3 server on this machine: one handler that answers
 * every request with a fixed JSON body of the size given, nothing else (no
 * routing, authentication, database, log). bench/bench-http.sh runs it
 * beside the real server, so the gap between nginx and the server can be
 * split into what libsoup and GLib cost and what the service adds. */

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

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  gsize size;
  char *data;

  if (argc != 3) {
    g_printerr ("usage: %s PORT BODY_BYTES\n", argv[0]);
    return 2;
  }
  size = (gsize)strtoul (argv[2], NULL, 10);
  data = g_malloc (size);
  memset (data, 'x', size);
  if (size >= 2) {
    data[0] = '"';
    data[size - 1] = '"';
  }
  body = g_bytes_new_take (data, size);
  server = soup_server_new ("server-header", "va-http-floor", NULL);
  soup_server_add_handler (server, NULL, va_floor_handler, NULL, NULL);
  if (!soup_server_listen_local (server, (guint)atoi (argv[1]), SOUP_SERVER_LISTEN_IPV4_ONLY,
                                 &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
