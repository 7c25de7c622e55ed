/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-annotation-model.h"

G_BEGIN_DECLS

gboolean va_output_file_write (const char *path, const char *data, gsize length, GError **error);
gboolean va_output_file_write_json (JsonNode *root, const char *path, GError **error);
gboolean va_output_file_write_json_with_provenance (JsonNode *root, VaAnnotationModel *model,
                                                    const char *path, GError **error);

G_END_DECLS
