/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "va-engine.h"
#include "va-test-dir.h"

/* An engine on a private data directory, with settings given as
 * "key=value" strings (the same text the command-line flags take). */

static inline VaSettings *
va_test_settings_new (const char *data_dir, const char *const *overrides)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_settings_new (&error);
  g_autofree char *home = g_build_filename (data_dir, "home", NULL);
  g_auto (GStrv) envp = g_environ_setenv (NULL, "HOME", home, TRUE);

  g_assert_no_error (error);
  g_assert_true (va_settings_set_override (settings, "data-dir", data_dir, &error));
  /* tests make small files; the default 1 GiB reserve is for real disks */
  g_assert_true (va_settings_set_override (settings, "min-free-space", "0", &error));
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (overrides[i], "=", 2);
    g_assert_true (va_settings_set_override (settings, kv[0], kv[1], &error));
    g_assert_no_error (error);
  }
  g_assert_true (va_settings_load (settings, (const char *const *)envp, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&settings);
}

static inline VaEngine *
va_test_engine_new (const char *data_dir, const char *const *overrides)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = va_test_settings_new (data_dir, overrides);
  VaEngine *engine = va_engine_new (settings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (engine);
  return engine;
}

static inline void
va_test_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static inline GAsyncResult *
va_test_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* A completed upload of the file at @path. */
static inline VaUpload *
va_test_upload_file (VaEngine *engine, VaCaller *caller, const char *path, const char *client_name,
                     GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (VaUpload) upload = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  upload = va_engine_create_upload (engine, caller, client_name, (gint64)length, error);
  if (upload == NULL)
    return NULL;
  if (!va_upload_write (upload, contents, length, NULL, error)
      || !va_upload_complete (upload, NULL, error))
    return NULL;
  return g_steal_pointer (&upload);
}

static inline VaJob *
va_test_submit_file (VaEngine *engine, VaCaller *caller, const char *path,
                     const char *const *pipelines, JsonObject *config, JsonObject *consent,
                     GError **error)
{
  g_autoptr (VaUpload) upload = va_test_upload_file (engine, caller, path, "clip.mp4", error);

  if (upload == NULL)
    return NULL;
  return va_engine_submit_job (engine, caller, upload, config, pipelines, consent, error);
}

static inline JsonObject *
va_test_json_object (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}
