/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Parsing and checking of setting values for VaSettings (intra-project). */

gboolean va_settings_value_invalid (GError **error, const char *where, const char *text,
                                    const char *expected);
char *va_settings_value_describe_expected (GSettingsSchemaKey *key);
gboolean va_settings_value_check (GSettingsSchemaKey *key, GVariant *value, const char *where,
                                  const char *shown, GError **error);
GVariant *va_settings_value_parse (GSettingsSchemaKey *key, const char *text, const char *where,
                                   GError **error);
char *va_settings_value_from_database_url (const char *url, GError **error);

G_END_DECLS
