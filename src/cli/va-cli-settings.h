/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-settings.h"

G_BEGIN_DECLS

typedef enum {
  VA_CLI_SETTINGS_NONE = 0,
  /* the setting flags listed by --help-settings, only the command's own by --help */
  VA_CLI_SETTINGS_SEPARATE_HELP = 1 << 0,
  /* without the settings schema (an uninstalled build run by hand) go on
   * without settings instead of failing */
  VA_CLI_SETTINGS_OPTIONAL = 1 << 1,
} VaCliSettingsFlags;

/* How a subcommand takes its options: its own plus every setting flag. */
typedef struct {
  const char *command;                 /* "cleanup", "job submit": prefixes messages */
  const char *parameter;               /* the positional arguments in --help, or NULL */
  const char *summary;                 /* --help's text */
  const GOptionEntry *entries;         /* the command's own options, or NULL */
  const GOptionEntry *shared_entries;  /* options of a family of commands, or NULL */
  GOptionGroup *(*extra_group) (void); /* e.g. gst_init_get_option_group, or NULL */
  const char *const *defaults;         /* KEY=VALUE set before the flags, which still win */
  VaCliSettingsFlags flags;
} VaCliCommandSpec;

int va_cli_settings_parse (const VaCliCommandSpec *spec, int argc, char **argv,
                           VaSettings **settings, GStrv *rest);
int va_cli_settings_load (const VaCliCommandSpec *spec, VaSettings *settings);
int va_cli_settings_open (const VaCliCommandSpec *spec, int argc, char **argv,
                          VaSettings **settings, GStrv *rest);

G_END_DECLS
