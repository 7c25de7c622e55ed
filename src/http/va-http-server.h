/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-engine.h"
#include "va-log.h"
#include "va-token-store.h"

G_BEGIN_DECLS

#define VA_TYPE_HTTP_SERVER (va_http_server_get_type ())
G_DECLARE_FINAL_TYPE (VaHttpServer, va_http_server, VA, HTTP_SERVER, GObject)

gboolean va_http_server_check_settings (VaSettings *settings, gboolean dev, GError **error);
VaHttpServer *va_http_server_new (VaEngine *engine, gboolean dev, VaLog *log, GError **error);
void va_http_server_set_heartbeat_interval (VaHttpServer *self, guint seconds);
void va_http_server_set_listen_port (VaHttpServer *self, int port);
void va_http_server_set_redirect_port (VaHttpServer *self, int port);
gboolean va_http_server_start (VaHttpServer *self, GError **error);
void va_http_server_stop (VaHttpServer *self);
void va_http_server_flush_log (VaHttpServer *self);
guint va_http_server_get_port (VaHttpServer *self);
guint va_http_server_get_redirect_port (VaHttpServer *self);
char *va_http_server_get_base_uri (VaHttpServer *self);
gboolean va_http_server_is_tls (VaHttpServer *self);
guint va_http_server_get_n_serving (VaHttpServer *self);
guint64 va_http_server_get_serving_requests (VaHttpServer *self, guint index);

G_END_DECLS
