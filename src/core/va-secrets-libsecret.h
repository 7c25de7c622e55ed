/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-secrets.h"

G_BEGIN_DECLS

#define VA_TYPE_SECRETS_LIBSECRET (va_secrets_libsecret_get_type ())
G_DECLARE_FINAL_TYPE (VaSecretsLibsecret, va_secrets_libsecret, VA, SECRETS_LIBSECRET, VaSecrets)

VaSecrets *va_secrets_libsecret_new (const char *token_dir);

G_END_DECLS
