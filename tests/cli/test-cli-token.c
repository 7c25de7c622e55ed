/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "va-api-key.h"
#include "va-store-open.h"
#include "../core/va-test-dir.h"

/* Black-box tests of `videoannotator token …`: the built binary against a
 * throwaway data directory. No session bus is passed on, so the "auto"
 * secret back end is the file one and no real keyring is touched. */

static const char *videoannotator;

typedef struct {
  int status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* @env: NAME=VALUE or NAME (unset); @input: standard input or NULL */
static void
run_full (Result *r, const char *const *env, const char *input, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
      | (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : G_SUBPROCESS_FLAGS_NONE));
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  const char *isolate[] = { "DBUS_SESSION_BUS_ADDRESS",
                            "XDG_RUNTIME_DIR",
                            "LANGUAGE",
                            "VIDEOANNOTATOR_DATA_DIR",
                            "VIDEOANNOTATOR_TOKEN_DIR",
                            "VIDEOANNOTATOR_SECRET_BACKEND",
                            NULL };

  result_clear (r);
  for (guint i = 0; isolate[i] != NULL; i++)
    g_subprocess_launcher_unsetenv (launcher, isolate[i]);
  for (guint i = 0; env != NULL && env[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (env[i], "=", 2);
    if (kv[1] != NULL)
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    else
      g_subprocess_launcher_unsetenv (launcher, kv[0]);
  }
  g_ptr_array_add (argv, (gpointer)videoannotator);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  if (g_test_verbose ())
    g_printerr ("exit %d\n--- stdout\n%s--- stderr\n%s", r->status, r->out, r->err);
}

static void
run (Result *r, const char *const *args)
{
  run_full (r, NULL, NULL, args);
}

static char *
last_line (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  /* text ends with a newline: the last element is empty */
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  return g_strdup (lines[n - 2]);
}

static char *
create_key (const char *dir, const char *user, const char *scopes)
{
  g_auto (Result) r = { 0 };
  g_autofree char *email = g_strdup_printf ("%s@lab.edu", user);
  const char *args[]
      = { "token", "create",  "--data-dir", dir,        "--user-id", user, "--username",
          user,    "--email", email,        "--scopes", scopes,      NULL };

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  return last_line (r.out);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonArray *
list_json (JsonParser *parser, const char *dir)
{
  g_auto (Result) r = { 0 };
  const char *args[] = { "token", "list", "--json", "--data-dir", dir, NULL };

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  return json_object_get_array_member (parse_object (parser, r.out), "keys");
}

static void
test_token_create (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Result) r = { 0 };
  g_autofree char *key = NULL;
  g_autofree char *tokens = g_build_filename (dir, "tokens", "tokens.json", NULL);
  const char *args[] = { "token",
                         "create",
                         "--data-dir",
                         dir,
                         "--user-id",
                         "u1",
                         "--username",
                         "alice",
                         "--email",
                         "alice@lab.edu",
                         "--scopes",
                         "read,write",
                         "--expires-in-days",
                         "30",
                         "--description",
                         "lab laptop",
                         NULL };
  const char *json_args[]
      = { "token",      "create", "--json",  "--data-dir",  dir,        "--user-id", "u2",
          "--username", "bob",    "--email", "bob@lab.edu", "--scopes", "admin",     NULL };
  JsonObject *obj;
  GStatBuf st;

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  key = last_line (r.out);
  g_assert_true (va_api_key_is_well_formed (key));
  /* printed exactly once */
  g_assert_true (strstr (r.out, key) == strrchr (r.out, '\n') - strlen (key));
  g_assert_nonnull (strstr (r.out, "read,write"));
  g_assert_cmpint (g_stat (tokens, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  run (&r, json_args);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (parser, r.out);
  g_assert_true (va_api_key_is_well_formed (json_object_get_string_member (obj, "key")));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "key"),
                                   json_object_get_string_member (obj, "prefix")));
  g_assert_cmpstr (json_object_get_string_member (obj, "username"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "active");
  g_assert_false (json_object_has_member (obj, "digest"));
  /* the default lifetime: 90 days */
  {
    g_autoptr (GDateTime) created
        = g_date_time_new_from_iso8601 (json_object_get_string_member (obj, "created_at"), NULL);
    g_autoptr (GDateTime) expires
        = g_date_time_new_from_iso8601 (json_object_get_string_member (obj, "expires_at"), NULL);
    g_assert_cmpint (g_date_time_difference (expires, created), ==, 90 * G_TIME_SPAN_DAY);
  }
}

static void
test_token_create_errors (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Result) r = { 0 };
  const char *missing[] = { "token",      "create", "--data-dir", dir,    "--user-id", "u1",
                            "--username", "alice",  "--scopes",   "read", NULL };
  const char *bad_scope[]
      = { "token", "create",  "--data-dir", dir,        "--user-id",  "u1", "--username",
          "alice", "--email", "a@lab.edu",  "--scopes", "read,debug", NULL };
  const char *too_long[] = {
    "token",   "create",    "--data-dir", dir,    "--user-id",         "u1",  "--username", "alice",
    "--email", "a@lab.edu", "--scopes",   "read", "--expires-in-days", "400", NULL
  };
  const char *raised[] = { "token",
                           "create",
                           "--data-dir",
                           dir,
                           "--user-id",
                           "u1",
                           "--username",
                           "alice",
                           "--email",
                           "a@lab.edu",
                           "--scopes",
                           "read",
                           "--expires-in-days",
                           "400",
                           "--key-max-expiry-days",
                           "400",
                           "--json",
                           NULL };
  const char *both[] = {
    "token",   "create",    "--data-dir", dir,    "--user-id",         "u1", "--username",  "alice",
    "--email", "a@lab.edu", "--scopes",   "read", "--expires-in-days", "5",  "--no-expiry", NULL
  };
  const char *never[] = { "token",    "create",     "--data-dir",  dir,       "--user-id",
                          "u1",       "--username", "alice",       "--email", "a@lab.edu",
                          "--scopes", "read",       "--no-expiry", "--json",  NULL };
  const char *stray[] = { "token", "create", "extra", "--data-dir", dir, NULL };
  JsonObject *obj;

  run (&r, missing);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--email"));
  run (&r, bad_scope);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "debug"));
  run (&r, too_long);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "key-max-expiry-days"));
  run (&r, both);
  g_assert_cmpint (r.status, ==, 2);
  run (&r, stray);
  g_assert_cmpint (r.status, ==, 2);
  /* nothing was created by the failures */
  g_assert_cmpuint (json_array_get_length (list_json (parser, dir)), ==, 0);

  /* the limit is a setting, so its flag raises it */
  run (&r, raised);
  g_assert_cmpint (r.status, ==, 0);

  run (&r, never);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "never expires"));
  obj = parse_object (parser, r.out);
  g_assert_true (json_object_get_null_member (obj, "expires_at"));
}

static void
test_token_data_dir (void)
{
  g_autoptr (VaTestDir) flag_dir = va_test_dir_new ();
  g_autoptr (VaTestDir) env_dir = va_test_dir_new ();
  g_autoptr (VaTestDir) xdg = va_test_dir_new ();
  g_autofree char *env_var = g_strconcat ("VIDEOANNOTATOR_DATA_DIR=", env_dir, NULL);
  g_autofree char *xdg_var = g_strconcat ("XDG_DATA_HOME=", xdg, NULL);
  g_autofree char *flag_tokens = g_build_filename (flag_dir, "tokens", "tokens.json", NULL);
  g_autofree char *env_tokens = g_build_filename (env_dir, "tokens", "tokens.json", NULL);
  g_autofree char *xdg_tokens
      = g_build_filename (xdg, "videoannotator", "tokens", "tokens.json", NULL);
  g_auto (Result) r = { 0 };
  const char *create_args[] = { "token",   "create",    "--user-id", "u",    "--username", "u",
                                "--email", "u@lab.edu", "--scopes",  "read", NULL };
  const char *flag_args[]
      = { "token", "create",  "--data-dir", flag_dir,   "--user-id", "u", "--username",
          "u",     "--email", "u@lab.edu",  "--scopes", "read",      NULL };
  const char *env[] = { env_var, xdg_var, NULL };
  const char *xdg_only[] = { xdg_var, NULL };

  /* $XDG_DATA_HOME/videoannotator when nothing else is said */
  run_full (&r, xdg_only, NULL, create_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (xdg_tokens, G_FILE_TEST_EXISTS));

  /* the variable beats XDG */
  run_full (&r, env, NULL, create_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (env_tokens, G_FILE_TEST_EXISTS));

  /* the flag beats the variable */
  g_unlink (env_tokens);
  run_full (&r, env, NULL, flag_args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (flag_tokens, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (env_tokens, G_FILE_TEST_EXISTS));
}

static void
test_token_list (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Result) r = { 0 };
  g_autofree char *k1 = NULL;
  g_autofree char *k2 = NULL;
  g_autofree char *prefix = NULL;
  const char *args[] = { "token", "list", "--data-dir", dir, NULL };
  JsonArray *keys;
  JsonObject *first;

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "No API keys"));

  k1 = create_key (dir, "alice", "read,write");
  k2 = create_key (dir, "bob", "admin");
  prefix = g_strndup (k1, 11);
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  for (guint i = 0; i < 8; i++) {
    const char *columns[]
        = { "ID", "PREFIX", "OWNER", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "STATE" };
    g_assert_nonnull (strstr (r.out, columns[i]));
  }
  g_assert_nonnull (strstr (r.out, "LAST USED"));
  g_assert_nonnull (strstr (r.out, prefix));
  g_assert_nonnull (strstr (r.out, "alice"));
  g_assert_nonnull (strstr (r.out, "read,write"));
  g_assert_nonnull (strstr (r.out, "active"));
  g_assert_nonnull (strstr (r.out, "never"));
  /* never a secret */
  g_assert_null (strstr (r.out, k1 + 11));
  g_assert_null (strstr (r.out, k2 + 11));

  keys = list_json (parser, dir);
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);
  first = json_array_get_object_element (keys, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "prefix"), ==, prefix);
  g_assert_cmpstr (json_object_get_string_member (first, "email"), ==, "alice@lab.edu");
  g_assert_true (json_object_get_null_member (first, "last_used_at"));
  g_assert_cmpint (json_object_get_int_member (first, "request_count"), ==, 0);
  {
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;
    json_generator_set_root (gen, json_parser_get_root (parser));
    text = json_generator_to_data (gen, NULL);
    g_assert_null (strstr (text, k1 + 11));
    g_assert_null (strstr (text, k2 + 11));
  }
}

static void
test_token_last_used_and_audit (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = g_build_filename (dir, "videoannotator.db", NULL);
  g_autofree char *key = create_key (dir, "alice", "read");
  g_autofree char *prefix = g_strndup (key, 11);
  g_auto (Result) r = { 0 };
  const char *revoke[] = { "token", "revoke", "--data-dir", dir, prefix, NULL };
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GDateTime) used = g_date_time_new_utc (2030, 1, 2, 3, 4, 5);
  JsonArray *keys = list_json (parser, dir);
  const char *id = json_object_get_string_member (json_array_get_object_element (keys, 0), "id");
  g_autofree char *key_id = g_strdup (id);
  JsonObject *first;

  /* what a server records when the key authenticates requests */
  {
    g_autoptr (VaStore) store = va_store_open (db_path, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 3; i++)
      va_store_record_key_use (store, key_id, used);
    va_store_flush_key_usage (store, &error);
    g_assert_no_error (error);
  }
  keys = list_json (parser, dir);
  first = json_array_get_object_element (keys, 0);
  g_assert_cmpint (json_object_get_int_member (first, "request_count"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (first, "last_used_at"), ==,
                   "2030-01-02T03:04:05.000000Z");

  run (&r, revoke);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr (VaStore) store = va_store_open (db_path, &error);
    VaAuditQuery query = { .key_prefix = prefix };
    g_assert_no_error (error);
    entries = va_store_list_audit (store, &query, &error);
    g_assert_no_error (error);
  }
  /* newest first: the revocation, then the creation */
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (va_audit_entry_get_action (entries->pdata[0]), ==, "key.revoke");
  g_assert_cmpstr (va_audit_entry_get_action (entries->pdata[1]), ==, "key.create");
  g_assert_cmpstr (va_audit_entry_get_target (entries->pdata[0]), ==, key_id);
}

static void
test_token_revoke (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Result) r = { 0 };
  g_autofree char *k1 = create_key (dir, "alice", "read");
  g_autofree char *k2 = create_key (dir, "bob", "write");
  g_autofree char *k3 = create_key (dir, "carol", "admin");
  g_autofree char *p1 = g_strndup (k1, 11);
  g_autofree char *stdin_text = g_strconcat (k2, "\n", NULL);
  const char *by_prefix[] = { "token", "revoke", "--data-dir", dir, p1, NULL };
  const char *by_stdin[] = { "token", "revoke", "--data-dir", dir, "-", NULL };
  const char *unknown[] = { "token", "revoke", "--data-dir", dir, "no-such-id", NULL };
  const char *ambiguous[] = { "token", "revoke", "--data-dir", dir, "va_api_", NULL };
  const char *none[] = { "token", "revoke", "--data-dir", dir, NULL };
  JsonArray *keys;
  g_autofree char *id3 = NULL;

  run (&r, by_prefix);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Revoked API key"));
  g_assert_nonnull (strstr (r.out, p1));
  run (&r, by_prefix);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "already revoked"));

  /* the full key, kept out of argv */
  run_full (&r, NULL, stdin_text, by_stdin);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, k2 + 11));

  run (&r, unknown);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "No API key matches"));
  run (&r, ambiguous);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "matches 3 keys"));
  run (&r, none);
  g_assert_cmpint (r.status, ==, 2);

  keys = list_json (parser, dir);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 0), "state"),
                   ==, "revoked");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 1), "state"),
                   ==, "revoked");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 2), "state"),
                   ==, "active");

  /* by id */
  id3 = g_strdup (json_object_get_string_member (json_array_get_object_element (keys, 2), "id"));
  {
    const char *by_id[] = { "token", "revoke", id3, "--data-dir", dir, NULL };
    run (&r, by_id);
    g_assert_cmpint (r.status, ==, 0);
  }
  keys = list_json (parser, dir);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, 2), "state"),
                   ==, "revoked");
}

static void
test_token_revoke_all (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Result) r = { 0 };
  g_autofree char *k1 = create_key (dir, "alice", "read");
  g_autofree char *k2 = create_key (dir, "bob", "write");
  const char *args[] = { "token", "revoke-all", "--data-dir", dir, NULL };
  JsonArray *keys;

  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Revoked 2 API keys"));
  keys = list_json (parser, dir);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (keys, i), "state"), ==,
        "revoked");
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Revoked 0 API keys"));
}

static void
test_token_permissions (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *tokens = g_build_filename (dir, "tokens", "tokens.json", NULL);
  g_autofree char *key = create_key (dir, "alice", "read");
  g_auto (Result) r = { 0 };
  const char *args[] = { "token", "list", "--data-dir", dir, NULL };

  g_chmod (tokens, 0644);
  run (&r, args);
  g_assert_cmpint (r.status, ==, 6); /* denied: a permission refused */
  g_assert_nonnull (strstr (r.err, tokens));
  g_assert_nonnull (strstr (r.err, "chmod 600"));
}

static void
test_token_usage (void)
{
  g_auto (Result) r = { 0 };
  const char *help[] = { "token", "--help", NULL };
  const char *bare[] = { "token", NULL };
  const char *bogus[] = { "token", "rotate", NULL };
  const char *sub_help[] = { "token", "create", "--help", NULL };

  run (&r, help);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "revoke-all"));
  run (&r, bare);
  g_assert_cmpint (r.status, ==, 2);
  run (&r, bogus);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "rotate"));
  run (&r, sub_help);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--no-expiry"));
  g_assert_nonnull (strstr (r.out, "--data-dir"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  videoannotator = argv[1];

  g_test_add_func ("/cli/token/create", test_token_create);
  g_test_add_func ("/cli/token/create-errors", test_token_create_errors);
  g_test_add_func ("/cli/token/data-dir", test_token_data_dir);
  g_test_add_func ("/cli/token/list", test_token_list);
  g_test_add_func ("/cli/token/last-used-and-audit", test_token_last_used_and_audit);
  g_test_add_func ("/cli/token/revoke", test_token_revoke);
  g_test_add_func ("/cli/token/revoke-all", test_token_revoke_all);
  g_test_add_func ("/cli/token/permissions", test_token_permissions);
  g_test_add_func ("/cli/token/usage", test_token_usage);
  return g_test_run ();
}
