/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "va-cli.h"
#include "va-pipeline-registry.h"
#include "va-settings.h"

/* `videoannotator pipelines [--detailed] [--json]`: the engine's pipeline
 * registry, what `GET /api/v1/pipelines` serves, read locally (no server
 * needed). --json prints the same document as that route. */

static void
va_cli_pipelines_print_json (GPtrArray *pipelines, gboolean include_unavailable)
{
  g_autoptr (JsonNode) root = va_pipeline_registry_list_to_json (pipelines, include_unavailable);

  va_cli_print_json (root);
}

static char *
va_cli_pipelines_join (const char *const *strv)
{
  return strv != NULL && strv[0] != NULL ? g_strjoinv (", ", (char **)strv) : g_strdup ("-");
}

static const char *
va_cli_pipelines_state (VaPipelineInfo *info)
{
  return va_pipeline_info_get_enabled (info) ? _ ("available") : _ ("unavailable");
}

/* A schema value as a person reads it: 0.3, not 0.29999999999999999 */
static char *
va_cli_pipelines_format_value (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (node)));
  }
  return json_to_string (node, FALSE);
}

/* "integer, default 30, 0–100" from a config_schema entry */
static char *
va_cli_pipelines_describe_option (JsonObject *entry)
{
  GString *out = g_string_new (json_object_get_string_member_with_default (entry, "type", "?"));
  JsonNode *def = json_object_get_member (entry, "default");
  JsonNode *min = json_object_get_member (entry, "minimum");
  JsonNode *max = json_object_get_member (entry, "maximum");
  JsonArray *choices = json_object_has_member (entry, "enum")
                           ? json_object_get_array_member (entry, "enum")
                           : NULL;

  if (def != NULL) {
    g_autofree char *text = va_cli_pipelines_format_value (def);
    g_string_append_printf (out, _ (", default %s"), text);
  }
  if (min != NULL && max != NULL) {
    g_autofree char *lo = va_cli_pipelines_format_value (min);
    g_autofree char *hi = va_cli_pipelines_format_value (max);
    g_string_append_printf (out, ", %s–%s", lo, hi);
  }
  for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++) {
    g_autofree char *text = json_to_string (json_array_get_element (choices, i), FALSE);
    g_string_append (out, i == 0 ? _ (", one of ") : " ");
    g_string_append (out, text);
  }
  return g_string_free (out, FALSE);
}

static void
va_cli_pipelines_print_detailed (VaPipelineInfo *info)
{
  JsonObject *schema = va_pipeline_info_get_config_schema (info);
  g_autofree char *aliases = va_cli_pipelines_join (va_pipeline_info_get_aliases (info));
  g_autofree char *tasks = va_cli_pipelines_join (va_pipeline_info_get_tasks (info));
  g_autofree char *types = va_cli_pipelines_join (va_pipeline_info_get_output_types (info));
  g_autoptr (GString) elements = g_string_new (NULL);
  g_auto (GStrv) suffixes = va_pipeline_info_dup_output_suffixes (info);
  g_autoptr (GString) files = g_string_new (NULL);
  g_autoptr (GList) keys = schema != NULL ? json_object_get_members (schema) : NULL;

  for (guint i = 0; suffixes[i] != NULL; i++)
    g_string_append_printf (files, "%s<stem>%s", i > 0 ? ", " : "", suffixes[i]);
  for (guint i = 0; i < va_pipeline_info_get_n_elements (info); i++)
    g_string_append_printf (elements, "%s%s", i > 0 ? " ! " : "",
                            va_pipeline_info_get_element_factory (info, i));

  g_print ("%s — %s\n", va_pipeline_info_get_name (info), va_pipeline_info_get_display_name (info));
  g_print ("  %s\n", va_pipeline_info_get_description (info));
  g_print ("  %-13s %s", _ ("state:"), va_cli_pipelines_state (info));
  if (va_pipeline_info_get_unavailable_reason (info) != NULL)
    g_print (" (%s)", va_pipeline_info_get_unavailable_reason (info));
  g_print ("\n");
  g_print ("  %-13s %s\n", _ ("branch:"),
           va_pipeline_info_get_branch (info) == VA_PIPELINE_BRANCH_AUDIO ? _ ("audio")
                                                                          : _ ("video"));
  g_print ("  %-13s %s\n", _ ("aliases:"), aliases);
  g_print ("  %-13s %s\n", _ ("tasks:"), tasks);
  g_print ("  %-13s %s\n", _ ("elements:"), elements->str);
  g_print ("  %-13s %s (%s: %s)\n", _ ("output:"), files->str,
           va_pipeline_info_get_output_format (info), types);
  g_print ("  %s\n", _ ("options (config key, or -s PIPELINE.KEY=VALUE with annotate):"));
  if (keys == NULL)
    g_print ("    %s\n", _ ("none"));
  keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next) {
    JsonObject *entry = json_object_get_object_member (schema, l->data);
    g_autofree char *what = va_cli_pipelines_describe_option (entry);

    g_print ("    %-24s %s\n", (const char *)l->data, what);
    if (json_object_has_member (entry, "description"))
      g_print ("    %-24s %s\n", "", json_object_get_string_member (entry, "description"));
  }
  g_print ("\n");
}

int
va_cli_pipelines (int argc, char **argv)
{
  gboolean detailed = FALSE, json = FALSE, include_unavailable = FALSE;
  const GOptionEntry entries[] = {
    { "detailed", 'd', 0, G_OPTION_ARG_NONE, &detailed,
      N_ ("Describe each pipeline: elements, outputs and every option with its range"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_ ("Print JSON (the document of GET /api/v1/pipelines)"), NULL },
    { "include-unavailable", 0, 0, G_OPTION_ARG_NONE, &include_unavailable,
      N_ ("With --json, also list pipelines a job could not select (include_unavailable=true)"),
      NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "pipelines",
    .summary = _ ("List the annotation pipelines this installation provides, with the names "
                  "accepted by annotate -p and by job submissions."),
    .entries = entries,
  };
  g_autoptr (VaPipelineRegistry) registry = NULL;
  g_autoptr (GPtrArray) pipelines = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_auto (GStrv) args = NULL;
  int code;

  /* the settings too: models-dir decides what each pipeline reports as
   * its model, exactly as the server with the same settings would */
  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator pipelines: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;

  registry = va_pipeline_registry_new ();
  va_pipeline_registry_set_models_dir (registry, va_settings_get_string (settings, "models-dir"));
  pipelines = va_pipeline_registry_list (registry);
  if (json) {
    va_cli_pipelines_print_json (pipelines, include_unavailable);
    return VA_EXIT_OK;
  }
  if (detailed) {
    for (guint i = 0; i < pipelines->len; i++)
      va_cli_pipelines_print_detailed (pipelines->pdata[i]);
    return VA_EXIT_OK;
  }
  g_print ("%-20s  %-6s  %-11s  %s\n", _ ("NAME"), _ ("BRANCH"), _ ("STATE"), _ ("DESCRIPTION"));
  for (guint i = 0; i < pipelines->len; i++) {
    VaPipelineInfo *info = pipelines->pdata[i];

    g_print ("%-20s  %-6s  %-11s  %s\n", va_pipeline_info_get_name (info),
             va_pipeline_info_get_branch (info) == VA_PIPELINE_BRANCH_AUDIO ? _ ("audio")
                                                                            : _ ("video"),
             va_cli_pipelines_state (info), va_pipeline_info_get_display_name (info));
  }
  return VA_EXIT_OK;
}
