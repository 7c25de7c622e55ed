/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * VaStorageUsage:
 * @total_bytes: size of the file system holding the storage root
 * @used_bytes: bytes in use on it (by anyone)
 * @free_bytes: bytes available to this process
 * @percent_used: @used_bytes / @total_bytes × 100
 *
 * For health reports and the free-space checks.
 */
typedef struct {
  guint64 total_bytes;
  guint64 used_bytes;
  guint64 free_bytes;
  double percent_used;
} VaStorageUsage;

/* mode of the storage root and of every job directory */
#define VA_STORAGE_DIR_MODE 0750
/* mode of every file written in a job directory */
#define VA_STORAGE_FILE_MODE 0640

#define VA_TYPE_STORAGE (va_storage_get_type ())
G_DECLARE_FINAL_TYPE (VaStorage, va_storage, VA, STORAGE, GObject)

VaStorage *va_storage_new (const char *root, GError **error);
const char *va_storage_get_root (VaStorage *self);

void va_storage_set_max_upload_size (VaStorage *self, guint64 bytes);
guint64 va_storage_get_max_upload_size (VaStorage *self);
void va_storage_set_min_free_space (VaStorage *self, guint64 bytes);
guint64 va_storage_get_min_free_space (VaStorage *self);

gboolean va_storage_check_job_id (const char *job_id, GError **error);
char *va_storage_dup_job_dir (VaStorage *self, const char *job_id, GError **error);
char *va_storage_resolve (VaStorage *self, const char *relative_path, GError **error);
char *va_storage_dup_relative (VaStorage *self, const char *path, GError **error);

char *va_storage_sanitize_filename (const char *client_filename);
char *va_storage_make_stem (const char *display_filename);

gboolean va_storage_query_usage (VaStorage *self, VaStorageUsage *usage, GError **error);
gboolean va_storage_check_free_space (VaStorage *self, guint64 incoming, GError **error);

char *va_storage_create_job_dir (VaStorage *self, gint64 expected_size, GError **error);

gboolean va_storage_job_dir_exists (VaStorage *self, const char *job_id);
gboolean va_storage_delete_job (VaStorage *self, const char *job_id, guint64 *bytes_freed,
                                GError **error);
void va_storage_delete_job_async (VaStorage *self, const char *job_id, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean va_storage_delete_job_finish (VaStorage *self, GAsyncResult *result, GError **error);
GPtrArray *va_storage_list_job_files (VaStorage *self, const char *job_id, GError **error);

G_END_DECLS
