/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-audit-entry.h"
#include "va-serializable.h"

/**
 * VaAuditEntry:
 *
 * One line of the audit trail: who (user, key prefix — never a key), did
 * what (action), to what (target), when, with which request id, plus a
 * free JSON detail object.
 */
struct _VaAuditEntry {
  GObject parent_instance;

  gint64 id; /* 0 until stored */
  GDateTime *time;
  char *action;
  char *user_id;
  char *key_prefix;
  char *target;
  JsonObject *detail;
  char *request_id;
};

static void va_audit_entry_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaAuditEntry, va_audit_entry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_audit_entry_serializable_init))

static void
va_audit_entry_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaAuditEntry *self = VA_AUDIT_ENTRY (serializable);
  g_autoptr (JsonNode) detail = NULL;

  if (self->detail != NULL)
    detail = json_node_init_object (json_node_alloc (), self->detail);

  va_codec_add_int (codec, "id", self->id);
  va_codec_add_datetime (codec, "time", self->time);
  va_codec_add_string (codec, "user_id", self->user_id);
  va_codec_add_string (codec, "key_prefix", self->key_prefix);
  va_codec_add_string (codec, "action", self->action);
  va_codec_add_string (codec, "target", self->target);
  va_codec_add_json (codec, "detail", detail);
  va_codec_add_string (codec, "request_id", self->request_id);
}

static void
va_audit_entry_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_audit_entry_serialize;
}

static void
va_audit_entry_finalize (GObject *object)
{
  VaAuditEntry *self = VA_AUDIT_ENTRY (object);

  g_clear_pointer (&self->time, g_date_time_unref);
  g_free (self->action);
  g_free (self->user_id);
  g_free (self->key_prefix);
  g_free (self->target);
  g_clear_pointer (&self->detail, json_object_unref);
  g_free (self->request_id);

  G_OBJECT_CLASS (va_audit_entry_parent_class)->finalize (object);
}

static void
va_audit_entry_class_init (VaAuditEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_audit_entry_finalize;
}

static void
va_audit_entry_init (VaAuditEntry *self)
{
  self->time = g_date_time_new_now_utc ();
}

/**
 * va_audit_entry_new:
 * @action: what happened, a stable dotted name such as "job.delete"
 *
 * Returns: (transfer full): an entry timed now
 */
VaAuditEntry *
va_audit_entry_new (const char *action)
{
  VaAuditEntry *self;

  g_return_val_if_fail (action != NULL, NULL);
  self = g_object_new (VA_TYPE_AUDIT_ENTRY, NULL);
  self->action = g_strdup (action);
  return self;
}

gint64
va_audit_entry_get_id (VaAuditEntry *self)
{
  g_return_val_if_fail (VA_IS_AUDIT_ENTRY (self), 0);
  return self->id;
}

void
va_audit_entry_set_id (VaAuditEntry *self, gint64 id)
{
  g_return_if_fail (VA_IS_AUDIT_ENTRY (self));
  self->id = id;
}

GDateTime *
va_audit_entry_get_time (VaAuditEntry *self)
{
  g_return_val_if_fail (VA_IS_AUDIT_ENTRY (self), NULL);
  return self->time;
}

void
va_audit_entry_set_time (VaAuditEntry *self, GDateTime *when)
{
  g_return_if_fail (VA_IS_AUDIT_ENTRY (self));
  g_return_if_fail (when != NULL);
  g_clear_pointer (&self->time, g_date_time_unref);
  self->time = g_date_time_ref (when);
}

const char *
va_audit_entry_get_action (VaAuditEntry *self)
{
  g_return_val_if_fail (VA_IS_AUDIT_ENTRY (self), NULL);
  return self->action;
}

#define VA_AUDIT_ENTRY_STRING_ACCESSORS(field)                                                     \
  const char *va_audit_entry_get_##field (VaAuditEntry *self)                                      \
  {                                                                                                \
    g_return_val_if_fail (VA_IS_AUDIT_ENTRY (self), NULL);                                         \
    return self->field;                                                                            \
  }                                                                                                \
  void va_audit_entry_set_##field (VaAuditEntry *self, const char *value)                          \
  {                                                                                                \
    g_return_if_fail (VA_IS_AUDIT_ENTRY (self));                                                   \
    g_free (self->field);                                                                          \
    self->field = g_strdup (value);                                                                \
  }

VA_AUDIT_ENTRY_STRING_ACCESSORS (user_id)
VA_AUDIT_ENTRY_STRING_ACCESSORS (key_prefix)
VA_AUDIT_ENTRY_STRING_ACCESSORS (target)
VA_AUDIT_ENTRY_STRING_ACCESSORS (request_id)

/**
 * va_audit_entry_get_detail:
 *
 * Returns: (transfer none) (nullable): extra facts about the action
 */
JsonObject *
va_audit_entry_get_detail (VaAuditEntry *self)
{
  g_return_val_if_fail (VA_IS_AUDIT_ENTRY (self), NULL);
  return self->detail;
}

void
va_audit_entry_set_detail (VaAuditEntry *self, JsonObject *detail)
{
  g_return_if_fail (VA_IS_AUDIT_ENTRY (self));
  g_clear_pointer (&self->detail, json_object_unref);
  if (detail != NULL)
    self->detail = json_object_ref (detail);
}
