/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-secrets.h"

G_BEGIN_DECLS

#define VA_SECRETS_FILE_NAME "encryption.key"

#define VA_TYPE_SECRETS_FILE (va_secrets_file_get_type ())
G_DECLARE_FINAL_TYPE (VaSecretsFile, va_secrets_file, VA, SECRETS_FILE, VaSecrets)

VaSecrets *va_secrets_file_new (const char *token_dir);

G_END_DECLS
