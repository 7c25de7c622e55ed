/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>
#include <gio/gnetworking.h>

#include "va-error.h"
#include "va-http-connection.h"
#include "va-engine-auth.h"
#include "va-http-private.h"
#include "va-http-server.h"

/**
 * SECTION:va-http-server
 * @title: VaHttpServer
 *
 * The REST transport. libsoup types stay inside src/http. Every request
 * goes through the same steps, in this order:
 *
 * 1. request-started: request id and security headers (so even errors
 *    libsoup produces itself carry them);
 * 2. early handler, when the headers are in and before any body byte is
 *    read: client address, route lookup (404/405), CORS (preflights end
 *    here), rate limit per address (429), authentication and scope
 *    (401/403), rate limit per key, body size limits (413). Refusing here
 *    means a rejected 2 GiB upload costs nothing;
 * 3. handler, once the body is in (or, for uploads, was streamed to disk):
 *    parse, call the engine, serialize. Handlers that wait for the engine
 *    pause the message and unpause it in the callback;
 * 4. request-finished/aborted: access log line and metrics.
 *
 * Serving threads (the `http-threads` setting): besides the SoupServer on
 * the main context, each serving thread runs its own SoupServer on its own
 * main context, all listening on the same port (one SO_REUSEPORT socket
 * each: the kernel spreads the connections over them), so one main loop's
 * CPU is no longer the limit. A request is handled entirely on the thread
 * whose server accepted its connection. What is shared is thread-safe:
 * the engine's reads (store reader connection, token store: locked),
 * settings (read-only once loaded), the log (locked), the rate limiters
 * and the engine's security monitor (locked), the metrics (locked). Engine operations with
 * a main-context part (submission, cancellation, deletion) do that part on
 * the engine's context themselves; event streams subscribe to the
 * engine's signals there and receive the events on their own thread;
 * the engine raises security alerts on its main context.
 */

/* JSON request bodies are small documents; anything larger is refused. */
#define VA_HTTP_MAX_JSON_BODY (1024 * 1024)

/* The access log is buffered (a write(2) per request cost as much as the
 * rest of a small request); a line waits at most this long, and stopping
 * the server writes what is left. */
#define VA_HTTP_ACCESS_LOG_FLUSH_MS 250

struct _VaHttpServing {
  VaHttpServer *server; /* unowned: owns this */
  SoupServer *soup;
  GMainContext *context;    /* the main context, or the thread's own */
  GMainLoop *loop;          /* serving threads only */
  GThread *thread;          /* NULL for the main context's server */
  GSocket *socket;          /* serving threads: the socket to listen on */
  VaHttpConnections *conns; /* accepts the connections and guards them */
  GHashTable *streams;      /* long-lived responses (SSE) → their close function */
  guint paused;             /* requests waiting for a callback (threads: drained on stop) */
  gboolean stopping;        /* on the thread: stop was called */
  gboolean stop_requested;  /* on the main context */
  gint ended;               /* atomic: the thread has released everything */
  guint64 requests;         /* received by this server (under the stats lock) */
  /* start-up handshake with va_http_server_start() */
  GError *listen_error;
  gboolean listening;
};

struct _VaHttpServer {
  GObject parent_instance;

  VaEngine *engine;
  VaSettings *settings;
  VaPipelineRegistry *registry;
  GPtrArray *pipelines;
  guint heartbeat_interval;
  gboolean dev;
  GMainContext *context; /* the main context: alerts, engine events */
  GPtrArray *serving;    /* VaHttpServing*: [0] the main context's, then one per thread */
  GMutex start_lock;
  GCond start_cond;
  SoupServer *soup; /* serving[0]'s */
  SoupServer *redirect;
  VaHttpConnections *redirect_conns;
  VaHttpClientCounts *client_counts; /* open connections per address, all threads */
  int listen_port;                   /* -1: the port setting */
  int redirect_listen_port;          /* -1: none, -2: the tls-redirect-port setting */
  guint port;
  guint redirect_port;
  gboolean tls;

  VaHttpCors *cors;
  VaHttpRateLimiter *client_limiter;
  VaHttpRateLimiter *key_limiter;
  VaMediaTickets *media_tickets; /* for <video> elements: va-http-video-ticket.c */
  VaLog *log;
  guint prune_source;

  /* metrics, under stats_lock (serving threads update them) */
  GMutex stats_lock;
  gint64 started_us;
  guint64 requests_total;
  guint64 responses_by_class[6];
  double response_time_sum_ms;
  guint requests_in_flight;
};

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_DEV,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VaHttpServer, va_http_server, G_TYPE_OBJECT)

#define VA_HTTP_REQUEST_KEY "va-http-request"

VaSettings *
va_http_server_get_settings (VaHttpServer *self)
{
  return self->settings;
}

VaMediaTickets *
va_http_server_get_media_tickets (VaHttpServer *self)
{
  return self->media_tickets;
}

VaEngine *
va_http_server_get_engine (VaHttpServer *self)
{
  return self->engine;
}

VaPipelineRegistry *
va_http_server_get_registry (VaHttpServer *self)
{
  return self->registry;
}

GPtrArray *
va_http_server_get_pipelines (VaHttpServer *self)
{
  return self->pipelines;
}

guint
va_http_server_get_heartbeat_interval (VaHttpServer *self)
{
  return self->heartbeat_interval;
}

/**
 * va_http_server_set_heartbeat_interval:
 * @seconds: seconds between SSE heartbeats (default 30)
 */
void
va_http_server_set_heartbeat_interval (VaHttpServer *self, guint seconds)
{
  g_return_if_fail (VA_IS_HTTP_SERVER (self));
  g_return_if_fail (seconds > 0);
  self->heartbeat_interval = seconds;
}

GMainContext *
va_http_server_get_main_context (VaHttpServer *self)
{
  return self->context;
}

GMainContext *
va_http_serving_get_context (VaHttpServing *serving)
{
  return serving->context;
}

/* Long-lived responses register here so that stopping the server ends
 * them even when libsoup never reports their message as finished. Only
 * called on @serving's thread. */
void
va_http_serving_track_stream (VaHttpServing *serving, gpointer stream, GDestroyNotify close)
{
  g_hash_table_insert (serving->streams, stream, close);
}

void
va_http_serving_untrack_stream (VaHttpServing *serving, gpointer stream)
{
  g_hash_table_remove (serving->streams, stream);
}

static void
va_http_serving_close_streams (VaHttpServing *serving)
{
  GHashTableIter iter;
  gpointer stream, close;

  while (g_hash_table_size (serving->streams) > 0) {
    g_hash_table_iter_init (&iter, serving->streams);
    g_hash_table_iter_next (&iter, &stream, &close);
    g_hash_table_iter_remove (&iter);
    ((GDestroyNotify)close) (stream);
  }
}

gboolean
va_http_server_is_dev (VaHttpServer *self)
{
  return self->dev;
}

gboolean
va_http_server_is_tls (VaHttpServer *self)
{
  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), FALSE);
  return self->tls;
}

/* ---- per-request state --------------------------------------------------- */

static void
va_http_request_free (VaHttpRequest *req)
{
  /* libsoup reports nothing for a request it could not even parse */
  if (!req->finished) {
    g_mutex_lock (&req->server->stats_lock);
    req->server->requests_in_flight--;
    g_mutex_unlock (&req->server->stats_lock);
  }
  if (req->handler_data_free != NULL)
    req->handler_data_free (req->handler_data);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->caller);
  g_free (req->client);
  g_free (req->user_id);
  g_free (req->key_prefix);
  g_free (req->key_id);
  g_free (req);
}

static VaHttpRequest *
va_http_request_get (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), VA_HTTP_REQUEST_KEY);
}

const char *
va_http_request_get_param (VaHttpRequest *req, const char *name)
{
  return req->params != NULL ? g_hash_table_lookup (req->params, name) : NULL;
}

const char *
va_http_request_get_query (VaHttpRequest *req, const char *name)
{
  return req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
}

/* A paused message keeps a reference so it survives until the engine's
 * callback answers it, even if the client has gone away meanwhile. */
void
va_http_request_pause (VaHttpRequest *req)
{
  g_object_ref (req->msg);
  req->serving->paused++;
  soup_server_message_pause (req->msg);
}

static void va_http_serving_maybe_quit (VaHttpServing *serving);

void
va_http_request_unpause (VaHttpRequest *req)
{
  SoupServerMessage *msg = req->msg;
  VaHttpServing *serving = req->serving;

  /* a client that went away took the message's I/O with it, and so did
   * stopping the server (which closes the connections without always
   * finishing their messages first) */
  if (!req->finished && !serving->stopping)
    soup_server_message_unpause (msg);
  g_object_unref (msg);
  serving->paused--;
  va_http_serving_maybe_quit (serving);
}

/* ---- step 1: request-started ---------------------------------------------- */

/* libsoup answers a request it cannot parse itself (400, 501, …) without
 * calling the early handler; the answer still gets the security headers
 * and the error envelope. */
static void
va_http_server_got_headers (SoupServerMessage *msg, VaHttpRequest *req)
{
  guint status = soup_server_message_get_status (msg);
  g_autofree char *message = NULL;

  if (req->client != NULL || status < 400)
    return; /* the early handler ran */
  va_http_request_id_random (req->request_id);
  va_http_headers_apply (req);
  message = g_strdup_printf ("Malformed request: %s", soup_status_get_phrase (status));
  va_http_message_set_error (msg, status, status == 400 ? "INVALID_REQUEST" : "HTTP_ERROR", message,
                             N_ ("Send a well-formed HTTP/1.1 request"));
}

static void
va_http_server_request_started (SoupServer *soup, SoupServerMessage *msg, VaHttpServing *serving)
{
  VaHttpServer *self = serving->server;
  VaHttpRequest *req = g_new0 (VaHttpRequest, 1);

  req->server = self;
  req->serving = serving;
  req->msg = msg;
  req->start_us = g_get_monotonic_time ();
  req->cancellable = g_cancellable_new ();
  g_mutex_lock (&self->stats_lock);
  self->requests_in_flight++;
  serving->requests++;
  g_mutex_unlock (&self->stats_lock);
  g_object_set_data_full (G_OBJECT (msg), VA_HTTP_REQUEST_KEY, req,
                          (GDestroyNotify)va_http_request_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (va_http_server_got_headers), req);
}

/* ---- step 2: early checks ------------------------------------------------- */

static gboolean
va_http_server_check_rate (VaHttpServer *self, VaHttpRequest *req, VaHttpRateLimiter *limiter,
                           const char *bucket)
{
  guint retry_after = 1;
  g_autofree char *value = NULL;

  if (va_http_rate_limiter_take (limiter, bucket, req->start_us, &retry_after))
    return TRUE;
  value = g_strdup_printf ("%u", retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Retry-After",
                                value);
  va_http_respond_error (req, 429, "RATE_LIMITED", "Too many requests; slow down",
                         N_ ("Wait for the number of seconds in the Retry-After header"), NULL);
  return FALSE;
}

static void
va_http_server_got_chunk (SoupServerMessage *msg, GBytes *chunk, VaHttpRequest *req)
{
  gboolean over = req->body_bytes > VA_HTTP_MAX_JSON_BODY;

  req->body_bytes += g_bytes_get_size (chunk);
  /* over the limit: answer 413 now, without reading (or keeping) the rest */
  if (!over && req->body_bytes > VA_HTTP_MAX_JSON_BODY) {
    va_http_respond_error (req, 413, "PAYLOAD_TOO_LARGE", "Request body is too large",
                           N_ ("JSON request bodies are limited to 1 MiB"), NULL);
    va_http_connection_refused (msg);
  }
}

static gboolean
va_http_server_check_body (VaHttpServer *self, VaHttpRequest *req)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (req->msg);
  goffset length = soup_message_headers_get_content_length (in);
  SoupEncoding encoding = soup_message_headers_get_encoding (in);

  if (req->route->flags & VA_HTTP_ROUTE_UPLOAD)
    return TRUE;
  if (!(req->route->flags & VA_HTTP_ROUTE_JSON_BODY)) {
    /* routes without a body: whatever is sent is read and dropped */
    soup_message_body_set_accumulate (soup_server_message_get_request_body (req->msg), FALSE);
    return TRUE;
  }
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH && length > VA_HTTP_MAX_JSON_BODY) {
    va_http_respond_error (req, 413, "PAYLOAD_TOO_LARGE", "Request body is too large",
                           N_ ("JSON request bodies are limited to 1 MiB"), NULL);
    return FALSE;
  }
  g_signal_connect (req->msg, "got-chunk", G_CALLBACK (va_http_server_got_chunk), req);
  return TRUE;
}

static void
va_http_server_early_checks (SoupServer *soup, SoupServerMessage *msg, const char *path,
                             GHashTable *query, gpointer user_data)
{
  VaHttpServing *serving = user_data;
  VaHttpServer *self = serving->server;
  VaHttpRequest *req = va_http_request_get (msg);
  const char *method = soup_server_message_get_method (msg);
  const VaHttpRoute *routes;
  guint n_routes;
  g_autoptr (GString) allow = g_string_new (NULL);
  gboolean preflight;

  if (req == NULL)
    return;
  va_http_request_id_generate (msg, req->request_id);
  va_http_headers_apply (req);
  req->client
      = va_http_client_address (msg, va_settings_get_strv (self->settings, "trusted-proxies"));
  if (query != NULL)
    req->query = g_hash_table_ref (query);

  {
    /* the engine's security monitor: blocked after an alert rule fired */
    guint blocked = va_engine_client_blocked_for (self->engine, req->client);

    if (blocked > 0) {
      g_autofree char *value = g_strdup_printf ("%u", blocked);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    value);
      va_http_respond_error (req, 403, "CLIENT_BLOCKED",
                             "This address is temporarily blocked after a security alert",
                             N_ ("Wait for the number of seconds in the Retry-After header"), NULL);
      return;
    }
    va_engine_note_request (self->engine, req->client);
  }

  routes = va_http_server_get_routes (&n_routes);
  req->route = va_http_router_match (routes, n_routes, method, path, &req->params, allow);
  preflight = g_str_equal (method, "OPTIONS");
  if (va_http_cors_handle (self->cors, req, allow->len > 0 ? allow->str : NULL))
    return;
  if (req->route == NULL) {
    if (allow->len > 0 && !preflight) {
      g_autofree char *message = g_strdup_printf ("Method %s is not allowed on %s", method, path);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allow->str);
      va_http_respond_error (req, 405, "METHOD_NOT_ALLOWED", message, NULL, NULL);
    } else if (allow->len > 0) {
      /* OPTIONS without CORS preflight headers */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allow->str);
      va_http_respond_empty (req, 204);
    } else {
      g_autofree char *message = g_strdup_printf ("No route for %s", path);
      va_http_respond_error (req, 404, "NOT_FOUND", message,
                             N_ ("See GET /openapi.json for the list of routes"), NULL);
    }
    return;
  }
  if (!va_http_server_check_rate (self, req, self->client_limiter, req->client))
    return;
  if (!va_http_auth_check (self, req))
    return;
  if (req->key_id != NULL && !va_http_server_check_rate (self, req, self->key_limiter, req->key_id))
    return;
  if (req->route->flags & VA_HTTP_ROUTE_UPLOAD) {
    va_http_submit_begin (req);
    return;
  }
  if (!va_http_server_check_body (self, req))
    return;
}

/* A refused request's body is never kept, and a large one never read. */
static void
va_http_server_early_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                              GHashTable *query, gpointer user_data)
{
  va_http_server_early_checks (soup, msg, path, query, user_data);
  if (soup_server_message_get_status (msg) >= 400)
    va_http_connection_refused (msg);
}

/* ---- step 3: handler ------------------------------------------------------ */

static void
va_http_server_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer user_data)
{
  VaHttpRequest *req = va_http_request_get (msg);

  if (req == NULL || req->route == NULL) {
    va_http_message_set_error (msg, 500, "INTERNAL_SERVER_ERROR", "Request was not routed", NULL);
    return;
  }
  if ((req->route->flags & VA_HTTP_ROUTE_JSON_BODY) && req->body_bytes > VA_HTTP_MAX_JSON_BODY) {
    va_http_respond_error (req, 413, "PAYLOAD_TOO_LARGE", "Request body is too large",
                           N_ ("JSON request bodies are limited to 1 MiB"), NULL);
    return;
  }
  req->route->handler (req);
}

/* ---- step 4: access log + metrics ----------------------------------------- */

static void
va_http_server_request_done (VaHttpServing *serving, SoupServerMessage *msg, gboolean aborted)
{
  VaHttpServer *self = serving->server;
  VaHttpRequest *req = va_http_request_get (msg);
  guint status = soup_server_message_get_status (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gint64 duration_us;
  double duration_ms;

  if (req == NULL || req->finished)
    return;
  req->finished = TRUE;
  if (aborted)
    g_cancellable_cancel (req->cancellable);
  duration_us = g_get_monotonic_time () - req->start_us;
  duration_ms = duration_us / 1000.0;
  g_mutex_lock (&self->stats_lock);
  self->requests_in_flight--;
  self->requests_total++;
  self->response_time_sum_ms += duration_ms;
  self->responses_by_class[MIN (status / 100, 5)]++;
  g_mutex_unlock (&self->stats_lock);
  /* every other 401 (two keys, a key in the URL, a bad ticket or login
   * link) counts towards the client's failed-authentication rule too */
  if (status == 401 && req->client != NULL && !req->auth_failure_noted)
    va_engine_note_auth_failure (self->engine, req->client);
  if (req->client != NULL)
    va_http_access_log_write (self->log, req, status, body != NULL ? (guint64)body->length : 0,
                              duration_us);
}

static void
va_http_server_request_dropped (SoupServerMessage *msg, gpointer user_data)
{
  va_http_server_request_done (user_data, msg, TRUE);
}

static void
va_http_server_request_finished (SoupServer *soup, SoupServerMessage *msg, VaHttpServing *serving)
{
  va_http_server_request_done (serving, msg, FALSE);
}

static void
va_http_server_request_aborted (SoupServer *soup, SoupServerMessage *msg, VaHttpServing *serving)
{
  va_http_server_request_done (serving, msg, TRUE);
}

/* Buckets of clients that have been quiet are dropped once a minute. */
static gboolean
va_http_server_prune (gpointer user_data)
{
  VaHttpServer *self = user_data;
  gint64 now = g_get_monotonic_time ();

  va_http_rate_limiter_prune (self->client_limiter, now);
  va_http_rate_limiter_prune (self->key_limiter, now);
  return G_SOURCE_CONTINUE;
}

/* ---- metrics for /api/v1/system/metrics ------------------------------------ */

void
va_http_server_get_request_stats (VaHttpServer *self, guint64 *total, double *avg_ms,
                                  guint *in_flight, double *uptime_s)
{
  g_mutex_lock (&self->stats_lock);
  *total = self->requests_total;
  *avg_ms = self->requests_total > 0 ? self->response_time_sum_ms / self->requests_total : 0.0;
  *in_flight = self->requests_in_flight;
  g_mutex_unlock (&self->stats_lock);
  *uptime_s = (g_get_monotonic_time () - self->started_us) / 1e6;
}

guint64
va_http_server_get_responses_by_class (VaHttpServer *self, guint klass)
{
  guint64 n;

  g_mutex_lock (&self->stats_lock);
  n = self->responses_by_class[MIN (klass, 5)];
  g_mutex_unlock (&self->stats_lock);
  return n;
}

/**
 * va_http_server_get_n_serving:
 *
 * Returns: how many SoupServers answer the API: 1 (the main context's)
 *   plus one per serving thread; valid after va_http_server_start()
 */
guint
va_http_server_get_n_serving (VaHttpServer *self)
{
  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), 0);
  return self->serving->len;
}

/**
 * va_http_server_get_serving_requests:
 * @index: 0 for the main context's server, 1… for the serving threads
 *
 * Returns: the requests that server has received
 */
guint64
va_http_server_get_serving_requests (VaHttpServer *self, guint index)
{
  guint64 n;

  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), 0);
  g_return_val_if_fail (index < self->serving->len, 0);
  g_mutex_lock (&self->stats_lock);
  n = ((VaHttpServing *)self->serving->pdata[index])->requests;
  g_mutex_unlock (&self->stats_lock);
  return n;
}

/* ---- serving instances ------------------------------------------------------ */

/* Only after its thread has ended (or, for the main one, on the main
 * context). */
static void
va_http_serving_free (VaHttpServing *serving)
{
  g_clear_pointer (&serving->conns, va_http_connections_free);
  g_clear_object (&serving->soup);
  g_clear_object (&serving->socket);
  g_clear_pointer (&serving->streams, g_hash_table_unref);
  g_clear_pointer (&serving->loop, g_main_loop_unref);
  g_clear_pointer (&serving->context, g_main_context_unref);
  g_clear_error (&serving->listen_error);
  g_free (serving);
}

static VaHttpConnections *
va_http_server_new_connections (VaHttpServer *self, SoupServer *soup, GMainContext *context,
                                VaHttpServing *serving)
{
  VaHttpConnectionLimits limits = {
    .header_timeout = va_settings_get_uint (self->settings, "header-timeout"),
    .body_idle_timeout = va_settings_get_uint (self->settings, "body-idle-timeout"),
    .keepalive_timeout = va_settings_get_uint (self->settings, "keepalive-timeout"),
    .max_per_client = va_settings_get_uint (self->settings, "max-connections-per-client"),
  };

  return va_http_connections_new (soup, context, &limits, self->client_counts,
                                  serving != NULL ? va_http_server_request_dropped : NULL, serving);
}

static VaHttpServing *
va_http_serving_new (VaHttpServer *self, GMainContext *context)
{
  VaHttpServing *serving = g_new0 (VaHttpServing, 1);

  serving->server = self;
  serving->context = g_main_context_ref (context);
  serving->streams = g_hash_table_new (NULL, NULL);
  serving->soup = soup_server_new ("server-header", "videoannotator/" PACKAGE_VERSION, NULL);
  g_signal_connect (serving->soup, "request-started", G_CALLBACK (va_http_server_request_started),
                    serving);
  g_signal_connect (serving->soup, "request-finished", G_CALLBACK (va_http_server_request_finished),
                    serving);
  g_signal_connect (serving->soup, "request-aborted", G_CALLBACK (va_http_server_request_aborted),
                    serving);
  soup_server_add_early_handler (serving->soup, NULL, va_http_server_early_handler, serving, NULL);
  soup_server_add_handler (serving->soup, NULL, va_http_server_handler, serving, NULL);
  serving->conns = va_http_server_new_connections (self, serving->soup, context, serving);
  return serving;
}

/* A serving thread's loop ends once it was told to stop and no request
 * waits for a callback on its context any more (the engine answers even
 * a request whose client went away; leaving it would leak it). */
static void
va_http_serving_maybe_quit (VaHttpServing *serving)
{
  if (serving->stopping && serving->paused == 0 && serving->loop != NULL)
    g_main_loop_quit (serving->loop);
}

/* On the serving thread: stop listening, end long-lived responses and
 * close the connections (libsoup aborts what is in progress). */
static gboolean
va_http_serving_stop_cb (gpointer user_data)
{
  VaHttpServing *serving = user_data;

  serving->stopping = TRUE;
  va_http_serving_close_streams (serving);
  va_http_connections_stop (serving->conns);
  soup_server_disconnect (serving->soup);
  va_http_serving_maybe_quit (serving);
  return G_SOURCE_REMOVE;
}

/* The longest a serving thread waits, when stopping, for the callbacks of
 * the requests it paused (engine reads and writes take milliseconds). */
#define VA_HTTP_SERVING_DRAIN_MS 5000

static gboolean
va_http_serving_drain_timeout_cb (gpointer user_data)
{
  VaHttpServing *serving = user_data;

  g_warning ("HTTP serving thread stopped with %u requests still waiting", serving->paused);
  g_main_loop_quit (serving->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
va_http_serving_thread (gpointer user_data)
{
  VaHttpServing *serving = user_data;
  VaHttpServer *self = serving->server;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (serving->context);
  /* the listener attaches its source to the thread-default context */
  ok = va_http_connections_listen (serving->conns, serving->socket, &error);
  g_mutex_lock (&self->start_lock);
  serving->listening = ok;
  if (!ok)
    serving->listen_error = g_steal_pointer (&error);
  g_cond_broadcast (&self->start_cond);
  g_mutex_unlock (&self->start_lock);

  if (ok) {
    g_autoptr (GSource) timeout = NULL;

    g_main_loop_run (serving->loop);
    /* stopped: nothing of this server may outlive the thread */
    timeout = g_timeout_source_new (VA_HTTP_SERVING_DRAIN_MS);
    g_source_set_callback (timeout, va_http_serving_drain_timeout_cb, serving, NULL);
    g_source_attach (timeout, serving->context);
    if (serving->paused > 0)
      g_main_loop_run (serving->loop);
    g_source_destroy (timeout);
  }
  g_clear_pointer (&serving->conns, va_http_connections_free);
  g_clear_object (&serving->soup);
  while (g_main_context_iteration (serving->context, FALSE))
    ;
  g_main_context_pop_thread_default (serving->context);
  g_atomic_int_set (&serving->ended, TRUE);
  g_main_context_wakeup (self->context);
  return NULL;
}

/* libsoup listens with GSocket's default backlog of 10: with more clients
 * connecting at once than that, the kernel drops their SYNs and they retry
 * only a second later (seen as 1–3 s p99 with 64 connections). */
#define VA_HTTP_LISTEN_BACKLOG 511

/* A listening TCP socket, with SO_REUSEPORT when each serving thread is to
 * have one on the same port. */
static GSocket *
va_http_listen_socket (GSocketAddress *address, gboolean reuseport, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  GSocketFamily family = g_socket_address_get_family (address);

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  if (family == G_SOCKET_FAMILY_IPV6
      && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, VA_HTTP_LISTEN_BACKLOG);
  if (!reuseport) {
    if (!g_socket_bind (socket, address, TRUE, error))
      return NULL;
  } else {
    /* g_socket_bind() turns SO_REUSEPORT off on TCP sockets: bind(2) */
    struct sockaddr_storage native;
    gssize len = g_socket_address_get_native_size (address);

    if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, TRUE, error)
        || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, TRUE, error)
        || !g_socket_address_to_native (address, &native, sizeof native, error))
      return NULL;
    if (bind (g_socket_get_fd (socket), (struct sockaddr *)&native, (socklen_t)len) != 0) {
      int saved = errno;
      g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Error binding to address %s: %s"), where, g_strerror (saved));
      return NULL;
    }
  }
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static VaHttpConnections *
va_http_server_main_conns (VaHttpServer *self)
{
  return ((VaHttpServing *)self->serving->pdata[0])->conns;
}

/* Binds one socket per SoupServer on @address: with serving threads,
 * SO_REUSEPORT sockets. Their first bind is made without SO_REUSEPORT:
 * sockets that share a port must all set it, so this fails, as a single
 * server would, when another process (even another videoannotator with
 * serving threads) has the port. */
static gboolean
va_http_server_listen_sockets (VaHttpServer *self, GInetAddress *inet, guint port, GError **error)
{
  g_autoptr (GSocketAddress) probe_address = g_inet_socket_address_new (inet, port);
  g_autoptr (GSocket) probe = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) main_socket = NULL;

  if (self->serving->len == 1) {
    main_socket = va_http_listen_socket (probe_address, FALSE, error);
    return main_socket != NULL
           && va_http_connections_listen (va_http_server_main_conns (self), main_socket, error);
  }
  probe = g_socket_new (g_socket_address_get_family (probe_address), G_SOCKET_TYPE_STREAM,
                        G_SOCKET_PROTOCOL_DEFAULT, error);
  if (probe == NULL || !g_socket_bind (probe, probe_address, TRUE, error))
    return FALSE;
  bound = g_socket_get_local_address (probe, error);
  if (bound == NULL)
    return FALSE;
  /* the port is free (or was 0 and is now chosen): release it for the
   * shared sockets */
  g_socket_close (probe, NULL);

  main_socket = va_http_listen_socket (bound, TRUE, error);
  if (main_socket == NULL)
    return FALSE;
  for (guint i = 1; i < self->serving->len; i++) {
    VaHttpServing *serving = self->serving->pdata[i];

    serving->socket = va_http_listen_socket (bound, TRUE, error);
    if (serving->socket == NULL)
      return FALSE;
  }
  return va_http_connections_listen (va_http_server_main_conns (self), main_socket, error);
}

/* The `http-threads` setting: 0 means one SoupServer per processor. At
 * most this many in all. */
#define VA_HTTP_MAX_SERVING 64

static guint
va_http_server_n_serving (VaHttpServer *self)
{
  guint n = va_settings_get_uint (self->settings, "http-threads");

  if (n == 0)
    n = (guint)g_get_num_processors ();
  return CLAMP (n, 1, VA_HTTP_MAX_SERVING);
}

static gboolean
va_http_server_start_threads (VaHttpServer *self, GError **error)
{
  for (guint i = 1; i < self->serving->len; i++) {
    VaHttpServing *serving = self->serving->pdata[i];
    g_autofree char *name = g_strdup_printf ("va-http-%u", i);

    serving->loop = g_main_loop_new (serving->context, FALSE);
    serving->thread = g_thread_new (name, va_http_serving_thread, serving);
  }
  g_mutex_lock (&self->start_lock);
  for (guint i = 1; i < self->serving->len; i++) {
    VaHttpServing *serving = self->serving->pdata[i];

    while (!serving->listening && serving->listen_error == NULL)
      g_cond_wait (&self->start_cond, &self->start_lock);
    if (serving->listen_error != NULL && error != NULL && *error == NULL)
      g_propagate_prefixed_error (error, g_steal_pointer (&serving->listen_error),
                                  _ ("Cannot start HTTP serving thread %u: "), i);
  }
  g_mutex_unlock (&self->start_lock);
  return error == NULL || *error == NULL;
}

/* The main context keeps running while the threads stop: a request they
 * still answer may wait for an engine operation's main-context part. */
static void
va_http_server_stop_threads (VaHttpServer *self)
{
  gboolean iterate = g_main_context_acquire (self->context);

  for (guint i = 1; i < self->serving->len; i++) {
    VaHttpServing *serving = self->serving->pdata[i];

    if (serving->thread == NULL || serving->stop_requested)
      continue;
    serving->stop_requested = TRUE;
    g_main_context_invoke_full (serving->context, G_PRIORITY_DEFAULT, va_http_serving_stop_cb,
                                serving, NULL);
  }
  for (guint i = 1; i < self->serving->len; i++) {
    VaHttpServing *serving = self->serving->pdata[i];

    if (serving->thread == NULL)
      continue;
    while (iterate && !g_atomic_int_get (&serving->ended))
      g_main_context_iteration (self->context, TRUE);
    /* (a stop nested in that iteration may have joined it already) */
    if (serving->thread != NULL)
      g_thread_join (g_steal_pointer (&serving->thread));
  }
  if (iterate)
    g_main_context_release (self->context);
}

/* ---- object ----------------------------------------------------------------- */

static void
va_http_server_dispose (GObject *object)
{
  VaHttpServer *self = VA_HTTP_SERVER (object);

  va_http_server_stop (self);
  if (self->serving != NULL)
    g_ptr_array_set_size (self->serving, 0);
  self->soup = NULL;
  g_clear_pointer (&self->redirect_conns, va_http_connections_free);
  g_clear_object (&self->redirect);
  g_clear_object (&self->settings);
  /* closing the connections above may have logged aborted requests */
  va_http_server_flush_log (self);
  g_clear_object (&self->log);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (va_http_server_parent_class)->dispose (object);
}

static void
va_http_server_finalize (GObject *object)
{
  VaHttpServer *self = VA_HTTP_SERVER (object);

  g_clear_pointer (&self->cors, va_http_cors_free);
  g_clear_pointer (&self->serving, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->stats_lock);
  g_mutex_clear (&self->start_lock);
  g_cond_clear (&self->start_cond);
  g_clear_pointer (&self->client_limiter, va_http_rate_limiter_free);
  g_clear_pointer (&self->key_limiter, va_http_rate_limiter_free);
  g_clear_object (&self->media_tickets);
  g_clear_pointer (&self->client_counts, va_http_client_counts_free);
  G_OBJECT_CLASS (va_http_server_parent_class)->finalize (object);
}

static void
va_http_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaHttpServer *self = VA_HTTP_SERVER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    g_value_set_object (value, self->engine);
    break;
  case PROP_DEV:
    g_value_set_boolean (value, self->dev);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_http_server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaHttpServer *self = VA_HTTP_SERVER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    self->engine = g_value_dup_object (value);
    break;
  case PROP_DEV:
    self->dev = g_value_get_boolean (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_http_server_class_init (VaHttpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_http_server_dispose;
  object_class->finalize = va_http_server_finalize;
  object_class->get_property = va_http_server_get_property;
  object_class->set_property = va_http_server_set_property;

  properties[PROP_ENGINE]
      = g_param_spec_object ("engine", NULL, NULL, VA_TYPE_ENGINE,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEV]
      = g_param_spec_boolean ("dev", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS
                                  | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_http_server_init (VaHttpServer *self)
{
  self->listen_port = -1;
  self->redirect_listen_port = -2;
  self->heartbeat_interval = 30;
  self->media_tickets = va_media_tickets_new ();
  self->client_counts = va_http_client_counts_new ();
  self->context = g_main_context_ref_thread_default ();
  self->serving = g_ptr_array_new_with_free_func ((GDestroyNotify)va_http_serving_free);
  g_mutex_init (&self->stats_lock);
  g_mutex_init (&self->start_lock);
  g_cond_init (&self->start_cond);
}

/**
 * va_http_server_set_listen_port:
 * @port: the port to bind instead of the `port` setting; 0 picks a free one
 *   (tests), -1 goes back to the setting
 */
void
va_http_server_set_listen_port (VaHttpServer *self, int port)
{
  g_return_if_fail (VA_IS_HTTP_SERVER (self));
  g_return_if_fail (port >= -1 && port <= 65535);
  self->listen_port = port;
}

/* Native TLS: with a certificate configured the API speaks HTTPS only, TLS
 * 1.2 or later (the handshake is ours: va-http-connection.c). */
static gboolean
va_http_server_setup_tls (VaHttpServer *self, GError **error)
{
  const char *cert_file = va_settings_get_string (self->settings, "tls-certificate");
  const char *key_file = va_settings_get_string (self->settings, "tls-private-key");
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GError) local = NULL;

  if (*cert_file == '\0' && *key_file == '\0')
    return TRUE;
  if (*cert_file == '\0') {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("tls-private-key is set but tls-certificate is not"));
    return FALSE;
  }
  va_http_connection_require_modern_tls ();
  if (*key_file != '\0')
    cert = g_tls_certificate_new_from_files (cert_file, key_file, &local);
  else
    cert = g_tls_certificate_new_from_file (cert_file, &local);
  if (cert == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("Cannot load the TLS certificate %s%s%s: %s"), cert_file,
                 *key_file != '\0' ? _ (" with key ") : "", key_file, local->message);
    return FALSE;
  }
  for (guint i = 0; i < self->serving->len; i++)
    va_http_connections_set_tls (((VaHttpServing *)self->serving->pdata[i])->conns, cert);
  self->tls = TRUE;
  return TRUE;
}

/* The plain port of a TLS server only redirects, so links and bookmarks
 * with http:// keep working without ever carrying a key in clear. */
static void
va_http_server_redirect_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                                 GHashTable *query, gpointer user_data)
{
  VaHttpServer *self = VA_HTTP_SERVER (user_data);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (GUri) target = NULL;
  g_autofree char *location = NULL;

  target = g_uri_build (G_URI_FLAGS_NONE, "https", NULL, g_uri_get_host (uri), (int)self->port,
                        g_uri_get_path (uri), g_uri_get_query (uri), NULL);
  location = g_uri_to_string (target);
  soup_server_message_set_redirect (msg, 301, location);
}

/**
 * va_http_server_set_redirect_port:
 * @port: plain-HTTP port that redirects to the HTTPS one; 0 picks a free
 *   one, -1 for none. Only used when TLS is on. By default the
 *   `tls-redirect-port` setting decides (0 there means none).
 */
void
va_http_server_set_redirect_port (VaHttpServer *self, int port)
{
  g_return_if_fail (VA_IS_HTTP_SERVER (self));
  g_return_if_fail (port >= -1 && port <= 65535);
  self->redirect_listen_port = port;
}

/**
 * va_http_server_new:
 * @engine: the engine every route talks to (its settings are used)
 * @dev: development mode (allows the CORS wildcard)
 * @log: (nullable): the process's log, for the access log records; %NULL
 *   makes one from @settings
 *
 * Checks the network settings (CORS list, TLS files) and prepares the
 * server; va_http_server_start() binds it.
 */
VaHttpServer *
va_http_server_new (VaEngine *engine, gboolean dev, VaLog *log, GError **error)
{
  g_autoptr (VaHttpServer) self = NULL;
  VaSettings *settings;
  double rate, burst;
  guint n_serving;

  g_return_val_if_fail (VA_IS_ENGINE (engine), NULL);

  self = g_object_new (VA_TYPE_HTTP_SERVER, "engine", engine, "dev", dev, NULL);
  settings = va_engine_get_settings (engine);
  self->settings = g_object_ref (settings);
  self->registry = va_pipeline_registry_new ();
  va_pipeline_registry_set_models_dir (self->registry,
                                       va_settings_get_string (settings, "models-dir"));
  self->pipelines = va_pipeline_registry_list (self->registry);
  self->cors = va_http_cors_new (va_settings_get_strv (settings, "cors-origins"), dev, error);
  if (self->cors == NULL)
    return NULL;
  rate = va_settings_get_uint (settings, "rate-limit");
  burst = va_settings_get_uint (settings, "rate-limit-burst");
  self->client_limiter = va_http_rate_limiter_new (rate, burst);
  self->key_limiter = va_http_rate_limiter_new (rate, burst);

  self->log = log != NULL ? g_object_ref (log) : va_log_new (settings, 0, error);
  if (self->log == NULL)
    return NULL;
  va_log_set_buffered (self->log, "api_requests", VA_HTTP_ACCESS_LOG_FLUSH_MS);

  n_serving = va_http_server_n_serving (self);
  g_ptr_array_add (self->serving, va_http_serving_new (self, self->context));
  self->soup = ((VaHttpServing *)self->serving->pdata[0])->soup;
  for (guint i = 1; i < n_serving; i++) {
    g_autoptr (GMainContext) context = g_main_context_new ();
    g_ptr_array_add (self->serving, va_http_serving_new (self, context));
  }
  if (!va_http_server_setup_tls (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Listens on @address:@port: the API's sockets, or with @redirect the
 * plain port that redirects to HTTPS. */
static gboolean
va_http_server_listen (VaHttpServer *self, VaHttpConnections *redirect, const char *address,
                       guint port, GError **error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocket) socket = NULL;

  /* the settings accept "localhost"; bind the loopback, never a lookup */
  if (g_str_equal (address, "localhost"))
    address = "127.0.0.1";
  inet = g_inet_address_new_from_string (address);

  if (inet == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("bind-address “%s” is not an IP address"), address);
    return FALSE;
  }
  sockaddr = g_inet_socket_address_new (inet, port);
  if (redirect == NULL ? !va_http_server_listen_sockets (self, inet, port, error)
                       : ((socket = va_http_listen_socket (sockaddr, FALSE, error)) == NULL
                          || !va_http_connections_listen (redirect, socket, error))) {
    g_prefix_error (error, _ ("Cannot listen on %s port %u: "), address, port);
    va_error_convert (error);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_http_server_start:
 *
 * Binds bind-address:port (port 0 picks a free port, see
 * va_http_server_get_port()).
 */
gboolean
va_http_server_start (VaHttpServer *self, GError **error)
{
  const char *address = va_settings_get_string (self->settings, "bind-address");
  int port
      = self->listen_port >= 0 ? self->listen_port : va_settings_get_int (self->settings, "port");
  int redirect_port = self->redirect_listen_port;

  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), FALSE);

  ((VaHttpServing *)self->serving->pdata[0])->stopping = FALSE;
  if (!va_http_server_listen (self, NULL, address, (guint)MAX (port, 0), error))
    return FALSE;
  if (!va_http_server_start_threads (self, error)) {
    va_http_server_stop (self);
    return FALSE;
  }
  self->port = va_http_connections_get_port (va_http_server_main_conns (self));
  if (redirect_port == -2) {
    int setting = va_settings_get_int (self->settings, "tls-redirect-port");
    redirect_port = setting > 0 ? setting : -1;
  }
  if (self->tls && redirect_port >= 0) {
    self->redirect = soup_server_new ("server-header", "videoannotator/" PACKAGE_VERSION, NULL);
    soup_server_add_handler (self->redirect, NULL, va_http_server_redirect_handler, self, NULL);
    self->redirect_conns
        = va_http_server_new_connections (self, self->redirect, self->context, NULL);
    if (!va_http_server_listen (self, self->redirect_conns, address, (guint)redirect_port, error)) {
      va_http_server_stop (self);
      return FALSE;
    }
    self->redirect_port = va_http_connections_get_port (self->redirect_conns);
  }
  self->started_us = g_get_monotonic_time ();
  self->prune_source = g_timeout_add_seconds (60, va_http_server_prune, self);
  return TRUE;
}

/**
 * va_http_server_flush_log:
 *
 * Writes the access log lines still buffered (see
 * %VA_HTTP_ACCESS_LOG_FLUSH_MS); va_http_server_stop() does it too.
 */
void
va_http_server_flush_log (VaHttpServer *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VA_IS_HTTP_SERVER (self));
  if (self->log != NULL && !va_log_flush (self->log, &error))
    g_warning ("Cannot write the access log: %s", error->message);
}

void
va_http_server_stop (VaHttpServer *self)
{
  g_return_if_fail (VA_IS_HTTP_SERVER (self));
  g_clear_handle_id (&self->prune_source, g_source_remove);
  if (self->serving->len > 0) {
    VaHttpServing *main_serving = self->serving->pdata[0];

    main_serving->stopping = TRUE;
    va_http_serving_close_streams (main_serving);
    va_http_connections_stop (main_serving->conns);
  }
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  va_http_server_stop_threads (self);
  if (self->redirect_conns != NULL)
    va_http_connections_stop (self->redirect_conns);
  if (self->redirect != NULL)
    soup_server_disconnect (self->redirect);
  va_http_server_flush_log (self);
}

guint
va_http_server_get_port (VaHttpServer *self)
{
  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), 0);
  return self->port;
}

guint
va_http_server_get_redirect_port (VaHttpServer *self)
{
  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), 0);
  return self->redirect_port;
}

char *
va_http_server_get_base_uri (VaHttpServer *self)
{
  const char *address = va_settings_get_string (self->settings, "bind-address");
  gboolean v6;

  if (g_str_equal (address, "localhost") || g_str_equal (address, "0.0.0.0"))
    address = "127.0.0.1";
  else if (g_str_equal (address, "::"))
    address = "::1";
  v6 = strchr (address, ':') != NULL;

  g_return_val_if_fail (VA_IS_HTTP_SERVER (self), NULL);
  return g_strdup_printf ("%s://%s%s%s:%u", self->tls ? "https" : "http", v6 ? "[" : "", address,
                          v6 ? "]" : "", self->port);
}
