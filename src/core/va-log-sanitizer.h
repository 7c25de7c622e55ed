/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VA_TYPE_LOG_SANITIZER (va_log_sanitizer_get_type ())
G_DECLARE_FINAL_TYPE (VaLogSanitizer, va_log_sanitizer, VA, LOG_SANITIZER, GObject)

VaLogSanitizer *va_log_sanitizer_new (const char *data_dir);
void va_log_sanitizer_add_root (VaLogSanitizer *self, const char *path, const char *label);
const char *va_log_sanitizer_get_data_dir (VaLogSanitizer *self);
char *va_log_sanitizer_sanitize (VaLogSanitizer *self, const char *text);
JsonNode *va_log_sanitizer_sanitize_json (VaLogSanitizer *self, JsonNode *node);

G_END_DECLS
