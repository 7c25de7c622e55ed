/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "va-pipeline-builder.h"
#include "va-run-result.h"

G_BEGIN_DECLS

#define VA_TYPE_RUNNER (va_runner_get_type ())
G_DECLARE_FINAL_TYPE (VaRunner, va_runner, VA, RUNNER, GObject)

VaRunner *va_runner_new (VaPipelineBuilder *builder);
VaPipelineBuilder *va_runner_get_builder (VaRunner *self);
void va_runner_set_progress_interval (VaRunner *self, guint milliseconds);
void va_runner_set_task_pool (VaRunner *self, GstTaskPool *pool);

void va_runner_run_async (VaRunner *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data);
VaRunResult *va_runner_run_finish (VaRunner *self, GAsyncResult *result, GError **error);
VaRunResult *va_runner_run (VaRunner *self, GCancellable *cancellable, GError **error);

G_END_DECLS
