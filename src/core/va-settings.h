/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VA_SETTINGS_SCHEMA_ID "org.videoannotator.VideoAnnotator"

/**
 * VaSettingsSource:
 * @VA_SETTINGS_SOURCE_DEFAULT: the schema default
 * @VA_SETTINGS_SOURCE_GSETTINGS: set in the GSettings backend (dconf, memory, ...)
 * @VA_SETTINGS_SOURCE_KEYFILE: set in the keyfile (videoannotator.conf)
 * @VA_SETTINGS_SOURCE_ENVIRONMENT: an environment variable
 * @VA_SETTINGS_SOURCE_COMMAND_LINE: a command-line flag (or va_settings_set_override())
 *
 * Where an effective value came from, in increasing order of precedence.
 */
typedef enum {
  VA_SETTINGS_SOURCE_DEFAULT,
  VA_SETTINGS_SOURCE_GSETTINGS,
  VA_SETTINGS_SOURCE_KEYFILE,
  VA_SETTINGS_SOURCE_ENVIRONMENT,
  VA_SETTINGS_SOURCE_COMMAND_LINE,
} VaSettingsSource;

/**
 * VaSettingsBackendKind:
 * @VA_SETTINGS_BACKEND_AUTO: GSettings' default backend when a session bus
 *   exists or GSETTINGS_BACKEND is set, the keyfile otherwise
 * @VA_SETTINGS_BACKEND_GSETTINGS: GSettings' default backend (dconf on desktops)
 * @VA_SETTINGS_BACKEND_KEYFILE: the keyfile backend on videoannotator.conf
 */
typedef enum {
  VA_SETTINGS_BACKEND_AUTO,
  VA_SETTINGS_BACKEND_GSETTINGS,
  VA_SETTINGS_BACKEND_KEYFILE,
} VaSettingsBackendKind;

#define VA_TYPE_SETTINGS (va_settings_get_type ())
G_DECLARE_FINAL_TYPE (VaSettings, va_settings, VA, SETTINGS, GObject)

VaSettings *va_settings_new (GError **error);

GOptionGroup *va_settings_get_option_group (VaSettings *self);
gboolean va_settings_parse_command_line (VaSettings *self, GOptionContext *context, GStrv *args,
                                         GError **error);
gboolean va_settings_set_override (VaSettings *self, const char *key, const char *value,
                                   GError **error);
void va_settings_set_backend (VaSettings *self, GSettingsBackend *backend);
void va_settings_set_backend_kind (VaSettings *self, VaSettingsBackendKind kind);
void va_settings_set_config_file (VaSettings *self, const char *path);
gboolean va_settings_load (VaSettings *self, const char *const *envp, GError **error);
VaSettings *va_settings_new_loaded (const char *const *envp, GError **error);

gboolean va_settings_get_boolean (VaSettings *self, const char *key);
gint va_settings_get_int (VaSettings *self, const char *key);
guint va_settings_get_uint (VaSettings *self, const char *key);
guint64 va_settings_get_uint64 (VaSettings *self, const char *key);
double va_settings_get_double (VaSettings *self, const char *key);
const char *va_settings_get_string (VaSettings *self, const char *key);
const char *const *va_settings_get_strv (VaSettings *self, const char *key);
GVariant *va_settings_get_value (VaSettings *self, const char *key);

VaSettingsSource va_settings_get_source (VaSettings *self, const char *key, const char **origin);
const char *va_settings_source_to_string (VaSettingsSource source);
const char *const *va_settings_list_keys (VaSettings *self);
const char *va_settings_get_summary (VaSettings *self, const char *key);
const char *const *va_settings_get_env_names (VaSettings *self, const char *key);

VaSettingsBackendKind va_settings_get_backend_kind (VaSettings *self);
const char *va_settings_get_config_file (VaSettings *self);

const char *va_settings_get_data_dir (VaSettings *self);
const char *va_settings_get_storage_dir (VaSettings *self);
const char *va_settings_get_log_dir (VaSettings *self);
const char *va_settings_get_token_dir (VaSettings *self);
const char *va_settings_get_database_path (VaSettings *self);

G_END_DECLS
