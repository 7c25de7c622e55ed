/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli-exit.h"
#include "va-cli-settings.h"
#include "va-cli.h"
#include "va-log.h"

/**
 * SECTION:va-cli-settings
 *
 * The start of every subcommand that reads settings: its options and every
 * setting flag (`--data-dir`, `--port`, …) in one #GOptionContext, parsed by
 * va_settings_parse_command_line() (flags override the environment and the
 * settings backend), then va_settings_load() and the log set up from the
 * result. Errors go to stderr as `videoannotator COMMAND: message`.
 *
 * Both functions return -1 on success, otherwise the exit status.
 */

/**
 * va_cli_setup_log:
 * @settings: (nullable): loaded settings, %NULL before they are known
 *
 * Sends the process's GLib log through VaLog (and so its sanitizer) to the
 * terminal. A command calls it again once its settings are loaded, for the
 * data directory and log-level. The terminal shows warnings and worse unless
 * log-level was set explicitly.
 */
void
va_cli_setup_log (VaSettings *settings)
{
  g_autoptr (VaLog) log = va_log_new (settings, VA_LOG_OUTPUT_CONSOLE, NULL);

  if (settings == NULL
      || va_settings_get_source (settings, "log-level", NULL) == VA_SETTINGS_SOURCE_DEFAULT)
    va_log_set_level (log, "warning");
  va_log_install (log);
}

static int
va_cli_settings_fail (const VaCliCommandSpec *spec, const GError *error, int exit_code)
{
  g_printerr ("videoannotator %s: %s\n", spec->command, va_cli_error_message (error));
  return exit_code;
}

static GOptionContext *
va_cli_settings_context (const VaCliCommandSpec *spec, VaSettings *settings)
{
  GOptionContext *context = g_option_context_new (spec->parameter);
  GOptionGroup *main_group;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (spec->summary != NULL)
    g_option_context_set_summary (context, spec->summary);
  if (settings == NULL || (spec->flags & VA_CLI_SETTINGS_SEPARATE_HELP) != 0) {
    main_group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
    g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
    if (settings != NULL)
      g_option_context_add_group (context, va_settings_get_option_group (settings));
  } else {
    main_group = va_settings_get_option_group (settings);
  }
  if (spec->entries != NULL)
    g_option_group_add_entries (main_group, spec->entries);
  if (spec->shared_entries != NULL)
    g_option_group_add_entries (main_group, spec->shared_entries);
  g_option_context_set_main_group (context, main_group);
  if (spec->extra_group != NULL)
    g_option_context_add_group (context, spec->extra_group ());
  return context;
}

/**
 * va_cli_settings_parse:
 * @settings: (out): the settings, not loaded yet; %NULL only with
 *   %VA_CLI_SETTINGS_OPTIONAL when there is no schema
 * @rest: (out): the arguments left, `argv[0]` first
 *
 * Parses the options. A command checks its own arguments and sets
 * overrides from its flags in between, then calls va_cli_settings_load().
 */
int
va_cli_settings_parse (const VaCliCommandSpec *spec, int argc, char **argv, VaSettings **settings,
                       GStrv *rest)
{
  g_autoptr (VaSettings) result = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = g_new0 (char *, argc + 1);
  gboolean parsed;

  result = va_settings_new (&error);
  if (result == NULL) {
    if ((spec->flags & VA_CLI_SETTINGS_OPTIONAL) == 0)
      return va_cli_settings_fail (spec, error, va_cli_exit_code_for_error (error));
    g_printerr (_ ("videoannotator %s: settings unavailable, using the elements' defaults: %s\n"),
                spec->command, va_cli_error_message (error));
    g_clear_error (&error);
  }
  for (guint i = 0; result != NULL && spec->defaults != NULL && spec->defaults[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (spec->defaults[i], "=", 2);
    va_settings_set_override (result, kv[0], kv[1], NULL);
  }
  context = va_cli_settings_context (spec, result);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  parsed = result != NULL ? va_settings_parse_command_line (result, context, &args, &error)
                          : g_option_context_parse_strv (context, &args, &error);
  if (!parsed)
    return va_cli_settings_fail (spec, error, VA_EXIT_USAGE);
  *settings = g_steal_pointer (&result);
  *rest = g_steal_pointer (&args);
  return -1;
}

/**
 * va_cli_settings_load:
 * @settings: (nullable): from va_cli_settings_parse()
 *
 * Loads @settings and sends the log through them (va_cli_setup_log()).
 */
int
va_cli_settings_load (const VaCliCommandSpec *spec, VaSettings *settings)
{
  g_autoptr (GError) error = NULL;

  if (settings == NULL)
    return -1;
  if (!va_settings_load (settings, NULL, &error))
    return va_cli_settings_fail (spec, error, va_cli_exit_code_for_error (error));
  va_cli_setup_log (settings);
  return -1;
}

/**
 * va_cli_settings_open:
 *
 * va_cli_settings_parse() then va_cli_settings_load(), for a command with
 * nothing to check in between.
 */
int
va_cli_settings_open (const VaCliCommandSpec *spec, int argc, char **argv, VaSettings **settings,
                      GStrv *rest)
{
  int code = va_cli_settings_parse (spec, argc, argv, settings, rest);

  if (code >= 0)
    return code;
  return va_cli_settings_load (spec, *settings);
}
