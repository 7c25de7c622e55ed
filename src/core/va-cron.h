/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VaCron VaCron;

VaCron *va_cron_new (const char *spec, GError **error);
void va_cron_free (VaCron *self);
gboolean va_cron_matches (const VaCron *self, GDateTime *when);
GDateTime *va_cron_next (const VaCron *self, GDateTime *after);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaCron, va_cron_free)

G_END_DECLS
