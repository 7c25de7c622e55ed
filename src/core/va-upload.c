/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/base/gsttypefindhelper.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-error.h"
#include "va-storage-private.h"
#include "va-upload-private.h"

/**
 * VaUpload:
 *
 * One upload being streamed into a new job directory. Data arrives in
 * chunks (va_upload_write(), va_upload_write_bytes_async() or
 * va_upload_splice_async() from a #GInputStream) and goes straight to a
 * partial file; nothing is held in memory. Each chunk is checked against
 * the size limit and, every few MiB, against the free space. Once all
 * data is in, va_upload_complete() checks by GStreamer typefinding that it
 * is audio or video, renames it to `input.<extension>` — a name that never
 * comes from the client — and syncs it to disk. Nothing more is read:
 * whether the whole file decodes, and its duration, are for the job's run
 * to find out (a submission is answered without waiting for a decoder).
 *
 * Any failure removes the job directory; so does dropping the last
 * reference before the engine has taken the upload over for a job.
 */

typedef enum {
  VA_UPLOAD_WRITING,
  VA_UPLOAD_COMPLETE,
  VA_UPLOAD_COMMITTED,
  VA_UPLOAD_FAILED,
} VaUploadState;

struct _VaUpload {
  GObject parent_instance;

  VaStorage *storage;
  char *job_id;
  char *filename; /* display only */
  char *owner;    /* user id of the uploader */
  char *dir;
  char *part_path;
  GOutputStream *output;
  int fd;

  VaUploadState state;
  gboolean busy; /* an async operation is in flight */
  guint64 size;
  guint64 next_space_check;

  char *path; /* relative to the storage root, once complete */
  char *media_type;
  /* the bytes' SHA-256, updated as each chunk is written, so that the
   * input's digest (recorded in every result file's provenance) costs no
   * second read of a file that may be gigabytes */
  GChecksum *checksum;
  char *sha256;       /* hex, once complete */
  gboolean linked;    /* filled by va_upload_link_from(): the digest is given */
  char *known_sha256; /* the linked file's digest, or NULL: unknown */
  char *rerun_of;     /* for the job: the job it runs again */
  char *batch_id;     /* for the job: the client's batch (1.5), or NULL */
  char *batch_name;
};

G_DEFINE_FINAL_TYPE (VaUpload, va_upload, G_TYPE_OBJECT)

#define VA_UPLOAD_CHUNK_SIZE (64 * 1024)
/* typefinders look at the head of the file; 1 MiB covers every container
 * we decode (MP4 boxes before moov, Matroska EBML, MPEG-TS packets) */
#define VA_UPLOAD_TYPEFIND_SIZE (1024 * 1024)

static void
va_upload_remove_dir (VaUpload *self)
{
  g_autoptr (GError) error = NULL;

  if (self->output != NULL) {
    g_output_stream_close (self->output, NULL, NULL);
    g_clear_object (&self->output);
  }
  if (!va_storage_delete_job (self->storage, self->job_id, NULL, &error)
      && !g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
    g_warning ("Cannot remove the partial upload of job %s: %s", self->job_id, error->message);
}

static void
va_upload_fail (VaUpload *self)
{
  if (self->state == VA_UPLOAD_FAILED || self->state == VA_UPLOAD_COMMITTED)
    return;
  self->state = VA_UPLOAD_FAILED;
  va_upload_remove_dir (self);
}

static void
va_upload_dispose (GObject *object)
{
  VaUpload *self = VA_UPLOAD (object);

  /* never leave an orphan directory behind */
  if (self->storage != NULL)
    va_upload_fail (self);
  G_OBJECT_CLASS (va_upload_parent_class)->dispose (object);
}

static void
va_upload_finalize (GObject *object)
{
  VaUpload *self = VA_UPLOAD (object);

  g_clear_object (&self->output);
  g_clear_object (&self->storage);
  g_free (self->job_id);
  g_free (self->filename);
  g_free (self->owner);
  g_free (self->dir);
  g_free (self->part_path);
  g_free (self->path);
  g_free (self->media_type);
  g_clear_pointer (&self->checksum, g_checksum_free);
  g_free (self->sha256);
  g_free (self->known_sha256);
  g_free (self->rerun_of);
  g_free (self->batch_id);
  g_free (self->batch_name);

  G_OBJECT_CLASS (va_upload_parent_class)->finalize (object);
}

static void
va_upload_class_init (VaUploadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_upload_dispose;
  object_class->finalize = va_upload_finalize;
}

static void
va_upload_init (VaUpload *self)
{
  self->fd = -1;
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

/* Takes over the (already created, empty) job directory @job_id. */
VaUpload *
va_upload_new (VaStorage *storage, const char *job_id, const char *filename, GError **error)
{
  g_autoptr (VaUpload) self = g_object_new (VA_TYPE_UPLOAD, NULL);
  int fd;

  self->storage = g_object_ref (storage);
  self->job_id = g_strdup (job_id);
  self->filename = g_strdup (filename);
  self->dir = va_storage_dup_job_dir (storage, job_id, error);
  if (self->dir == NULL)
    return NULL;
  self->part_path = g_build_filename (self->dir, VA_UPLOAD_PART_NAME, NULL);

  fd = g_open (self->part_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
               VA_STORAGE_FILE_MODE);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot create the upload file: %s", g_strerror (saved));
    va_upload_fail (self);
    return NULL;
  }
  (void)fchmod (fd, VA_STORAGE_FILE_MODE);
  self->fd = fd;
  self->output = g_unix_output_stream_new (fd, TRUE);
  self->state = VA_UPLOAD_WRITING;
  return g_steal_pointer (&self);
}

/**
 * va_upload_create:
 * @client_filename: (nullable): the client's file name, kept (sanitized)
 *   for display only
 * @expected_size: the announced size in bytes, or -1 when unknown
 * @error: return location for a %VA_ERROR
 *
 * Creates a new job directory, named by a fresh job id, and a partial
 * upload file in it. The #VaUpload owns the directory and removes it
 * unless the engine takes it over for a job.
 *
 * Returns: (transfer full) (nullable): the upload, or %NULL with
 *   %VA_ERROR_PAYLOAD_TOO_LARGE (@expected_size over the limit) or
 *   %VA_ERROR_STORAGE_FULL
 */
VaUpload *
va_upload_create (VaStorage *storage, const char *client_filename, gint64 expected_size,
                  GError **error)
{
  g_autofree char *display = NULL;
  g_autofree char *job_id = NULL;

  g_return_val_if_fail (VA_IS_STORAGE (storage), NULL);

  job_id = va_storage_create_job_dir (storage, expected_size, error);
  if (job_id == NULL)
    return NULL;
  display = va_storage_sanitize_filename (client_filename);
  return va_upload_new (storage, job_id, display, error);
}

/* The engine now owns the directory: a job points at it. */
void
va_upload_commit (VaUpload *self)
{
  g_return_if_fail (VA_IS_UPLOAD (self));
  g_return_if_fail (self->state == VA_UPLOAD_COMPLETE);
  self->state = VA_UPLOAD_COMMITTED;
}

/* The engine records who uploaded, so one user's upload cannot become
 * another user's job. */
const char *
va_upload_get_owner (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->owner;
}

void
va_upload_set_owner (VaUpload *self, const char *user_id)
{
  g_return_if_fail (VA_IS_UPLOAD (self));
  g_free (self->owner);
  self->owner = g_strdup (user_id);
}

const char *
va_upload_get_job_id (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->job_id;
}

/**
 * va_upload_get_filename:
 *
 * Returns: the sanitized client file name, for display only
 */
const char *
va_upload_get_filename (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->filename;
}

guint64
va_upload_get_size (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), 0);
  return self->size;
}

gboolean
va_upload_is_complete (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), FALSE);
  return self->state == VA_UPLOAD_COMPLETE || self->state == VA_UPLOAD_COMMITTED;
}

/**
 * va_upload_get_path:
 *
 * Returns: (nullable): the stored file relative to the storage root
 *   (`<job_id>/input.<ext>`), once complete
 */
const char *
va_upload_get_path (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->path;
}

/**
 * va_upload_get_media_type:
 *
 * Returns: (nullable): the typefound media type (e.g. "video/quicktime"),
 *   once complete
 */
const char *
va_upload_get_media_type (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->media_type;
}

/**
 * va_upload_get_sha256:
 *
 * Returns: (nullable): the SHA-256 of the stored bytes in lower-case hex,
 *   computed while they were written, once complete
 */
const char *
va_upload_get_sha256 (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->sha256;
}

/* @size bytes are on their way to disk: count them and hash them */
static void
va_upload_account (VaUpload *self, const void *data, gsize size)
{
  g_checksum_update (self->checksum, data, (gssize)size);
  self->size += size;
}

static gboolean
va_upload_check_writable (VaUpload *self, GError **error)
{
  if (self->state != VA_UPLOAD_WRITING) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         self->state == VA_UPLOAD_FAILED ? "The upload has failed"
                                                         : "The upload is already complete");
    return FALSE;
  }
  return TRUE;
}

/* Size limit and (periodic) free-space check before @size more bytes. */
static gboolean
va_upload_check_chunk (VaUpload *self, gsize size, GError **error)
{
  guint64 limit = va_storage_get_max_upload_size (self->storage);

  if (!va_upload_check_writable (self, error))
    return FALSE;
  if (self->size + size > limit) {
    g_autofree char *text = g_format_size (limit);
    g_set_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE,
                 "The upload is larger than the limit of %s", text);
    va_upload_fail (self);
    return FALSE;
  }
  if (self->size + size >= self->next_space_check) {
    if (!va_storage_check_free_space (self->storage, MAX (size, VA_STORAGE_SPACE_CHECK_INTERVAL),
                                      error)) {
      va_upload_fail (self);
      return FALSE;
    }
    self->next_space_check = self->size + size + VA_STORAGE_SPACE_CHECK_INTERVAL;
  }
  return TRUE;
}

static void
va_upload_write_failed (VaUpload *self, GError **error)
{
  va_error_convert (error);
  if (error != NULL && *error != NULL)
    g_prefix_error (error, "Cannot store the upload: ");
  va_upload_fail (self);
}

/**
 * va_upload_write:
 * @data: (array length=size): the next bytes
 *
 * Appends a chunk (blocking). On any error the upload is removed.
 *
 * Returns: %FALSE with %VA_ERROR_PAYLOAD_TOO_LARGE, %VA_ERROR_STORAGE_FULL
 *   or another %VA_ERROR
 */
gboolean
va_upload_write (VaUpload *self, const void *data, gsize size, GCancellable *cancellable,
                 GError **error)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), FALSE);
  g_return_val_if_fail (!self->busy, FALSE);

  if (!va_upload_check_chunk (self, size, error))
    return FALSE;
  if (!g_output_stream_write_all (self->output, data, size, NULL, cancellable, error)) {
    va_upload_write_failed (self, error);
    return FALSE;
  }
  va_upload_account (self, data, size);
  return TRUE;
}

static void
va_upload_write_bytes_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaUpload *self = g_task_get_source_object (task);
  GError *error = NULL;
  gsize written = 0;

  self->busy = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error)) {
    va_upload_write_failed (self, &error);
    g_task_return_error (task, error);
    return;
  }
  va_upload_account (self, g_bytes_get_data (g_task_get_task_data (task), NULL), written);
  g_task_return_boolean (task, TRUE);
}

/**
 * va_upload_write_bytes_async:
 *
 * Appends @bytes without blocking the main context. One operation at a
 * time.
 */
void
va_upload_write_bytes_async (VaUpload *self, GBytes *bytes, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  gsize size = 0;
  const void *data;

  g_return_if_fail (VA_IS_UPLOAD (self));
  g_return_if_fail (bytes != NULL);
  g_return_if_fail (!self->busy);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_upload_write_bytes_async);
  data = g_bytes_get_data (bytes, &size);
  if (!va_upload_check_chunk (self, size, &error)) {
    g_task_return_error (task, error);
    return;
  }
  /* the bytes must outlive the write */
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify)g_bytes_unref);
  self->busy = TRUE;
  g_output_stream_write_all_async (self->output, data, size, G_PRIORITY_DEFAULT, cancellable,
                                   va_upload_write_bytes_cb, g_steal_pointer (&task));
}

gboolean
va_upload_write_bytes_finish (VaUpload *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * va_upload_link_from:
 * @source: an absolute path to a regular file (another job's video)
 * @sha256: (nullable): its known SHA-256, or %NULL when unknown (the run
 *   then hashes it)
 *
 * Fills the upload with @source without reading it: a hard link when
 * both are on one file system (the two jobs then share the data, but
 * deleting either removes only its own name), a copy otherwise. Instead
 * of any write; va_upload_complete() follows as usual.
 */
gboolean
va_upload_link_from (VaUpload *self, const char *source, const char *sha256, GError **error)
{
  g_autoptr (GFile) from = NULL;
  g_autoptr (GFile) to = NULL;
  GStatBuf st;

  g_return_val_if_fail (VA_IS_UPLOAD (self), FALSE);
  g_return_val_if_fail (!self->busy, FALSE);

  if (!va_upload_check_writable (self, error))
    return FALSE;
  if (g_lstat (source, &st) != 0 || !S_ISREG (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, N_ ("The video to run again is missing"));
    va_upload_fail (self);
    return FALSE;
  }
  if (!va_upload_check_chunk (self, (gsize)st.st_size, error))
    return FALSE;
  /* the partial file goes; the source takes its name */
  g_output_stream_close (self->output, NULL, NULL);
  g_clear_object (&self->output);
  self->fd = -1;
  if (g_unlink (self->part_path) != 0 || link (source, self->part_path) != 0) {
    from = g_file_new_for_path (source);
    to = g_file_new_for_path (self->part_path);
    if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL,
                      NULL, error)) {
      va_upload_write_failed (self, error);
      return FALSE;
    }
    (void)g_chmod (self->part_path, VA_STORAGE_FILE_MODE);
  }
  /* va_upload_complete() syncs through this descriptor */
  self->fd = g_open (self->part_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (self->fd < 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open the copied video: %s",
                 g_strerror (errno));
    va_upload_fail (self);
    return FALSE;
  }
  self->output = g_unix_output_stream_new (self->fd, TRUE);
  self->size = (guint64)st.st_size;
  self->linked = TRUE;
  self->known_sha256 = g_strdup (sha256);
  return TRUE;
}

const char *
va_upload_get_rerun_of (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->rerun_of;
}

void
va_upload_set_rerun_of (VaUpload *self, const char *job_id)
{
  g_return_if_fail (VA_IS_UPLOAD (self));
  g_free (self->rerun_of);
  self->rerun_of = g_strdup (job_id);
}

/* the batch the job is submitted in (1.5 `batch_id`), or %NULL */
const char *
va_upload_get_batch_id (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->batch_id;
}

const char *
va_upload_get_batch_name (VaUpload *self)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), NULL);
  return self->batch_name;
}

/**
 * va_upload_set_batch:
 * @batch_id: (nullable): the client's batch id, checked at submission
 * @batch_name: (nullable): its display name
 */
void
va_upload_set_batch (VaUpload *self, const char *batch_id, const char *batch_name)
{
  g_return_if_fail (VA_IS_UPLOAD (self));
  g_free (self->batch_id);
  g_free (self->batch_name);
  self->batch_id = g_strdup (batch_id);
  self->batch_name = g_strdup (batch_name);
}

/* ---- splice from a stream ---------------------------------------------- */

static void va_upload_splice_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
va_upload_splice_next (GTask *task)
{
  GInputStream *input = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (input, VA_UPLOAD_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), va_upload_splice_read_cb, task);
}

static void
va_upload_splice_write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VaUpload *self = g_task_get_source_object (task);
  GError *error = NULL;
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error)) {
    self->busy = FALSE;
    va_upload_write_failed (self, &error);
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  va_upload_account (self, g_bytes_get_data (g_object_get_data (G_OBJECT (task), "chunk"), NULL),
                     written);
  va_upload_splice_next (task);
}

static void
va_upload_splice_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VaUpload *self = g_task_get_source_object (task);
  g_autoptr (GBytes) bytes = NULL;
  GError *error = NULL;
  gsize size;
  const void *data;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL) {
    self->busy = FALSE;
    va_upload_write_failed (self, &error);
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  data = g_bytes_get_data (bytes, &size);
  if (size == 0) {
    self->busy = FALSE;
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  if (!va_upload_check_chunk (self, size, &error)) {
    self->busy = FALSE;
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  /* keep the chunk alive until written: the task holds the input, so
   * park the bytes on the task as qdata */
  g_object_set_data_full (G_OBJECT (task), "chunk", g_steal_pointer (&bytes),
                          (GDestroyNotify)g_bytes_unref);
  g_output_stream_write_all_async (self->output, data, size, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), va_upload_splice_write_cb, task);
}

/**
 * va_upload_splice_async:
 * @input: a stream read to its end in 64 KiB chunks
 *
 * Copies @input into the upload, chunk by chunk, with the same checks as
 * va_upload_write(). @input is not closed.
 */
void
va_upload_splice_async (VaUpload *self, GInputStream *input, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (VA_IS_UPLOAD (self));
  g_return_if_fail (G_IS_INPUT_STREAM (input));
  g_return_if_fail (!self->busy);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_upload_splice_async);
  if (!va_upload_check_writable (self, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  g_task_set_task_data (task, g_object_ref (input), g_object_unref);
  self->busy = TRUE;
  va_upload_splice_next (task);
}

gboolean
va_upload_splice_finish (VaUpload *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- completion ---------------------------------------------------------- */

static gboolean
va_upload_is_media_type (const char *name)
{
  static const char *const containers[] = {
    "application/ogg",        "application/x-ogg",    "application/mxf",
    "application/x-id3",      "application/x-apetag", "application/vnd.rn-realmedia",
    "application/x-yuv4mpeg", "application/x-3gp",    "application/x-annodex",
  };

  if (g_str_has_prefix (name, "video/") || g_str_has_prefix (name, "audio/"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++) {
    if (g_str_equal (name, containers[i]))
      return TRUE;
  }
  return FALSE;
}

static gboolean
va_upload_typefind (VaUpload *self, GstCaps **caps_out, GError **error)
{
  g_autofree guint8 *head = NULL;
  g_autoptr (GstCaps) caps = NULL;
  GstTypeFindProbability probability = GST_TYPE_FIND_NONE;
  gssize n;
  int fd;

  fd = g_open (self->part_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read the upload back: %s",
                 g_strerror (saved));
    return FALSE;
  }
  head = g_malloc (VA_UPLOAD_TYPEFIND_SIZE);
  n = read (fd, head, VA_UPLOAD_TYPEFIND_SIZE);
  g_close (fd, NULL);
  if (n < 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("Cannot read the upload back"));
    return FALSE;
  }

  caps = gst_type_find_helper_for_data (NULL, head, (gsize)n, &probability);
  if (caps == NULL || gst_caps_is_empty (caps) || probability < GST_TYPE_FIND_LIKELY) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                         N_ ("The upload is not a recognized audio or video file"));
    return FALSE;
  }
  if (!va_upload_is_media_type (gst_structure_get_name (gst_caps_get_structure (caps, 0)))) {
    g_set_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                 "The upload is %s, not an audio or video file",
                 gst_structure_get_name (gst_caps_get_structure (caps, 0)));
    return FALSE;
  }
  *caps_out = g_steal_pointer (&caps);
  return TRUE;
}

static gboolean
va_upload_sync_failed (VaUpload *self, int saved, GError **error)
{
  g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
               "Cannot store the upload: %s", g_strerror (saved));
  va_upload_fail (self);
  return FALSE;
}

/* The file's data and its name in the job directory, on disk. */
static gboolean
va_upload_sync (VaUpload *self, GError **error)
{
  int dir_fd;

  if (fsync (self->fd) != 0)
    return va_upload_sync_failed (self, errno, error);
  dir_fd = g_open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd < 0)
    return va_upload_sync_failed (self, errno, error);
  if (fsync (dir_fd) != 0) {
    int saved = errno;
    g_close (dir_fd, NULL);
    return va_upload_sync_failed (self, saved, error);
  }
  g_close (dir_fd, NULL);
  return TRUE;
}

/* The file extension of the typefound container. GStreamer finds MP4 and
 * QuickTime alike as video/quicktime, told apart by the ftyp brand in
 * `variant` ("iso", "iso-fragmented" for MP4; none or "apple" for a
 * QuickTime movie), and gives both ".mov": an MP4 is stored as such. */
static char *
va_upload_dup_extension (GstCaps *caps)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  const char *variant = gst_structure_get_string (s, "variant");

  if (gst_structure_has_name (s, "video/quicktime") && variant != NULL
      && (g_str_equal (variant, "iso") || g_str_equal (variant, "iso-fragmented")))
    return g_strdup ("mp4");
  return gst_pb_utils_get_file_extension_from_caps (caps);
}

static gboolean
va_upload_complete_internal (VaUpload *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (GstCaps) caps = NULL;
  g_autofree char *extension = NULL;
  g_autofree char *name = NULL;
  g_autofree char *final_path = NULL;

  if (!va_upload_check_writable (self, error))
    return FALSE;
  if (!g_output_stream_flush (self->output, cancellable, error)) {
    va_upload_write_failed (self, error);
    return FALSE;
  }

  if (self->size == 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA, N_ ("The upload is empty"));
    va_upload_fail (self);
    return FALSE;
  }

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  if (!va_upload_typefind (self, &caps, error)) {
    va_upload_fail (self);
    return FALSE;
  }

  extension = va_upload_dup_extension (caps);
  /* only [a-z0-9] from GStreamer's table; anything else gets "media" */
  if (extension != NULL) {
    for (const char *p = extension; *p != '\0'; p++) {
      if (!g_ascii_isalnum (*p)) {
        g_clear_pointer (&extension, g_free);
        break;
      }
    }
  }
  name = g_strdup_printf ("input.%s", extension != NULL ? extension : "media");
  final_path = g_build_filename (self->dir, name, NULL);
  if (g_rename (self->part_path, final_path) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot store the upload: %s",
                 g_strerror (saved));
    va_upload_fail (self);
    return FALSE;
  }
  /* on disk, under its final name, before the job row points at it. The
   * file is synced after the rename, not before: on ext4 the file's sync
   * commits the rename in the same journal transaction, so the directory's
   * sync finds nothing left to write (one commit instead of two). A crash
   * in between leaves a directory no job points at. */
  if (!va_upload_sync (self, error))
    return FALSE;
  if (!g_output_stream_close (self->output, cancellable, error)) {
    va_upload_write_failed (self, error);
    return FALSE;
  }
  g_clear_object (&self->output);
  self->fd = -1;

  self->media_type = g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0)));
  self->sha256 = self->linked ? g_strdup (self->known_sha256)
                              : g_strdup (g_checksum_get_string (self->checksum));
  self->path = g_build_filename (self->job_id, name, NULL);
  self->state = VA_UPLOAD_COMPLETE;
  return TRUE;
}

/**
 * va_upload_complete:
 *
 * Ends the upload (blocking): typefinds it, moves it to its final name
 * and syncs it to disk. On failure the upload is removed.
 *
 * Returns: %FALSE with %VA_ERROR_UNSUPPORTED_MEDIA for empty or non-media
 *   data, or another %VA_ERROR
 */
gboolean
va_upload_complete (VaUpload *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VA_IS_UPLOAD (self), FALSE);
  g_return_val_if_fail (!self->busy, FALSE);
  return va_upload_complete_internal (self, cancellable, error);
}

static void
va_upload_complete_thread (GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable)
{
  GError *error = NULL;

  if (!va_upload_complete_internal (VA_UPLOAD (task_data), cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
va_upload_complete_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  VA_UPLOAD (g_task_get_source_object (task))->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * va_upload_complete_async:
 *
 * va_upload_complete() in a worker thread (typefinding and fsync block).
 */
void
va_upload_complete_async (VaUpload *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) outer = NULL;
  g_autoptr (GTask) inner = NULL;

  g_return_if_fail (VA_IS_UPLOAD (self));
  g_return_if_fail (!self->busy);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, va_upload_complete_async);
  /* the inner task clears `busy` on this context before the caller sees
   * the result, so the caller may start the next operation at once. It
   * holds no reference on the upload: the worker thread may drop the task
   * after the caller is done, and the last unref (which removes an
   * abandoned upload) must not happen there. The outer task keeps the
   * upload alive until then. */
  g_task_set_check_cancellable (outer, FALSE);
  inner = g_task_new (NULL, cancellable, va_upload_complete_done, g_steal_pointer (&outer));
  /* the work itself honours @cancellable (and then fails, removing the
   * upload); a cancellation after it succeeded changes nothing */
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, self, NULL);
  self->busy = TRUE;
  g_task_run_in_thread (inner, va_upload_complete_thread);
}

gboolean
va_upload_complete_finish (VaUpload *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * va_upload_abort:
 *
 * Gives up: removes the partial file and the job directory. Does nothing
 * once a job owns the upload.
 */
void
va_upload_abort (VaUpload *self)
{
  g_return_if_fail (VA_IS_UPLOAD (self));
  va_upload_fail (self);
}
