/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-audit.h"
#include "va-codec.h"
#include "va-error.h"

/**
 * VaAudit:
 *
 * The audit trail: every read of job data and every administrative act,
 * with who did it (user, key prefix, client address, request id). Each
 * record goes to the database (queryable, `videoannotator audit list`)
 * and, as one sanitized JSON line, to `audit.log` in the log directory
 * (through #VaLog, rotated like every log), so it survives in the logs
 * shipped off the machine. Safe to call from any thread.
 */
struct _VaAudit {
  GObject parent_instance;

  VaStore *store;
  VaLog *log;
  char *log_file;
};

G_DEFINE_FINAL_TYPE (VaAudit, va_audit, G_TYPE_OBJECT)

static void
va_audit_finalize (GObject *object)
{
  VaAudit *self = VA_AUDIT (object);

  g_clear_object (&self->store);
  g_clear_object (&self->log);
  g_free (self->log_file);
  G_OBJECT_CLASS (va_audit_parent_class)->finalize (object);
}

static void
va_audit_class_init (VaAuditClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_audit_finalize;
}

static void
va_audit_init (VaAudit *self)
{
}

/**
 * va_audit_set_log:
 * @log: (nullable): where `audit.log` lines go (sanitized, rotated);
 *   %NULL for the database only
 */
void
va_audit_set_log (VaAudit *self, VaLog *log)
{
  g_return_if_fail (VA_IS_AUDIT (self));
  g_set_object (&self->log, log);
  g_clear_pointer (&self->log_file, g_free);
  if (log != NULL)
    self->log_file = g_build_filename (va_log_get_dir (log), "audit.log", NULL);
}

/**
 * va_audit_new:
 * @store: where records are kept
 * @log: (nullable): see va_audit_set_log()
 *
 * Returns: (transfer full): the audit trail
 */
VaAudit *
va_audit_new (VaStore *store, VaLog *log)
{
  VaAudit *self;

  g_return_val_if_fail (VA_IS_STORE (store), NULL);

  self = g_object_new (VA_TYPE_AUDIT, NULL);
  self->store = g_object_ref (store);
  va_audit_set_log (self, log);
  return self;
}

/**
 * va_audit_get_log_file:
 *
 * Returns: (nullable): the path of `audit.log`
 */
const char *
va_audit_get_log_file (VaAudit *self)
{
  g_return_val_if_fail (VA_IS_AUDIT (self), NULL);
  return self->log_file;
}

static gboolean
va_audit_append_line (VaAudit *self, VaAuditEntry *entry, const char *client_address,
                      GError **error)
{
  g_autoptr (JsonNode) node = va_codec_to_json ((VaSerializable *)entry);
  JsonObject *record = json_node_get_object (node);

  if (client_address != NULL)
    json_object_set_string_member (record, "client_address", client_address);
  return va_log_append_record (self->log, "audit", record, error);
}

/**
 * va_audit_record_entry:
 * @entry: a complete record
 * @client_address: (nullable): where the request came from, for the log
 *   line
 *
 * The one path every record takes, whoever writes it (the engine for
 * every transport, the local key commands): a row in the database and a
 * sanitized line in `audit.log`.
 *
 * Returns: %FALSE if the record could not be written to the database
 *   (the log line is attempted either way)
 */
gboolean
va_audit_record_entry (VaAudit *self, VaAuditEntry *entry, const char *client_address,
                       GError **error)
{
  g_autoptr (GError) log_error = NULL;
  gboolean ok;

  g_return_val_if_fail (VA_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  ok = va_store_append_audit (self->store, entry, error);
  if (self->log != NULL && !va_audit_append_line (self, entry, client_address, &log_error))
    g_warning ("Audit log: %s", log_error->message);
  return ok;
}

/**
 * va_audit_record:
 * @caller: (nullable): who; %NULL for the service itself (retention,
 *   recovery)
 * @action: what, e.g. "job.results.read", "job.delete"
 * @target: (nullable): on what, usually a job id
 * @detail: (nullable): extra facts; never secrets
 *
 * Returns: %FALSE if the record could not be written to the database
 *   (the log line is attempted either way)
 */
gboolean
va_audit_record (VaAudit *self, VaCaller *caller, const char *action, const char *target,
                 JsonObject *detail, GError **error)
{
  g_autoptr (VaAuditEntry) entry = NULL;

  g_return_val_if_fail (VA_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  entry = va_audit_entry_new (action);
  if (caller != NULL) {
    va_audit_entry_set_user_id (entry, va_caller_get_user_id (caller));
    va_audit_entry_set_key_prefix (entry, va_caller_get_key_prefix (caller));
    va_audit_entry_set_request_id (entry, va_caller_get_request_id (caller));
  }
  va_audit_entry_set_target (entry, target);
  if (detail != NULL)
    va_audit_entry_set_detail (entry, detail);
  return va_audit_record_entry (
      self, entry, caller != NULL ? va_caller_get_client_address (caller) : NULL, error);
}
