/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-output-file.h"

/* Output files are results of a service run: group-readable, not world. */
#define VA_OUTPUT_FILE_MODE 0640

/**
 * va_output_file_write_json:
 *
 * Writes @root pretty-printed to @path atomically (see
 * va_output_file_write()).
 */
gboolean
va_output_file_write_json (JsonNode *root, const char *path, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *data = NULL;
  gsize length = 0;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &length);
  return va_output_file_write (path, data, length, error);
}

/**
 * va_output_file_write_json_with_provenance:
 *
 * Like va_output_file_write_json(), with @model's provenance (if any) as
 * the last member of the top-level object.
 */
gboolean
va_output_file_write_json_with_provenance (JsonNode *root, VaAnnotationModel *model,
                                           const char *path, GError **error)
{
  JsonObject *provenance = va_annotation_model_get_provenance (model);

  if (provenance != NULL && JSON_NODE_HOLDS_OBJECT (root))
    json_object_set_object_member (json_node_get_object (root), "provenance",
                                   json_object_ref (provenance));
  return va_output_file_write_json (root, path, error);
}

/**
 * va_output_file_write:
 *
 * Writes @data to a temporary file next to @path, syncs it and renames it
 * over @path, so readers see either the old file or the complete new one.
 * The file gets mode 0640 (before the umask).
 */
gboolean
va_output_file_write (const char *path, const char *data, gsize length, GError **error)
{
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   VA_OUTPUT_FILE_MODE, error);
}
