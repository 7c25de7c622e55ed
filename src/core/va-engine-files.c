/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "va-engine-private.h"
#include "va-pipeline-info.h"

/* Every file one pipeline of a job wrote (1.6's `files`): its registry
 * outputs (`<stem><suffix>`, audio_processing's .vtt and .rttm,
 * person_tracking's two JSON files) and their provenance sidecars, found
 * beside the recorded output file. Only names that exist are listed, and
 * only listed names can be downloaded: a client's `name` is matched
 * against this list, never joined to a path. */

static void
va_engine_add_if_file (GPtrArray *names, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode)
      && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (name));
}

/**
 * va_engine_dup_result_files:
 * @result: a pipeline result with an output file
 *
 * Returns: (transfer full) (nullable): the names, output file first, or
 *   %NULL when the result has no output file or its directory is gone
 */
GStrv
va_engine_dup_result_files (VaEngine *self, VaPipelineRegistry *registry, VaJobResult *result)
{
  const char *output = va_job_result_get_output_file (result);
  VaPipelineInfo *info;
  g_autoptr (GPtrArray) names = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  g_autofree char *absolute = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_auto (GStrv) suffixes = NULL;
  const char *main_suffix;

  if (output == NULL)
    return NULL;
  absolute = va_storage_resolve (va_engine_get_storage (self), output, NULL);
  if (absolute == NULL)
    return NULL;
  dir = g_path_get_dirname (absolute);
  base = g_path_get_basename (absolute);
  va_engine_add_if_file (names, dir, base);
  info = va_pipeline_registry_lookup (registry, va_job_result_get_pipeline_name (result));
  main_suffix = info != NULL ? va_pipeline_info_get_output_suffix (info) : NULL;
  if (main_suffix != NULL && g_str_has_suffix (base, main_suffix)) {
    g_autofree char *stem = g_strndup (base, strlen (base) - strlen (main_suffix));

    suffixes = va_pipeline_info_dup_output_suffixes (info);
    for (guint i = 0; suffixes[i] != NULL; i++) {
      g_autofree char *name = g_strconcat (stem, suffixes[i], NULL);
      g_autofree char *sidecar = g_strconcat (name, ".provenance.json", NULL);

      va_engine_add_if_file (names, dir, name);
      va_engine_add_if_file (names, dir, sidecar);
    }
  }
  if (names->len == 0)
    return NULL;
  return (GStrv)g_ptr_array_steal (names, NULL);
}
