/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-caller.h"

G_BEGIN_DECLS

/* how long a media ticket keeps working */
#define VA_MEDIA_TICKET_TTL_SECONDS 600
#define VA_MEDIA_TICKET_PREFIX "va_med_"

#define VA_TYPE_MEDIA_TICKETS (va_media_tickets_get_type ())
G_DECLARE_FINAL_TYPE (VaMediaTickets, va_media_tickets, VA, MEDIA_TICKETS, GObject)

VaMediaTickets *va_media_tickets_new (void);
char *va_media_tickets_issue (VaMediaTickets *self, VaCaller *caller, const char *resource,
                              gint64 now_us, GError **error);
VaCaller *va_media_tickets_check (VaMediaTickets *self, const char *ticket, const char *resource,
                                  gint64 now_us, GError **error);

G_END_DECLS
