/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "va-diagnosis-private.h"
#include "va-error.h"
#include "va-secure-file.h"
#include "va-sqlite-store.h"

/* The data directory as SECURITY.md wants it: tokens 0700/0600, storage
 * 0750, database 0600, logs 0750/0640, everything owned by the service's
 * user; the database opens and is intact; the storage has room. */

static char *
va_diagnosis_chmod_hint (const char *mode, const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  return g_strdup_printf ("chmod %s %s", mode, quoted);
}

static gboolean
va_diagnosis_stat (const char *path, GStatBuf *st)
{
  return path != NULL && g_stat (path, st) == 0;
}

/* The server must own what it writes; a check run as another user (root)
 * also sees files it could read although the service could not. */
static void
va_diagnosis_check_owner (GPtrArray *findings, const char *path, const GStatBuf *st)
{
  if (st->st_uid == geteuid ())
    return;
  va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "permissions", "OWNER",
                    _ ("Run the check as the service's user, e.g. sudo -u videoannotator "
                       "videoannotator diagnose"),
                    _ ("%s belongs to uid %u, not to the user running this check (uid %u): the "
                       "server must run as the owner of its data"),
                    path, (guint)st->st_uid, (guint)geteuid ());
}

/* A directory or file that others (and, for private ones, the group) must
 * not reach. @private_mask is 077 for secrets, 007 otherwise. */
static void
va_diagnosis_check_mode (GPtrArray *findings, const char *path, const GStatBuf *st,
                         guint private_mask, VaDiagnosisSeverity severity, const char *code,
                         const char *good_mode, const char *what)
{
  g_autofree char *hint = NULL;

  if ((st->st_mode & private_mask) == 0 && (st->st_mode & 002) == 0)
    return;
  hint = va_diagnosis_chmod_hint (good_mode, path);
  va_diagnosis_add (findings, (st->st_mode & 002) != 0 ? VA_DIAGNOSIS_ERROR : severity,
                    "permissions", code, hint,
                    _ ("%s %s is %s by others (mode %04o); it should be %s"), what, path,
                    (st->st_mode & 002) != 0 ? _ ("writable") : _ ("accessible"),
                    (guint)(st->st_mode & 07777), good_mode);
}

/* Token files go through the server's own check, so the finding says
 * exactly what the server would refuse (and its message names the chmod). */
static void
va_diagnosis_check_secret (GPtrArray *findings, const char *path, gboolean is_dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hint = NULL;
  GStatBuf st;

  if (!va_diagnosis_stat (path, &st))
    return;
  va_diagnosis_check_owner (findings, path, &st);
  if (va_secure_file_check_private (path, is_dir, &error))
    return;
  hint = va_diagnosis_chmod_hint (is_dir ? "700" : "600", path);
  va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "permissions", "TOKENS_PERMISSIONS", hint,
                    _ ("%s (the server refuses to start)"), error->message);
}

static void
va_diagnosis_check_logs (GPtrArray *findings, const char *dir)
{
  g_autoptr (GDir) listing = NULL;
  const char *name;
  GStatBuf st;

  if (!va_diagnosis_stat (dir, &st))
    return;
  va_diagnosis_check_owner (findings, dir, &st);
  va_diagnosis_check_mode (findings, dir, &st, 007, VA_DIAGNOSIS_WARNING, "LOGS_PERMISSIONS", "750",
                           _ ("Log directory"));
  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);

    if (strstr (name, ".log") != NULL && va_diagnosis_stat (path, &st) && S_ISREG (st.st_mode))
      va_diagnosis_check_mode (findings, path, &st, 007, VA_DIAGNOSIS_WARNING, "LOGS_PERMISSIONS",
                               "640", _ ("Log file"));
  }
}

void
va_diagnosis_check_permissions (VaSettings *settings, GPtrArray *findings)
{
  const char *data_dir = va_settings_get_data_dir (settings);
  const char *token_dir = va_settings_get_token_dir (settings);
  const char *storage_dir = va_settings_get_storage_dir (settings);
  const char *database = va_settings_get_database_path (settings);
  guint before = findings->len;
  GStatBuf st;

  if (!va_diagnosis_stat (data_dir, &st)) {
    g_autofree char *quoted = g_shell_quote (data_dir);
    g_autofree char *hint = g_strdup_printf ("install -d -m 0750 %s", quoted);
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "permissions", "DATA_DIR_MISSING", hint,
                      _ ("The data directory %s does not exist yet; the server creates it at "
                         "its first start"),
                      data_dir);
    return;
  }
  va_diagnosis_check_owner (findings, data_dir, &st);
  va_diagnosis_check_mode (findings, data_dir, &st, 007, VA_DIAGNOSIS_WARNING,
                           "DATA_DIR_PERMISSIONS", "750", _ ("Data directory"));

  if (va_diagnosis_stat (token_dir, &st)) {
    g_autofree char *keys = g_build_filename (token_dir, "tokens.json", NULL);
    g_autofree char *secret = g_build_filename (token_dir, "encryption.key", NULL);

    va_diagnosis_check_secret (findings, token_dir, TRUE);
    va_diagnosis_check_secret (findings, keys, FALSE);
    va_diagnosis_check_secret (findings, secret, FALSE);
    if (!g_file_test (keys, G_FILE_TEST_EXISTS))
      va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "permissions", "NO_KEYS",
                        _ ("videoannotator token create --user-id ID --username NAME --email "
                           "E --scopes read,write,admin"),
                        _ ("No API key exists yet in %s"), token_dir);
  } else {
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "permissions", "NO_KEYS",
                      _ ("Start the server once (it creates an admin key) or run "
                         "videoannotator token create"),
                      _ ("The key store %s does not exist yet"), token_dir);
  }

  if (va_diagnosis_stat (storage_dir, &st)) {
    va_diagnosis_check_owner (findings, storage_dir, &st);
    va_diagnosis_check_mode (findings, storage_dir, &st, 007, VA_DIAGNOSIS_ERROR,
                             "STORAGE_PERMISSIONS", "750", _ ("Job storage"));
  }
  if (va_diagnosis_stat (database, &st)) {
    va_diagnosis_check_owner (findings, database, &st);
    va_diagnosis_check_mode (findings, database, &st, 077, VA_DIAGNOSIS_ERROR,
                             "DATABASE_PERMISSIONS", "600", _ ("Database"));
  }
  va_diagnosis_check_logs (findings, va_settings_get_log_dir (settings));

  if (findings->len == before)
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "permissions", "PERMISSIONS", NULL,
                      _ ("Data directory, key store, storage, database and logs are private "
                         "to their owner"));
}

/* Opening must not create anything: a read-only connection to a WAL
 * database creates -wal and -shm files, which, made by another user
 * (root), the service could not open. Without a -wal file no connection
 * is open and the file is complete, so it is read as immutable. */
static sqlite3 *
va_diagnosis_open_database (const char *path, GPtrArray *findings)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *open_uri = NULL;
  sqlite3 *db = NULL;

  if (uri == NULL)
    return NULL;
  open_uri = g_strconcat (uri, g_file_test (wal, G_FILE_TEST_EXISTS) ? "?mode=ro" : "?immutable=1",
                          NULL);
  if (sqlite3_open_v2 (open_uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_UNREADABLE", NULL,
                      _ ("Cannot open the database %s: %s"), path,
                      db != NULL ? sqlite3_errmsg (db) : "out of memory");
    sqlite3_close (db);
    return NULL;
  }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gboolean
va_diagnosis_query_int (sqlite3 *db, const char *sql, gint64 *value)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
                && sqlite3_step (stmt) == SQLITE_ROW;

  if (ok)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return ok;
}

static void
va_diagnosis_check_integrity (sqlite3 *db, const char *path, GPtrArray *findings)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  guint n = 0;
  int rc;

  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check(20)", -1, &stmt, NULL) != SQLITE_OK) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_UNREADABLE", NULL,
                      _ ("Cannot check the database %s: %s"), path, sqlite3_errmsg (db));
    return;
  }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    const char *row = (const char *)sqlite3_column_text (stmt, 0);
    if (g_strcmp0 (row, "ok") == 0)
      continue;
    if (n++ < 3)
      g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "", row);
  }
  if (rc != SQLITE_DONE)
    g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  if (problems->len == 0)
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "database", "DATABASE_INTEGRITY", NULL,
                      _ ("Integrity check passed"));
  else
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_CORRUPT",
                      _ ("Stop the server and restore the database from a backup"),
                      _ ("The database %s is damaged: %s"), path, problems->str);
}

void
va_diagnosis_check_database (VaSettings *settings, GPtrArray *findings)
{
  const char *path = va_settings_get_database_path (settings);
  sqlite3 *db;
  gint64 application_id = 0, version = 0, n_tables = 0;

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "database", "DATABASE_MISSING",
                      _ ("Start the server once to create it"),
                      _ ("The database %s does not exist yet"), path);
    return;
  }
  db = va_diagnosis_open_database (path, findings);
  if (db == NULL)
    return;

  if (!va_diagnosis_query_int (db, "SELECT COUNT(*) FROM sqlite_master", &n_tables)) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_UNREADABLE", NULL,
                      _ ("Cannot read the database %s: %s"), path, sqlite3_errmsg (db));
  } else if (!va_diagnosis_query_int (db, "PRAGMA application_id", &application_id)
             || application_id != VA_SQLITE_STORE_APPLICATION_ID
             || !va_diagnosis_query_int (db, "SELECT MAX(version) FROM schema_version", &version)) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_FOREIGN",
                      _ ("Move it away or choose another data directory"),
                      _ ("%s is not a VideoAnnotator database"), path);
  } else {
    if (version > VA_STORE_SCHEMA_VERSION)
      va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "database", "DATABASE_SCHEMA_NEWER",
                        _ ("Upgrade VideoAnnotator"),
                        _ ("Schema version %u is newer than this program supports (%u)"),
                        (guint)version, (guint)VA_STORE_SCHEMA_VERSION);
    else if (version < VA_STORE_SCHEMA_VERSION)
      va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "database", "DATABASE_SCHEMA_OLD",
                        _ ("Back it up: the next start migrates it"),
                        _ ("Schema version %u; the server migrates it to %u at its next start"),
                        (guint)version, (guint)VA_STORE_SCHEMA_VERSION);
    else
      va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "database", "DATABASE", NULL,
                        _ ("%s opens, schema version %u"), path, (guint)version);
    va_diagnosis_check_integrity (db, path, findings);
  }
  sqlite3_close (db);
}

/* The nearest existing directory: the storage may not exist before the
 * first start, but its file system does. */
static char *
va_diagnosis_existing_parent (const char *path)
{
  g_autofree char *dir = g_strdup (path);

  while (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    char *parent = g_path_get_dirname (dir);
    gboolean top = g_str_equal (parent, dir);
    g_free (dir);
    dir = parent;
    if (top)
      break;
  }
  return g_steal_pointer (&dir);
}

void
va_diagnosis_check_storage (VaSettings *settings, GPtrArray *findings)
{
  const char *storage = va_settings_get_storage_dir (settings);
  guint64 min_free = va_settings_get_uint64 (settings, "min-free-space");
  g_autofree char *dir = va_diagnosis_existing_parent (storage);
  g_autofree char *free_text = NULL;
  g_autofree char *min_text = NULL;
  struct statvfs vfs;
  guint64 free_bytes;

  if (g_file_test (storage, G_FILE_TEST_IS_DIR) && g_access (storage, W_OK | X_OK) != 0) {
    int saved = errno;
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "storage", "STORAGE_NOT_WRITABLE",
                      _ ("Give the service's user write access (chown/chmod), or check that "
                         "the volume is mounted read-write"),
                      _ ("Job storage %s is not writable: %s"), storage, g_strerror (saved));
  }
  if (statvfs (dir, &vfs) != 0) {
    int saved = errno;
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "storage", "STORAGE_UNREADABLE", NULL,
                      _ ("Cannot query the file system of %s: %s"), dir, g_strerror (saved));
    return;
  }
  free_bytes = (guint64)vfs.f_bavail * vfs.f_frsize;
  free_text = g_format_size (free_bytes);
  min_text = g_format_size (min_free);
  if (free_bytes < min_free)
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "storage", "STORAGE_FULL",
                      _ ("Free space, run videoannotator cleanup, or lower min-free-space"),
                      _ ("%s free for the job storage, less than min-free-space (%s): every "
                         "upload is refused with 507"),
                      free_text, min_text);
  else if (free_bytes < 2 * min_free)
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "storage", "STORAGE_LOW",
                      _ ("Free space or run videoannotator cleanup"),
                      _ ("%s free for the job storage, close to min-free-space (%s)"), free_text,
                      min_text);
  else
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "storage", "STORAGE", NULL,
                      _ ("%s free for the job storage (uploads need to leave %s)"), free_text,
                      min_text);
}
