/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Shared by every fuzz target: the libFuzzer entry points and a quiet,
 * strict GLib logging setup. */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Warnings about rejected input are expected by the thousand and only slow
 * the fuzzer down; a critical means an API was misused on hostile input,
 * which is a bug, so it aborts like a crash. */
static GLogWriterOutput
va_fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                    gpointer user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL)) {
    g_log_writer_standard_streams (level, fields, n_fields, user_data);
    /* abort() rather than GLib's SIGTRAP, which libFuzzer does not catch
     * (no crash file would be written) */
    abort ();
  }
  return G_LOG_WRITER_HANDLED;
}

static inline void
va_fuzz_init_common (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (va_fuzz_log_writer, NULL, NULL);
  /* the build tree's compiled schema, unless the caller chose one */
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
#ifdef VA_FUZZ_SCHEMA_DIR
  g_setenv ("GSETTINGS_SCHEMA_DIR", VA_FUZZ_SCHEMA_DIR, FALSE);
#endif
}

/* @data as a NUL-terminated string (it may contain NULs of its own). */
static inline char *
va_fuzz_strndup (const uint8_t *data, size_t size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}

/* Splits @data at the first '\n': the line before it (NUL-terminated,
 * newline dropped) and the rest. Without a newline everything is the
 * line and the rest is empty. */
static inline char *
va_fuzz_split_line (const uint8_t *data, size_t size, const uint8_t **rest, size_t *rest_size)
{
  const uint8_t *nl = size > 0 ? memchr (data, '\n', size) : NULL;
  size_t line = nl != NULL ? (size_t)(nl - data) : size;

  *rest = nl != NULL ? nl + 1 : data + size;
  *rest_size = nl != NULL ? size - line - 1 : 0;
  return va_fuzz_strndup (data, line);
}

/* Removes a scratch directory a target made (rm -r). */
static inline void
va_fuzz_remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (path == NULL)
    return;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      va_fuzz_remove_tree (child);
    else
      g_unlink (child);
    g_free (child);
  }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}
