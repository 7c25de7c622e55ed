/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-http-private.h"

/* GET /api/v1/events/stream: Server-Sent Events. Each subscriber gets the
 * engine's job signals as `job.update` (with progress), `job.completed`,
 * `job.failed`, `job.cancelled` and `job.deleted` events, only for the jobs
 * its caller may see (its own; all for admin), plus a `heartbeat` every
 * interval so proxies keep the connection open. Every event has `event:`,
 * `id:` (increasing per stream) and `data:` (one JSON object) lines. */

typedef struct {
  VaHttpServer *server;
  SoupServerMessage *msg;
  VaEngine *engine;
  VaCaller *caller;
  guint64 next_id;
  guint heartbeat_source;
  gulong handlers[5];
  gulong finished_id;
} VaHttpSubscriber;

static void
va_http_subscriber_free (VaHttpSubscriber *sub)
{
  for (guint i = 0; i < G_N_ELEMENTS (sub->handlers); i++)
    g_clear_signal_handler (&sub->handlers[i], sub->engine);
  g_clear_signal_handler (&sub->finished_id, sub->msg);
  g_clear_handle_id (&sub->heartbeat_source, g_source_remove);
  g_clear_object (&sub->caller);
  g_clear_object (&sub->engine);
  g_object_unref (sub->msg);
  g_free (sub);
}

static void
va_http_subscriber_send (VaHttpSubscriber *sub, const char *event, JsonObject *data)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), data);
  g_autofree char *json = json_to_string (node, FALSE);
  char *text;

  /* json_to_string never emits raw newlines, so one data: line suffices */
  text = g_strdup_printf ("event: %s\nid: %" G_GUINT64_FORMAT "\ndata: %s\n\n", event,
                          ++sub->next_id, json);
  soup_message_body_append_take (soup_server_message_get_response_body (sub->msg), (guchar *)text,
                                 strlen (text));
  soup_server_message_unpause (sub->msg);
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

static gboolean
va_http_subscriber_may_see (VaHttpSubscriber *sub, VaJob *job)
{
  if (va_caller_is_admin (sub->caller))
    return TRUE;
  return g_strcmp0 (va_job_get_user_id (job), va_caller_get_user_id (sub->caller)) == 0;
}

static void
va_http_subscriber_job_event (VaHttpSubscriber *sub, const char *type, VaJob *job, double progress)
{
  g_autoptr (JsonObject) o = NULL;

  if (!va_http_subscriber_may_see (sub, job))
    return;
  o = va_http_event_base (type);
  json_object_set_string_member (o, "job_id", va_job_get_id (job));
  json_object_set_string_member (o, "status", va_job_status_to_string (va_job_get_status (job)));
  json_object_set_double_member (o, "progress", progress);
  if (va_job_get_error_message (job) != NULL)
    json_object_set_string_member (o, "error_message", va_job_get_error_message (job));
  va_http_subscriber_send (sub, type, o);
}

static void
on_job_updated (VaEngine *engine, VaJob *job, double progress, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.update", job, progress);
}

static void
on_job_completed (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  /* percent, like job.update and the job object */
  va_http_subscriber_job_event (sub, "job.completed", job, 100.0);
}

static void
on_job_failed (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.failed", job, va_job_get_progress (job));
}

static void
on_job_cancelled (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  va_http_subscriber_job_event (sub, "job.cancelled", job, va_job_get_progress (job));
}

/* The job no longer exists: its id is all there is to say. */
static void
on_job_deleted (VaEngine *engine, VaJob *job, VaHttpSubscriber *sub)
{
  g_autoptr (JsonObject) o = NULL;

  if (!va_http_subscriber_may_see (sub, job))
    return;
  o = va_http_event_base ("job.deleted");
  json_object_set_string_member (o, "job_id", va_job_get_id (job));
  va_http_subscriber_send (sub, "job.deleted", o);
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

static void
va_http_subscriber_finished (SoupServerMessage *msg, VaHttpSubscriber *sub)
{
  va_http_server_untrack_stream (sub->server, sub);
  va_http_subscriber_free (sub);
}

void
va_http_events_stream (VaHttpRequest *req)
{
  VaHttpSubscriber *sub = g_new0 (VaHttpSubscriber, 1);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
  g_autoptr (JsonObject) hello = va_http_event_base ("connected");

  sub->server = req->server;
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

  sub->handlers[0]
      = g_signal_connect (sub->engine, "job-updated", G_CALLBACK (on_job_updated), sub);
  sub->handlers[1]
      = g_signal_connect (sub->engine, "job-completed", G_CALLBACK (on_job_completed), sub);
  sub->handlers[2] = g_signal_connect (sub->engine, "job-failed", G_CALLBACK (on_job_failed), sub);
  sub->handlers[3]
      = g_signal_connect (sub->engine, "job-cancelled", G_CALLBACK (on_job_cancelled), sub);
  sub->handlers[4]
      = g_signal_connect (sub->engine, "job-deleted", G_CALLBACK (on_job_deleted), sub);
  sub->finished_id
      = g_signal_connect (req->msg, "finished", G_CALLBACK (va_http_subscriber_finished), sub);
  va_http_server_track_stream (req->server, sub, (GDestroyNotify)va_http_subscriber_free);
  sub->heartbeat_source = g_timeout_add_seconds (
      va_http_server_get_heartbeat_interval (req->server), va_http_subscriber_heartbeat, sub);

  {
    /* reconnect hint for EventSource clients, then the greeting */
    const char *retry = "retry: 5000\n\n";
    soup_message_body_append (soup_server_message_get_response_body (req->msg), SOUP_MEMORY_STATIC,
                              retry, strlen (retry));
  }
  va_http_subscriber_send (sub, "connected", hello);
}
