/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"

G_BEGIN_DECLS

/* the owner recorded for jobs of a local Unix user: "uid:1000" */
#define VA_CALLER_UID_PREFIX "uid:"

VaCaller *va_engine_authenticate_uid (VaEngine *self, guint32 uid, GError **error);
VaCaller *va_engine_authenticate_uid_authorized (VaEngine *self, guint32 uid, GError **error);
int va_engine_open_path_for_uid (VaEngine *self, guint32 uid, const char *path, GError **error);
gboolean va_engine_check_descriptor (VaEngine *self, int fd, guint64 *size, GError **error);

G_END_DECLS
