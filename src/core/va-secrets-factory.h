/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-secrets.h"

G_BEGIN_DECLS

VaSecrets *va_secrets_new_for_backend (const char *backend, const char *token_dir, GError **error);
gboolean va_secrets_service_is_reachable (void);

G_END_DECLS
