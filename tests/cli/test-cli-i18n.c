/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-cli-test-utils.h"

/* The CLI speaks French with LANGUAGE=fr, using the catalog built in
 * build/po (VA_LOCALEDIR), and English without it. */

static const char *videoannotator;
static char *localedir_env;

static void
run_fr (VaCliResult *r, const char *extra_env, const char *const *args)
{
  const char *const env[]
      = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANGUAGE=fr", localedir_env, extra_env, NULL };
  va_cli_run (r, videoannotator, env, args);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

static void
test_usage (void)
{
  g_auto (VaCliResult) fr = { 0 };
  g_auto (VaCliResult) en = { 0 };
  const char *const env_en[] = { "LC_ALL=C.UTF-8", localedir_env, NULL };

  run_fr (&fr, NULL, (const char *const[]){ NULL });
  g_assert_cmpint (fr.status, ==, 2);
  assert_contains (fr.err, "Utilisation : videoannotator COMMANDE [OPTIONS…]");
  assert_contains (fr.err, "Commandes :");
  assert_contains (fr.err, "Afficher les réglages en vigueur et leur provenance");
  assert_contains (fr.err, "Lancez « videoannotator COMMANDE --help »");

  va_cli_run (&en, videoannotator, env_en, (const char *const[]){ NULL });
  g_assert_cmpint (en.status, ==, 2);
  assert_contains (en.err, "Usage: videoannotator COMMAND [OPTIONS…]");
}

static void
test_unknown_command (void)
{
  g_auto (VaCliResult) r = { 0 };

  run_fr (&r, NULL, (const char *const[]){ "frobnicate", NULL });
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "videoannotator : commande inconnue « frobnicate »");
}

static void
test_setting_errors (void)
{
  g_auto (VaCliResult) flag = { 0 };
  g_auto (VaCliResult) env = { 0 };
  g_auto (VaCliResult) level = { 0 };

  run_fr (&flag, NULL, (const char *const[]){ "config", "show", "--port", "99999", NULL });
  g_assert_cmpint (flag.status, ==, 2);
  assert_contains (flag.err, "Valeur « 99999 » non valable pour --port : attendu : un nombre "
                             "entier de 1 à 65535");

  run_fr (&env, "AUTH_REQUIRED=maybe", (const char *const[]){ "config", "show", NULL });
  g_assert_cmpint (env.status, ==, 2);
  assert_contains (env.err, "Valeur « maybe » non valable pour AUTH_REQUIRED : attendu : true ou "
                            "false");

  run_fr (&level, "LOG_LEVEL=verbose", (const char *const[]){ "config", "show", NULL });
  g_assert_cmpint (level.status, ==, 2);
  assert_contains (level.err, "l’une des valeurs debug, info, warning, error, critical");
}

static void
test_config_show (void)
{
  g_auto (VaCliResult) r = { 0 };
  g_auto (VaCliResult) help = { 0 };

  run_fr (&r, "DEBUG=false", (const char *const[]){ "config", "show", NULL });
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "Stockage des réglages : GSettings");
  assert_contains (r.out, "par défaut");
  assert_contains (r.out, "environnement (DEBUG)");

  /* flag descriptions are the schema summaries, translated through GSettings */
  run_fr (&help, NULL, (const char *const[]){ "config", "show", "--help", NULL });
  g_assert_cmpint (help.status, ==, 0);
  assert_contains (help.out, "Port TCP de l’API HTTP");
  assert_contains (help.out, "Afficher du JSON au lieu d’un tableau");
  assert_contains (help.out, "--data-dir=CHEMIN");
}

/* the other subcommands' usage goes through the same catalog */
static void
test_subcommand_usage (void)
{
  g_auto (VaCliResult) token = { 0 };
  g_auto (VaCliResult) annotate = { 0 };

  run_fr (&token, NULL, (const char *const[]){ "token", NULL });
  g_assert_cmpint (token.status, ==, 2);
  assert_contains (token.err, "Utilisation : videoannotator token COMMANDE [OPTIONS…]");
  assert_contains (token.err, "Révoquer toutes les clés");

  run_fr (&annotate, NULL, (const char *const[]){ "annotate", NULL });
  g_assert_cmpint (annotate.status, ==, 2);
  assert_contains (annotate.err, "aucune VIDÉO indiquée");
}

int
main (int argc, char **argv)
{
  g_autofree char *localedir = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 3);
  videoannotator = argv[1];
  localedir = g_canonicalize_filename (argv[2], NULL);
  localedir_env = g_strconcat ("VA_LOCALEDIR=", localedir, NULL);

  g_test_add_func ("/cli/i18n/usage", test_usage);
  g_test_add_func ("/cli/i18n/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/i18n/setting-errors", test_setting_errors);
  g_test_add_func ("/cli/i18n/config-show", test_config_show);
  g_test_add_func ("/cli/i18n/subcommand-usage", test_subcommand_usage);
  ret = g_test_run ();
  g_free (localedir_env);
  return ret;
}
