/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

/* Runs the built `videoannotator` for black-box CLI tests. */

typedef struct {
  int status; /* exit code; -1 when killed by a signal */
  char *out;
  char *err;
} VaCliResult;

static inline void
va_cli_result_clear (VaCliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCliResult, va_cli_result_clear)

/* @env: NAME=VALUE to set, or NAME alone to unset. LANGUAGE is unset unless
 * @env sets it, so messages are English whatever the caller's locale. */
static inline void
va_cli_run (VaCliResult *r, const char *binary, const char *const *env, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  for (guint i = 0; env != NULL && env[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (env[i], "=", 2);
    if (kv[1] != NULL)
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    else
      g_subprocess_launcher_unsetenv (launcher, kv[0]);
  }
  g_ptr_array_add (argv, (gpointer)binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}
