/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-diagnosis-private.h"

/* `videoannotator diagnose`: every check an operator would otherwise do by
 * hand before (re)starting the service, as a list of findings that the
 * command line prints and scripts read as JSON. The checks only read:
 * nothing in the data directory is created or changed. */

void
va_finding_free (VaFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->area);
  g_free (finding->code);
  g_free (finding->message);
  g_free (finding->hint);
  g_free (finding);
}

const char *
va_diagnosis_severity_to_string (VaDiagnosisSeverity severity)
{
  switch (severity) {
  case VA_DIAGNOSIS_OK:
    return "ok";
  case VA_DIAGNOSIS_WARNING:
    return "warning";
  case VA_DIAGNOSIS_ERROR:
  default:
    return "error";
  }
}

void
va_diagnosis_add (GPtrArray *findings, VaDiagnosisSeverity severity, const char *area,
                  const char *code, const char *hint, const char *format, ...)
{
  VaFinding *finding = g_new0 (VaFinding, 1);
  va_list args;

  va_start (args, format);
  finding->message = g_strdup_vprintf (format, args);
  va_end (args);
  finding->severity = severity;
  finding->area = g_strdup (area);
  finding->code = g_strdup (code);
  finding->hint = g_strdup (hint);
  g_ptr_array_add (findings, finding);
}

/**
 * va_diagnosis_run:
 * @settings: loaded settings (the data directory and everything else come
 *   from them)
 *
 * Runs every check. Slow parts: GStreamer's plugin registry and loading
 * the face and person models, about a second.
 *
 * Returns: (transfer container) (element-type VaFinding): the findings, in
 *   the order of the checks
 */
GPtrArray *
va_diagnosis_run (VaSettings *settings)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func ((GDestroyNotify)va_finding_free);

  g_return_val_if_fail (VA_IS_SETTINGS (settings), findings);

  va_diagnosis_check_permissions (settings, findings);
  va_diagnosis_check_database (settings, findings);
  va_diagnosis_check_storage (settings, findings);
  va_diagnosis_check_pipelines (settings, findings);
  va_diagnosis_check_tls (settings, findings);
  va_diagnosis_check_settings (settings, findings);
  return findings;
}

VaDiagnosisSeverity
va_diagnosis_get_worst (GPtrArray *findings)
{
  VaDiagnosisSeverity worst = VA_DIAGNOSIS_OK;

  for (guint i = 0; i < findings->len; i++) {
    VaFinding *finding = g_ptr_array_index (findings, i);
    worst = MAX (worst, finding->severity);
  }
  return worst;
}

/**
 * va_diagnosis_to_json:
 *
 * Returns: (transfer full): `{"status": "ok|warning|error", "findings":
 *   [{"severity", "area", "code", "message", "hint"}]}`
 */
JsonNode *
va_diagnosis_to_json (GPtrArray *findings)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (
      b, va_diagnosis_severity_to_string (va_diagnosis_get_worst (findings)));
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++) {
    VaFinding *f = g_ptr_array_index (findings, i);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "severity");
    json_builder_add_string_value (b, va_diagnosis_severity_to_string (f->severity));
    json_builder_set_member_name (b, "area");
    json_builder_add_string_value (b, f->area);
    json_builder_set_member_name (b, "code");
    json_builder_add_string_value (b, f->code);
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, f->message);
    json_builder_set_member_name (b, "hint");
    if (f->hint != NULL)
      json_builder_add_string_value (b, f->hint);
    else
      json_builder_add_null_value (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
