/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

/* A private temporary directory per test, removed (recursively, after
 * restoring write permission) when the test ends. */

static inline void
va_test_dir_remove (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode)) {
    g_autoptr (GDir) dir = NULL;
    const char *name;

    g_chmod (path, 0700);
    dir = g_dir_open (path, 0, NULL);
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      va_test_dir_remove (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

static inline char *
va_test_dir_new (void)
{
  g_autoptr (GError) error = NULL;
  char *path = g_dir_make_tmp ("va-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

typedef char VaTestDir;

static inline void
va_test_dir_free (VaTestDir *path)
{
  va_test_dir_remove (path);
  g_free (path);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestDir, va_test_dir_free)
