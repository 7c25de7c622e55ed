/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-engine-auth.h"
#include "va-http-private.h"

/* GET /api/v1/events/stream: Server-Sent Events. Each subscriber gets the
 * engine's job signals as `job.update` (with progress), `job.completed`
 * and `job.complete`, `job.failed` and `job.error`, `job.cancelled` and
 * `job.deleted` events, and as unnamed `job_status_changed` ones, only for the jobs
 * its caller may see (its own; all for admin), plus a `heartbeat` every
 * interval so proxies keep the connection open. Every event has `event:`,
 * `id:` (increasing per stream) and `data:` (one JSON object) lines.
 *
 * The engine emits its signals on the main context, while the stream may
 * be answered by a serving thread: the subscriber connects to and
 * disconnects from the signals on the main context only (so no handler
 * can run while another thread frees it), turns each event into its JSON
 * text there, and hands the text to the stream's own context. */

typedef struct {
  gatomicrefcount ref;
  /* the stream's context: */
  VaHttpServing *serving;
  GMainContext *context;
  SoupServerMessage *msg;
  guint64 next_id;
  GSource *heartbeat;
  gulong finished_id;
  gboolean closed;
  /* the main context (set before the subscription, then read-only): */
  GMainContext *main_context;
  VaEngine *engine;
  VaCaller *caller;
  gulong handlers[5];
} VaHttpSubscriber;

static VaHttpSubscriber *
va_http_subscriber_ref (VaHttpSubscriber *sub)
{
  g_atomic_ref_count_inc (&sub->ref);
  return sub;
}

static void
va_http_subscriber_unref (VaHttpSubscriber *sub)
{
  if (!g_atomic_ref_count_dec (&sub->ref))
    return;
  g_clear_object (&sub->caller);
  g_clear_object (&sub->engine);
  g_main_context_unref (sub->main_context);
  g_main_context_unref (sub->context);
  g_free (sub);
}

/* ---- on the main context ---- */

static void va_http_subscriber_send_text (VaHttpSubscriber *sub, const char *event, char *json);

typedef struct {
  VaHttpSubscriber *sub;
  const char *event; /* static */
  char *json;
} VaHttpEvent;

static void
va_http_event_free (VaHttpEvent *e)
{
  va_http_subscriber_unref (e->sub);
  g_free (e->json);
  g_free (e);
}

static gboolean
va_http_event_deliver_cb (gpointer user_data)
{
  VaHttpEvent *e = user_data;

  va_http_subscriber_send_text (e->sub, e->event, g_steal_pointer (&e->json));
  return G_SOURCE_REMOVE;
}

/* Takes @data; the stream's context writes it. */
static void
va_http_subscriber_post (VaHttpSubscriber *sub, const char *event, JsonObject *data)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), data);
  VaHttpEvent *e = g_new0 (VaHttpEvent, 1);
  g_autoptr (GSource) source = g_idle_source_new ();

  e->sub = va_http_subscriber_ref (sub);
  e->event = event;
  e->json = json_to_string (node, FALSE);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, va_http_event_deliver_cb, e, (GDestroyNotify)va_http_event_free);
  g_source_set_static_name (source, "[videoannotator] SSE event");
  g_source_attach (source, sub->context);
}

static JsonObject *
va_http_event_base (const char *type)
{
  JsonObject *o = json_object_new ();
  g_autofree char *now = va_http_timestamp_now ();

  json_object_set_string_member (o, "type", type);
  json_object_set_string_member (o, "timestamp", now);
  return o;
}

static void
va_http_subscriber_job_event (VaHttpSubscriber *sub, const char *type, VaJob *job, double progress)
{
  g_autoptr (JsonObject) o = NULL;

  if (!va_engine_caller_may_see_job (sub->engine, sub->caller, job))
    return;
  o = va_http_event_base (type);
  json_object_set_string_member (o, "job_id", va_job_get_id (job));
  json_object_set_string_member (o, "status", va_job_status_to_string (va_job_get_status (job)));
  json_object_set_double_member (o, "progress", progress);
  if (va_job_get_error_message (job) != NULL)
    json_object_set_string_member (o, "error_message", va_job_get_error_message (job));
  va_http_subscriber_post (sub, type, o);
}

/* The 1.6 service's event: no `event:` line (EventSource's onmessage
 * gets it), `type` in the data. */
static void
va_http_subscriber_status_changed (VaHttpSubscriber *sub, VaJob *job, double progress)
{
  g_autoptr (JsonObject) o = NULL;

  if (!va_engine_caller_may_see_job (sub->engine, sub->caller, job))
    return;
  o = va_http_event_base ("job_status_changed");
  json_object_set_string_member (o, "job_id", va_job_get_id (job));
  json_object_set_null_member (o, "batch_id");
  json_object_set_string_member (o, "status", va_job_status_to_string (va_job_get_status (job)));
  json_object_set_double_member (o, "progress_percentage", progress);
  va_http_subscriber_post (sub, NULL, o);
}

static void
on_job_updated (VaEngine *engine, VaJob *job, double progress, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.update", job, progress);
  va_http_subscriber_status_changed (sub, job, progress);
}

/* Each end is sent under this server's name (job.completed, job.failed)
 * and under the one the 1.4/1.5 web viewer listens for (job.complete,
 * job.error). */
static void
on_job_completed (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  /* percent, like job.update and the job object */
  va_http_subscriber_job_event (sub, "job.completed", job, 100.0);
  va_http_subscriber_job_event (sub, "job.complete", job, 100.0);
  va_http_subscriber_status_changed (sub, job, 100.0);
}

static void
on_job_failed (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.failed", job, va_job_get_progress (job));
  va_http_subscriber_job_event (sub, "job.error", job, va_job_get_progress (job));
  va_http_subscriber_status_changed (sub, job, va_job_get_progress (job));
}

static void
on_job_cancelled (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.cancelled", job, va_job_get_progress (job));
  va_http_subscriber_status_changed (sub, job, va_job_get_progress (job));
}

/* The job no longer exists: its id is all there is to say. */
static void
on_job_deleted (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  g_autoptr (JsonObject) o = NULL;

  if (!va_engine_caller_may_see_job (sub->engine, sub->caller, job))
    return;
  o = va_http_event_base ("job.deleted");
  json_object_set_string_member (o, "job_id", va_job_get_id (job));
  va_http_subscriber_post (sub, "job.deleted", o);
}

static gboolean
va_http_subscriber_subscribe_cb (gpointer user_data)
{
  VaHttpSubscriber *sub = user_data;

  sub->handlers[0]
      = g_signal_connect (sub->engine, "job-updated", G_CALLBACK (on_job_updated), sub);
  sub->handlers[1]
      = g_signal_connect (sub->engine, "job-completed", G_CALLBACK (on_job_completed), sub);
  sub->handlers[2] = g_signal_connect (sub->engine, "job-failed", G_CALLBACK (on_job_failed), sub);
  sub->handlers[3]
      = g_signal_connect (sub->engine, "job-cancelled", G_CALLBACK (on_job_cancelled), sub);
  sub->handlers[4]
      = g_signal_connect (sub->engine, "job-deleted", G_CALLBACK (on_job_deleted), sub);
  return G_SOURCE_REMOVE;
}

/* Runs after the subscription (both are queued on the main context in
 * that order, or run at once there). */
static gboolean
va_http_subscriber_unsubscribe_cb (gpointer user_data)
{
  VaHttpSubscriber *sub = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (sub->handlers); i++)
    g_clear_signal_handler (&sub->handlers[i], sub->engine);
  return G_SOURCE_REMOVE;
}

static void
va_http_subscriber_invoke_main (VaHttpSubscriber *sub, GSourceFunc func)
{
  g_main_context_invoke_full (sub->main_context, G_PRIORITY_DEFAULT, func,
                              va_http_subscriber_ref (sub),
                              (GDestroyNotify)va_http_subscriber_unref);
}

/* ---- on the stream's context ---- */

/* Takes @json. */
static void
va_http_subscriber_send_text (VaHttpSubscriber *sub, const char *event, char *json)
{
  char *text;

  if (sub->closed) {
    g_free (json);
    return;
  }
  /* json_to_string never emits raw newlines, so one data: line suffices;
   * an event without a name is EventSource's default "message" */
  if (event != NULL)
    text = g_strdup_printf ("event: %s\nid: %" G_GUINT64_FORMAT "\ndata: %s\n\n", event,
                            ++sub->next_id, json);
  else
    text = g_strdup_printf ("id: %" G_GUINT64_FORMAT "\ndata: %s\n\n", ++sub->next_id, json);
  g_free (json);
  soup_message_body_append_take (soup_server_message_get_response_body (sub->msg), (guchar *)text,
                                 strlen (text));
  soup_server_message_unpause (sub->msg);
}

static void
va_http_subscriber_send (VaHttpSubscriber *sub, const char *event, JsonObject *data)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), data);

  va_http_subscriber_send_text (sub, event, json_to_string (node, FALSE));
}

static gboolean
va_http_subscriber_heartbeat (gpointer user_data)
{
  VaHttpSubscriber *sub = user_data;
  g_autoptr (JsonObject) o = va_http_event_base ("heartbeat");

  json_object_set_string_member (o, "message", "Server is alive");
  va_http_subscriber_send (sub, "heartbeat", o);
  return G_SOURCE_CONTINUE;
}

/* The stream ended (client gone, or the server stopping): no more events
 * are written, the main context drops the subscription. */
static void
va_http_subscriber_close (VaHttpSubscriber *sub)
{
  if (sub->closed)
    return;
  sub->closed = TRUE;
  g_clear_signal_handler (&sub->finished_id, sub->msg);
  if (sub->heartbeat != NULL) {
    g_source_destroy (sub->heartbeat);
    g_clear_pointer (&sub->heartbeat, g_source_unref);
  }
  g_clear_object (&sub->msg);
  va_http_subscriber_invoke_main (sub, va_http_subscriber_unsubscribe_cb);
  va_http_subscriber_unref (sub);
}

static void
va_http_subscriber_finished (SoupServerMessage *msg, VaHttpSubscriber *sub)
{
  va_http_serving_untrack_stream (sub->serving, sub);
  va_http_subscriber_close (sub);
}

void
va_http_events_stream (VaHttpRequest *req)
{
  VaHttpSubscriber *sub = g_new0 (VaHttpSubscriber, 1);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
  g_autoptr (JsonObject) hello = va_http_event_base ("connected");

  g_atomic_ref_count_init (&sub->ref);
  sub->serving = req->serving;
  sub->context = g_main_context_ref (va_http_serving_get_context (req->serving));
  sub->main_context = g_main_context_ref (va_http_server_get_main_context (req->server));
  sub->msg = g_object_ref (req->msg);
  sub->engine = g_object_ref (va_http_server_get_engine (req->server));
  sub->caller = req->caller != NULL ? g_object_ref (req->caller) : va_caller_new_anonymous ();

  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_set_content_type (h, "text/event-stream", NULL);
  soup_message_headers_replace (h, "Cache-Control", "no-cache, no-store");
  /* tells nginx not to buffer the stream */
  soup_message_headers_replace (h, "X-Accel-Buffering", "no");
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (req->msg), FALSE);

  sub->finished_id
      = g_signal_connect (req->msg, "finished", G_CALLBACK (va_http_subscriber_finished), sub);
  /* the stream's reference: dropped by va_http_subscriber_close() */
  va_http_serving_track_stream (req->serving, sub, (GDestroyNotify)va_http_subscriber_close);
  va_http_subscriber_invoke_main (sub, va_http_subscriber_subscribe_cb);
  sub->heartbeat
      = g_timeout_source_new_seconds (va_http_server_get_heartbeat_interval (req->server));
  g_source_set_callback (sub->heartbeat, va_http_subscriber_heartbeat, sub, NULL);
  g_source_set_static_name (sub->heartbeat, "[videoannotator] SSE heartbeat");
  g_source_attach (sub->heartbeat, sub->context);

  {
    /* reconnect hint for EventSource clients, then the greeting */
    const char *retry = "retry: 5000\n\n";
    soup_message_body_append (soup_server_message_get_response_body (req->msg), SOUP_MEMORY_STATIC,
                              retry, strlen (retry));
  }
  va_http_subscriber_send (sub, "connected", hello);
}
