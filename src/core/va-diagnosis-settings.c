/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "va-diagnosis-private.h"

/* Settings that work but expose the service. */

static gboolean
va_diagnosis_is_local (const char *address)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);

  if (inet == NULL)
    return g_str_equal (address, "localhost");
  return g_inet_address_get_is_loopback (inet);
}

void
va_diagnosis_check_settings (VaSettings *settings, GPtrArray *findings)
{
  const char *const *origins = va_settings_get_strv (settings, "cors-origins");
  const char *bind = va_settings_get_string (settings, "bind-address");
  gboolean tls = *va_settings_get_string (settings, "tls-certificate") != '\0';
  guint before = findings->len;

  if (!va_settings_get_boolean (settings, "auth-required"))
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "settings", "AUTH_DISABLED",
                      _ ("Unset AUTH_REQUIRED or set auth-required=true"),
                      _ ("Authentication is disabled: anyone who reaches the server can submit "
                         "and read jobs"));
  if (origins != NULL && g_strv_contains (origins, "*"))
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "settings", "CORS_WILDCARD",
                      _ ("List the exact origins, e.g. CORS_ORIGINS=https://app.example.org"),
                      _ ("cors-origins contains “*”: the server refuses to start (outside "
                         "--dev)"));
  if (!va_diagnosis_is_local (bind) && !tls)
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "settings", "PLAIN_HTTP_EXPOSED",
                      _ ("Set tls-certificate and tls-private-key, or keep bind-address on "
                         "127.0.0.1 behind a TLS proxy (in a container, publish the port on "
                         "127.0.0.1 only)"),
                      _ ("bind-address is %s without TLS: API keys and videos cross the network "
                         "in clear"),
                      bind);
  if (va_settings_get_boolean (settings, "debug"))
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "settings", "DEBUG_ENABLED",
                      _ ("Set DEBUG=false"), _ ("Debug routes are enabled"));
  if (va_settings_get_uint (settings, "rate-limit") == 0)
    va_diagnosis_add (findings, VA_DIAGNOSIS_WARNING, "settings", "RATE_LIMIT_OFF",
                      _ ("Set rate-limit (10 requests per second is the default)"),
                      _ ("Rate limiting is off"));
  if (findings->len == before)
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "settings", "SETTINGS", NULL,
                      _ ("Authentication on, CORS restricted, listening on %s%s"), bind,
                      tls ? _ (" with TLS") : "");
}
