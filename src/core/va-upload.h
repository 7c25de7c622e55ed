/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-storage.h"

G_BEGIN_DECLS

#define VA_TYPE_UPLOAD (va_upload_get_type ())
G_DECLARE_FINAL_TYPE (VaUpload, va_upload, VA, UPLOAD, GObject)

VaUpload *va_upload_create (VaStorage *storage, const char *client_filename, gint64 expected_size,
                            GError **error);

const char *va_upload_get_job_id (VaUpload *self);
const char *va_upload_get_filename (VaUpload *self);
guint64 va_upload_get_size (VaUpload *self);
gboolean va_upload_is_complete (VaUpload *self);
const char *va_upload_get_path (VaUpload *self);
const char *va_upload_get_media_type (VaUpload *self);
const char *va_upload_get_sha256 (VaUpload *self);

gboolean va_upload_write (VaUpload *self, const void *data, gsize size, GCancellable *cancellable,
                          GError **error);
void va_upload_write_bytes_async (VaUpload *self, GBytes *bytes, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean va_upload_write_bytes_finish (VaUpload *self, GAsyncResult *result, GError **error);
void va_upload_splice_async (VaUpload *self, GInputStream *input, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean va_upload_splice_finish (VaUpload *self, GAsyncResult *result, GError **error);

gboolean va_upload_complete (VaUpload *self, GCancellable *cancellable, GError **error);
void va_upload_complete_async (VaUpload *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean va_upload_complete_finish (VaUpload *self, GAsyncResult *result, GError **error);

void va_upload_abort (VaUpload *self);

const char *va_upload_get_batch_id (VaUpload *self);
const char *va_upload_get_batch_name (VaUpload *self);
void va_upload_set_batch (VaUpload *self, const char *batch_id, const char *batch_name);

G_END_DECLS
