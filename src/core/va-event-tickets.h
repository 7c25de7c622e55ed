/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-caller.h"

G_BEGIN_DECLS

/* how long a ticket may wait before it is used */
#define VA_EVENT_TICKET_TTL_SECONDS 60
#define VA_EVENT_TICKET_PREFIX "va_evt_"

#define VA_TYPE_EVENT_TICKETS (va_event_tickets_get_type ())
G_DECLARE_FINAL_TYPE (VaEventTickets, va_event_tickets, VA, EVENT_TICKETS, GObject)

VaEventTickets *va_event_tickets_new (void);
char *va_event_tickets_issue (VaEventTickets *self, VaCaller *caller, gint64 now_us,
                              GError **error);
VaCaller *va_event_tickets_redeem (VaEventTickets *self, const char *ticket, gint64 now_us,
                                   GError **error);
guint va_event_tickets_get_size (VaEventTickets *self);

G_END_DECLS
