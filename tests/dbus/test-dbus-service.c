/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/va-test-engine.h"
#include "../core/va-test-media.h"
#include "va-dbus-private.h"
#include "va-audit-entry.h"
#include "va-engine-admin.h"
#include "va-error.h"

/* The service on a private bus (GTestDBus), called from a second
 * connection through the generated proxy, as a client would. */

static char *sample_video; /* made once in main() */
static char *not_media;

typedef struct {
  VaTestDir *dir;
  GTestDBus *bus;
  VaEngine *engine;
  GDBusConnection *server;
  VaDBusService *service;
  GDBusConnection *client;
  VaDBusManager *proxy;
  GPtrArray *states;   /* "ID STATE" */
  GPtrArray *progress; /* "ID PERCENT FPS" */
} Fixture;

static void
on_state_changed (VaDBusManager *proxy, const char *id, const char *state, Fixture *f)
{
  g_ptr_array_add (f->states, g_strdup_printf ("%s %s", id, state));
}

static void
on_progress (VaDBusManager *proxy, const char *id, double percent, double fps, Fixture *f)
{
  g_assert_cmpfloat (percent, >=, 0.0);
  g_assert_cmpfloat (percent, <=, 100.0);
  g_assert_cmpfloat (fps, >=, 0.0);
  g_ptr_array_add (f->progress, g_strdup_printf ("%s %.3f %.3f", id, percent, fps));
}

static GDBusConnection *
connect_to (GTestDBus *bus)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *c = g_dbus_connection_new_for_address_sync (
      g_test_dbus_get_bus_address (bus),
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);

  g_assert_no_error (error);
  return c;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GAsyncResult) res = NULL;
  g_auto (GStrv) overrides = NULL;

  g_strv_builder_add (builder, "secret-backend=file");
  if (data != NULL)
    g_strv_builder_addv (builder, (const char **)data);
  overrides = g_strv_builder_end (builder);

  f->dir = va_test_dir_new ();
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->engine = va_test_engine_new (f->dir, (const char *const *)overrides);
  f->server = connect_to (f->bus);
  f->service = va_dbus_service_new (f->engine);
  g_assert_true (va_dbus_service_export (f->service, f->server, &error));
  g_assert_no_error (error);

  f->client = connect_to (f->bus);
  /* asynchronously: the service answers the properties' GetAll from this
   * very thread */
  va_dbus_manager_proxy_new (f->client, G_DBUS_PROXY_FLAGS_NONE,
                             g_dbus_connection_get_unique_name (f->server), VA_DBUS_OBJECT_PATH,
                             NULL, va_test_store_result, &res);
  f->proxy = va_dbus_manager_proxy_new_finish (va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  f->states = g_ptr_array_new_with_free_func (g_free);
  f->progress = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->proxy, "job-state-changed", G_CALLBACK (on_state_changed), f);
  g_signal_connect (f->proxy, "job-progress", G_CALLBACK (on_progress), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->proxy);
  g_clear_object (&f->client);
  va_dbus_service_unexport (f->service);
  g_clear_object (&f->service);
  g_clear_object (&f->server);
  g_clear_object (&f->engine);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  g_ptr_array_unref (f->states);
  g_ptr_array_unref (f->progress);
  va_test_dir_free (f->dir);
}

/* Runs the main context until @done says so, or fails after 30 s. */
static void
wait_until (gboolean (*done) (Fixture *f, gconstpointer arg), Fixture *f, gconstpointer arg)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!done (f, arg)) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
}

static gboolean
has_state (Fixture *f, gconstpointer arg)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_str_equal (f->states->pdata[i], arg))
      return TRUE;
  return FALSE;
}

static void
wait_for_state (Fixture *f, const char *id, const char *state)
{
  g_autofree char *wanted = g_strdup_printf ("%s %s", id, state);
  wait_until (has_state, f, wanted);
}

static GVariant *
no_options (void)
{
  return g_variant_new ("a{sv}", NULL);
}

static GVariant *
scene_only (void)
{
  GVariantDict dict;
  const char *names[] = { "scene_detection", NULL };

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "pipelines", g_variant_new_strv (names, -1));
  return g_variant_dict_end (&dict);
}

static const char *
job_string (GVariant *job, const char *field)
{
  const char *value = NULL;

  g_assert_true (g_variant_lookup (job, field, "&s", &value));
  return value;
}

static GVariant *
submit_path (Fixture *f, const char *path, GVariant *options, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  GVariant *job = NULL;

  va_dbus_manager_call_submit_path (f->proxy, path, options != NULL ? options : no_options (), NULL,
                                    va_test_store_result, &res);
  va_dbus_manager_call_submit_path_finish (f->proxy, &job, va_test_wait_for (&res), error);
  return job;
}

static GVariant *
submit_fd (Fixture *f, int fd, const char *name, GVariant *options, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GUnixFDList) fds = g_unix_fd_list_new ();
  GVariant *job = NULL;
  int index = g_unix_fd_list_append (fds, fd, NULL);

  g_assert_cmpint (index, >=, 0);
  va_dbus_manager_call_submit_fd (f->proxy, g_variant_new_handle (index), name,
                                  options != NULL ? options : no_options (), fds, NULL,
                                  va_test_store_result, &res);
  va_dbus_manager_call_submit_fd_finish (f->proxy, &job, NULL, va_test_wait_for (&res), error);
  return job;
}

static GVariant *
get_job (Fixture *f, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  GVariant *job = NULL;

  va_dbus_manager_call_get_job (f->proxy, id, NULL, va_test_store_result, &res);
  va_dbus_manager_call_get_job_finish (f->proxy, &job, va_test_wait_for (&res), error);
  return job;
}

static GVariant *
list_jobs (Fixture *f, GVariant *options, guint64 *total, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  GVariant *jobs = NULL;

  va_dbus_manager_call_list_jobs (f->proxy, options != NULL ? options : no_options (), NULL,
                                  va_test_store_result, &res);
  va_dbus_manager_call_list_jobs_finish (f->proxy, &jobs, total, va_test_wait_for (&res), error);
  return jobs;
}

static GVariant *
cancel_job (Fixture *f, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;
  GVariant *job = NULL;

  va_dbus_manager_call_cancel_job (f->proxy, id, NULL, va_test_store_result, &res);
  va_dbus_manager_call_cancel_job_finish (f->proxy, &job, va_test_wait_for (&res), error);
  return job;
}

static gboolean
delete_job (Fixture *f, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  va_dbus_manager_call_delete_job (f->proxy, id, NULL, va_test_store_result, &res);
  return va_dbus_manager_call_delete_job_finish (f->proxy, va_test_wait_for (&res), error);
}

static gboolean
purge_job (Fixture *f, const char *id, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  va_dbus_manager_call_purge_job (f->proxy, id, NULL, va_test_store_result, &res);
  return va_dbus_manager_call_purge_job_finish (f->proxy, va_test_wait_for (&res), error);
}

static gboolean
purge_user (Fixture *f, const char *user_id, guint *jobs, guint *keys, gboolean *user_row,
            GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  va_dbus_manager_call_purge_user (f->proxy, user_id, NULL, va_test_store_result, &res);
  return va_dbus_manager_call_purge_user_finish (f->proxy, jobs, keys, user_row,
                                                 va_test_wait_for (&res), error);
}

/* the audit entries recorded as @action for @target */
static guint
count_audit (Fixture *f, const char *action, const char *target)
{
  g_autoptr (GError) error = NULL;
  VaAuditQuery query = { .action = action, .limit = 100 };
  g_autoptr (GPtrArray) entries
      = va_store_list_audit (va_engine_get_store (f->engine), &query, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (va_audit_entry_get_target (entries->pdata[i]), target) == 0)
      n++;
  return n;
}

/* ---- properties ---------------------------------------------------------------- */

static void
test_properties (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (va_dbus_manager_get_version (f->proxy), ==, PACKAGE_VERSION);
  g_assert_false (va_dbus_manager_get_read_only (f->proxy));
  g_assert_true (va_dbus_manager_get_auth_required (f->proxy));
  g_assert_cmpuint (va_dbus_manager_get_active_jobs (f->proxy), ==, 0);
  g_assert_cmpuint (va_dbus_manager_get_queue_length (f->proxy), ==, 0);
}

static gboolean
queue_length_is (Fixture *f, gconstpointer arg)
{
  return va_dbus_manager_get_queue_length (f->proxy) == GPOINTER_TO_UINT (arg);
}

/* The queue is not started: submitted jobs wait, and QueueLength follows
 * through PropertiesChanged (the proxy's cache only moves with it). */
static void
test_queue_length_changes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) a = submit_path (f, sample_video, NULL, &error);
  g_autoptr (GVariant) b = NULL;

  g_assert_no_error (error);
  wait_until (queue_length_is, f, GUINT_TO_POINTER (1));
  b = submit_path (f, sample_video, NULL, &error);
  g_assert_no_error (error);
  wait_until (queue_length_is, f, GUINT_TO_POINTER (2));
  g_assert_true (delete_job (f, job_string (a, "id"), &error));
  g_assert_no_error (error);
  wait_until (queue_length_is, f, GUINT_TO_POINTER (1));
}

static void
test_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  g_autoptr (GVariant) jobs = NULL;
  guint64 total = 99;
  int fd;

  g_assert_true (va_dbus_manager_get_read_only (f->proxy));
  job = submit_path (f, sample_video, NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_assert_null (job);
  g_clear_error (&error);
  fd = g_open (sample_video, O_RDONLY | O_CLOEXEC, 0);
  job = submit_fd (f, fd, "clip.mp4", NULL, &error);
  g_close (fd, NULL);
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (delete_job (f, "0b5c0d1e-0000-4000-8000-000000000000", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (purge_job (f, "0b5c0d1e-0000-4000-8000-000000000000", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (purge_user (f, "uid:4242", NULL, NULL, NULL, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  /* reads are served */
  jobs = list_jobs (f, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
}

/* ---- submission ----------------------------------------------------------------- */

static void
test_submit_path (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = submit_path (f, sample_video, scene_only (), &error);
  g_autoptr (GVariant) again = NULL;
  g_autoptr (GVariant) jobs = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autofree char *owner = g_strdup_printf ("uid:%u", (guint)getuid ());
  g_autofree char *expected_pipelines = NULL;
  GStatBuf st;
  gint64 size = 0;
  guint64 total = 0;
  const char *id;

  g_assert_no_error (error);
  id = job_string (job, "id");
  g_assert_cmpstr (job_string (job, "status"), ==, "pending");
  g_assert_cmpstr (job_string (job, "user_id"), ==, owner);
  g_assert_cmpstr (job_string (job, "video_filename"), ==, "sample.mp4");
  g_assert_true (g_variant_lookup (job, "video_size_bytes", "x", &size));
  g_assert_cmpint (g_stat (sample_video, &st), ==, 0);
  g_assert_cmpint (size, ==, st.st_size);
  wait_for_state (f, id, "pending");

  again = get_job (f, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (job_string (again, "id"), ==, id);

  jobs = list_jobs (f, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  first = g_variant_get_child_value (jobs, 0);
  g_assert_cmpstr (job_string (first, "id"), ==, id);
}

static void
test_submit_path_refusals (Fixture *f, gconstpointer data)
{
  struct {
    const char *path;
    VaError code;
  } cases[] = {
    { "relative/clip.mp4", VA_ERROR_INVALID_ARGUMENT },
    { "/nonexistent/clip.mp4", VA_ERROR_NOT_FOUND },
    { "/", VA_ERROR_INVALID_ARGUMENT }, /* a directory */
    { not_media, VA_ERROR_UNSUPPORTED_MEDIA },
  };
  g_autoptr (GVariant) jobs = NULL;
  g_autoptr (GError) error = NULL;
  guint64 total = 99;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GVariant) job = submit_path (f, cases[i].path, NULL, &error);

    g_test_message ("path %s", cases[i].path);
    g_assert_error (error, VA_ERROR, (int)cases[i].code);
    g_assert_null (job);
    g_clear_error (&error);
  }
  /* nothing was left behind */
  jobs = list_jobs (f, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
}

static void
test_submit_options (Fixture *f, gconstpointer data)
{
  const char *bad[] = {
    "{'pipelines': <'scene_detection'>}",    /* wrong type */
    "{'pipelines': <['no_such_pipeline']>}", /* unknown pipeline */
    "{'config': <'{not json'>}",             /* bad JSON */
    "{'config': <'[1, 2]'>}",                /* not an object */
    "{'consent': <'{\"granted\": false}'>}", /* refused consent */
    "{'consnet': <'{\"granted\": true}'>}",  /* misspelt key */
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) ok = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GVariant) options
        = g_variant_parse (G_VARIANT_TYPE_VARDICT, bad[i], NULL, NULL, &error);
    g_autoptr (GVariant) job = NULL;

    g_assert_no_error (error);
    g_test_message ("options %s", bad[i]);
    job = submit_path (f, sample_video, g_steal_pointer (&options), &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_null (job);
    g_clear_error (&error);
  }
  {
    /* 30 000 levels fit the option size limit and overflowed json-glib's
     * recursion before the bounded parse */
    g_autoptr (GString) deep = g_string_new (NULL);
    g_autoptr (GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
    g_autoptr (GVariant) job = NULL;

    for (guint i = 0; i < 30000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 30000; i++)
      g_string_append_c (deep, ']');
    g_variant_builder_add (builder, "{sv}", "config", g_variant_new_string (deep->str));
    job = submit_path (f, sample_video, g_variant_builder_end (builder), &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "64 levels"));
    g_assert_null (job);
    g_clear_error (&error);
  }
  ok = submit_path (f, sample_video,
                    g_variant_parse (G_VARIANT_TYPE_VARDICT,
                                     "{'pipelines': <['scene']>, 'consent': <'{\"granted\": "
                                     "true, \"reference\": \"f-7\"}'>}",
                                     NULL, NULL, NULL),
                    &error);
  g_assert_no_error (error);
}

static void
test_consent_required (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) refused = submit_path (f, sample_video, NULL, &error);
  g_autoptr (GVariant) accepted = NULL;

  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_null (refused);
  g_assert_nonnull (strstr (error->message, "consent"));
  g_clear_error (&error);
  accepted
      = submit_path (f, sample_video,
                     g_variant_parse (G_VARIANT_TYPE_VARDICT,
                                      "{'consent': <'{\"granted\": true}'>}", NULL, NULL, NULL),
                     &error);
  g_assert_no_error (error);
}

/* A sandboxed client hands over a descriptor: the service copies what it
 * reads from it, whatever the path (here one it could not even name). */
static void
test_submit_fd (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *stored = NULL;
  gsize length = 0, stored_length = 0;
  gint64 size = 0;
  const char *video_path = NULL;
  int fd;

  g_assert_true (g_file_get_contents (sample_video, &contents, &length, &error));
  copy = g_build_filename (f->dir, "private.mp4", NULL);
  g_assert_true (g_file_set_contents (copy, contents, length, &error));
  fd = g_open (copy, O_RDONLY | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_unlink (copy), ==, 0);
  /* the offset is not where the file starts: the service reads it all */
  g_assert_cmpint (lseek (fd, 100, SEEK_SET), ==, 100);

  job = submit_fd (f, fd, "../../etc/My Clip.mp4", scene_only (), &error);
  g_close (fd, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (job_string (job, "status"), ==, "pending");
  g_assert_true (g_variant_lookup (job, "video_size_bytes", "x", &size));
  g_assert_cmpint (size, ==, (gint64)length);
  /* stored under a fixed name, byte for byte */
  g_assert_true (g_variant_lookup (job, "video_path", "&s", &video_path));
  g_assert_null (strstr (video_path, ".."));
  stored = g_build_filename (f->dir, "storage", video_path, NULL);
  g_clear_pointer (&contents, g_free);
  {
    g_autofree char *again = NULL;
    g_assert_true (g_file_get_contents (sample_video, &again, &length, NULL));
    g_assert_true (g_file_get_contents (stored, &contents, &stored_length, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (contents, stored_length, again, length);
  }
}

static void
test_submit_fd_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GVariant) jobs = NULL;
  guint64 total = 99;
  int pipe_fds[2];
  int fd;

  /* a pipe: no size, no seeking, maybe endless */
  g_assert_true (g_unix_open_pipe (pipe_fds, FD_CLOEXEC, NULL));
  job = submit_fd (f, pipe_fds[0], "pipe", NULL, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_close (pipe_fds[0], NULL);
  g_close (pipe_fds[1], NULL);

  /* open for writing only */
  fd = g_open (not_media, O_WRONLY | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  job = submit_fd (f, fd, "w", NULL, &error);
  g_close (fd, NULL);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* readable, but not media */
  fd = g_open (not_media, O_RDONLY | O_CLOEXEC, 0);
  job = submit_fd (f, fd, "notes.txt", NULL, &error);
  g_close (fd, NULL);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_clear_error (&error);

  /* a handle that points at no descriptor of the message */
  va_dbus_manager_call_submit_fd (f->proxy, g_variant_new_handle (3), "none", no_options (), NULL,
                                  NULL, va_test_store_result, &res);
  va_dbus_manager_call_submit_fd_finish (f->proxy, &job, NULL, va_test_wait_for (&res), &error);
  g_assert_nonnull (error);
  g_clear_error (&error);

  jobs = list_jobs (f, NULL, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
}

/* ---- jobs ------------------------------------------------------------------------- */

static void
test_get_job_not_found (Fixture *f, gconstpointer data)
{
  const char *ids[]
      = { "0b5c0d1e-0000-4000-8000-000000000000", "../../etc/passwd", "", "x' OR '1'='1" };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    g_autoptr (GVariant) job = get_job (f, ids[i], &error);

    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    g_assert_true (g_dbus_error_is_remote_error (error) || error->domain == VA_ERROR);
    g_clear_error (&error);
    g_assert_false (delete_job (f, ids[i], &error));
    g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
}

static void
test_list_options (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) a = submit_path (f, sample_video, NULL, &error);
  g_autoptr (GVariant) b = submit_path (f, sample_video, NULL, &error);
  g_autoptr (GVariant) page = NULL;
  g_autoptr (GVariant) none = NULL;
  g_autoptr (GVariant) bad = NULL;
  guint64 total = 0;

  g_assert_no_error (error);
  page = list_jobs (f,
                    g_variant_parse (G_VARIANT_TYPE_VARDICT,
                                     "{'page': <uint32 2>, 'per_page': <uint32 1>, 'status': "
                                     "<'pending'>}",
                                     NULL, NULL, NULL),
                    &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 2);
  g_assert_cmpuint (g_variant_n_children (page), ==, 1);
  none = list_jobs (
      f, g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'status': <'completed'>}", NULL, NULL, NULL),
      &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
  bad = list_jobs (
      f,
      g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'per_page': <uint32 100000>}", NULL, NULL, NULL),
      &total, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = list_jobs (f, g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'page': <-1>}", NULL, NULL, NULL),
                   &total, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_cancel_and_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = submit_path (f, sample_video, NULL, &error);
  g_autoptr (GVariant) cancelled = NULL;
  g_autoptr (GVariant) again = NULL;
  g_autoptr (GVariant) gone = NULL;
  g_autofree char *id = NULL;

  g_assert_no_error (error);
  id = g_strdup (job_string (job, "id"));
  cancelled = cancel_job (f, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (job_string (cancelled, "status"), ==, "cancelled");
  wait_for_state (f, id, "cancelled");

  /* cancelling twice changes nothing */
  again = cancel_job (f, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (job_string (again, "status"), ==, "cancelled");

  g_assert_true (delete_job (f, id, &error));
  g_assert_no_error (error);
  wait_for_state (f, id, "deleted");
  gone = get_job (f, id, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
}

/* PurgeJob: the job, its directory and its rows go; `job.purge` is
 * recorded. PurgeUser: every job of the user (here: the test's own uid,
 * which owns the data directory and is therefore an administrator). */
static void
test_purge (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) first = submit_path (f, sample_video, scene_only (), &error);
  g_autoptr (GVariant) second = NULL;
  g_autoptr (GVariant) third = NULL;
  g_autoptr (GVariant) gone = NULL;
  g_autofree char *id = NULL;
  g_autofree char *user = g_strdup_printf ("uid:%u", (guint)getuid ());
  VaStorage *storage = va_engine_get_storage (f->engine);
  guint jobs = 99, keys = 99;
  gboolean user_row = TRUE;

  g_assert_no_error (error);
  id = g_strdup (job_string (first, "id"));
  g_assert_true (va_storage_job_dir_exists (storage, id));
  /* a running or pending job is stopped first */
  g_assert_true (purge_job (f, id, &error));
  g_assert_no_error (error);
  g_assert_false (va_storage_job_dir_exists (storage, id));
  gone = get_job (f, id, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f, "job.purge", id), ==, 1);

  /* twice: nothing left to purge */
  g_assert_false (purge_job (f, id, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (purge_job (f, "not a job id", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  second = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  third = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  g_assert_true (purge_user (f, user, &jobs, &keys, &user_row, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jobs, ==, 2);
  g_assert_cmpuint (keys, ==, 0);
  g_assert_false (va_storage_job_dir_exists (storage, job_string (second, "id")));
  g_assert_false (va_storage_job_dir_exists (storage, job_string (third, "id")));
  g_assert_cmpuint (count_audit (f, "user.purge", user), ==, 1);

  g_assert_false (purge_user (f, "", &jobs, &keys, &user_row, &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

/* ---- a real run: signals, results, result files ------------------------------------- */

static gboolean
has_progress_for (Fixture *f, gconstpointer id)
{
  for (guint i = 0; i < f->progress->len; i++)
    if (g_str_has_prefix (f->progress->pdata[i], id))
      return TRUE;
  return FALSE;
}

static void
test_run_and_results (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = NULL;
  g_autoptr (GVariant) results = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GVariant) fd_handle = NULL;
  g_autoptr (GUnixFDList) fds = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *id = NULL;
  char buffer[1 << 16];
  gsize read = 0;
  guint64 size = 0;
  const char *pipeline = NULL;
  double max_fps = 0, max_percent = 0;

  va_job_queue_set_progress_interval (va_engine_get_queue (f->engine), 1);
  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  job = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  id = g_strdup (job_string (job, "id"));
  wait_for_state (f, id, "running");
  wait_for_state (f, id, "completed");
  g_assert_true (has_progress_for (f, id));
  {
    g_autoptr (GVariant) late = cancel_job (f, id, &error);
    g_assert_error (error, VA_ERROR, VA_ERROR_CONFLICT);
    g_clear_error (&error);
  }
  for (guint i = 0; i < f->progress->len; i++) {
    g_auto (GStrv) parts = g_strsplit (f->progress->pdata[i], " ", 3);
    max_percent = MAX (max_percent, g_ascii_strtod (parts[1], NULL));
    max_fps = MAX (max_fps, g_ascii_strtod (parts[2], NULL));
  }
  /* frames per second are measured, not made up: progress past the start
   * means frames were analysed */
  if (max_percent > 0)
    g_assert_cmpfloat (max_fps, >, 0.0);

  va_dbus_manager_call_get_results (f->proxy, id, NULL, va_test_store_result, &res);
  g_assert_true (va_dbus_manager_call_get_results_finish (f->proxy, &results,
                                                          va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (results), ==, 1);
  first = g_variant_get_child_value (results, 0);
  g_assert_true (g_variant_lookup (first, "pipeline_name", "&s", &pipeline));
  g_assert_cmpstr (pipeline, ==, "scene_detection");
  g_assert_cmpstr (job_string (first, "status"), ==, "completed");

  g_clear_object (&res);
  va_dbus_manager_call_open_result_file (f->proxy, id, "scene_detection", NULL, NULL,
                                         va_test_store_result, &res);
  g_assert_true (va_dbus_manager_call_open_result_file_finish (
      f->proxy, &fd_handle, &filename, &size, &fds, va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_nonnull (fds);
  g_assert_cmpuint (size, >, 0);
  g_assert_true (g_str_has_suffix (filename, ".json"));
  stream = g_unix_input_stream_new (
      g_unix_fd_list_get (fds, g_variant_get_handle (fd_handle), &error), TRUE);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (stream, buffer, sizeof buffer, &read, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read, ==, size);
  parsed = json_from_string (g_strndup (buffer, read), &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);

  /* a pipeline the job did not run */
  g_clear_object (&res);
  g_clear_pointer (&fd_handle, g_variant_unref);
  g_clear_object (&fds);
  g_clear_pointer (&filename, g_free);
  va_dbus_manager_call_open_result_file (f->proxy, id, "face_analysis", NULL, NULL,
                                         va_test_store_result, &res);
  g_assert_false (va_dbus_manager_call_open_result_file_finish (
      f->proxy, &fd_handle, &filename, &size, &fds, va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

/* ---- keys, errors ------------------------------------------------------------------ */

static void
test_revoke_all_keys (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (VaCaller) before = NULL;
  g_autoptr (VaCaller) after = NULL;
  g_autofree char *key = NULL;
  guint count = 0;

  g_assert_true (va_engine_create_initial_key (f->engine, &key, &error));
  g_assert_no_error (error);
  g_assert_nonnull (key);
  before = va_engine_authenticate (f->engine, key, &error);
  g_assert_no_error (error);

  /* the test runs as the owner of the data directory: an administrator */
  va_dbus_manager_call_revoke_all_keys (f->proxy, NULL, va_test_store_result, &res);
  g_assert_true (va_dbus_manager_call_revoke_all_keys_finish (f->proxy, &count,
                                                              va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
  after = va_engine_authenticate (f->engine, key, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_assert_null (after);
}

static GVariant *
key_request (const char *user, const char *const *scopes)
{
  g_autoptr (GVariantDict) d = g_variant_dict_new (NULL);

  g_variant_dict_insert (d, "user_id", "s", user);
  g_variant_dict_insert (d, "username", "s", user);
  g_variant_dict_insert (d, "email", "s", "someone@lab.example");
  g_variant_dict_insert_value (d, "scopes", g_variant_new_strv (scopes, -1));
  g_variant_dict_insert (d, "expires_in_days", "u", 7);
  return g_variant_dict_end (d);
}

static const char *
dict_string (GVariant *dict, const char *name)
{
  const char *value = NULL;

  g_assert_true (g_variant_lookup (dict, name, "&s", &value));
  return value;
}

/* ListKeys, CreateKey, RevokeKey: the engine's key calls, as over REST */
static void
test_key_methods (Fixture *f, gconstpointer data)
{
  const char *scopes[] = { "read", "write", NULL };
  const char *bad_scopes[] = { "root", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GVariant) record = NULL;
  g_autoptr (GVariant) keys = NULL;
  g_autoptr (GVariant) revoked = NULL;
  g_autoptr (VaCaller) caller = NULL;
  g_autofree char *key = NULL;
  gboolean newly = FALSE, listed = FALSE;
  GVariantIter iter;
  GVariant *row;

  va_dbus_manager_call_create_key (f->proxy, key_request ("carol", scopes), NULL,
                                   va_test_store_result, &res);
  g_assert_true (va_dbus_manager_call_create_key_finish (f->proxy, &key, &record,
                                                         va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (key, "va_api_"));
  g_assert_true (g_str_has_prefix (key, dict_string (record, "prefix")));
  caller = va_engine_authenticate (f->engine, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_caller_get_user_id (caller), ==, "carol");

  g_clear_object (&res);
  va_dbus_manager_call_list_keys (f->proxy, NULL, va_test_store_result, &res);
  g_assert_true (
      va_dbus_manager_call_list_keys_finish (f->proxy, &keys, va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_variant_iter_init (&iter, keys);
  while ((row = g_variant_iter_next_value (&iter)) != NULL) {
    g_autoptr (GVariant) owned = row;
    g_autofree char *text = g_variant_print (row, FALSE);

    g_assert_null (strstr (text, key)); /* never the secret */
    g_assert_false (g_variant_lookup (row, "digest", "&s", NULL));
    if (g_str_equal (dict_string (row, "user_id"), "carol")) {
      gint64 count = 0;

      listed = TRUE;
      /* the authentication above counted one use */
      g_assert_true (g_variant_lookup (row, "request_count", "x", &count));
      g_assert_cmpint (count, ==, 1);
      g_assert_cmpstr (dict_string (row, "state"), ==, "active");
    }
  }
  g_assert_true (listed);

  g_clear_object (&res);
  va_dbus_manager_call_revoke_key (f->proxy, dict_string (record, "id"), NULL, va_test_store_result,
                                   &res);
  g_assert_true (va_dbus_manager_call_revoke_key_finish (f->proxy, &revoked, &newly,
                                                         va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_true (newly);
  g_clear_object (&caller);
  caller = va_engine_authenticate (f->engine, key, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);

  /* unknown key; a request the engine refuses */
  g_clear_object (&res);
  g_clear_pointer (&revoked, g_variant_unref);
  va_dbus_manager_call_revoke_key (f->proxy, "no-such-key", NULL, va_test_store_result, &res);
  g_assert_false (va_dbus_manager_call_revoke_key_finish (f->proxy, &revoked, &newly,
                                                          va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&res);
  g_clear_pointer (&key, g_free);
  g_clear_pointer (&record, g_variant_unref);
  va_dbus_manager_call_create_key (f->proxy, key_request ("dave", bad_scopes), NULL,
                                   va_test_store_result, &res);
  g_assert_false (va_dbus_manager_call_create_key_finish (f->proxy, &key, &record,
                                                          va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

/* read-only: CreateKey refused, revocations allowed */
static void
test_key_methods_read_only (Fixture *f, gconstpointer data)
{
  const char *scopes[] = { "read", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GVariant) record = NULL;
  g_autofree char *key = NULL;
  guint count = 99;

  va_dbus_manager_call_create_key (f->proxy, key_request ("erin", scopes), NULL,
                                   va_test_store_result, &res);
  g_assert_false (va_dbus_manager_call_create_key_finish (f->proxy, &key, &record,
                                                          va_test_wait_for (&res), &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_clear_object (&res);
  va_dbus_manager_call_revoke_all_keys (f->proxy, NULL, va_test_store_result, &res);
  g_assert_true (va_dbus_manager_call_revoke_all_keys_finish (f->proxy, &count,
                                                              va_test_wait_for (&res), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 0);
}

/* Every code crosses the bus under its own name and comes back as itself. */
static void
test_error_names (void)
{
  for (int code = 0; code < VA_ERROR_LAST; code++) {
    g_autoptr (GError) error = g_error_new (VA_ERROR, code, "code %d", code);
    g_autofree char *name = g_dbus_error_encode_gerror (error);
    g_autofree char *expected = g_strconcat ("org.videoannotator.VideoAnnotator1.Error.",
                                             va_error_to_string (code), NULL);
    g_autoptr (GError) back = g_dbus_error_new_for_dbus_error (name, "again");

    g_assert_cmpstr (name, ==, expected);
    g_assert_error (back, VA_ERROR, code);
  }
}

static gboolean
call_void (Fixture *f, const char *method)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GVariant) reply = NULL;

  g_dbus_proxy_call (G_DBUS_PROXY (f->proxy), method, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                     va_test_store_result, &res);
  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (f->proxy), va_test_wait_for (&res), &error);
  g_assert_no_error (error);
  return reply != NULL;
}

/* Signals about @id heard so far. */
static guint
heard_about (Fixture *f, const char *id)
{
  guint n = 0;

  for (guint i = 0; i < f->states->len; i++)
    n += g_str_has_prefix (f->states->pdata[i], id);
  return n;
}

static gboolean
job_completed (Fixture *f, gconstpointer id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) job = get_job (f, id, &error);

  g_assert_no_error (error);
  return g_strcmp0 (job_string (job, "status"), "completed") == 0;
}

/* On the system bus job signals go to subscribers only (unicast): a client
 * that did not subscribe hears nothing; after Subscribe() it hears of the
 * jobs it may see, after Unsubscribe() nothing again. (The private bus has
 * one user; test_dbus_e2e.py has another user's subscriber refused.) */
static void
test_subscribers (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) first = NULL, second = NULL, third = NULL;
  g_autofree char *first_id = NULL, *first_pending = NULL;

  va_dbus_service_set_system_bus (f->service, TRUE);
  g_assert_true (va_engine_start (f->engine, &error));
  g_assert_no_error (error);
  first = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  first_id = g_strdup (job_string (first, "id"));
  g_assert_true (call_void (f, "Subscribe"));
  g_assert_true (call_void (f, "Subscribe")); /* twice is once */
  second = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  wait_for_state (f, job_string (second, "id"), "completed");
  /* the first job's start or end may reach us after Subscribe(), but not
   * its submission, which came before */
  first_pending = g_strdup_printf ("%s pending", first_id);
  g_assert_false (g_ptr_array_find_with_equal_func (f->states, first_pending, g_str_equal, NULL));
  g_assert_true (call_void (f, "Unsubscribe"));
  third = submit_path (f, sample_video, scene_only (), &error);
  g_assert_no_error (error);
  wait_until (job_completed, f, job_string (third, "id"));
  g_assert_cmpuint (heard_about (f, job_string (third, "id")), ==, 0);
}

int
main (int argc, char **argv)
{
  const char *read_only[] = { "read-only=true", NULL };
  const char *consent[] = { "require-consent=true", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *media_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  /* the D-Bus error names are registered with the domain */
  (void)VA_ERROR;

  media_dir = va_test_dir_new ();
  sample_video = g_build_filename (media_dir, "sample.mp4", NULL);
  va_test_media_make_video (sample_video, 30);
  not_media = g_build_filename (media_dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (not_media, "just some text, not a video\n", -1, &error));

#define ADD(path, func, data)                                                                      \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/dbus/properties", test_properties, NULL);
  ADD ("/dbus/properties/queue-length", test_queue_length_changes, NULL);
  ADD ("/dbus/properties/read-only", test_read_only, read_only);
  ADD ("/dbus/submit/path", test_submit_path, NULL);
  ADD ("/dbus/submit/path-refusals", test_submit_path_refusals, NULL);
  ADD ("/dbus/submit/options", test_submit_options, NULL);
  ADD ("/dbus/submit/consent-required", test_consent_required, consent);
  ADD ("/dbus/submit/fd", test_submit_fd, NULL);
  ADD ("/dbus/submit/fd-refusals", test_submit_fd_refusals, NULL);
  ADD ("/dbus/jobs/not-found", test_get_job_not_found, NULL);
  ADD ("/dbus/jobs/list-options", test_list_options, NULL);
  ADD ("/dbus/jobs/cancel-delete", test_cancel_and_delete, NULL);
  ADD ("/dbus/jobs/purge", test_purge, NULL);
  ADD ("/dbus/jobs/run-results", test_run_and_results, NULL);
  ADD ("/dbus/keys/revoke-all", test_revoke_all_keys, NULL);
  ADD ("/dbus/keys/methods", test_key_methods, NULL);
  ADD ("/dbus/keys/read-only", test_key_methods_read_only, read_only);
  ADD ("/dbus/signals/subscribers", test_subscribers, NULL);
  g_test_add_func ("/dbus/errors/names", test_error_names);

  status = g_test_run ();
  va_test_dir_free (g_steal_pointer (&media_dir));
  return status;
}
