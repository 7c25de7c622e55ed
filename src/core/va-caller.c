/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-caller.h"
#include "va-error.h"

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
};

G_DEFINE_FINAL_TYPE (VaCaller, va_caller, G_TYPE_OBJECT)

static const GFlagsValue va_scopes_values[] = {
  { VA_SCOPE_READ, "VA_SCOPE_READ", "read" },
  { VA_SCOPE_WRITE, "VA_SCOPE_WRITE", "write" },
  { VA_SCOPE_ADMIN, "VA_SCOPE_ADMIN", "admin" },
  { 0, NULL, NULL },
};

GType
va_scopes_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_flags_register_static ("VaScopes", va_scopes_values);
    g_once_init_leave (&type, t);
  }
  return (GType)type;
}

/**
 * va_scope_to_string:
 * @scope: one scope bit
 *
 * Returns: "read", "write", "admin", or %NULL for anything else
 */
const char *
va_scope_to_string (VaScopes scope)
{
  for (guint i = 0; va_scopes_values[i].value_nick != NULL; i++) {
    if ((VaScopes)va_scopes_values[i].value == scope)
      return va_scopes_values[i].value_nick;
  }
  return NULL;
}

/**
 * va_scopes_from_strv:
 * @names: scope names ("read", "write", "admin"), surrounding spaces ignored
 * @scopes: (out) (optional): the parsed scopes
 * @error: return location for a %VA_ERROR_INVALID_ARGUMENT
 */
gboolean
va_scopes_from_strv (const char *const *names, VaScopes *scopes, GError **error)
{
  VaScopes result = VA_SCOPE_NONE;

  for (guint i = 0; names != NULL && names[i] != NULL; i++) {
    g_autofree char *name = g_strstrip (g_strdup (names[i]));
    gboolean known = FALSE;

    if (*name == '\0')
      continue;
    for (guint j = 0; va_scopes_values[j].value_nick != NULL; j++) {
      if (g_str_equal (name, va_scopes_values[j].value_nick)) {
        result |= va_scopes_values[j].value;
        known = TRUE;
      }
    }
    if (!known) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "Unknown scope “%s” (known scopes: read, write, admin)", name);
      return FALSE;
    }
  }
  if (scopes != NULL)
    *scopes = result;
  return TRUE;
}

/**
 * va_scopes_from_string:
 * @text: comma-separated scope names, e.g. "read,write"
 */
gboolean
va_scopes_from_string (const char *text, VaScopes *scopes, GError **error)
{
  g_auto (GStrv) names = g_strsplit (text != NULL ? text : "", ",", -1);
  return va_scopes_from_strv ((const char *const *)names, scopes, error);
}

/**
 * va_scopes_to_strv:
 *
 * Returns: (transfer full): the names of the set bits, in the order read,
 *   write, admin
 */
GStrv
va_scopes_to_strv (VaScopes scopes)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; va_scopes_values[i].value_nick != NULL; i++) {
    if (scopes & va_scopes_values[i].value)
      g_strv_builder_add (builder, va_scopes_values[i].value_nick);
  }
  return g_strv_builder_end (builder);
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
