/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>

#include "va-cli.h"
#include "va-error.h"

static int va_cli_version (int argc, char **argv);

/* One row per subcommand; each lives in its own va-cli-<name>.c. */
static const VaCliCommand commands[] = {
  { "annotate", N_ ("Annotate a local video file"), va_cli_annotate },
  { "pipelines", N_ ("List the annotation pipelines and their options"), va_cli_pipelines },
  { "server", N_ ("Run the service (REST API and job queue)"), va_cli_server },
  { "version", N_ ("Print the version"), va_cli_version },
  { "config", N_ ("Show the effective settings and where they come from"), va_cli_config },
  { "token", N_ ("Create, list and revoke API keys"), va_cli_token },
  { "job", N_ ("Submit, follow and fetch jobs on a server"), va_cli_job },
  { "cleanup", N_ ("Delete finished jobs past the retention period"), va_cli_cleanup },
  { "diagnose", N_ ("Check an installation and its data directory"), va_cli_diagnose },
  { "models", N_ ("List and install the neural detection models"), va_cli_models },
  { "open", N_ ("Start the service if needed and open the web UI"), va_cli_open },
  { "user", N_ ("Erase a user and all their data"), va_cli_user },
  { "backup", N_ ("Back up the data directory, also while a server runs"), va_cli_backup },
  { "restore", N_ ("Restore a backup into an empty data directory"), va_cli_restore },
  { "audit", N_ ("List the audit trail (what did this key do)"), va_cli_audit },
  { "export", N_ ("Export a job or a user's jobs as a ZIP (data portability)"), va_cli_export },
  { "web-link", N_ ("Print a one-time login link to the web UI"), va_cli_web_link },
};

static int
va_cli_version (int argc, char **argv)
{
  g_print ("videoannotator %s (%s)\n", PACKAGE_VERSION, gst_version_string ());
  return VA_EXIT_OK;
}

static void
va_cli_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _ ("Usage: videoannotator COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _ ("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _ (commands[i].summary));
  fprintf (out, "\n%s\n", _ ("Run “videoannotator COMMAND --help” for the options of a command."));
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("VA_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* VA_LOCALEDIR lets tests and `meson devenv` use the catalogs built in
   * build/po before they are installed */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("videoannotator");
  va_cli_setup_log (NULL);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
    va_cli_usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? VA_EXIT_USAGE : VA_EXIT_OK;
  }
  if (g_str_equal (argv[1], "--version"))
    return va_cli_version (argc, argv);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);
  }

  g_printerr (_ ("videoannotator: unknown command “%s”\n\n"), argv[1]);
  va_cli_usage (stderr);
  return VA_EXIT_USAGE;
}
