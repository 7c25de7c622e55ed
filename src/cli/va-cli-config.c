/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-settings.h"

/* `videoannotator config show`: every effective setting and where it came
 * from, so an operator can see why the server does what it does. */

static char *
va_cli_config_describe_source (VaSettings *settings, const char *key)
{
  const char *origin = NULL;

  switch (va_settings_get_source (settings, key, &origin)) {
  case VA_SETTINGS_SOURCE_GSETTINGS:
    return g_strdup (_ ("gsettings"));
  case VA_SETTINGS_SOURCE_KEYFILE:
    return g_strdup_printf (_ ("keyfile (%s)"), origin);
  case VA_SETTINGS_SOURCE_ENVIRONMENT:
    return g_strdup_printf (_ ("environment (%s)"), origin);
  case VA_SETTINGS_SOURCE_COMMAND_LINE:
    return g_strdup_printf (_ ("command line (%s)"), origin);
  case VA_SETTINGS_SOURCE_DEFAULT:
  default:
    return g_strdup (_ ("default"));
  }
}

/* GVariant text (the syntax the keyfile takes), but doubles in their
 * shortest exact form: 0.7 rather than 0.69999999999999996. */
static char *
va_cli_config_format_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE)) {
    double d = g_variant_get_double (value);
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    for (int precision = 1; precision <= 17; precision++) {
      g_autofree char *format = g_strdup_printf ("%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, d);
      /* %g switches to an exponent when the precision is short of the
       * integer digits (30 → 3e+01); keep going unless it is a real one */
      gboolean exponent = strpbrk (buf, "eE") != NULL;
      if (g_ascii_strtod (buf, NULL) == d && (!exponent || fabs (d) < 1e-4 || fabs (d) >= 1e15))
        break;
    }
    if (strpbrk (buf, ".eEn") == NULL)
      return g_strconcat (buf, ".0", NULL);
    return g_strdup (buf);
  }
  return g_variant_print (value, FALSE);
}

static void
va_cli_config_print_plain (VaSettings *settings)
{
  const char *const *keys = va_settings_list_keys (settings);
  const char *file = va_settings_get_config_file (settings);
  g_auto (GStrv) values = g_new0 (char *, g_strv_length ((char **)keys) + 1);
  gsize key_width = 0, value_width = 0;

  if (va_settings_get_backend_kind (settings) == VA_SETTINGS_BACKEND_KEYFILE)
    g_print (g_file_test (file, G_FILE_TEST_EXISTS) ? _ ("Settings file: %s\n")
                                                    : _ ("Settings file: %s (not present)\n"),
             file);
  else
    g_print ("%s\n", _ ("Settings backend: GSettings"));

  /* values in GVariant text form: the same syntax the keyfile takes */
  for (guint i = 0; keys[i] != NULL; i++) {
    values[i] = va_cli_config_format_value (va_settings_get_value (settings, keys[i]));
    key_width = MAX (key_width, (gsize)g_utf8_strlen (keys[i], -1));
    value_width = MAX (value_width, (gsize)g_utf8_strlen (values[i], -1));
  }
  value_width = MIN (value_width, 40);

  for (guint i = 0; keys[i] != NULL; i++) {
    g_autofree char *source = va_cli_config_describe_source (settings, keys[i]);
    g_print ("%-*s  %-*s  %s\n", (int)key_width, keys[i], (int)value_width, values[i], source);
  }
}

static void
va_cli_config_print_json (VaSettings *settings)
{
  const char *const *keys = va_settings_list_keys (settings);
  const char *file = va_settings_get_config_file (settings);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "backend");
  json_builder_add_string_value (builder, va_settings_get_backend_kind (settings)
                                                  == VA_SETTINGS_BACKEND_KEYFILE
                                              ? "keyfile"
                                              : "gsettings");
  json_builder_set_member_name (builder, "config-file");
  if (file != NULL)
    json_builder_add_string_value (builder, file);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "settings");
  json_builder_begin_object (builder);
  for (guint i = 0; keys[i] != NULL; i++) {
    const char *origin = NULL;
    VaSettingsSource source = va_settings_get_source (settings, keys[i], &origin);

    json_builder_set_member_name (builder, keys[i]);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "value");
    json_builder_add_value (builder,
                            json_gvariant_serialize (va_settings_get_value (settings, keys[i])));
    json_builder_set_member_name (builder, "source");
    json_builder_add_string_value (builder, va_settings_source_to_string (source));
    if (origin != NULL) {
      json_builder_set_member_name (builder, "origin");
      json_builder_add_string_value (builder, origin);
    }
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  va_cli_print_json (root);
}

static int
va_cli_config_show (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON instead of a table"), NULL },
    { NULL },
  };
  g_autoptr (VaSettings) settings = NULL;
  g_auto (GStrv) args = NULL;
  /* the settings flags are this command's own options */
  const VaCliCommandSpec spec = {
    .command = "config show",
    .summary = _ ("videoannotator config show [--json] [--SETTING=VALUE…]\n\n"
                  "Print every effective setting and where it came from (default, gsettings, "
                  "keyfile, environment or command line)."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator config show: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;

  if (json)
    va_cli_config_print_json (settings);
  else
    va_cli_config_print_plain (settings);
  return VA_EXIT_OK;
}

static void
va_cli_config_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _ ("Usage: videoannotator config show [--json] [--SETTING=VALUE…]"));
  fprintf (out, "%s\n", _ ("Print every effective setting and where it came from."));
  fprintf (out, "%s\n", _ ("Run “videoannotator config show --help” for the setting flags."));
}

int
va_cli_config (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return va_cli_config_show (argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))) {
    va_cli_config_usage (stdout);
    return VA_EXIT_OK;
  }
  if (argc >= 2)
    g_printerr (_ ("videoannotator config: unknown subcommand “%s”\n\n"), argv[1]);
  va_cli_config_usage (stderr);
  return VA_EXIT_USAGE;
}
