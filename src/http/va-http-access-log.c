/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "va-http-private.h"

/* logs/api_requests.log: one JSON object per line and request. Only
 * values we produce or bound go in: the key *prefix* (never the key), the
 * path without its query string (queries may carry secrets), a truncated
 * user agent. Rotated by size: api_requests.log → .1 → .2 ... */

#define VA_HTTP_USER_AGENT_MAX 200

struct _VaHttpAccessLog {
  char *path;
  int fd;
  guint64 size;
  guint64 max_size;
  guint max_files;
};

static gboolean
va_http_access_log_open (VaHttpAccessLog *log, GError **error)
{
  GStatBuf st;

  log->fd = g_open (log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (log->fd < 0) {
    int saved = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", log->path,
                 g_strerror (saved));
    return FALSE;
  }
  log->size = g_stat (log->path, &st) == 0 ? (guint64)st.st_size : 0;
  return TRUE;
}

VaHttpAccessLog *
va_http_access_log_new (const char *path, guint64 max_size, guint max_files, GError **error)
{
  g_autoptr (VaHttpAccessLog) log = g_new0 (VaHttpAccessLog, 1);
  g_autofree char *dir = g_path_get_dirname (path);

  log->fd = -1;
  log->path = g_strdup (path);
  log->max_size = max_size;
  log->max_files = max_files;
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int saved = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", dir,
                 g_strerror (saved));
    return NULL;
  }
  if (!va_http_access_log_open (log, error))
    return NULL;
  return g_steal_pointer (&log);
}

void
va_http_access_log_free (VaHttpAccessLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log->path);
  g_free (log);
}

static void
va_http_access_log_rotate (VaHttpAccessLog *log)
{
  close (log->fd);
  log->fd = -1;
  for (guint i = log->max_files; i > 0; i--) {
    g_autofree char *from
        = i == 1 ? g_strdup (log->path) : g_strdup_printf ("%s.%u", log->path, i - 1);
    g_autofree char *to = g_strdup_printf ("%s.%u", log->path, i);

    g_rename (from, to);
  }
  if (log->max_files == 0)
    g_unlink (log->path);
  if (!va_http_access_log_open (log, NULL))
    g_warning ("Cannot reopen the access log %s after rotation", log->path);
}

void
va_http_access_log_write (VaHttpAccessLog *log, VaHttpRequest *req, guint status, guint64 bytes,
                          double duration_ms)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *now = va_http_timestamp_now ();
  g_autofree char *ua = NULL;
  g_autofree char *line = NULL;
  const char *agent = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "User-Agent");
  GUri *uri = soup_server_message_get_uri (req->msg);
  gsize len;

  if (log->fd < 0)
    return;
  if (agent != NULL)
    ua = g_utf8_make_valid (agent, MIN (strlen (agent), VA_HTTP_USER_AGENT_MAX));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "request_id");
  json_builder_add_string_value (b, req->request_id);
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, req->client);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, soup_server_message_get_method (req->msg));
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, uri != NULL ? g_uri_get_path (uri) : "");
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, status);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64)bytes);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_double_value (b, duration_ms);
  json_builder_set_member_name (b, "user_id");
  if (req->user_id != NULL)
    json_builder_add_string_value (b, req->user_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "key_prefix");
  if (req->key_prefix != NULL)
    json_builder_add_string_value (b, req->key_prefix);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "user_agent");
  if (ua != NULL)
    json_builder_add_string_value (b, ua);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  line = json_generator_to_data (gen, &len);
  line = g_realloc (line, len + 2);
  line[len++] = '\n';
  line[len] = '\0';

  if (log->max_size > 0 && log->size + len > log->max_size && log->size > 0)
    va_http_access_log_rotate (log);
  if (log->fd >= 0 && write (log->fd, line, len) == (gssize)len)
    log->size += len;
}
