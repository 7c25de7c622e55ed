/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VA_TYPE_LOG_FILE (va_log_file_get_type ())
G_DECLARE_FINAL_TYPE (VaLogFile, va_log_file, VA, LOG_FILE, GObject)

VaLogFile *va_log_file_new (const char *path, guint64 max_size, guint max_files);
const char *va_log_file_get_path (VaLogFile *self);
gboolean va_log_file_append_line (VaLogFile *self, const char *line, gssize len, GError **error);
void va_log_file_set_buffer_size (VaLogFile *self, gsize size);
gboolean va_log_file_flush (VaLogFile *self, GError **error);

G_END_DECLS
