/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-dbus-generated.h"
#include "va-engine.h"

G_BEGIN_DECLS

#define VA_DBUS_BUS_NAME "org.videoannotator.VideoAnnotator"
#define VA_DBUS_OBJECT_PATH "/org/videoannotator/VideoAnnotator1"
#define VA_DBUS_INTERFACE "org.videoannotator.VideoAnnotator1.Manager"

#define VA_TYPE_DBUS_SERVICE (va_dbus_service_get_type ())
G_DECLARE_FINAL_TYPE (VaDBusService, va_dbus_service, VA, DBUS_SERVICE, VaDBusManagerSkeleton)

VaDBusService *va_dbus_service_new (VaEngine *engine);
VaEngine *va_dbus_service_get_engine (VaDBusService *self);
gboolean va_dbus_service_export (VaDBusService *self, GDBusConnection *connection, GError **error);
void va_dbus_service_unexport (VaDBusService *self);

VaDBusService *va_dbus_service_start (VaEngine *engine, const char *bus, GError **error);

G_END_DECLS
