/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-model-catalog.h"
#include "va-model-installer.h"

/* `videoannotator models list` and `videoannotator models install
 * [NAME…]`: the neural models of the pinned catalog (data/models), in the
 * models-dir setting. No names installs the default models. */

static int
va_cli_models_fail (const GError *error)
{
  g_printerr ("videoannotator models: %s\n", va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}

static void
va_cli_models_list (VaModelCatalog *catalog, const char *models_dir)
{
  g_print ("%-10s %-9s %9s  %-11s %-8s %s\n", _ ("NAME"), _ ("STATUS"), _ ("SIZE"), _ ("LICENSE"),
           _ ("DEFAULT"), _ ("SOURCE"));
  for (guint i = 0; i < va_model_catalog_get_n_models (catalog); i++) {
    const VaModelEntry *e = va_model_catalog_get_model (catalog, i);
    guint64 size = 0;
    gboolean installed = va_model_entry_is_installed (e, models_dir, &size);
    g_autofree char *size_text = installed ? g_format_size (size) : g_strdup ("-");
    g_autofree char *source = g_strdup_printf ("npm:%s@%s; %s", e->package, e->version, e->source);

    g_print ("%-10s %-9s %9s  %-11s %-8s %s\n", e->name,
             installed ? _ ("installed") : _ ("missing"), size_text, e->license,
             e->is_default ? _ ("yes") : _ ("no"), source);
  }
  g_print (_ ("Models directory: %s\n"), models_dir);
}

static int
va_cli_models_install (VaModelCatalog *catalog, char **names, const char *models_dir,
                       const char *registry, const char *from)
{
  g_autoptr (GPtrArray) chosen = g_ptr_array_new ();

  if (names == NULL || names[0] == NULL) {
    for (guint i = 0; i < va_model_catalog_get_n_models (catalog); i++) {
      const VaModelEntry *e = va_model_catalog_get_model (catalog, i);

      if (e->is_default)
        g_ptr_array_add (chosen, (gpointer)e);
    }
  }
  for (guint i = 0; names != NULL && names[i] != NULL; i++) {
    const VaModelEntry *e = va_model_catalog_lookup (catalog, names[i]);

    if (e == NULL) {
      g_printerr (_ ("videoannotator models: unknown model “%s” (see “videoannotator models "
                     "list”)\n"),
                  names[i]);
      return VA_EXIT_USAGE;
    }
    g_ptr_array_add (chosen, (gpointer)e);
  }
  if (from != NULL && chosen->len > 1 && !g_file_test (from, G_FILE_TEST_IS_DIR)) {
    g_printerr (_ ("videoannotator models: --from FILE installs one model; give a folder of "
                   "tarballs for several\n"));
    return VA_EXIT_USAGE;
  }
  for (guint i = 0; i < chosen->len; i++) {
    const VaModelEntry *e = g_ptr_array_index (chosen, i);
    g_autoptr (GError) error = NULL;
    guint64 size = 0;

    if (!va_model_install (e, models_dir, registry, from, &error)) {
      g_printerr (_ ("videoannotator models: could not install %s: %s\n"), e->name,
                  va_cli_error_message (error));
      return va_cli_exit_code_for_error (error);
    }
    va_model_entry_is_installed (e, models_dir, &size);
    {
      g_autofree char *size_text = g_format_size (size);
      g_print (_ ("Installed %s (%s %s, %s, %s)\n"), e->name, e->package, e->version, e->license,
               size_text);
    }
  }
  return VA_EXIT_OK;
}

int
va_cli_models (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (VaModelCatalog) catalog = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *catalog_path = NULL;
  g_autofree char *from = NULL;
  const char *models_dir, *registry;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
      N_ ("Install from a local package tarball, or a folder of tarballs named as “npm pack” "
          "names them, instead of downloading"),
      N_ ("PATH") },
    { "catalog", 0, 0, G_OPTION_ARG_FILENAME, &catalog_path,
      N_ ("Read the model list from FILE instead of the built-in one"), N_ ("FILE") },
    { NULL },
  };
  const VaCliCommandSpec spec = {
    .command = "models",
    .parameter = _ ("list | install [NAME…]"),
    .summary = _ ("List the neural models and install them into the models directory. Each "
                  "model is an npm package pinned by version and sha512 integrity; install "
                  "without names installs the default models."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (args[1] == NULL || (!g_str_equal (args[1], "list") && !g_str_equal (args[1], "install"))) {
    g_printerr (_ ("videoannotator models: expected “list” or “install”\n"));
    return VA_EXIT_USAGE;
  }
  if (g_str_equal (args[1], "list") && args[2] != NULL) {
    g_printerr (_ ("videoannotator models: unexpected argument “%s”\n"), args[2]);
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;

  if (catalog_path != NULL) {
    catalog = va_model_catalog_new_from_file (catalog_path, &error);
    if (catalog == NULL)
      return va_cli_models_fail (error);
  } else {
    catalog = va_model_catalog_new_default ();
  }
  models_dir = va_settings_get_string (settings, "models-dir");
  registry = va_settings_get_string (settings, "models-registry");
  if (registry == NULL || *registry == '\0')
    registry = va_model_catalog_get_registry (catalog);

  if (g_str_equal (args[1], "list")) {
    va_cli_models_list (catalog, models_dir);
    return VA_EXIT_OK;
  }
  return va_cli_models_install (catalog, args + 2, models_dir, registry, from);
}
