/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"
#include "va-engine-keys.h"

G_BEGIN_DECLS

gboolean va_engine_count_jobs (VaEngine *self, guint *running, guint *pending, GError **error);
double va_engine_get_job_fps (VaEngine *self, const char *job_id);
gboolean va_engine_get_store_stats (VaEngine *self, VaStoreStats *stats, GError **error);
const char *va_engine_get_database_path (VaEngine *self);
const char *va_engine_get_database_backend (VaEngine *self);
int va_engine_get_schema_version (VaEngine *self);

G_END_DECLS
