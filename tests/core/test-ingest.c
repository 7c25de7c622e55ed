/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "va-error.h"
#include "va-ingest.h"
#include "va-test-dir.h"

/* The path rules of folder ingest on a real directory tree: only real
 * locations inside a root are accepted, whatever the spelling. */

typedef struct {
  char *tmp;
  char *root;
  char *sibling; /* shares the root's name as a prefix: /…/corpus2 */
  char *roots[2];
} Fixture;

static void
write_file (const char *path, const char *text)
{
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = NULL;

  f->tmp = va_test_dir_new ();
  f->root = g_build_filename (f->tmp, "corpus", NULL);
  f->sibling = g_build_filename (f->tmp, "corpus2", NULL);
  sub = g_build_filename (f->root, "a", "b", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->sibling, 0700), ==, 0);
  f->roots[0] = f->root;
  f->roots[1] = NULL;
}

static void
teardown (Fixture *f, gconstpointer data)
{
  va_test_dir_remove (f->tmp);
  g_free (f->root);
  g_free (f->sibling);
  g_free (f->tmp);
}

static void
assert_refused (Fixture *f, const char *path, VaIngestRefusal expected)
{
  g_autoptr (GError) error = NULL;
  VaIngestRefusal refusal = VA_INGEST_OK;
  g_autofree char *real
      = va_ingest_resolve_folder ((const char *const *)f->roots, path, &refusal, &error);

  g_assert_null (real);
  g_assert_nonnull (error);
  g_assert_cmpint (refusal, ==, expected);
}

static void
test_confinement (Fixture *f, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (f->root, "a", NULL);
  g_autofree char *dotdot = g_build_filename (f->root, "a", "..", "..", "corpus2", NULL);
  g_autofree char *link = g_build_filename (f->root, "out", NULL);
  g_autofree char *link_in = g_build_filename (f->root, "in", NULL);
  g_autofree char *missing = g_build_filename (f->root, "missing", NULL);
  g_autofree char *file = g_build_filename (f->root, "a", "clip.mp4", NULL);
  g_autoptr (GError) error = NULL;
  VaIngestRefusal refusal;
  char *real;
  const char *const none[] = { NULL };

  g_assert_cmpint (symlink (f->sibling, link), ==, 0);
  g_assert_cmpint (symlink (inside, link_in), ==, 0);
  write_file (file, "x");

  real = va_ingest_resolve_folder ((const char *const *)f->roots, inside, &refusal, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (real, ==, inside);
  g_free (real);
  /* a symlink that stays inside is followed to its real place */
  real = va_ingest_resolve_folder ((const char *const *)f->roots, link_in, &refusal, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (real, ==, inside);
  g_free (real);

  assert_refused (f, dotdot, VA_INGEST_PATH_NOT_ALLOWED);
  assert_refused (f, link, VA_INGEST_PATH_NOT_ALLOWED);
  /* a common prefix is not containment */
  assert_refused (f, f->sibling, VA_INGEST_PATH_NOT_ALLOWED);
  assert_refused (f, "/", VA_INGEST_PATH_NOT_ALLOWED);
  assert_refused (f, "/nonexistent/dir", VA_INGEST_PATH_NOT_ALLOWED);
  assert_refused (f, missing, VA_INGEST_PATH_NOT_FOUND);
  assert_refused (f, file, VA_INGEST_NOT_A_FOLDER);
  assert_refused (f, "corpus/a", VA_INGEST_PATH_INVALID);
  assert_refused (f, "  ", VA_INGEST_PATH_REQUIRED);
  assert_refused (f, NULL, VA_INGEST_PATH_REQUIRED);

  g_clear_error (&error);
  g_assert_null (va_ingest_resolve_folder (none, inside, &refusal, &error));
  g_assert_cmpint (refusal, ==, VA_INGEST_DISABLED);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
}

static void
test_listing (Fixture *f, gconstpointer data)
{
  g_autofree char *a = g_build_filename (f->root, "a", NULL);
  g_autofree char *v1 = g_build_filename (f->root, "a", "Z.MP4", NULL);
  g_autofree char *v2 = g_build_filename (f->root, "a", "b", "deep.webm", NULL);
  g_autofree char *txt = g_build_filename (f->root, "a", "notes.txt", NULL);
  g_autofree char *link = g_build_filename (f->root, "a", "link.mp4", NULL);
  g_autofree char *outside = g_build_filename (f->sibling, "secret.mp4", NULL);
  g_autoptr (GPtrArray) flat = NULL;
  g_autoptr (GPtrArray) deep = NULL;
  g_autoptr (GError) error = NULL;
  VaIngestRefusal refusal;

  write_file (v1, "x");
  write_file (v2, "x");
  write_file (txt, "x");
  write_file (outside, "x");
  g_assert_cmpint (symlink (outside, link), ==, 0);

  flat = va_ingest_list_videos (a, FALSE, &refusal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (flat->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (flat, 0), ==, v1);
  deep = va_ingest_list_videos (a, TRUE, &refusal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deep->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (deep, 0), ==, v1);
  g_assert_cmpstr (g_ptr_array_index (deep, 1), ==, v2);
  /* text files only: no video */
  g_assert_cmpint (g_unlink (v1), ==, 0);
  g_assert_null (va_ingest_list_videos (a, FALSE, &refusal, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (refusal, ==, VA_INGEST_NO_VIDEOS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/ingest/confinement", Fixture, NULL, setup, test_confinement, teardown);
  g_test_add ("/ingest/listing", Fixture, NULL, setup, test_listing, teardown);
  return g_test_run ();
}
