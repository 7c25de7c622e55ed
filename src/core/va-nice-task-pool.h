/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VA_TYPE_NICE_TASK_POOL (va_nice_task_pool_get_type ())
G_DECLARE_FINAL_TYPE (VaNiceTaskPool, va_nice_task_pool, VA, NICE_TASK_POOL, GstTaskPool)

VaNiceTaskPool *va_nice_task_pool_new (int increment);
int va_nice_task_pool_get_nice (VaNiceTaskPool *self);
guint va_nice_task_pool_get_n_started (VaNiceTaskPool *self);

G_END_DECLS
