/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-engine.h"

G_BEGIN_DECLS

#define VA_TYPE_RETENTION (va_retention_get_type ())
G_DECLARE_FINAL_TYPE (VaRetention, va_retention, VA, RETENTION, GObject)

VaRetention *va_retention_new (VaEngine *engine);

GPtrArray *va_retention_list_expired (VaRetention *self, GDateTime *now, guint days,
                                      GError **error);
void va_retention_run_async (VaRetention *self, GDateTime *now, guint days,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
GPtrArray *va_retention_run_finish (VaRetention *self, GAsyncResult *result, GError **error);

gboolean va_retention_schedule (VaRetention *self, const char *schedule, guint days,
                                GError **error);
void va_retention_unschedule (VaRetention *self);
GDateTime *va_retention_get_next_run (VaRetention *self);

G_END_DECLS
