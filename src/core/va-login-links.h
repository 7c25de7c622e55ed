/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-token-store.h"

G_BEGIN_DECLS

/* how long a login link may wait before it is used */
#define VA_LOGIN_LINK_TTL_SECONDS 120
/* lifetime of the key a login link is exchanged for */
#define VA_LOGIN_LINK_SESSION_DAYS 1
#define VA_LOGIN_LINK_PREFIX "va_login_"

char *va_login_link_issue (VaTokenStore *store, const VaTokenRequest *identity, gint64 now_s,
                           GError **error);
VaApiKey *va_login_link_redeem (VaTokenStore *store, const char *token, gint64 now_s, char **key,
                                GError **error);

G_END_DECLS
