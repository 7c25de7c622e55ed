/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-batch.h"
#include "va-error.h"
#include "va-serializable.h"

/**
 * VaBatch:
 *
 * A summary of the jobs that share a client-chosen `batch_id` (1.5
 * clients). A batch is not stored on its own: it exists while one of its
 * jobs does, and its counts are computed when it is read.
 */
struct _VaBatch {
  GObject parent_instance;

  char *id;
  char *name;
  GDateTime *created_at; /* the first job's submission */
  guint64 counts[VA_JOB_N_STATUSES];
  double mean_run_seconds; /* of its completed jobs; < 0: none completed */
};

static void va_batch_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaBatch, va_batch, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_batch_serializable_init))

static void
va_batch_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaBatch *self = VA_BATCH (serializable);
  g_autoptr (JsonObject) by_status = json_object_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  guint64 left = self->counts[VA_JOB_STATUS_PENDING] + self->counts[VA_JOB_STATUS_RUNNING];

  for (guint i = 0; i < VA_JOB_N_STATUSES; i++)
    json_object_set_int_member (by_status, va_job_status_to_string (i), (gint64)self->counts[i]);
  json_node_set_object (node, by_status);

  va_codec_add_string (codec, "batch_id", self->id);
  va_codec_add_string (codec, "batch_name", self->name);
  va_codec_add_datetime (codec, "created_at", self->created_at);
  va_codec_add_int (codec, "total", (gint64)va_batch_get_total (self));
  va_codec_add_json (codec, "by_status", node);
  va_codec_add_double (codec, "completion_percentage", va_batch_get_completion_percentage (self));
  /* the jobs still to run, one after another, at the pace observed so far */
  if (self->mean_run_seconds >= 0 && left > 0)
    va_codec_add_double (codec, "estimated_seconds_remaining", self->mean_run_seconds * left);
  else
    va_codec_add_null (codec, "estimated_seconds_remaining");
}

static void
va_batch_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_batch_serialize;
}

static void
va_batch_finalize (GObject *object)
{
  VaBatch *self = VA_BATCH (object);

  g_free (self->id);
  g_free (self->name);
  g_clear_pointer (&self->created_at, g_date_time_unref);

  G_OBJECT_CLASS (va_batch_parent_class)->finalize (object);
}

static void
va_batch_class_init (VaBatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_batch_finalize;
}

static void
va_batch_init (VaBatch *self)
{
  self->mean_run_seconds = -1;
}

VaBatch *
va_batch_new (const char *batch_id)
{
  VaBatch *self;

  g_return_val_if_fail (batch_id != NULL, NULL);
  self = g_object_new (VA_TYPE_BATCH, NULL);
  self->id = g_strdup (batch_id);
  return self;
}

const char *
va_batch_get_id (VaBatch *self)
{
  g_return_val_if_fail (VA_IS_BATCH (self), NULL);
  return self->id;
}

/* the name its jobs were submitted with, or %NULL */
const char *
va_batch_get_name (VaBatch *self)
{
  g_return_val_if_fail (VA_IS_BATCH (self), NULL);
  return self->name;
}

void
va_batch_set_name (VaBatch *self, const char *name)
{
  g_return_if_fail (VA_IS_BATCH (self));
  g_free (self->name);
  self->name = g_strdup (name);
}

GDateTime *
va_batch_get_created_at (VaBatch *self)
{
  g_return_val_if_fail (VA_IS_BATCH (self), NULL);
  return self->created_at;
}

void
va_batch_set_created_at (VaBatch *self, GDateTime *when)
{
  g_return_if_fail (VA_IS_BATCH (self));
  g_clear_pointer (&self->created_at, g_date_time_unref);
  self->created_at = when != NULL ? g_date_time_ref (when) : NULL;
}

guint64
va_batch_get_count (VaBatch *self, VaJobStatus status)
{
  g_return_val_if_fail (VA_IS_BATCH (self), 0);
  g_return_val_if_fail (status < VA_JOB_N_STATUSES, 0);
  return self->counts[status];
}

void
va_batch_set_count (VaBatch *self, VaJobStatus status, guint64 count)
{
  g_return_if_fail (VA_IS_BATCH (self));
  g_return_if_fail (status < VA_JOB_N_STATUSES);
  self->counts[status] = count;
}

guint64
va_batch_get_total (VaBatch *self)
{
  guint64 total = 0;

  g_return_val_if_fail (VA_IS_BATCH (self), 0);
  for (guint i = 0; i < VA_JOB_N_STATUSES; i++)
    total += self->counts[i];
  return total;
}

/* mean wall-clock run of its completed jobs; < 0 when none has completed */
void
va_batch_set_mean_run_seconds (VaBatch *self, double seconds)
{
  g_return_if_fail (VA_IS_BATCH (self));
  self->mean_run_seconds = seconds;
}

/* ended jobs (completed, failed, cancelled) in percent of all; 0 when empty */
double
va_batch_get_completion_percentage (VaBatch *self)
{
  guint64 total = va_batch_get_total (self);
  guint64 ended;

  if (total == 0)
    return 0.0;
  ended = self->counts[VA_JOB_STATUS_COMPLETED] + self->counts[VA_JOB_STATUS_FAILED]
          + self->counts[VA_JOB_STATUS_CANCELLED];
  return 100.0 * (double)ended / (double)total;
}

/**
 * va_batch_check_id:
 * @text: a batch id or name from a client
 * @what: its field name, for the message
 *
 * A batch id or name is UTF-8 text of 1 to %VA_BATCH_ID_MAX bytes without
 * control characters (it is echoed in listings, logs and file names).
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT otherwise
 */
gboolean
va_batch_check_id (const char *text, const char *what, GError **error)
{
  gsize length = strlen (text);

  if (length == 0 || length > VA_BATCH_ID_MAX || !g_utf8_validate (text, length, NULL)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "%s must be UTF-8 text of 1 to %d bytes", what, VA_BATCH_ID_MAX);
    return FALSE;
  }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    if (g_unichar_iscntrl (g_utf8_get_char (p))) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "%s must not contain control characters", what);
      return FALSE;
    }
  }
  return TRUE;
}
