/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-caller.h"
#include "va-error.h"
#include "va-serializable.h"

/**
 * VaCaller:
 *
 * Who is asking: the identity a transport established (API key owner,
 * anonymous when authentication is off, or the local CLI) plus request
 * context for the audit trail. Every engine call takes one; the engine,
 * not the transport, decides what the caller may do with it.
 */
struct _VaCaller {
  GObject parent_instance;

  char *user_id;
  VaScopes scopes;
  gboolean anonymous;
  char *username;
  char *email;
  char *key_id;
  char *key_prefix;
  char *request_id;
  char *client_address;
  char *transport; /* "http", "dbus", "cli": where the caller came from */
};

static void va_caller_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaCaller, va_caller, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_caller_serializable_init))

/**
 * va_scope_to_string:
 * @scope: one scope bit
 *
 * Returns: "read", "write", "admin", or %NULL for anything else
 */
const char *
va_scope_to_string (VaScopes scope)
{
  switch (scope) {
  case VA_SCOPE_READ:
    return "read";
  case VA_SCOPE_WRITE:
    return "write";
  case VA_SCOPE_ADMIN:
    return "admin";
  default:
    return NULL;
  }
}

/* The identity a client may see about itself (GET /api/v1/auth/me): who,
 * with which scopes, through which key; `id` is the 1.5 field name for the
 * user id. Request context (request id, address) is not part of it. */
static void
va_caller_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaCaller *self = VA_CALLER (serializable);
  g_auto (GStrv) scopes = va_scopes_to_strv (self->scopes);

  va_codec_add_string (codec, "id", self->user_id);
  va_codec_add_string (codec, "user_id", self->user_id);
  va_codec_add_string (codec, "username", self->username);
  va_codec_add_string (codec, "email", self->email);
  va_codec_add_strv (codec, "scopes", (const char *const *)scopes);
  va_codec_add_boolean (codec, "is_admin", va_caller_is_admin (self));
  va_codec_add_boolean (codec, "anonymous", self->anonymous);
  va_codec_add_string (codec, "key_id", self->key_id);
  va_codec_add_string (codec, "key_prefix", self->key_prefix);
}

static void
va_caller_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_caller_serialize;
}

static void
va_caller_finalize (GObject *object)
{
  VaCaller *self = VA_CALLER (object);

  g_free (self->user_id);
  g_free (self->username);
  g_free (self->email);
  g_free (self->key_id);
  g_free (self->key_prefix);
  g_free (self->request_id);
  g_free (self->client_address);
  g_free (self->transport);

  G_OBJECT_CLASS (va_caller_parent_class)->finalize (object);
}

static void
va_caller_class_init (VaCallerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_caller_finalize;
}

static void
va_caller_init (VaCaller *self)
{
}

/**
 * va_caller_new:
 * @user_id: the owner of the API key
 * @scopes: the key's scopes
 *
 * Returns: (transfer full): a caller
 */
VaCaller *
va_caller_new (const char *user_id, VaScopes scopes)
{
  VaCaller *self;

  g_return_val_if_fail (user_id != NULL && *user_id != '\0', NULL);

  self = g_object_new (VA_TYPE_CALLER, NULL);
  self->user_id = g_strdup (user_id);
  self->scopes = scopes & VA_SCOPE_ALL;
  return self;
}

/**
 * va_caller_new_anonymous:
 *
 * A request without a key while authentication is disabled: read and
 * write on the jobs of the shared anonymous owner, never admin.
 *
 * Returns: (transfer full): a caller
 */
VaCaller *
va_caller_new_anonymous (void)
{
  VaCaller *self = va_caller_new (VA_CALLER_ANONYMOUS_ID, VA_SCOPE_READ | VA_SCOPE_WRITE);
  self->anonymous = TRUE;
  return self;
}

/**
 * va_caller_new_local:
 *
 * The local command line working on the data directory directly: whoever
 * can read the data directory already holds every job, so it is admin.
 *
 * Returns: (transfer full): a caller
 */
VaCaller *
va_caller_new_local (void)
{
  VaCaller *self = va_caller_new (VA_CALLER_LOCAL_ID, VA_SCOPE_ALL);
  self->username = g_strdup (g_get_user_name ());
  return self;
}

const char *
va_caller_get_user_id (VaCaller *self)
{
  g_return_val_if_fail (VA_IS_CALLER (self), NULL);
  return self->user_id;
}

VaScopes
va_caller_get_scopes (VaCaller *self)
{
  g_return_val_if_fail (VA_IS_CALLER (self), VA_SCOPE_NONE);
  return self->scopes;
}

/**
 * va_caller_has_scope:
 * @scope: one scope
 *
 * Admin implies read and write.
 */
gboolean
va_caller_has_scope (VaCaller *self, VaScopes scope)
{
  g_return_val_if_fail (VA_IS_CALLER (self), FALSE);
  if (self->scopes & VA_SCOPE_ADMIN)
    return TRUE;
  return (self->scopes & scope) == scope;
}

/**
 * va_caller_check_scope:
 *
 * Returns: %FALSE with %VA_ERROR_FORBIDDEN naming the missing scope
 */
gboolean
va_caller_check_scope (VaCaller *self, VaScopes scope, GError **error)
{
  g_return_val_if_fail (VA_IS_CALLER (self), FALSE);
  if (va_caller_has_scope (self, scope))
    return TRUE;
  g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN,
               "This API key lacks the “%s” scope needed for this operation",
               va_scope_to_string (scope) != NULL ? va_scope_to_string (scope) : "required");
  return FALSE;
}

gboolean
va_caller_is_admin (VaCaller *self)
{
  g_return_val_if_fail (VA_IS_CALLER (self), FALSE);
  return (self->scopes & VA_SCOPE_ADMIN) != 0;
}

gboolean
va_caller_is_anonymous (VaCaller *self)
{
  g_return_val_if_fail (VA_IS_CALLER (self), FALSE);
  return self->anonymous;
}

#define VA_CALLER_STRING_ACCESSORS(field)                                                          \
  const char *va_caller_get_##field (VaCaller *self)                                               \
  {                                                                                                \
    g_return_val_if_fail (VA_IS_CALLER (self), NULL);                                              \
    return self->field;                                                                            \
  }                                                                                                \
  void va_caller_set_##field (VaCaller *self, const char *value)                                   \
  {                                                                                                \
    g_return_if_fail (VA_IS_CALLER (self));                                                        \
    g_free (self->field);                                                                          \
    self->field = g_strdup (value);                                                                \
  }

VA_CALLER_STRING_ACCESSORS (username)
VA_CALLER_STRING_ACCESSORS (email)
VA_CALLER_STRING_ACCESSORS (key_id)
VA_CALLER_STRING_ACCESSORS (key_prefix)
VA_CALLER_STRING_ACCESSORS (request_id)
VA_CALLER_STRING_ACCESSORS (transport)

const char *
va_caller_get_client_address (VaCaller *self)
{
  g_return_val_if_fail (VA_IS_CALLER (self), NULL);
  return self->client_address;
}

void
va_caller_set_client_address (VaCaller *self, const char *address)
{
  g_return_if_fail (VA_IS_CALLER (self));
  g_free (self->client_address);
  self->client_address = g_strdup (address);
}
