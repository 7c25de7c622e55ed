/* Installs the models of the catalog: fetches the pinned npm tarball (or
 * takes a local copy), checks its sha512 integrity, extracts only the
 * model's files into the models directory.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-model-catalog.h"

G_BEGIN_DECLS

/* @from: NULL (download from @registry), a tarball, or a folder holding
 * tarballs named as `npm pack` names them */
gboolean va_model_install (const VaModelEntry *entry, const char *models_dir, const char *registry,
                           const char *from, GError **error);

G_END_DECLS
