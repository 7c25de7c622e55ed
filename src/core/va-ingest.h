/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * VaIngestRefusal:
 * @VA_INGEST_OK: not refused
 * @VA_INGEST_NOT_ADMIN: the caller is not an administrator
 * @VA_INGEST_REMOTE_CALLER: the request did not come from this machine
 * @VA_INGEST_DISABLED: no folder is allowed (`ingest-roots` is empty)
 * @VA_INGEST_PATH_REQUIRED: no path was given
 * @VA_INGEST_PATH_INVALID: the path cannot be resolved (not absolute,
 *   a symlink loop, not UTF-8)
 * @VA_INGEST_PATH_NOT_ALLOWED: the resolved path is outside every root
 * @VA_INGEST_PATH_NOT_FOUND: the path does not exist
 * @VA_INGEST_NOT_A_FOLDER: the path is not a directory
 * @VA_INGEST_UNREADABLE: the folder cannot be listed
 * @VA_INGEST_NO_VIDEOS: the folder holds no video file
 *
 * Why a server-side folder ingest (1.5 `POST /api/v1/ingest`) was refused.
 */
typedef enum {
  VA_INGEST_OK,
  VA_INGEST_NOT_ADMIN,
  VA_INGEST_REMOTE_CALLER,
  VA_INGEST_DISABLED,
  VA_INGEST_PATH_REQUIRED,
  VA_INGEST_PATH_INVALID,
  VA_INGEST_PATH_NOT_ALLOWED,
  VA_INGEST_PATH_NOT_FOUND,
  VA_INGEST_NOT_A_FOLDER,
  VA_INGEST_UNREADABLE,
  VA_INGEST_NO_VIDEOS,
} VaIngestRefusal;

char *va_ingest_resolve_folder (const char *const *roots, const char *path,
                                VaIngestRefusal *refusal, GError **error);
GPtrArray *va_ingest_list_videos (const char *folder, gboolean recursive, VaIngestRefusal *refusal,
                                  GError **error);

G_END_DECLS
