/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

G_BEGIN_DECLS

/* libarchive handles for g_autoptr in the backup, restore and export code */
typedef struct archive_entry VaArchiveEntry;
typedef struct archive VaArchiveReader;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaArchiveEntry, archive_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaArchiveReader, archive_read_free)

G_END_DECLS
