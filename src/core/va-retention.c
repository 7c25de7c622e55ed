/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include "va-cron.h"
#include "va-error.h"
#include "va-retention.h"
#include "va-store.h"

/**
 * VaRetention:
 *
 * Deletes finished jobs (completed, failed or cancelled) whose end lies
 * more than `retention-days` in the past — database rows and storage
 * directory, through the engine's own delete, so each one is audited as a
 * `job.delete` by the caller `retention` — on the `cleanup-schedule`.
 * Pending and running jobs are never touched, however old.
 */
struct _VaRetention {
  GObject parent_instance;

  VaEngine *engine; /* not owned: the engine owns us */
  VaCaller *caller;
  VaCron *cron;
  guint days;
  GDateTime *next_run;
  guint timeout_id;
};

G_DEFINE_FINAL_TYPE (VaRetention, va_retention, G_TYPE_OBJECT)

/* the user id audit entries of expiry carry */
#define VA_RETENTION_CALLER_ID "retention"
/* re-check at least this often, so that a changed clock (suspend, NTP)
 * delays a run by at most this much */
#define VA_RETENTION_MAX_SLEEP 600

static void
va_retention_dispose (GObject *object)
{
  va_retention_unschedule (VA_RETENTION (object));
  G_OBJECT_CLASS (va_retention_parent_class)->dispose (object);
}

static void
va_retention_finalize (GObject *object)
{
  VaRetention *self = VA_RETENTION (object);

  g_clear_object (&self->caller);
  g_clear_pointer (&self->cron, va_cron_free);
  g_clear_pointer (&self->next_run, g_date_time_unref);
  G_OBJECT_CLASS (va_retention_parent_class)->finalize (object);
}

static void
va_retention_class_init (VaRetentionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = va_retention_dispose;
  G_OBJECT_CLASS (klass)->finalize = va_retention_finalize;
}

static void
va_retention_init (VaRetention *self)
{
  self->caller = va_caller_new (VA_RETENTION_CALLER_ID, VA_SCOPE_ALL);
}

/**
 * va_retention_new:
 * @engine: (transfer none): must outlive the result
 */
VaRetention *
va_retention_new (VaEngine *engine)
{
  VaRetention *self;

  g_return_val_if_fail (VA_IS_ENGINE (engine), NULL);
  self = g_object_new (VA_TYPE_RETENTION, NULL);
  self->engine = engine;
  return self;
}

/**
 * va_retention_list_expired:
 * @now: the time to count from
 * @days: jobs that ended more than this many days before @now expire
 *
 * Returns: (transfer container) (element-type VaJob): the expired jobs,
 *   oldest first
 */
GPtrArray *
va_retention_list_expired (VaRetention *self, GDateTime *now, guint days, GError **error)
{
  VaStore *store = va_engine_get_store (self->engine);
  g_autoptr (GPtrArray) expired = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GDateTime) cutoff = g_date_time_add_days (now, -(gint)days);
  const guint finished = VA_JOB_STATUS_MASK (VA_JOB_STATUS_COMPLETED)
                         | VA_JOB_STATUS_MASK (VA_JOB_STATUS_FAILED)
                         | VA_JOB_STATUS_MASK (VA_JOB_STATUS_CANCELLED);

  g_return_val_if_fail (VA_IS_RETENTION (self), NULL);
  g_return_val_if_fail (days > 0, NULL);

  for (guint page = 1;; page++) {
    g_autoptr (GPtrArray) jobs
        = va_store_list_jobs (store, page, VA_STORE_MAX_PER_PAGE, finished, NULL, NULL, error);
    if (jobs == NULL)
      return NULL;
    for (guint i = 0; i < jobs->len; i++) {
      VaJob *job = g_ptr_array_index (jobs, i);
      GDateTime *ended = va_job_get_completed_at (job);

      /* oldest first by creation, and a job ends after it was created:
       * past the cutoff nothing more can have expired */
      if (g_date_time_compare (va_job_get_created_at (job), cutoff) >= 0)
        return g_steal_pointer (&expired);
      /* a job cancelled while pending has no end time: its creation counts */
      if (g_date_time_compare (ended != NULL ? ended : va_job_get_created_at (job), cutoff) < 0)
        g_ptr_array_add (expired, g_object_ref (job));
    }
    if (jobs->len < VA_STORE_MAX_PER_PAGE)
      return g_steal_pointer (&expired);
  }
}

typedef struct {
  GPtrArray *jobs;    /* VaJob: still to delete */
  GPtrArray *deleted; /* VaJob */
  guint next;
} VaRetentionRun;

static void
va_retention_run_free (VaRetentionRun *run)
{
  g_ptr_array_unref (run->jobs);
  g_ptr_array_unref (run->deleted);
  g_free (run);
}

static void va_retention_delete_next (GTask *task);

static void
va_retention_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaRetentionRun *run = g_task_get_task_data (task);
  VaJob *job = g_ptr_array_index (run->jobs, run->next);
  g_autoptr (GError) error = NULL;

  if (va_engine_delete_job_finish (VA_ENGINE (source), result, &error)) {
    g_ptr_array_add (run->deleted, g_object_ref (job));
  } else if (!g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    /* deleted meanwhile by its owner: fine; anything else is logged and
     * the run goes on, the next one tries again */
    g_warning ("Retention: cannot delete job %s: %s", va_job_get_id (job), error->message);
  }
  run->next++;
  va_retention_delete_next (g_steal_pointer (&task));
}

static void
va_retention_delete_next (GTask *task)
{
  VaRetention *self = g_task_get_source_object (task);
  VaRetentionRun *run = g_task_get_task_data (task);

  if (run->next >= run->jobs->len || g_task_return_error_if_cancelled (task)) {
    if (!g_task_had_error (task))
      g_task_return_pointer (task, g_ptr_array_ref (run->deleted),
                             (GDestroyNotify)g_ptr_array_unref);
    g_object_unref (task);
    return;
  }
  /* one at a time on the main context: the engine's delete announces
   * each job.deleted there */
  va_engine_delete_job_async (self->engine, self->caller,
                              va_job_get_id (g_ptr_array_index (run->jobs, run->next)),
                              g_task_get_cancellable (task), va_retention_deleted_cb, task);
}

/**
 * va_retention_run_async:
 * @now: the time to count from
 * @days: see va_retention_list_expired()
 *
 * Deletes the expired jobs, one after the other.
 */
void
va_retention_run_async (VaRetention *self, GDateTime *now, guint days, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  VaRetentionRun *run;
  GError *error = NULL;
  GPtrArray *jobs;

  g_return_if_fail (VA_IS_RETENTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_retention_run_async);
  /* the engine would refuse each delete; one clear refusal instead */
  if (va_engine_get_read_only (self->engine)) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_READ_ONLY,
                             "read-only is set: no job may be deleted");
    g_object_unref (task);
    return;
  }
  jobs = va_retention_list_expired (self, now, days, &error);
  if (jobs == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  run = g_new0 (VaRetentionRun, 1);
  run->jobs = jobs;
  run->deleted = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, run, (GDestroyNotify)va_retention_run_free);
  va_retention_delete_next (task);
}

/**
 * va_retention_run_finish:
 *
 * Returns: (transfer container) (element-type VaJob): the jobs deleted
 */
GPtrArray *
va_retention_run_finish (VaRetention *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void va_retention_arm (VaRetention *self);

static void
va_retention_scheduled_run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaRetention *self = VA_RETENTION (source);
  g_autoptr (GPtrArray) deleted = NULL;
  g_autoptr (GError) error = NULL;

  deleted = va_retention_run_finish (self, result, &error);
  if (deleted == NULL)
    g_warning ("Retention cleanup failed: %s", error->message);
  else
    g_message ("Retention cleanup: deleted %u job(s) finished more than %u day(s) ago",
               deleted->len, self->days);
  if (self->cron != NULL)
    va_retention_arm (self);
}

static gboolean
va_retention_timeout_cb (gpointer user_data)
{
  VaRetention *self = VA_RETENTION (user_data);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  self->timeout_id = 0;
  if (g_date_time_compare (now, self->next_run) < 0) {
    va_retention_arm (self);
    return G_SOURCE_REMOVE;
  }
  va_retention_run_async (self, now, self->days, NULL, va_retention_scheduled_run_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
va_retention_arm (VaRetention *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  GTimeSpan wait;

  if (self->next_run == NULL || g_date_time_compare (now, self->next_run) >= 0) {
    g_clear_pointer (&self->next_run, g_date_time_unref);
    self->next_run = va_cron_next (self->cron, now);
    if (self->next_run == NULL)
      return;
  }
  wait = g_date_time_difference (self->next_run, now) / G_USEC_PER_SEC + 1;
  self->timeout_id = g_timeout_add_seconds ((guint)MIN (wait, VA_RETENTION_MAX_SLEEP),
                                            va_retention_timeout_cb, self);
}

/**
 * va_retention_schedule:
 * @schedule: five cron fields, local time
 * @days: see va_retention_list_expired(); more than 0
 *
 * Runs the cleanup at every time @schedule names, on the thread-default
 * main context, until va_retention_unschedule() or disposal.
 */
gboolean
va_retention_schedule (VaRetention *self, const char *schedule, guint days, GError **error)
{
  g_autoptr (VaCron) cron = NULL;

  g_return_val_if_fail (VA_IS_RETENTION (self), FALSE);
  g_return_val_if_fail (days > 0, FALSE);

  cron = va_cron_new (schedule, error);
  if (cron == NULL)
    return FALSE;
  va_retention_unschedule (self);
  self->cron = g_steal_pointer (&cron);
  self->days = days;
  va_retention_arm (self);
  if (self->next_run == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "The cleanup schedule “%s” names no time in the next five years", schedule);
    va_retention_unschedule (self);
    return FALSE;
  }
  return TRUE;
}

void
va_retention_unschedule (VaRetention *self)
{
  g_return_if_fail (VA_IS_RETENTION (self));
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_pointer (&self->cron, va_cron_free);
  g_clear_pointer (&self->next_run, g_date_time_unref);
}

/**
 * va_retention_get_next_run:
 *
 * Returns: (transfer none) (nullable): when the next scheduled cleanup runs
 */
GDateTime *
va_retention_get_next_run (VaRetention *self)
{
  g_return_val_if_fail (VA_IS_RETENTION (self), NULL);
  return self->next_run;
}
