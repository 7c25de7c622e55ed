/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-job.h"

G_BEGIN_DECLS

/* a client-chosen batch id or name: at most this many bytes */
#define VA_BATCH_ID_MAX 200

#define VA_TYPE_BATCH (va_batch_get_type ())
G_DECLARE_FINAL_TYPE (VaBatch, va_batch, VA, BATCH, GObject)

VaBatch *va_batch_new (const char *batch_id);

const char *va_batch_get_id (VaBatch *self);
const char *va_batch_get_name (VaBatch *self);
void va_batch_set_name (VaBatch *self, const char *name);
GDateTime *va_batch_get_created_at (VaBatch *self);
void va_batch_set_created_at (VaBatch *self, GDateTime *when);
guint64 va_batch_get_count (VaBatch *self, VaJobStatus status);
void va_batch_set_count (VaBatch *self, VaJobStatus status, guint64 count);
guint64 va_batch_get_total (VaBatch *self);
void va_batch_set_mean_run_seconds (VaBatch *self, double seconds);
double va_batch_get_completion_percentage (VaBatch *self);

gboolean va_batch_check_id (const char *text, const char *what, GError **error);

G_END_DECLS
