/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-api-key-private.h"
#include "va-codec.h"
#include "va-crypto.h"
#include "va-error.h"
#include "va-json.h"
#include "va-secrets-factory.h"
#include "va-secrets-file.h"
#include "va-secure-file.h"
#include "va-token-store-private.h"

/**
 * VaTokenStore:
 *
 * The API keys of the service, in `<token dir>/tokens.json`: for each key
 * its HMAC-SHA256 digest under the pepper (VaSecrets) plus metadata, and
 * a MAC over the whole record so hand edits invalidate it. Raw keys are
 * never stored.
 *
 * Changes made by another process (the `token` command while a server
 * runs) are seen at once: every validation compares the files' stat()
 * (inode, size, mtime, ctime, mode) with the last load and reloads when
 * they differ; a GFileMonitor additionally reloads and emits #changed
 * without waiting for a request. Reading never writes, so a read-only
 * token directory (e.g. a mounted secret) works. When a reload fails (for
 * example tokens.json became world-readable) the store fails closed: no
 * key validates until the problem is fixed.
 */

#define VA_TOKEN_STORE_FORMAT 1
#define VA_TOKEN_STORE_LOCK_NAME ".tokens.lock"
#define VA_TOKEN_STORE_MAX_FILE_SIZE (16 * 1024 * 1024)

typedef struct {
  gboolean exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  mode_t mode;
  gint64 mtime_ns;
  gint64 ctime_ns;
} VaFileStamp;

struct _VaTokenStore {
  GObject parent_instance;

  char *token_dir;
  char *tokens_path;
  char *key_path;
  char *secret_backend; /* the setting: auto, libsecret, file */
  guint default_expiry_days;
  guint max_expiry_days;
  GDateTime *now; /* tests */

  GMutex lock;
  VaSecrets *secrets;
  GBytes *pepper;        /* NULL while there are no keys */
  GPtrArray *keys;       /* VaApiKey, in file order */
  GHashTable *by_digest; /* digest bytes (owned by the key) → VaApiKey */
  GError *load_error;    /* set: fail closed */
  VaFileStamp stamps[3]; /* tokens.json, encryption.key, the directory */

  GMainContext *context;
  GFileMonitor *monitor;
};

static void va_token_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaTokenStore, va_token_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      va_token_store_initable_init))

enum { PROP_0, PROP_TOKEN_DIR, PROP_SECRET_BACKEND, N_PROPS };

static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, N_SIGNALS };

static guint signals[N_SIGNALS];

/* ---- helpers ---------------------------------------------------------- */

static guint
va_token_store_digest_hash (gconstpointer digest)
{
  /* the digest is uniformly random: any four bytes make a fine hash */
  guint32 h;
  memcpy (&h, digest, sizeof h);
  return h;
}

static gboolean
va_token_store_digest_equal (gconstpointer a, gconstpointer b)
{
  return va_crypto_equal (a, b, VA_CRYPTO_HMAC_SHA256_LEN);
}

static GDateTime *
va_token_store_now (VaTokenStore *self)
{
  return self->now != NULL ? g_date_time_ref (self->now) : g_date_time_new_now_utc ();
}

static void
va_token_store_stamp (const char *path, VaFileStamp *stamp)
{
  GStatBuf st;

  memset (stamp, 0, sizeof (*stamp));
  if (g_stat (path, &st) != 0)
    return;
  stamp->exists = TRUE;
  stamp->dev = st.st_dev;
  stamp->ino = st.st_ino;
  stamp->size = st.st_size;
  stamp->mode = st.st_mode;
  stamp->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
  stamp->ctime_ns = (gint64)st.st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_ctim.tv_nsec;
}

static void
va_token_store_take_stamps (VaTokenStore *self, VaFileStamp stamps[3])
{
  va_token_store_stamp (self->tokens_path, &stamps[0]);
  va_token_store_stamp (self->key_path, &stamps[1]);
  va_token_store_stamp (self->token_dir, &stamps[2]);
}

static void
va_token_store_compute_mac (GBytes *pepper, VaApiKey *key, guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN])
{
  g_autoptr (GBytes) record = va_api_key_canonical_record (key);
  gsize length;
  const guint8 *data = g_bytes_get_data (record, &length);

  va_crypto_hmac_sha256 (pepper, data, length, mac);
}

static void
va_token_store_digest (GBytes *pepper, const char *key, guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN])
{
  va_crypto_hmac_sha256 (pepper, key, strlen (key), digest);
}

/* ---- reading ---------------------------------------------------------- */

/* a member that is a plain value of @type, else NULL (never a critical) */
static JsonNode *
va_token_store_member (JsonObject *object, const char *name, GType type)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

/* Parses the contents of tokens.json; @name is the file as shown in
 * error messages. Separate from the file checks below so the parser can
 * be exercised on its own (fuzzing/fuzz_tokens_json.c). */
gboolean
va_token_store_parse (const char *name, const char *contents, gsize length, GPtrArray **keys,
                      GPtrArray **macs, char **recorded_backend, GError **error)
{
  g_autoptr (GPtrArray) result = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) result_macs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *keys_node;
  JsonArray *array;
  JsonNode *format, *digest, *backend;

  *recorded_backend = NULL;
  if (length > VA_TOKEN_STORE_MAX_FILE_SIZE) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is too large to be a key store", name);
    return FALSE;
  }
  root = va_json_parse (contents, (gssize)length, VA_TOKEN_STORE_MAX_FILE_SIZE, &local_error);
  if (root == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is corrupt: %s", name,
                 local_error->message);
    return FALSE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is corrupt: not a JSON object", name);
    return FALSE;
  }
  object = json_node_get_object (root);
  format = va_token_store_member (object, "format", G_TYPE_INT64);
  if (format == NULL || json_node_get_int (format) != VA_TOKEN_STORE_FORMAT) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "%s has an unsupported format (expected \"format\": %d)", name,
                 VA_TOKEN_STORE_FORMAT);
    return FALSE;
  }
  digest = va_token_store_member (object, "digest", G_TYPE_STRING);
  if (json_object_has_member (object, "digest")
      && (digest == NULL || !g_str_equal (json_node_get_string (digest), "hmac-sha256"))) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "%s uses the digest “%s”; only hmac-sha256 is supported", name,
                 digest != NULL ? json_node_get_string (digest) : "?");
    return FALSE;
  }
  backend = va_token_store_member (object, "secret_backend", G_TYPE_STRING);
  keys_node = json_object_get_member (object, "keys");
  if (keys_node == NULL || !JSON_NODE_HOLDS_ARRAY (keys_node)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is corrupt: no \"keys\" array", name);
    return FALSE;
  }
  array = json_node_get_array (keys_node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    guint8 *mac = g_malloc (VA_CRYPTO_HMAC_SHA256_LEN);
    VaApiKey *key = va_api_key_from_record (json_array_get_element (array, i), mac, &local_error);

    if (key == NULL) {
      g_free (mac);
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is corrupt: %s", name,
                   local_error->message);
      return FALSE;
    }
    g_ptr_array_add (result, key);
    g_ptr_array_add (result_macs, mac);
  }
  *recorded_backend = backend != NULL ? g_strdup (json_node_get_string (backend)) : NULL;
  *keys = g_steal_pointer (&result);
  *macs = g_steal_pointer (&result_macs);
  return TRUE;
}

/* Reads tokens.json. @keys gets an empty array when the file does not
 * exist. Checks the modes of the directory and the file first. */
static gboolean
va_token_store_read_file (VaTokenStore *self, GPtrArray **keys, GPtrArray **macs,
                          char **recorded_backend, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  *recorded_backend = NULL;
  if (g_file_test (self->token_dir, G_FILE_TEST_EXISTS)
      && !va_secure_file_check_private (self->token_dir, TRUE, error))
    return FALSE;
  if (!g_file_test (self->tokens_path, G_FILE_TEST_EXISTS)) {
    *keys = g_ptr_array_new_with_free_func (g_object_unref);
    *macs = g_ptr_array_new_with_free_func (g_free);
    return TRUE;
  }
  if (!va_secure_file_check_private (self->tokens_path, FALSE, error))
    return FALSE;
  if (!g_file_get_contents (self->tokens_path, &contents, &length, &local_error)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s", local_error->message);
    return FALSE;
  }
  return va_token_store_parse (self->tokens_path, contents, length, keys, macs, recorded_backend,
                               error);
}

/* The back end: the setting, except that "auto" follows what tokens.json
 * recorded, so an installation never silently changes back end. */
static VaSecrets *
va_token_store_get_secrets (VaTokenStore *self, const char *recorded, GError **error)
{
  const char *backend = self->secret_backend;

  if (self->secrets != NULL)
    return self->secrets;
  if ((backend == NULL || g_str_equal (backend, "auto")) && recorded != NULL)
    backend = recorded;
  self->secrets = va_secrets_new_for_backend (backend, self->token_dir, error);
  return self->secrets;
}

static GBytes *
va_token_store_load_pepper (VaTokenStore *self, const char *recorded, guint n_keys, gboolean create,
                            GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) pepper = NULL;
  VaSecrets *secrets = va_token_store_get_secrets (self, recorded, error);

  if (secrets == NULL)
    return NULL;
  /* a new pepper would silently invalidate every existing key */
  if (create && n_keys == 0)
    pepper = va_secrets_ensure_pepper (secrets, NULL, &local_error);
  else
    pepper = va_secrets_load_pepper (secrets, &local_error);
  if (pepper != NULL)
    return g_steal_pointer (&pepper);

  if (g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_set_error (
        error, VA_ERROR, VA_ERROR_INTERNAL,
        "%s lists %u API key(s) but their secret (pepper) is missing from the %s back end%s%s: "
        "restore it from a backup, or move tokens.json away and create new keys",
        self->tokens_path, n_keys, va_secrets_get_name (secrets),
        recorded != NULL && g_strcmp0 (recorded, va_secrets_get_name (secrets)) != 0
            ? "; the keys were created with the back end "
            : "",
        recorded != NULL && g_strcmp0 (recorded, va_secrets_get_name (secrets)) != 0 ? recorded
                                                                                     : "");
    return NULL;
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/* Marks records whose MAC does not match as tampered. */
static void
va_token_store_verify (GPtrArray *keys, GPtrArray *macs, GBytes *pepper, const char *path)
{
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    guint8 expected[VA_CRYPTO_HMAC_SHA256_LEN];

    va_token_store_compute_mac (pepper, key, expected);
    if (!va_crypto_equal (expected, g_ptr_array_index (macs, i), VA_CRYPTO_HMAC_SHA256_LEN)) {
      va_api_key_set_tampered (key, TRUE);
      g_warning ("API key %s (%s) in %s fails its integrity check and is refused; the file was "
                 "edited outside VideoAnnotator",
                 va_api_key_get_id (key), va_api_key_get_prefix (key), path);
    }
  }
}

static gboolean
va_token_store_reload_locked (VaTokenStore *self, GError **error)
{
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GPtrArray) macs = NULL;
  g_autoptr (GBytes) pepper = NULL;
  g_autofree char *recorded = NULL;
  g_autoptr (GError) local_error = NULL;
  VaFileStamp stamps[3];

  /* stamp first: a write racing with the read then shows up as a change
   * at the next check rather than being missed */
  va_token_store_take_stamps (self, stamps);
  memcpy (self->stamps, stamps, sizeof stamps);

  if (!va_token_store_read_file (self, &keys, &macs, &recorded, &local_error)
      || (keys->len > 0
          && (pepper = va_token_store_load_pepper (self, recorded, keys->len, FALSE, &local_error))
                 == NULL)) {
    /* fail closed: no key is valid until the store loads again */
    g_ptr_array_set_size (self->keys, 0);
    g_hash_table_remove_all (self->by_digest);
    g_clear_pointer (&self->pepper, g_bytes_unref);
    g_clear_error (&self->load_error);
    self->load_error = g_error_copy (local_error);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (pepper != NULL)
    va_token_store_verify (keys, macs, pepper, self->tokens_path);

  g_hash_table_remove_all (self->by_digest);
  g_ptr_array_unref (self->keys);
  self->keys = g_steal_pointer (&keys);
  g_clear_pointer (&self->pepper, g_bytes_unref);
  self->pepper = g_steal_pointer (&pepper);
  for (guint i = 0; i < self->keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (self->keys, i);
    g_hash_table_insert (self->by_digest, (gpointer)va_api_key_get_digest (key), key);
  }
  g_clear_error (&self->load_error);
  return TRUE;
}

static gboolean
va_token_store_stamps_changed (VaTokenStore *self)
{
  VaFileStamp now[3];

  va_token_store_take_stamps (self, now);
  return memcmp (now, self->stamps, sizeof now) != 0;
}

static gboolean
va_token_store_emit_changed_cb (gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* #changed is always emitted on the context the store was made in */
static void
va_token_store_queue_changed (VaTokenStore *self)
{
  g_autoptr (GSource) source = g_idle_source_new ();

  g_source_set_callback (source, va_token_store_emit_changed_cb, g_object_ref (self),
                         g_object_unref);
  g_source_set_name (source, "[videoannotator] tokens changed");
  g_source_attach (source, self->context);
}

/* Returns TRUE when the keys were reloaded (successfully or not). */
static gboolean
va_token_store_maybe_reload_locked (VaTokenStore *self)
{
  g_autoptr (GError) error = NULL;

  if (!va_token_store_stamps_changed (self))
    return FALSE;
  if (!va_token_store_reload_locked (self, &error))
    g_warning ("API keys refused until the key store loads again: %s", error->message);
  else
    g_debug ("reloaded %s", self->tokens_path);
  va_token_store_queue_changed (self);
  return TRUE;
}

static void
va_token_store_monitor_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other,
                                   GFileMonitorEvent event, gpointer user_data)
{
  VaTokenStore *self = VA_TOKEN_STORE (user_data);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  va_token_store_maybe_reload_locked (self);
}

/* ---- writing ---------------------------------------------------------- */

static gboolean
va_token_store_write_file (VaTokenStore *self, GPtrArray *keys, GBytes *pepper, const char *backend,
                           GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, VA_TOKEN_STORE_FORMAT);
  json_builder_set_member_name (builder, "secret_backend");
  json_builder_add_string_value (builder, backend);
  json_builder_set_member_name (builder, "digest");
  json_builder_add_string_value (builder, "hmac-sha256");
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    guint8 mac[VA_CRYPTO_HMAC_SHA256_LEN] = { 0 };

    /* a tampered record keeps an invalid MAC: rewriting the file must
     * never launder a hand edit */
    if (!va_api_key_get_tampered (key))
      va_token_store_compute_mac (pepper, key, mac);
    json_builder_add_value (builder, va_api_key_to_record (key, mac));
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return va_secure_file_write (self->tokens_path, text, length, error);
}

typedef gboolean (*VaTokenModifyFunc) (VaTokenStore *self, GPtrArray *keys, GBytes *pepper,
                                       gpointer user_data, GError **error);

/* Read-modify-write under an exclusive lock on tokens/.tokens.lock, so
 * two `token` commands (or a command and a server) never lose each
 * other's changes. Reads the file afresh inside the lock. */
static gboolean
va_token_store_modify_locked (VaTokenStore *self, VaTokenModifyFunc func, gpointer user_data,
                              GError **error)
{
  g_autofree char *lock_path = g_build_filename (self->token_dir, VA_TOKEN_STORE_LOCK_NAME, NULL);
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GPtrArray) macs = NULL;
  g_autoptr (GBytes) pepper = NULL;
  g_autofree char *recorded = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean ok = FALSE;
  int fd;

  if (!va_secure_file_ensure_dir (self->token_dir, error))
    return FALSE;
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    if (saved == EROFS || saved == EACCES || saved == EPERM) {
      g_set_error (error, VA_ERROR, VA_ERROR_READ_ONLY,
                   "Cannot change API keys: the token directory %s is read-only (%s); change the "
                   "keys where that directory is generated",
                   self->token_dir, g_strerror (saved));
    } else {
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", lock_path,
                   g_strerror (saved));
    }
    return FALSE;
  }
  while (flock (fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot lock %s: %s", lock_path,
                   g_strerror (saved));
      g_close (fd, NULL);
      return FALSE;
    }
  }

  if (!va_token_store_read_file (self, &keys, &macs, &recorded, error))
    goto out;
  pepper = va_token_store_load_pepper (self, recorded, keys->len, TRUE, error);
  if (pepper == NULL)
    goto out;
  va_token_store_verify (keys, macs, pepper, self->tokens_path);
  if (!func (self, keys, pepper, user_data, error))
    goto out;
  if (!va_token_store_write_file (self, keys, pepper, va_secrets_get_name (self->secrets), error))
    goto out;
  ok = TRUE;

out:
  g_close (fd, NULL); /* releases the lock */
  if (ok) {
    if (!va_token_store_reload_locked (self, &local_error))
      g_warning ("Cannot reload %s after writing it: %s", self->tokens_path, local_error->message);
    va_token_store_queue_changed (self);
  }
  return ok;
}

/* ---- GObject ---------------------------------------------------------- */

static gboolean
va_token_store_initable_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  VaTokenStore *self = VA_TOKEN_STORE (initable);
  g_autoptr (GFile) file = NULL;
  g_autoptr (GMutexLocker) locker = NULL;

  if (self->token_dir == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("No token directory"));
    return FALSE;
  }
  if (self->secret_backend != NULL && !g_str_equal (self->secret_backend, "auto")
      && !g_str_equal (self->secret_backend, "file")
      && !g_str_equal (self->secret_backend, "libsecret")) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Unknown secret-backend “%s” (expected auto, libsecret or file)",
                 self->secret_backend);
    return FALSE;
  }

  locker = g_mutex_locker_new (&self->lock);
  if (!va_token_store_reload_locked (self, error))
    return FALSE;

  /* the monitor only speeds things up; validation stats the files anyway */
  file = g_file_new_for_path (self->tokens_path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL) {
    g_file_monitor_set_rate_limit (self->monitor, 100);
    g_signal_connect_object (self->monitor, "changed",
                             G_CALLBACK (va_token_store_monitor_changed_cb), self, 0);
  }
  return TRUE;
}

static void
va_token_store_initable_init (GInitableIface *iface)
{
  iface->init = va_token_store_initable_init_impl;
}

static void
va_token_store_dispose (GObject *object)
{
  VaTokenStore *self = VA_TOKEN_STORE (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (va_token_store_parent_class)->dispose (object);
}

static void
va_token_store_finalize (GObject *object)
{
  VaTokenStore *self = VA_TOKEN_STORE (object);

  g_free (self->token_dir);
  g_free (self->tokens_path);
  g_free (self->key_path);
  g_free (self->secret_backend);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_object (&self->secrets);
  g_clear_pointer (&self->pepper, g_bytes_unref);
  g_hash_table_unref (self->by_digest);
  g_ptr_array_unref (self->keys);
  g_clear_error (&self->load_error);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (va_token_store_parent_class)->finalize (object);
}

static void
va_token_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaTokenStore *self = VA_TOKEN_STORE (object);

  switch (prop_id) {
  case PROP_TOKEN_DIR:
    g_value_set_string (value, self->token_dir);
    break;
  case PROP_SECRET_BACKEND:
    g_value_set_string (value, self->secret_backend);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_token_store_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaTokenStore *self = VA_TOKEN_STORE (object);

  switch (prop_id) {
  case PROP_TOKEN_DIR: {
    const char *dir = g_value_get_string (value);
    if (dir != NULL) {
      /* absolute: the libsecret item is keyed by this path */
      self->token_dir = g_canonicalize_filename (dir, NULL);
      self->tokens_path = g_build_filename (self->token_dir, VA_TOKEN_STORE_FILE_NAME, NULL);
      self->key_path = g_build_filename (self->token_dir, VA_SECRETS_FILE_NAME, NULL);
    }
    break;
  }
  case PROP_SECRET_BACKEND:
    self->secret_backend = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_token_store_class_init (VaTokenStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_token_store_dispose;
  object_class->finalize = va_token_store_finalize;
  object_class->get_property = va_token_store_get_property;
  object_class->set_property = va_token_store_set_property;

  properties[PROP_TOKEN_DIR]
      = g_param_spec_string ("token-dir", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECRET_BACKEND]
      = g_param_spec_string ("secret-backend", NULL, NULL, "auto",
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VaTokenStore::changed:
   *
   * The set of keys changed (created, revoked, reloaded from disk, or the
   * store became unusable), on the main context the store was made in.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
va_token_store_init (VaTokenStore *self)
{
  g_mutex_init (&self->lock);
  self->keys = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_digest = g_hash_table_new (va_token_store_digest_hash, va_token_store_digest_equal);
  self->default_expiry_days = 90;
  self->max_expiry_days = 90;
  self->context = g_main_context_ref_thread_default ();
}

/**
 * va_token_store_new:
 * @token_dir: directory of tokens.json (and encryption.key for the file
 *   back end); need not exist yet
 * @secret_backend: (nullable): "auto" (%NULL), "libsecret" or "file"
 * @error: return location for a %VA_ERROR
 *
 * Loads the keys. Fails when the directory, tokens.json or
 * encryption.key are accessible by group or others (the message names
 * the file and the chmod to run), or when tokens.json is corrupt or its
 * pepper is missing.
 *
 * Returns: (transfer full) (nullable): the store
 */
VaTokenStore *
va_token_store_new (const char *token_dir, const char *secret_backend, GError **error)
{
  g_return_val_if_fail (token_dir != NULL, NULL);
  return g_initable_new (VA_TYPE_TOKEN_STORE, NULL, error, "token-dir", token_dir, "secret-backend",
                         secret_backend != NULL ? secret_backend : "auto", NULL);
}

/**
 * va_token_store_new_from_settings:
 * @settings: loaded settings
 * @error: return location for a %VA_ERROR
 *
 * va_token_store_new() with `token-dir` and `secret-backend`, and the
 * expiry limits from `key-expiry-days` and `key-max-expiry-days`.
 *
 * Returns: (transfer full) (nullable): the store
 */
VaTokenStore *
va_token_store_new_from_settings (VaSettings *settings, GError **error)
{
  VaTokenStore *self;

  g_return_val_if_fail (VA_IS_SETTINGS (settings), NULL);

  self = va_token_store_new (va_settings_get_token_dir (settings),
                             va_settings_get_string (settings, "secret-backend"), error);
  if (self != NULL)
    va_token_store_set_expiry_days (self, va_settings_get_uint (settings, "key-expiry-days"),
                                    va_settings_get_uint (settings, "key-max-expiry-days"));
  return self;
}

const char *
va_token_store_get_token_dir (VaTokenStore *self)
{
  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);
  return self->token_dir;
}

/**
 * va_token_store_get_secret_backend:
 *
 * Returns: (nullable): "file" or "libsecret" once a back end was chosen
 *   (keys exist or were created), else %NULL
 */
const char *
va_token_store_get_secret_backend (VaTokenStore *self)
{
  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);
  return self->secrets != NULL ? va_secrets_get_name (self->secrets) : NULL;
}

/**
 * va_token_store_set_expiry_days:
 * @default_days: lifetime of keys created without an explicit one
 * @max_days: longest lifetime allowed
 */
void
va_token_store_set_expiry_days (VaTokenStore *self, guint default_days, guint max_days)
{
  g_return_if_fail (VA_IS_TOKEN_STORE (self));
  g_return_if_fail (default_days > 0 && max_days > 0);
  self->default_expiry_days = default_days;
  self->max_expiry_days = max_days;
}

void
va_token_store_set_now (VaTokenStore *self, GDateTime *now)
{
  g_clear_pointer (&self->now, g_date_time_unref);
  if (now != NULL)
    self->now = g_date_time_ref (now);
}

/* ---- operations -------------------------------------------------------- */

static gboolean
va_token_store_check_text (const char *field, const char *value, gboolean required, GError **error)
{
  if (value == NULL || *value == '\0') {
    if (!required)
      return TRUE;
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s is required", field);
    return FALSE;
  }
  if (!g_utf8_validate (value, -1, NULL)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s is not valid UTF-8", field);
    return FALSE;
  }
  for (const char *p = value; *p != '\0'; p++) {
    if ((guchar)*p < 0x20 || *p == 0x7f) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "%s must not contain control characters", field);
      return FALSE;
    }
  }
  return TRUE;
}

typedef struct {
  const VaTokenRequest *request;
  char *key;
  VaApiKey *created;
} VaCreateData;

static gboolean
va_token_store_create_func (VaTokenStore *self, GPtrArray *keys, GBytes *pepper, gpointer user_data,
                            GError **error)
{
  VaCreateData *data = user_data;
  const VaTokenRequest *request = data->request;
  guint8 random[32];
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  g_autofree char *encoded = NULL;
  g_autofree char *id = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr (GDateTime) now = va_token_store_now (self);
  g_autoptr (GDateTime) expires = NULL;
  VaApiKey *key;

  if (!va_crypto_random_bytes (random, sizeof random, error))
    return FALSE;
  encoded = va_crypto_base64url_encode (random, sizeof random);
  memset (random, 0, sizeof random);
  data->key = g_strconcat (VA_API_KEY_PREFIX, encoded, NULL);
  memset (encoded, 0, strlen (encoded));
  g_assert (va_api_key_is_well_formed (data->key));

  va_token_store_digest (pepper, data->key, digest);
  id = g_uuid_string_random ();
  prefix = va_api_key_display_prefix (data->key);
  if (!request->no_expiry)
    expires = g_date_time_add_days (now, (gint)(request->expires_in_days > 0
                                                    ? request->expires_in_days
                                                    : self->default_expiry_days));
  key = va_api_key_new (id, prefix, digest, request->user_id, request->username, request->email,
                        request->scopes, request->description, now, expires);
  g_ptr_array_add (keys, key);
  data->created = va_api_key_copy (key);
  return TRUE;
}

/**
 * va_token_store_create_key:
 * @self: a store
 * @request: owner, scopes and lifetime
 * @key: (out) (transfer full): the new key; shown once, never stored
 * @error: return location for a %VA_ERROR
 *
 * Creates the pepper on first use.
 *
 * Returns: (transfer full) (nullable): the key's record, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT for a bad request or %VA_ERROR_READ_ONLY for
 *   a read-only token directory
 */
VaApiKey *
va_token_store_create_key (VaTokenStore *self, const VaTokenRequest *request, char **key,
                           GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  VaCreateData data = { request, NULL, NULL };

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!va_token_store_check_text ("user id", request->user_id, TRUE, error)
      || !va_token_store_check_text ("username", request->username, TRUE, error)
      || !va_token_store_check_text ("email", request->email, TRUE, error)
      || !va_token_store_check_text ("description", request->description, FALSE, error))
    return NULL;
  if (strchr (request->email, '@') == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "“%s” is not an e-mail address",
                 request->email);
    return NULL;
  }
  if ((request->scopes & VA_SCOPE_ALL) == 0 || (request->scopes & ~VA_SCOPE_ALL) != 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("A key needs at least one scope of read, write and admin"));
    return NULL;
  }
  if (request->no_expiry && request->expires_in_days > 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("--no-expiry and --expires-in-days exclude each other"));
    return NULL;
  }
  if (!request->no_expiry && request->expires_in_days > self->max_expiry_days) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "A key may live at most %u days (key-max-expiry-days); %u requested",
                 self->max_expiry_days, request->expires_in_days);
    return NULL;
  }

  locker = g_mutex_locker_new (&self->lock);
  if (!va_token_store_modify_locked (self, va_token_store_create_func, &data, error)) {
    g_free (data.key);
    g_clear_object (&data.created);
    return NULL;
  }
  *key = data.key;
  return data.created;
}

static void
va_token_store_set_rejection (VaTokenRejection *out, VaTokenRejection value)
{
  if (out != NULL)
    *out = value;
}

/**
 * va_token_store_validate:
 * @self: a store
 * @key: (nullable): the key a client presented
 * @rejection: (out) (optional): why it was refused
 * @error: return location for a %VA_ERROR
 *
 * Checks @key against the current keys (reloading first if the files
 * changed): HMAC under the pepper, looked up by digest with a
 * constant-time comparison. Messages never contain more of the key
 * than its display prefix.
 *
 * Returns: (transfer full) (nullable): the key's record, or %NULL with
 *   %VA_ERROR_UNAUTHENTICATED (unknown, revoked, expired, malformed) or,
 *   when the key store cannot be loaded, %VA_ERROR_INTERNAL
 */
VaApiKey *
va_token_store_validate (VaTokenStore *self, const char *key, VaTokenRejection *rejection,
                         GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GBytes) pepper = NULL;
  VaFileStamp stamps[3];
  guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
  VaApiKey *found;

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);

  va_token_store_set_rejection (rejection, VA_TOKEN_REJECTION_UNKNOWN);
  if (!va_api_key_is_well_formed (key)) {
    va_token_store_set_rejection (rejection, VA_TOKEN_REJECTION_MALFORMED);
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                         N_ ("Malformed API key (expected va_api_ followed by 43 characters)"));
    return NULL;
  }

  /* the files are looked at on every validation (how a revocation made by
   * another process arrives), but without the lock, which the serving
   * threads share; a change makes the reload look again under it */
  va_token_store_take_stamps (self, stamps);
  locker = g_mutex_locker_new (&self->lock);
  if (memcmp (stamps, self->stamps, sizeof stamps) != 0)
    va_token_store_maybe_reload_locked (self);
  if (self->load_error != NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The API key store is unusable: %s",
                 self->load_error->message);
    return NULL;
  }
  if (self->pepper == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("Invalid API key"));
    return NULL;
  }

  /* the HMAC is computed without the lock (the HTTP serving threads
   * validate at the same time); a reload meanwhile that changed the
   * pepper makes it start again under the lock */
  pepper = g_bytes_ref (self->pepper);
  g_clear_pointer (&locker, g_mutex_locker_free);
  va_token_store_digest (pepper, key, digest);
  locker = g_mutex_locker_new (&self->lock);
  if (self->pepper != pepper) {
    if (self->load_error != NULL || self->pepper == NULL) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("Invalid API key"));
      return NULL;
    }
    va_token_store_digest (self->pepper, key, digest);
  }
  found = g_hash_table_lookup (self->by_digest, digest);
  now = va_token_store_now (self);
  switch (found != NULL ? va_api_key_get_state (found, now) : VA_API_KEY_STATE_TAMPERED) {
  case VA_API_KEY_STATE_ACTIVE:
    va_token_store_set_rejection (rejection, VA_TOKEN_REJECTION_NONE);
    return va_api_key_copy (found);
  case VA_API_KEY_STATE_REVOKED: {
    g_autofree char *when = va_codec_format_datetime (va_api_key_get_revoked_at (found));
    va_token_store_set_rejection (rejection, VA_TOKEN_REJECTION_REVOKED);
    g_set_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, "API key %s… was revoked at %s",
                 va_api_key_get_prefix (found), when != NULL ? when : "an unknown time");
    return NULL;
  }
  case VA_API_KEY_STATE_EXPIRED: {
    g_autofree char *when = va_codec_format_datetime (va_api_key_get_expires_at (found));
    va_token_store_set_rejection (rejection, VA_TOKEN_REJECTION_EXPIRED);
    g_set_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                 "API key %s… expired at %s; ask an administrator for a new key",
                 va_api_key_get_prefix (found), when);
    return NULL;
  }
  case VA_API_KEY_STATE_TAMPERED:
  default:
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("Invalid API key"));
    return NULL;
  }
}

static gint
va_token_store_compare_created (gconstpointer a, gconstpointer b)
{
  VaApiKey *ka = *(VaApiKey **)a;
  VaApiKey *kb = *(VaApiKey **)b;

  return g_date_time_compare (va_api_key_get_created_at (ka), va_api_key_get_created_at (kb));
}

/**
 * va_token_store_list_keys:
 *
 * Returns: (transfer container) (element-type VaApiKey): copies of every
 *   key record (active, expired, revoked, tampered), oldest first
 */
GPtrArray *
va_token_store_list_keys (VaTokenStore *self, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);

  locker = g_mutex_locker_new (&self->lock);
  va_token_store_maybe_reload_locked (self);
  if (self->load_error != NULL) {
    g_propagate_error (error, g_error_copy (self->load_error));
    return NULL;
  }
  for (guint i = 0; i < self->keys->len; i++)
    g_ptr_array_add (keys, va_api_key_copy (g_ptr_array_index (self->keys, i)));
  g_ptr_array_sort (keys, va_token_store_compare_created);
  return g_steal_pointer (&keys);
}

typedef struct {
  const char *query;
  VaApiKey *revoked;
  gboolean newly;
} VaRevokeData;

/* Full key → digest; "va_api_AbCd" (or shorter, or with the "…" logs
 * print) → display prefix, must match one key; anything else → id. */
static gboolean
va_token_store_revoke_func (VaTokenStore *self, GPtrArray *keys, GBytes *pepper, gpointer user_data,
                            GError **error)
{
  VaRevokeData *data = user_data;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  g_autoptr (GDateTime) now = va_token_store_now (self);
  g_autofree char *query = g_strdup (data->query);
  VaApiKey *key;

  if (g_str_has_suffix (query, "…"))
    query[strlen (query) - strlen ("…")] = '\0';
  else if (g_str_has_suffix (query, "..."))
    query[strlen (query) - 3] = '\0';

  if (va_api_key_is_well_formed (query)) {
    guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN];
    va_token_store_digest (pepper, query, digest);
    for (guint i = 0; i < keys->len; i++) {
      key = g_ptr_array_index (keys, i);
      if (va_crypto_equal (va_api_key_get_digest (key), digest, sizeof digest))
        g_ptr_array_add (matches, key);
    }
  } else if (g_str_has_prefix (query, VA_API_KEY_PREFIX)
             && strlen (query) <= VA_API_KEY_DISPLAY_PREFIX_LENGTH) {
    for (guint i = 0; i < keys->len; i++) {
      key = g_ptr_array_index (keys, i);
      if (g_str_has_prefix (va_api_key_get_prefix (key), query))
        g_ptr_array_add (matches, key);
    }
  } else {
    for (guint i = 0; i < keys->len; i++) {
      key = g_ptr_array_index (keys, i);
      if (g_str_equal (va_api_key_get_id (key), query))
        g_ptr_array_add (matches, key);
    }
  }

  if (matches->len == 0) {
    g_autofree char *shown = g_str_has_prefix (query, VA_API_KEY_PREFIX)
                                 ? va_api_key_display_prefix (query)
                                 : g_strdup (query);
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No API key matches “%s%s”", shown,
                 strlen (shown) < strlen (query) ? "…" : "");
    return FALSE;
  }
  if (matches->len > 1) {
    GString *list = g_string_new (NULL);
    for (guint i = 0; i < matches->len; i++) {
      g_autofree char *created = NULL;
      key = g_ptr_array_index (matches, i);
      created = va_codec_format_datetime (va_api_key_get_created_at (key));
      g_string_append_printf (list, "\n  %s  %s  %s  created %s", va_api_key_get_id (key),
                              va_api_key_get_prefix (key), va_api_key_get_username (key), created);
    }
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "“%s” matches %u keys; revoke one by its id:%s", query, matches->len, list->str);
    g_string_free (list, TRUE);
    return FALSE;
  }

  key = g_ptr_array_index (matches, 0);
  data->newly = !va_api_key_get_revoked (key);
  va_api_key_revoke (key, now);
  data->revoked = va_api_key_copy (key);
  return TRUE;
}

/**
 * va_token_store_revoke:
 * @self: a store
 * @key_id_or_prefix: a full key, a key id, or a display prefix
 *   (`va_api_AbCd`) that matches exactly one key
 * @newly_revoked: (out) (optional): %FALSE if it was revoked already
 * @error: return location for a %VA_ERROR
 *
 * Returns: (transfer full) (nullable): the revoked key, or %NULL with
 *   %VA_ERROR_NOT_FOUND, %VA_ERROR_INVALID_ARGUMENT (ambiguous prefix; the
 *   message lists the candidates) or %VA_ERROR_READ_ONLY
 */
VaApiKey *
va_token_store_revoke (VaTokenStore *self, const char *key_id_or_prefix, gboolean *newly_revoked,
                       GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  VaRevokeData data = { key_id_or_prefix, NULL, FALSE };

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (key_id_or_prefix != NULL, NULL);

  if (*key_id_or_prefix == '\0') {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("Name the key to revoke: the key, its id or its prefix"));
    return NULL;
  }
  locker = g_mutex_locker_new (&self->lock);
  if (!va_token_store_modify_locked (self, va_token_store_revoke_func, &data, error))
    return NULL;
  if (newly_revoked != NULL)
    *newly_revoked = data.newly;
  return data.revoked;
}

static gboolean
va_token_store_revoke_all_func (VaTokenStore *self, GPtrArray *keys, GBytes *pepper,
                                gpointer user_data, GError **error)
{
  guint *count = user_data;
  g_autoptr (GDateTime) now = va_token_store_now (self);

  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    if (!va_api_key_get_revoked (key)) {
      va_api_key_revoke (key, now);
      (*count)++;
    }
  }
  return TRUE;
}

/**
 * va_token_store_revoke_all:
 * @self: a store
 * @n_revoked: (out) (optional): keys that were not revoked before
 * @error: return location for a %VA_ERROR
 *
 * Incident response: every key stops working (in running servers within
 * a second).
 */
gboolean
va_token_store_revoke_all (VaTokenStore *self, guint *n_revoked, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  guint count = 0;

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!va_token_store_modify_locked (self, va_token_store_revoke_all_func, &count, error))
    return FALSE;
  if (n_revoked != NULL)
    *n_revoked = count;
  return TRUE;
}

/**
 * va_token_store_reload:
 *
 * Reloads from disk now (e.g. on SIGHUP).
 */
gboolean
va_token_store_reload (VaTokenStore *self, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  gboolean ok;

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  ok = va_token_store_reload_locked (self, error);
  va_token_store_queue_changed (self);
  return ok;
}

typedef struct {
  const char *user_id;
  GPtrArray *removed; /* key ids */
} VaRemoveUserData;

static gboolean
va_token_store_remove_user_func (VaTokenStore *self, GPtrArray *keys, GBytes *pepper,
                                 gpointer user_data, GError **error)
{
  VaRemoveUserData *data = user_data;

  for (guint i = keys->len; i > 0; i--) {
    VaApiKey *key = g_ptr_array_index (keys, i - 1);
    if (g_strcmp0 (va_api_key_get_user_id (key), data->user_id) == 0) {
      g_ptr_array_add (data->removed, g_strdup (va_api_key_get_id (key)));
      g_ptr_array_remove_index (keys, i - 1);
    }
  }
  return TRUE;
}

/**
 * va_token_store_remove_user_keys:
 * @user_id: whose keys
 *
 * Erasure: removes every key of @user_id from tokens.json — not revoked
 * but gone, with the username and e-mail they carry (a running server
 * stops accepting them within a second, as after a revocation).
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the ids
 *   of the removed keys (possibly none), %NULL on error
 */
GPtrArray *
va_token_store_remove_user_keys (VaTokenStore *self, const char *user_id, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  VaRemoveUserData data = { user_id, removed };

  g_return_val_if_fail (VA_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  if (!va_token_store_modify_locked (self, va_token_store_remove_user_func, &data, error))
    return NULL;
  return g_steal_pointer (&removed);
}
