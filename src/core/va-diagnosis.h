/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-settings.h"

G_BEGIN_DECLS

/**
 * VaDiagnosisSeverity:
 * @VA_DIAGNOSIS_OK: the check passed
 * @VA_DIAGNOSIS_WARNING: works, but is risky or about to fail
 * @VA_DIAGNOSIS_ERROR: broken, or the server refuses to start
 *
 * Ordered: a list's outcome is its most severe finding.
 */
typedef enum {
  VA_DIAGNOSIS_OK,
  VA_DIAGNOSIS_WARNING,
  VA_DIAGNOSIS_ERROR,
} VaDiagnosisSeverity;

/**
 * VaFinding:
 * @severity: how bad
 * @area: what was checked: "database", "storage", "permissions",
 *   "pipelines", "models", "tls" or "settings"
 * @code: stable identifier for scripts, e.g. "TOKENS_PERMISSIONS"
 * @message: what was found, for people
 * @hint: (nullable): how to fix it, often a command
 *
 * One result of va_diagnosis_run(); codes are listed in docs/cli.md.
 */
typedef struct {
  VaDiagnosisSeverity severity;
  char *area;
  char *code;
  char *message;
  char *hint;
} VaFinding;

void va_finding_free (VaFinding *finding);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaFinding, va_finding_free)

const char *va_diagnosis_severity_to_string (VaDiagnosisSeverity severity);

GPtrArray *va_diagnosis_run (VaSettings *settings);
VaDiagnosisSeverity va_diagnosis_get_worst (GPtrArray *findings);
JsonNode *va_diagnosis_to_json (GPtrArray *findings);

G_END_DECLS
