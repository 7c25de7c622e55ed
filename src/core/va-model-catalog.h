/* VaModelCatalog: the neural models the project can install, pinned in
 * data/models/models.json (npm package, version, sha512 integrity, licence
 * and which files of the package make up the model).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  char *name;     /* "blazeface": also the folder in the models directory */
  char *pipeline; /* the pipeline that uses it */
  gboolean is_default;
  char *summary;
  char *package; /* npm package name */
  char *version;
  char *integrity; /* "sha512-<base64>" as npm's dist.integrity */
  char *license;   /* SPDX identifier, checked in the package's own files */
  char *source;
  GStrv files;   /* installed names, relative to the model's folder */
  GStrv members; /* the tarball member each comes from, same order */
  /* models shipped in a format OpenCV cannot read: the converter's
   * arguments (run in the model's folder) and the file it writes */
  GStrv convert_args;
  char *convert_output;
} VaModelEntry;

#define VA_TYPE_MODEL_CATALOG (va_model_catalog_get_type ())
G_DECLARE_FINAL_TYPE (VaModelCatalog, va_model_catalog, VA, MODEL_CATALOG, GObject)

VaModelCatalog *va_model_catalog_new_default (void);
VaModelCatalog *va_model_catalog_new_from_file (const char *path, GError **error);

const char *va_model_catalog_get_registry (VaModelCatalog *self);
guint va_model_catalog_get_n_models (VaModelCatalog *self);
const VaModelEntry *va_model_catalog_get_model (VaModelCatalog *self, guint index);
const VaModelEntry *va_model_catalog_lookup (VaModelCatalog *self, const char *name);

char *va_model_entry_tarball_name (const VaModelEntry *entry);
char *va_model_entry_tarball_url (const VaModelEntry *entry, const char *registry);
char *va_model_entry_dir (const VaModelEntry *entry, const char *models_dir);
gboolean va_model_entry_is_installed (const VaModelEntry *entry, const char *models_dir,
                                      guint64 *size);

G_END_DECLS
