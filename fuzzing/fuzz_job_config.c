/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "fuzz.h"
#include "va-config-report.h"
#include "va-engine.h"
#include "va-json.h"
#include "va-pipeline-builder.h"

/* A job submission's `selected_pipelines` field and `config` JSON, checked
 * the way POST /api/v1/jobs and the /config/validate routes check them
 * (va_engine_parse_pipeline_list(), va_pipeline_registry_resolve_list(),
 * va_engine_validate_config() against the pipeline schemas) and, when
 * the report says valid, applied to a pipeline builder as the job queue
 * does (va_config_apply()). Input: the selected_pipelines text, '\n', the
 * config JSON. */

static VaEngine *engine;
static char *engine_dir;

static void
va_fuzz_engine_free (void)
{
  g_clear_object (&engine);
  va_fuzz_remove_tree (engine_dir);
  g_clear_pointer (&engine_dir, g_free);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autofree char *home = NULL;
  g_auto (GStrv) envp = NULL;

  va_fuzz_init_common ();
  gst_init (NULL, NULL);
  engine_dir = g_dir_make_tmp ("va-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  home = g_build_filename (engine_dir, "home", NULL);
  envp = g_environ_setenv (NULL, "HOME", home, TRUE);
  settings = va_settings_new (&error);
  g_assert_no_error (error);
  g_assert_true (va_settings_set_override (settings, "data-dir", engine_dir, &error));
  g_assert_true (va_settings_set_override (settings, "min-free-space", "0", &error));
  g_assert_true (va_settings_load (settings, (const char *const *)envp, &error));
  g_assert_no_error (error);
  engine = va_engine_new (settings, &error);
  g_assert_no_error (error);
  atexit (va_fuzz_engine_free);
  /* GLib and json-glib allocate some state once, on first use (seen as a
   * 16 KiB "leak" on a first refused JSON); let that happen here, before
   * libFuzzer starts counting leaks per input */
  {
    static const char *const warmup[] = { "\n{", "\n{}", "scene\n{\"threshold\":1}" };
    for (guint i = 0; i < G_N_ELEMENTS (warmup); i++)
      LLVMFuzzerTestOneInput ((const uint8_t *)warmup[i], strlen (warmup[i]));
  }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  VaPipelineRegistry *registry = va_engine_get_registry (engine);
  const uint8_t *rest;
  size_t rest_size;
  g_autofree char *selection = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_auto (GStrv) names = va_engine_parse_pipeline_list (selection);
  g_autoptr (GPtrArray) resolved = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (VaConfigReport) report = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *config = NULL;

  /* the names the submission route hands on are trimmed and non-empty */
  for (guint i = 0; names != NULL && names[i] != NULL; i++) {
    g_assert_true (*names[i] != '\0');
    g_assert_false (g_ascii_isspace (names[i][0]));
  }
  resolved = va_pipeline_registry_resolve_list (registry, selection, &error);
  g_assert_true ((resolved == NULL) == (error != NULL));
  g_clear_error (&error);

  if (rest_size > 0) {
    /* as the HTTP routes parse it: limits first (va-json.c) */
    root = va_json_parse ((const char *)rest, (gssize)rest_size, VA_JSON_MAX_SIZE, NULL);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
      return 0;
    config = json_node_get_object (root);
  }

  report = va_engine_validate_config (engine, config, (const char *const *)names, &error);
  if (report == NULL) {
    g_assert_nonnull (error);
    return 0;
  }
  g_assert_no_error (error);
  {
    g_autofree char *summary = va_config_report_dup_summary (report);
    g_autoptr (JsonNode) json = va_config_report_to_json (report);
    g_autofree char *text = json_to_string (json, FALSE);

    g_assert_nonnull (summary);
    g_assert_nonnull (text);
    g_assert_true (va_config_report_is_valid (report)
                   == (va_config_report_get_errors (report)->len == 0));
  }
  if (va_config_report_is_valid (report) && config != NULL) {
    g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
    g_autoptr (GPtrArray) infos = va_pipeline_registry_resolve_list (registry, selection, NULL);

    for (guint i = 0; infos != NULL && i < infos->len; i++)
      va_pipeline_builder_add_pipeline (builder, g_ptr_array_index (infos, i));
    /* a configuration the report accepted must apply */
    if (infos != NULL && !va_config_apply (registry, config, builder, &error))
      g_error ("valid configuration refused: %s", error->message);
  }
  return 0;
}
