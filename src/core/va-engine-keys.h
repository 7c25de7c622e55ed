/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

GPtrArray *va_engine_list_keys (VaEngine *self, VaCaller *caller, GError **error);
VaApiKey *va_engine_create_key (VaEngine *self, VaCaller *caller, const VaTokenRequest *request,
                                char **key, GError **error);
VaApiKey *va_engine_revoke_key (VaEngine *self, VaCaller *caller, const char *query,
                                gboolean *newly, GError **error);
gboolean va_engine_revoke_all_keys (VaEngine *self, VaCaller *caller, guint *n_revoked,
                                    GError **error);

G_END_DECLS
