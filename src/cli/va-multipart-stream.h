/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VA_TYPE_MULTIPART_STREAM (va_multipart_stream_get_type ())
G_DECLARE_FINAL_TYPE (VaMultipartStream, va_multipart_stream, VA, MULTIPART_STREAM, GInputStream)

VaMultipartStream *va_multipart_stream_new (void);
void va_multipart_stream_add_field (VaMultipartStream *self, const char *name, const char *value);
gboolean va_multipart_stream_add_file (VaMultipartStream *self, const char *name, GFile *file,
                                       const char *content_type, GCancellable *cancellable,
                                       GError **error);
const char *va_multipart_stream_get_content_type (VaMultipartStream *self);
goffset va_multipart_stream_get_size (VaMultipartStream *self);

G_END_DECLS
