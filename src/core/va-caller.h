/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-api-key.h"

G_BEGIN_DECLS

const char *va_scope_to_string (VaScopes scope);

/* the owner recorded for jobs submitted without a key (auth disabled) */
#define VA_CALLER_ANONYMOUS_ID "anonymous"
/* the owner recorded for jobs submitted by the local CLI */
#define VA_CALLER_LOCAL_ID "local"

#define VA_TYPE_CALLER (va_caller_get_type ())
G_DECLARE_FINAL_TYPE (VaCaller, va_caller, VA, CALLER, GObject)

VaCaller *va_caller_new (const char *user_id, VaScopes scopes);
VaCaller *va_caller_new_anonymous (void);
VaCaller *va_caller_new_local (void);

const char *va_caller_get_user_id (VaCaller *self);
VaScopes va_caller_get_scopes (VaCaller *self);
gboolean va_caller_has_scope (VaCaller *self, VaScopes scope);
gboolean va_caller_check_scope (VaCaller *self, VaScopes scope, GError **error);
gboolean va_caller_is_admin (VaCaller *self);
gboolean va_caller_is_anonymous (VaCaller *self);

const char *va_caller_get_username (VaCaller *self);
void va_caller_set_username (VaCaller *self, const char *username);
const char *va_caller_get_email (VaCaller *self);
void va_caller_set_email (VaCaller *self, const char *email);
const char *va_caller_get_key_id (VaCaller *self);
void va_caller_set_key_id (VaCaller *self, const char *key_id);
const char *va_caller_get_key_prefix (VaCaller *self);
void va_caller_set_key_prefix (VaCaller *self, const char *key_prefix);
const char *va_caller_get_request_id (VaCaller *self);
void va_caller_set_request_id (VaCaller *self, const char *request_id);
const char *va_caller_get_client_address (VaCaller *self);
void va_caller_set_client_address (VaCaller *self, const char *address);
const char *va_caller_get_transport (VaCaller *self);
void va_caller_set_transport (VaCaller *self, const char *transport);

G_END_DECLS
