/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-store.h"

G_BEGIN_DECLS

/* pending key uses that force a flush without waiting for the timer */
#define VA_STORE_KEY_USAGE_FLUSH_THRESHOLD 256
#define VA_STORE_KEY_USAGE_FLUSH_SECONDS 5

/* For backends: every stored time is µs since the epoch, UTC. */
gint64 va_store_usec_from_datetime (GDateTime *when);
GDateTime *va_store_datetime_from_usec (gint64 usec);
gint64 va_store_now_usec (void);

G_END_DECLS
