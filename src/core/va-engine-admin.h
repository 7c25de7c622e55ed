/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

gboolean va_engine_revoke_all_keys (VaEngine *self, VaCaller *caller, guint *n_revoked,
                                    GError **error);
gboolean va_engine_count_jobs (VaEngine *self, guint *running, guint *pending, GError **error);
double va_engine_get_job_fps (VaEngine *self, const char *job_id);

G_END_DECLS
