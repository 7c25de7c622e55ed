/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "va-caller-local.h"
#include "va-engine-admin.h"
#include "va-error.h"
#include "va-test-engine.h"

/* Local users as the engine sees them: uid:N owners, who is admin, who
 * may name paths, which descriptors are accepted. */

typedef struct {
  VaTestDir *dir;
  VaEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *overrides[] = { "secret-backend=file", NULL };

  f->dir = va_test_dir_new ();
  f->engine = va_test_engine_new (f->dir, overrides);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->engine);
  va_test_dir_free (f->dir);
}

static guint32
other_uid (void)
{
  /* neither root nor the owner of the test's data directory */
  return getuid () == 65534 ? 65533 : 65534;
}

static void
test_owner_and_scopes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaCaller) me = va_engine_authenticate_uid (f->engine, getuid (), &error);
  g_autoptr (VaCaller) root = va_engine_authenticate_uid (f->engine, 0, &error);
  g_autoptr (VaCaller) other = va_engine_authenticate_uid (f->engine, other_uid (), &error);
  g_autofree char *my_id = g_strdup_printf ("uid:%u", (guint)getuid ());
  g_autofree char *other_id = g_strdup_printf ("uid:%u", other_uid ());

  g_assert_no_error (error);
  /* the data directory is ours: administrator */
  g_assert_cmpstr (va_caller_get_user_id (me), ==, my_id);
  g_assert_true (va_caller_is_admin (me));
  g_assert_true (va_caller_is_admin (root));
  g_assert_cmpstr (va_caller_get_user_id (other), ==, other_id);
  g_assert_false (va_caller_is_admin (other));
  g_assert_true (va_caller_has_scope (other, VA_SCOPE_READ));
  g_assert_true (va_caller_has_scope (other, VA_SCOPE_WRITE));
  g_assert_false (va_caller_is_anonymous (other));
  g_assert_nonnull (va_caller_get_username (other));
}

/* The owner of the data directory, not the uid the service runs as, is
 * the administrator (checkable only where we may give it away). */
static void
test_data_dir_owner_is_admin (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaCaller) before = NULL;
  g_autoptr (VaCaller) after = NULL;

  if (geteuid () != 0) {
    g_test_skip ("needs root to give the data directory to another user");
    return;
  }
  before = va_engine_authenticate_uid (f->engine, other_uid (), &error);
  g_assert_false (va_caller_is_admin (before));
  g_assert_cmpint (chown (f->dir, other_uid (), -1), ==, 0);
  after = va_engine_authenticate_uid (f->engine, other_uid (), &error);
  g_assert_no_error (error);
  g_assert_true (va_caller_is_admin (after));
  g_assert_cmpint (chown (f->dir, 0, -1), ==, 0);
}

static void
test_other_user_confined (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaCaller) other = va_engine_authenticate_uid (f->engine, other_uid (), &error);
  guint n = 99;
  int fd;

  g_assert_false (va_engine_revoke_all_keys (f->engine, other, &n, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
  g_clear_error (&error);
  fd = va_engine_open_path_for_uid (f->engine, other_uid (), "/etc/hostname", &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, VA_ERROR, VA_ERROR_FORBIDDEN);
}

static void
test_paths (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_build_filename (f->dir, "clip.bin", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "fifo", NULL);
  int fd;

  g_assert_true (g_file_set_contents (file, "0123456789", 10, &error));
  fd = va_engine_open_path_for_uid (f->engine, getuid (), file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);

  fd = va_engine_open_path_for_uid (f->engine, getuid (), "clip.bin", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  fd = va_engine_open_path_for_uid (f->engine, getuid (), "/nonexistent/x", &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  fd = va_engine_open_path_for_uid (f->engine, getuid (), f->dir, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* a FIFO nobody writes to must not hang the open */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fd = va_engine_open_path_for_uid (f->engine, getuid (), fifo, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_descriptors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_build_filename (f->dir, "clip.bin", NULL);
  guint64 size = 0;
  int pipe_fds[2];
  int fd;

  g_assert_true (g_file_set_contents (file, "0123456789", 10, &error));
  fd = g_open (file, O_RDONLY | O_CLOEXEC, 0);
  g_assert_cmpint (lseek (fd, 4, SEEK_SET), ==, 4);
  g_assert_true (va_engine_check_descriptor (f->engine, fd, &size, &error));
  g_assert_cmpuint (size, ==, 10);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);
  g_close (fd, NULL);

  fd = g_open (file, O_WRONLY | O_CLOEXEC, 0);
  g_assert_false (va_engine_check_descriptor (f->engine, fd, &size, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_close (fd, NULL);

  g_assert_true (g_unix_open_pipe (pipe_fds, FD_CLOEXEC, NULL));
  g_assert_false (va_engine_check_descriptor (f->engine, pipe_fds[0], &size, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_close (pipe_fds[0], NULL);
  g_close (pipe_fds[1], NULL);

  g_assert_false (va_engine_check_descriptor (f->engine, -1, &size, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/caller-local/owner-and-scopes", test_owner_and_scopes);
  ADD ("/caller-local/data-dir-owner", test_data_dir_owner_is_admin);
  ADD ("/caller-local/other-user-confined", test_other_user_confined);
  ADD ("/caller-local/paths", test_paths);
  ADD ("/caller-local/descriptors", test_descriptors);
  return g_test_run ();
}
