/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What making an upload durable costs on this disk, without the server:
 * the same steps as va_upload_complete() — a new directory, a file of SIZE
 * bytes written, renamed to its final name, then fsync of the file and of
 * its directory — COUNT times, timing the rename and the two syncs. The
 * submission benchmark (bench/bench-submit.sh) prints it beside the
 * submission latency: no submission that keeps the file safe before
 * answering can be faster than this on the same disk.
 *
 * Usage: va-fsync-cost DIR [COUNT] [SIZE]
 * Prints: median, p90, p99 and max in milliseconds. */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void
die (const char *what, const char *path)
{
  g_printerr ("%s %s: %s\n", what, path, g_strerror (errno));
  exit (1);
}

int
main (int argc, char **argv)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *data = NULL;
  guint count;
  gsize size;

  if (argc < 2) {
    g_printerr ("usage: %s DIR [COUNT] [SIZE]\n", argv[0]);
    return 2;
  }
  count = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 200;
  size = argc > 3 ? (gsize)g_ascii_strtoull (argv[3], NULL, 10) : 41504;
  if (count == 0)
    return 2;
  data = g_malloc (size);
  memset (data, 0x5a, size);

  for (guint i = 0; i < count; i++) {
    g_autofree char *dir = g_strdup_printf ("%s/job-%u", argv[1], i);
    g_autofree char *part = g_build_filename (dir, ".upload.part", NULL);
    g_autofree char *final = g_build_filename (dir, "input.mov", NULL);
    gint64 start;
    double ms;
    int fd, dir_fd;

    if (g_mkdir (dir, 0750) != 0)
      die ("mkdir", dir);
    fd = g_open (part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 || write (fd, data, size) != (gssize)size)
      die ("write", part);
    start = g_get_monotonic_time ();
    if (g_rename (part, final) != 0 || fsync (fd) != 0)
      die ("rename and sync", final);
    dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir_fd < 0 || fsync (dir_fd) != 0)
      die ("sync", dir);
    ms = (g_get_monotonic_time () - start) / 1000.0;
    g_close (dir_fd, NULL);
    g_close (fd, NULL);
    g_array_append_val (times, ms);
  }

  g_array_sort (times, compare_double);
#define AT(q)                                                                                      \
  g_array_index (times, double, MIN (times->len - 1, (guint)((q) * (times->len - 1) + 0.5)))
  g_print (
      "%u x %" G_GSIZE_FORMAT " bytes: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      count, size, AT (0.5), AT (0.9), AT (0.99), g_array_index (times, double, times->len - 1));
#undef AT
  return 0;
}
