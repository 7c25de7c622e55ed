/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id, "VANN": marks files this program created, so a
 * Python 1.4 database (which also has a schema_version table) is never
 * mistaken for ours. Backup archives and `diagnose` check it on files
 * they open without a store (va-backup*.c, va-diagnosis-files.c). */
#define VA_SQLITE_STORE_APPLICATION_ID 0x56414e4e

#define VA_TYPE_SQLITE_STORE (va_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (VaSqliteStore, va_sqlite_store, VA, SQLITE_STORE, VaStore)

VaStore *va_sqlite_store_new (const char *filename, GError **error);
/* For migration tests: stop at an older schema version. */
VaStore *va_sqlite_store_new_at_version (const char *filename, guint version, GError **error);
const char *va_sqlite_store_get_filename (VaSqliteStore *self);

G_END_DECLS
