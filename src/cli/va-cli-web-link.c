/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include <unistd.h>

#include "va-cli.h"
#include "va-caller-local.h"
#include "va-engine.h"
#include "va-settings.h"

/* `videoannotator web-link [--open]`: a one-time login link to the web UI
 * of the server that uses this data directory (docs/web-ui.md). The
 * engine issues it (va_engine_issue_login_link()) to the local user who
 * runs the command: an administrator when root or the data directory's
 * owner, as for `token create`. The token travels in the URL fragment, which browsers
 * never send to a server. */

/**
 * va_cli_web_login_url:
 * @base: (nullable): the server's address, or %NULL for va_cli_web_base_url()
 *
 * A one-time login link for the user running the command (`web-link`, and
 * `open` for the desktop entry): the token goes after `#login=`, in the
 * fragment, which a browser never sends to a server.
 *
 * Returns: (transfer full) (nullable): the link
 */
char *
va_cli_web_login_url (VaSettings *settings, const char *base, const VaTokenRequest *request,
                      GError **error)
{
  g_autoptr (VaEngine) engine = va_engine_new (settings, error);
  g_autoptr (VaCaller) caller = NULL;
  g_autofree char *token = NULL;
  g_autofree char *address = NULL;

  if (engine == NULL)
    return NULL;
  caller = va_engine_authenticate_uid (engine, (guint32)getuid (), error);
  if (caller == NULL)
    return NULL;
  va_caller_set_transport (caller, "cli");
  token = va_engine_issue_login_link (engine, caller, request, error);
  if (token == NULL)
    return NULL;
  address = base != NULL ? g_strdup (base) : va_cli_web_base_url (settings);
  while (g_str_has_suffix (address, "/"))
    address[strlen (address) - 1] = '\0';
  return g_strdup_printf ("%s/#login=%s", address, token);
}

int
va_cli_web_link (int argc, char **argv)
{
  g_autoptr (VaSettings) settings = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  g_autofree char *user_id = NULL, *username = NULL, *email = NULL, *scopes_text = NULL;
  g_autofree char *base_url = NULL, *url = NULL;
  gboolean open = FALSE;
  const GOptionEntry entries[] = {
    { "scopes", 0, 0, G_OPTION_ARG_STRING, &scopes_text,
      N_ ("Scopes of the session: read, write, admin (default: read,write)"), N_ ("SCOPES") },
    { "user-id", 0, 0, G_OPTION_ARG_STRING, &user_id, N_ ("Owner id (default: the login name)"),
      N_ ("ID") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_ ("Owner name (default: the user id)"),
      N_ ("NAME") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_ ("Owner e-mail (default: ID@localhost)"),
      N_ ("EMAIL") },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      N_ ("Server address in the link (default: from bind-address, port and TLS)"), N_ ("URL") },
    { "open", 0, 0, G_OPTION_ARG_NONE, &open, N_ ("Open the link in the default browser"), NULL },
    { NULL },
  };
  VaTokenRequest request = { 0 };
  VaScopes scopes = VA_SCOPE_NONE;
  const VaCliCommandSpec spec = {
    .command = "web-link",
    .summary = _ ("Print a one-time login link to the web UI (valid for two minutes, single "
                  "use; it signs the browser in for a day)."),
    .entries = entries,
  };
  int code;

  code = va_cli_settings_parse (&spec, argc, argv, &settings, &args);
  if (code >= 0)
    return code;
  if (args[1] != NULL) {
    g_printerr (_ ("videoannotator web-link: unexpected argument “%s”\n"), args[1]);
    return VA_EXIT_USAGE;
  }
  if (!va_scopes_parse (scopes_text != NULL ? scopes_text : "read,write", &scopes, &error)) {
    g_printerr ("videoannotator web-link: %s\n", va_cli_error_message (error));
    return VA_EXIT_USAGE;
  }
  code = va_cli_settings_load (&spec, settings);
  if (code >= 0)
    return code;
  if (user_id == NULL)
    user_id = g_strdup (g_get_user_name ());
  if (username == NULL)
    username = g_strdup (user_id);
  if (email == NULL)
    email = g_strdup_printf ("%s@localhost", user_id);
  request.user_id = user_id;
  request.username = username;
  request.email = email;
  request.scopes = scopes;
  url = va_cli_web_login_url (settings, base_url, &request, &error);
  if (url == NULL)
    goto fail;
  g_print ("%s\n", url);
  if (open && !g_app_info_launch_default_for_uri (url, NULL, &error))
    goto fail;
  return VA_EXIT_OK;

fail:
  g_printerr ("videoannotator web-link: %s\n", va_cli_error_message (error));
  return va_cli_exit_code_for_error (error);
}
