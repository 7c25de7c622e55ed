/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <archive.h>
#include <errno.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "va-engine.h"
#include "va-http-private.h"

/* GET /api/v1/jobs/{job_id}/artifacts: every artifact of the job in one
 * ZIP, built by libarchive while it is sent. Each call of the producer
 * writes at most one 64 KiB block of one file into the archive, whose
 * output goes straight into the response body, so neither the archive nor
 * a file is ever held whole. Media is stored, annotations deflated. */

#define VA_HTTP_ZIP_BLOCK (64 * 1024)

typedef struct {
  struct archive *archive;
  GPtrArray *artifacts; /* VaArtifact */
  guint next;
  FILE *current;
  SoupMessageBody *body; /* the body being filled during one produce call */
  gsize appended;
  gboolean closed;
  guint8 *buffer;
} VaHttpZip;

static void
va_http_zip_free (VaHttpZip *zip)
{
  if (zip->current != NULL)
    fclose (zip->current);
  if (zip->archive != NULL)
    archive_write_free (zip->archive);
  g_ptr_array_unref (zip->artifacts);
  g_free (zip->buffer);
  g_free (zip);
}

static la_ssize_t
va_http_zip_write (struct archive *a, void *client_data, const void *buffer, size_t length)
{
  VaHttpZip *zip = client_data;

  /* outside a produce call there is no body: archive_write_free() of an
   * archive abandoned midway (the client went away) still flushes */
  if (zip->body == NULL)
    return (la_ssize_t)length;
  soup_message_body_append (zip->body, SOUP_MEMORY_COPY, buffer, length);
  zip->appended += length;
  return (la_ssize_t)length;
}

static gboolean
va_http_zip_is_media (const char *name)
{
  static const char *const media[] = { ".mp4", ".avi", ".mov", ".mkv", ".webm", ".ogg", NULL };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; media[i] != NULL; i++) {
    if (g_str_has_suffix (lower, media[i]))
      return TRUE;
  }
  return FALSE;
}

static gboolean
va_http_zip_fail (VaHttpZip *zip, GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what,
               archive_error_string (zip->archive) != NULL ? archive_error_string (zip->archive)
                                                           : g_strerror (errno));
  return FALSE;
}

/* Advances by one step (an entry header, a block of data, or the end). */
static gboolean
va_http_zip_step (VaHttpZip *zip, GError **error)
{
  if (zip->current == NULL) {
    VaArtifact *artifact;
    struct archive_entry *entry;
    GStatBuf st;

    if (zip->next >= zip->artifacts->len) {
      if (archive_write_close (zip->archive) != ARCHIVE_OK)
        return va_http_zip_fail (zip, error, "Cannot finish the archive");
      zip->closed = TRUE;
      return TRUE;
    }
    artifact = zip->artifacts->pdata[zip->next++];
    zip->current = g_fopen (artifact->path, "rbe");
    if (zip->current == NULL || g_stat (artifact->path, &st) != 0)
      return va_http_zip_fail (zip, error, artifact->name);
    if (va_http_zip_is_media (artifact->name))
      archive_write_zip_set_compression_store (zip->archive);
    else
      archive_write_zip_set_compression_deflate (zip->archive);
    entry = archive_entry_new ();
    archive_entry_set_pathname (entry, artifact->name);
    archive_entry_set_size (entry, st.st_size);
    archive_entry_set_filetype (entry, AE_IFREG);
    archive_entry_set_perm (entry, 0644);
    archive_entry_set_mtime (entry, st.st_mtime, 0);
    if (archive_write_header (zip->archive, entry) != ARCHIVE_OK) {
      archive_entry_free (entry);
      return va_http_zip_fail (zip, error, artifact->name);
    }
    archive_entry_free (entry);
    return TRUE;
  }
  {
    size_t n = fread (zip->buffer, 1, VA_HTTP_ZIP_BLOCK, zip->current);

    if (n > 0 && archive_write_data (zip->archive, zip->buffer, n) < 0)
      return va_http_zip_fail (zip, error, "Cannot add data to the archive");
    if (n < VA_HTTP_ZIP_BLOCK) {
      if (ferror (zip->current))
        return va_http_zip_fail (zip, error, "Cannot read an artifact");
      fclose (zip->current);
      zip->current = NULL;
      if (archive_write_finish_entry (zip->archive) != ARCHIVE_OK)
        return va_http_zip_fail (zip, error, "Cannot finish an archive entry");
    }
  }
  return TRUE;
}

static gssize
va_http_zip_produce (gpointer data, SoupMessageBody *body, GError **error)
{
  VaHttpZip *zip = data;

  zip->body = body;
  zip->appended = 0;
  /* steps that write nothing (a header kept by the deflater) are
   * followed by more, until a chunk or the end */
  while (zip->appended == 0 && !zip->closed) {
    if (!va_http_zip_step (zip, error))
      return -1;
  }
  zip->body = NULL;
  return (gssize)zip->appended;
}

static void
va_http_artifacts_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  const char *job_id = va_http_request_get_param (req, "job_id");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) artifacts
      = va_engine_list_artifacts_finish (VA_ENGINE (source), result, &error);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
  g_autoptr (GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *include = va_http_request_get_query (req, "include_video");
  gboolean with_video = FALSE;
  VaHttpZip *zip;

  if (artifacts == NULL) {
    va_http_respond_job_error (req, error, job_id);
    va_http_request_unpause (req);
    return;
  }
  /* 1.6: the archive is the results; the video (often gigabytes, and
   * already on the client's side) only when asked for */
  if (include == NULL || !va_http_parse_boolean (include, &with_video) || !with_video) {
    for (guint i = artifacts->len; i > 0; i--) {
      if (((VaArtifact *)artifacts->pdata[i - 1])->is_video)
        g_ptr_array_remove_index (artifacts, i - 1);
    }
  }
  zip = g_new0 (VaHttpZip, 1);
  zip->artifacts = g_steal_pointer (&artifacts);
  zip->buffer = g_malloc (VA_HTTP_ZIP_BLOCK);
  zip->archive = archive_write_new ();
  archive_write_set_format_zip (zip->archive);
  archive_write_set_bytes_per_block (zip->archive, 0);
  if (archive_write_open2 (zip->archive, zip, NULL, va_http_zip_write, NULL, NULL) != ARCHIVE_OK) {
    va_http_respond_error (req, 500, "ARTIFACTS_FAILED", "Cannot create the archive",
                           N_ ("Check server logs for details"), NULL);
    va_http_zip_free (zip);
    va_http_request_unpause (req);
    return;
  }
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_set_content_type (h, "application/zip", NULL);
  g_hash_table_insert (params, "filename", g_strdup_printf ("job_%s_artifacts.zip", job_id));
  soup_message_headers_set_content_disposition (h, "attachment", params);
  va_http_stream_start (req, -1, va_http_zip_produce, zip, (GDestroyNotify)va_http_zip_free);
  va_http_request_unpause (req);
}

void
va_http_jobs_artifacts (VaHttpRequest *req)
{
  const char *include = va_http_request_get_query (req, "include_video");
  gboolean with_video = FALSE;

  if (include != NULL && !va_http_parse_boolean (include, &with_video)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "include_video must be true or false", NULL,
                           NULL);
    return;
  }
  /* parsed again when the list arrives */
  va_http_request_pause (req);
  va_engine_list_artifacts_async (va_http_server_get_engine (req->server), req->caller,
                                  va_http_request_get_param (req, "job_id"), req->cancellable,
                                  va_http_artifacts_done, req);
}
