/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * VaScopes:
 * @VA_SCOPE_READ: list and get jobs, results, artifacts
 * @VA_SCOPE_WRITE: submit, cancel, delete jobs
 * @VA_SCOPE_ADMIN: keys, audit, system configuration, other users' jobs
 */
typedef enum {
  VA_SCOPE_NONE = 0,
  VA_SCOPE_READ = 1 << 0,
  VA_SCOPE_WRITE = 1 << 1,
  VA_SCOPE_ADMIN = 1 << 2,
} VaScopes;

#define VA_SCOPE_ALL (VA_SCOPE_READ | VA_SCOPE_WRITE | VA_SCOPE_ADMIN)

#define VA_TYPE_SCOPES (va_scopes_get_type ())
GType va_scopes_get_type (void);
gboolean va_scopes_parse (const char *text, VaScopes *scopes, GError **error);
char *va_scopes_to_string (VaScopes scopes);
GStrv va_scopes_to_strv (VaScopes scopes);

/**
 * VaApiKeyState:
 * @VA_API_KEY_STATE_ACTIVE: valid now
 * @VA_API_KEY_STATE_EXPIRED: past its expiry time
 * @VA_API_KEY_STATE_REVOKED: revoked
 * @VA_API_KEY_STATE_TAMPERED: its record fails the integrity check (edited
 *   outside VideoAnnotator); never accepted
 */
typedef enum {
  VA_API_KEY_STATE_ACTIVE,
  VA_API_KEY_STATE_EXPIRED,
  VA_API_KEY_STATE_REVOKED,
  VA_API_KEY_STATE_TAMPERED,
} VaApiKeyState;

const char *va_api_key_state_to_string (VaApiKeyState state);

/* "va_api_" + 43 base64url characters (32 random bytes, no padding) */
#define VA_API_KEY_PREFIX "va_api_"
#define VA_API_KEY_LENGTH 50
/* "va_api_" + the first 4 characters: safe to show and log */
#define VA_API_KEY_DISPLAY_PREFIX_LENGTH 11

gboolean va_api_key_is_well_formed (const char *key);
char *va_api_key_display_prefix (const char *key);

#define VA_TYPE_API_KEY (va_api_key_get_type ())
G_DECLARE_FINAL_TYPE (VaApiKey, va_api_key, VA, API_KEY, GObject)

const char *va_api_key_get_id (VaApiKey *self);
const char *va_api_key_get_prefix (VaApiKey *self);
const char *va_api_key_get_user_id (VaApiKey *self);
const char *va_api_key_get_username (VaApiKey *self);
const char *va_api_key_get_email (VaApiKey *self);
VaScopes va_api_key_get_scopes (VaApiKey *self);
gboolean va_api_key_has_scope (VaApiKey *self, VaScopes scope);
const char *va_api_key_get_description (VaApiKey *self);
GDateTime *va_api_key_get_created_at (VaApiKey *self);
GDateTime *va_api_key_get_expires_at (VaApiKey *self);
gboolean va_api_key_get_revoked (VaApiKey *self);
GDateTime *va_api_key_get_revoked_at (VaApiKey *self);
VaApiKeyState va_api_key_get_state (VaApiKey *self, GDateTime *now);
GDateTime *va_api_key_get_last_used_at (VaApiKey *self);
guint64 va_api_key_get_request_count (VaApiKey *self);
void va_api_key_set_usage (VaApiKey *self, GDateTime *last_used_at, guint64 request_count);

G_END_DECLS
