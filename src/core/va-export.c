/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-archive-private.h"
#include "va-codec.h"
#include "va-engine-private.h"
#include "va-error.h"
#include "va-export.h"

/* Data portability: one job, or every job of one user, as a ZIP. Layout
 * (docs/operations.md, "Export"):
 *
 *   jobs/<id>/job.json        the job as the REST API shows it (config,
 *                             consent, state, times)
 *   jobs/<id>/results.json    its per-pipeline results
 *   jobs/<id>/files/<name>    every annotation file of the job
 *   jobs/<id>/media/<name>    the uploaded video (with media)
 *   keys.json                 (a user) the user's API keys, metadata only
 *   manifest.json             last: every other member's path, size, sha256
 *
 * Preparing (a worker thread) decides who may (a job: its owner or an
 * administrator; a user: administrators), reads the rows and lists the
 * files, and records the audit entry job.export / user.export: an export
 * that starts is recorded even if its reader goes away midway. Then each
 * va_export_step() writes one member's header or one 64 KiB block of a
 * file, so the REST route streams it (src/http/va-http-export.c) and the
 * command line writes it into a file (va-export-file.c) through the same
 * code, neither holding a file whole. */

#define VA_EXPORT_BLOCK (64 * 1024)

typedef struct {
  char *name;    /* the member's path in the ZIP */
  GBytes *bytes; /* a JSON member, made while preparing */
  char *path;    /* or a file, read when its turn comes */
  gboolean media;
} VaExportItem;

struct _VaExport {
  VaEngine *engine;
  VaCaller *caller;
  char *job_id;
  char *user_id;
  VaExportFlags flags;
  GArray *items; /* VaExportItem */
  guint next;
  guint jobs;
  char *filename;

  struct archive *archive;
  JsonBuilder *manifest;
  VaExportWriteFunc write;
  gpointer write_data;
  GError *write_error;

  /* the file being copied */
  int fd;
  guint64 left;
  guint64 size;
  GChecksum *sha;
  const char *current;
  guint8 *buffer;
  gboolean done;
};

static void
va_export_item_clear (VaExportItem *item)
{
  g_free (item->name);
  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_free (item->path);
}

void
va_export_free (VaExport *self)
{
  if (self == NULL)
    return;
  if (self->archive != NULL) {
    /* an export abandoned midway: libarchive's final flush goes nowhere */
    self->write = NULL;
    archive_write_free (self->archive);
  }
  if (self->fd >= 0)
    g_close (self->fd, NULL);
  g_clear_pointer (&self->sha, g_checksum_free);
  g_clear_object (&self->manifest);
  g_clear_error (&self->write_error);
  g_clear_pointer (&self->items, g_array_unref);
  g_clear_object (&self->caller);
  g_clear_object (&self->engine);
  g_free (self->job_id);
  g_free (self->user_id);
  g_free (self->filename);
  g_free (self->buffer);
  g_free (self);
}

static void
va_export_add_json (VaExport *self, char *name, JsonNode *node)
{
  char *text = json_to_string (node, TRUE);
  VaExportItem item = { name, g_bytes_new_take (text, strlen (text)), NULL, FALSE };

  g_array_append_val (self->items, item);
}

/* ---- preparing (worker thread) -------------------------------------------------- */

static gboolean
va_export_collect_job (VaExport *self, VaJob *job, GError **error)
{
  VaStore *store = va_engine_get_store (self->engine);
  VaStorage *storage = va_engine_get_storage (self->engine);
  const char *job_id = va_job_get_id (job);
  g_autoptr (GPtrArray) results = va_store_list_results (store, job_id, error);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) job_json = NULL;
  g_autoptr (JsonNode) results_json = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *prefix = g_strconcat ("jobs/", job_id, "/", NULL);
  const char *video = NULL;

  if (results == NULL)
    return FALSE;
  dir = va_storage_dup_job_dir (storage, job_id, error);
  if (dir == NULL)
    return FALSE;
  job_json = va_codec_to_json ((VaSerializable *)job);
  results_json = va_codec_list_to_json (results);
  va_export_add_json (self, g_strconcat (prefix, "job.json", NULL), job_json);
  va_export_add_json (self, g_strconcat (prefix, "results.json", NULL), results_json);
  self->jobs++;

  files = va_storage_list_job_files (storage, job_id, &local_error);
  if (files == NULL) {
    if (g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      return TRUE; /* an upload that never completed has no files */
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  /* the upload's path relative to the job directory */
  if (va_job_get_video_path (job) != NULL && g_str_has_prefix (va_job_get_video_path (job), job_id))
    video = va_job_get_video_path (job) + strlen (job_id) + 1;
  for (guint i = 0; i < files->len; i++) {
    const char *relative = g_ptr_array_index (files, i);
    gboolean is_video = g_strcmp0 (relative, video) == 0;
    VaExportItem item = { NULL, NULL, NULL, is_video };

    if (is_video && !(self->flags & VA_EXPORT_FLAGS_WITH_MEDIA))
      continue;
    item.name = g_strconcat (prefix, is_video ? "media/" : "files/", relative, NULL);
    item.path = g_build_filename (dir, relative, NULL);
    g_array_append_val (self->items, item);
  }
  return TRUE;
}

static gboolean
va_export_collect_keys (VaExport *self, guint *n_keys, GError **error)
{
  g_autoptr (GPtrArray) keys
      = va_token_store_list_keys (va_engine_get_token_store (self->engine), error);
  g_autoptr (GPtrArray) mine = g_ptr_array_new ();
  g_autoptr (JsonNode) node = NULL;

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    if (g_strcmp0 (va_api_key_get_user_id (key), self->user_id) == 0)
      g_ptr_array_add (mine, key);
  }
  /* the codec never serializes digests or secrets */
  node = va_codec_list_to_json (mine);
  va_export_add_json (self, g_strdup ("keys.json"), node);
  *n_keys = mine->len;
  return TRUE;
}

static gboolean
va_export_collect (VaExport *self, GError **error)
{
  VaStore *store = va_engine_get_store (self->engine);
  g_autoptr (GPtrArray) ids = NULL;
  guint n_keys = 0;

  if (self->job_id != NULL) {
    g_autoptr (VaJob) job
        = va_engine_lookup_job (self->engine, self->caller, self->job_id, VA_SCOPE_READ, error);
    return job != NULL && va_export_collect_job (self, job, error);
  }
  if (!va_caller_check_scope (self->caller, VA_SCOPE_ADMIN, error))
    return FALSE;
  ids = va_store_list_user_job_ids (store, self->user_id, error);
  if (ids == NULL || !va_export_collect_keys (self, &n_keys, error))
    return FALSE;
  /* as the user's purge: an id nothing has is a mistake worth saying */
  if (ids->len == 0 && n_keys == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No user %s: no API key or job has that id",
                 self->user_id);
    return FALSE;
  }
  for (guint i = 0; i < ids->len; i++) {
    g_autoptr (GError) local_error = NULL;
    g_autoptr (VaJob) job = va_store_get_job (store, g_ptr_array_index (ids, i), &local_error);

    /* a job deleted meanwhile (or being deleted) is not theirs any more */
    if (job == NULL && g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      continue;
    if (job == NULL || !va_export_collect_job (self, job, &local_error)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }
  return TRUE;
}

/* the task's data until the export is handed out */
static void
va_export_holder_free (VaExport **holder)
{
  va_export_free (*holder);
  g_free (holder);
}

static void
va_export_prepare_thread (GTask *task, gpointer source, gpointer task_data,
                          GCancellable *cancellable)
{
  VaExport **holder = task_data;
  VaExport *self = *holder;
  g_autoptr (JsonObject) detail = json_object_new ();
  GError *error = NULL;

  if (!va_export_collect (self, &error)) {
    g_task_return_error (task, error);
    return;
  }
  json_object_set_int_member (detail, "jobs", self->jobs);
  json_object_set_boolean_member (detail, "media", (self->flags & VA_EXPORT_FLAGS_WITH_MEDIA) != 0);
  va_engine_audit (self->engine, self->caller, self->job_id != NULL ? "job.export" : "user.export",
                   self->job_id != NULL ? self->job_id : self->user_id, detail);
  g_task_return_pointer (task, g_steal_pointer (holder), (GDestroyNotify)va_export_free);
}

/**
 * va_export_prepare_async:
 * @caller: a job: its owner (read scope) or an administrator; a user's
 *   jobs: an administrator
 * @job_id: (nullable): one job, or
 * @user_id: (nullable): every job of this user (exactly one of the two)
 *
 * Prepares the export described at the top of va-export.c and records
 * it in the audit trail.
 */
void
va_export_prepare_async (VaEngine *engine, VaCaller *caller, const char *job_id,
                         const char *user_id, VaExportFlags flags, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VaExport **holder;
  VaExport *self;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (VA_IS_CALLER (caller));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_export_prepare_async);
  if ((job_id == NULL) == (user_id == NULL) || (user_id != NULL && *user_id == '\0')
      || (user_id != NULL && (strlen (user_id) > 256 || !g_utf8_validate (user_id, -1, NULL)))) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                             "Export one job or one user's jobs (a user id is 1 to 256 "
                             "characters of UTF-8)");
    return;
  }
  self = g_new0 (VaExport, 1);
  self->engine = g_object_ref (engine);
  self->caller = g_object_ref (caller);
  self->job_id = g_strdup (job_id);
  self->user_id = g_strdup (user_id);
  self->flags = flags;
  self->fd = -1;
  self->items = g_array_new (FALSE, TRUE, sizeof (VaExportItem));
  g_array_set_clear_func (self->items, (GDestroyNotify)va_export_item_clear);
  /* a user id may hold anything: the offered name keeps it out */
  self->filename = job_id != NULL ? g_strdup_printf ("job_%s_export.zip", job_id)
                                  : g_strdup ("user_export.zip");
  holder = g_new (VaExport *, 1);
  *holder = self;
  g_task_set_task_data (task, holder, (GDestroyNotify)va_export_holder_free);
  g_task_run_in_thread (task, va_export_prepare_thread);
}

/**
 * va_export_prepare_finish:
 *
 * Returns: (transfer full): the export, ready for va_export_start(); or
 *   %NULL: %VA_ERROR_NOT_FOUND (no such job, or another user's),
 *   %VA_ERROR_FORBIDDEN (a user's export without the admin scope),
 *   %VA_ERROR_INVALID_ARGUMENT
 */
VaExport *
va_export_prepare_finish (VaEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- writing, one step at a time ---------------------------------------------- */

static la_ssize_t
va_export_archive_write (struct archive *a, void *client_data, const void *buffer, size_t length)
{
  VaExport *self = client_data;

  if (self->write == NULL)
    return (la_ssize_t)length;
  if (!self->write (self->write_data, buffer, length,
                    self->write_error == NULL ? &self->write_error : NULL)) {
    archive_set_error (a, EIO, "%s", self->write_error->message);
    return -1;
  }
  return (la_ssize_t)length;
}

/* the writer's own error when it was the writer that failed, else
 * @local (already set by the va_archive_*() call) or libarchive's */
static gboolean
va_export_fail (VaExport *self, const char *what, GError *local, GError **error)
{
  if (self->write_error != NULL) {
    g_clear_error (&local);
    g_propagate_error (error, g_steal_pointer (&self->write_error));
    return FALSE;
  }
  if (local != NULL) {
    g_propagate_error (error, local);
    return FALSE;
  }
  return va_archive_error (self->archive, what, error);
}

/**
 * va_export_start:
 * @write: (scope notified): takes the ZIP's bytes, from this and the
 *   following va_export_step() calls
 *
 * Opens the archive; va_export_step() then writes it.
 */
gboolean
va_export_start (VaExport *self, VaExportWriteFunc write, gpointer data, GError **error)
{
  g_return_val_if_fail (self != NULL && self->archive == NULL, FALSE);

  self->write = write;
  self->write_data = data;
  self->buffer = g_malloc (VA_EXPORT_BLOCK);
  self->archive = archive_write_new ();
  /* every write goes straight to @write, not into 10 KiB blocks */
  if (archive_write_set_format_zip (self->archive) != ARCHIVE_OK
      || archive_write_set_bytes_per_block (self->archive, 0) != ARCHIVE_OK
      || archive_write_open2 (self->archive, self, NULL, va_export_archive_write, NULL, NULL)
             != ARCHIVE_OK)
    return va_export_fail (self, "the export", NULL, error);
  self->manifest = json_builder_new ();
  json_builder_begin_array (self->manifest);
  return TRUE;
}

static gboolean
va_export_finish_archive (VaExport *self, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  GError *local = NULL;

  json_builder_end_array (self->manifest);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "videoannotator-export");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, self->job_id != NULL ? "job_id" : "user_id");
  json_builder_add_string_value (b, self->job_id != NULL ? self->job_id : self->user_id);
  json_builder_set_member_name (b, "media");
  json_builder_add_boolean_value (b, (self->flags & VA_EXPORT_FLAGS_WITH_MEDIA) != 0);
  json_builder_set_member_name (b, "files");
  json_builder_add_value (b, json_builder_get_root (self->manifest));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  archive_write_zip_set_compression_deflate (self->archive);
  if (!va_archive_add_bytes (self->archive, "manifest.json", text, strlen (text), NULL, &local))
    return va_export_fail (self, "manifest.json", local, error);
  if (archive_write_close (self->archive) != ARCHIVE_OK)
    return va_export_fail (self, "the export", NULL, error);
  self->done = TRUE;
  return TRUE;
}

static gboolean
va_export_open_file (VaExport *self, const VaExportItem *item, GError **error)
{
  GError *local = NULL;
  struct stat st;

  self->fd = g_open (item->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (self->fd < 0 || fstat (self->fd, &st) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOENT ? VA_ERROR_NOT_FOUND : VA_ERROR_INTERNAL,
                 "Cannot read %s: %s", item->name, g_strerror (saved));
    return FALSE;
  }
  /* videos do not shrink when deflated: stored, which costs no CPU */
  if (item->media)
    archive_write_zip_set_compression_store (self->archive);
  else
    archive_write_zip_set_compression_deflate (self->archive);
  if (!va_archive_header (self->archive, item->name, st.st_size, st.st_mtime, &local))
    return va_export_fail (self, item->name, local, error);
  self->size = self->left = st.st_size;
  self->current = item->name;
  self->sha = g_checksum_new (G_CHECKSUM_SHA256);
  return TRUE;
}

/* one block of the file being copied; exactly the size it had when
 * opened (a file that grows meanwhile is cut there) */
static gboolean
va_export_copy_block (VaExport *self, GError **error)
{
  gssize n = 0;

  if (self->left > 0) {
    do
      n = read (self->fd, self->buffer, MIN (self->left, VA_EXPORT_BLOCK));
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
      int saved = n < 0 ? errno : 0;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read %s: %s", self->current,
                   n < 0 ? g_strerror (saved) : "the file shrank while it was read");
      return FALSE;
    }
    if (archive_write_data (self->archive, self->buffer, n) != n)
      return va_export_fail (self, self->current, NULL, error);
    g_checksum_update (self->sha, self->buffer, n);
    self->left -= n;
  }
  if (self->left == 0) {
    va_archive_manifest_entry (self->manifest, self->current, self->size, self->sha);
    g_clear_pointer (&self->sha, g_checksum_free);
    g_close (self->fd, NULL);
    self->fd = -1;
  }
  return TRUE;
}

/**
 * va_export_step:
 *
 * Writes the next piece: a JSON member, a file's header, one block of a
 * file, or the manifest and the end of the archive. Call it until
 * va_export_is_done(). A file removed since the export was prepared (its
 * job was deleted meanwhile) fails the export with %VA_ERROR_NOT_FOUND.
 */
gboolean
va_export_step (VaExport *self, GError **error)
{
  const VaExportItem *item;
  GError *local = NULL;

  g_return_val_if_fail (self != NULL && self->archive != NULL && !self->done, FALSE);

  if (self->fd >= 0)
    return va_export_copy_block (self, error);
  if (self->next >= self->items->len)
    return va_export_finish_archive (self, error);
  item = &g_array_index (self->items, VaExportItem, self->next++);
  if (item->path != NULL)
    return va_export_open_file (self, item, error);
  archive_write_zip_set_compression_deflate (self->archive);
  if (!va_archive_add_bytes (self->archive, item->name, g_bytes_get_data (item->bytes, NULL),
                             g_bytes_get_size (item->bytes), self->manifest, &local))
    return va_export_fail (self, item->name, local, error);
  return TRUE;
}

gboolean
va_export_is_done (VaExport *self)
{
  return self->done;
}

/* the jobs in the export */
guint
va_export_get_n_jobs (VaExport *self)
{
  return self->jobs;
}

/* a file name to offer for the ZIP */
const char *
va_export_get_filename (VaExport *self)
{
  return self->filename;
}
