/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "fuzz.h"

/* A stand-in for libFuzzer's main() so the same targets build with any
 * compiler and run over their seed corpus as ordinary tests: each argument
 * is a file, or a directory whose files are all fed in name order, once
 * each, to LLVMFuzzerTestOneInput(). */

static guint n_inputs;

static void
va_fuzz_replay_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  g_printerr ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  LLVMFuzzerTestOneInput ((const uint8_t *)contents, length);
  n_inputs++;
}

static int
va_fuzz_compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static void
va_fuzz_replay_dir (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    g_error ("%s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, va_fuzz_compare_paths);
  for (guint i = 0; i < names->len; i++)
    va_fuzz_replay_file (g_ptr_array_index (names, i));
}

int
main (int argc, char **argv)
{
  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++) {
    if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
      va_fuzz_replay_dir (argv[i]);
    else
      va_fuzz_replay_file (argv[i]);
  }
  /* an empty corpus would make the test pass without testing anything */
  if (n_inputs == 0) {
    g_printerr ("no inputs\n");
    return 1;
  }
  g_printerr ("%u inputs, no crash\n", n_inputs);
  return 0;
}
