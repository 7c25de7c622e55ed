/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the production checklist's two alert rules, per client */
#define VA_SECURITY_AUTH_FAILURES_MAX 10
#define VA_SECURITY_AUTH_WINDOW_US (5 * 60 * G_USEC_PER_SEC)
#define VA_SECURITY_REQUESTS_MAX 1000
#define VA_SECURITY_REQUEST_WINDOW_US (60 * G_USEC_PER_SEC)
#define VA_SECURITY_BLOCK_US (15 * 60 * G_USEC_PER_SEC)

#define VA_TYPE_SECURITY_MONITOR (va_security_monitor_get_type ())
G_DECLARE_FINAL_TYPE (VaSecurityMonitor, va_security_monitor, VA, SECURITY_MONITOR, GObject)

VaSecurityMonitor *va_security_monitor_new (void);
guint va_security_monitor_blocked_for (VaSecurityMonitor *self, const char *client, gint64 now_us);
JsonObject *va_security_monitor_note_request (VaSecurityMonitor *self, const char *client,
                                              gint64 now_us);
JsonObject *va_security_monitor_note_auth_failure (VaSecurityMonitor *self, const char *client,
                                                   gint64 now_us);
void va_security_monitor_prune (VaSecurityMonitor *self, gint64 now_us);
guint va_security_monitor_get_n_clients (VaSecurityMonitor *self);

G_END_DECLS
