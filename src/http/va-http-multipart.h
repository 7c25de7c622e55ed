/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An incremental multipart/form-data parser: bytes are fed as they arrive
 * from the socket and part data is handed on at once, so an upload of any
 * size passes through a buffer no larger than one network chunk. */

typedef struct {
  /* a new part; @filename and @content_type may be NULL */
  gboolean (*part_begin) (gpointer user_data, const char *name, const char *filename,
                          const char *content_type, GError **error);
  gboolean (*part_data) (gpointer user_data, const guint8 *data, gsize length, GError **error);
  gboolean (*part_end) (gpointer user_data, GError **error);
} VaHttpMultipartCallbacks;

typedef struct _VaHttpMultipart VaHttpMultipart;

VaHttpMultipart *va_http_multipart_new (const char *boundary,
                                        const VaHttpMultipartCallbacks *callbacks,
                                        gpointer user_data);
void va_http_multipart_free (VaHttpMultipart *mp);
gboolean va_http_multipart_feed (VaHttpMultipart *mp, const guint8 *data, gsize length,
                                 GError **error);
gboolean va_http_multipart_finish (VaHttpMultipart *mp, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaHttpMultipart, va_http_multipart_free)

G_END_DECLS
