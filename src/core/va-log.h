/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "va-log-sanitizer.h"
#include "va-settings.h"

G_BEGIN_DECLS

/**
 * VaLogOutputs:
 * @VA_LOG_OUTPUT_CONSOLE: standard error: journald's native protocol when
 *   stderr is connected to the journal (systemd), human-readable lines
 *   otherwise (coloured on a terminal)
 * @VA_LOG_OUTPUT_FILE: JSON lines in `<log-dir>/videoannotator.log`
 */
typedef enum {
  VA_LOG_OUTPUT_CONSOLE = 1 << 0,
  VA_LOG_OUTPUT_FILE = 1 << 1,
} VaLogOutputs;

/* bytes a buffered log (va_log_set_buffered()) holds before writing */
#define VA_LOG_BUFFER_SIZE (64 * 1024)

#define VA_TYPE_LOG (va_log_get_type ())
G_DECLARE_FINAL_TYPE (VaLog, va_log, VA, LOG, GObject)

VaLog *va_log_new (VaSettings *settings, VaLogOutputs outputs, GError **error);
void va_log_set_level (VaLog *self, const char *level);
void va_log_install (VaLog *self);
GLogWriterOutput va_log_write (VaLog *self, GLogLevelFlags log_level, const GLogField *fields,
                               gsize n_fields);
gboolean va_log_append_record (VaLog *self, const char *log_name, JsonObject *record,
                               GError **error);
void va_log_set_buffered (VaLog *self, const char *log_name, guint flush_interval_ms);
gboolean va_log_flush (VaLog *self, GError **error);
VaLogSanitizer *va_log_get_sanitizer (VaLog *self);
void va_log_append_timestamp (GString *out, gint64 real_time_us);
gboolean va_log_append_line (VaLog *self, const char *log_name, const char *line, gsize length,
                             GError **error);
const char *va_log_get_dir (VaLog *self);
gboolean va_log_would_log (VaLog *self, GLogLevelFlags log_level);

G_END_DECLS
