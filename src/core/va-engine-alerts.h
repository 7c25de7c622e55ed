/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

/* alerts one listing returns at most */
#define VA_ENGINE_ALERTS_MAX 1000

void va_engine_list_alerts_async (VaEngine *self, VaCaller *caller, GDateTime *since, guint limit,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
JsonArray *va_engine_list_alerts_finish (VaEngine *self, GAsyncResult *result, GError **error);

G_END_DECLS
