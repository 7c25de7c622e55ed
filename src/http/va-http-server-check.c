/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-error.h"
#include "va-http-private.h"

/* The network settings, checked before a server creates anything (data
 * directory, database, first admin key): a start that is going to be
 * refused leaves nothing behind. va_http_server_new() applies the same
 * settings later. */

static gboolean
va_http_server_check_tls (VaSettings *settings, GError **error)
{
  const char *cert_file = va_settings_get_string (settings, "tls-certificate");
  const char *key_file = va_settings_get_string (settings, "tls-private-key");
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GError) local = NULL;

  if (*cert_file == '\0' && *key_file == '\0')
    return TRUE;
  if (*cert_file == '\0') {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("tls-private-key is set but tls-certificate is not"));
    return FALSE;
  }
  cert = *key_file != '\0' ? g_tls_certificate_new_from_files (cert_file, key_file, &local)
                           : g_tls_certificate_new_from_file (cert_file, &local);
  if (cert == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 _ ("Cannot load the TLS certificate %s%s%s: %s"), cert_file,
                 *key_file != '\0' ? _ (" with key ") : "", key_file, local->message);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_http_server_check_settings:
 * @settings: loaded settings
 * @dev: development mode (allows the CORS wildcard)
 * @error: return location for a %VA_ERROR
 *
 * Checks what va_http_server_new() and va_http_server_start() would
 * refuse, without creating anything: the CORS list (its wildcard) and the
 * TLS certificate and key. (The values' syntax, such as bind-address, is
 * checked by va_settings_load().)
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT naming the setting
 */
gboolean
va_http_server_check_settings (VaSettings *settings, gboolean dev, GError **error)
{
  VaHttpCors *cors;

  g_return_val_if_fail (VA_IS_SETTINGS (settings), FALSE);

  cors = va_http_cors_new (va_settings_get_strv (settings, "cors-origins"), dev, error);
  if (cors == NULL)
    return FALSE;
  va_http_cors_free (cors);
  return va_http_server_check_tls (settings, error);
}
