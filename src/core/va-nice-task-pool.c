/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>

#include "va-nice-task-pool.h"

/**
 * VaNiceTaskPool:
 *
 * Streaming threads at a lower CPU priority: each task gets a thread of its
 * own whose nice value is raised to a fixed value before the task runs.
 * The job queue gives its pipelines this pool so that, when the cores are
 * busy, analysing a job yields to the server's main loop (answering
 * requests) instead of sharing the cores equally with it.
 *
 * Own threads rather than GStreamer's default pool: that one takes its
 * threads from GLib's shared pool of idle threads, which also serves
 * g_task_run_in_thread(), and a thread's nice value cannot be lowered
 * again without privileges — a reused thread would slow down the server's
 * own work (uploads, database writes) for good. Threads that a streaming
 * thread creates (e.g. libavcodec's frame threads) inherit its nice value.
 */

struct _VaNiceTaskPool {
  GstTaskPool parent_instance;

  int nice;        /* what the threads get: the creator's nice value + increment */
  guint n_started; /* atomic */
};

G_DEFINE_FINAL_TYPE (VaNiceTaskPool, va_nice_task_pool, GST_TYPE_TASK_POOL)

typedef struct {
  GstTaskPoolFunction func;
  gpointer data;
  int nice;
} VaNiceTaskStart;

static gpointer
va_nice_task_pool_thread (gpointer user_data)
{
  VaNiceTaskStart *start = user_data;
  int current;

  /* On Linux the nice value belongs to the thread, and PRIO_PROCESS with
   * 0 names the calling thread. A value, not an increment: a task started
   * from another streaming thread (decodebin's) inherits that thread's
   * value already. */
  errno = 0;
  current = getpriority (PRIO_PROCESS, 0);
  if (errno == 0 && current < start->nice && setpriority (PRIO_PROCESS, 0, start->nice) != 0)
    g_debug ("Cannot lower the priority of a streaming thread: %s", g_strerror (errno));
  start->func (start->data);
  g_free (start);
  return NULL;
}

static void
va_nice_task_pool_prepare (GstTaskPool *pool, GError **error)
{
  /* nothing to prepare: threads are made per task */
}

static void
va_nice_task_pool_cleanup (GstTaskPool *pool)
{
}

static gpointer
va_nice_task_pool_push (GstTaskPool *pool, GstTaskPoolFunction func, gpointer data, GError **error)
{
  VaNiceTaskPool *self = VA_NICE_TASK_POOL (pool);
  VaNiceTaskStart *start = g_new (VaNiceTaskStart, 1);
  GThread *thread;

  start->func = func;
  start->data = data;
  start->nice = self->nice;
  /* GstTask names the thread after itself once it runs */
  thread = g_thread_try_new ("va-stream", va_nice_task_pool_thread, start, error);
  if (thread == NULL) {
    g_free (start);
    return NULL;
  }
  g_atomic_int_inc (&self->n_started);
  return thread;
}

static void
va_nice_task_pool_join (GstTaskPool *pool, gpointer id)
{
  g_thread_join (id);
}

static void
va_nice_task_pool_dispose_handle (GstTaskPool *pool, gpointer id)
{
  /* not joined: the thread is detached */
  g_thread_unref (id);
}

static void
va_nice_task_pool_class_init (VaNiceTaskPoolClass *klass)
{
  GstTaskPoolClass *pool_class = GST_TASK_POOL_CLASS (klass);

  pool_class->prepare = va_nice_task_pool_prepare;
  pool_class->cleanup = va_nice_task_pool_cleanup;
  pool_class->push = va_nice_task_pool_push;
  pool_class->join = va_nice_task_pool_join;
  pool_class->dispose_handle = va_nice_task_pool_dispose_handle;
}

static void
va_nice_task_pool_init (VaNiceTaskPool *self)
{
}

/**
 * va_nice_task_pool_new:
 * @increment: added to the calling thread's nice value (1–19) for the
 *   pool's threads: relative, so that a server started with `nice` keeps
 *   the difference
 *
 * Returns: (transfer full): a new pool
 */
VaNiceTaskPool *
va_nice_task_pool_new (int increment)
{
  VaNiceTaskPool *self;
  int base;

  g_return_val_if_fail (increment > 0 && increment < 20, NULL);

  self = g_object_new (VA_TYPE_NICE_TASK_POOL, NULL);

  errno = 0;
  base = getpriority (PRIO_PROCESS, 0);
  self->nice = MIN ((errno == 0 ? base : 0) + increment, 19);
  /* a GstObject starts floating; the caller owns this one */
  gst_object_ref_sink (self);
  return self;
}

/**
 * va_nice_task_pool_get_nice:
 *
 * Returns: the nice value the pool's threads run at
 */
int
va_nice_task_pool_get_nice (VaNiceTaskPool *self)
{
  g_return_val_if_fail (VA_IS_NICE_TASK_POOL (self), 0);
  return self->nice;
}

/**
 * va_nice_task_pool_get_n_started:
 *
 * Returns: how many threads the pool has started (for tests)
 */
guint
va_nice_task_pool_get_n_started (VaNiceTaskPool *self)
{
  g_return_val_if_fail (VA_IS_NICE_TASK_POOL (self), 0);
  return (guint)g_atomic_int_get (&self->n_started);
}
