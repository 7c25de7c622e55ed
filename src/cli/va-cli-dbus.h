/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-dbus-service.h"

G_BEGIN_DECLS

/* shared by `job --dbus` and `token --dbus` (va-cli-job-dbus.c) */
VaDBusManager *va_cli_dbus_proxy_new (gboolean system, GError **error);
int va_cli_dbus_fail (const char *command, gboolean json, GError *error);

G_END_DECLS
