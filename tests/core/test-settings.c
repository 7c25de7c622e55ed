/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <string.h>

#include "va-error.h"
#include "va-settings.h"

typedef struct {
  char *tmp;      /* scratch directory, removed afterwards */
  char *data_dir; /* tmp/data */
  GStrv envp;     /* a minimal environment: no bus, HOME and XDG_DATA_HOME in tmp */
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      rm_rf (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *home = NULL;
  g_autofree char *xdg = NULL;

  f->tmp = g_dir_make_tmp ("va-settings-XXXXXX", NULL);
  g_assert_nonnull (f->tmp);
  home = g_build_filename (f->tmp, "home", NULL);
  xdg = g_build_filename (f->tmp, "xdg", NULL);
  f->data_dir = g_build_filename (xdg, "videoannotator", NULL);
  f->envp = g_environ_setenv (NULL, "HOME", home, TRUE);
  f->envp = g_environ_setenv (f->envp, "XDG_DATA_HOME", xdg, TRUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
  g_strfreev (f->envp);
}

static void
fixture_setenv (Fixture *f, const char *name, const char *value)
{
  f->envp = g_environ_setenv (f->envp, name, value, TRUE);
}

static void
write_conf (const char *path, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Loads with the memory backend unless the environment decides otherwise. */
static VaSettings *
load (Fixture *f, GError **error)
{
  g_autoptr (VaSettings) settings = va_settings_new (error);

  if (settings == NULL)
    return NULL;
  if (!va_settings_load (settings, (const char *const *)f->envp, error))
    return NULL;
  return g_steal_pointer (&settings);
}

static void
assert_source (VaSettings *settings, const char *key, VaSettingsSource source, const char *origin)
{
  const char *got_origin = NULL;

  g_assert_cmpstr (
      va_settings_source_to_string (va_settings_get_source (settings, key, &got_origin)), ==,
      va_settings_source_to_string (source));
  g_assert_cmpstr (got_origin, ==, origin);
}

static void
test_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autofree char *storage = g_build_filename (f->data_dir, "storage", NULL);
  g_autofree char *logs = g_build_filename (f->data_dir, "logs", NULL);
  g_autofree char *tokens = g_build_filename (f->data_dir, "tokens", NULL);
  g_autofree char *db = g_build_filename (f->data_dir, "videoannotator.db", NULL);
  const char *const *origins;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  settings = load (f, &error);
  g_assert_no_error (error);

  g_assert_cmpint (va_settings_get_backend_kind (settings), ==, VA_SETTINGS_BACKEND_GSETTINGS);
  g_assert_null (va_settings_get_config_file (settings));
  g_assert_cmpint (va_settings_get_int (settings, "port"), ==, 18011);
  g_assert_cmpstr (va_settings_get_string (settings, "bind-address"), ==, "127.0.0.1");
  g_assert_true (va_settings_get_boolean (settings, "auth-required"));
  g_assert_false (va_settings_get_boolean (settings, "debug"));
  g_assert_cmpstr (va_settings_get_string (settings, "log-level"), ==, "info");
  g_assert_cmpuint (va_settings_get_uint (settings, "max-concurrent-jobs"), ==, 2);
  g_assert_cmpuint (va_settings_get_uint64 (settings, "max-upload-size"), ==,
                    G_GUINT64_CONSTANT (10) << 30);
  g_assert_cmpuint (va_settings_get_uint (settings, "retention-days"), ==, 90);
  g_assert_cmpstr (va_settings_get_string (settings, "cleanup-schedule"), ==, "0 2 * * *");
  g_assert_cmpuint (va_settings_get_uint (settings, "rate-limit"), ==, 10);
  g_assert_cmpuint (va_settings_get_uint (settings, "rate-limit-burst"), ==, 20);
  g_assert_cmpfloat (va_settings_get_double (settings, "scene-threshold"), ==, 30.0);
  g_assert_cmpfloat (va_settings_get_double (settings, "scene-min-length"), ==, 1.0);
  g_assert_cmpstr (va_settings_get_string (settings, "tls-certificate"), ==, "");
  origins = va_settings_get_strv (settings, "cors-origins");
  g_assert_true (g_strv_contains (origins, "http://localhost:18011"));
  g_assert_cmpuint (g_strv_length ((char **)va_settings_get_strv (settings, "trusted-proxies")), ==,
                    0);

  g_assert_cmpstr (va_settings_get_data_dir (settings), ==, f->data_dir);
  g_assert_cmpstr (va_settings_get_storage_dir (settings), ==, storage);
  g_assert_cmpstr (va_settings_get_log_dir (settings), ==, logs);
  g_assert_cmpstr (va_settings_get_token_dir (settings), ==, tokens);
  g_assert_cmpstr (va_settings_get_database_path (settings), ==, db);

  for (const char *const *k = va_settings_list_keys (settings); *k != NULL; k++) {
    assert_source (settings, *k, VA_SETTINGS_SOURCE_DEFAULT, NULL);
    g_assert_nonnull (va_settings_get_summary (settings, *k));
  }
}

static void
test_precedence (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr (GSettingsSchema) schema = g_settings_schema_source_lookup (
      g_settings_schema_source_get_default (), VA_SETTINGS_SCHEMA_ID, TRUE);
  g_autoptr (GSettings) stored = g_settings_new_full (schema, backend, NULL);
  g_autoptr (VaSettings) settings = va_settings_new (&error);

  g_assert_no_error (error);
  /* port is set at every level; the others stop at one level each */
  g_settings_set_int (stored, "port", 2000);
  g_settings_set_uint (stored, "max-concurrent-jobs", 3);
  g_settings_set_boolean (stored, "debug", TRUE);
  g_settings_set_string (stored, "log-level", "warning");
  fixture_setenv (f, "API_PORT", "3000");
  fixture_setenv (f, "DEBUG", "off");
  fixture_setenv (f, "LOG_LEVEL", "ERROR");
  fixture_setenv (f, "CORS_ORIGINS", " https://a.example.org ,https://b.example.org:8443,, ");
  va_settings_set_backend (settings, backend);
  va_settings_set_override (settings, "port", "4000", &error);
  g_assert_no_error (error);
  va_settings_set_override (settings, "log-level", "Debug", &error);
  g_assert_no_error (error);

  va_settings_load (settings, (const char *const *)f->envp, &error);
  g_assert_no_error (error);

  g_assert_cmpint (va_settings_get_int (settings, "port"), ==, 4000);
  assert_source (settings, "port", VA_SETTINGS_SOURCE_COMMAND_LINE, "--port");
  g_assert_cmpuint (va_settings_get_uint (settings, "max-concurrent-jobs"), ==, 3);
  assert_source (settings, "max-concurrent-jobs", VA_SETTINGS_SOURCE_GSETTINGS,
                 "GMemorySettingsBackend");
  g_assert_false (va_settings_get_boolean (settings, "debug"));
  assert_source (settings, "debug", VA_SETTINGS_SOURCE_ENVIRONMENT, "DEBUG");
  g_assert_cmpstr (va_settings_get_string (settings, "log-level"), ==, "debug");
  assert_source (settings, "log-level", VA_SETTINGS_SOURCE_COMMAND_LINE, "--log-level");
  g_assert_cmpstrv (
      va_settings_get_strv (settings, "cors-origins"),
      ((const char *const[]){ "https://a.example.org", "https://b.example.org:8443", NULL }));
  assert_source (settings, "cors-origins", VA_SETTINGS_SOURCE_ENVIRONMENT, "CORS_ORIGINS");
  assert_source (settings, "bind-address", VA_SETTINGS_SOURCE_DEFAULT, NULL);
}

/* VIDEOANNOTATOR_<KEY> wins over the checklist's name; the first alias wins
 * over the fallback. */
static void
test_env_names (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  const char *const *names;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  fixture_setenv (f, "VIDEOANNOTATOR_PORT", "5000");
  fixture_setenv (f, "API_PORT", "6000");
  fixture_setenv (f, "SECURITY_ENABLED", "false");
  fixture_setenv (f, "AUTO_GENERATE_API_KEY", "");
  fixture_setenv (f, "AUTO_GENERATE_KEY", "no");
  fixture_setenv (f, "STORAGE_RETENTION_DAYS", "0");
  fixture_setenv (f, "MAX_CONCURRENT_JOBS", "4");
  fixture_setenv (f, "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "512M");
  fixture_setenv (f, "VIDEOANNOTATOR_LOG_MAX_SIZE", "64KiB");
  fixture_setenv (f, "VIDEOANNOTATOR_SCENE_THRESHOLD", " 12.5 ");
  fixture_setenv (f, "VIDEOANNOTATOR_ENABLE_VIEWER", "0");
  settings = load (f, &error);
  g_assert_no_error (error);

  g_assert_cmpint (va_settings_get_int (settings, "port"), ==, 5000);
  assert_source (settings, "port", VA_SETTINGS_SOURCE_ENVIRONMENT, "VIDEOANNOTATOR_PORT");
  g_assert_false (va_settings_get_boolean (settings, "auth-required"));
  assert_source (settings, "auth-required", VA_SETTINGS_SOURCE_ENVIRONMENT, "SECURITY_ENABLED");
  /* empty means unset, so the fallback name applies */
  g_assert_false (va_settings_get_boolean (settings, "auto-generate-api-key"));
  assert_source (settings, "auto-generate-api-key", VA_SETTINGS_SOURCE_ENVIRONMENT,
                 "AUTO_GENERATE_KEY");
  g_assert_cmpuint (va_settings_get_uint (settings, "retention-days"), ==, 0);
  g_assert_cmpuint (va_settings_get_uint (settings, "max-concurrent-jobs"), ==, 4);
  g_assert_cmpuint (va_settings_get_uint64 (settings, "max-upload-size"), ==, 512u << 20);
  g_assert_cmpuint (va_settings_get_uint64 (settings, "log-max-size"), ==, 64u << 10);
  g_assert_cmpfloat (va_settings_get_double (settings, "scene-threshold"), ==, 12.5);
  g_assert_false (va_settings_get_boolean (settings, "web-ui"));

  names = va_settings_get_env_names (settings, "auth-required");
  g_assert_cmpstrv (names, ((const char *const[]){ "VIDEOANNOTATOR_AUTH_REQUIRED", "AUTH_REQUIRED",
                                                   "SECURITY_ENABLED", NULL }));
  names = va_settings_get_env_names (settings, "storage-dir");
  g_assert_cmpstrv (names,
                    ((const char *const[]){ "VIDEOANNOTATOR_STORAGE_DIR", "STORAGE_ROOT", NULL }));
}

static void
test_booleans (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *text;
    gboolean value;
  } cases[] = {
    { "true", TRUE }, { "TRUE", TRUE }, { "1", TRUE },      { "yes", TRUE },
    { "On", TRUE },   { " on ", TRUE }, { "false", FALSE }, { "False", FALSE },
    { "0", FALSE },   { "no", FALSE },  { "off", FALSE },   { "OFF", FALSE },
  };

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaSettings) settings = NULL;

    fixture_setenv (f, "AUTH_REQUIRED", cases[i].text);
    settings = load (f, &error);
    g_assert_no_error (error);
    g_assert_cmpint (va_settings_get_boolean (settings, "auth-required"), ==, cases[i].value);
  }
}

/* A value no key of this type accepts, or NULL when every text is valid. */
static const char *
bad_text_for (VaSettings *settings, const char *key)
{
  const GVariantType *type = g_variant_get_type (va_settings_get_value (settings, key));

  if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    return "maybe";
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY))
    return g_str_equal (key, "cors-origins") || g_str_equal (key, "trusted-proxies") ? "not an item"
                                                                                     : NULL;
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING)) {
    if (g_str_equal (key, "log-level") || g_str_equal (key, "secret-backend")
        || g_str_equal (key, "bind-address") || g_str_equal (key, "cleanup-schedule"))
      return "bogus";
    if (g_str_equal (key, "alert-command"))
      return "mail \"admin";
    return NULL;
  }
  return "12abc";
}

/* Every variable of every setting that can be malformed: the error names the
 * variable and says what is allowed. */
static void
test_bad_env_names_variable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) reference = NULL;
  guint checked = 0;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  reference = load (f, &error);
  g_assert_no_error (error);

  for (const char *const *k = va_settings_list_keys (reference); *k != NULL; k++) {
    const char *bad = bad_text_for (reference, *k);
    const char *const *names = va_settings_get_env_names (reference, *k);

    if (bad == NULL)
      continue;
    for (guint i = 0; names[i] != NULL; i++) {
      g_auto (GStrv) saved = g_strdupv (f->envp);
      g_autoptr (VaSettings) settings = NULL;

      if (g_str_equal (names[i], "DATABASE_URL"))
        continue;
      fixture_setenv (f, names[i], bad);
      settings = load (f, &error);
      g_assert_null (settings);
      g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, names[i]) == NULL || strstr (error->message, "expected") == NULL)
        g_error ("error for %s=%s does not name it: %s", names[i], bad, error->message);
      g_clear_error (&error);
      g_strfreev (f->envp);
      f->envp = g_steal_pointer (&saved);
      checked++;
    }
  }
  g_assert_cmpuint (checked, >, 35);
}

static void
assert_env_error (Fixture *f, const char *name, const char *value, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_auto (GStrv) saved = g_strdupv (f->envp);

  fixture_setenv (f, name, value);
  settings = load (f, &error);
  g_assert_null (settings);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, name) == NULL || strstr (error->message, expected) == NULL)
    g_error ("%s=%s: message “%s” lacks “%s”", name, value, error->message, expected);
  g_strfreev (f->envp);
  f->envp = g_steal_pointer (&saved);
}

static void
test_bad_values (Fixture *f, gconstpointer data)
{
  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  assert_env_error (f, "AUTH_REQUIRED", "maybe", "true or false");
  assert_env_error (f, "API_PORT", "99999", "from 1 to 65535");
  assert_env_error (f, "API_PORT", "0", "from 1 to 65535");
  assert_env_error (f, "API_PORT", "-5", "from 1 to 65535");
  assert_env_error (f, "API_PORT", "80 80", "from 1 to 65535");
  assert_env_error (f, "LOG_LEVEL", "verbose", "one of: debug, info, warning, error, critical");
  assert_env_error (f, "MAX_CONCURRENT_JOBS", "0", "from 1 to 256");
  assert_env_error (f, "STORAGE_RETENTION_DAYS", "-1", "from 0 to 36500");
  assert_env_error (f, "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "10X", "suffixes K, M, G, T");
  assert_env_error (f, "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "1.5G", "size in bytes");
  assert_env_error (f, "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "99999999999999999999", "size in bytes");
  assert_env_error (f, "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "100", "from 1048576");
  assert_env_error (f, "VIDEOANNOTATOR_SCENE_THRESHOLD", "101", "from 0.0 to 100.0");
  assert_env_error (f, "VIDEOANNOTATOR_SCENE_THRESHOLD", "nan", "number");
  assert_env_error (f, "VIDEOANNOTATOR_SCENE_THRESHOLD", "3O", "number");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "0 25 * * *", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "0 2 * *", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "0 2 * * * *", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "*/0 2 * * *", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "5-1 2 * * *", "cron");
  /* empty list items used to crash the cron check (fuzzing/fuzz_settings_value) */
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "0 2 * * ,", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "0,,5 2 * * *", "cron");
  assert_env_error (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "/5 2 * * *", "cron");
  assert_env_error (f, "CORS_ORIGINS", "https://app.example.org/", "scheme://host[:port]");
  assert_env_error (f, "CORS_ORIGINS", "https://ok.example.org,app.example.org", "app.example.org");
  assert_env_error (f, "CORS_ORIGINS", "ftp://files.example.org", "no path");
  assert_env_error (f, "API_HOST", "example.org", "IP address");
  assert_env_error (f, "VIDEOANNOTATOR_TRUSTED_PROXIES", "10.0.0.1,10.0.0.0/33", "10.0.0.0/33");
  assert_env_error (f, "VIDEOANNOTATOR_SECRET_BACKEND", "vault", "auto, libsecret, file");
  assert_env_error (f, "VIDEOANNOTATOR_ALERT_COMMAND", "mail 'admin", "balanced quotes");
  assert_env_error (f, "DATABASE_URL", "postgresql://db/va", "sqlite:///PATH");
  assert_env_error (f, "VIDEOANNOTATOR_SETTINGS_BACKEND", "registry", "auto, gsettings, keyfile");
  /* a broken variable is an error even when a flag or a preferred name wins */
  fixture_setenv (f, "AUTH_REQUIRED", "true");
  assert_env_error (f, "SECURITY_ENABLED", "maybe", "SECURITY_ENABLED");
}

static void
test_valid_special_values (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  fixture_setenv (f, "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "*/15 1-5,22 * 1,6 0-7/2");
  fixture_setenv (f, "API_HOST", "::");
  fixture_setenv (f, "VIDEOANNOTATOR_TRUSTED_PROXIES", "10.0.0.0/8, ::1");
  fixture_setenv (f, "CORS_ORIGINS", "https://app.example.org,http://[::1]:3000,*");
  fixture_setenv (f, "VIDEOANNOTATOR_ALERT_COMMAND", "mail -s 'VideoAnnotator alert' root");
  fixture_setenv (f, "DATABASE_URL", "sqlite:////srv/va/jobs.db");
  settings = load (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_settings_get_string (settings, "cleanup-schedule"), ==,
                   "*/15 1-5,22 * 1,6 0-7/2");
  g_assert_cmpstr (va_settings_get_string (settings, "bind-address"), ==, "::");
  g_assert_cmpstr (va_settings_get_database_path (settings), ==, "/srv/va/jobs.db");
  assert_source (settings, "database-path", VA_SETTINGS_SOURCE_ENVIRONMENT, "DATABASE_URL");
}

static void
test_bad_override (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_settings_new (&error);

  g_assert_no_error (error);
  g_assert_false (va_settings_set_override (settings, "port", "99999", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "--port"));
  g_assert_nonnull (strstr (error->message, "99999"));
  g_clear_error (&error);
  g_assert_false (va_settings_set_override (settings, "no-such-setting", "1", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no-such-setting"));
}

static void
test_option_group (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_settings_new (&error);
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *dir = g_build_filename (f->tmp, "elsewhere", NULL);
  g_autofree char *dir_arg = g_strconcat ("--data-dir=", dir, NULL);
  g_autofree char *storage = g_build_filename (dir, "storage", NULL);
  /* a bare boolean flag must not swallow the positional argument after it */
  const char *const args[] = { "videoannotator",
                               "--port",
                               "2020",
                               "--auth-required=no",
                               dir_arg,
                               "--cors-origins",
                               "https://a.example.org, https://b.example.org",
                               "--max-upload-size=2G",
                               "--settings-backend=gsettings",
                               "--debug",
                               "positional",
                               "--",
                               "--web-ui",
                               NULL };
  g_auto (GStrv) argv = g_strdupv ((char **)args);

  g_assert_no_error (error);
  g_option_context_add_group (context, va_settings_get_option_group (settings));
  va_settings_parse_command_line (settings, context, &argv, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (
      argv, ((const char *const[]){ "videoannotator", "positional", "--", "--web-ui", NULL }));

  va_settings_load (settings, (const char *const *)f->envp, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_settings_get_backend_kind (settings), ==, VA_SETTINGS_BACKEND_GSETTINGS);
  g_assert_cmpint (va_settings_get_int (settings, "port"), ==, 2020);
  g_assert_true (va_settings_get_boolean (settings, "debug"));
  assert_source (settings, "debug", VA_SETTINGS_SOURCE_COMMAND_LINE, "--debug");
  g_assert_false (va_settings_get_boolean (settings, "auth-required"));
  g_assert_cmpuint (va_settings_get_uint64 (settings, "max-upload-size"), ==,
                    G_GUINT64_CONSTANT (2) << 30);
  g_assert_cmpstrv (
      va_settings_get_strv (settings, "cors-origins"),
      ((const char *const[]){ "https://a.example.org", "https://b.example.org", NULL }));
  g_assert_cmpstr (va_settings_get_data_dir (settings), ==, dir);
  g_assert_cmpstr (va_settings_get_storage_dir (settings), ==, storage);
}

static void
test_option_group_bad_flag (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_settings_new (&error);
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  const char *const args[] = { "videoannotator", "--log-level", "loud", NULL };
  g_auto (GStrv) argv = g_strdupv ((char **)args);

  g_option_context_add_group (context, va_settings_get_option_group (settings));
  g_assert_false (va_settings_parse_command_line (settings, context, &argv, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "--log-level"));
  g_assert_nonnull (strstr (error->message, "debug, info, warning, error, critical"));
}

static void
test_data_dir_resolution (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaSettings) from_home = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *rel_data = g_build_filename (cwd, "rel-data", NULL);
  g_autofree char *home_data = NULL;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  fixture_setenv (f, "VIDEOANNOTATOR_DATA_DIR", "rel-data/./");
  fixture_setenv (f, "VIDEOANNOTATOR_STORAGE_DIR", "/srv/media/../video storage/");
  fixture_setenv (f, "LOG_DIR", "/var/log/videoannotator");
  settings = load (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_settings_get_data_dir (settings), ==, rel_data);
  g_assert_cmpstr (va_settings_get_storage_dir (settings), ==, "/srv/video storage");
  assert_source (settings, "storage-dir", VA_SETTINGS_SOURCE_ENVIRONMENT,
                 "VIDEOANNOTATOR_STORAGE_DIR");
  g_assert_cmpstr (va_settings_get_log_dir (settings), ==, "/var/log/videoannotator");
  g_assert_true (g_str_has_prefix (va_settings_get_token_dir (settings), rel_data));

  /* no XDG_DATA_HOME (or a relative one, which the XDG spec ignores) */
  fixture_setenv (f, "XDG_DATA_HOME", "relative/xdg");
  f->envp = g_environ_unsetenv (f->envp, "VIDEOANNOTATOR_DATA_DIR");
  from_home = load (f, &error);
  g_assert_no_error (error);
  home_data = g_build_filename (g_environ_getenv (f->envp, "HOME"), ".local", "share",
                                "videoannotator", NULL);
  g_assert_cmpstr (va_settings_get_data_dir (from_home), ==, home_data);
}

static void
test_keyfile (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autofree char *conf = g_build_filename (f->data_dir, "videoannotator.conf", NULL);

  write_conf (conf, "# server settings\n"
                    "[videoannotator]\n"
                    "port=2000\n"
                    "bind-address='0.0.0.0'\n"
                    "cors-origins=['https://app.example.org']\n"
                    "max-upload-size=uint64 1048576\n"
                    "debug=true\n");
  /* no session bus and no GSETTINGS_BACKEND: auto picks the keyfile */
  fixture_setenv (f, "DEBUG", "false");
  settings = load (f, &error);
  g_assert_no_error (error);

  g_assert_cmpint (va_settings_get_backend_kind (settings), ==, VA_SETTINGS_BACKEND_KEYFILE);
  g_assert_cmpstr (va_settings_get_config_file (settings), ==, conf);
  g_assert_cmpint (va_settings_get_int (settings, "port"), ==, 2000);
  assert_source (settings, "port", VA_SETTINGS_SOURCE_KEYFILE, conf);
  g_assert_cmpstr (va_settings_get_string (settings, "bind-address"), ==, "0.0.0.0");
  g_assert_cmpstrv (va_settings_get_strv (settings, "cors-origins"),
                    ((const char *const[]){ "https://app.example.org", NULL }));
  g_assert_cmpuint (va_settings_get_uint64 (settings, "max-upload-size"), ==, 1048576);
  g_assert_false (va_settings_get_boolean (settings, "debug"));
  assert_source (settings, "debug", VA_SETTINGS_SOURCE_ENVIRONMENT, "DEBUG");
  assert_source (settings, "log-level", VA_SETTINGS_SOURCE_DEFAULT, NULL);
}

static void
test_keyfile_missing_is_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;

  fixture_setenv (f, "VIDEOANNOTATOR_SETTINGS_BACKEND", "keyfile");
  settings = load (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_settings_get_backend_kind (settings), ==, VA_SETTINGS_BACKEND_KEYFILE);
  assert_source (settings, "port", VA_SETTINGS_SOURCE_DEFAULT, NULL);
  /* reading does not create anything */
  g_assert_false (g_file_test (f->data_dir, G_FILE_TEST_EXISTS));
}

static void
test_keyfile_explicit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autofree char *conf = g_build_filename (f->tmp, "etc", "va.conf", NULL);
  g_autofree char *missing = g_build_filename (f->tmp, "nope.conf", NULL);

  write_conf (conf, "[videoannotator]\ndata-dir='/srv/va'\nlog-level='debug'\n");
  fixture_setenv (f, "GSETTINGS_BACKEND", "memory"); /* an explicit file wins */
  fixture_setenv (f, "VIDEOANNOTATOR_CONFIG_FILE", conf);
  settings = load (f, &error);
  g_assert_no_error (error);
  g_assert_cmpint (va_settings_get_backend_kind (settings), ==, VA_SETTINGS_BACKEND_KEYFILE);
  g_assert_cmpstr (va_settings_get_data_dir (settings), ==, "/srv/va");
  g_assert_cmpstr (va_settings_get_storage_dir (settings), ==, "/srv/va/storage");
  g_assert_cmpstr (va_settings_get_string (settings, "log-level"), ==, "debug");
  g_clear_object (&settings);

  fixture_setenv (f, "VIDEOANNOTATOR_CONFIG_FILE", missing);
  settings = load (f, &error);
  g_assert_null (settings);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
}

static void
test_keyfile_errors (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *contents;
    const char *expected;
  } cases[] = {
    { "[videoannotator]\nprot=1\n", "unknown setting “prot”" },
    { "[videoannotator]\nport=abc\n", "“port” in" },
    { "[videoannotator]\nport=70000\n", "from 1 to 65535" },
    { "[videoannotator]\nbind-address=0.0.0.0\n", "text in quotes" },
    { "[videoannotator]\ncleanup-schedule='daily'\n", "cron" },
    { "[videoannotator]\nlog-level='loud'\n", "debug, info, warning, error, critical" },
    { "[server]\nport=1\n", "unknown section [server]" },
    { "port=1\n", "videoannotator.conf" },
    { "[videoannotator]\ndata-dir='/elsewhere'\n", "--data-dir" },
  };
  g_autofree char *conf = g_build_filename (f->data_dir, "videoannotator.conf", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaSettings) settings = NULL;

    write_conf (conf, cases[i].contents);
    settings = load (f, &error);
    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    if (strstr (error->message, cases[i].expected) == NULL)
      g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].expected);
    if (strstr (error->message, conf) == NULL)
      g_error ("case %u: “%s” does not name the file", i, error->message);
  }
}

static void
test_cross_checks (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaSettings) expiry = NULL;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  fixture_setenv (f, "VIDEOANNOTATOR_TLS_CERTIFICATE", "/etc/ssl/va.pem");
  settings = load (f, &error);
  g_assert_null (settings);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "tls-private-key"));
  g_assert_nonnull (strstr (error->message, "VIDEOANNOTATOR_TLS_CERTIFICATE"));
  g_clear_error (&error);

  f->envp = g_environ_unsetenv (f->envp, "VIDEOANNOTATOR_TLS_CERTIFICATE");
  fixture_setenv (f, "VIDEOANNOTATOR_KEY_EXPIRY_DAYS", "365");
  expiry = load (f, &error);
  g_assert_null (expiry);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "key-max-expiry-days"));
  g_assert_nonnull (strstr (error->message, "VIDEOANNOTATOR_KEY_EXPIRY_DAYS"));
}

/* The HTTPS redirect port: a setting like the others (flag over variable
 * over the backend), checked against the TLS settings and the API port. */
static void
test_tls_redirect_port (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture_setenv (f, "GSETTINGS_BACKEND", "memory");
  {
    g_autoptr (VaSettings) settings = load (f, &error);
    g_assert_no_error (error);
    g_assert_cmpint (va_settings_get_int (settings, "tls-redirect-port"), ==, 0);
  }

  fixture_setenv (f, "VIDEOANNOTATOR_TLS_CERTIFICATE", "/etc/ssl/va.pem");
  fixture_setenv (f, "VIDEOANNOTATOR_TLS_PRIVATE_KEY", "/etc/ssl/va.key");
  fixture_setenv (f, "VIDEOANNOTATOR_TLS_REDIRECT_PORT", "8080");
  {
    g_autoptr (VaSettings) settings = load (f, &error);
    g_assert_no_error (error);
    g_assert_cmpint (va_settings_get_int (settings, "tls-redirect-port"), ==, 8080);
    assert_source (settings, "tls-redirect-port", VA_SETTINGS_SOURCE_ENVIRONMENT,
                   "VIDEOANNOTATOR_TLS_REDIRECT_PORT");
  }
  {
    /* the flag wins over the variable */
    g_autoptr (VaSettings) settings = va_settings_new (&error);
    g_autoptr (GOptionContext) context = g_option_context_new (NULL);
    const char *const args[] = { "videoannotator", "--tls-redirect-port", "8081", NULL };
    g_auto (GStrv) argv = g_strdupv ((char **)args);

    g_option_context_add_group (context, va_settings_get_option_group (settings));
    g_assert_true (va_settings_parse_command_line (settings, context, &argv, &error));
    g_assert_true (va_settings_load (settings, (const char *const *)f->envp, &error));
    g_assert_no_error (error);
    g_assert_cmpint (va_settings_get_int (settings, "tls-redirect-port"), ==, 8081);
    assert_source (settings, "tls-redirect-port", VA_SETTINGS_SOURCE_COMMAND_LINE,
                   "--tls-redirect-port");
  }
  {
    /* out of range, from the variable: named */
    g_autoptr (VaSettings) settings = NULL;

    fixture_setenv (f, "VIDEOANNOTATOR_TLS_REDIRECT_PORT", "70000");
    settings = load (f, &error);
    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "VIDEOANNOTATOR_TLS_REDIRECT_PORT"));
    g_clear_error (&error);
  }
  {
    /* the HTTPS port itself */
    g_autoptr (VaSettings) settings = NULL;

    fixture_setenv (f, "VIDEOANNOTATOR_TLS_REDIRECT_PORT", "18011");
    settings = load (f, &error);
    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "is the HTTPS port itself"));
    g_clear_error (&error);
  }
  {
    /* no TLS to redirect to */
    g_autoptr (VaSettings) settings = NULL;

    fixture_setenv (f, "VIDEOANNOTATOR_TLS_REDIRECT_PORT", "8080");
    f->envp = g_environ_unsetenv (f->envp, "VIDEOANNOTATOR_TLS_CERTIFICATE");
    f->envp = g_environ_unsetenv (f->envp, "VIDEOANNOTATOR_TLS_PRIVATE_KEY");
    settings = load (f, &error);
    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "tls-redirect-port is set"));
    g_assert_nonnull (strstr (error->message, "VIDEOANNOTATOR_TLS_REDIRECT_PORT"));
  }
}

/* Environment variables may hold any bytes: a string setting that is not
 * UTF-8 is refused with an error (it used to reach g_variant_new_string(),
 * a critical), and the message quoting it is UTF-8 itself (found by
 * fuzzing/fuzz_settings_value). */
static void
test_non_utf8_values (Fixture *f, gconstpointer data)
{
  static const char *const cases[][2] = {
    { "CORS_ORIGINS", "https://a.example.org,\xf3" },
    { "VIDEOANNOTATOR_ALERT_COMMAND", "notify \xff\xfe" },
    { "VIDEOANNOTATOR_MAX_UPLOAD_SIZE", "upload-\xf3iz1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaSettings) settings = NULL;

    fixture_setenv (f, cases[i][0], cases[i][1]);
    settings = load (f, &error);
    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    g_assert_nonnull (strstr (error->message, cases[i][0]));
    g_assert_nonnull (strstr (error->message, "UTF-8"));
    f->envp = g_environ_unsetenv (f->envp, cases[i][0]);
  }
}

/* g_settings_new() would abort; VaSettings must report it instead. */
static void
test_missing_schema (void)
{
  if (g_test_subprocess ()) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaSettings) settings = va_settings_new (&error);

    g_assert_null (settings);
    g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
    g_assert_nonnull (strstr (error->message, VA_SETTINGS_SCHEMA_ID));
    g_assert_nonnull (strstr (error->message, "GSETTINGS_SCHEMA_DIR"));
    return;
  }
  {
    g_autofree char *empty = g_dir_make_tmp ("va-no-schema-XXXXXX", NULL);
    g_autofree char *old_schema_dir = g_strdup (g_getenv ("GSETTINGS_SCHEMA_DIR"));
    g_autofree char *old_data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));

    /* the child inherits this environment and builds its schema source from it */
    g_setenv ("GSETTINGS_SCHEMA_DIR", empty, TRUE);
    g_setenv ("XDG_DATA_DIRS", empty, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_setenv ("GSETTINGS_SCHEMA_DIR", old_schema_dir, TRUE);
    if (old_data_dirs != NULL)
      g_setenv ("XDG_DATA_DIRS", old_data_dirs, TRUE);
    else
      g_unsetenv ("XDG_DATA_DIRS");
    g_rmdir (empty);
    g_test_trap_assert_passed ();
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add ("/settings/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("defaults", test_defaults);
  ADD ("precedence", test_precedence);
  ADD ("env-names", test_env_names);
  ADD ("booleans", test_booleans);
  ADD ("bad-env-names-variable", test_bad_env_names_variable);
  ADD ("bad-values", test_bad_values);
  ADD ("valid-special-values", test_valid_special_values);
  ADD ("bad-override", test_bad_override);
  ADD ("option-group", test_option_group);
  ADD ("option-group-bad-flag", test_option_group_bad_flag);
  ADD ("data-dir-resolution", test_data_dir_resolution);
  ADD ("keyfile", test_keyfile);
  ADD ("keyfile-missing-is-defaults", test_keyfile_missing_is_defaults);
  ADD ("keyfile-explicit", test_keyfile_explicit);
  ADD ("keyfile-errors", test_keyfile_errors);
  ADD ("cross-checks", test_cross_checks);
  ADD ("tls-redirect-port", test_tls_redirect_port);
  ADD ("non-utf8-values", test_non_utf8_values);
#undef ADD
  g_test_add_func ("/settings/missing-schema", test_missing_schema);
  return g_test_run ();
}
