/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-diagnosis.h"

G_BEGIN_DECLS

void va_diagnosis_add (GPtrArray *findings, VaDiagnosisSeverity severity, const char *area,
                       const char *code, const char *hint, const char *format, ...)
    G_GNUC_PRINTF (6, 7);

/* va-diagnosis-files.c: the data directory on disk */
void va_diagnosis_check_permissions (VaSettings *settings, GPtrArray *findings);
void va_diagnosis_check_database (VaSettings *settings, GPtrArray *findings);
void va_diagnosis_check_storage (VaSettings *settings, GPtrArray *findings);

/* va-diagnosis-pipelines.c: GStreamer elements and their model files */
void va_diagnosis_check_pipelines (VaSettings *settings, GPtrArray *findings);

/* va-diagnosis-tls.c: the certificate and key of tls-certificate/-private-key */
void va_diagnosis_check_tls (VaSettings *settings, GPtrArray *findings);

/* va-diagnosis-settings.c: settings that expose the service */
void va_diagnosis_check_settings (VaSettings *settings, GPtrArray *findings);

G_END_DECLS
