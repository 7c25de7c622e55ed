/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* libarchive handles for g_autoptr in the backup, restore and export code */
typedef struct archive_entry VaArchiveEntry;
typedef struct archive VaArchiveReader;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaArchiveEntry, archive_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaArchiveReader, archive_read_free)

G_END_DECLS

G_BEGIN_DECLS

gboolean va_archive_error (struct archive *archive, const char *what, GError **error);
/* for members written block by block (the streamed export) */
gboolean va_archive_header (struct archive *archive, const char *name, guint64 size, gint64 mtime,
                            GError **error);
void va_archive_manifest_entry (JsonBuilder *manifest, const char *name, guint64 size,
                                GChecksum *sha);
gboolean va_archive_add_fd (struct archive *archive, int fd, const char *name,
                            JsonBuilder *manifest, guint64 *size, GError **error);
gboolean va_archive_add_bytes (struct archive *archive, const char *name, const void *data,
                               gsize length, JsonBuilder *manifest, GError **error);

G_END_DECLS
