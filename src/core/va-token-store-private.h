/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-token-store.h"

G_BEGIN_DECLS

/* Tests only: judge expiry at @now instead of the clock (NULL: clock). */
void va_token_store_set_now (VaTokenStore *self, GDateTime *now);

G_END_DECLS
