/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean va_secure_file_check_private (const char *path, gboolean is_dir, GError **error);
gboolean va_secure_file_check_closed_dir (const char *path, GError **error);
gboolean va_secure_file_ensure_dir (const char *path, GError **error);
gboolean va_secure_file_write (const char *path, const void *data, gsize length, GError **error);

G_END_DECLS
