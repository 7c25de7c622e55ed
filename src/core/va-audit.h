/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-audit-entry.h"
#include "va-caller.h"
#include "va-log.h"
#include "va-store.h"

G_BEGIN_DECLS

#define VA_TYPE_AUDIT (va_audit_get_type ())
G_DECLARE_FINAL_TYPE (VaAudit, va_audit, VA, AUDIT, GObject)

VaAudit *va_audit_new (VaStore *store, VaLog *log);
void va_audit_set_log (VaAudit *self, VaLog *log);
const char *va_audit_get_log_file (VaAudit *self);
gboolean va_audit_record_entry (VaAudit *self, VaAuditEntry *entry, const char *client_address,
                                GError **error);
gboolean va_audit_record (VaAudit *self, VaCaller *caller, const char *action, const char *target,
                          JsonObject *detail, GError **error);

G_END_DECLS
