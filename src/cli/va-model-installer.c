/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-model-installer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <unistd.h>

#include "va-error.h"

/* No model package we pin comes near this; a bigger answer is not ours. */
#define VA_MODEL_MAX_TARBALL (1024 * 1024 * 1024)
#define VA_MODEL_MAX_MEMBER (512 * 1024 * 1024)

/* Shows how far a download is: a line redrawn in place on a terminal,
 * otherwise every 25 %. */
typedef struct {
  const char *name;
  goffset total; /* 0: unknown */
  goffset done;
  int last_step;
  gboolean tty;
} VaProgress;

static void
va_progress_show (VaProgress *p, gboolean finished)
{
  int step;

  if (p->total > 0) {
    if (finished && p->last_step == 100 && !p->tty)
      return;
    step = (int)(p->done * 100 / p->total);
    if (!p->tty && !finished && step / 25 == p->last_step / 25)
      return;
    if (p->tty && !finished && step == p->last_step)
      return;
    p->last_step = step;
    /* the carriage return and newline stay outside the message */
    g_printerr ("%s", p->tty ? "\r" : "");
    g_printerr (_ ("Downloading %s: %3d %% of %lld KB"), p->name, step,
                (long long)(p->total / 1024));
    g_printerr ("%s", p->tty && !finished ? "" : "\n");
  } else if (finished && p->done > 0) {
    g_printerr (_ ("Downloaded %s: %lld KB\n"), p->name, (long long)(p->done / 1024));
  }
}

static char *
va_integrity_of (GChecksum *checksum)
{
  guint8 digest[64];
  gsize length = sizeof digest;

  g_checksum_get_digest (checksum, digest, &length);
  return g_strconcat ("sha512-", g_base64_encode (digest, length), NULL);
}

/* Copies @in to @out, hashing, with progress when @progress is set. */
static gboolean
va_copy_hashing (GInputStream *in, GOutputStream *out, GChecksum *checksum, VaProgress *progress,
                 GError **error)
{
  guint8 buf[64 * 1024];
  goffset total = 0;

  for (;;) {
    gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, error);

    if (n < 0)
      return FALSE;
    if (n == 0)
      break;
    total += n;
    if (total > VA_MODEL_MAX_TARBALL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("The package is larger than %d MB"), VA_MODEL_MAX_TARBALL >> 20);
      return FALSE;
    }
    g_checksum_update (checksum, buf, n);
    if (!g_output_stream_write_all (out, buf, n, NULL, NULL, error))
      return FALSE;
    if (progress != NULL) {
      progress->done = total;
      va_progress_show (progress, FALSE);
    }
  }
  if (progress != NULL)
    va_progress_show (progress, TRUE);
  return TRUE;
}

static GInputStream *
va_open_download (const VaModelEntry *entry, const char *registry, goffset *length, GError **error)
{
  g_autofree char *url = va_model_entry_tarball_url (entry, registry);
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GInputStream) body = NULL;
  guint status;

  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Not a valid registry URL: %s"),
                 url);
    return NULL;
  }
  session = soup_session_new_with_options ("user-agent", "videoannotator/" PACKAGE_VERSION,
                                           "timeout", 60, NULL);
  body = soup_session_send (session, msg, NULL, error);
  if (body == NULL) {
    g_prefix_error (error, _ ("Could not download %s: "), url);
    return NULL;
  }
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK) {
    g_set_error (
        error, VA_ERROR, status == SOUP_STATUS_NOT_FOUND ? VA_ERROR_NOT_FOUND : VA_ERROR_INTERNAL,
        _ ("Could not download %s: HTTP %u %s"), url, status, soup_message_get_reason_phrase (msg));
    return NULL;
  }
  *length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  /* the stream keeps what it needs of the session alive */
  return g_steal_pointer (&body);
}

static GInputStream *
va_open_local (const VaModelEntry *entry, const char *from, GError **error)
{
  g_autofree char *path = NULL;
  GFileInputStream *in;
  g_autoptr (GFile) file = NULL;

  if (g_file_test (from, G_FILE_TEST_IS_DIR)) {
    g_autofree char *name = va_model_entry_tarball_name (entry);
    path = g_build_filename (from, name, NULL);
  } else {
    path = g_strdup (from);
  }
  file = g_file_new_for_path (path);
  in = g_file_read (file, NULL, error);
  if (in == NULL) {
    if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
      g_clear_error (error);
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, _ ("No package tarball at %s"), path);
    }
    return NULL;
  }
  return G_INPUT_STREAM (in);
}

/* Fetches the tarball into @fd (an unlinked-on-failure temporary file) and
 * checks it against the pinned integrity before anything reads it. */
static gboolean
va_fetch_verified (const VaModelEntry *entry, const char *registry, const char *from, int fd,
                   GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA512);
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autofree char *integrity = NULL;
  VaProgress progress = { entry->name, 0, 0, -1, isatty (2) };

  if (from != NULL)
    in = va_open_local (entry, from, error);
  else
    in = va_open_download (entry, registry, &progress.total, error);
  if (in == NULL)
    return FALSE;
  out = g_unix_output_stream_new (fd, FALSE);
  if (!va_copy_hashing (in, out, checksum, from == NULL ? &progress : NULL, error))
    return FALSE;
  integrity = va_integrity_of (checksum);
  if (!g_str_equal (integrity, entry->integrity)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _ ("The package %s %s does not match its pinned integrity (expected %s, got "
                    "%s); nothing was installed"),
                 entry->package, entry->version, entry->integrity, integrity);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_archive_fail (struct archive *a, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("Could not read the package: %s"),
               archive_error_string (a) != NULL ? archive_error_string (a) : "?");
  return FALSE;
}

static gboolean
va_extract_member (struct archive *a, struct archive_entry *ae, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out
      = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  la_int64_t size = archive_entry_size (ae);
  guint8 buf[64 * 1024];

  if (out == NULL)
    return FALSE;
  if (size > VA_MODEL_MAX_MEMBER) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("%s is too large"),
                 archive_entry_pathname (ae));
    return FALSE;
  }
  for (;;) {
    la_ssize_t n = archive_read_data (a, buf, sizeof buf);

    if (n < 0)
      return va_archive_fail (a, error);
    if (n == 0)
      break;
    if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buf, n, NULL, NULL, error))
      return FALSE;
  }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

/* Extracts only the members the catalog names, as regular files under
 * their installed names: nothing else of the package reaches the disk. */
static gboolean
va_extract (const VaModelEntry *entry, int fd, const char *dir, GError **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *ae;
  guint n = g_strv_length (entry->files);
  g_autofree gboolean *found = g_new0 (gboolean, n);
  gboolean ok = TRUE;
  int r;

  archive_read_support_filter_gzip (a);
  archive_read_support_format_tar (a);
  if (lseek (fd, 0, SEEK_SET) != 0 || archive_read_open_fd (a, fd, 64 * 1024) != ARCHIVE_OK) {
    ok = va_archive_fail (a, error);
    goto out;
  }
  while ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK) {
    const char *member = archive_entry_pathname (ae);

    for (guint i = 0; i < n; i++) {
      g_autofree char *path = NULL;

      if (found[i] || !g_str_equal (member, entry->members[i]))
        continue;
      if (archive_entry_filetype (ae) != AE_IFREG) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _ ("%s in the package is not a regular file"), member);
        ok = FALSE;
        goto out;
      }
      path = g_build_filename (dir, entry->files[i], NULL);
      if (!va_extract_member (a, ae, path, error)) {
        ok = FALSE;
        goto out;
      }
      found[i] = TRUE;
      break;
    }
  }
  if (r != ARCHIVE_EOF) {
    ok = va_archive_fail (a, error);
    goto out;
  }
  for (guint i = 0; i < n; i++) {
    if (!found[i]) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("The package has no %s"),
                   entry->members[i]);
      ok = FALSE;
      goto out;
    }
  }
out:
  archive_read_free (a);
  return ok;
}

/* The converter is a Python script (python3-onnx and numpy, from Debian);
 * installed with the program, or taken from the source tree when the
 * program runs from its build tree. */
static const char *
va_converter_path (void)
{
  if (g_file_test (VA_MODELS_CONVERTER, G_FILE_TEST_IS_REGULAR))
    return VA_MODELS_CONVERTER;
  return VA_MODELS_CONVERTER_SOURCE;
}

static gboolean
va_convert (const VaModelEntry *entry, const char *dir, GError **error)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_printerr (_ ("Converting %s to ONNX…\n"), entry->name);
  g_strv_builder_add (b, VA_PYTHON);
  g_strv_builder_add (b, va_converter_path ());
  g_strv_builder_addv (b, (const char **)entry->convert_args);
  argv = g_strv_builder_end (b);
  if (!g_spawn_sync (dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, error)) {
    g_prefix_error (error, _ ("Could not run the model converter: "));
    return FALSE;
  }
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _ ("The conversion of %s to ONNX failed (needs Debian's python3-onnx and "
                    "python3-numpy): %s"),
                 entry->name, g_strstrip (err));
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_write_manifest (const VaModelEntry *entry, const char *dir, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (dir, "installed.json", NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "package");
  json_builder_add_string_value (b, entry->package);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, entry->version);
  json_builder_set_member_name (b, "integrity");
  json_builder_add_string_value (b, entry->integrity);
  json_builder_set_member_name (b, "license");
  json_builder_add_string_value (b, entry->license);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_file_set_contents (path, text, -1, error);
}

static void
va_remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

/**
 * va_model_install:
 *
 * Installs @entry into MODELS_DIR/NAME. The files are extracted into a
 * fresh folder beside it which then replaces the old one, so a failed
 * install leaves the previous copy as it was.
 */
gboolean
va_model_install (const VaModelEntry *entry, const char *models_dir, const char *registry,
                  const char *from, GError **error)
{
  g_autofree char *staging = NULL;
  g_autofree char *target = va_model_entry_dir (entry, models_dir);
  g_autofree char *old = g_strconcat (target, ".old", NULL);
  g_autofree char *tarball = NULL;
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (models_dir, 0755) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 _ ("Could not create the models directory %s: %s"), models_dir,
                 g_strerror (errno));
    return FALSE;
  }
  tarball = g_build_filename (models_dir, ".download-XXXXXX", NULL);
  fd = g_mkstemp (tarball);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Could not write to %s: %s"),
                 models_dir, g_strerror (errno));
    return FALSE;
  }
  g_unlink (tarball); /* kept open; gone whatever happens */
  ok = va_fetch_verified (entry, registry, from, fd, error);
  if (ok) {
    /* readable by a server running as another user, like the packages' files */
    staging = g_strconcat (target, ".new-XXXXXX", NULL);
    if (g_mkdtemp_full (staging, 0755) == NULL) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Could not write to %s: %s"), models_dir, g_strerror (errno));
      g_clear_pointer (&staging, g_free);
      ok = FALSE;
    }
  }
  ok = ok && va_extract (entry, fd, staging, error)
       && (entry->convert_args == NULL || va_convert (entry, staging, error))
       && va_write_manifest (entry, staging, error);
  close (fd);
  if (ok) {
    va_remove_tree (old);
    if (g_file_test (target, G_FILE_TEST_EXISTS) && g_rename (target, old) != 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Could not replace %s: %s"),
                   target, g_strerror (errno));
      ok = FALSE;
    } else if (g_rename (staging, target) != 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Could not install into %s: %s"), target, g_strerror (errno));
      ok = FALSE;
    } else {
      va_remove_tree (old);
    }
  }
  if (!ok && staging != NULL)
    va_remove_tree (staging);
  return ok;
}
