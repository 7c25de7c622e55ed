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
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GPtrArray) findings = NULL;
  g_auto (GStrv) args = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the findings as JSON"), NULL },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "diagnose",
    .summary = _ ("Check an installation: database, storage, permissions of the data "
                  "directory, GStreamer plugins and models, TLS files and risky settings. "
                  "Nothing is changed.\n\nExit status: 0 healthy, 1 warnings, 2 errors."),
    .entries = entries,
  };

  /* a usage error is 2 as well; a setting that does not load (or no
   * schema) is itself the finding */
  if (va_cli_settings_parse (&spec, argc, argv, &settings, &args) >= 0)
    return VA_EXIT_DIAGNOSE_ERRORS;
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator diagnose: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  if (va_cli_settings_load (&spec, settings) >= 0)
    return VA_EXIT_DIAGNOSE_ERRORS;

  findings = va_diagnosis_run (settings);
  if (json) {
    g_autoptr (JsonNode) root = va_diagnosis_to_json (findings);
    va_cli_print_json (root);
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
