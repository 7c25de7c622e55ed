/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "va-audit.h"
#include "va-codec.h"
#include "va-error.h"

/**
 * VaAudit:
 *
 * The audit trail: every read of job data and every administrative act,
 * with who did it (user, key prefix, client address, request id). Each
 * record goes to the database (queryable, `videoannotator audit list`)
 * and, as one JSON line, to `audit.log` in the log directory, so it
 * survives in the logs shipped off the machine. Safe to call from any
 * thread.
 */
struct _VaAudit {
  GObject parent_instance;

  VaStore *store;
  char *log_file;
  GMutex lock;
};

G_DEFINE_FINAL_TYPE (VaAudit, va_audit, G_TYPE_OBJECT)

static void
va_audit_finalize (GObject *object)
{
  VaAudit *self = VA_AUDIT (object);

  g_clear_object (&self->store);
  g_free (self->log_file);
  g_mutex_clear (&self->lock);
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
  g_mutex_init (&self->lock);
}

/**
 * va_audit_new:
 * @store: where records are kept
 * @log_dir: (nullable): directory of `audit.log`; %NULL for the database
 *   only
 *
 * Returns: (transfer full): the audit trail
 */
VaAudit *
va_audit_new (VaStore *store, const char *log_dir)
{
  VaAudit *self;

  g_return_val_if_fail (VA_IS_STORE (store), NULL);

  self = g_object_new (VA_TYPE_AUDIT, NULL);
  self->store = g_object_ref (store);
  if (log_dir != NULL && *log_dir != '\0')
    self->log_file = g_build_filename (log_dir, "audit.log", NULL);
  return self;
}

const char *
va_audit_get_log_file (VaAudit *self)
{
  g_return_val_if_fail (VA_IS_AUDIT (self), NULL);
  return self->log_file;
}

static gboolean
va_audit_append_line (VaAudit *self, VaAuditEntry *entry, VaCaller *caller, GError **error)
{
  g_autoptr (JsonNode) node = va_codec_to_json ((VaSerializable *)entry);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  gsize len, done = 0;
  int fd;

  if (caller != NULL && va_caller_get_client_address (caller) != NULL)
    json_object_set_string_member (json_node_get_object (node), "client_address",
                                   va_caller_get_client_address (caller));
  text = json_to_string (node, FALSE);
  line = g_strconcat (text, "\n", NULL);
  len = strlen (line);

  locker = g_mutex_locker_new (&self->lock);
  dir = g_path_get_dirname (self->log_file);
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot create %s: %s", dir,
                 g_strerror (saved));
    return FALSE;
  }
  fd = g_open (self->log_file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", self->log_file,
                 g_strerror (saved));
    return FALSE;
  }
  while (done < len) {
    gssize n = write (fd, line + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_close (fd, NULL);
      g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                   "Cannot write %s: %s", self->log_file, g_strerror (saved));
      return FALSE;
    }
    done += (gsize)n;
  }
  return g_close (fd, error);
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
  g_autoptr (GError) log_error = NULL;
  gboolean ok;

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

  ok = va_store_append_audit (self->store, entry, error);
  if (self->log_file != NULL && !va_audit_append_line (self, entry, caller, &log_error))
    g_warning ("Audit log: %s", log_error->message);
  return ok;
}
