/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli.h"
#include "va-diagnosis.h"
#include "va-error.h"

/* `videoannotator diagnose [--json]`: prints the findings of
 * va_diagnosis_run() and exits 0 (healthy), 1 (warnings) or 2 (errors). */

static const char *
va_cli_diagnose_label (VaDiagnosisSeverity severity)
{
  switch (severity) {
  case VA_DIAGNOSIS_OK:
    return _ ("ok");
  case VA_DIAGNOSIS_WARNING:
    return _ ("WARNING");
  case VA_DIAGNOSIS_ERROR:
  default:
    return _ ("ERROR");
  }
}

static void
va_cli_diagnose_print (GPtrArray *findings)
{
  guint counts[VA_DIAGNOSIS_ERROR + 1] = { 0 };

  for (guint i = 0; i < findings->len; i++) {
    VaFinding *f = g_ptr_array_index (findings, i);

    counts[f->severity]++;
    g_print ("%-8s %-12s %s\n", va_cli_diagnose_label (f->severity), f->area, f->message);
    if (f->hint != NULL && f->severity != VA_DIAGNOSIS_OK)
      g_print ("%-8s %-12s → %s\n", "", "", f->hint);
  }
  g_print ("\n");
  g_print (_ ("Errors: %u, warnings: %u, passed: %u\n"), counts[VA_DIAGNOSIS_ERROR],
           counts[VA_DIAGNOSIS_WARNING], counts[VA_DIAGNOSIS_OK]);
}

int
va_cli_diagnose (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GPtrArray) findings = NULL;
  g_auto (GStrv) args = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the findings as JSON"), NULL },
    { NULL },
  };
  GOptionGroup *group;

  settings = va_settings_new (&error);
  if (settings == NULL) {
    g_printerr ("videoannotator diagnose: %s\n", va_cli_error_message (error));
    return VA_EXIT_DIAGNOSE_ERRORS;
  }
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (
      context, _ ("Check an installation: database, storage, permissions of the data "
                  "directory, GStreamer plugins and models, TLS files and risky settings. "
                  "Nothing is changed.\n\nExit status: 0 healthy, 1 warnings, 2 errors."));
  group = va_settings_get_option_group (settings);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);

  args = g_strdupv (argv);
  if (!va_settings_parse_command_line (settings, context, &args, &error)) {
    g_printerr ("videoannotator diagnose: %s\n", va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator diagnose: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  /* a setting that does not load is itself the finding */
  if (!va_settings_load (settings, NULL, &error)) {
    g_printerr ("videoannotator diagnose: %s\n", va_cli_error_message (error));
    return VA_EXIT_DIAGNOSE_ERRORS;
  }
  va_cli_setup_log (settings);

  findings = va_diagnosis_run (settings);
  if (json) {
    g_autoptr (JsonNode) root = va_diagnosis_to_json (findings);
    g_autofree char *text = json_to_string (root, TRUE);
    g_print ("%s\n", text);
  } else {
    va_cli_diagnose_print (findings);
  }
  switch (va_diagnosis_get_worst (findings)) {
  case VA_DIAGNOSIS_OK:
    return VA_EXIT_OK;
  case VA_DIAGNOSIS_WARNING:
    return VA_EXIT_DIAGNOSE_WARNINGS;
  case VA_DIAGNOSIS_ERROR:
  default:
    return VA_EXIT_DIAGNOSE_ERRORS;
  }
}
