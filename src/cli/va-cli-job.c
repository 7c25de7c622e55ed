/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-json.h"
#include "va-remote-client.h"
#include "va-settings.h"

/* `videoannotator job submit|list|status|results|download|cancel|delete`:
 * the REST API of a running server (`server-url`, `--server`), with the
 * key of VIDEOANNOTATOR_API_KEY or --api-key-file sent as
 * `Authorization: Bearer`. The key is never a flag value: the process
 * list shows every argument to every user of the machine. */

#define VA_CLI_JOB_POLL_MS 500

typedef struct {
  const char *command; /* "submit", … for messages */
  VaSettings *settings;
  VaRemoteClient *client;
  GCancellable *cancellable;
  guint sigint_source;
  gboolean interrupted;
  gboolean said_interrupted;
  gboolean have_key;
  gboolean json;
  gboolean quiet;
  GAsyncResult *result; /* of the call being waited for */
  /* progress display on stderr */
  const char *activity;
  gboolean tty;
  gboolean drawn;
  int last_decile;
  char *last_status;
  gint64 started_us;
} VaCliJob;

static void
va_cli_job_clear (VaCliJob *self)
{
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_pointer (&self->last_status, g_free);
  g_clear_object (&self->result);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCliJob, va_cli_job_clear)

/* ---- errors ---------------------------------------------------------------- */

static gboolean
va_cli_job_is_network_error (const GError *error)
{
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR)
    return TRUE;
  if (error->domain != G_IO_ERROR)
    return FALSE;
  switch (error->code) {
  case G_IO_ERROR_CONNECTION_REFUSED:
  case G_IO_ERROR_HOST_UNREACHABLE:
  case G_IO_ERROR_NETWORK_UNREACHABLE:
  case G_IO_ERROR_TIMED_OUT:
  case G_IO_ERROR_CONNECTION_CLOSED:
  case G_IO_ERROR_NOT_CONNECTED:
  case G_IO_ERROR_PROXY_FAILED:
  case G_IO_ERROR_PROXY_AUTH_FAILED:
  case G_IO_ERROR_PROXY_NOT_ALLOWED:
  case G_IO_ERROR_PROXY_NEED_AUTH:
    return TRUE;
  default:
    return FALSE;
  }
}

/* HTTP statuses arrive as VA_ERROR codes (va-remote-client.c); see the
 * table in docs/cli.md. */
static int
va_cli_job_exit_code (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return VA_EXIT_CANCELLED;
  if (va_cli_job_is_network_error (error))
    return VA_EXIT_UNAVAILABLE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return VA_EXIT_NOT_FOUND;
  if (error->domain == VA_ERROR) {
    switch ((VaError)error->code) {
    case VA_ERROR_UNAUTHENTICATED:
    case VA_ERROR_FORBIDDEN:
      return VA_EXIT_DENIED;
    case VA_ERROR_CONFLICT:
      return VA_EXIT_CONFLICT;
    case VA_ERROR_RATE_LIMITED:
    case VA_ERROR_READ_ONLY:
      return VA_EXIT_UNAVAILABLE;
    default:
      break;
    }
  }
  return va_cli_exit_code_for_error (error);
}

static void
va_cli_job_clear_progress (VaCliJob *self)
{
  if (self->drawn) {
    fprintf (stderr, "\r\033[K");
    fflush (stderr);
    self->drawn = FALSE;
  }
}

static void
va_cli_job_print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* `videoannotator: <message> (<code>)` on stderr, a hint where we have a
 * better one than the server's (which names HTTP routes); with --json the
 * server's `error` object (or one of ours) also goes to stdout. */
static int
va_cli_job_fail (VaCliJob *self, const GError *error)
{
  JsonObject *body = self->client != NULL ? va_remote_client_get_error_body (self->client) : NULL;
  const char *code
      = body != NULL ? json_object_get_string_member_with_default (body, "code", NULL) : NULL;
  int status = va_cli_job_exit_code (error);
  g_autofree char *hint = NULL;

  va_cli_job_clear_progress (self);
  if (status == VA_EXIT_CANCELLED) {
    /* submit and download say what an interruption left behind */
    if (!self->said_interrupted)
      g_printerr ("%s\n", _ ("videoannotator: interrupted"));
    return status;
  }

  if (code != NULL)
    g_printerr ("videoannotator: %s (%s)\n", va_cli_error_message (error), code);
  else if (va_cli_job_is_network_error (error))
    g_printerr (_ ("videoannotator: cannot reach the server at %s: %s\n"),
                va_remote_client_get_base_url (self->client), error->message);
  else
    g_printerr ("videoannotator: %s\n", va_cli_error_message (error));

  if (g_error_matches (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED) && !self->have_key)
    hint = g_strdup (_ ("no API key was sent: set VIDEOANNOTATOR_API_KEY or use --api-key-file "
                        "FILE (“videoannotator token create” makes one)"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    hint = g_strdup (_ ("is the server running? Choose another with --server URL or "
                        "VIDEOANNOTATOR_SERVER_URL"));
  else if (g_strcmp0 (code, "JOB_NOT_FOUND") == 0)
    hint = g_strdup (_ ("“videoannotator job list” shows the jobs this key can see"));
  if (hint != NULL)
    g_printerr (_ ("videoannotator: hint: %s\n"), hint);

  if (self->json) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "error");
    if (body != NULL) {
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), body));
    } else {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, va_cli_job_is_network_error (error) ? "SERVER_UNREACHABLE"
                                        : error->domain == VA_ERROR
                                            ? va_error_to_string ((VaError)error->code)
                                            : "CLIENT_ERROR");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
    }
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    va_cli_job_print_json (root);
  }
  return status;
}

static int
va_cli_job_usage_error (VaCliJob *self, const char *message)
{
  g_printerr ("videoannotator job %s: %s\n", self->command, message);
  return VA_EXIT_USAGE;
}

/* ---- running async calls from a command ------------------------------------- */

static gboolean
va_cli_job_on_sigint (gpointer user_data)
{
  VaCliJob *self = user_data;

  self->interrupted = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
va_cli_job_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaCliJob *self = user_data;

  g_set_object (&self->result, result);
}

static GAsyncResult *
va_cli_job_wait_result (VaCliJob *self)
{
  while (self->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return self->result;
}

static JsonNode *
va_cli_job_call (VaCliJob *self, const char *method, const char *path, GError **error)
{
  JsonNode *node;

  va_remote_client_call_async (self->client, method, path, self->cancellable, va_cli_job_result_cb,
                               self);
  node = va_remote_client_call_finish (self->client, va_cli_job_wait_result (self), error);
  g_clear_object (&self->result);
  return node;
}

static gboolean
va_cli_job_timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Returns FALSE when interrupted. */
static gboolean
va_cli_job_sleep (VaCliJob *self, guint milliseconds)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (milliseconds, va_cli_job_timeout_cb, &expired);

  while (!expired && !self->interrupted)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return !self->interrupted;
}

/* ---- progress ---------------------------------------------------------------- */

static void
va_cli_job_draw_bar (VaCliJob *self, double fraction, const char *detail)
{
  enum { WIDTH = 30 };
  char bar[WIDTH + 1];
  guint filled = (guint)(CLAMP (fraction, 0.0, 1.0) * WIDTH + 0.5);

  for (guint i = 0; i < WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[WIDTH] = '\0';
  fprintf (stderr, "\r%s [%s] %3d%%  %s\033[K", self->activity, bar, (int)(fraction * 100), detail);
  fflush (stderr);
  self->drawn = TRUE;
}

static void
va_cli_job_begin_progress (VaCliJob *self, const char *activity)
{
  self->activity = activity;
  self->last_decile = 0;
  self->started_us = g_get_monotonic_time ();
}

/* Bytes moved: a bar redrawn in place on a terminal, a line per 10 %
 * otherwise (as `annotate` does). */
static void
va_cli_job_on_transfer (VaRemoteClient *client, gint64 done, gint64 total, VaCliJob *self)
{
  double seconds = (g_get_monotonic_time () - self->started_us) / (double)G_USEC_PER_SEC;
  g_autofree char *done_text = g_format_size ((guint64)done);
  g_autofree char *total_text = total >= 0 ? g_format_size ((guint64)total) : NULL;
  g_autofree char *rate = g_format_size (seconds > 0 ? (guint64)(done / seconds) : 0);
  double fraction = total > 0 ? (double)done / (double)total : 0;

  if (self->quiet)
    return;
  if (self->tty && total > 0) {
    g_autofree char *detail = g_strdup_printf (_ ("%s of %s  %s/s"), done_text, total_text, rate);
    va_cli_job_draw_bar (self, fraction, detail);
  } else if (self->tty) {
    /* a streamed ZIP has no length: no bar, just what came so far */
    fputc ('\r', stderr);
    fprintf (stderr, _ ("%s %s  %s/s"), self->activity, done_text, rate);
    fputs ("\033[K", stderr);
    fflush (stderr);
    self->drawn = TRUE;
  } else if (total > 0) {
    int decile = (int)(fraction * 10);
    if (decile > self->last_decile) {
      self->last_decile = decile;
      fprintf (stderr, _ ("%s: %3d%% (%s of %s)\n"), self->activity, decile * 10, done_text,
               total_text);
    }
  }
}

static void
va_cli_job_show_job_progress (VaCliJob *self, const char *status, double percent)
{
  if (self->quiet)
    return;
  if (self->tty) {
    double seconds = (g_get_monotonic_time () - self->started_us) / (double)G_USEC_PER_SEC;
    guint s = (guint)seconds;
    g_autofree char *detail = g_strdup_printf ("%-9s %u:%02u", status, s / 60, s % 60);
    va_cli_job_draw_bar (self, percent / 100.0, detail);
  } else {
    int decile = (int)(percent / 10);
    if (g_strcmp0 (status, self->last_status) != 0) {
      g_free (self->last_status);
      self->last_status = g_strdup (status);
      fprintf (stderr, _ ("job: %s\n"), status);
    }
    if (decile > self->last_decile) {
      self->last_decile = decile;
      fprintf (stderr, _ ("progress: %3d%%\n"), decile * 10);
    }
  }
}

/* ---- setup ------------------------------------------------------------------- */

/* The first line of @path, or of standard input for "-". A file others may
 * read is used, with a warning: refusing would only push people to put the
 * key in a flag. */
/* also used by the erasure commands (va-cli-erasure.c) */
char *
va_cli_read_key_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  char *newline;

  if (g_str_equal (path, "-")) {
    char line[512];
    if (fgets (line, sizeof line, stdin) == NULL) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           _ ("--api-key-file -: no key on standard input"));
      return NULL;
    }
    contents = g_strdup (line);
    memset (line, 0, sizeof line);
  } else {
    GStatBuf st;

    if (!g_file_get_contents (path, &contents, NULL, error))
      return NULL;
    if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
      g_printerr (_ ("videoannotator: warning: %s can be read by other users; “chmod 600 %s”\n"),
                  path, path);
  }
  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);
  if (*contents == '\0') {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s holds no API key"), path);
    return NULL;
  }
  return g_steal_pointer (&contents);
}

/* Parses @entries with --server, --api-key-file and every setting flag,
 * loads the settings and makes the client. Returns the exit code on
 * failure, -1 on success. */
static int
va_cli_job_setup (VaCliJob *self, const char *command, const char *parameter, const char *summary,
                  GOptionEntry *entries, int argc, char **argv, GStrv *rest)
{
  g_autofree char *server = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *key = NULL;
  const GOptionEntry common[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_ ("Server address (default: the server-url setting, http://127.0.0.1:18011)"), N_ ("URL") },
    { "api-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("Read the API key from FILE (“-”: standard input) instead of VIDEOANNOTATOR_API_KEY"),
      N_ ("FILE") },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_auto (GStrv) args = NULL;
  GOptionGroup *main_group;

  self->command = command;
  self->cancellable = g_cancellable_new ();
  self->tty = isatty (STDERR_FILENO);
  self->settings = va_settings_new (&error);
  if (self->settings == NULL) {
    g_printerr ("videoannotator job %s: %s\n", command, va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }

  context = g_option_context_new (parameter);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  main_group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
  g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
  g_option_group_add_entries (main_group, entries);
  g_option_group_add_entries (main_group, common);
  g_option_context_set_main_group (context, main_group);
  /* settings flags are accepted, and listed by --help-settings */
  g_option_context_add_group (context, va_settings_get_option_group (self->settings));

  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  if (!va_settings_parse_command_line (self->settings, context, &args, &error))
    return va_cli_job_usage_error (self, error->message);
  if (server != NULL && !va_settings_set_override (self->settings, "server-url", server, &error))
    return va_cli_job_usage_error (self, error->message);
  if (!va_settings_load (self->settings, NULL, &error)) {
    g_printerr ("videoannotator job %s: %s\n", command, va_cli_error_message (error));
    return va_cli_exit_code_for_error (error);
  }

  self->client
      = va_remote_client_new (va_settings_get_string (self->settings, "server-url"), &error);
  if (self->client == NULL) {
    const char *origin = NULL;
    VaSettingsSource source = va_settings_get_source (self->settings, "server-url", &origin);
    g_autofree char *message
        = g_strdup_printf ("%s (%s)", error->message,
                           source == VA_SETTINGS_SOURCE_COMMAND_LINE ? "--server"
                           : origin != NULL                          ? origin
                                            : va_settings_source_to_string (source));
    return va_cli_job_usage_error (self, message);
  }
  g_signal_connect (self->client, "progress", G_CALLBACK (va_cli_job_on_transfer), self);

  if (key_file != NULL) {
    key = va_cli_read_key_file (key_file, &error);
    if (key == NULL) {
      g_printerr ("videoannotator job %s: %s\n", command, va_cli_error_message (error));
      return g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? VA_EXIT_NOT_FOUND
                                                                       : VA_EXIT_USAGE;
    }
  } else if (g_getenv ("VIDEOANNOTATOR_API_KEY") != NULL) {
    key = g_strdup (g_getenv ("VIDEOANNOTATOR_API_KEY"));
    g_strstrip (key);
  }
  if (key != NULL && *key != '\0') {
    self->have_key = TRUE;
    va_remote_client_set_api_key (self->client, key);
    if (!va_remote_client_is_private (self->client))
      g_printerr (_ ("videoannotator: warning: the API key is sent unencrypted to %s; use "
                     "https:// for a server on another machine\n"),
                  va_remote_client_get_base_url (self->client));
    memset (key, 0, strlen (key));
  }

  self->sigint_source = g_unix_signal_add (SIGINT, va_cli_job_on_sigint, self);
  *rest = g_steal_pointer (&args);
  return -1;
}

/* Exactly @count positional arguments after the command name. */
static gboolean
va_cli_job_check_args (VaCliJob *self, GStrv rest, guint count, const char *usage)
{
  if (g_strv_length (rest) != count + 1) {
    g_printerr ("%s\n", usage);
    return FALSE;
  }
  return TRUE;
}

static char *
va_cli_job_path (const char *job_id, const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (job_id, NULL, FALSE);

  return g_strconcat ("/api/v1/jobs/", escaped, suffix, NULL);
}

/* ---- formatting -------------------------------------------------------------- */

static const char *
va_cli_job_string (JsonObject *o, const char *member)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static double
va_cli_job_number (JsonObject *o, const char *member, double fallback)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double)json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return fallback;
}

/* "2026-11-27T20:41:38.547934Z" → "2026-11-27 20:41:38 UTC"; the list
 * leaves out the seconds and the zone (its CREATED column says UTC). */
static char *
va_cli_job_format_time (const char *iso, gboolean seconds)
{
  g_autoptr (GDateTime) when = NULL;

  if (iso == NULL)
    return g_strdup ("-");
  when = g_date_time_new_from_iso8601 (iso, NULL);
  if (when == NULL)
    return g_strdup (iso);
  return g_date_time_format (when, seconds ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M");
}

static char *
va_cli_job_pipelines (JsonObject *job)
{
  JsonNode *node = json_object_get_member (job, "selected_pipelines");
  g_autoptr (GString) text = g_string_new (NULL);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup (_ ("(defaults)"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *item = json_array_get_element (array, i);
    if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
      g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", json_node_get_string (item));
  }
  return text->len > 0 ? g_strdup (text->str) : g_strdup (_ ("(defaults)"));
}

static JsonObject *
va_cli_job_object (JsonNode *node, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         _ ("The server's answer is not a JSON object"));
    return NULL;
  }
  return json_node_get_object (node);
}

static void
va_cli_job_print_status (JsonObject *job)
{
  const char *status = va_cli_job_string (job, "status");
  const char *filename = va_cli_job_string (job, "video_filename");
  const char *error_message = va_cli_job_string (job, "error_message");
  double size = va_cli_job_number (job, "video_size_bytes", -1);
  double duration = va_cli_job_number (job, "video_duration_seconds", -1);
  double queue = va_cli_job_number (job, "queue_position", -1);
  g_autofree char *pipelines = va_cli_job_pipelines (job);
  g_autofree char *created = va_cli_job_format_time (va_cli_job_string (job, "created_at"), TRUE);
  g_autofree char *started = va_cli_job_format_time (va_cli_job_string (job, "started_at"), TRUE);
  g_autofree char *completed
      = va_cli_job_format_time (va_cli_job_string (job, "completed_at"), TRUE);
  g_autoptr (GString) video = g_string_new (filename != NULL ? filename : "-");

  if (size >= 0) {
    g_autofree char *text = g_format_size ((guint64)size);
    g_string_append_printf (video, " (%s", text);
    if (duration > 0)
      g_string_append_printf (video, ", %.1f s", duration);
    g_string_append (video, ")");
  }
  g_print ("%-12s %s\n", _ ("Job:"), va_cli_job_string (job, "id"));
  if (g_strcmp0 (status, "running") == 0)
    g_print ("%-12s %s (%.0f%%)\n", _ ("Status:"), status, va_cli_job_number (job, "progress", 0));
  else
    g_print ("%-12s %s\n", _ ("Status:"), status != NULL ? status : "?");
  if (queue >= 1)
    g_print ("%-12s %.0f\n", _ ("Queue:"), queue);
  g_print ("%-12s %s\n", _ ("Video:"), video->str);
  g_print ("%-12s %s\n", _ ("Pipelines:"), pipelines);
  g_print ("%-12s %s\n", _ ("Created:"), created);
  g_print ("%-12s %s\n", _ ("Started:"), started);
  g_print ("%-12s %s\n", _ ("Finished:"), completed);
  if (error_message != NULL)
    g_print ("%-12s %s\n", _ ("Message:"), error_message);
}

static gboolean
va_cli_job_is_terminal (const char *status)
{
  return g_strcmp0 (status, "completed") == 0 || g_strcmp0 (status, "failed") == 0
         || g_strcmp0 (status, "cancelled") == 0;
}

/* ---- job submit ------------------------------------------------------------- */

/* A JSON object from @path, re-serialized compactly for the form field. */
static char *
va_cli_job_read_object (const char *option, const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error)) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, _ ("%s: no such file: %s"), option, path);
    else
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s %s: %s"), option, path,
                   local_error->message);
    return NULL;
  }
  /* the server's limits, so that a file it would refuse is refused here */
  root = va_json_parse (contents, (gssize)length, VA_JSON_MAX_SIZE, &local_error);
  if (root == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s %s: %s"), option, path,
                 local_error->message);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("%s %s: expected a JSON object, e.g. {\"scene_detection\": {\"threshold\": "
                    "30}}"),
                 option, path);
    return NULL;
  }
  return json_to_string (root, FALSE);
}

/* Polls the job until it is completed, failed or cancelled. */
static JsonNode *
va_cli_job_wait_for (VaCliJob *self, const char *job_id, GError **error)
{
  g_autofree char *path = va_cli_job_path (job_id, "");

  va_cli_job_begin_progress (self, _ ("job"));
  for (;;) {
    g_autoptr (JsonNode) node = va_cli_job_call (self, "GET", path, error);
    JsonObject *job;
    const char *status;

    if (node == NULL)
      return NULL;
    job = va_cli_job_object (node, error);
    if (job == NULL)
      return NULL;
    status = va_cli_job_string (job, "status");
    if (va_cli_job_is_terminal (status)) {
      if (g_strcmp0 (status, "completed") == 0)
        va_cli_job_show_job_progress (self, status, 100);
      va_cli_job_clear_progress (self);
      return g_steal_pointer (&node);
    }
    va_cli_job_show_job_progress (self, status != NULL ? status : "?",
                                  va_cli_job_number (job, "progress", 0));
    if (!va_cli_job_sleep (self, VA_CLI_JOB_POLL_MS)) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
      return NULL;
    }
  }
}

static int
va_cli_job_submit (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *pipelines = NULL, *config_file = NULL, *consent_file = NULL;
  gboolean wait = FALSE, json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "pipelines", 'p', 0, G_OPTION_ARG_STRING, &pipelines,
      N_ ("Comma-separated pipelines (default: the server's defaults)"), N_ ("LIST") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
      N_ ("Job configuration: a JSON object, e.g. {\"scene_detection\": {\"threshold\": 20}}"),
      N_ ("FILE.json") },
    { "consent", 0, 0, G_OPTION_ARG_FILENAME, &consent_file,
      N_ ("Consent record: a JSON object, e.g. {\"granted\": true, \"reference\": \"study-42\"}"),
      N_ ("FILE.json") },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_ ("Wait until the job is completed, failed or cancelled, showing its progress"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the job as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_ ("No progress display"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GFile) video = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *job_id = NULL;
  JsonObject *job;
  const char *status;
  int code;

  code = va_cli_job_setup (&self, "submit", _ ("VIDEO"),
                           _ ("Upload VIDEO to the server as a new job and print the job id alone "
                              "on the last line of standard output."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  self.quiet = quiet;
  if (!va_cli_job_check_args (&self, rest, 1,
                              _ ("Usage: videoannotator job submit VIDEO [-p LIST] [--config "
                                 "FILE.json] [--consent FILE.json] [--wait] [--json]")))
    return VA_EXIT_USAGE;

  if (!g_file_test (rest[1], G_FILE_TEST_EXISTS)) {
    g_printerr (_ ("videoannotator job submit: no such file: %s\n"), rest[1]);
    return VA_EXIT_NOT_FOUND;
  }
  if (g_file_test (rest[1], G_FILE_TEST_IS_DIR)) {
    g_printerr (_ ("videoannotator job submit: %s is a directory\n"), rest[1]);
    return VA_EXIT_USAGE;
  }
  /* the fields go before the video: the server checks them first */
  if (pipelines != NULL) {
    g_ptr_array_add (fields, g_strdup ("selected_pipelines"));
    g_ptr_array_add (fields, g_strdup (pipelines));
  }
  if (config_file != NULL) {
    char *text = va_cli_job_read_object ("--config", config_file, &error);
    if (text == NULL)
      return va_cli_job_fail (&self, error);
    g_ptr_array_add (fields, g_strdup ("config"));
    g_ptr_array_add (fields, text);
  }
  if (consent_file != NULL) {
    char *text = va_cli_job_read_object ("--consent", consent_file, &error);
    if (text == NULL)
      return va_cli_job_fail (&self, error);
    g_ptr_array_add (fields, g_strdup ("consent"));
    g_ptr_array_add (fields, text);
  }
  g_ptr_array_add (fields, NULL);

  video = g_file_new_for_commandline_arg (rest[1]);
  va_cli_job_begin_progress (&self, _ ("upload"));
  va_remote_client_submit_async (self.client, video, (const char *const *)fields->pdata,
                                 self.cancellable, va_cli_job_result_cb, &self);
  node = va_remote_client_submit_finish (self.client, va_cli_job_wait_result (&self), &error);
  g_clear_object (&self.result);
  va_cli_job_clear_progress (&self);
  if (node == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr ("%s\n", _ ("videoannotator: upload interrupted; no job was created"));
    }
    return va_cli_job_fail (&self, error);
  }
  job = va_cli_job_object (node, &error);
  if (job == NULL || va_cli_job_string (job, "id") == NULL) {
    if (error == NULL)
      g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL,
                           _ ("The server's answer has no job id"));
    return va_cli_job_fail (&self, error);
  }
  job_id = g_strdup (va_cli_job_string (job, "id"));

  if (!wait) {
    if (json) {
      va_cli_job_print_json (node);
    } else {
      double queue = va_cli_job_number (job, "queue_position", -1);
      g_autofree char *name = g_file_get_basename (video);
      g_autofree char *display = g_filename_display_name (name);

      if (queue >= 1)
        g_print (_ ("Submitted %s: job %s is %s, position %.0f in the queue.\n"), display, job_id,
                 va_cli_job_string (job, "status"), queue);
      else
        g_print (_ ("Submitted %s: job %s is %s.\n"), display, job_id,
                 va_cli_job_string (job, "status"));
      g_print ("%s\n", job_id);
    }
    return VA_EXIT_OK;
  }

  if (!quiet && !json)
    g_printerr (_ ("Submitted job %s; waiting for it to finish (Ctrl-C stops waiting, not the "
                   "job)\n"),
                job_id);
  g_clear_pointer (&node, json_node_unref);
  node = va_cli_job_wait_for (&self, job_id, &error);
  if (node == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr (_ ("videoannotator: stopped waiting; job %s goes on (“videoannotator job status "
                     "%s”, “videoannotator job cancel %s”)\n"),
                  job_id, job_id, job_id);
    }
    return va_cli_job_fail (&self, error);
  }
  job = json_node_get_object (node);
  status = va_cli_job_string (job, "status");
  if (json) {
    va_cli_job_print_json (node);
  } else {
    const char *message = va_cli_job_string (job, "error_message");
    if (g_strcmp0 (status, "completed") == 0) {
      g_print (_ ("Job %s completed.\n"), job_id);
      if (message != NULL)
        g_print (_ ("Warning: %s\n"), message);
      g_print (_ ("Results: “videoannotator job results %s”; files: “videoannotator job download "
                  "%s”\n"),
               job_id, job_id);
    } else {
      g_print (_ ("Job %s %s.\n"), job_id, status);
    }
    g_print ("%s\n", job_id);
  }
  if (g_strcmp0 (status, "completed") != 0) {
    const char *message = va_cli_job_string (job, "error_message");
    g_printerr (_ ("videoannotator: job %s %s: %s\n"), job_id, status,
                message != NULL ? message : _ ("no reason given"));
    return VA_EXIT_FAILURE;
  }
  return VA_EXIT_OK;
}

/* ---- job list --------------------------------------------------------------- */

static int
va_cli_job_list (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *status_filter = NULL;
  /* G_MININT: not given; any given value goes to the server, which checks it */
  gint page = G_MININT, per_page = G_MININT;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_filter,
      N_ ("Only jobs in this state: pending, running, completed, failed or cancelled"),
      N_ ("STATUS") },
    /* the name VideoAnnotator 1.4's CLI used, so its scripts keep working */
    { "status-filter", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &status_filter,
      N_ ("Same as --status"), N_ ("STATUS") },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, N_ ("Page to show (default 1)"), N_ ("N") },
    { "per-page", 0, 0, G_OPTION_ARG_INT, &per_page, N_ ("Jobs per page, 1–1000 (default 10)"),
      N_ ("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the server's JSON answer"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) path = g_string_new ("/api/v1/jobs");
  g_autoptr (JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *jobs;
  double total, shown_page, shown_per_page;
  int code;

  code = va_cli_job_setup (&self, "list", NULL,
                           _ ("List the jobs the key can see (its own; every job for an admin "
                              "key), oldest first."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 0,
                              _ ("Usage: videoannotator job list [--status STATUS] [--page N] "
                                 "[--per-page N] [--json]")))
    return VA_EXIT_USAGE;

  /* ranges are the server's to check: one rule, one message */
  {
    const char *sep = "?";
    if (status_filter != NULL) {
      g_autofree char *escaped = g_uri_escape_string (status_filter, NULL, FALSE);
      g_string_append_printf (path, "%sstatus_filter=%s", sep, escaped);
      sep = "&";
    }
    if (page != G_MININT) {
      g_string_append_printf (path, "%spage=%d", sep, page);
      sep = "&";
    }
    if (per_page != G_MININT)
      g_string_append_printf (path, "%sper_page=%d", sep, per_page);
  }
  node = va_cli_job_call (&self, "GET", path->str, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_job_print_json (node);
    return VA_EXIT_OK;
  }
  root = va_cli_job_object (node, &error);
  if (root == NULL || !json_object_has_member (root, "jobs")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "jobs"))) {
    if (error == NULL)
      g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL,
                           _ ("The server's answer has no job list"));
    return va_cli_job_fail (&self, error);
  }
  jobs = json_object_get_array_member (root, "jobs");
  total = va_cli_job_number (root, "total", json_array_get_length (jobs));
  shown_page = va_cli_job_number (root, "page", 1);
  shown_per_page = va_cli_job_number (root, "per_page", 10);

  if (json_array_get_length (jobs) == 0) {
    if (total > 0)
      g_print (_ ("No jobs on page %.0f (%.0f jobs in all).\n"), shown_page, total);
    else
      g_print ("%s\n", _ ("No jobs."));
    return VA_EXIT_OK;
  }
  g_print ("%-36s  %-9s  %4s  %-16s  %-24s  %s\n", _ ("ID"), _ ("STATUS"), "%", _ ("CREATED (UTC)"),
           _ ("VIDEO"), _ ("PIPELINES"));
  for (guint i = 0; i < json_array_get_length (jobs); i++) {
    JsonNode *item = json_array_get_element (jobs, i);
    JsonObject *job;
    g_autofree char *created = NULL;
    g_autofree char *pipelines = NULL;
    const char *filename;

    if (!JSON_NODE_HOLDS_OBJECT (item))
      continue;
    job = json_node_get_object (item);
    created = va_cli_job_format_time (va_cli_job_string (job, "created_at"), FALSE);
    pipelines = va_cli_job_pipelines (job);
    filename = va_cli_job_string (job, "video_filename");
    g_print ("%-36s  %-9s  %4.0f  %-16s  %-24s  %s\n", va_cli_job_string (job, "id"),
             va_cli_job_string (job, "status"), va_cli_job_number (job, "progress", 0), created,
             filename != NULL ? filename : "-", pipelines);
  }
  if (total > json_array_get_length (jobs))
    g_print (_ ("Page %.0f of %.0f (%.0f jobs; --page N for more)\n"), shown_page,
             shown_per_page > 0 ? (double)(((guint64)total + (guint64)shown_per_page - 1)
                                           / (guint64)shown_per_page)
                                : 1.0,
             total);
  return VA_EXIT_OK;
}

/* ---- job status / results / cancel / delete ---------------------------------- */

static int
va_cli_job_status (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the job as JSON"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  JsonObject *job;
  int code;

  code = va_cli_job_setup (&self, "status", _ ("ID"),
                           _ ("Show one job: state, progress, video, "
                              "pipelines, times and any message."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job status ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "");
  node = va_cli_job_call (&self, "GET", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_job_print_json (node);
    return VA_EXIT_OK;
  }
  job = va_cli_job_object (node, &error);
  if (job == NULL)
    return va_cli_job_fail (&self, error);
  va_cli_job_print_status (job);
  return VA_EXIT_OK;
}

static int
va_cli_job_results (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the server's JSON answer"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  JsonObject *root, *results = NULL;
  JsonNode *results_node;
  int code;

  code = va_cli_job_setup (&self, "results", _ ("ID"),
                           _ ("Show the outcome of each pipeline of a job: state, annotation "
                              "count, processing time and output file."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job results ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "/results");
  node = va_cli_job_call (&self, "GET", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json) {
    va_cli_job_print_json (node);
    return VA_EXIT_OK;
  }
  root = va_cli_job_object (node, &error);
  if (root == NULL)
    return va_cli_job_fail (&self, error);
  results_node = json_object_get_member (root, "pipeline_results");
  if (results_node != NULL && JSON_NODE_HOLDS_OBJECT (results_node))
    results = json_node_get_object (results_node);

  g_print (_ ("Job %s: %s\n"), rest[1],
           va_cli_job_string (root, "status") != NULL ? va_cli_job_string (root, "status") : "?");
  if (va_cli_job_string (root, "error_message") != NULL)
    g_print ("%s\n", va_cli_job_string (root, "error_message"));
  if (results == NULL || json_object_get_size (results) == 0) {
    g_print ("%s\n", _ ("No pipeline results yet."));
    return VA_EXIT_OK;
  }
  g_print ("%-22s  %-9s  %11s  %9s  %s\n", _ ("PIPELINE"), _ ("STATUS"), _ ("ANNOTATIONS"),
           _ ("TIME (s)"), _ ("FILE"));
  {
    g_autoptr (GList) names = json_object_get_members (results);
    for (GList *l = names; l != NULL; l = l->next) {
      JsonNode *item = json_object_get_member (results, l->data);
      JsonObject *r;
      const char *file, *message;
      g_autofree char *base = NULL, *count_text = NULL, *time_text = NULL;
      double count, seconds;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      r = json_node_get_object (item);
      file = va_cli_job_string (r, "output_file");
      base = file != NULL ? g_path_get_basename (file) : g_strdup ("-");
      count = va_cli_job_number (r, "annotation_count", -1);
      seconds = va_cli_job_number (r, "processing_time", -1);
      count_text = count >= 0 ? g_strdup_printf ("%.0f", count) : g_strdup ("-");
      time_text = seconds >= 0 ? g_strdup_printf ("%.2f", seconds) : g_strdup ("-");
      g_print ("%-22s  %-9s  %11s  %9s  %s\n", (const char *)l->data,
               va_cli_job_string (r, "status") != NULL ? va_cli_job_string (r, "status") : "?",
               count_text, time_text, base);
      message = va_cli_job_string (r, "error_message");
      if (message != NULL)
        g_print ("    %s\n", message);
    }
  }
  return VA_EXIT_OK;
}

static int
va_cli_job_cancel (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the cancelled job as JSON"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  int code;

  code = va_cli_job_setup (&self, "cancel", _ ("ID"),
                           _ ("Cancel a pending or running job. Cancelling a cancelled job again "
                              "succeeds; a completed or failed job cannot be cancelled."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.json = json;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job cancel ID [--json]")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "/cancel");
  node = va_cli_job_call (&self, "POST", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  if (json)
    va_cli_job_print_json (node);
  else
    g_print (_ ("Cancelled job %s.\n"), rest[1]);
  return VA_EXIT_OK;
}

static int
va_cli_job_delete (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  GOptionEntry entries[] = { { NULL } };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;
  int code;

  for (int i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--purge"))
      return va_cli_erasure_purge_job (argc, argv);
  }
  code = va_cli_job_setup (&self, "delete", _ ("ID"),
                           _ ("Delete a job in any state (a running one is stopped first): its "
                              "records, its video and every result file on the server."),
                           entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  if (!va_cli_job_check_args (&self, rest, 1, _ ("Usage: videoannotator job delete ID")))
    return VA_EXIT_USAGE;
  path = va_cli_job_path (rest[1], "");
  node = va_cli_job_call (&self, "DELETE", path, &error);
  if (node == NULL)
    return va_cli_job_fail (&self, error);
  g_print (_ ("Deleted job %s.\n"), rest[1]);
  return VA_EXIT_OK;
}

/* ---- job download ------------------------------------------------------------ */

static int
va_cli_job_download (int argc, char **argv)
{
  g_auto (VaCliJob) self = { 0 };
  g_autofree char *output = NULL, *pipeline = NULL;
  gboolean quiet = FALSE, eaf = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_ ("Directory to write into (default: the current directory; created if missing)"),
      N_ ("DIR") },
    { "pipeline", 0, 0, G_OPTION_ARG_STRING, &pipeline,
      N_ ("Download only this pipeline's result file instead of the artifacts ZIP"), N_ ("NAME") },
    { "eaf", 0, 0, G_OPTION_ARG_NONE, &eaf,
      N_ ("Download the transcript, speakers, voice activity and scenes as one ELAN .eaf file"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_ ("No progress display"), NULL },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL, *fallback = NULL, *written = NULL, *directory = NULL;
  int code;

  code = va_cli_job_setup (
      &self, "download", _ ("ID"),
      _ ("Download the job's artifacts (a ZIP of every result file, without "
         "the video), with --pipeline one result file, or with --eaf the results "
         "as an ELAN document. The file appears whole or not at all; a file of the "
         "same name is replaced."),
      entries, argc, argv, &rest);
  if (code >= 0)
    return code;
  self.quiet = quiet;
  if (!va_cli_job_check_args (
          &self, rest, 1,
          _ ("Usage: videoannotator job download ID [-o DIR] [--pipeline NAME | --eaf]")))
    return VA_EXIT_USAGE;
  if (eaf && pipeline != NULL)
    return va_cli_job_usage_error (&self, _ ("--eaf and --pipeline exclude each other"));

  directory = g_canonicalize_filename (output != NULL ? output : ".", NULL);
  if (g_file_test (directory, G_FILE_TEST_EXISTS) && !g_file_test (directory, G_FILE_TEST_IS_DIR))
    return va_cli_job_usage_error (&self, _ ("--output must name a directory"));
  if (g_mkdir_with_parents (directory, 0777) != 0) {
    int saved = errno;
    g_printerr (_ ("videoannotator job download: cannot create %s: %s\n"), directory,
                g_strerror (saved));
    return VA_EXIT_FAILURE;
  }

  if (eaf) {
    path = va_cli_job_path (rest[1], "/results/eaf");
    fallback = g_strdup_printf ("job_%s.eaf", rest[1]);
  } else if (pipeline != NULL) {
    g_autofree char *escaped = g_uri_escape_string (pipeline, NULL, FALSE);
    g_autofree char *suffix = g_strconcat ("/results/files/", escaped, NULL);
    path = va_cli_job_path (rest[1], suffix);
    fallback = g_strdup_printf ("job_%s_%s", rest[1], pipeline);
  } else {
    path = va_cli_job_path (rest[1], "/artifacts");
    fallback = g_strdup_printf ("job_%s_artifacts.zip", rest[1]);
  }
  /* the fallback is a file name: no directory part from the arguments */
  g_strdelimit (fallback, "/\\", '_');

  va_cli_job_begin_progress (&self, _ ("download"));
  va_remote_client_download_async (self.client, path, directory, fallback, self.cancellable,
                                   va_cli_job_result_cb, &self);
  written = va_remote_client_download_finish (self.client, va_cli_job_wait_result (&self), &error);
  g_clear_object (&self.result);
  va_cli_job_clear_progress (&self);
  if (written == NULL) {
    if (self.interrupted) {
      self.said_interrupted = TRUE;
      g_printerr ("%s\n", _ ("videoannotator: download interrupted; nothing was written"));
    }
    return va_cli_job_fail (&self, error);
  }
  {
    GStatBuf st;
    g_autofree char *size = g_stat (written, &st) == 0 ? g_format_size (st.st_size) : NULL;
    if (size != NULL)
      g_print (_ ("Saved %s (%s)\n"), written, size);
  }
  g_print ("%s\n", written);
  return VA_EXIT_OK;
}

/* ---- dispatch ---------------------------------------------------------------- */

static const VaCliCommand va_cli_job_commands[] = {
  { "submit", N_ ("Upload a video as a new job"), va_cli_job_submit },
  { "list", N_ ("List jobs"), va_cli_job_list },
  { "status", N_ ("Show one job"), va_cli_job_status },
  { "results", N_ ("Show a job's pipeline results"), va_cli_job_results },
  { "download", N_ ("Download a job's artifacts or one result file"), va_cli_job_download },
  { "cancel", N_ ("Cancel a pending or running job"), va_cli_job_cancel },
  { "delete", N_ ("Delete a job and its files"), va_cli_job_delete },
};

static void
va_cli_job_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _ ("Usage: videoannotator job COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _ ("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (va_cli_job_commands); i++)
    fprintf (out, "  %-10s %s\n", va_cli_job_commands[i].name, _ (va_cli_job_commands[i].summary));
  fprintf (out, "\n%s\n",
           _ ("Every command takes --server URL (or VIDEOANNOTATOR_SERVER_URL) and reads the API "
              "key from VIDEOANNOTATOR_API_KEY or --api-key-file FILE; run “videoannotator job "
              "COMMAND --help”."));
}

int
va_cli_job (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "--dbus"))
    return va_cli_job_dbus (argc - 1, argv + 1);
  if (argc >= 2) {
    for (guint i = 0; i < G_N_ELEMENTS (va_cli_job_commands); i++) {
      if (g_str_equal (argv[1], va_cli_job_commands[i].name))
        return va_cli_job_commands[i].run (argc - 1, argv + 1);
    }
    /* VideoAnnotator 1.4's name for it, so its scripts keep working */
    if (g_str_equal (argv[1], "download-annotations"))
      return va_cli_job_download (argc - 1, argv + 1);
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
      va_cli_job_usage (stdout);
      return VA_EXIT_OK;
    }
    g_printerr (_ ("videoannotator job: unknown command “%s”\n\n"), argv[1]);
  }
  va_cli_job_usage (stderr);
  return VA_EXIT_USAGE;
}
