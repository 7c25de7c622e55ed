/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-store.h"

G_BEGIN_DECLS

VaStore *va_store_open (const char *database_url, GError **error);

G_END_DECLS
