/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VA_TYPE_AUDIT_ENTRY (va_audit_entry_get_type ())
G_DECLARE_FINAL_TYPE (VaAuditEntry, va_audit_entry, VA, AUDIT_ENTRY, GObject)

VaAuditEntry *va_audit_entry_new (const char *action);

gint64 va_audit_entry_get_id (VaAuditEntry *self);
void va_audit_entry_set_id (VaAuditEntry *self, gint64 id);
GDateTime *va_audit_entry_get_time (VaAuditEntry *self);
void va_audit_entry_set_time (VaAuditEntry *self, GDateTime *when);
const char *va_audit_entry_get_action (VaAuditEntry *self);
const char *va_audit_entry_get_user_id (VaAuditEntry *self);
void va_audit_entry_set_user_id (VaAuditEntry *self, const char *user_id);
const char *va_audit_entry_get_key_prefix (VaAuditEntry *self);
void va_audit_entry_set_key_prefix (VaAuditEntry *self, const char *key_prefix);
const char *va_audit_entry_get_target (VaAuditEntry *self);
void va_audit_entry_set_target (VaAuditEntry *self, const char *target);
JsonObject *va_audit_entry_get_detail (VaAuditEntry *self);
void va_audit_entry_set_detail (VaAuditEntry *self, JsonObject *detail);
const char *va_audit_entry_get_request_id (VaAuditEntry *self);
void va_audit_entry_set_request_id (VaAuditEntry *self, const char *request_id);

G_END_DECLS
