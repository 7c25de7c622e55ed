/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "va-job.h"
#include "va-serializable.h"

/**
 * VaJob:
 *
 * One annotation job: the fields of the 1.4 contract's JobResponse plus
 * the ones the store keeps (owner, consent, progress, retries). A plain
 * value object: the store reads and writes it, the codec serializes it.
 */
struct _VaJob {
  GObject parent_instance;

  char *id;
  VaJobStatus status;
  char *user_id;
  char *video_path; /* relative to the storage root */
  char *video_filename;
  gint64 video_size_bytes;       /* -1: unknown */
  double video_duration_seconds; /* < 0: unknown */
  JsonObject *config;            /* never NULL; {} when none */
  GStrv selected_pipelines;      /* NULL: server default */
  JsonObject *consent;
  GDateTime *created_at;
  GDateTime *started_at;
  GDateTime *completed_at;
  GDateTime *cancelled_at;
  char *error_message;
  double progress; /* 0..100 */
  guint retry_count;
  char *storage_path;
  guint queue_position; /* 0: not queued */
  char *input_sha256;   /* the stored input's digest, taken while it was written */
  GStrv warnings;       /* NULL: none */
  char *batch_id;       /* the client's batch (1.5), or NULL */
  char *batch_name;
  char *rerun_of; /* the job this one runs again, or NULL */
};

static void va_job_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaJob, va_job, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_job_serializable_init))

enum { PROP_0, PROP_ID, PROP_STATUS, PROP_PROGRESS, N_PROPS };

static GParamSpec *properties[N_PROPS];

static const GEnumValue va_job_status_values[] = {
  { VA_JOB_STATUS_PENDING, "VA_JOB_STATUS_PENDING", "pending" },
  { VA_JOB_STATUS_RUNNING, "VA_JOB_STATUS_RUNNING", "running" },
  { VA_JOB_STATUS_COMPLETED, "VA_JOB_STATUS_COMPLETED", "completed" },
  { VA_JOB_STATUS_FAILED, "VA_JOB_STATUS_FAILED", "failed" },
  { VA_JOB_STATUS_CANCELLED, "VA_JOB_STATUS_CANCELLED", "cancelled" },
  { 0, NULL, NULL },
};

GType
va_job_status_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("VaJobStatus", va_job_status_values);
    g_once_init_leave (&type, t);
  }
  return (GType)type;
}

const char *
va_job_status_to_string (VaJobStatus status)
{
  if ((guint)status >= VA_JOB_N_STATUSES)
    return NULL;
  return va_job_status_values[status].value_nick;
}

/**
 * va_job_status_from_string:
 * @text: (nullable): a status name such as "pending"
 * @status: (out) (optional): the status
 *
 * Returns: %FALSE for %NULL or unknown names.
 */
gboolean
va_job_status_from_string (const char *text, VaJobStatus *status)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < VA_JOB_N_STATUSES; i++) {
    if (g_str_equal (text, va_job_status_values[i].value_nick)) {
      if (status != NULL)
        *status = (VaJobStatus)i;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
va_job_status_is_terminal (VaJobStatus status)
{
  return status == VA_JOB_STATUS_COMPLETED || status == VA_JOB_STATUS_FAILED
         || status == VA_JOB_STATUS_CANCELLED;
}

static void
va_job_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaJob *self = VA_JOB (serializable);
  g_autoptr (JsonNode) config = json_node_init_object (json_node_alloc (), self->config);
  g_autoptr (JsonNode) consent = NULL;

  if (self->consent != NULL)
    consent = json_node_init_object (json_node_alloc (), self->consent);

  va_codec_add_string (codec, "id", self->id);
  va_codec_add_string (codec, "status", va_job_status_to_string (self->status));
  va_codec_add_string (codec, "user_id", self->user_id);
  va_codec_add_string (codec, "video_path", self->video_path);
  va_codec_add_string (codec, "video_filename", self->video_filename);
  if (self->video_size_bytes >= 0)
    va_codec_add_int (codec, "video_size_bytes", self->video_size_bytes);
  else
    va_codec_add_null (codec, "video_size_bytes");
  /* The contract's type is an integer; clients with strict int schemas
   * (pydantic) reject fractions, so round here and keep the exact value
   * in the store. */
  if (self->video_duration_seconds >= 0)
    va_codec_add_int (codec, "video_duration_seconds",
                      (gint64)lround (self->video_duration_seconds));
  else
    va_codec_add_null (codec, "video_duration_seconds");
  va_codec_add_json (codec, "config", config);
  va_codec_add_strv (codec, "selected_pipelines", (const char *const *)self->selected_pipelines);
  va_codec_add_json (codec, "consent", consent);
  va_codec_add_datetime (codec, "created_at", self->created_at);
  va_codec_add_datetime (codec, "started_at", self->started_at);
  va_codec_add_datetime (codec, "completed_at", self->completed_at);
  va_codec_add_datetime (codec, "cancelled_at", self->cancelled_at);
  va_codec_add_string (codec, "error_message", self->error_message);
  va_codec_add_null (codec, "result_path"); /* contract field, never set */
  va_codec_add_string (codec, "storage_path", self->storage_path);
  if (self->queue_position > 0)
    va_codec_add_int (codec, "queue_position", self->queue_position);
  else
    va_codec_add_null (codec, "queue_position");
  va_codec_add_double (codec, "progress", self->progress);
  va_codec_add_int (codec, "retry_count", self->retry_count);
  va_codec_add_string (codec, "batch_id", self->batch_id);
  va_codec_add_string (codec, "batch_name", self->batch_name);
  va_codec_add_string (codec, "rerun_of", self->rerun_of);
  /* 1.6: a list, empty when nothing is worth a warning */
  va_codec_add_strv (codec, "warnings",
                     self->warnings != NULL ? (const char *const *)self->warnings
                                            : (const char *const[]){ NULL });
}

static void
va_job_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_job_serialize;
}

static void
va_job_finalize (GObject *object)
{
  VaJob *self = VA_JOB (object);

  g_free (self->id);
  g_free (self->user_id);
  g_free (self->video_path);
  g_free (self->video_filename);
  g_clear_pointer (&self->config, json_object_unref);
  g_strfreev (self->selected_pipelines);
  g_clear_pointer (&self->consent, json_object_unref);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->completed_at, g_date_time_unref);
  g_clear_pointer (&self->cancelled_at, g_date_time_unref);
  g_free (self->error_message);
  g_free (self->storage_path);
  g_free (self->input_sha256);
  g_strfreev (self->warnings);
  g_free (self->batch_id);
  g_free (self->batch_name);
  g_free (self->rerun_of);

  G_OBJECT_CLASS (va_job_parent_class)->finalize (object);
}

static void
va_job_constructed (GObject *object)
{
  VaJob *self = VA_JOB (object);

  G_OBJECT_CLASS (va_job_parent_class)->constructed (object);
  if (self->id == NULL)
    self->id = g_uuid_string_random ();
}

static void
va_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaJob *self = VA_JOB (object);

  switch (prop_id) {
  case PROP_ID:
    g_value_set_string (value, self->id);
    break;
  case PROP_STATUS:
    g_value_set_enum (value, self->status);
    break;
  case PROP_PROGRESS:
    g_value_set_double (value, self->progress);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_job_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaJob *self = VA_JOB (object);

  switch (prop_id) {
  case PROP_ID:
    self->id = g_value_dup_string (value);
    break;
  case PROP_STATUS:
    va_job_set_status (self, g_value_get_enum (value));
    break;
  case PROP_PROGRESS:
    va_job_set_progress (self, g_value_get_double (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_job_class_init (VaJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = va_job_finalize;
  object_class->constructed = va_job_constructed;
  object_class->get_property = va_job_get_property;
  object_class->set_property = va_job_set_property;

  properties[PROP_ID] = g_param_spec_string (
      "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS]
      = g_param_spec_enum ("status", NULL, NULL, VA_TYPE_JOB_STATUS, VA_JOB_STATUS_PENDING,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS]
      = g_param_spec_double ("progress", NULL, NULL, 0.0, 100.0, 0.0,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_job_init (VaJob *self)
{
  self->status = VA_JOB_STATUS_PENDING;
  self->video_size_bytes = -1;
  self->video_duration_seconds = -1;
  self->config = json_object_new ();
  self->created_at = g_date_time_new_now_utc ();
}

/**
 * va_job_new:
 *
 * Returns: (transfer full): a pending job with a fresh random UUID,
 *   created now
 */
VaJob *
va_job_new (void)
{
  return g_object_new (VA_TYPE_JOB, NULL);
}

/**
 * va_job_new_with_id:
 * @id: the job's id (as read back from storage)
 *
 * Returns: (transfer full): a job
 */
VaJob *
va_job_new_with_id (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);
  return g_object_new (VA_TYPE_JOB, "id", id, NULL);
}

#define VA_JOB_STRING_ACCESSORS(field)                                                             \
  const char *va_job_get_##field (VaJob *self)                                                     \
  {                                                                                                \
    g_return_val_if_fail (VA_IS_JOB (self), NULL);                                                 \
    return self->field;                                                                            \
  }                                                                                                \
  void va_job_set_##field (VaJob *self, const char *value)                                         \
  {                                                                                                \
    g_return_if_fail (VA_IS_JOB (self));                                                           \
    g_free (self->field);                                                                          \
    self->field = g_strdup (value);                                                                \
  }

#define VA_JOB_DATETIME_ACCESSORS(field)                                                           \
  GDateTime *va_job_get_##field (VaJob *self)                                                      \
  {                                                                                                \
    g_return_val_if_fail (VA_IS_JOB (self), NULL);                                                 \
    return self->field;                                                                            \
  }                                                                                                \
  void va_job_set_##field (VaJob *self, GDateTime *value)                                          \
  {                                                                                                \
    g_return_if_fail (VA_IS_JOB (self));                                                           \
    g_clear_pointer (&self->field, g_date_time_unref);                                             \
    if (value != NULL)                                                                             \
      self->field = g_date_time_ref (value);                                                       \
  }

const char *
va_job_get_id (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->id;
}

VaJobStatus
va_job_get_status (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), VA_JOB_STATUS_PENDING);
  return self->status;
}

void
va_job_set_status (VaJob *self, VaJobStatus status)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_return_if_fail ((guint)status < VA_JOB_N_STATUSES);
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

VA_JOB_STRING_ACCESSORS (user_id)
VA_JOB_STRING_ACCESSORS (video_path)
VA_JOB_STRING_ACCESSORS (video_filename)
VA_JOB_STRING_ACCESSORS (error_message)
VA_JOB_STRING_ACCESSORS (storage_path)
VA_JOB_DATETIME_ACCESSORS (started_at)
VA_JOB_DATETIME_ACCESSORS (completed_at)
VA_JOB_DATETIME_ACCESSORS (cancelled_at)

gint64
va_job_get_video_size_bytes (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), -1);
  return self->video_size_bytes;
}

/* -1 for unknown */
void
va_job_set_video_size_bytes (VaJob *self, gint64 size)
{
  g_return_if_fail (VA_IS_JOB (self));
  self->video_size_bytes = size < 0 ? -1 : size;
}

double
va_job_get_video_duration_seconds (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), -1);
  return self->video_duration_seconds;
}

/* negative for unknown */
void
va_job_set_video_duration_seconds (VaJob *self, double seconds)
{
  g_return_if_fail (VA_IS_JOB (self));
  self->video_duration_seconds = (seconds < 0 || isnan (seconds)) ? -1 : seconds;
}

/**
 * va_job_get_config:
 *
 * Returns: (transfer none): the per-job configuration; an empty object
 *   when none was given
 */
JsonObject *
va_job_get_config (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->config;
}

void
va_job_set_config (VaJob *self, JsonObject *config)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_clear_pointer (&self->config, json_object_unref);
  self->config = config != NULL ? json_object_ref (config) : json_object_new ();
}

/**
 * va_job_get_selected_pipelines:
 *
 * Returns: (transfer none) (nullable): pipeline names, or %NULL when the
 *   client selected none (the server default applies)
 */
const char *const *
va_job_get_selected_pipelines (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return (const char *const *)self->selected_pipelines;
}

void
va_job_set_selected_pipelines (VaJob *self, const char *const *pipelines)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_strfreev (self->selected_pipelines);
  self->selected_pipelines = g_strdupv ((char **)pipelines);
}

/**
 * va_job_get_consent:
 *
 * Returns: (transfer none) (nullable): the consent record sent with the
 *   upload, if any
 */
JsonObject *
va_job_get_consent (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->consent;
}

void
va_job_set_consent (VaJob *self, JsonObject *consent)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_clear_pointer (&self->consent, json_object_unref);
  if (consent != NULL)
    self->consent = json_object_ref (consent);
}

GDateTime *
va_job_get_created_at (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->created_at;
}

void
va_job_set_created_at (VaJob *self, GDateTime *when)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_return_if_fail (when != NULL);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  self->created_at = g_date_time_ref (when);
}

double
va_job_get_progress (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), 0);
  return self->progress;
}

void
va_job_set_progress (VaJob *self, double progress)
{
  g_return_if_fail (VA_IS_JOB (self));
  progress = isnan (progress) ? 0 : CLAMP (progress, 0.0, 100.0);
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

guint
va_job_get_retry_count (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), 0);
  return self->retry_count;
}

void
va_job_set_retry_count (VaJob *self, guint retry_count)
{
  g_return_if_fail (VA_IS_JOB (self));
  self->retry_count = retry_count;
}

/* 1-based FIFO position among pending jobs; 0 when not pending */
guint
va_job_get_queue_position (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), 0);
  return self->queue_position;
}

void
va_job_set_queue_position (VaJob *self, guint position)
{
  g_return_if_fail (VA_IS_JOB (self));
  self->queue_position = position;
}

/**
 * va_job_get_input_sha256:
 *
 * Returns: (nullable): the SHA-256 (hex) of the stored input, computed as
 *   it was uploaded; %NULL for jobs stored before it was kept
 */
const char *
va_job_get_input_sha256 (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->input_sha256;
}

void
va_job_set_input_sha256 (VaJob *self, const char *sha256)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_free (self->input_sha256);
  self->input_sha256 = g_strdup (sha256);
}

/**
 * va_job_get_warnings:
 *
 * Returns: (nullable) (array zero-terminated=1): what went wrong without
 *   failing the job (a detector that fell back to a weaker model, a
 *   pipeline that found nothing), or %NULL for none
 */
const char *const *
va_job_get_warnings (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return (const char *const *)self->warnings;
}

void
va_job_set_warnings (VaJob *self, const char *const *warnings)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_strfreev (self->warnings);
  self->warnings = warnings != NULL && warnings[0] != NULL ? g_strdupv ((char **)warnings) : NULL;
}

/* the batch the job was submitted in (a client-chosen id), or %NULL */
const char *
va_job_get_batch_id (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->batch_id;
}

void
va_job_set_batch_id (VaJob *self, const char *batch_id)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_free (self->batch_id);
  self->batch_id = g_strdup (batch_id);
}

/* the batch's display name, or %NULL */
const char *
va_job_get_batch_name (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->batch_name;
}

void
va_job_set_batch_name (VaJob *self, const char *batch_name)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_free (self->batch_name);
  self->batch_name = g_strdup (batch_name);
}

/* the id of the job this one runs again, or %NULL */
const char *
va_job_get_rerun_of (VaJob *self)
{
  g_return_val_if_fail (VA_IS_JOB (self), NULL);
  return self->rerun_of;
}

void
va_job_set_rerun_of (VaJob *self, const char *rerun_of)
{
  g_return_if_fail (VA_IS_JOB (self));
  g_free (self->rerun_of);
  self->rerun_of = g_strdup (rerun_of);
}
