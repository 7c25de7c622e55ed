/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "va-cli-dbus.h"
#include "va-cli.h"
#include "va-error.h"

/* `videoannotator token --dbus COMMAND`: key administration of a running
 * service over D-Bus (ListKeys, CreateKey, RevokeKey, RevokeAllKeys), the
 * same engine calls as the local commands and /api/v1/keys. The bus says
 * who we are: root and the owner of the service's data directory are
 * administrators, anyone else is refused (exit status 6). */

typedef struct {
  gboolean system;
  gboolean json;
  VaDBusManager *proxy;
} VaCliTokenDBus;

static int
va_cli_token_dbus_setup (VaCliTokenDBus *self, int argc, char **argv, const char *parameter,
                         const GOptionEntry *extra, GStrv *rest)
{
  const GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &self->system,
      N_ ("Use the system bus (default: the session bus)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &self->json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;
  g_autofree char *what = g_strconcat ("token ", argv[0], NULL);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, GETTEXT_PACKAGE);
  *rest = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, rest, &error)) {
    g_printerr ("videoannotator %s: %s\n", what, va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  self->proxy = va_cli_dbus_proxy_new (self->system, &error);
  if (self->proxy == NULL)
    return va_cli_dbus_fail (what, self->json, g_steal_pointer (&error));
  return -1;
}

static void
va_cli_token_dbus_print (GVariant *value)
{
  g_autoptr (JsonNode) node = json_gvariant_serialize (value);

  va_cli_print_json (node);
}

static const char *
va_cli_token_dbus_field (GVariant *key, const char *field, const char *none)
{
  const char *value = NULL;

  return g_variant_lookup (key, field, "&s", &value) ? value : none;
}

static int
va_cli_token_dbus_list (VaCliTokenDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) keys = NULL;
  GVariantIter iter;
  GVariant *key;
  int status;

  if ((status = va_cli_token_dbus_setup (self, argc, argv, NULL, NULL, &rest)) >= 0)
    return status;
  if (!va_dbus_manager_call_list_keys_sync (self->proxy, &keys, NULL, &error))
    return va_cli_dbus_fail ("token list", self->json, g_steal_pointer (&error));
  if (self->json) {
    g_autoptr (GVariantDict) root = g_variant_dict_new (NULL);

    g_variant_dict_insert_value (root, "keys", g_variant_ref (keys));
    va_cli_token_dbus_print (g_variant_dict_end (root));
    return VA_EXIT_OK;
  }
  va_cli_token_print_header ();
  g_variant_iter_init (&iter, keys);
  while ((key = g_variant_iter_next_value (&iter)) != NULL) {
    g_autoptr (GVariant) owned = key;
    g_autofree const char **scopes = NULL;
    g_autofree char *scope_names = NULL;
    GVariant *scope_value = g_variant_lookup_value (key, "scopes", G_VARIANT_TYPE_STRING_ARRAY);

    if (scope_value != NULL) {
      scopes = g_variant_get_strv (scope_value, NULL);
      scope_names = g_strjoinv (",", (char **)scopes);
      g_variant_unref (scope_value);
    }
    g_autofree char *created
        = va_cli_token_format_iso8601 (va_cli_token_dbus_field (key, "created_at", NULL), "-");
    g_autofree char *expires = va_cli_token_format_iso8601 (
        va_cli_token_dbus_field (key, "expires_at", NULL), _ ("never"));
    g_autofree char *used = va_cli_token_format_iso8601 (
        va_cli_token_dbus_field (key, "last_used_at", NULL), _ ("never"));

    va_cli_token_print_row (
        va_cli_token_dbus_field (key, "id", "-"), va_cli_token_dbus_field (key, "prefix", "-"),
        va_cli_token_dbus_field (key, "username", "-"), scope_names != NULL ? scope_names : "-",
        created, expires, used, va_cli_token_dbus_field (key, "state", "-"));
  }
  return VA_EXIT_OK;
}

static int
va_cli_token_dbus_create (VaCliTokenDBus *self, int argc, char **argv)
{
  g_autofree char *user_id = NULL, *username = NULL, *email = NULL, *scopes_text = NULL;
  g_autofree char *description = NULL;
  gint expires_in_days = 0;
  gboolean no_expiry = FALSE;
  const GOptionEntry entries[] = {
    { "user-id", 0, 0, G_OPTION_ARG_STRING, &user_id, N_ ("Owner id (required)"), N_ ("ID") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_ ("Owner name (required)"), N_ ("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_ ("Owner e-mail (required)"), N_ ("EMAIL") },
    { "scopes", 0, 0, G_OPTION_ARG_STRING, &scopes_text,
      N_ ("Comma-separated scopes: read, write, admin (required)"), N_ ("SCOPES") },
    { "expires-in-days", 0, 0, G_OPTION_ARG_INT, &expires_in_days,
      N_ ("Lifetime in days (default: key-expiry-days; at most key-max-expiry-days)"), N_ ("N") },
    { "no-expiry", 0, 0, G_OPTION_ARG_NONE, &no_expiry,
      N_ ("Create a key that never expires (not recommended)"), NULL },
    { "description", 0, 0, G_OPTION_ARG_STRING, &description, N_ ("Free text, e.g. the purpose"),
      N_ ("TEXT") },
    { NULL },
  };
  g_auto (GStrv) rest = NULL;
  g_auto (GStrv) scopes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) record = NULL;
  g_autofree char *key = NULL;
  g_auto (GVariantDict) request = G_VARIANT_DICT_INIT (NULL);
  int status;

  if ((status = va_cli_token_dbus_setup (self, argc, argv, NULL, entries, &rest)) >= 0)
    return status;
  if (rest[1] != NULL || user_id == NULL || username == NULL || email == NULL || scopes_text == NULL
      || expires_in_days < 0) {
    g_printerr ("%s\n", _ ("Usage: videoannotator token --dbus create --user-id ID --username "
                           "NAME --email EMAIL --scopes SCOPES [--expires-in-days N]"));
    return VA_EXIT_USAGE;
  }
  scopes = g_strsplit (scopes_text, ",", -1);
  g_variant_dict_insert (&request, "user_id", "s", user_id);
  g_variant_dict_insert (&request, "username", "s", username);
  g_variant_dict_insert (&request, "email", "s", email);
  g_variant_dict_insert_value (&request, "scopes",
                               g_variant_new_strv ((const char *const *)scopes, -1));
  if (expires_in_days > 0)
    g_variant_dict_insert (&request, "expires_in_days", "u", (guint32)expires_in_days);
  if (no_expiry)
    g_variant_dict_insert (&request, "no_expiry", "b", TRUE);
  if (description != NULL)
    g_variant_dict_insert (&request, "description", "s", description);
  if (!va_dbus_manager_call_create_key_sync (self->proxy, g_variant_dict_end (&request), &key,
                                             &record, NULL, &error))
    return va_cli_dbus_fail ("token create", self->json, g_steal_pointer (&error));
  if (self->json) {
    g_autoptr (GVariantDict) out = g_variant_dict_new (record);

    g_variant_dict_insert (out, "key", "s", key);
    va_cli_token_dbus_print (g_variant_dict_end (out));
  } else {
    g_print ("  %-8s %s\n", _ ("id:"), va_cli_token_dbus_field (record, "id", "-"));
    g_print ("  %-8s %s\n", _ ("prefix:"), va_cli_token_dbus_field (record, "prefix", "-"));
    g_print ("%s\n", _ ("Store the key now: it is not kept and cannot be shown again."));
    g_print ("%s\n", key);
  }
  memset (key, 0, strlen (key));
  return VA_EXIT_OK;
}

static int
va_cli_token_dbus_revoke (VaCliTokenDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) record = NULL;
  gboolean newly = FALSE;
  int status;

  if ((status = va_cli_token_dbus_setup (self, argc, argv, _ ("ID|PREFIX"), NULL, &rest)) >= 0)
    return status;
  if (rest[1] == NULL || rest[2] != NULL) {
    g_printerr ("%s\n", _ ("Usage: videoannotator token --dbus revoke ID|PREFIX"));
    return VA_EXIT_USAGE;
  }
  if (!va_dbus_manager_call_revoke_key_sync (self->proxy, rest[1], &record, &newly, NULL, &error))
    return va_cli_dbus_fail ("token revoke", self->json, g_steal_pointer (&error));
  if (newly)
    g_print (_ ("Revoked API key %s (%s).\n"), va_cli_token_dbus_field (record, "id", "-"),
             va_cli_token_dbus_field (record, "prefix", "-"));
  else
    g_print (_ ("API key %s (%s) was already revoked.\n"),
             va_cli_token_dbus_field (record, "id", "-"),
             va_cli_token_dbus_field (record, "prefix", "-"));
  return VA_EXIT_OK;
}

static int
va_cli_token_dbus_revoke_all (VaCliTokenDBus *self, int argc, char **argv)
{
  g_auto (GStrv) rest = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;
  int status;

  if ((status = va_cli_token_dbus_setup (self, argc, argv, NULL, NULL, &rest)) >= 0)
    return status;
  if (!va_dbus_manager_call_revoke_all_keys_sync (self->proxy, &count, NULL, &error))
    return va_cli_dbus_fail ("token revoke-all", self->json, g_steal_pointer (&error));
  g_print (g_dngettext (GETTEXT_PACKAGE, "Revoked %u API key.\n", "Revoked %u API keys.\n", count),
           count);
  return VA_EXIT_OK;
}

static const struct {
  const char *name;
  int (*run) (VaCliTokenDBus *self, int argc, char **argv);
} va_cli_token_dbus_commands[] = {
  { "list", va_cli_token_dbus_list },
  { "create", va_cli_token_dbus_create },
  { "revoke", va_cli_token_dbus_revoke },
  { "revoke-all", va_cli_token_dbus_revoke_all },
};

/**
 * va_cli_token_dbus:
 * @argv: `--dbus COMMAND ARGS…`
 */
int
va_cli_token_dbus (int argc, char **argv)
{
  VaCliTokenDBus self = { 0 };
  int code = VA_EXIT_USAGE;

  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (va_cli_token_dbus_commands); i++) {
    if (g_str_equal (argv[1], va_cli_token_dbus_commands[i].name)) {
      code = va_cli_token_dbus_commands[i].run (&self, argc - 1, argv + 1);
      g_clear_object (&self.proxy);
      return code;
    }
  }
  g_printerr ("%s\n", _ ("Usage: videoannotator token --dbus list|create|revoke|revoke-all "
                         "[--system] [--json] …"));
  return code;
}
