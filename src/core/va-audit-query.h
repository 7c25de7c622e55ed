/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

GDateTime *va_audit_query_parse_time (const char *text, GDateTime *now, GError **error);
char *va_audit_query_normalize_prefix (const char *text);

void va_audit_query_async (VaEngine *engine, VaCaller *caller, const VaAuditQuery *query,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
GPtrArray *va_audit_query_finish (VaEngine *engine, GAsyncResult *result, GError **error);

G_END_DECLS
