/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "va-error.h"
#include "va-json.h"
#include "va-multipart-stream.h"
#include "va-remote-client.h"

/**
 * SECTION:va-remote-client
 * @title: VaRemoteClient
 *
 * The REST API of a VideoAnnotator server, from the client side: JSON
 * calls, the streamed multipart upload of a video and streamed downloads
 * written atomically. libsoup stays inside this file.
 *
 * Every request carries the API key as `Authorization: Bearer` (when one
 * is set) and never follows redirects: a redirect would carry the key to
 * another address, so it is reported instead. An answer that is not 2xx
 * becomes a %VA_ERROR whose code matches the HTTP status (the inverse of
 * va_error_to_http_status()) and whose message is the server's
 * `error.message`; the whole `error` object of that answer stays available
 * from va_remote_client_get_error_body(). Network failures keep their
 * #G_IO_ERROR, #G_RESOLVER_ERROR or #G_TLS_ERROR.
 */

#define VA_REMOTE_BLOCK (64 * 1024)

struct _VaRemoteClient {
  GObject parent_instance;

  char *base_url; /* scheme://host[:port][/prefix], no trailing slash */
  gboolean private_link;
  char *api_key;
  SoupSession *session;
  JsonObject *error_body;
};

enum {
  PROP_0,
  PROP_BASE_URL,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VaRemoteClient, va_remote_client, G_TYPE_OBJECT)

/* ---- errors ---------------------------------------------------------------- */

/* The inverse of va_error_to_http_status(), from the same table: the
 * first code with that status (500 is INTERNAL, not PIPELINE). CANCELLED
 * is this side's own (a server that stops a request answers 503). 405 and
 * 422 (from a proxy or a 1.4 server) are invalid requests; any other
 * status is INTERNAL. */
static VaError
va_remote_client_error_for_status (guint status)
{
  for (guint code = 0; code < VA_ERROR_LAST; code++) {
    if (code != VA_ERROR_CANCELLED && va_error_to_http_status ((VaError)code) == status)
      return (VaError)code;
  }
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED || status == SOUP_STATUS_UNPROCESSABLE_ENTITY)
    return VA_ERROR_INVALID_ARGUMENT;
  return VA_ERROR_INTERNAL;
}

/* Keeps the envelope's `error` object and turns the answer into a GError. */
static void
va_remote_client_set_http_error (VaRemoteClient *self, SoupMessage *msg, JsonNode *body,
                                 GError **error)
{
  guint status = soup_message_get_status (msg);
  const char *message = NULL;

  g_clear_pointer (&self->error_body, json_object_unref);
  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body)) {
    JsonObject *root = json_node_get_object (body);
    JsonNode *err = json_object_get_member (root, "error");
    JsonNode *detail = json_object_get_member (root, "detail");

    if (err != NULL && JSON_NODE_HOLDS_OBJECT (err)) {
      self->error_body = json_object_ref (json_node_get_object (err));
      message = json_object_get_string_member_with_default (self->error_body, "message", NULL);
    }
    /* 1.4 servers and proxies in front of FastAPI answer {"detail": "…"} */
    if (message == NULL && detail != NULL && JSON_NODE_HOLDS_VALUE (detail)
        && json_node_get_value_type (detail) == G_TYPE_STRING)
      message = json_node_get_string (detail);
  }
  if (message != NULL && *message != '\0')
    g_set_error_literal (error, VA_ERROR, va_remote_client_error_for_status (status), message);
  else
    g_set_error (error, VA_ERROR, va_remote_client_error_for_status (status),
                 _ ("The server answered HTTP %u %s"), status,
                 soup_message_get_reason_phrase (msg) != NULL ? soup_message_get_reason_phrase (msg)
                                                              : soup_status_get_phrase (status));
}

static gboolean
va_remote_client_is_json (SoupMessage *msg)
{
  const char *type
      = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);

  return type != NULL
         && (g_ascii_strcasecmp (type, "application/json") == 0
             || g_str_has_suffix (type, "+json"));
}

/* The JSON of a finished exchange; a null node for an empty 2xx answer. */
static JsonNode *
va_remote_client_parse_reply (VaRemoteClient *self, SoupMessage *msg, GBytes *body, GError **error)
{
  guint status = soup_message_get_status (msg);
  gsize length = body != NULL ? g_bytes_get_size (body) : 0;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) parse_error = NULL;

  if (length > 0 && va_remote_client_is_json (msg)) {
    /* a server's answers can be large (results); the depth is what
     * matters for the parser */
    node = va_json_parse (g_bytes_get_data (body, NULL), (gssize)length, G_MAXSSIZE, &parse_error);
  }

  if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
    if (node != NULL)
      return g_steal_pointer (&node);
    if (length == 0)
      return json_node_new (JSON_NODE_NULL);
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 _ ("The answer of %s is not JSON%s%s: is it a VideoAnnotator server?"),
                 self->base_url, parse_error != NULL ? ": " : "",
                 parse_error != NULL ? parse_error->message : "");
    return NULL;
  }
  if (SOUP_STATUS_IS_REDIRECTION (status)) {
    const char *location
        = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");

    /* following it would send the key wherever the answer points */
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("The server redirects to %s; use that address with --server"),
                 location != NULL ? location : "?");
    return NULL;
  }
  va_remote_client_set_http_error (self, msg, node, error);
  return NULL;
}

/* ---- requests -------------------------------------------------------------- */

static SoupMessage *
va_remote_client_new_message (VaRemoteClient *self, const char *method, const char *path,
                              GError **error)
{
  g_autofree char *uri = g_strconcat (self->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers;

  if (msg == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Invalid URL %s"), uri);
    return NULL;
  }
  soup_message_set_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->api_key != NULL) {
    g_autofree char *value = g_strconcat ("Bearer ", self->api_key, NULL);
    soup_message_headers_replace (headers, "Authorization", value);
    memset (value, 0, strlen (value));
  }
  g_clear_pointer (&self->error_body, json_object_unref);
  return g_steal_pointer (&msg);
}

static void
va_remote_client_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRemoteClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  JsonNode *node;

  if (body == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  node = va_remote_client_parse_reply (self, msg, body, &error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify)json_node_unref);
}

/**
 * va_remote_client_call_async:
 * @method: "GET", "POST", "DELETE", …
 * @path: the route and query, e.g. `/api/v1/jobs?page=2` (already escaped)
 *
 * A request without a body whose answer is JSON.
 */
void
va_remote_client_call_async (VaRemoteClient *self, const char *method, const char *path,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  va_remote_client_call_json_async (self, method, path, NULL, cancellable, callback, user_data);
}

/**
 * va_remote_client_call_json_async:
 * @body: (nullable): the request's JSON body
 *
 * As va_remote_client_call_async(), with a JSON body; finish with
 * va_remote_client_call_finish().
 */
void
va_remote_client_call_json_async (VaRemoteClient *self, const char *method, const char *path,
                                  JsonNode *body, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessage *msg;

  g_return_if_fail (VA_IS_REMOTE_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_remote_client_call_async);
  msg = va_remote_client_new_message (self, method, path, &error);
  if (msg == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  if (body != NULL) {
    gsize length = 0;
    char *text = json_to_string (body, FALSE);
    g_autoptr (GBytes) bytes = NULL;

    length = strlen (text);
    bytes = g_bytes_new_take (text, length);
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    va_remote_client_call_done, g_steal_pointer (&task));
}

/**
 * va_remote_client_call_finish:
 *
 * Returns: (transfer full): the answer's JSON (a null node for 204), or
 *   %NULL with @error set
 */
JsonNode *
va_remote_client_call_finish (VaRemoteClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- upload ---------------------------------------------------------------- */

typedef struct {
  SoupMessage *msg;
  gint64 sent;
  gint64 total;
} VaRemoteUpload;

static void
va_remote_upload_free (VaRemoteUpload *upload)
{
  g_clear_object (&upload->msg);
  g_free (upload);
}

static void
va_remote_client_wrote_body_data (SoupMessage *msg, guint chunk_size, GTask *task)
{
  VaRemoteUpload *upload = g_task_get_task_data (task);

  upload->sent += chunk_size;
  g_signal_emit (g_task_get_source_object (task), signals[SIGNAL_PROGRESS], 0, upload->sent,
                 upload->total);
}

static void
va_remote_client_submit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRemoteClient *self = g_task_get_source_object (task);
  VaRemoteUpload *upload = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  JsonNode *node;

  g_signal_handlers_disconnect_by_data (upload->msg, task);
  if (body == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  node = va_remote_client_parse_reply (self, upload->msg, body, &error);
  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify)json_node_unref);
}

/**
 * va_remote_client_submit_async:
 * @video: the file to upload as the `video` part
 * @fields: (nullable): %NULL-terminated name, value pairs sent before the
 *   file (`selected_pipelines`, `config`, `consent`), so that the server
 *   checks them before it stores any byte of the video
 *
 * `POST /api/v1/jobs` with a multipart body streamed from disk and a
 * Content-Length. #VaRemoteClient::progress reports the bytes sent.
 */
void
va_remote_client_submit_async (VaRemoteClient *self, GFile *video, const char *const *fields,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaMultipartStream) body = va_multipart_stream_new ();
  VaRemoteUpload *upload;
  SoupMessage *msg;

  g_return_if_fail (VA_IS_REMOTE_CLIENT (self));
  g_return_if_fail (G_IS_FILE (video));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_remote_client_submit_async);
  for (guint i = 0; fields != NULL && fields[i] != NULL && fields[i + 1] != NULL; i += 2)
    va_multipart_stream_add_field (body, fields[i], fields[i + 1]);
  if (!va_multipart_stream_add_file (body, "video", video, NULL, cancellable, &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  msg = va_remote_client_new_message (self, "POST", "/api/v1/jobs", &error);
  if (msg == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  upload = g_new0 (VaRemoteUpload, 1);
  upload->msg = msg;
  upload->total = va_multipart_stream_get_size (body);
  g_task_set_task_data (task, upload, (GDestroyNotify)va_remote_upload_free);

  soup_message_set_request_body (msg, va_multipart_stream_get_content_type (body),
                                 G_INPUT_STREAM (body), upload->total);
  /* No "Expect: 100-continue", although the server would then refuse a
   * bad key or size before the body: with libsoup 3.2.3, closing the answer
   * to such a request when it is a refusal crashed (in the client input
   * stream's close_async) or hung in about one case in three. Without it,
   * a refused upload is sent and discarded by the server. */
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (va_remote_client_wrote_body_data), task);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    va_remote_client_submit_done, g_steal_pointer (&task));
}

/**
 * va_remote_client_submit_finish:
 *
 * Returns: (transfer full): the created job, or %NULL with @error set
 */
JsonNode *
va_remote_client_submit_finish (VaRemoteClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- download -------------------------------------------------------------- */

typedef struct {
  SoupMessage *msg;
  GInputStream *input;
  GOutputStream *error_body; /* a refusal's envelope, in memory */
  char *directory;
  char *fallback_name;
  char *final_path;
  char *temp_path;
  int fd;
  gint64 received;
  gint64 total;
} VaRemoteDownload;

static void
va_remote_download_free (VaRemoteDownload *download)
{
  /* a download that did not finish leaves nothing behind */
  if (download->fd >= 0)
    close (download->fd);
  if (download->temp_path != NULL)
    g_unlink (download->temp_path);
  g_clear_object (&download->input);
  g_clear_object (&download->error_body);
  g_clear_object (&download->msg);
  g_free (download->directory);
  g_free (download->fallback_name);
  g_free (download->final_path);
  g_free (download->temp_path);
  g_free (download);
}

/* A file name the server proposes is used only if it names a plain file in
 * the target directory: no directory part, no dot file, no control
 * characters. */
static char *
va_remote_client_safe_name (const char *name)
{
  g_autofree char *base = NULL;

  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL || name[0] == '.'
      || !g_utf8_validate (name, -1, NULL))
    return NULL;
  for (const char *p = name; *p != '\0'; p++) {
    if ((guchar)*p < 0x20 || *p == 0x7f)
      return NULL;
  }
  base = g_strdup (name);
  return g_steal_pointer (&base);
}

static gboolean
va_remote_download_write (VaRemoteDownload *download, const guint8 *data, gsize length,
                          GError **error)
{
  while (length > 0) {
    gssize n = write (download->fd, data, length);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot write %s: %s"),
                   download->final_path, g_strerror (saved));
      return FALSE;
    }
    data += n;
    length -= (gsize)n;
  }
  return TRUE;
}

/* fsync, then rename over the final name: readers see the old file or the
 * whole new one, never a part. */
static gboolean
va_remote_download_commit (VaRemoteDownload *download, GError **error)
{
  int fd = download->fd;

  download->fd = -1;
  if (fsync (fd) != 0 || close (fd) != 0) {
    int saved = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot write %s: %s"),
                 download->final_path, g_strerror (saved));
    return FALSE;
  }
  if (g_rename (download->temp_path, download->final_path) != 0) {
    int saved = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot create %s: %s"),
                 download->final_path, g_strerror (saved));
    return FALSE;
  }
  g_clear_pointer (&download->temp_path, g_free);
  return TRUE;
}

static void
va_remote_client_download_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRemoteDownload *download = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  GCancellable *cancellable;
  gsize length;
  const guint8 *data;

  if (bytes == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  data = g_bytes_get_data (bytes, &length);
  if (length == 0) {
    if (download->total >= 0 && download->received != download->total) {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               /* PRId64: xgettext does not know G_GINT64_FORMAT */
                               _ ("The download ended after %" PRId64 " of %" PRId64 " bytes"),
                               (int64_t)download->received, (int64_t)download->total);
      return;
    }
    if (!va_remote_download_commit (download, &error)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
    g_task_return_pointer (task, g_strdup (download->final_path), g_free);
    return;
  }
  if (!va_remote_download_write (download, data, length, &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  download->received += (gint64)length;
  g_signal_emit (g_task_get_source_object (task), signals[SIGNAL_PROGRESS], 0, download->received,
                 download->total);
  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_bytes_async (download->input, VA_REMOTE_BLOCK, G_PRIORITY_DEFAULT,
                                   cancellable, va_remote_client_download_read_cb,
                                   g_steal_pointer (&task));
}

static void
va_remote_client_download_error_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRemoteClient *self = g_task_get_source_object (task);
  VaRemoteDownload *download = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (download->error_body));
  node = va_remote_client_parse_reply (self, download->msg, body, &error);
  if (node != NULL) /* a 2xx never comes this way */
    g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL, "unexpected answer");
  g_task_return_error (task, g_steal_pointer (&error));
}

static gboolean
va_remote_download_open (VaRemoteDownload *download, GError **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (download->msg);
  g_autoptr (GHashTable) params = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *name = NULL;
  g_autofree char *template = NULL;

  if (soup_message_headers_get_content_disposition (headers, &disposition, &params))
    name = va_remote_client_safe_name (g_hash_table_lookup (params, "filename"));
  if (name == NULL)
    name = g_strdup (download->fallback_name);
  download->final_path = g_build_filename (download->directory, name, NULL);
  template = g_strdup_printf ("%s%c.%s.XXXXXX", download->directory, G_DIR_SEPARATOR, name);
  /* 0666 before the umask, as any file a program creates */
  download->fd = g_mkstemp_full (template, O_WRONLY | O_CLOEXEC, 0666);
  if (download->fd < 0) {
    int saved = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot create %s: %s"),
                 download->final_path, g_strerror (saved));
    return FALSE;
  }
  download->temp_path = g_steal_pointer (&template);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    download->total = soup_message_headers_get_content_length (headers);
  return TRUE;
}

static void
va_remote_client_download_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRemoteDownload *download = g_task_get_task_data (task);
  /* read before g_steal_pointer (&task) in the same call's arguments */
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;
  guint status;

  download->input = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (download->input == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  status = soup_message_get_status (download->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    /* a refusal's body is the small JSON envelope */
    download->error_body = g_memory_output_stream_new_resizable ();
    g_output_stream_splice_async (download->error_body, download->input,
                                  G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
                                  cancellable, va_remote_client_download_error_read,
                                  g_steal_pointer (&task));
    return;
  }
  if (!va_remote_download_open (download, &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  g_input_stream_read_bytes_async (download->input, VA_REMOTE_BLOCK, G_PRIORITY_DEFAULT,
                                   cancellable, va_remote_client_download_read_cb,
                                   g_steal_pointer (&task));
}

/**
 * va_remote_client_download_async:
 * @path: the route, e.g. `/api/v1/jobs/ID/artifacts`
 * @directory: an existing directory to write into
 * @fallback_name: the file name when the server proposes none (or an
 *   unsafe one) in Content-Disposition
 *
 * Streams the answer into a temporary file next to the target, then
 * renames it: the target appears whole or not at all, and replaces a file
 * of the same name. #VaRemoteClient::progress reports the bytes received.
 */
void
va_remote_client_download_async (VaRemoteClient *self, const char *path, const char *directory,
                                 const char *fallback_name, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  VaRemoteDownload *download;
  SoupMessage *msg;

  g_return_if_fail (VA_IS_REMOTE_CLIENT (self));
  g_return_if_fail (directory != NULL && fallback_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_remote_client_download_async);
  msg = va_remote_client_new_message (self, "GET", path, &error);
  if (msg == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  /* the artifacts are binary; the envelope of a refusal is still JSON */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "*/*");
  download = g_new0 (VaRemoteDownload, 1);
  download->msg = msg;
  download->fd = -1;
  download->total = -1;
  download->directory = g_strdup (directory);
  download->fallback_name = g_strdup (fallback_name);
  g_task_set_task_data (task, download, (GDestroyNotify)va_remote_download_free);
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                           va_remote_client_download_sent, g_steal_pointer (&task));
}

/**
 * va_remote_client_download_finish:
 *
 * Returns: (transfer full): the path of the written file, or %NULL with
 *   @error set
 */
char *
va_remote_client_download_finish (VaRemoteClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ---------------------------------------------------------------- */

/* Loopback or TLS: a key sent there is not readable on the network. */
static gboolean
va_remote_client_link_is_private (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  g_autoptr (GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * va_remote_client_new:
 * @base_url: `http[s]://host[:port][/prefix]` of the server
 *
 * Returns: (transfer full): a client, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT if @base_url is not such a URL
 */
VaRemoteClient *
va_remote_client_new (const char *base_url, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GString) base = NULL;
  g_autofree char *text = NULL;
  VaRemoteClient *self;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, &local_error);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("Invalid server address “%s”: expected http://HOST[:PORT] or "
                    "https://HOST[:PORT], optionally with a path"),
                 base_url);
    return NULL;
  }
  /* a key belongs in the header, not in a URL that ends up in logs */
  if (g_uri_get_userinfo (uri) != NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("Invalid server address: credentials in the URL are not accepted; set "
                    "VIDEOANNOTATOR_API_KEY or use --api-key-file"));
    return NULL;
  }

  text = g_uri_to_string (uri);
  base = g_string_new (text);
  while (base->len > 0 && base->str[base->len - 1] == '/')
    g_string_truncate (base, base->len - 1);

  self = g_object_new (VA_TYPE_REMOTE_CLIENT, "base-url", base->str, NULL);
  self->private_link = va_remote_client_link_is_private (uri);
  return self;
}

const char *
va_remote_client_get_base_url (VaRemoteClient *self)
{
  g_return_val_if_fail (VA_IS_REMOTE_CLIENT (self), NULL);
  return self->base_url;
}

/**
 * va_remote_client_set_api_key:
 * @api_key: (nullable): sent as `Authorization: Bearer` on every request
 */
void
va_remote_client_set_api_key (VaRemoteClient *self, const char *api_key)
{
  g_return_if_fail (VA_IS_REMOTE_CLIENT (self));
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = api_key != NULL && *api_key != '\0' ? g_strdup (api_key) : NULL;
}

/**
 * va_remote_client_is_private:
 *
 * Returns: %TRUE when requests cannot be read on the network: HTTPS, or
 *   plain HTTP to a loopback address
 */
gboolean
va_remote_client_is_private (VaRemoteClient *self)
{
  g_return_val_if_fail (VA_IS_REMOTE_CLIENT (self), FALSE);
  return self->private_link;
}

/**
 * va_remote_client_get_error_body:
 *
 * Returns: (transfer none) (nullable): the `error` object (code, message,
 *   hint, detail) of the last answer that failed, if it had one
 */
JsonObject *
va_remote_client_get_error_body (VaRemoteClient *self)
{
  g_return_val_if_fail (VA_IS_REMOTE_CLIENT (self), NULL);
  return self->error_body;
}

static void
va_remote_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaRemoteClient *self = VA_REMOTE_CLIENT (object);

  switch (prop_id) {
  case PROP_BASE_URL:
    g_value_set_string (value, self->base_url);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_remote_client_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  VaRemoteClient *self = VA_REMOTE_CLIENT (object);

  switch (prop_id) {
  case PROP_BASE_URL:
    self->base_url = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_remote_client_finalize (GObject *object)
{
  VaRemoteClient *self = VA_REMOTE_CLIENT (object);

  va_remote_client_set_api_key (self, NULL);
  g_clear_object (&self->session);
  g_clear_pointer (&self->error_body, json_object_unref);
  g_free (self->base_url);
  G_OBJECT_CLASS (va_remote_client_parent_class)->finalize (object);
}

static void
va_remote_client_class_init (VaRemoteClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = va_remote_client_get_property;
  object_class->set_property = va_remote_client_set_property;
  object_class->finalize = va_remote_client_finalize;

  properties[PROP_BASE_URL]
      = g_param_spec_string ("base-url", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS
                                 | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VaRemoteClient::progress:
   * @transferred: bytes sent (upload) or received (download) so far
   * @total: bytes expected, or -1 when the server does not say
   */
  signals[SIGNAL_PROGRESS]
      = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
}

static void
va_remote_client_init (VaRemoteClient *self)
{
  g_autofree char *agent = g_strdup_printf ("videoannotator/%s ", PACKAGE_VERSION);

  /* the trailing space makes libsoup append its own product token;
   * Accept-Language from the locale: the server answers in the user's language */
  self->session = soup_session_new_with_options ("user-agent", agent, "timeout", 120,
                                                 "accept-language-auto", TRUE, NULL);
}
