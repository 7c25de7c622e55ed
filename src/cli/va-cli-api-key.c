/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "va-cli.h"
#include "va-error.h"

/* The API key of the commands that talk to a server (`job`, and the
 * erasure commands when a server holds the data directory): from
 * --api-key-file or VIDEOANNOTATOR_API_KEY, never from a flag value, which
 * the process list shows to every user of the machine. */

/**
 * va_cli_read_key_file:
 * @path: a file, or "-" for standard input
 *
 * The first line of @path. A file others may read is used, with a
 * warning: refusing would only push people to put the key in a flag.
 *
 * Returns: (transfer full): the key, or %NULL with %VA_ERROR_NOT_FOUND (no
 *   such file) or %VA_ERROR_INVALID_ARGUMENT (unreadable or empty)
 */
char *
va_cli_read_key_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  char *newline;

  if (g_str_equal (path, "-")) {
    char line[512];
    if (fgets (line, sizeof line, stdin) == NULL) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           _ ("--api-key-file -: no key on standard input"));
      return NULL;
    }
    contents = g_strdup (line);
    memset (line, 0, sizeof line);
  } else {
    g_autoptr (GError) local_error = NULL;
    GStatBuf st;

    if (!g_file_get_contents (path, &contents, NULL, &local_error)) {
      g_set_error_literal (error, VA_ERROR,
                           g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                               ? VA_ERROR_NOT_FOUND
                               : VA_ERROR_INVALID_ARGUMENT,
                           local_error->message);
      return NULL;
    }
    if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
      g_printerr (_ ("videoannotator: warning: %s can be read by other users; “chmod 600 %s”\n"),
                  path, path);
  }
  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);
  if (*contents == '\0') {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s holds no API key"), path);
    return NULL;
  }
  return g_steal_pointer (&contents);
}

/**
 * va_cli_get_api_key:
 * @key_file: (nullable): the --api-key-file argument
 * @key: (out) (transfer full): the key; %NULL when none was given
 *
 * The key of @key_file, otherwise of VIDEOANNOTATOR_API_KEY.
 *
 * Returns: %FALSE if @key_file cannot be read (see va_cli_read_key_file())
 */
gboolean
va_cli_get_api_key (const char *key_file, char **key, GError **error)
{
  const char *env = g_getenv ("VIDEOANNOTATOR_API_KEY");

  *key = NULL;
  if (key_file != NULL) {
    *key = va_cli_read_key_file (key_file, error);
    return *key != NULL;
  }
  if (env != NULL) {
    *key = g_strstrip (g_strdup (env));
    if (**key == '\0')
      g_clear_pointer (key, g_free);
  }
  return TRUE;
}
