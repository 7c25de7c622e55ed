/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

VaCaller *va_engine_authenticate_request (VaEngine *self, const char *key,
                                          const char *client_address, VaTokenRejection *rejection,
                                          GError **error);
guint va_engine_client_blocked_for (VaEngine *self, const char *client);
void va_engine_note_request (VaEngine *self, const char *client);
void va_engine_note_auth_failure (VaEngine *self, const char *client);
void va_engine_prune_clients (VaEngine *self);
gboolean va_engine_caller_may_see_job (VaEngine *self, VaCaller *caller, VaJob *job);

G_END_DECLS
