/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-eaf.h"
#include "va-engine-private.h"
#include "va-error.h"

/* A job's results as one ELAN (.eaf) document: the transcript, one tier
 * per speaker, voice activity and scenes, read from the files the job's
 * run wrote in its folder. */

typedef struct {
  GBytes *document;
  char *filename;
} VaEngineEaf;

static void
va_engine_eaf_free (gpointer data)
{
  VaEngineEaf *eaf = data;

  g_clear_pointer (&eaf->document, g_bytes_unref);
  g_free (eaf->filename);
  g_free (eaf);
}

/* a tier id not used yet: "Speech", then "Speech 2", … */
static char *
va_engine_eaf_tier_id (GPtrArray *tiers, const char *base)
{
  for (guint n = 1;; n++) {
    g_autofree char *id = n == 1 ? g_strdup (base) : g_strdup_printf ("%s %u", base, n);
    gboolean used = FALSE;

    for (guint i = 0; i < tiers->len && !used; i++)
      used = g_str_equal (((VaEafTier *)g_ptr_array_index (tiers, i))->id, id);
    if (!used)
      return g_steal_pointer (&id);
  }
}

static void
va_engine_eaf_add_file (GPtrArray *tiers, const char *name, const char *text)
{
  g_autofree char *id = NULL;
  VaEafTier *tier;

  if (g_str_has_suffix (name, ".rttm")) {
    va_eaf_read_rttm (text, tiers);
    return;
  }
  if (g_str_has_suffix (name, ".vtt"))
    id = va_engine_eaf_tier_id (tiers, "Speech");
  else if (g_str_has_suffix (name, "_voice_activity.csv"))
    id = va_engine_eaf_tier_id (tiers, "Voice activity");
  else if (g_str_has_suffix (name, "_scene_detection.json"))
    id = va_engine_eaf_tier_id (tiers, "Scenes");
  else
    return;
  tier = va_eaf_tier_new (id);
  g_ptr_array_add (tiers, tier);
  if (g_str_has_suffix (name, ".vtt"))
    va_eaf_read_webvtt (text, tier);
  else if (g_str_has_suffix (name, ".csv"))
    va_eaf_read_voice_csv (text, tier);
  else
    va_eaf_read_scenes (text, tier);
}

static gboolean
va_engine_eaf_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  VaEngineEaf *eaf = op->data;
  g_autoptr (VaJob) job = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GDir) entries = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify)va_eaf_tier_free);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (JsonObject) detail = NULL;
  g_autofree char *stem = NULL;
  const char *name;

  job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (job == NULL)
    return FALSE;
  if (va_job_get_status (job) != VA_JOB_STATUS_COMPLETED) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT, "Job %s is %s; it has no results to export",
                 op->job_id, va_job_status_to_string (va_job_get_status (job)));
    return FALSE;
  }
  dir = va_storage_dup_job_dir (va_engine_get_storage (self), op->job_id, error);
  if (dir == NULL)
    return FALSE;
  entries = g_dir_open (dir, 0, NULL);
  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);
  /* one tier source per kind of file, in a stable order */
  for (guint i = 0; i < names->len; i++) {
    const char *file = g_ptr_array_index (names, i);
    g_autofree char *path = g_build_filename (dir, file, NULL);
    g_autofree char *text = NULL;

    if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
        || !(g_str_has_suffix (file, ".vtt") || g_str_has_suffix (file, ".rttm")
             || g_str_has_suffix (file, "_voice_activity.csv")
             || g_str_has_suffix (file, "_scene_detection.json")))
      continue;
    if (!g_file_get_contents (path, &text, NULL, error))
      return FALSE;
    va_engine_eaf_add_file (tiers, file, text);
  }
  if (tiers->len == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND,
                 "Job %s has no transcript, speaker, voice activity or scene results to export",
                 op->job_id);
    return FALSE;
  }
  eaf->document = va_eaf_write (tiers, va_job_get_video_filename (job), now, error);
  if (eaf->document == NULL)
    return FALSE;
  stem = g_strdup (va_job_get_video_filename (job) != NULL ? va_job_get_video_filename (job)
                                                           : "video");
  if (strrchr (stem, '.') != NULL && strrchr (stem, '.') != stem)
    *strrchr (stem, '.') = '\0';
  eaf->filename = g_strdup_printf ("%s.eaf", stem);
  detail = va_engine_owner_detail (op->caller, job);
  json_object_set_string_member (detail, "format", "eaf");
  va_engine_audit (self, op->caller, "job.results.read", op->job_id, detail);
  return TRUE;
}

/**
 * va_engine_export_eaf_async:
 *
 * A completed job's transcript, speaker turns, voice activity and scenes
 * as one ELAN 3.0 document, one tier per kind (one per speaker).
 */
void
va_engine_export_eaf_async (VaEngine *self, VaCaller *caller, const char *job_id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_eaf_func, NULL);
  op->data = g_new0 (VaEngineEaf, 1);
  op->data_free = va_engine_eaf_free;
  va_engine_op_run_async (self, op, va_engine_export_eaf_async, cancellable, callback, user_data);
}

/**
 * va_engine_export_eaf_finish:
 * @filename: (out) (optional): a file name for it (the video's stem + .eaf)
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with
 *   %VA_ERROR_NOT_FOUND (job, or nothing to export), %VA_ERROR_CONFLICT
 *   (not completed)
 */
GBytes *
va_engine_export_eaf_finish (VaEngine *self, GAsyncResult *result, char **filename, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_export_eaf_async, error);
  VaEngineEaf *eaf;

  if (op == NULL)
    return NULL;
  eaf = op->data;
  if (filename != NULL)
    *filename = g_steal_pointer (&eaf->filename);
  return g_steal_pointer (&eaf->document);
}
