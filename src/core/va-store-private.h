/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-store.h"

G_BEGIN_DECLS

/* pending key uses that force a flush without waiting for the timer */
#define VA_STORE_KEY_USAGE_FLUSH_THRESHOLD 256
#define VA_STORE_KEY_USAGE_FLUSH_SECONDS 5

/* For migration tests: stop at an older schema version. */
VaStore *va_store_new_at_version (const char *filename, guint version, GError **error);

G_END_DECLS
