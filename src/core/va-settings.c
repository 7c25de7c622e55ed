/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "va-error.h"
#include "va-settings-value.h"
#include "va-settings.h"

/**
 * SECTION:va-settings
 * @title: VaSettings
 *
 * The effective configuration: schema defaults, overridden by the GSettings
 * backend (dconf, or the keyfile videoannotator.conf on servers without a
 * session bus), overridden by environment variables, overridden by
 * command-line flags. Every value remembers where it came from. After
 * va_settings_load() the object is immutable, so getters are thread-safe.
 */

#define VA_SETTINGS_PATH "/org/videoannotator/VideoAnnotator/"
#define VA_KEYFILE_GROUP "videoannotator"
#define VA_CONFIG_FILE_NAME "videoannotator.conf"
#define VA_ENV_PREFIX "VIDEOANNOTATOR_"

/* Variable names accepted after VIDEOANNOTATOR_<KEY>, in this order: those of
 * the production checklist and of the 1.4 service, so existing .env files
 * keep working. */
static const struct {
  const char *key;
  const char *names[3];
} va_settings_env_aliases[] = {
  { "auth-required", { "AUTH_REQUIRED", "SECURITY_ENABLED" } },
  { "auto-generate-api-key", { "AUTO_GENERATE_API_KEY", "AUTO_GENERATE_KEY" } },
  { "bind-address", { "API_HOST" } },
  { "cors-origins", { "CORS_ORIGINS" } },
  { "database-path", { "VIDEOANNOTATOR_DB_PATH", "DATABASE_URL" } },
  { "debug", { "DEBUG" } },
  { "log-dir", { "LOG_DIR" } },
  { "log-level", { "LOG_LEVEL" } },
  { "max-concurrent-jobs", { "MAX_CONCURRENT_JOBS" } },
  { "max-job-retries", { "MAX_JOB_RETRIES" } },
  { "port", { "API_PORT" } },
  { "retention-days", { "STORAGE_RETENTION_DAYS" } },
  { "storage-dir", { "STORAGE_ROOT" } },
  { "token-dir", { "TOKEN_DIR" } },
  { "web-ui", { "VIDEOANNOTATOR_ENABLE_VIEWER" } },
};

/* Keys holding a path: made absolute against the current directory; the
 * empty ones get their place in the data directory. */
static const struct {
  const char *key;
  const char *default_name; /* inside the data dir, NULL: stays empty */
} va_settings_path_keys[] = {
  { "data-dir", NULL },
  { "storage-dir", "storage" },
  { "log-dir", "logs" },
  { "token-dir", "tokens" },
  { "database-path", "videoannotator.db" },
  { "models-dir", "models" },
  { "tls-certificate", NULL },
  { "tls-private-key", NULL },
};

#define VA_ENV_CONFIG_FILE VA_ENV_PREFIX "CONFIG_FILE"
#define VA_ENV_SETTINGS_BACKEND VA_ENV_PREFIX "SETTINGS_BACKEND"

typedef struct {
  char *name;
  GSettingsSchemaKey *key;
  GStrv env_names;
  char *flag_name; /* "--port" */

  GVariant *override; /* from the command line */

  GVariant *value; /* effective */
  VaSettingsSource source;
  char *origin;
  GStrv strv; /* cache for "as" keys */
} VaSettingsEntry;

struct _VaSettings {
  GObject parent_instance;

  GSettingsSchema *schema;
  GStrv keys; /* sorted */
  GHashTable *entries;

  GSettingsBackend *backend;
  VaSettingsBackendKind backend_kind;
  gboolean backend_kind_set;
  char *config_file;

  gboolean loaded;
  GSettings *gsettings;
  VaSettingsBackendKind effective_kind;
  char *effective_config_file;
};

G_DEFINE_TYPE (VaSettings, va_settings, G_TYPE_OBJECT)

static void
va_settings_entry_free (gpointer data)
{
  VaSettingsEntry *e = data;

  g_free (e->name);
  g_settings_schema_key_unref (e->key);
  g_strfreev (e->env_names);
  g_free (e->flag_name);
  g_clear_pointer (&e->override, g_variant_unref);
  g_clear_pointer (&e->value, g_variant_unref);
  g_free (e->origin);
  g_strfreev (e->strv);
  g_free (e);
}

static void
va_settings_finalize (GObject *object)
{
  VaSettings *self = VA_SETTINGS (object);

  g_clear_pointer (&self->schema, g_settings_schema_unref);
  g_clear_pointer (&self->keys, g_strfreev);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->backend);
  g_clear_pointer (&self->config_file, g_free);
  g_clear_object (&self->gsettings);
  g_clear_pointer (&self->effective_config_file, g_free);

  G_OBJECT_CLASS (va_settings_parent_class)->finalize (object);
}

static void
va_settings_class_init (VaSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_settings_finalize;
}

static void
va_settings_init (VaSettings *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, va_settings_entry_free);
}

/* "max-upload-size" → "VIDEOANNOTATOR_MAX_UPLOAD_SIZE" */
static char *
va_settings_env_name_for_key (const char *key)
{
  g_autofree char *upper = g_ascii_strup (key, -1);

  g_strdelimit (upper, "-", '_');
  return g_strconcat (VA_ENV_PREFIX, upper, NULL);
}

static GStrv
va_settings_env_names_for_key (const char *key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *generic = va_settings_env_name_for_key (key);

  g_strv_builder_add (builder, generic);
  for (guint i = 0; i < G_N_ELEMENTS (va_settings_env_aliases); i++) {
    if (!g_str_equal (va_settings_env_aliases[i].key, key))
      continue;
    for (guint j = 0; j < G_N_ELEMENTS (va_settings_env_aliases[i].names); j++) {
      const char *name = va_settings_env_aliases[i].names[j];
      if (name != NULL && !g_str_equal (name, generic))
        g_strv_builder_add (builder, name);
    }
  }
  return g_strv_builder_end (builder);
}

static int
va_settings_compare_strings (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/**
 * va_settings_new:
 * @error: return location for a #GError
 *
 * Looks the schema up first: g_settings_new() aborts the process when the
 * schema is not installed, which must be an error message instead.
 *
 * Returns: (transfer full): settings to fill with va_settings_load(), or
 *   %NULL when the schema is missing.
 */
VaSettings *
va_settings_new (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (VaSettings) self = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, VA_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 _ ("The GSettings schema “%s” is not installed. Install VideoAnnotator "
                    "(and run glib-compile-schemas on its schema directory), or point "
                    "GSETTINGS_SCHEMA_DIR at the directory holding the compiled schema."),
                 VA_SETTINGS_SCHEMA_ID);
    return NULL;
  }

  self = g_object_new (VA_TYPE_SETTINGS, NULL);
  self->schema = g_steal_pointer (&schema);
  self->keys = g_settings_schema_list_keys (self->schema);
  g_qsort_with_data (self->keys, g_strv_length (self->keys), sizeof (char *),
                     va_settings_compare_strings, NULL);
  for (guint i = 0; self->keys[i] != NULL; i++) {
    VaSettingsEntry *e = g_new0 (VaSettingsEntry, 1);

    e->name = g_strdup (self->keys[i]);
    e->key = g_settings_schema_get_key (self->schema, e->name);
    e->env_names = va_settings_env_names_for_key (e->name);
    e->flag_name = g_strconcat ("--", e->name, NULL);
    g_hash_table_insert (self->entries, e->name, e);
  }
  return g_steal_pointer (&self);
}

static VaSettingsEntry *
va_settings_lookup (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = g_hash_table_lookup (self->entries, key);

  if (e == NULL)
    g_critical ("VideoAnnotator has no setting “%s”", key);
  return e;
}

static gboolean
va_settings_is_path_key (const char *key, const char **default_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (va_settings_path_keys); i++) {
    if (g_str_equal (va_settings_path_keys[i].key, key)) {
      if (default_name != NULL)
        *default_name = va_settings_path_keys[i].default_name;
      return TRUE;
    }
  }
  return FALSE;
}

/* ---- Command-line flags -------------------------------------------------- */

/**
 * va_settings_set_override:
 * @self: settings not yet loaded
 * @key: a schema key
 * @value: the value as text, as on the command line
 * @error: return location for a #GError
 *
 * Sets @key as if `--KEY=VALUE` had been given: it wins over every other
 * source. The value is checked now, and an error names the flag.
 */
gboolean
va_settings_set_override (VaSettings *self, const char *key, const char *value, GError **error)
{
  VaSettingsEntry *e;
  GVariant *parsed;

  g_return_val_if_fail (VA_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (!self->loaded, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  e = g_hash_table_lookup (self->entries, key);
  if (e == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("Unknown setting “%s”"), key);
    return FALSE;
  }
  parsed = va_settings_value_parse (e->key, value, e->flag_name, error);
  if (parsed == NULL)
    return FALSE;
  g_clear_pointer (&e->override, g_variant_unref);
  e->override = parsed;
  return TRUE;
}

static gboolean
va_settings_parse_backend_kind (const char *text, const char *where, VaSettingsBackendKind *kind,
                                GError **error)
{
  static const char *const names[] = { "auto", "gsettings", "keyfile" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (g_ascii_strcasecmp (text, names[i]) == 0) {
      *kind = (VaSettingsBackendKind)i;
      return TRUE;
    }
  }
  return va_settings_value_invalid (error, where, text,
                                    _ ("expected one of: auto, gsettings, keyfile"));
}

static gboolean
va_settings_option_cb (const char *option_name, const char *value, gpointer data, GError **error)
{
  VaSettings *self = data;
  const char *key = option_name + 2; /* GOption passes "--name" */

  if (g_str_equal (key, "config-file")) {
    va_settings_set_config_file (self, value);
    return TRUE;
  }
  if (g_str_equal (key, "settings-backend")) {
    VaSettingsBackendKind kind;
    if (!va_settings_parse_backend_kind (value, option_name, &kind, error))
      return FALSE;
    va_settings_set_backend_kind (self, kind);
    return TRUE;
  }
  /* a bare boolean flag (--debug) means true */
  return va_settings_set_override (self, key, value != NULL ? value : "true", error);
}

static const char *
va_settings_arg_description (VaSettingsEntry *e)
{
  const GVariantType *type = g_settings_schema_key_get_value_type (e->key);

  if (va_settings_is_path_key (e->name, NULL))
    return N_ ("PATH");
  if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    return N_ ("BOOL");
  if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT64))
    return N_ ("SIZE");
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY))
    return N_ ("LIST");
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
    return N_ ("TEXT");
  return N_ ("NUMBER");
}

/**
 * va_settings_get_option_group:
 * @self: settings not yet loaded
 *
 * One flag per setting, named like the key (`--port`, `--bind-address`,
 * `--data-dir`, ...; booleans also take `--debug` alone), plus
 * `--config-file` and `--settings-backend`. Add it to any subcommand's
 * #GOptionContext, parse with va_settings_parse_command_line(), then call
 * va_settings_load().
 *
 * Returns: (transfer full): a new option group holding a reference on @self
 */
GOptionGroup *
va_settings_get_option_group (VaSettings *self)
{
  GOptionGroup *group;
  guint n = g_strv_length (self->keys);
  g_autofree GOptionEntry *entries = g_new0 (GOptionEntry, n + 3);
  guint i;

  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);

  group = g_option_group_new ("settings", _ ("Settings (override the configuration)"),
                              _ ("Show the settings options"), g_object_ref (self), g_object_unref);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);

  for (i = 0; i < n; i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, self->keys[i]);
    const GVariantType *type = g_settings_schema_key_get_value_type (e->key);

    entries[i].long_name = e->name;
    entries[i].arg = G_OPTION_ARG_CALLBACK;
    entries[i].arg_data = (gpointer)va_settings_option_cb;
    entries[i].description = g_settings_schema_key_get_summary (e->key);
    entries[i].arg_description = va_settings_arg_description (e);
    if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
      entries[i].flags = G_OPTION_FLAG_OPTIONAL_ARG;
  }
  entries[i++] = (GOptionEntry){ "config-file",
                                 0,
                                 0,
                                 G_OPTION_ARG_CALLBACK,
                                 (gpointer)va_settings_option_cb,
                                 N_ ("Keyfile to read settings from (implies the keyfile backend)"),
                                 N_ ("PATH") };
  entries[i++] = (GOptionEntry){ "settings-backend",
                                 0,
                                 0,
                                 G_OPTION_ARG_CALLBACK,
                                 (gpointer)va_settings_option_cb,
                                 N_ ("Where stored settings come from: auto, gsettings or keyfile"),
                                 N_ ("BACKEND") };
  g_option_group_add_entries (group, entries);
  return group;
}

/**
 * va_settings_parse_command_line:
 * @self: settings not yet loaded
 * @context: a context holding va_settings_get_option_group()
 * @args: (inout): the arguments, argv[0] first; on return, what is left
 * @error: return location for a #GError
 *
 * g_option_context_parse_strv(), except that a bare boolean flag
 * (`--debug`) never takes the next argument as its value: GOption gives an
 * optional argument the following word unless it starts with '-', so
 * `--debug video.mp4` would otherwise read "video.mp4" as the boolean.
 */
gboolean
va_settings_parse_command_line (VaSettings *self, GOptionContext *context, GStrv *args,
                                GError **error)
{
  g_return_val_if_fail (VA_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (args != NULL && *args != NULL, FALSE);

  for (guint i = 1; (*args)[i] != NULL; i++) {
    const char *arg = (*args)[i];
    VaSettingsEntry *e;

    if (g_str_equal (arg, "--"))
      break;
    if (!g_str_has_prefix (arg, "--"))
      continue;
    e = g_hash_table_lookup (self->entries, arg + 2);
    if (e != NULL
        && g_variant_type_equal (g_settings_schema_key_get_value_type (e->key),
                                 G_VARIANT_TYPE_BOOLEAN)) {
      g_free ((*args)[i]);
      (*args)[i] = g_strconcat (e->flag_name, "=true", NULL);
    }
  }
  return g_option_context_parse_strv (context, args, error);
}

/**
 * va_settings_set_backend:
 * @self: settings not yet loaded
 * @backend: (nullable): a GSettings backend to read stored values from
 *
 * Uses @backend instead of choosing one (tests, embedding).
 */
void
va_settings_set_backend (VaSettings *self, GSettingsBackend *backend)
{
  g_return_if_fail (VA_IS_SETTINGS (self));
  g_return_if_fail (!self->loaded);
  g_set_object (&self->backend, backend);
}

void
va_settings_set_backend_kind (VaSettings *self, VaSettingsBackendKind kind)
{
  g_return_if_fail (VA_IS_SETTINGS (self));
  g_return_if_fail (!self->loaded);
  self->backend_kind = kind;
  self->backend_kind_set = TRUE;
}

/**
 * va_settings_set_config_file:
 * @self: settings not yet loaded
 * @path: (nullable): a keyfile; it must exist
 *
 * Reads stored settings from @path with the GSettings keyfile backend
 * instead of `<data-dir>/videoannotator.conf` or dconf.
 */
void
va_settings_set_config_file (VaSettings *self, const char *path)
{
  g_return_if_fail (VA_IS_SETTINGS (self));
  g_return_if_fail (!self->loaded);
  g_free (self->config_file);
  self->config_file = path != NULL && *path != '\0' ? g_canonicalize_filename (path, NULL) : NULL;
}

/* ---- Loading ------------------------------------------------------------- */

static const char *
va_settings_getenv (const char *const *envp, const char *name)
{
  const char *v = g_environ_getenv ((char **)envp, name);

  /* AUTH_REQUIRED= (empty) means "not set", as the checklist expects */
  return v != NULL && *v != '\0' ? v : NULL;
}

static gboolean
va_settings_have_session_bus (const char *const *envp)
{
  const char *runtime = va_settings_getenv (envp, "XDG_RUNTIME_DIR");
  g_autofree char *bus = NULL;

  if (va_settings_getenv (envp, "DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;
  if (runtime == NULL)
    return FALSE;
  bus = g_build_filename (runtime, "bus", NULL);
  return g_file_test (bus, G_FILE_TEST_EXISTS);
}

static char *
va_settings_default_data_dir (const char *const *envp)
{
  const char *xdg = va_settings_getenv (envp, "XDG_DATA_HOME");
  const char *home = va_settings_getenv (envp, "HOME");

  /* the XDG spec ignores a relative XDG_DATA_HOME */
  if (xdg != NULL && g_path_is_absolute (xdg))
    return g_build_filename (xdg, "videoannotator", NULL);
  if (home != NULL && g_path_is_absolute (home))
    return g_build_filename (home, ".local", "share", "videoannotator", NULL);
  return g_build_filename (g_get_user_data_dir (), "videoannotator", NULL);
}

static char *
va_settings_resolve_data_dir (const char *value, const char *const *envp)
{
  if (value == NULL || *value == '\0')
    return va_settings_default_data_dir (envp);
  return g_canonicalize_filename (value, NULL);
}

/* Validates every line of the keyfile, because the GSettings keyfile backend
 * silently ignores what it cannot parse and values out of range. */
static gboolean
va_settings_check_keyfile (VaSettings *self, const char *path, gboolean explicit, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) groups = NULL;
  g_auto (GStrv) keys = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
    if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      if (!explicit)
        return TRUE; /* no file: defaults */
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, _ ("Configuration file %s does not exist"),
                   path);
      return FALSE;
    }
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("Cannot read configuration file %s: %s"), path, local->message);
    return FALSE;
  }

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++) {
    if (!g_str_equal (groups[i], VA_KEYFILE_GROUP)) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("%s: unknown section [%s]; settings belong in [%s]"), path, groups[i],
                   VA_KEYFILE_GROUP);
      return FALSE;
    }
  }

  keys = g_key_file_get_keys (kf, VA_KEYFILE_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, keys[i]);
    g_autofree char *raw = NULL;
    g_autofree char *where = NULL;
    g_autoptr (GVariant) value = NULL;

    if (e == NULL) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("%s: unknown setting “%s” (`videoannotator config show` lists them)"), path,
                   keys[i]);
      return FALSE;
    }
    where = g_strdup_printf (_ ("“%s” in %s"), keys[i], path);
    if (g_str_equal (keys[i], "data-dir") && !explicit) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("%s cannot be set in the data directory's own configuration file; use "
                      "--data-dir or VIDEOANNOTATOR_DATA_DIR"),
                   where);
      return FALSE;
    }
    raw = g_key_file_get_value (kf, VA_KEYFILE_GROUP, keys[i], NULL);
    value = g_variant_parse (g_settings_schema_key_get_value_type (e->key), raw, NULL, NULL, NULL);
    if (value == NULL) {
      g_autofree char *expected = va_settings_value_describe_expected (e->key);
      g_autofree char *hint
          = g_strdup_printf (_ ("%s, written as a GVariant value (text in quotes: "
                                "bind-address='0.0.0.0'; lists in brackets: ['a', 'b'])"),
                             expected);
      return va_settings_value_invalid (error, where, raw, hint);
    }
    if (!va_settings_value_check (e->key, value, where, raw, error))
      return FALSE;
  }
  return TRUE;
}

static void
va_settings_entry_set (VaSettingsEntry *e, GVariant *value, VaSettingsSource source,
                       const char *origin)
{
  g_clear_pointer (&e->value, g_variant_unref);
  e->value = g_variant_ref_sink (value);
  e->source = source;
  g_free (e->origin);
  e->origin = g_strdup (origin);
}

/* "environment variable AUTH_REQUIRED", "--port", ... for messages */
static char *
va_settings_describe_source (VaSettingsEntry *e)
{
  switch (e->source) {
  case VA_SETTINGS_SOURCE_ENVIRONMENT:
    return g_strdup_printf (_ ("environment variable %s"), e->origin);
  case VA_SETTINGS_SOURCE_COMMAND_LINE:
    return g_strdup (e->origin);
  case VA_SETTINGS_SOURCE_KEYFILE:
    return g_strdup (e->origin);
  case VA_SETTINGS_SOURCE_GSETTINGS:
    return g_strdup (_ ("GSettings"));
  case VA_SETTINGS_SOURCE_DEFAULT:
  default:
    return g_strdup (_ ("default"));
  }
}

static gboolean
va_settings_cross_check (VaSettings *self, GError **error)
{
  VaSettingsEntry *cert = g_hash_table_lookup (self->entries, "tls-certificate");
  VaSettingsEntry *key = g_hash_table_lookup (self->entries, "tls-private-key");
  VaSettingsEntry *expiry = g_hash_table_lookup (self->entries, "key-expiry-days");
  VaSettingsEntry *max_expiry = g_hash_table_lookup (self->entries, "key-max-expiry-days");
  VaSettingsEntry *redirect = g_hash_table_lookup (self->entries, "tls-redirect-port");
  VaSettingsEntry *port = g_hash_table_lookup (self->entries, "port");
  gboolean have_cert = *g_variant_get_string (cert->value, NULL) != '\0';
  gboolean have_key = *g_variant_get_string (key->value, NULL) != '\0';

  if (have_cert != have_key) {
    VaSettingsEntry *set = have_cert ? cert : key;
    VaSettingsEntry *unset = have_cert ? key : cert;
    g_autofree char *src = va_settings_describe_source (set);

    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("%s is set (%s) but %s is not: HTTPS needs both the certificate and its "
                    "private key"),
                 set->name, src, unset->name);
    return FALSE;
  }

  /* the redirect port only exists beside an HTTPS port, and cannot share
   * it: refuse at load rather than fail to bind at start */
  if (g_variant_get_int32 (redirect->value) != 0) {
    g_autofree char *src = va_settings_describe_source (redirect);

    if (!have_cert) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("tls-redirect-port is set (%s) but TLS is not: the port redirects to HTTPS, "
                      "which needs tls-certificate and tls-private-key"),
                   src);
      return FALSE;
    }
    if (g_variant_get_int32 (redirect->value) == g_variant_get_int32 (port->value)) {
      g_autofree char *port_src = va_settings_describe_source (port);

      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("tls-redirect-port (%d, %s) is the HTTPS port itself (port, %s): choose "
                      "another port for the plain-HTTP redirect"),
                   g_variant_get_int32 (redirect->value), src, port_src);
      return FALSE;
    }
  }

  if (g_variant_get_uint32 (expiry->value) > g_variant_get_uint32 (max_expiry->value)) {
    g_autofree char *a = va_settings_describe_source (expiry);
    g_autofree char *b = va_settings_describe_source (max_expiry);

    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("key-expiry-days (%u, %s) is larger than key-max-expiry-days (%u, %s)"),
                 g_variant_get_uint32 (expiry->value), a, g_variant_get_uint32 (max_expiry->value),
                 b);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_settings_choose_backend (VaSettings *self, const char *const *envp, GHashTable *env_values,
                            GError **error)
{
  VaSettingsBackendKind kind = self->backend_kind;
  g_autofree char *config_file = g_strdup (self->config_file);
  gboolean explicit_file;
  const char *text;

  if (!self->backend_kind_set && (text = va_settings_getenv (envp, VA_ENV_SETTINGS_BACKEND)))
    if (!va_settings_parse_backend_kind (text, VA_ENV_SETTINGS_BACKEND, &kind, error))
      return FALSE;
  if (config_file == NULL && (text = va_settings_getenv (envp, VA_ENV_CONFIG_FILE)))
    config_file = g_canonicalize_filename (text, NULL);
  explicit_file = config_file != NULL;

  if (self->backend != NULL) {
    self->effective_kind = VA_SETTINGS_BACKEND_GSETTINGS;
    self->gsettings = g_settings_new_full (self->schema, self->backend, NULL);
    return TRUE;
  }

  if (explicit_file) {
    if (kind == VA_SETTINGS_BACKEND_GSETTINGS) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("A configuration file (%s) only works with the keyfile settings backend, "
                      "not gsettings"),
                   config_file);
      return FALSE;
    }
    kind = VA_SETTINGS_BACKEND_KEYFILE;
  } else if (kind == VA_SETTINGS_BACKEND_AUTO) {
    /* dconf silently drops writes without a session bus (system services,
     * containers); an explicit GSETTINGS_BACKEND is honoured as chosen */
    kind = va_settings_getenv (envp, "GSETTINGS_BACKEND") != NULL
                   || va_settings_have_session_bus (envp)
               ? VA_SETTINGS_BACKEND_GSETTINGS
               : VA_SETTINGS_BACKEND_KEYFILE;
  }
  self->effective_kind = kind;

  if (kind == VA_SETTINGS_BACKEND_KEYFILE) {
    g_autoptr (GSettingsBackend) backend = NULL;

    if (config_file == NULL) {
      /* the file lives in the data dir, which therefore comes only from a
       * flag, a variable or the default */
      VaSettingsEntry *e = g_hash_table_lookup (self->entries, "data-dir");
      GVariant *v = e->override != NULL ? e->override : g_hash_table_lookup (env_values, e->name);
      g_autofree char *dir
          = va_settings_resolve_data_dir (v != NULL ? g_variant_get_string (v, NULL) : NULL, envp);
      config_file = g_build_filename (dir, VA_CONFIG_FILE_NAME, NULL);
    }
    if (!va_settings_check_keyfile (self, config_file, explicit_file, error))
      return FALSE;
    /* The keyfile backend creates the file's directory (0755) when it starts;
     * reading settings must not create the data directory. */
    if (g_file_test (config_file, G_FILE_TEST_EXISTS))
      backend = g_keyfile_settings_backend_new (config_file, VA_SETTINGS_PATH, VA_KEYFILE_GROUP);
    else
      backend = g_memory_settings_backend_new ();
    self->gsettings = g_settings_new_full (self->schema, backend, NULL);
    self->effective_config_file = g_steal_pointer (&config_file);
  } else {
    self->gsettings = g_settings_new_full (self->schema, NULL, NULL);
  }
  return TRUE;
}

static void
va_settings_resolve_paths (VaSettings *self, const char *const *envp)
{
  VaSettingsEntry *data = g_hash_table_lookup (self->entries, "data-dir");
  g_autofree char *data_dir
      = va_settings_resolve_data_dir (g_variant_get_string (data->value, NULL), envp);

  for (guint i = 0; i < G_N_ELEMENTS (va_settings_path_keys); i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, va_settings_path_keys[i].key);
    const char *v = g_variant_get_string (e->value, NULL);
    const char *default_name = va_settings_path_keys[i].default_name;
    g_autofree char *resolved = NULL;

    if (e == data)
      resolved = g_strdup (data_dir);
    else if (*v != '\0')
      resolved = g_canonicalize_filename (v, NULL);
    else if (default_name != NULL)
      resolved = g_build_filename (data_dir, default_name, NULL);
    else
      continue;

    g_clear_pointer (&e->value, g_variant_unref);
    e->value = g_variant_ref_sink (g_variant_new_string (resolved));
  }
}

/**
 * va_settings_load:
 * @self: settings, with flags already parsed
 * @envp: (nullable): the environment to read, %NULL for the process's
 * @error: return location for a #GError
 *
 * Computes every effective value: default < GSettings or keyfile <
 * environment < command line. Any malformed or out-of-range value, from any
 * source and even when a higher one overrides it, is an error
 * (%VA_ERROR_INVALID_ARGUMENT) naming its variable, flag or file and the
 * allowed values.
 */
gboolean
va_settings_load (VaSettings *self, const char *const *envp, GError **error)
{
  g_auto (GStrv) own_env = NULL;
  g_autoptr (GHashTable) env_values = NULL;
  g_autoptr (GHashTable) env_origins = NULL;
  g_autoptr (GSettingsBackend) backend = NULL;

  g_return_val_if_fail (VA_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (!self->loaded, FALSE);

  if (envp == NULL)
    envp = (const char *const *)(own_env = g_get_environ ());
  env_values
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_variant_unref);
  env_origins = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; self->keys[i] != NULL; i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, self->keys[i]);

    for (guint j = 0; e->env_names[j] != NULL; j++) {
      const char *name = e->env_names[j];
      const char *text = va_settings_getenv (envp, name);
      g_autofree char *converted = NULL;
      GVariant *v;

      if (text == NULL)
        continue;
      if (g_str_equal (name, "DATABASE_URL")) {
        text = converted = va_settings_value_from_database_url (text, error);
        if (text == NULL)
          return FALSE;
      }
      v = va_settings_value_parse (e->key, text, name, error);
      if (v == NULL)
        return FALSE;
      if (g_hash_table_contains (env_values, e->name)) {
        g_variant_unref (v); /* an earlier name wins; this one was still checked */
        continue;
      }
      g_hash_table_insert (env_values, e->name, v);
      g_hash_table_insert (env_origins, e->name, (gpointer)name);
    }
  }

  if (!va_settings_choose_backend (self, envp, env_values, error))
    return FALSE;
  g_object_get (self->gsettings, "backend", &backend, NULL);

  for (guint i = 0; self->keys[i] != NULL; i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, self->keys[i]);
    g_autoptr (GVariant) stored = g_settings_get_user_value (self->gsettings, e->name);
    GVariant *env = g_hash_table_lookup (env_values, e->name);

    va_settings_entry_set (e, g_settings_schema_key_get_default_value (e->key),
                           VA_SETTINGS_SOURCE_DEFAULT, NULL);
    if (stored != NULL) {
      if (self->effective_kind == VA_SETTINGS_BACKEND_KEYFILE) {
        /* already checked line by line */
        va_settings_entry_set (e, stored, VA_SETTINGS_SOURCE_KEYFILE, self->effective_config_file);
      } else {
        g_autofree char *where = g_strdup_printf (_ ("GSettings key “%s”"), e->name);
        if (!va_settings_value_check (e->key, stored, where, NULL, error))
          return FALSE;
        va_settings_entry_set (e, stored, VA_SETTINGS_SOURCE_GSETTINGS,
                               G_OBJECT_TYPE_NAME (backend));
      }
    }
    if (env != NULL)
      va_settings_entry_set (e, env, VA_SETTINGS_SOURCE_ENVIRONMENT,
                             g_hash_table_lookup (env_origins, e->name));
    if (e->override != NULL)
      va_settings_entry_set (e, e->override, VA_SETTINGS_SOURCE_COMMAND_LINE, e->flag_name);
  }

  va_settings_resolve_paths (self, envp);
  if (!va_settings_cross_check (self, error))
    return FALSE;

  for (guint i = 0; self->keys[i] != NULL; i++) {
    VaSettingsEntry *e = g_hash_table_lookup (self->entries, self->keys[i]);
    if (g_variant_is_of_type (e->value, G_VARIANT_TYPE_STRING_ARRAY))
      e->strv = g_variant_dup_strv (e->value, NULL);
  }
  self->loaded = TRUE;
  return TRUE;
}

/**
 * va_settings_new_loaded:
 * @envp: (nullable): the environment to read, %NULL for the process's
 * @error: return location for a #GError
 *
 * va_settings_new() + va_settings_load() without command-line flags.
 *
 * Returns: (transfer full): loaded settings or %NULL
 */
VaSettings *
va_settings_new_loaded (const char *const *envp, GError **error)
{
  g_autoptr (VaSettings) self = va_settings_new (error);

  if (self == NULL || !va_settings_load (self, envp, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- Getters --------------------------------------------------------------- */

static VaSettingsEntry *
va_settings_get_entry (VaSettings *self, const char *key, const GVariantType *type)
{
  VaSettingsEntry *e;

  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (self->loaded, NULL);
  e = va_settings_lookup (self, key);
  if (e == NULL)
    return NULL;
  if (type != NULL && !g_variant_is_of_type (e->value, type)) {
    g_critical ("Setting “%s” has type %s, not %s", key, g_variant_get_type_string (e->value),
                g_variant_type_peek_string (type));
    return NULL;
  }
  return e;
}

gboolean
va_settings_get_boolean (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_BOOLEAN);
  return e != NULL ? g_variant_get_boolean (e->value) : FALSE;
}

gint
va_settings_get_int (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_INT32);
  return e != NULL ? g_variant_get_int32 (e->value) : 0;
}

guint
va_settings_get_uint (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_UINT32);
  return e != NULL ? g_variant_get_uint32 (e->value) : 0;
}

guint64
va_settings_get_uint64 (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_UINT64);
  return e != NULL ? g_variant_get_uint64 (e->value) : 0;
}

double
va_settings_get_double (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_DOUBLE);
  return e != NULL ? g_variant_get_double (e->value) : 0.0;
}

/**
 * va_settings_get_string:
 *
 * Path settings (data-dir, storage-dir, log-dir, token-dir, database-path,
 * tls-*) come back resolved: absolute, with the data-directory defaults
 * filled in.
 *
 * Returns: (transfer none): the value, valid as long as @self
 */
const char *
va_settings_get_string (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_STRING);
  return e != NULL ? g_variant_get_string (e->value, NULL) : NULL;
}

/**
 * va_settings_get_strv:
 *
 * Returns: (transfer none): the list, valid as long as @self
 */
const char *const *
va_settings_get_strv (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, G_VARIANT_TYPE_STRING_ARRAY);
  return e != NULL ? (const char *const *)e->strv : NULL;
}

/**
 * va_settings_get_value:
 *
 * Returns: (transfer none): the effective value, valid as long as @self
 */
GVariant *
va_settings_get_value (VaSettings *self, const char *key)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, NULL);
  return e != NULL ? e->value : NULL;
}

/**
 * va_settings_get_source:
 * @origin: (out) (optional) (transfer none): the variable name, the flag
 *   (`--port`), the keyfile path or the GSettings backend type; %NULL for
 *   defaults
 */
VaSettingsSource
va_settings_get_source (VaSettings *self, const char *key, const char **origin)
{
  VaSettingsEntry *e = va_settings_get_entry (self, key, NULL);

  if (origin != NULL)
    *origin = e != NULL ? e->origin : NULL;
  return e != NULL ? e->source : VA_SETTINGS_SOURCE_DEFAULT;
}

const char *
va_settings_source_to_string (VaSettingsSource source)
{
  switch (source) {
  case VA_SETTINGS_SOURCE_GSETTINGS:
    return "gsettings";
  case VA_SETTINGS_SOURCE_KEYFILE:
    return "keyfile";
  case VA_SETTINGS_SOURCE_ENVIRONMENT:
    return "environment";
  case VA_SETTINGS_SOURCE_COMMAND_LINE:
    return "command-line";
  case VA_SETTINGS_SOURCE_DEFAULT:
  default:
    return "default";
  }
}

/**
 * va_settings_list_keys:
 *
 * Returns: (transfer none): every setting, sorted
 */
const char *const *
va_settings_list_keys (VaSettings *self)
{
  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);
  return (const char *const *)self->keys;
}

const char *
va_settings_get_summary (VaSettings *self, const char *key)
{
  VaSettingsEntry *e;

  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);
  e = va_settings_lookup (self, key);
  return e != NULL ? g_settings_schema_key_get_summary (e->key) : NULL;
}

/**
 * va_settings_get_env_names:
 *
 * Returns: (transfer none): the variables read for @key, in order of
 *   precedence (VIDEOANNOTATOR_<KEY> first)
 */
const char *const *
va_settings_get_env_names (VaSettings *self, const char *key)
{
  VaSettingsEntry *e;

  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);
  e = va_settings_lookup (self, key);
  return e != NULL ? (const char *const *)e->env_names : NULL;
}

VaSettingsBackendKind
va_settings_get_backend_kind (VaSettings *self)
{
  g_return_val_if_fail (VA_IS_SETTINGS (self), VA_SETTINGS_BACKEND_AUTO);
  return self->effective_kind;
}

/**
 * va_settings_get_config_file:
 *
 * Returns: (nullable): the keyfile read (it may not exist), or %NULL when
 *   the GSettings backend is used
 */
const char *
va_settings_get_config_file (VaSettings *self)
{
  g_return_val_if_fail (VA_IS_SETTINGS (self), NULL);
  return self->effective_config_file;
}

const char *
va_settings_get_data_dir (VaSettings *self)
{
  return va_settings_get_string (self, "data-dir");
}

const char *
va_settings_get_storage_dir (VaSettings *self)
{
  return va_settings_get_string (self, "storage-dir");
}

const char *
va_settings_get_log_dir (VaSettings *self)
{
  return va_settings_get_string (self, "log-dir");
}

const char *
va_settings_get_token_dir (VaSettings *self)
{
  return va_settings_get_string (self, "token-dir");
}

const char *
va_settings_get_database_path (VaSettings *self)
{
  return va_settings_get_string (self, "database-path");
}
