/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-pipeline-registry.h"
#include "va-settings.h"
#include "va-storage.h"
#include "va-store.h"

G_BEGIN_DECLS

#define VA_TYPE_JOB_QUEUE (va_job_queue_get_type ())
G_DECLARE_FINAL_TYPE (VaJobQueue, va_job_queue, VA, JOB_QUEUE, GObject)

VaJobQueue *va_job_queue_new (VaStore *store, VaStorage *storage, VaPipelineRegistry *registry);
void va_job_queue_set_settings (VaJobQueue *self, VaSettings *settings);
void va_job_queue_set_max_concurrent (VaJobQueue *self, guint max_concurrent);
guint va_job_queue_get_max_concurrent (VaJobQueue *self);
void va_job_queue_set_poll_interval (VaJobQueue *self, guint seconds);
void va_job_queue_set_progress_interval (VaJobQueue *self, guint milliseconds);

gboolean va_job_queue_start (VaJobQueue *self, guint max_retries, GError **error);
gboolean va_job_queue_is_running (VaJobQueue *self);
void va_job_queue_wake (VaJobQueue *self);
gboolean va_job_queue_cancel (VaJobQueue *self, const char *job_id);
void va_job_queue_stop_job_async (VaJobQueue *self, const char *job_id, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean va_job_queue_stop_job_finish (VaJobQueue *self, GAsyncResult *result, GError **error);
guint va_job_queue_get_n_running (VaJobQueue *self);
gboolean va_job_queue_has_job (VaJobQueue *self, const char *job_id);
GStrv va_job_queue_dup_running (VaJobQueue *self);
double va_job_queue_get_fps (VaJobQueue *self, const char *job_id);

void va_job_queue_shutdown_async (VaJobQueue *self, guint timeout_seconds,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean va_job_queue_shutdown_finish (VaJobQueue *self, GAsyncResult *result, GError **error);

G_END_DECLS
