/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "va-cli-test-utils.h"

/* Black-box tests of `videoannotator config show`: the built binary, run
 * with a controlled environment. */

static const char *videoannotator;

typedef VaCliResult Result;

static void
run (Result *r, const char *const *env, const char *const *args)
{
  va_cli_run (r, videoannotator, env, args);
}

static JsonObject *
parse_settings (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonObject *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "settings"));
  return json_object_get_object_member (root, "settings");
}

static void
assert_setting (JsonObject *settings, const char *key, const char *source, const char *origin)
{
  JsonObject *entry = json_object_get_object_member (settings, key);

  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "source"), ==, source);
  g_assert_cmpstr (json_object_get_string_member_with_default (entry, "origin", NULL), ==, origin);
}

/* Finds the table row of @key and checks its value and source columns. */
static void
assert_row (const char *out, const char *key, const char *value, const char *source)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) cols = NULL;
    g_autofree char *prefix = g_strconcat (key, " ", NULL);

    if (!g_str_has_prefix (lines[i], prefix))
      continue;
    cols = g_regex_split_simple ("\\s{2,}", lines[i], 0, 0);
    g_assert_cmpstr (cols[0], ==, key);
    g_assert_cmpstr (cols[1], ==, value);
    g_assert_cmpstr (cols[2], ==, source);
    return;
  }
  g_error ("no row for %s in:\n%s", key, out);
}

static void
test_plain (void)
{
  g_auto (VaCliResult) r = { 0 };
  g_autofree char *tmp = g_dir_make_tmp ("va-cli-config-XXXXXX", NULL);
  g_autofree char *data_arg = g_strconcat ("--data-dir=", tmp, NULL);
  g_autofree char *quoted = g_strdup_printf ("'%s'", tmp);
  g_autofree char *storage = g_strdup_printf ("'%s/storage'", tmp);
  const char *const env[] = { "LOG_LEVEL=WARNING", "CORS_ORIGINS=https://app.example.org", NULL };
  const char *const args[] = { "config", "show", "--port", "2000", data_arg, "--debug", NULL };

  run (&r, env, args);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "Settings backend: GSettings\n"));
  assert_row (r.out, "port", "2000", "command line (--port)");
  assert_row (r.out, "debug", "true", "command line (--debug)");
  assert_row (r.out, "log-level", "'warning'", "environment (LOG_LEVEL)");
  assert_row (r.out, "cors-origins", "['https://app.example.org']", "environment (CORS_ORIGINS)");
  assert_row (r.out, "auth-required", "true", "default");
  assert_row (r.out, "scene-threshold", "30.0", "default");
  assert_row (r.out, "face-confidence-threshold", "0.7", "default");
  assert_row (r.out, "data-dir", quoted, "command line (--data-dir)");
  assert_row (r.out, "storage-dir", storage, "default");
  g_rmdir (tmp);
}

static void
test_json (void)
{
  g_auto (VaCliResult) r = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *tmp = g_dir_make_tmp ("va-cli-config-XXXXXX", NULL);
  g_autofree char *data_env = g_strconcat ("VIDEOANNOTATOR_DATA_DIR=", tmp, NULL);
  g_autofree char *storage = g_build_filename (tmp, "storage", NULL);
  g_autoptr (GSettingsSchema) schema = g_settings_schema_source_lookup (
      g_settings_schema_source_get_default (), "org.videoannotator.VideoAnnotator", TRUE);
  g_auto (GStrv) keys = g_settings_schema_list_keys (schema);
  const char *const env[]
      = { data_env, "AUTH_REQUIRED=false", "VIDEOANNOTATOR_MAX_UPLOAD_SIZE=1G", NULL };
  const char *const args[] = { "config", "show", "--json", "--rate-limit=50", NULL };
  JsonObject *settings, *port;

  run (&r, env, args);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  settings = parse_settings (parser, r.out);

  /* every key of the schema, nothing else */
  g_assert_cmpuint (json_object_get_size (settings), ==, g_strv_length (keys));
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_true (json_object_has_member (settings, keys[i]));

  port = json_object_get_object_member (settings, "port");
  g_assert_cmpint (json_object_get_int_member (port, "value"), ==, 18011);
  assert_setting (settings, "port", "default", NULL);
  g_assert_false (json_object_get_boolean_member (
      json_object_get_object_member (settings, "auth-required"), "value"));
  assert_setting (settings, "auth-required", "environment", "AUTH_REQUIRED");
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (settings, "max-upload-size"), "value"),
                   ==, G_GINT64_CONSTANT (1) << 30);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (settings, "rate-limit"), "value"),
      ==, 50);
  assert_setting (settings, "rate-limit", "command-line", "--rate-limit");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (settings, "data-dir"), "value"),
      ==, tmp);
  assert_setting (settings, "data-dir", "environment", "VIDEOANNOTATOR_DATA_DIR");
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (settings, "storage-dir"), "value"),
                   ==, storage);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_object_get_object_member (settings, "cors-origins"), "value")),
                    ==, 4);
  g_assert_cmpfloat (json_object_get_double_member (
                         json_object_get_object_member (settings, "scene-threshold"), "value"),
                     ==, 30.0);
  g_rmdir (tmp);
}

/* no session bus and no GSETTINGS_BACKEND: the data dir's keyfile is read */
static void
test_keyfile (void)
{
  g_auto (VaCliResult) r = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *tmp = g_dir_make_tmp ("va-cli-config-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (tmp, "videoannotator.conf", NULL);
  g_autofree char *data_arg = g_strconcat ("--data-dir=", tmp, NULL);
  const char *const env[]
      = { "GSETTINGS_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", NULL };
  const char *const args[] = { "config", "show", "--json", data_arg, NULL };
  g_autoptr (GError) error = NULL;
  JsonObject *settings, *root;

  g_file_set_contents (conf, "[videoannotator]\nretention-days=30\nbind-address='::1'\n", -1,
                       &error);
  g_assert_no_error (error);
  run (&r, env, args);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  settings = parse_settings (parser, r.out);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "backend"), ==, "keyfile");
  g_assert_cmpstr (json_object_get_string_member (root, "config-file"), ==, conf);
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (settings, "retention-days"), "value"),
                   ==, 30);
  assert_setting (settings, "retention-days", "keyfile", conf);
  assert_setting (settings, "bind-address", "keyfile", conf);
  assert_setting (settings, "port", "default", NULL);
  g_unlink (conf);
  g_rmdir (tmp);
}

static void
test_bad_values (void)
{
  static const struct {
    const char *env;
    const char *flag;
    const char *expected[3];
  } cases[] = {
    { "AUTH_REQUIRED=maybe", NULL, { "AUTH_REQUIRED", "“maybe”", "true or false" } },
    { "LOG_LEVEL=verbose", NULL, { "LOG_LEVEL", "debug, info, warning, error, critical" } },
    { "VIDEOANNOTATOR_CLEANUP_SCHEDULE=@daily",
      NULL,
      { "VIDEOANNOTATOR_CLEANUP_SCHEDULE", "cron" } },
    { NULL, "--port=99999", { "--port", "from 1 to 65535" } },
    { NULL, "--max-concurrent-jobs=lots", { "--max-concurrent-jobs", "whole number" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (VaCliResult) r = { 0 };
    const char *const env[] = { cases[i].env, NULL };
    const char *const args[] = { "config", "show", cases[i].flag, NULL };

    run (&r, env, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_cmpstr (r.out, ==, "");
    for (guint j = 0; j < G_N_ELEMENTS (cases[i].expected) && cases[i].expected[j]; j++) {
      if (strstr (r.err, cases[i].expected[j]) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, r.err, cases[i].expected[j]);
    }
  }
}

static void
test_missing_schema (void)
{
  g_auto (VaCliResult) r = { 0 };
  g_autofree char *empty = g_dir_make_tmp ("va-cli-config-XXXXXX", NULL);
  g_autofree char *schema_env = g_strconcat ("GSETTINGS_SCHEMA_DIR=", empty, NULL);
  g_autofree char *dirs_env = g_strconcat ("XDG_DATA_DIRS=", empty, NULL);
  g_autofree char *home_env = g_strconcat ("XDG_DATA_HOME=", empty, NULL);
  const char *const env[] = { schema_env, dirs_env, home_env, NULL };
  const char *const args[] = { "config", "show", NULL };

  run (&r, env, args);
  /* an error and exit 1, not an abort */
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "org.videoannotator.VideoAnnotator"));
  g_assert_nonnull (strstr (r.err, "not installed"));
  g_rmdir (empty);
}

static void
test_usage_errors (void)
{
  g_auto (VaCliResult) unknown = { 0 };
  g_auto (VaCliResult) bare = { 0 };
  g_auto (VaCliResult) extra = { 0 };
  g_auto (VaCliResult) help = { 0 };

  run (&unknown, NULL, (const char *const[]){ "config", "frobnicate", NULL });
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));
  run (&bare, NULL, (const char *const[]){ "config", NULL });
  g_assert_cmpint (bare.status, ==, 2);
  g_assert_nonnull (strstr (bare.err, "config show"));
  run (&extra, NULL, (const char *const[]){ "config", "show", "--debug", "extra", NULL });
  g_assert_cmpint (extra.status, ==, 2);
  g_assert_nonnull (strstr (extra.err, "“extra”"));
  run (&help, NULL, (const char *const[]){ "config", "show", "--help", NULL });
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--bind-address"));
  g_assert_nonnull (strstr (help.out, "--data-dir"));
  g_assert_nonnull (strstr (help.out, "--json"));
}

/* The CLI's terminal is a log sink too: GLib's own warnings pass through
 * VaLog and its sanitizer. */
static void
test_warnings_sanitized (void)
{
  g_auto (VaCliResult) r = { 0 };
  const char *const env[] = { "GSETTINGS_BACKEND=no-such-backend alice@lab.edu", NULL };
  const char *const args[] = { "config", "show", "--json", NULL };

  run (&r, env, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "WARNING  GLib-GIO: "));
  g_assert_nonnull (strstr (r.err, "no-such-backend a***@lab.edu"));
  g_assert_null (strstr (r.err, "alice@"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  videoannotator = argv[1];

  g_test_add_func ("/cli/config/plain", test_plain);
  g_test_add_func ("/cli/config/json", test_json);
  g_test_add_func ("/cli/config/keyfile", test_keyfile);
  g_test_add_func ("/cli/config/bad-values", test_bad_values);
  g_test_add_func ("/cli/config/missing-schema", test_missing_schema);
  g_test_add_func ("/cli/config/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/config/warnings-sanitized", test_warnings_sanitized);
  return g_test_run ();
}
