/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "va-codec.h"
#include "va-error.h"
#include "va-log-file.h"
#include "va-log.h"

/**
 * SECTION:va-log
 * @title: VaLog
 *
 * The process's GLib log writer. Every record (g_info(), g_warning(),
 * g_log_structured(), GLib's own) is filtered by the log-level setting,
 * passed through the one #VaLogSanitizer, then written to the console
 * (journald under systemd, text otherwise) and as a JSON line to
 * `<log-dir>/videoannotator.log`. Other components write their own JSON
 * logs (api_requests, audit, security) through va_log_append_record(), which
 * sanitizes and rotates them the same way.
 *
 * Levels: the setting's names map onto GLib's as debug = G_LOG_LEVEL_DEBUG,
 * info = INFO and MESSAGE, warning = WARNING, error = CRITICAL (GLib's
 * "programmer error", not fatal), critical = ERROR (fatal).
 */

#define VA_MAIN_LOG_NAME "videoannotator"

static const char *const va_log_level_names[] = { "debug", "info", "warning", "error", "critical" };

struct _VaLog {
  GObject parent_instance;

  VaLogOutputs outputs;
  char *dir;
  guint threshold; /* index into va_log_level_names */
  guint64 max_size;
  guint max_files;
  VaLogSanitizer *sanitizer;
  gboolean journald;
  gboolean color;

  VaLogFile *main_file;
  GMutex named_lock;
  GHashTable *named;    /* log name → VaLogFile */
  GHashTable *buffered; /* log names written through a buffer */
  GSource *flush_source;
  gint write_failed; /* reported once */
};

G_DEFINE_TYPE (VaLog, va_log, G_TYPE_OBJECT)

static void
va_log_finalize (GObject *object)
{
  VaLog *self = VA_LOG (object);

  if (self->flush_source != NULL) {
    g_source_destroy (self->flush_source);
    g_source_unref (self->flush_source);
  }
  /* the files flush what they hold when finalized */
  g_free (self->dir);
  g_clear_object (&self->sanitizer);
  g_clear_object (&self->main_file);
  g_hash_table_unref (self->named);
  g_hash_table_unref (self->buffered);
  g_mutex_clear (&self->named_lock);
  G_OBJECT_CLASS (va_log_parent_class)->finalize (object);
}

static void
va_log_class_init (VaLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_log_finalize;
}

static void
va_log_init (VaLog *self)
{
  g_mutex_init (&self->named_lock);
  self->named = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->buffered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static guint
va_log_severity (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return 4;
  if (level & G_LOG_LEVEL_CRITICAL)
    return 3;
  if (level & G_LOG_LEVEL_WARNING)
    return 2;
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    return 1;
  return 0;
}

/* A directory of ours outside the data dir still gets a readable name. */
static void
va_log_add_root_if_outside (VaLogSanitizer *sanitizer, const char *data_dir, const char *path,
                            const char *label)
{
  g_autofree char *prefix = g_strconcat (data_dir, "/", NULL);

  if (path != NULL && g_path_is_absolute (path) && !g_str_equal (path, data_dir)
      && !g_str_has_prefix (path, prefix))
    va_log_sanitizer_add_root (sanitizer, path, label);
}

static gboolean
va_log_level_from_name (const char *name, guint *threshold)
{
  for (guint i = 0; i < G_N_ELEMENTS (va_log_level_names); i++) {
    if (g_strcmp0 (name, va_log_level_names[i]) == 0) {
      *threshold = i;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * va_log_new:
 * @settings: (nullable): loaded settings (log-dir, log-level, log-max-size,
 *   log-max-files, data-dir); %NULL before settings are known: default data
 *   directory, level warning
 * @outputs: where records of the GLib log go
 * @error: return location for a #GError
 *
 * With %VA_LOG_OUTPUT_FILE the log directory is created (0750).
 *
 * Returns: (transfer full): a new log, not yet installed
 */
VaLog *
va_log_new (VaSettings *settings, VaLogOutputs outputs, GError **error)
{
  g_autoptr (VaLog) self = g_object_new (VA_TYPE_LOG, NULL);
  g_autofree char *default_data_dir = NULL;
  const char *data_dir;

  self->outputs = outputs;
  if (settings != NULL) {
    data_dir = va_settings_get_data_dir (settings);
    self->dir = g_strdup (va_settings_get_log_dir (settings));
    self->max_size = va_settings_get_uint64 (settings, "log-max-size");
    self->max_files = va_settings_get_uint (settings, "log-max-files");
    va_log_level_from_name (va_settings_get_string (settings, "log-level"), &self->threshold);
  } else {
    data_dir = default_data_dir = g_build_filename (g_get_user_data_dir (), "videoannotator", NULL);
    self->dir = g_build_filename (data_dir, "logs", NULL);
    self->max_size = 10 * 1024 * 1024;
    self->max_files = 5;
    self->threshold = 2; /* warning */
  }

  self->sanitizer = va_log_sanitizer_new (data_dir);
  if (settings != NULL) {
    va_log_add_root_if_outside (self->sanitizer, data_dir, va_settings_get_storage_dir (settings),
                                "storage");
    va_log_add_root_if_outside (self->sanitizer, data_dir, va_settings_get_token_dir (settings),
                                "tokens");
    va_log_add_root_if_outside (self->sanitizer, data_dir, self->dir, "logs");
  }

  self->journald = g_log_writer_is_journald (fileno (stderr));
  self->color = !self->journald && g_log_writer_supports_color (fileno (stderr));

  if (outputs & VA_LOG_OUTPUT_FILE) {
    g_autofree char *path = g_build_filename (self->dir, VA_MAIN_LOG_NAME ".log", NULL);

    if (g_mkdir_with_parents (self->dir, 0750) != 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, _ ("Cannot create log directory %s: %s"),
                   self->dir, g_strerror (saved));
      return NULL;
    }
    self->main_file = va_log_file_new (path, self->max_size, self->max_files);
  }
  return g_steal_pointer (&self);
}

/**
 * va_log_set_level:
 * @self: a log not yet shared between threads
 * @level: debug, info, warning, error or critical
 *
 * Overrides the level taken from the settings, e.g. for a command-line
 * tool whose terminal should only show warnings unless asked otherwise.
 */
void
va_log_set_level (VaLog *self, const char *level)
{
  g_return_if_fail (VA_IS_LOG (self));
  if (!va_log_level_from_name (level, &self->threshold))
    g_critical ("Unknown log level “%s”", level);
}

/* The installed log, replaceable: a command installs a console log before
 * its settings are known and a better one once they are. */
static GMutex va_log_installed_lock;
static VaLog *va_log_installed;

static GLogWriterOutput
va_log_writer_func (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
                    gpointer user_data)
{
  g_autoptr (VaLog) log = NULL;

  g_mutex_lock (&va_log_installed_lock);
  log = va_log_installed != NULL ? g_object_ref (va_log_installed) : NULL;
  g_mutex_unlock (&va_log_installed_lock);
  if (log == NULL)
    return g_log_writer_default (log_level, fields, n_fields, NULL);
  return va_log_write (log, log_level, fields, n_fields);
}

/**
 * va_log_install:
 * @self: a log
 *
 * Makes @self the writer of every GLib log record in the process, in place
 * of the log installed before, if any. @self stays alive from then on.
 */
void
va_log_install (VaLog *self)
{
  static gsize writer_set = 0;

  g_return_if_fail (VA_IS_LOG (self));
  g_mutex_lock (&va_log_installed_lock);
  g_set_object (&va_log_installed, self);
  g_mutex_unlock (&va_log_installed_lock);
  /* GLib accepts one writer function per process */
  if (g_once_init_enter (&writer_set)) {
    g_log_set_writer_func (va_log_writer_func, NULL, NULL);
    g_once_init_leave (&writer_set, 1);
  }
}

/**
 * va_log_would_log:
 *
 * Whether records of @log_level pass the log-level setting; lets callers
 * skip building expensive debug messages.
 */
gboolean
va_log_would_log (VaLog *self, GLogLevelFlags log_level)
{
  g_return_val_if_fail (VA_IS_LOG (self), FALSE);
  return va_log_severity (log_level) >= self->threshold;
}

static void
va_log_report_write_failure (VaLog *self, const GError *error)
{
  /* once, on the console: the log file itself is what failed */
  if (g_atomic_int_compare_and_exchange (&self->write_failed, 0, 1)) {
    g_autofree char *clean = va_log_sanitizer_sanitize (self->sanitizer, error->message);
    g_autofree char *line = g_strdup_printf ("videoannotator: %s\n", clean);
    if (write (STDERR_FILENO, line, strlen (line)) < 0) {
      /* nowhere left to report it */
    }
  }
}

static gboolean
va_log_field_is (const GLogField *field, const char *key)
{
  return g_str_equal (field->key, key);
}

/* The string of a field, or NULL for binary data. */
static char *
va_log_field_dup_string (const GLogField *field)
{
  if (field->length < 0)
    return g_strdup (field->value);
  if (g_utf8_validate (field->value, field->length, NULL))
    return g_strndup (field->value, field->length);
  return NULL;
}

static void
va_log_write_console (VaLog *self, GLogLevelFlags log_level, const char *domain,
                      const char *message)
{
  static const char *const colors[]
      = { "\033[1;32m", "\033[1;34m", "\033[1;33m", "\033[1;31m", "\033[1;35m" };
  guint severity = va_log_severity (log_level);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
  g_autoptr (GString) line = g_string_new (NULL);
  g_autofree char *upper = g_ascii_strup (va_log_level_names[severity], -1);

  g_string_append_printf (line, "%s.%03d ", time, g_date_time_get_microsecond (now) / 1000);
  if (self->color)
    g_string_append_printf (line, "%s%-8s\033[0m ", colors[severity], upper);
  else
    g_string_append_printf (line, "%-8s ", upper);
  if (domain != NULL)
    g_string_append_printf (line, "%s: ", domain);
  g_string_append (line, message != NULL ? message : "");
  g_string_append_c (line, '\n');
  if (write (STDERR_FILENO, line->str, line->len) < 0) {
    /* stderr closed: nothing to do */
  }
}

static char *
va_log_timestamp (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format_iso8601 (now);
}

/**
 * va_log_write:
 * @self: a log
 * @log_level: the record's level
 * @fields: (array length=n_fields): the record's fields
 * @n_fields: number of @fields
 *
 * What the installed writer does with each record; callable directly.
 *
 * Returns: %G_LOG_WRITER_HANDLED (also for records below the level)
 */
GLogWriterOutput
va_log_write (VaLog *self, GLogLevelFlags log_level, const GLogField *fields, gsize n_fields)
{
  g_autofree GLogField *clean = NULL;
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  const char *message = NULL, *domain = NULL;

  g_return_val_if_fail (VA_IS_LOG (self), G_LOG_WRITER_UNHANDLED);

  if (va_log_severity (log_level) < self->threshold)
    return G_LOG_WRITER_HANDLED;

  /* one sanitized copy of the fields serves every sink */
  clean = g_new0 (GLogField, n_fields);
  for (gsize i = 0; i < n_fields; i++) {
    clean[i] = fields[i];
    if (va_log_field_is (&fields[i], "PRIORITY") || va_log_field_is (&fields[i], "GLIB_DOMAIN")
        || g_str_has_prefix (fields[i].key, "CODE_")
        || va_log_field_is (&fields[i], "GLIB_OLD_LOG_API")) {
      if (va_log_field_is (&fields[i], "GLIB_DOMAIN"))
        domain = fields[i].length < 0 ? fields[i].value : NULL;
      continue;
    }
    {
      g_autofree char *text = va_log_field_dup_string (&fields[i]);
      char *sanitized;

      if (text == NULL)
        continue; /* binary: passed to journald as is, left out of the JSON */
      sanitized = va_log_sanitizer_sanitize (self->sanitizer, text);
      g_ptr_array_add (owned, sanitized);
      clean[i].value = sanitized;
      clean[i].length = -1;
      if (va_log_field_is (&fields[i], "MESSAGE"))
        message = sanitized;
    }
  }

  if (self->outputs & VA_LOG_OUTPUT_CONSOLE) {
    /* journald's socket can be missing even though stderr is the journal's
     * stream (containers); the text line then still reaches the journal */
    if (!self->journald
        || g_log_writer_journald (log_level, clean, n_fields, NULL) != G_LOG_WRITER_HANDLED)
      va_log_write_console (self, log_level, domain, message);
  }

  if (self->main_file != NULL) {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *timestamp = va_log_timestamp ();
    g_autofree char *line = NULL;
    g_autoptr (GError) error = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "timestamp");
    json_builder_add_string_value (builder, timestamp);
    json_builder_set_member_name (builder, "level");
    json_builder_add_string_value (builder, va_log_level_names[va_log_severity (log_level)]);
    if (domain != NULL) {
      json_builder_set_member_name (builder, "domain");
      json_builder_add_string_value (builder, domain);
    }
    json_builder_set_member_name (builder, "message");
    json_builder_add_string_value (builder, message != NULL ? message : "");
    for (gsize i = 0; i < n_fields; i++) {
      g_autofree char *name = NULL;

      if (clean[i].length >= 0 || va_log_field_is (&clean[i], "MESSAGE")
          || va_log_field_is (&clean[i], "PRIORITY") || va_log_field_is (&clean[i], "GLIB_DOMAIN")
          || va_log_field_is (&clean[i], "GLIB_OLD_LOG_API"))
        continue;
      name = g_ascii_strdown (clean[i].key, -1);
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, clean[i].value);
    }
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    line = json_to_string (root, FALSE);
    if (!va_log_file_append_line (self->main_file, line, -1, &error))
      va_log_report_write_failure (self, error);
  }
  return G_LOG_WRITER_HANDLED;
}

static gboolean
va_log_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++) {
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_' && *p != '-')
      return FALSE;
  }
  return TRUE;
}

/**
 * va_log_append_record:
 * @self: a log
 * @log_name: `api_requests`, `audit`, `security`, ...: the file is
 *   `<log-dir>/<log_name>.log` (lower-case letters, digits, `_`, `-`)
 * @record: the record's fields
 * @error: return location for a #GError
 *
 * Writes @record as one JSON line, with a `timestamp` first (UTC, ISO 8601)
 * unless it has one, every string sanitized, rotated like the main log.
 * @record itself is not modified. Thread-safe.
 */
static char *
va_log_sanitize_string (const char *text, gpointer user_data)
{
  return va_log_sanitizer_sanitize (user_data, text);
}

static VaLogFile *
va_log_get_named_file (VaLog *self, const char *log_name, GError **error)
{
  VaLogFile *file;

  g_mutex_lock (&self->named_lock);
  file = g_hash_table_lookup (self->named, log_name);
  if (file == NULL) {
    g_autofree char *file_name = g_strconcat (log_name, ".log", NULL);
    g_autofree char *path = g_build_filename (self->dir, file_name, NULL);

    if (g_mkdir_with_parents (self->dir, 0750) != 0) {
      int saved = errno;
      g_mutex_unlock (&self->named_lock);
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, _ ("Cannot create log directory %s: %s"),
                   self->dir, g_strerror (saved));
      return NULL;
    }
    file = va_log_file_new (path, self->max_size, self->max_files);
    if (g_hash_table_contains (self->buffered, log_name))
      va_log_file_set_buffer_size (file, VA_LOG_BUFFER_SIZE);
    g_hash_table_insert (self->named, g_strdup (log_name), file);
  }
  g_object_ref (file);
  g_mutex_unlock (&self->named_lock);
  return file;
}

/**
 * va_log_append_record:
 * @self: a log
 * @log_name: `api_requests`, `audit`, `security`, ...: the file is
 *   `<log-dir>/<log_name>.log` (lower-case letters, digits, `_`, `-`)
 * @record: the record's fields
 * @error: return location for a #GError
 *
 * Writes @record as one JSON line, with a `timestamp` first (UTC, ISO 8601)
 * unless it has one, every string sanitized, rotated like the main log.
 * @record itself is not modified. Thread-safe.
 */
gboolean
va_log_append_record (VaLog *self, const char *log_name, JsonObject *record, GError **error)
{
  g_autoptr (GString) line = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (VaLogFile) file = NULL;

  g_return_val_if_fail (VA_IS_LOG (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!va_log_name_is_valid (log_name)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Invalid log name “%s”"),
                 log_name != NULL ? log_name : "");
    return FALSE;
  }

  line = g_string_sized_new (512);
  node = json_node_init_object (json_node_alloc (), record);
  if (!json_object_has_member (record, "timestamp")) {
    g_autofree char *timestamp = va_log_timestamp ();

    g_string_append (line, "{\"timestamp\":");
    va_codec_append_json_string (line, timestamp);
    /* the record's own members follow, without its opening brace */
    if (json_object_get_size (record) > 0) {
      g_autoptr (GString) rest = g_string_sized_new (512);

      va_codec_append_json (rest, node, va_log_sanitize_string, self->sanitizer);
      g_string_append_c (line, ',');
      g_string_append_len (line, rest->str + 1, rest->len - 1);
    } else {
      g_string_append_c (line, '}');
    }
  } else {
    /* in one pass: no sanitized copy of the record is built (that copy and
     * json-glib's generator cost more than the rest of the logging) */
    va_codec_append_json (line, node, va_log_sanitize_string, self->sanitizer);
  }

  file = va_log_get_named_file (self, log_name, error);
  if (file == NULL)
    return FALSE;
  if (!va_log_file_append_line (file, line->str, line->len, error)) {
    va_error_convert (error);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_log_append_timestamp:
 * @out: where to write
 * @real_time_us: a g_get_real_time() value
 *
 * Appends the time as the records' `timestamp` shows it, ISO 8601 in UTC
 * with microseconds (`2026-11-28T01:12:03.123456Z`), without a #GDateTime
 * and without printf (both cost more than the rest of an access log line).
 */
void
va_log_append_timestamp (GString *out, gint64 real_time_us)
{
  time_t seconds = (time_t)(real_time_us / G_USEC_PER_SEC);
  gint64 usec = real_time_us % G_USEC_PER_SEC;
  struct tm tm;
  char text[32];
  int fields[7];
  const guint widths[7] = { 4, 2, 2, 2, 2, 2, 6 };
  const char separators[7] = { '-', '-', 'T', ':', ':', '.', 'Z' };
  guint pos = 0;

  gmtime_r (&seconds, &tm);
  fields[0] = tm.tm_year + 1900;
  fields[1] = tm.tm_mon + 1;
  fields[2] = tm.tm_mday;
  fields[3] = tm.tm_hour;
  fields[4] = tm.tm_min;
  fields[5] = tm.tm_sec;
  fields[6] = (int)usec;
  for (guint i = 0; i < 7; i++) {
    int value = fields[i];

    for (guint d = widths[i]; d > 0; d--) {
      text[pos + d - 1] = (char)('0' + value % 10);
      value /= 10;
    }
    pos += widths[i];
    text[pos++] = separators[i];
  }
  g_string_append_len (out, text, pos);
}

/**
 * va_log_append_line:
 * @self: a log
 * @log_name: as for va_log_append_record()
 * @line: one JSON object, without a newline
 * @length: its length in bytes
 * @error: return location for a #GError
 *
 * Writes @line as it is, for a caller that builds a record's text itself
 * (the access log, once per request): it must have passed every string
 * through va_log_get_sanitizer() and put a `timestamp` first
 * (va_log_append_timestamp()), as va_log_append_record() does.
 * Thread-safe.
 */
gboolean
va_log_append_line (VaLog *self, const char *log_name, const char *line, gsize length,
                    GError **error)
{
  g_autoptr (VaLogFile) file = NULL;

  g_return_val_if_fail (VA_IS_LOG (self), FALSE);
  g_return_val_if_fail (line != NULL && memchr (line, '\n', length) == NULL, FALSE);

  if (!va_log_name_is_valid (log_name)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Invalid log name “%s”"),
                 log_name != NULL ? log_name : "");
    return FALSE;
  }
  file = va_log_get_named_file (self, log_name, error);
  if (file == NULL)
    return FALSE;
  if (!va_log_file_append_line (file, line, length, error)) {
    va_error_convert (error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_log_flush_cb (gpointer user_data)
{
  VaLog *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!va_log_flush (self, &error))
    va_log_report_write_failure (self, error);
  return G_SOURCE_CONTINUE;
}

/**
 * va_log_set_buffered:
 * @self: a log
 * @log_name: a log of va_log_append_record()
 * @flush_interval_ms: longest time a line stays in memory
 *
 * Makes @log_name collect its lines in memory and write them in one go
 * when %VA_LOG_BUFFER_SIZE bytes are held, every @flush_interval_ms
 * milliseconds (a timer on the thread-default main context of the caller)
 * and on va_log_flush(): for the access log, one line per request, whose
 * write(2) each would cost as much as the rest of a small request. Call
 * va_log_flush() when the component writing it stops; lines of a process
 * that is killed within the interval are lost.
 */
void
va_log_set_buffered (VaLog *self, const char *log_name, guint flush_interval_ms)
{
  VaLogFile *file;

  g_return_if_fail (VA_IS_LOG (self));
  g_return_if_fail (va_log_name_is_valid (log_name));
  g_return_if_fail (flush_interval_ms > 0);

  g_mutex_lock (&self->named_lock);
  g_hash_table_add (self->buffered, g_strdup (log_name));
  file = g_hash_table_lookup (self->named, log_name);
  if (file != NULL)
    va_log_file_set_buffer_size (file, VA_LOG_BUFFER_SIZE);
  g_mutex_unlock (&self->named_lock);

  if (self->flush_source != NULL) {
    g_source_destroy (self->flush_source);
    g_source_unref (self->flush_source);
  }
  self->flush_source = g_timeout_source_new (flush_interval_ms);
  g_source_set_name (self->flush_source, "[videoannotator] log flush");
  /* the source holds no reference: finalize destroys it */
  g_source_set_callback (self->flush_source, va_log_flush_cb, self, NULL);
  g_source_attach (self->flush_source, g_main_context_get_thread_default ());
}

/**
 * va_log_flush:
 * @self: a log
 * @error: return location for a #GError
 *
 * Writes what buffered logs hold. Thread-safe.
 *
 * Returns: %FALSE if a log could not be written (its lines are dropped)
 */
gboolean
va_log_flush (VaLog *self, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer name;
  gboolean ok = TRUE;

  g_return_val_if_fail (VA_IS_LOG (self), FALSE);

  g_mutex_lock (&self->named_lock);
  g_hash_table_iter_init (&iter, self->buffered);
  while (g_hash_table_iter_next (&iter, &name, NULL)) {
    VaLogFile *file = g_hash_table_lookup (self->named, name);
    if (file != NULL)
      g_ptr_array_add (files, g_object_ref (file));
  }
  g_mutex_unlock (&self->named_lock);

  for (guint i = 0; i < files->len; i++) {
    g_autoptr (GError) local_error = NULL;

    if (!va_log_file_flush (files->pdata[i], &local_error) && ok) {
      ok = FALSE;
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  }
  return ok;
}

VaLogSanitizer *
va_log_get_sanitizer (VaLog *self)
{
  g_return_val_if_fail (VA_IS_LOG (self), NULL);
  return self->sanitizer;
}

const char *
va_log_get_dir (VaLog *self)
{
  g_return_val_if_fail (VA_IS_LOG (self), NULL);
  return self->dir;
}
