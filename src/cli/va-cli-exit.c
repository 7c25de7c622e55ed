/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "va-cli-exit.h"

/**
 * SECTION:va-cli-exit
 *
 * The one map from a failure to the exit status of `videoannotator`. A
 * failure has the same status wherever it happened: in this process, on a
 * server answering over HTTP (va-remote-client.c turns the status back into
 * the #VaError the server had) or over D-Bus (every #VaError is a
 * registered D-Bus error name, so it arrives as itself). The table is
 * documented in docs/cli.md, "Exit codes".
 */

static const struct {
  VaError error;
  VaExitCode exit_code;
} va_cli_exit_table[] = {
  { VA_ERROR_INTERNAL, VA_EXIT_FAILURE },
  { VA_ERROR_NOT_FOUND, VA_EXIT_NOT_FOUND },
  { VA_ERROR_INVALID_ARGUMENT, VA_EXIT_USAGE },
  { VA_ERROR_UNAUTHENTICATED, VA_EXIT_DENIED },
  { VA_ERROR_FORBIDDEN, VA_EXIT_DENIED },
  { VA_ERROR_CONFLICT, VA_EXIT_CONFLICT },
  { VA_ERROR_RATE_LIMITED, VA_EXIT_UNAVAILABLE },
  { VA_ERROR_PAYLOAD_TOO_LARGE, VA_EXIT_FAILURE },
  { VA_ERROR_UNSUPPORTED_MEDIA, VA_EXIT_UNSUPPORTED },
  { VA_ERROR_STORAGE_FULL, VA_EXIT_FAILURE },
  { VA_ERROR_READ_ONLY, VA_EXIT_UNAVAILABLE },
  { VA_ERROR_CANCELLED, VA_EXIT_CANCELLED },
  { VA_ERROR_PIPELINE, VA_EXIT_MEDIA_ERROR },
  { VA_ERROR_NOT_SUPPORTED, VA_EXIT_FAILURE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (va_cli_exit_table) == VA_ERROR_LAST);

/**
 * va_cli_exit_code_lookup:
 * @exit_code: (out): the status of a failure of kind @code
 *
 * Returns: %FALSE if the table has no row for @code
 */
gboolean
va_cli_exit_code_lookup (VaError code, VaExitCode *exit_code)
{
  for (guint i = 0; i < G_N_ELEMENTS (va_cli_exit_table); i++) {
    if (va_cli_exit_table[i].error == code) {
      *exit_code = va_cli_exit_table[i].exit_code;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * va_cli_error_is_unreachable:
 *
 * Whether @error says that the server could not be reached at all (no
 * answer over the network, no bus or no service on it), as opposed to an
 * answer that refused the request.
 */
gboolean
va_cli_error_is_unreachable (const GError *error)
{
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR)
    return TRUE;
  if (error->domain == G_DBUS_ERROR) {
    switch (error->code) {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_NO_SERVER:
    case G_DBUS_ERROR_NO_REPLY:
    case G_DBUS_ERROR_NO_NETWORK:
    case G_DBUS_ERROR_TIMEOUT:
    case G_DBUS_ERROR_TIMED_OUT:
    case G_DBUS_ERROR_DISCONNECTED:
    case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
    case G_DBUS_ERROR_SPAWN_FAILED:
    case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
    case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
    case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
      return TRUE;
    default:
      return FALSE;
    }
  }
  if (error->domain != G_IO_ERROR)
    return FALSE;
  switch (error->code) {
  case G_IO_ERROR_CONNECTION_REFUSED:
  case G_IO_ERROR_HOST_UNREACHABLE:
  case G_IO_ERROR_NETWORK_UNREACHABLE:
  case G_IO_ERROR_TIMED_OUT:
  case G_IO_ERROR_CONNECTION_CLOSED:
  case G_IO_ERROR_NOT_CONNECTED:
  case G_IO_ERROR_PROXY_FAILED:
  case G_IO_ERROR_PROXY_AUTH_FAILED:
  case G_IO_ERROR_PROXY_NOT_ALLOWED:
  case G_IO_ERROR_PROXY_NEED_AUTH:
    return TRUE;
  default:
    return FALSE;
  }
}

/* The #VaError of @error: itself, or the kind of a foreign error (GIO,
 * GLib, D-Bus) that the table tells apart; any other is INTERNAL. */
static VaError
va_cli_exit_kind (const GError *error)
{
  if (error->domain == VA_ERROR)
    return (VaError)error->code;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return VA_ERROR_CANCELLED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
      || g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return VA_ERROR_NOT_FOUND;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
      || g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
      || g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_PERM)
      /* the bus's policy refused the call */
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return VA_ERROR_FORBIDDEN;
  if (error->domain == G_OPTION_ERROR)
    return VA_ERROR_INVALID_ARGUMENT;
  return VA_ERROR_INTERNAL;
}

/**
 * va_cli_exit_code_for_error:
 * @error: (nullable): what went wrong
 *
 * Returns: the exit status for @error (0 for %NULL)
 */
int
va_cli_exit_code_for_error (const GError *error)
{
  VaExitCode exit_code = VA_EXIT_FAILURE;

  if (error == NULL)
    return VA_EXIT_OK;
  if (va_cli_error_is_unreachable (error))
    return VA_EXIT_UNAVAILABLE;
  if (!va_cli_exit_code_lookup (va_cli_exit_kind (error), &exit_code))
    return VA_EXIT_FAILURE;
  return exit_code;
}

/**
 * va_cli_error_code_name:
 *
 * The `code` of the `{"error": …}` object that `--json` prints for a
 * failure on this side: `SERVER_UNREACHABLE`, or the #VaError's nick
 * (`NotFound`, `InvalidArgument`, …).
 */
const char *
va_cli_error_code_name (const GError *error)
{
  if (va_cli_error_is_unreachable (error))
    return "SERVER_UNREACHABLE";
  return va_error_to_string (va_cli_exit_kind (error));
}

/* The engine's fixed messages are marked N_() and stay English in the
 * GError (the server sends them on, translated by the client's
 * Accept-Language, and the JSON `code` stays English); the command line
 * shows the message in the user's language. */
const char *
va_cli_error_message (const GError *error)
{
  if (error->message == NULL || error->message[0] == '\0')
    return error->message;
  return _ (error->message);
}
