/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "va-api-key-private.h"
#include "va-codec.h"
#include "va-error.h"
#include "va-serializable.h"

/**
 * VaApiKey:
 *
 * The metadata of one API key: never the key itself, only its
 * HMAC-SHA256 digest, which is not serialized either. `last_used_at` and
 * `request_count` come from the database (VaStore) and are filled in by
 * whoever lists keys.
 */
struct _VaApiKey {
  GObject parent_instance;

  char *id;
  char *prefix;
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  char *user_id;
  char *username;
  char *email;
  VaScopes scopes;
  char *description;
  GDateTime *created_at;
  GDateTime *expires_at; /* NULL: never */
  gboolean revoked;
  GDateTime *revoked_at;
  gboolean tampered;
  GDateTime *last_used_at;
  guint64 request_count;
};

static void va_api_key_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaApiKey, va_api_key, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_api_key_serializable_init))

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
 * va_scopes_parse:
 * @text: comma-separated scope names, e.g. "read,write"
 * @scopes: (out): the parsed set
 * @error: return location for a %VA_ERROR
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT for an empty list or an
 *   unknown name
 */
gboolean
va_scopes_parse (const char *text, VaScopes *scopes, GError **error)
{
  g_auto (GStrv) parts = NULL;
  VaScopes result = VA_SCOPE_NONE;

  if (text != NULL)
    parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++) {
    const char *name = g_strstrip (parts[i]);
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
                   "Unknown scope “%s” (expected read, write or admin)", name);
      return FALSE;
    }
  }
  if (result == VA_SCOPE_NONE) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("At least one scope is needed (read, write or admin)"));
    return FALSE;
  }
  *scopes = result;
  return TRUE;
}

/**
 * va_scopes_to_strv:
 *
 * Returns: (transfer full): the scope names, in the order read, write, admin
 */
GStrv
va_scopes_to_strv (VaScopes scopes)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint j = 0; va_scopes_values[j].value_nick != NULL; j++) {
    if (scopes & va_scopes_values[j].value)
      g_strv_builder_add (builder, va_scopes_values[j].value_nick);
  }
  return g_strv_builder_end (builder);
}

char *
va_scopes_to_string (VaScopes scopes)
{
  g_auto (GStrv) names = va_scopes_to_strv (scopes);
  return g_strjoinv (",", names);
}

const char *
va_api_key_state_to_string (VaApiKeyState state)
{
  switch (state) {
  case VA_API_KEY_STATE_ACTIVE:
    return "active";
  case VA_API_KEY_STATE_EXPIRED:
    return "expired";
  case VA_API_KEY_STATE_REVOKED:
    return "revoked";
  case VA_API_KEY_STATE_TAMPERED:
    return "tampered";
  default:
    return "unknown";
  }
}

/**
 * va_api_key_is_well_formed:
 * @key: (nullable): a candidate key
 *
 * Returns: whether @key is "va_api_" followed by exactly 43 base64url
 *   characters
 */
gboolean
va_api_key_is_well_formed (const char *key)
{
  if (key == NULL || strlen (key) != VA_API_KEY_LENGTH
      || !g_str_has_prefix (key, VA_API_KEY_PREFIX))
    return FALSE;
  for (const char *p = key + strlen (VA_API_KEY_PREFIX); *p != '\0'; p++) {
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  }
  return TRUE;
}

/**
 * va_api_key_display_prefix:
 * @key: a key (or anything starting like one)
 *
 * Returns: (transfer full): "va_api_" plus the next four characters —
 *   the only part of a key that may be shown or logged
 */
char *
va_api_key_display_prefix (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return g_strndup (key, VA_API_KEY_DISPLAY_PREFIX_LENGTH);
}

static void
va_api_key_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaApiKey *self = VA_API_KEY (serializable);
  g_auto (GStrv) scopes = va_scopes_to_strv (self->scopes);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  va_codec_add_string (codec, "id", self->id);
  va_codec_add_string (codec, "prefix", self->prefix);
  va_codec_add_string (codec, "user_id", self->user_id);
  va_codec_add_string (codec, "username", self->username);
  va_codec_add_string (codec, "email", self->email);
  va_codec_add_strv (codec, "scopes", (const char *const *)scopes);
  va_codec_add_string (codec, "description", self->description);
  va_codec_add_datetime (codec, "created_at", self->created_at);
  va_codec_add_datetime (codec, "expires_at", self->expires_at);
  va_codec_add_boolean (codec, "revoked", self->revoked);
  va_codec_add_datetime (codec, "revoked_at", self->revoked_at);
  va_codec_add_datetime (codec, "last_used_at", self->last_used_at);
  va_codec_add_int (codec, "request_count", (gint64)self->request_count);
  va_codec_add_string (codec, "state",
                       va_api_key_state_to_string (va_api_key_get_state (self, now)));
}

static void
va_api_key_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_api_key_serialize;
}

static void
va_api_key_finalize (GObject *object)
{
  VaApiKey *self = VA_API_KEY (object);

  g_free (self->id);
  g_free (self->prefix);
  g_free (self->user_id);
  g_free (self->username);
  g_free (self->email);
  g_free (self->description);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->expires_at, g_date_time_unref);
  g_clear_pointer (&self->revoked_at, g_date_time_unref);
  g_clear_pointer (&self->last_used_at, g_date_time_unref);

  G_OBJECT_CLASS (va_api_key_parent_class)->finalize (object);
}

static void
va_api_key_class_init (VaApiKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_api_key_finalize;
}

static void
va_api_key_init (VaApiKey *self)
{
}

VaApiKey *
va_api_key_new (const char *id, const char *prefix, const guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN],
                const char *user_id, const char *username, const char *email, VaScopes scopes,
                const char *description, GDateTime *created_at, GDateTime *expires_at)
{
  VaApiKey *self = g_object_new (VA_TYPE_API_KEY, NULL);

  self->id = g_strdup (id);
  self->prefix = g_strdup (prefix);
  memcpy (self->digest, digest, VA_CRYPTO_HMAC_SHA256_LEN);
  self->user_id = g_strdup (user_id);
  self->username = g_strdup (username);
  self->email = g_strdup (email);
  self->scopes = scopes;
  self->description = g_strdup (description);
  self->created_at = g_date_time_ref (created_at);
  self->expires_at = expires_at != NULL ? g_date_time_ref (expires_at) : NULL;
  return self;
}

/* a detached copy, so callers may set usage without touching the store's */
VaApiKey *
va_api_key_copy (VaApiKey *self)
{
  VaApiKey *copy = va_api_key_new (self->id, self->prefix, self->digest, self->user_id,
                                   self->username, self->email, self->scopes, self->description,
                                   self->created_at, self->expires_at);

  copy->revoked = self->revoked;
  copy->revoked_at = self->revoked_at != NULL ? g_date_time_ref (self->revoked_at) : NULL;
  copy->tampered = self->tampered;
  va_api_key_set_usage (copy, self->last_used_at, self->request_count);
  return copy;
}

const guint8 *
va_api_key_get_digest (VaApiKey *self)
{
  return self->digest;
}

void
va_api_key_revoke (VaApiKey *self, GDateTime *when)
{
  if (self->revoked)
    return;
  self->revoked = TRUE;
  self->revoked_at = g_date_time_ref (when);
}

void
va_api_key_set_tampered (VaApiKey *self, gboolean tampered)
{
  self->tampered = tampered;
}

gboolean
va_api_key_get_tampered (VaApiKey *self)
{
  return self->tampered;
}

static void
va_api_key_canonical_add (GString *out, const char *value)
{
  /* length-prefixed, so no choice of field contents can make two
   * different records serialize the same */
  if (value == NULL) {
    g_string_append (out, "-\n");
    return;
  }
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ":", strlen (value));
  g_string_append (out, value);
  g_string_append_c (out, '\n');
}

static void
va_api_key_canonical_add_time (GString *out, GDateTime *when)
{
  g_autofree char *text = NULL;

  if (when != NULL)
    text = g_strdup_printf ("%" G_GINT64_FORMAT ".%06d", g_date_time_to_unix (when),
                            g_date_time_get_microsecond (when));
  va_api_key_canonical_add (out, text);
}

/**
 * va_api_key_canonical_record:
 *
 * The bytes the record MAC covers: every stored field, including the
 * digest and the revocation, so editing tokens.json by hand (raising
 * scopes, extending expiry, un-revoking) makes the record invalid.
 *
 * Returns: (transfer full): canonical bytes
 */
GBytes *
va_api_key_canonical_record (VaApiKey *self)
{
  GString *out = g_string_new ("videoannotator-key-record-v1\n");
  g_autofree char *digest = va_crypto_hex_encode (self->digest, VA_CRYPTO_HMAC_SHA256_LEN);
  g_autofree char *scopes = va_scopes_to_string (self->scopes);

  va_api_key_canonical_add (out, self->id);
  va_api_key_canonical_add (out, self->prefix);
  va_api_key_canonical_add (out, digest);
  va_api_key_canonical_add (out, self->user_id);
  va_api_key_canonical_add (out, self->username);
  va_api_key_canonical_add (out, self->email);
  va_api_key_canonical_add (out, scopes);
  va_api_key_canonical_add (out, self->description);
  va_api_key_canonical_add_time (out, self->created_at);
  va_api_key_canonical_add_time (out, self->expires_at);
  va_api_key_canonical_add (out, self->revoked ? "revoked" : "active");
  va_api_key_canonical_add_time (out, self->revoked_at);
  return g_string_free_to_bytes (out);
}

static void
va_api_key_add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * va_api_key_to_record:
 * @mac: HMAC of va_api_key_canonical_record() under the pepper
 *
 * Returns: (transfer full): the JSON object stored in tokens.json
 */
JsonNode *
va_api_key_to_record (VaApiKey *self, const guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN])
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *digest = va_crypto_hex_encode (self->digest, VA_CRYPTO_HMAC_SHA256_LEN);
  g_autofree char *mac_hex = va_crypto_hex_encode (mac, VA_CRYPTO_HMAC_SHA256_LEN);
  g_autofree char *created = va_codec_format_datetime (self->created_at);
  g_autofree char *expires = va_codec_format_datetime (self->expires_at);
  g_autofree char *revoked_at = va_codec_format_datetime (self->revoked_at);
  g_auto (GStrv) scopes = va_scopes_to_strv (self->scopes);

  json_builder_begin_object (builder);
  va_api_key_add_string (builder, "id", self->id);
  va_api_key_add_string (builder, "prefix", self->prefix);
  va_api_key_add_string (builder, "digest", digest);
  va_api_key_add_string (builder, "user_id", self->user_id);
  va_api_key_add_string (builder, "username", self->username);
  va_api_key_add_string (builder, "email", self->email);
  json_builder_set_member_name (builder, "scopes");
  json_builder_begin_array (builder);
  for (guint i = 0; scopes[i] != NULL; i++)
    json_builder_add_string_value (builder, scopes[i]);
  json_builder_end_array (builder);
  va_api_key_add_string (builder, "description", self->description);
  va_api_key_add_string (builder, "created_at", created);
  va_api_key_add_string (builder, "expires_at", expires);
  json_builder_set_member_name (builder, "revoked");
  json_builder_add_boolean_value (builder, self->revoked);
  va_api_key_add_string (builder, "revoked_at", revoked_at);
  va_api_key_add_string (builder, "mac", mac_hex);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const char *
va_api_key_record_string (JsonObject *object, const char *member, gboolean nullable, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node) && nullable)
    return NULL;
  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "field “%s” is missing or not a string",
                 member);
    return NULL;
  }
  return json_node_get_string (node);
}

static gboolean
va_api_key_record_time (JsonObject *object, const char *member, gboolean nullable, GDateTime **out,
                        GError **error)
{
  g_autoptr (GError) local_error = NULL;
  const char *text = va_api_key_record_string (object, member, nullable, &local_error);

  *out = NULL;
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (text == NULL)
    return TRUE;
  *out = va_codec_parse_datetime (text);
  if (*out == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "field “%s” is not an ISO 8601 time", member);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_api_key_from_record:
 * @record: one element of tokens.json "keys"
 * @mac: (out caller-allocates): the record's stored MAC
 * @error: return location for a %VA_ERROR
 *
 * Parses the structure only; the caller checks @mac.
 *
 * Returns: (transfer full) (nullable): the key
 */
VaApiKey *
va_api_key_from_record (JsonNode *record, guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN], GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDateTime) created = NULL;
  g_autoptr (GDateTime) expires = NULL;
  g_autoptr (GDateTime) revoked_at = NULL;
  g_autoptr (VaApiKey) key = NULL;
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  const char *id, *prefix, *digest_hex, *mac_hex, *user_id, *username, *email, *description;
  JsonObject *object;
  JsonArray *scopes_array;
  JsonNode *scopes_node;
  JsonNode *revoked;
  VaScopes scopes = VA_SCOPE_NONE;

  if (!JSON_NODE_HOLDS_OBJECT (record)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("a key record is not an object"));
    return NULL;
  }
  object = json_node_get_object (record);
  id = va_api_key_record_string (object, "id", FALSE, &local_error);
  prefix = va_api_key_record_string (object, "prefix", FALSE, local_error ? NULL : &local_error);
  digest_hex
      = va_api_key_record_string (object, "digest", FALSE, local_error ? NULL : &local_error);
  mac_hex = va_api_key_record_string (object, "mac", FALSE, local_error ? NULL : &local_error);
  user_id = va_api_key_record_string (object, "user_id", FALSE, local_error ? NULL : &local_error);
  username
      = va_api_key_record_string (object, "username", FALSE, local_error ? NULL : &local_error);
  email = va_api_key_record_string (object, "email", TRUE, local_error ? NULL : &local_error);
  description
      = va_api_key_record_string (object, "description", TRUE, local_error ? NULL : &local_error);
  if (local_error == NULL)
    va_api_key_record_time (object, "created_at", FALSE, &created, &local_error);
  if (local_error == NULL)
    va_api_key_record_time (object, "expires_at", TRUE, &expires, &local_error);
  if (local_error == NULL)
    va_api_key_record_time (object, "revoked_at", TRUE, &revoked_at, &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (!va_crypto_hex_decode (digest_hex, digest, sizeof digest)
      || !va_crypto_hex_decode (mac_hex, mac, VA_CRYPTO_HMAC_SHA256_LEN)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "key %s: “digest” and “mac” must be 64 hex digits", id);
    return NULL;
  }
  scopes_node = json_object_get_member (object, "scopes");
  if (scopes_node == NULL || !JSON_NODE_HOLDS_ARRAY (scopes_node)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "key %s: “scopes” must be an array", id);
    return NULL;
  }
  scopes_array = json_node_get_array (scopes_node);
  for (guint i = 0; i < json_array_get_length (scopes_array); i++) {
    JsonNode *element = json_array_get_element (scopes_array, i);
    VaScopes one;
    if (JSON_NODE_TYPE (element) != JSON_NODE_VALUE
        || json_node_get_value_type (element) != G_TYPE_STRING
        || !va_scopes_parse (json_node_get_string (element), &one, NULL)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "key %s has an unknown scope", id);
      return NULL;
    }
    scopes |= one;
  }
  revoked = json_object_get_member (object, "revoked");
  if (revoked == NULL || JSON_NODE_TYPE (revoked) != JSON_NODE_VALUE
      || json_node_get_value_type (revoked) != G_TYPE_BOOLEAN) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "key %s: “revoked” must be true or false", id);
    return NULL;
  }

  key = va_api_key_new (id, prefix, digest, user_id, username, email, scopes, description, created,
                        expires);
  key->revoked = json_node_get_boolean (revoked);
  key->revoked_at = g_steal_pointer (&revoked_at);
  return g_steal_pointer (&key);
}

#define VA_API_KEY_STRING_GETTER(field)                                                            \
  const char *va_api_key_get_##field (VaApiKey *self)                                              \
  {                                                                                                \
    g_return_val_if_fail (VA_IS_API_KEY (self), NULL);                                             \
    return self->field;                                                                            \
  }

VA_API_KEY_STRING_GETTER (id)
VA_API_KEY_STRING_GETTER (prefix)
VA_API_KEY_STRING_GETTER (user_id)
VA_API_KEY_STRING_GETTER (username)
VA_API_KEY_STRING_GETTER (email)
VA_API_KEY_STRING_GETTER (description)

VaScopes
va_api_key_get_scopes (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), VA_SCOPE_NONE);
  return self->scopes;
}

/* TRUE when the key holds every scope in @scope */
gboolean
va_api_key_has_scope (VaApiKey *self, VaScopes scope)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), FALSE);
  return (self->scopes & scope) == scope;
}

GDateTime *
va_api_key_get_created_at (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), NULL);
  return self->created_at;
}

/**
 * va_api_key_get_expires_at:
 *
 * Returns: (transfer none) (nullable): expiry, or %NULL for a key created
 *   with --no-expiry
 */
GDateTime *
va_api_key_get_expires_at (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), NULL);
  return self->expires_at;
}

gboolean
va_api_key_get_revoked (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), FALSE);
  return self->revoked;
}

GDateTime *
va_api_key_get_revoked_at (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), NULL);
  return self->revoked_at;
}

/**
 * va_api_key_get_state:
 * @now: the time to judge expiry at
 *
 * A tampered record wins over everything, then revocation, then expiry.
 */
VaApiKeyState
va_api_key_get_state (VaApiKey *self, GDateTime *now)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), VA_API_KEY_STATE_TAMPERED);

  if (self->tampered)
    return VA_API_KEY_STATE_TAMPERED;
  if (self->revoked)
    return VA_API_KEY_STATE_REVOKED;
  if (self->expires_at != NULL && g_date_time_compare (now, self->expires_at) >= 0)
    return VA_API_KEY_STATE_EXPIRED;
  return VA_API_KEY_STATE_ACTIVE;
}

GDateTime *
va_api_key_get_last_used_at (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), NULL);
  return self->last_used_at;
}

guint64
va_api_key_get_request_count (VaApiKey *self)
{
  g_return_val_if_fail (VA_IS_API_KEY (self), 0);
  return self->request_count;
}

void
va_api_key_set_usage (VaApiKey *self, GDateTime *last_used_at, guint64 request_count)
{
  g_return_if_fail (VA_IS_API_KEY (self));
  g_clear_pointer (&self->last_used_at, g_date_time_unref);
  if (last_used_at != NULL)
    self->last_used_at = g_date_time_ref (last_used_at);
  self->request_count = request_count;
}
