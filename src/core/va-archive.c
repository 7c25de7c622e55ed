/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-archive-private.h"
#include "va-error.h"

/* Writing archive members with a manifest entry (path, size, sha256) for
 * each: shared by the backup (tar.gz) and the export (zip). */

#define VA_ARCHIVE_BUFFER (64 * 1024)

gboolean
va_archive_error (struct archive *archive, const char *what, GError **error)
{
  int saved = archive_errno (archive);

  g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
               "Cannot write %s: %s", what,
               archive_error_string (archive) != NULL ? archive_error_string (archive)
                                                      : g_strerror (saved));
  return FALSE;
}

void
va_archive_manifest_entry (JsonBuilder *manifest, const char *name, guint64 size, GChecksum *sha)
{
  if (manifest == NULL)
    return;
  json_builder_begin_object (manifest);
  json_builder_set_member_name (manifest, "path");
  json_builder_add_string_value (manifest, name);
  json_builder_set_member_name (manifest, "size");
  json_builder_add_int_value (manifest, (gint64)size);
  json_builder_set_member_name (manifest, "sha256");
  json_builder_add_string_value (manifest, g_checksum_get_string (sha));
  json_builder_end_object (manifest);
}

gboolean
va_archive_header (struct archive *archive, const char *name, guint64 size, gint64 mtime,
                   GError **error)
{
  g_autoptr (VaArchiveEntry) entry = archive_entry_new ();

  archive_entry_set_pathname (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0600);
  archive_entry_set_size (entry, size);
  archive_entry_set_mtime (entry, mtime, 0);
  if (archive_write_header (archive, entry) != ARCHIVE_OK)
    return va_archive_error (archive, name, error);
  return TRUE;
}

/**
 * va_archive_add_fd:
 * @manifest: (nullable): an array being built; gets {path, size, sha256}
 * @size: (out) (optional): the bytes written
 *
 * Adds the open file @fd as @name: exactly the size it had when opened
 * (a file that grows meanwhile is cut there), hashed on the way.
 */
gboolean
va_archive_add_fd (struct archive *archive, int fd, const char *name, JsonBuilder *manifest,
                   guint64 *size, GError **error)
{
  g_autoptr (GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (VA_ARCHIVE_BUFFER);
  struct stat st;
  guint64 left;

  if (fstat (fd, &st) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read %s: %s", name,
                 g_strerror (saved));
    return FALSE;
  }
  if (!va_archive_header (archive, name, st.st_size, st.st_mtime, error))
    return FALSE;
  for (left = st.st_size; left > 0;) {
    gssize n = read (fd, buffer, MIN (left, VA_ARCHIVE_BUFFER));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = n < 0 ? errno : 0;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read %s: %s", name,
                   n < 0 ? g_strerror (saved) : "the file shrank while it was read");
      return FALSE;
    }
    if (archive_write_data (archive, buffer, n) != n)
      return va_archive_error (archive, name, error);
    g_checksum_update (sha, buffer, n);
    left -= n;
  }
  va_archive_manifest_entry (manifest, name, st.st_size, sha);
  if (size != NULL)
    *size = st.st_size;
  return TRUE;
}

/**
 * va_archive_add_bytes:
 * @manifest: (nullable): as va_archive_add_fd()
 *
 * Adds @length bytes of @data as @name.
 */
gboolean
va_archive_add_bytes (struct archive *archive, const char *name, const void *data, gsize length,
                      JsonBuilder *manifest, GError **error)
{
  g_autoptr (GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);

  if (!va_archive_header (archive, name, length, g_get_real_time () / G_USEC_PER_SEC, error))
    return FALSE;
  if (archive_write_data (archive, data, length) != (la_ssize_t)length)
    return va_archive_error (archive, name, error);
  g_checksum_update (sha, data, length);
  va_archive_manifest_entry (manifest, name, length, sha);
  return TRUE;
}
