/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "va-config-report.h"
#include "va-error.h"
#include "va-job-queue.h"
#include "va-nice-task-pool.h"
#include "va-pipeline-defaults.h"
#include "va-runner.h"

/**
 * VaJobQueue:
 *
 * Runs pending jobs, oldest first, at most `max-concurrent-jobs` at a
 * time, each as one GStreamer pipeline (#VaRunner) on the main context:
 * the runner is asynchronous, so no threads are needed beyond the
 * pipelines' own. Outputs go to `<storage>/<job_id>/`, beside the input.
 *
 * Every state change is a guarded update in the store, so a job that was
 * cancelled while it ran stays cancelled whatever its pipeline does
 * afterwards. At start, jobs left `running` by a crash are re-queued (or
 * failed past the retry limit); at shutdown, jobs still running when the
 * grace period ends are stopped and put back to `pending`.
 *
 * All methods must be called on the main context the queue was created
 * on.
 */

typedef struct {
  VaJobQueue *queue; /* not a reference: the queue outlives its runs */
  VaJob *job;
  VaRunner *runner;
  GCancellable *cancellable;
  GPtrArray *results;   /* VaJobResult, for pipelines that cannot run */
  GPtrArray *pipelines; /* VaPipelineInfo that run */
  GDateTime *started;
  gint64 last_progress_write; /* monotonic µs */
  double progress;
  double fps; /* frames analysed per wall-clock second, from the runner */
  gboolean duration_recorded;
  gboolean requeue;        /* stopped by shutdown: back to pending */
  gboolean keep_files;     /* deleted: whoever stopped it removes the files */
  GPtrArray *stop_waiters; /* GTask, va_job_queue_stop_job_async() */
} VaJobRun;

struct _VaJobQueue {
  GObject parent_instance;

  VaStore *store;
  VaStorage *storage;
  VaPipelineRegistry *registry;
  VaSettings *settings;
  GMainContext *context;

  guint max_concurrent;
  guint poll_interval;
  guint progress_interval;

  gboolean started;
  gboolean stopping;
  GHashTable *running; /* job id → VaJobRun */
  GSource *schedule_source;
  GSource *poll_source;

  GTask *shutdown_task;
  GSource *shutdown_timeout;

  VaNiceTaskPool *task_pool; /* the runs' streaming threads */
};

G_DEFINE_FINAL_TYPE (VaJobQueue, va_job_queue, G_TYPE_OBJECT)

/* Runs analyse at nice +10: when the cores are busy, the main loop
 * (answering requests, submissions included) gets about nine times the CPU
 * share of a pipeline thread (scheduler weights 1024 vs 110) instead of an
 * equal one. Nice only matters when the cores are contended. */
#define VA_JOB_QUEUE_NICE_INCREMENT 10

enum { SIGNAL_JOB_STARTED, SIGNAL_JOB_PROGRESS, SIGNAL_JOB_FINISHED, N_SIGNALS };

static guint signals[N_SIGNALS];

#define VA_JOB_QUEUE_REQUEUE_MESSAGE "Re-queued: the server shut down while this job was running"

static void va_job_queue_schedule (VaJobQueue *self);
static void va_job_queue_check_shutdown_done (VaJobQueue *self);

static void
va_job_run_free (VaJobRun *run)
{
  g_clear_object (&run->job);
  g_clear_object (&run->runner);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_pointer (&run->pipelines, g_ptr_array_unref);
  g_clear_pointer (&run->started, g_date_time_unref);
  g_clear_pointer (&run->stop_waiters, g_ptr_array_unref);
  g_free (run);
}

static void
va_job_queue_destroy_source (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
va_job_queue_dispose (GObject *object)
{
  VaJobQueue *self = VA_JOB_QUEUE (object);

  /* a run holds a reference on the queue until it ends, so none is left */
  va_job_queue_destroy_source (&self->schedule_source);
  va_job_queue_destroy_source (&self->poll_source);
  va_job_queue_destroy_source (&self->shutdown_timeout);
  g_clear_object (&self->settings);
  g_clear_object (&self->registry);
  g_clear_object (&self->storage);
  g_clear_object (&self->store);
  g_clear_object (&self->task_pool);
  G_OBJECT_CLASS (va_job_queue_parent_class)->dispose (object);
}

static void
va_job_queue_finalize (GObject *object)
{
  VaJobQueue *self = VA_JOB_QUEUE (object);

  g_clear_pointer (&self->running, g_hash_table_unref);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (va_job_queue_parent_class)->finalize (object);
}

static void
va_job_queue_class_init (VaJobQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_job_queue_dispose;
  object_class->finalize = va_job_queue_finalize;

  /**
   * VaJobQueue::job-started:
   * @job: the job, now `running`
   */
  signals[SIGNAL_JOB_STARTED]
      = g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
  /**
   * VaJobQueue::job-progress:
   * @job: the running job
   * @progress: percent done
   */
  signals[SIGNAL_JOB_PROGRESS]
      = g_signal_new ("job-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, VA_TYPE_JOB, G_TYPE_DOUBLE);
  /**
   * VaJobQueue::job-finished:
   * @job: the job as stored after its run: `completed`, `failed`,
   *   `pending` (re-queued at shutdown) or `cancelled`
   */
  signals[SIGNAL_JOB_FINISHED]
      = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, VA_TYPE_JOB);
}

static void
va_job_queue_init (VaJobQueue *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->max_concurrent = 2;
  self->poll_interval = 5;
  self->progress_interval = 1000;
  self->running
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)va_job_run_free);
}

/**
 * va_job_queue_new:
 *
 * Returns: (transfer full): a stopped queue
 */
VaJobQueue *
va_job_queue_new (VaStore *store, VaStorage *storage, VaPipelineRegistry *registry)
{
  VaJobQueue *self;

  g_return_val_if_fail (VA_IS_STORE (store), NULL);
  g_return_val_if_fail (VA_IS_STORAGE (storage), NULL);
  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (registry), NULL);

  self = g_object_new (VA_TYPE_JOB_QUEUE, NULL);
  self->store = g_object_ref (store);
  self->storage = g_object_ref (storage);
  self->registry = g_object_ref (registry);
  return self;
}

/**
 * va_job_queue_set_settings:
 * @settings: (nullable): where the pipeline defaults (`scene-threshold`,
 *   `motion-interval`, …) come from; a job's configuration overrides them
 */
void
va_job_queue_set_settings (VaJobQueue *self, VaSettings *settings)
{
  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  g_set_object (&self->settings, settings);
}

void
va_job_queue_set_max_concurrent (VaJobQueue *self, guint max_concurrent)
{
  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  self->max_concurrent = MAX (max_concurrent, 1);
  if (self->started)
    va_job_queue_schedule (self);
}

guint
va_job_queue_get_max_concurrent (VaJobQueue *self)
{
  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), 0);
  return self->max_concurrent;
}

/**
 * va_job_queue_set_poll_interval:
 * @seconds: how often the database is checked for jobs another process
 *   (the CLI) added; this process's own submissions call
 *   va_job_queue_wake() and start at once. 0 disables polling.
 */
void
va_job_queue_set_poll_interval (VaJobQueue *self, guint seconds)
{
  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  self->poll_interval = seconds;
}

/**
 * va_job_queue_set_progress_interval:
 * @milliseconds: least time between two progress writes to the database
 */
void
va_job_queue_set_progress_interval (VaJobQueue *self, guint milliseconds)
{
  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  self->progress_interval = milliseconds;
}

gboolean
va_job_queue_is_running (VaJobQueue *self)
{
  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), FALSE);
  return self->started && !self->stopping;
}

guint
va_job_queue_get_n_running (VaJobQueue *self)
{
  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), 0);
  return g_hash_table_size (self->running);
}

/**
 * va_job_queue_dup_running:
 *
 * Returns: (transfer full): the ids of the jobs running now
 */
GStrv
va_job_queue_dup_running (VaJobQueue *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), NULL);
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  return g_strv_builder_end (builder);
}

/* ---- finishing a run ------------------------------------------------------- */

static void
va_job_queue_emit_finished (VaJobQueue *self, const char *job_id)
{
  g_autoptr (VaJob) job = va_store_get_job (self->store, job_id, NULL);

  if (job != NULL)
    g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0, job);
}

/* Sets the final status; a job cancelled or deleted meanwhile keeps what
 * it has (the store's guarded update refuses the transition). */
static void
va_job_queue_conclude (VaJobQueue *self, VaJobRun *run, VaJobStatus status, const char *message)
{
  const char *id = va_job_get_id (run->job);
  g_autoptr (GError) error = NULL;

  if (va_store_set_job_status (self->store, id, status, message, &error))
    return;
  if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    /* deleted while it ran (by another process, unless the deleter
     * stopped the run and removes the files itself): whatever the
     * pipeline wrote goes too */
    g_autoptr (GError) files_error = NULL;
    if (!run->keep_files && !va_storage_delete_job (self->storage, id, NULL, &files_error)
        && !g_error_matches (files_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      g_warning ("Cannot remove the files of deleted job %s: %s", id, files_error->message);
  } else if (!g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT)) {
    g_warning ("Cannot record the end of job %s: %s", id, error->message);
  }
}

static void
va_job_queue_store_result (VaJobQueue *self, VaJobResult *result)
{
  g_autoptr (GError) error = NULL;

  if (!va_store_upsert_result (self->store, result, &error)
      && !g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
    g_warning ("Cannot record a pipeline result of job %s: %s", va_job_result_get_job_id (result),
               error->message);
}

static VaJobResult *
va_job_queue_new_result (VaJobRun *run, const char *pipeline, VaJobStatus status,
                         const char *error_message)
{
  VaJobResult *result = va_job_result_new (va_job_get_id (run->job), pipeline);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  va_job_result_set_status (result, status);
  va_job_result_set_start_time (result, run->started);
  va_job_result_set_end_time (result, now);
  va_job_result_set_error_message (result, error_message);
  return result;
}

/* Job files are 0640 whatever the umask of the process. */
static void
va_job_queue_fix_mode (const char *path, guint mode)
{
  if (g_chmod (path, mode) != 0)
    g_debug ("Cannot set the mode of %s: %s", path, g_strerror (errno));
}

/* The video's duration is learnt here, from the run's demuxer, not at
 * submission (which answers without decoding anything). */
static void
va_job_queue_record_duration (VaJobQueue *self, VaJobRun *run, gint64 duration)
{
  g_autoptr (GError) error = NULL;
  double seconds = (double)duration / GST_SECOND;

  if (run->duration_recorded || duration <= 0)
    return;
  run->duration_recorded = TRUE;
  va_job_set_video_duration_seconds (run->job, seconds);
  if (!va_store_set_job_video_duration (self->store, va_job_get_id (run->job), seconds, &error)
      && !g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
    g_warning ("Cannot record the duration of job %s: %s", va_job_get_id (run->job),
               error->message);
}

/* Records every pipeline's result and the job's final state from the
 * run's outcome (@run_result, or @run_error). */
static void
va_job_queue_record_outcome (VaJobQueue *self, VaJobRun *run, VaRunResult *run_result,
                             const GError *run_error)
{
  g_autoptr (GString) failed = g_string_new (NULL);
  g_autoptr (GStrvBuilder) warnings = g_strv_builder_new ();
  g_auto (GStrv) warning_list = NULL;
  g_autoptr (GError) warnings_error = NULL;
  guint n_ok = 0, n_failed = 0;

  /* a run shorter than one progress interval reports it only here */
  if (run_result != NULL)
    va_job_queue_record_duration (self, run, va_run_result_get_duration (run_result));

  /* pipelines that could not even be added to the run */
  for (guint i = 0; i < run->results->len; i++) {
    VaJobResult *result = g_ptr_array_index (run->results, i);
    va_job_queue_store_result (self, result);
    g_string_append_printf (failed, "%s%s", failed->len > 0 ? ", " : "",
                            va_job_result_get_pipeline_name (result));
    n_failed++;
  }

  for (guint i = 0; i < run->pipelines->len; i++) {
    const char *name = va_pipeline_info_get_name (g_ptr_array_index (run->pipelines, i));
    g_autoptr (VaJobResult) result = NULL;
    const char *file = NULL;
    guint count = 0;

    if (run_result != NULL && va_run_result_lookup_output (run_result, name, &file, &count)) {
      g_autoptr (GError) error = NULL;
      g_autofree char *relative = va_storage_dup_relative (self->storage, file, &error);

      if (relative != NULL) {
        result = va_job_queue_new_result (run, name, VA_JOB_STATUS_COMPLETED, NULL);
        va_job_result_set_output_file (result, relative);
        va_job_result_set_annotation_count (result, count);
        /* the pipeline's own analysers' time, not the job's wall-clock
         * time: all pipelines of the job run at once on one decode */
        va_job_result_set_processing_time (result,
                                           va_run_result_get_pipeline_time (run_result, name));
        va_job_queue_fix_mode (file, VA_STORAGE_FILE_MODE);
        if (count == 0) {
          g_autofree char *text = g_strdup_printf (
              "%s found nothing in this video (its output file has no annotations)", name);
          g_strv_builder_add (warnings, text);
        }
        n_ok++;
      } else {
        result = va_job_queue_new_result (run, name, VA_JOB_STATUS_FAILED, error->message);
      }
    } else {
      result = va_job_queue_new_result (run, name, VA_JOB_STATUS_FAILED,
                                        run_error != NULL ? run_error->message
                                                          : "The pipeline wrote no output file");
    }
    if (va_job_result_get_status (result) == VA_JOB_STATUS_FAILED) {
      g_string_append_printf (failed, "%s%s", failed->len > 0 ? ", " : "", name);
      n_failed++;
    }
    va_job_queue_store_result (self, result);
  }

  /* recorded before the final state, so that whoever sees the job end
   * sees its warnings too */
  if (run_result != NULL)
    g_strv_builder_addv (warnings, (const char **)va_run_result_get_warnings (run_result));
  warning_list = g_strv_builder_end (warnings);
  if (warning_list[0] != NULL
      && !va_store_set_job_warnings (self->store, va_job_get_id (run->job),
                                     (const char *const *)warning_list, &warnings_error)
      && !g_error_matches (warnings_error, VA_ERROR, VA_ERROR_NOT_FOUND))
    g_warning ("Cannot record the warnings of job %s: %s", va_job_get_id (run->job),
               warnings_error->message);

  if (n_ok > 0 && n_failed == 0) {
    va_job_queue_conclude (self, run, VA_JOB_STATUS_COMPLETED, NULL);
  } else if (n_ok > 0) {
    g_autofree char *message
        = g_strdup_printf ("Completed with errors. Failed pipelines: %s", failed->str);
    va_job_queue_conclude (self, run, VA_JOB_STATUS_COMPLETED, message);
  } else if (run_error != NULL && run->pipelines->len > 0) {
    /* one decode for all: a bad input fails them all for one reason */
    g_autofree char *message = g_strdup_printf ("All pipelines failed: %s", run_error->message);
    va_job_queue_conclude (self, run, VA_JOB_STATUS_FAILED, message);
  } else {
    g_autofree char *message = g_strdup_printf (
        "All pipelines failed. Check pipeline results for details. Failed pipelines: %s",
        failed->str);
    va_job_queue_conclude (self, run, VA_JOB_STATUS_FAILED, message);
  }
}

/* Removes @run (freeing it) and lets the queue move on. */
static void
va_job_queue_run_done (VaJobQueue *self, VaJobRun *run)
{
  g_autofree char *id = g_strdup (va_job_get_id (run->job));
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&run->stop_waiters);

  g_hash_table_remove (self->running, id);
  /* the pipeline is in NULL and its files are recorded: nothing of this
   * run touches the job directory any more */
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
  va_job_queue_emit_finished (self, id);
  va_job_queue_check_shutdown_done (self);
  va_job_queue_schedule (self);
}

static void
va_job_queue_run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VaJobQueue) self = user_data;
  g_autoptr (VaRunResult) run_result = NULL;
  g_autoptr (GError) error = NULL;
  VaJobRun *run = NULL;
  GHashTableIter iter;
  gpointer value;

  /* find the run of this runner */
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    if (((VaJobRun *)value)->runner == VA_RUNNER (source))
      run = value;
  }
  run_result = va_runner_run_finish (VA_RUNNER (source), result, &error);
  if (run == NULL)
    return;

  if (g_error_matches (error, VA_ERROR, VA_ERROR_CANCELLED)) {
    if (run->requeue) {
      g_autoptr (GError) requeue_error = NULL;
      if (!va_store_set_job_status (self->store, va_job_get_id (run->job), VA_JOB_STATUS_PENDING,
                                    VA_JOB_QUEUE_REQUEUE_MESSAGE, &requeue_error)
          && !g_error_matches (requeue_error, VA_ERROR, VA_ERROR_CONFLICT)
          && !g_error_matches (requeue_error, VA_ERROR, VA_ERROR_NOT_FOUND))
        g_warning ("Cannot re-queue job %s: %s", va_job_get_id (run->job), requeue_error->message);
      else
        g_message ("Job %s stopped by shutdown; it will run again at the next start",
                   va_job_get_id (run->job));
    }
    /* a user's cancel already made the job `cancelled` (this changes
     * nothing then); a delete removed it, and this removes what is left */
    if (!run->requeue)
      va_job_queue_conclude (self, run, VA_JOB_STATUS_CANCELLED, NULL);
  } else {
    va_job_queue_record_outcome (self, run, run_result, error);
  }
  va_job_queue_run_done (self, run);
}

static void
va_job_queue_progress_cb (VaRunner *runner, double fraction, guint64 frames, double fps,
                          gint64 position, gint64 duration, gpointer user_data)
{
  VaJobRun *run = user_data;
  VaJobQueue *self = run->queue;
  gint64 now = g_get_monotonic_time ();

  va_job_queue_record_duration (self, run, duration);
  run->fps = fps;
  if (fraction < 0)
    return;
  run->progress = CLAMP (fraction * 100.0, 0.0, 100.0);
  va_job_set_progress (run->job, run->progress);
  /* the database gets at most one write per interval */
  if (now - run->last_progress_write >= (gint64)self->progress_interval * 1000) {
    g_autoptr (GError) error = NULL;
    run->last_progress_write = now;
    if (!va_store_set_job_progress (self->store, va_job_get_id (run->job), run->progress, &error)
        && !g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT)
        && !g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
      g_warning ("Cannot record the progress of job %s: %s", va_job_get_id (run->job),
                 error->message);
    g_signal_emit (self, signals[SIGNAL_JOB_PROGRESS], 0, run->job, run->progress);
  }
}

/**
 * va_job_queue_get_fps:
 * @job_id: a running job
 *
 * Returns: the frames the job's run analysed per second of wall-clock
 *   time so far, 0 before its first progress report or when it is not
 *   running here
 */
double
va_job_queue_get_fps (VaJobQueue *self, const char *job_id)
{
  VaJobRun *run;

  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), 0.0);
  run = job_id != NULL ? g_hash_table_lookup (self->running, job_id) : NULL;
  return run != NULL ? run->fps : 0.0;
}

/**
 * va_job_queue_has_job:
 *
 * Whether a run of @job_id is still in this queue (running, or stopping
 * after a cancellation). Main context only.
 */
gboolean
va_job_queue_has_job (VaJobQueue *self, const char *job_id)
{
  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), FALSE);
  return job_id != NULL && g_hash_table_contains (self->running, job_id);
}

/* ---- starting a run --------------------------------------------------------- */

/* Fails a job that cannot start, with one result row per pipeline. */
static void
va_job_queue_fail_start (VaJobQueue *self, VaJobRun *run, const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (VA_ERROR, VA_ERROR_INTERNAL, message);

  va_job_queue_record_outcome (self, run, NULL, error);
}

static gboolean
va_job_queue_prepare (VaJobQueue *self, VaJobRun *run, GError **error)
{
  VaJob *job = run->job;
  const char *const *names = va_job_get_selected_pipelines (job);
  g_autoptr (VaPipelineBuilder) builder = NULL;
  g_autofree char *input = NULL;
  g_autofree char *job_dir = NULL;
  g_autofree char *stem = NULL;

  run->pipelines = g_ptr_array_new_with_free_func (g_object_unref);
  run->results = g_ptr_array_new_with_free_func (g_object_unref);
  if (names == NULL) {
    g_autoptr (GPtrArray) defaults = va_pipeline_registry_get_defaults (self->registry);
    for (guint i = 0; i < defaults->len; i++)
      g_ptr_array_add (run->pipelines, g_object_ref (g_ptr_array_index (defaults, i)));
  } else {
    for (guint i = 0; names[i] != NULL; i++) {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (VaPipelineInfo) info
          = va_pipeline_registry_resolve (self->registry, names[i], &local_error);
      if (info == NULL) {
        /* e.g. its elements were uninstalled since submission */
        g_ptr_array_add (run->results, va_job_queue_new_result (run, names[i], VA_JOB_STATUS_FAILED,
                                                                local_error->message));
      } else if (!g_ptr_array_find (run->pipelines, info, NULL)) {
        g_ptr_array_add (run->pipelines, g_steal_pointer (&info));
      }
    }
  }
  if (run->pipelines->len == 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         N_ ("None of the selected pipelines is available on this server"));
    return FALSE;
  }

  if (va_job_get_video_path (job) == NULL
      || (input = va_storage_resolve (self->storage, va_job_get_video_path (job), error)) == NULL
      || !g_file_test (input, G_FILE_TEST_IS_REGULAR)) {
    g_clear_error (error);
    g_set_error_literal (error, VA_ERROR, VA_ERROR_NOT_FOUND,
                         N_ ("The uploaded video of this job is missing from the storage"));
    return FALSE;
  }
  job_dir = va_storage_dup_job_dir (self->storage, va_job_get_id (job), error);
  if (job_dir == NULL)
    return FALSE;
  /* The result files go straight into the job directory, beside the input,
   * where the 1.4 service's clients list them (they do not recurse). Jobs
   * run before kept theirs in `<stem>_output/`: their results rows name
   * those files, so they are read (and zipped, and deleted) where they are. */
  stem = va_storage_make_stem (va_job_get_video_filename (job));

  builder = va_pipeline_builder_new ();
  va_pipeline_builder_set_input (builder, input);
  va_pipeline_builder_set_output_dir (builder, job_dir);
  va_pipeline_builder_set_stem (builder, stem);
  /* the digest taken while the upload was written: no second read */
  va_pipeline_builder_set_input_sha256 (builder, va_job_get_input_sha256 (job));
  for (guint i = 0; i < run->pipelines->len; i++)
    va_pipeline_builder_add_pipeline (builder, g_ptr_array_index (run->pipelines, i));
  va_pipeline_defaults_apply (builder, self->settings);
  if (!va_config_apply (self->registry, va_job_get_config (job), builder, error)) {
    g_prefix_error (error, "Invalid job configuration: ");
    return FALSE;
  }

  run->runner = va_runner_new (builder);
  va_runner_set_progress_interval (run->runner, 250);
  if (self->task_pool == NULL)
    self->task_pool = va_nice_task_pool_new (VA_JOB_QUEUE_NICE_INCREMENT);
  va_runner_set_task_pool (run->runner, GST_TASK_POOL (self->task_pool));
  return TRUE;
}

static void
va_job_queue_start_job (VaJobQueue *self, VaJob *pending)
{
  const char *id = va_job_get_id (pending);
  g_autoptr (GError) error = NULL;
  VaJobRun *run;

  /* the guard: only a still-pending job starts (not one cancelled since) */
  if (!va_store_set_job_status (self->store, id, VA_JOB_STATUS_RUNNING, NULL, &error)) {
    if (!g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT)
        && !g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
      g_warning ("Cannot start job %s: %s", id, error->message);
    return;
  }

  run = g_new0 (VaJobRun, 1);
  run->queue = self;
  run->job = va_store_get_job (self->store, id, &error);
  if (run->job == NULL) {
    /* deleted between the two statements: its deleter removes the files */
    if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND))
      g_debug ("Job %s was deleted as it started", id);
    else
      g_warning ("Cannot read job %s: %s", id, error->message);
    va_job_run_free (run);
    return;
  }
  run->cancellable = g_cancellable_new ();
  run->started = g_date_time_new_now_utc ();
  g_hash_table_insert (self->running, g_strdup (id), run);
  g_signal_emit (self, signals[SIGNAL_JOB_STARTED], 0, run->job);

  if (!va_job_queue_prepare (self, run, &error)) {
    g_message ("Job %s cannot run: %s", id, error->message);
    va_job_queue_fail_start (self, run, error->message);
    va_job_queue_run_done (self, run);
    return;
  }
  g_signal_connect (run->runner, "progress", G_CALLBACK (va_job_queue_progress_cb), run);
  va_runner_run_async (run->runner, run->cancellable, va_job_queue_run_cb, g_object_ref (self));
}

static gboolean
va_job_queue_schedule_cb (gpointer user_data)
{
  VaJobQueue *self = VA_JOB_QUEUE (user_data);

  g_clear_pointer (&self->schedule_source, g_source_unref);
  while (!self->stopping && g_hash_table_size (self->running) < self->max_concurrent) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) pending = va_store_list_jobs (
        self->store, 1, 1, VA_JOB_STATUS_MASK (VA_JOB_STATUS_PENDING), NULL, NULL, &error);

    if (pending == NULL) {
      g_warning ("Cannot read the job queue: %s", error->message);
      break;
    }
    if (pending->len == 0)
      break;
    va_job_queue_start_job (self, g_ptr_array_index (pending, 0));
  }
  return G_SOURCE_REMOVE;
}

/* Coalesced: many wake-ups in one iteration make one pass. */
static void
va_job_queue_schedule (VaJobQueue *self)
{
  if (!self->started || self->stopping || self->schedule_source != NULL)
    return;
  self->schedule_source = g_idle_source_new ();
  g_source_set_name (self->schedule_source, "[videoannotator] job queue");
  g_source_set_callback (self->schedule_source, va_job_queue_schedule_cb, self, NULL);
  g_source_attach (self->schedule_source, self->context);
}

static gboolean
va_job_queue_poll_cb (gpointer user_data)
{
  va_job_queue_schedule (VA_JOB_QUEUE (user_data));
  return G_SOURCE_CONTINUE;
}

/**
 * va_job_queue_start:
 * @max_retries: jobs found `running` (interrupted) that were re-queued
 *   this many times already are failed instead
 *
 * Recovers interrupted jobs, then runs the queue.
 */
gboolean
va_job_queue_start (VaJobQueue *self, guint max_retries, GError **error)
{
  guint requeued = 0, failed = 0;

  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!va_store_recover_running (self->store, max_retries, &requeued, &failed, error))
    return FALSE;
  if (requeued > 0)
    g_message ("Re-queued %u job(s) interrupted by the previous stop", requeued);
  if (failed > 0)
    g_message ("Failed %u interrupted job(s) past the retry limit of %u", failed, max_retries);

  self->started = TRUE;
  if (self->poll_interval > 0) {
    self->poll_source = g_timeout_source_new_seconds (self->poll_interval);
    g_source_set_name (self->poll_source, "[videoannotator] job queue poll");
    g_source_set_callback (self->poll_source, va_job_queue_poll_cb, self, NULL);
    g_source_attach (self->poll_source, self->context);
  }
  va_job_queue_schedule (self);
  return TRUE;
}

/**
 * va_job_queue_wake:
 *
 * A job was added: look at the queue now rather than at the next poll.
 */
void
va_job_queue_wake (VaJobQueue *self)
{
  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  va_job_queue_schedule (self);
}

/**
 * va_job_queue_cancel:
 * @job_id: a job whose state the caller already set (`cancelled`, or
 *   deleted)
 *
 * Stops the job's pipeline if it is running.
 *
 * Returns: %TRUE if it was running
 */
gboolean
va_job_queue_cancel (VaJobQueue *self, const char *job_id)
{
  VaJobRun *run;

  g_return_val_if_fail (VA_IS_JOB_QUEUE (self), FALSE);
  run = job_id != NULL ? g_hash_table_lookup (self->running, job_id) : NULL;
  if (run == NULL)
    return FALSE;
  g_cancellable_cancel (run->cancellable);
  return TRUE;
}

/**
 * va_job_queue_stop_job_async:
 * @job_id: a job the caller has just deleted from the store
 *
 * For a deletion: stops the job's run if it has one in this queue, and
 * completes once that run has ended, so that nothing of this process
 * writes into the job's storage directory any more. Removing that
 * directory is then the caller's business: the run leaves it alone.
 * Completes at once when the job does not run here (a job whose row is
 * gone cannot start any more).
 *
 * Without this, a deletion racing with the start of the job removes the
 * directory while the queue creates its output folder and the pipeline
 * writes its files.
 */
void
va_job_queue_stop_job_async (VaJobQueue *self, const char *job_id, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VaJobRun *run;

  g_return_if_fail (VA_IS_JOB_QUEUE (self));
  g_return_if_fail (job_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_job_queue_stop_job_async);
  run = g_hash_table_lookup (self->running, job_id);
  if (run == NULL) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  run->keep_files = TRUE;
  if (run->stop_waiters == NULL)
    run->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (run->stop_waiters, g_steal_pointer (&task));
  g_cancellable_cancel (run->cancellable);
}

gboolean
va_job_queue_stop_job_finish (VaJobQueue *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- shutdown --------------------------------------------------------------- */

static void
va_job_queue_check_shutdown_done (VaJobQueue *self)
{
  g_autoptr (GTask) task = NULL;

  if (self->shutdown_task == NULL || g_hash_table_size (self->running) > 0)
    return;
  va_job_queue_destroy_source (&self->shutdown_timeout);
  task = g_steal_pointer (&self->shutdown_task);
  g_task_return_boolean (task, TRUE);
}

static gboolean
va_job_queue_shutdown_timeout_cb (gpointer user_data)
{
  VaJobQueue *self = VA_JOB_QUEUE (user_data);
  GHashTableIter iter;
  gpointer value;
  g_autoptr (GPtrArray) runs = g_ptr_array_new ();

  g_clear_pointer (&self->shutdown_timeout, g_source_unref);
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (runs, value);
  if (runs->len > 0)
    g_message ("Stopping %u running job(s); they will run again at the next start", runs->len);
  for (guint i = 0; i < runs->len; i++) {
    VaJobRun *run = g_ptr_array_index (runs, i);
    run->requeue = TRUE;
    g_cancellable_cancel (run->cancellable);
  }
  return G_SOURCE_REMOVE;
}

/**
 * va_job_queue_shutdown_async:
 * @timeout_seconds: how long running jobs may take to finish
 *
 * Starts no more jobs, waits up to @timeout_seconds for the running
 * ones, then stops them and puts them back to `pending` (they run again
 * at the next start). Completes when no job runs any more.
 */
void
va_job_queue_shutdown_async (VaJobQueue *self, guint timeout_seconds, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (VA_IS_JOB_QUEUE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_job_queue_shutdown_async);
  if (self->shutdown_task != NULL) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_CONFLICT, "Shutdown already in progress");
    return;
  }
  self->stopping = TRUE;
  va_job_queue_destroy_source (&self->schedule_source);
  va_job_queue_destroy_source (&self->poll_source);
  self->shutdown_task = g_steal_pointer (&task);
  if (g_hash_table_size (self->running) == 0) {
    va_job_queue_check_shutdown_done (self);
    return;
  }
  g_message ("Waiting up to %u s for %u running job(s)", timeout_seconds,
             g_hash_table_size (self->running));
  self->shutdown_timeout = g_timeout_source_new_seconds (timeout_seconds);
  if (timeout_seconds == 0) {
    g_source_unref (self->shutdown_timeout);
    self->shutdown_timeout = g_idle_source_new ();
  }
  g_source_set_callback (self->shutdown_timeout, va_job_queue_shutdown_timeout_cb, self, NULL);
  g_source_attach (self->shutdown_timeout, self->context);
}

gboolean
va_job_queue_shutdown_finish (VaJobQueue *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
