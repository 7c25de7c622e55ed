/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-sqlite-store.h"
#include "va-store-open.h"

/* The factory lives apart from the base class so that the class does not
 * include its backends (a backend includes the class). */

/**
 * va_store_open:
 * @database_url: a file path, `sqlite:///relative/path`,
 *   `sqlite:////absolute/path`, or `postgresql://…`
 * @error: return location for a %VA_ERROR
 *
 * Opens (creating it if needed) and migrates the store @database_url
 * names. A string without a scheme is an SQLite file path. PostgreSQL
 * URLs (`postgresql://`, `postgres://`) fail with
 * %VA_ERROR_NOT_SUPPORTED while this build has no PostgreSQL backend;
 * any other scheme with %VA_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the store
 */
VaStore *
va_store_open (const char *database_url, GError **error)
{
  const char *scheme;

  g_return_val_if_fail (database_url != NULL, NULL);

  /* "C:" style drive letters do not exist here, so a colon before the
   * first slash means a scheme; ./a:b/c still names a file */
  scheme = g_uri_peek_scheme (database_url);
  if (scheme == NULL)
    return va_sqlite_store_new (database_url, error);
  if (g_str_equal (scheme, "sqlite")) {
    const char *path = database_url + strlen ("sqlite:");
    if (!g_str_has_prefix (path, "///") || path[3] == '\0') {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Cannot open the database %s: SQLite URLs are sqlite:///relative/path or "
                   "sqlite:////absolute/path",
                   database_url);
      return NULL;
    }
    return va_sqlite_store_new (path + 3, error);
  }
  if (g_str_equal (scheme, "postgresql") || g_str_equal (scheme, "postgres")) {
    /* never echo the URL: it may hold a password */
    g_set_error_literal (error, VA_ERROR, VA_ERROR_NOT_SUPPORTED,
                         "This build of VideoAnnotator has no PostgreSQL store backend; use an "
                         "SQLite database path");
    return NULL;
  }
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
               "Unknown database URL scheme “%s”: use a file path or sqlite:///PATH", scheme);
  return NULL;
}
