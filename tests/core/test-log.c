/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "va-error.h"
#include "va-log.h"
#include "va-settings.h"

#define KEY_BODY "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_Q7xyz"
#define KEY "va_api_" KEY_BODY
#define SHOWN "va_api_AbCd…"

typedef struct {
  char *data_dir;
  GStrv envp;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      rm_rf (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->data_dir = g_dir_make_tmp ("va-log-XXXXXX", NULL);
  f->envp = g_environ_setenv (NULL, "VIDEOANNOTATOR_DATA_DIR", f->data_dir, TRUE);
  f->envp = g_environ_setenv (f->envp, "GSETTINGS_BACKEND", "memory", TRUE);
  f->envp = g_environ_setenv (f->envp, "VIDEOANNOTATOR_LOG_MAX_SIZE", "4096", TRUE);
  f->envp = g_environ_setenv (f->envp, "VIDEOANNOTATOR_LOG_MAX_FILES", "2", TRUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  rm_rf (f->data_dir);
  g_free (f->data_dir);
  g_strfreev (f->envp);
}

static VaLog *
make_log (Fixture *f, VaLogOutputs outputs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_settings_new_loaded ((const char *const *)f->envp, &error);
  VaLog *log;

  g_assert_no_error (error);
  log = va_log_new (settings, outputs, &error);
  g_assert_no_error (error);
  return log;
}

static char *
log_path (Fixture *f, const char *name)
{
  return g_build_filename (f->data_dir, "logs", name, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* Each line must be a JSON object; returns them in order. */
static GPtrArray *
read_records (const char *path)
{
  g_autofree char *contents = read_file (path);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);

  g_assert_true (g_str_has_suffix (contents, "\n"));
  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;

    if (lines[i][0] == '\0')
      continue;
    json_parser_load_from_data (parser, lines[i], -1, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    g_ptr_array_add (records,
                     json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  }
  return records;
}

static void
write_message (VaLog *log, GLogLevelFlags level, const char *message)
{
  const GLogField fields[] = {
    { "MESSAGE", message, -1 },
    { "GLIB_DOMAIN", "VaTest", -1 },
  };
  g_assert_cmpint (va_log_write (log, level, fields, G_N_ELEMENTS (fields)), ==,
                   G_LOG_WRITER_HANDLED);
}

static void
test_file_sanitized (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = make_log (f, VA_LOG_OUTPUT_FILE);
  g_autofree char *path = log_path (f, "videoannotator.log");
  g_autofree char *message = g_strdup_printf (
      "user alice@lab.edu used " KEY " on %s/storage/job-1/clip.mp4 from /home/alice/in.mp4",
      f->data_dir);
  const GLogField fields[] = {
    { "MESSAGE", message, -1 },         { "PRIORITY", "6", -1 },
    { "GLIB_DOMAIN", "VaTest", -1 },    { "CODE_FILE", "test-log.c", -1 },
    { "CODE_LINE", "42", -1 },          { "CODE_FUNC", "test_file_sanitized", -1 },
    { "VA_REQUEST_ID", "req-1", -1 },   { "VA_USER_EMAIL", "bob@lab.edu", -1 },
    { "VA_BINARY", "\xff\x00\x01", 3 },
  };
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *logs_dir = g_build_filename (f->data_dir, "logs", NULL);
  JsonObject *r;
  struct stat st;

  va_log_write (log, G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS (fields));

  contents = read_file (path);
  g_assert_null (strstr (contents, KEY_BODY));
  g_assert_null (strstr (contents, "alice@"));
  g_assert_null (strstr (contents, "bob@"));
  g_assert_null (strstr (contents, f->data_dir));
  g_assert_null (strstr (contents, "/home/alice"));

  records = read_records (path);
  g_assert_cmpuint (records->len, ==, 1);
  r = g_ptr_array_index (records, 0);
  g_assert_cmpstr (json_object_get_string_member (r, "message"), ==,
                   "user a***@lab.edu used " SHOWN " on storage/job-1/clip.mp4 from …/in.mp4");
  g_assert_cmpstr (json_object_get_string_member (r, "level"), ==, "info");
  g_assert_cmpstr (json_object_get_string_member (r, "domain"), ==, "VaTest");
  g_assert_cmpstr (json_object_get_string_member (r, "code_func"), ==, "test_file_sanitized");
  g_assert_cmpstr (json_object_get_string_member (r, "code_line"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (r, "va_request_id"), ==, "req-1");
  g_assert_cmpstr (json_object_get_string_member (r, "va_user_email"), ==, "b***@lab.edu");
  g_assert_false (json_object_has_member (r, "priority"));
  g_assert_false (json_object_has_member (r, "va_binary"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (r, "timestamp"), "Z"));

  /* logs name people: not readable by others */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0007, ==, 0);
  g_assert_cmpint (st.st_mode & 0200, !=, 0);
  g_assert_cmpint (g_stat (logs_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0007, ==, 0);
}

static void
test_level_filter (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = NULL;
  g_autofree char *path = log_path (f, "videoannotator.log");
  g_autoptr (GPtrArray) records = NULL;

  f->envp = g_environ_setenv (f->envp, "LOG_LEVEL", "WARNING", TRUE);
  log = make_log (f, VA_LOG_OUTPUT_FILE);
  g_assert_false (va_log_would_log (log, G_LOG_LEVEL_DEBUG));
  g_assert_false (va_log_would_log (log, G_LOG_LEVEL_INFO));
  g_assert_false (va_log_would_log (log, G_LOG_LEVEL_MESSAGE));
  g_assert_true (va_log_would_log (log, G_LOG_LEVEL_WARNING));
  g_assert_true (va_log_would_log (log, G_LOG_LEVEL_CRITICAL));

  write_message (log, G_LOG_LEVEL_DEBUG, "d");
  write_message (log, G_LOG_LEVEL_INFO, "i");
  write_message (log, G_LOG_LEVEL_MESSAGE, "m");
  write_message (log, G_LOG_LEVEL_WARNING, "w");
  write_message (log, G_LOG_LEVEL_CRITICAL, "c");
  write_message (log, G_LOG_LEVEL_ERROR, "e");

  records = read_records (path);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 0), "message"), ==,
                   "w");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 0), "level"), ==,
                   "warning");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 1), "level"), ==,
                   "error");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 2), "level"), ==,
                   "critical");
}

static void
test_debug_level (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = NULL;
  g_autofree char *path = log_path (f, "videoannotator.log");
  g_autoptr (GPtrArray) records = NULL;

  f->envp = g_environ_setenv (f->envp, "LOG_LEVEL", "debug", TRUE);
  log = make_log (f, VA_LOG_OUTPUT_FILE);
  write_message (log, G_LOG_LEVEL_DEBUG, "d " KEY);
  records = read_records (path);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 0), "message"), ==,
                   "d " SHOWN);
}

/* Sequence numbers of the records in one file. */
static GArray *
sequence_of (const char *path)
{
  g_autoptr (GPtrArray) records = read_records (path);
  GArray *seq = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint i = 0; i < records->len; i++) {
    const char *m = json_object_get_string_member (g_ptr_array_index (records, i), "message");
    guint64 n = g_ascii_strtoull (m + strlen ("record "), NULL, 10);
    g_array_append_val (seq, n);
  }
  return seq;
}

static void
test_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = make_log (f, VA_LOG_OUTPUT_FILE);
  g_autofree char *current = log_path (f, "videoannotator.log");
  g_autofree char *first = log_path (f, "videoannotator.log.1");
  g_autofree char *second = log_path (f, "videoannotator.log.2");
  g_autofree char *third = log_path (f, "videoannotator.log.3");
  const char *files[] = { second, first, current };
  guint64 expected = 0;
  gboolean started = FALSE;

  for (guint i = 0; i < 300; i++) {
    g_autofree char *message = g_strdup_printf ("record %u padding padding padding", i);
    write_message (log, G_LOG_LEVEL_INFO, message);
  }

  g_assert_false (g_file_test (third, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    struct stat st;
    g_autoptr (GArray) seq = NULL;

    g_assert_cmpint (g_stat (files[i], &st), ==, 0);
    g_assert_cmpint (st.st_size, <=, 4096);
    if (files[i] != current)
      g_assert_cmpint (st.st_size, >, 2048); /* full files, not one record each */
    /* oldest to newest: the records continue without a gap */
    seq = sequence_of (files[i]);
    g_assert_cmpuint (seq->len, >, 0);
    for (guint j = 0; j < seq->len; j++) {
      if (!started) {
        expected = g_array_index (seq, guint64, j);
        started = TRUE;
      }
      g_assert_cmpuint (g_array_index (seq, guint64, j), ==, expected);
      expected++;
    }
  }
  g_assert_cmpuint (expected, ==, 300);
}

static void
test_named_logs (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = make_log (f, 0);
  g_autoptr (JsonObject) record = json_object_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *requests = log_path (f, "api_requests.log");
  g_autofree char *audit = log_path (f, "audit.log");
  g_autofree char *main_log = log_path (f, "videoannotator.log");
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GList) members = NULL;
  static const char *const bad_names[] = { "../escape", "Audit", "", "a/b", "x.log" };
  JsonObject *r;

  json_object_set_string_member (record, "method", "GET");
  json_object_set_string_member (record, "path", "/api/v1/jobs?token=" KEY);
  json_object_set_string_member (record, "user_email", "alice@lab.edu");
  json_object_set_int_member (record, "status", 200);

  va_log_append_record (log, "api_requests", record, &error);
  g_assert_no_error (error);
  va_log_append_record (log, "api_requests", record, &error);
  g_assert_no_error (error);
  va_log_append_record (log, "audit", record, &error);
  g_assert_no_error (error);
  /* the caller's record is left as it was */
  g_assert_cmpstr (json_object_get_string_member (record, "path"), ==, "/api/v1/jobs?token=" KEY);
  g_assert_false (json_object_has_member (record, "timestamp"));

  contents = read_file (requests);
  g_assert_null (strstr (contents, KEY_BODY));
  g_assert_null (strstr (contents, "alice@"));
  records = read_records (requests);
  g_assert_cmpuint (records->len, ==, 2);
  r = g_ptr_array_index (records, 0);
  members = json_object_get_members (r);
  g_assert_cmpstr (members->data, ==, "timestamp");
  g_assert_cmpstr (json_object_get_string_member (r, "path"), ==, "/api/v1/jobs?token=" SHOWN);
  g_assert_cmpstr (json_object_get_string_member (r, "user_email"), ==, "a***@lab.edu");
  g_assert_cmpint (json_object_get_int_member (r, "status"), ==, 200);
  g_assert_true (g_file_test (audit, G_FILE_TEST_EXISTS));
  /* without VA_LOG_OUTPUT_FILE the main log is not written */
  g_assert_false (g_file_test (main_log, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    g_autoptr (GError) bad = NULL;
    g_assert_false (va_log_append_record (log, bad_names[i], record, &bad));
    g_assert_error (bad, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autofree char *escaped = g_build_filename (f->data_dir, "escape.log", NULL);
    g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  }
}

static void
test_log_dir_error (Fixture *f, gconstpointer data)
{
  g_autofree char *blocker = g_build_filename (f->data_dir, "blocker", NULL);
  g_autofree char *dir = g_build_filename (blocker, "logs", NULL);
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaLog) log = NULL;
  g_autoptr (GError) error = NULL;

  g_file_set_contents (blocker, "", 0, &error);
  g_assert_no_error (error);
  f->envp = g_environ_setenv (f->envp, "LOG_DIR", dir, TRUE);
  settings = va_settings_new_loaded ((const char *const *)f->envp, &error);
  g_assert_no_error (error);
  log = va_log_new (settings, VA_LOG_OUTPUT_FILE, &error);
  g_assert_null (log);
  g_assert_error (error, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, dir));
}

/* The installed writer: GLib's own API, the console and the file. Run in a
 * child because a process can install a writer only once. */
static void
test_installed (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ()) {
    const char *dir = g_getenv ("VA_TEST_DATA_DIR");
    g_auto (GStrv) envp = g_environ_setenv (NULL, "VIDEOANNOTATOR_DATA_DIR", dir, TRUE);
    g_autoptr (GError) error = NULL;
    g_autoptr (VaSettings) settings = NULL;
    g_autoptr (VaLog) log = NULL;
    g_autofree char *path = g_build_filename (dir, "logs", "videoannotator.log", NULL);
    g_autofree char *contents = NULL;
    g_autoptr (GPtrArray) records = NULL;
    JsonObject *r;

    envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
    settings = va_settings_new_loaded ((const char *const *)envp, &error);
    g_assert_no_error (error);
    log = va_log_new (settings, VA_LOG_OUTPUT_CONSOLE | VA_LOG_OUTPUT_FILE, &error);
    g_assert_no_error (error);
    va_log_install (log);

    g_info ("hello %s", KEY);
    g_debug ("not at level info");
    g_log_structured ("VaTest", G_LOG_LEVEL_MESSAGE, "VA_JOB_ID", "job-1", "MESSAGE",
                      "mail from %s", "carol@lab.edu");

    contents = read_file (path);
    g_assert_null (strstr (contents, KEY_BODY));
    g_assert_null (strstr (contents, "carol@"));
    records = read_records (path);
    g_assert_cmpuint (records->len, ==, 2);
    r = g_ptr_array_index (records, 0);
    g_assert_cmpstr (json_object_get_string_member (r, "message"), ==, "hello " SHOWN);
    g_assert_cmpstr (json_object_get_string_member (r, "domain"), ==, "VaTest");
    r = g_ptr_array_index (records, 1);
    g_assert_cmpstr (json_object_get_string_member (r, "message"), ==, "mail from c***@lab.edu");
    g_assert_cmpstr (json_object_get_string_member (r, "va_job_id"), ==, "job-1");

    /* a second install replaces the first log */
    {
      g_autofree char *second_dir = g_build_filename (dir, "second", NULL);
      g_auto (GStrv) second_env
          = g_environ_setenv (g_strdupv (envp), "VIDEOANNOTATOR_DATA_DIR", second_dir, TRUE);
      g_autoptr (VaSettings) second_settings = NULL;
      g_autoptr (VaLog) second = NULL;
      g_autofree char *second_path
          = g_build_filename (second_dir, "logs", "videoannotator.log", NULL);
      g_autoptr (GPtrArray) first_records = NULL;
      g_autoptr (GPtrArray) second_records = NULL;

      second_settings = va_settings_new_loaded ((const char *const *)second_env, &error);
      g_assert_no_error (error);
      second = va_log_new (second_settings, VA_LOG_OUTPUT_FILE, &error);
      g_assert_no_error (error);
      va_log_install (second);
      g_message ("after the switch"); /* g_warning is fatal in tests */
      first_records = read_records (path);
      g_assert_cmpuint (first_records->len, ==, 2);
      second_records = read_records (second_path);
      g_assert_cmpuint (second_records->len, ==, 1);
      g_assert_cmpstr (
          json_object_get_string_member (g_ptr_array_index (second_records, 0), "message"), ==,
          "after the switch");
    }
    return;
  }

  g_setenv ("VA_TEST_DATA_DIR", f->data_dir, TRUE);
  g_unsetenv ("JOURNAL_STREAM"); /* plain text on stderr, whatever runs the tests */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*INFO*VaTest: hello " SHOWN "\n*");
  g_test_trap_assert_stderr ("*INFO*VaTest: mail from c***@lab.edu\n*");
  g_test_trap_assert_stderr_unmatched ("*" KEY_BODY "*");
  g_test_trap_assert_stderr_unmatched ("*not at level info*");
  g_test_trap_assert_stderr_unmatched ("*after the switch*"); /* file only */
}

/* Records are written by the log's own JSON writer: every type and escape
 * must come back as it went in (strings sanitized), at any depth. */
static void
test_record_values (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = make_log (f, 0);
  g_autoptr (JsonObject) record = json_object_new ();
  g_autoptr (JsonObject) inner = json_object_new ();
  g_autoptr (JsonArray) array = json_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = log_path (f, "values.log");
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GList) members = NULL;
  const char *tricky = "quote \" backslash \\ nl \n cr \r tab \t bell \a nul-free é ✓ \x1f";
  JsonObject *r, *ri;
  JsonArray *ra;

  json_object_set_string_member (record, "timestamp", "2026-01-02T03:04:05Z");
  json_object_set_string_member (record, "tricky", tricky);
  json_object_set_int_member (record, "int", G_MININT64);
  json_object_set_double_member (record, "double", 0.1);
  json_object_set_double_member (record, "whole", 3.0);
  json_object_set_double_member (record, "nan", NAN);
  json_object_set_boolean_member (record, "yes", TRUE);
  json_object_set_boolean_member (record, "no", FALSE);
  json_object_set_null_member (record, "none");
  json_object_set_string_member (inner, "who", "bob@lab.example.org");
  json_object_set_string_member (inner, "key", KEY);
  json_array_add_string_element (array, "Bearer " KEY);
  json_array_add_int_element (array, 7);
  json_array_add_object_element (array, json_object_ref (inner));
  json_object_set_object_member (record, "inner", json_object_ref (inner));
  json_object_set_array_member (record, "list", json_array_ref (array));
  json_object_set_object_member (record, "empty", json_object_new ());
  json_object_set_member (record, "\"odd\\name", json_node_new (JSON_NODE_NULL));

  g_assert_true (va_log_append_record (log, "values", record, &error));
  g_assert_no_error (error);
  records = read_records (path);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  /* its own timestamp is kept, in its place */
  members = json_object_get_members (r);
  g_assert_cmpstr (members->data, ==, "timestamp");
  g_assert_cmpstr (json_object_get_string_member (r, "timestamp"), ==, "2026-01-02T03:04:05Z");
  g_assert_cmpstr (json_object_get_string_member (r, "tricky"), ==, tricky);
  g_assert_cmpint (json_object_get_int_member (r, "int"), ==, G_MININT64);
  g_assert_cmpfloat (json_object_get_double_member (r, "double"), ==, 0.1);
  g_assert_cmpfloat (json_object_get_double_member (r, "whole"), ==, 3.0);
  g_assert_true (json_object_get_null_member (r, "nan"));
  g_assert_true (json_object_get_boolean_member (r, "yes"));
  g_assert_false (json_object_get_boolean_member (r, "no"));
  g_assert_true (json_object_get_null_member (r, "none"));
  g_assert_true (json_object_get_null_member (r, "\"odd\\name"));
  ri = json_object_get_object_member (r, "inner");
  g_assert_cmpstr (json_object_get_string_member (ri, "who"), ==, "b***@lab.example.org");
  g_assert_cmpstr (json_object_get_string_member (ri, "key"), ==, SHOWN);
  ra = json_object_get_array_member (r, "list");
  g_assert_cmpuint (json_array_get_length (ra), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (ra, 0), ==, "Bearer " SHOWN);
  g_assert_cmpint (json_array_get_int_element (ra, 1), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ra, 2), "key"), ==,
                   SHOWN);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (r, "empty")), ==, 0);

  /* a record without members still gets its timestamp */
  {
    g_autoptr (JsonObject) empty = json_object_new ();
    g_autoptr (GPtrArray) again = NULL;

    g_assert_true (va_log_append_record (log, "values", empty, &error));
    again = read_records (path);
    g_assert_cmpuint (again->len, ==, 2);
    g_assert_cmpuint (json_object_get_size (again->pdata[1]), ==, 1);
    g_assert_true (json_object_has_member (again->pdata[1], "timestamp"));
  }
}

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A buffered log holds its lines until the timer, va_log_flush(), a full
 * buffer, a rotation or the end of the log; nothing is lost or reordered. */
static void
test_buffered (Fixture *f, gconstpointer data)
{
  g_autoptr (VaLog) log = make_log (f, 0);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = log_path (f, "api_requests.log");
  g_autofree char *other = log_path (f, "audit.log");
  g_autoptr (GPtrArray) records = NULL;
  gboolean waited = FALSE;
  guint total = 0;

  va_log_set_buffered (log, "api_requests", 100);
  for (guint i = 0; i < 3; i++) {
    g_autoptr (JsonObject) record = json_object_new ();

    json_object_set_int_member (record, "seq", total++);
    g_assert_true (va_log_append_record (log, "api_requests", record, &error));
    g_assert_true (va_log_append_record (log, "audit", record, &error));
  }
  /* held, while a log that is not buffered is written at once */
  g_assert_cmpuint (count_lines (path), ==, 0);
  g_assert_cmpuint (count_lines (other), ==, 3);

  /* the timer writes them */
  g_timeout_add (400, set_flag, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count_lines (path), ==, 3);

  /* va_log_flush() */
  {
    g_autoptr (JsonObject) record = json_object_new ();

    json_object_set_int_member (record, "seq", total++);
    g_assert_true (va_log_append_record (log, "api_requests", record, &error));
    g_assert_cmpuint (count_lines (path), ==, 3);
    g_assert_true (va_log_flush (log, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_lines (path), ==, 4);
  }

  /* the fixture's log-max-size is 4096: many lines rotate the file while
   * some are held; then finalizing the log writes the rest */
  for (guint i = 0; i < 60; i++) {
    g_autoptr (JsonObject) record = json_object_new ();

    json_object_set_int_member (record, "seq", total++);
    json_object_set_string_member (record, "padding",
                                   "...................................................");
    g_assert_true (va_log_append_record (log, "api_requests", record, &error));
  }
  g_clear_object (&log);
  {
    g_autofree char *rotated = g_strconcat (path, ".1", NULL);
    g_autoptr (GPtrArray) older = read_records (rotated);
    gint64 expected;

    records = read_records (path);
    g_assert_cmpuint (older->len + records->len, <=, total);
    /* the newest lines, in order and without a gap, end the current file */
    expected = (gint64)total - (gint64)records->len;
    for (guint i = 0; i < records->len; i++)
      g_assert_cmpint (json_object_get_int_member (records->pdata[i], "seq"), ==, expected + i);
    expected = json_object_get_int_member (records->pdata[0], "seq") - (gint64)older->len;
    for (guint i = 0; i < older->len; i++)
      g_assert_cmpint (json_object_get_int_member (older->pdata[i], "seq"), ==, expected + i);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add ("/log/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("file-sanitized", test_file_sanitized);
  ADD ("level-filter", test_level_filter);
  ADD ("debug-level", test_debug_level);
  ADD ("rotation", test_rotation);
  ADD ("named-logs", test_named_logs);
  ADD ("log-dir-error", test_log_dir_error);
  ADD ("installed", test_installed);
  ADD ("record-values", test_record_values);
  ADD ("buffered", test_buffered);
#undef ADD
  return g_test_run ();
}
