/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "va-cli-exit.h"
#include "va-cli-json.h"
#include "va-error.h"
#include "va-remote-client.h"

/* The exit code map of the CLI (src/cli/va-cli-exit.c): every VaError has
 * a row, and a failure has the same exit code whether it happened in this
 * process, on a server that answered over HTTP, or on a service that
 * answered over a real D-Bus (a private dbus-daemon). */

static int
local_exit_code (VaError code)
{
  g_autoptr (GError) error = g_error_new (VA_ERROR, code, "local %s", va_error_to_string (code));

  return va_cli_exit_code_for_error (error);
}

static void
test_every_code_has_a_row (void)
{
  for (guint code = 0; code < VA_ERROR_LAST; code++) {
    VaExitCode exit_code = VA_EXIT_OK;

    if (!va_cli_exit_code_lookup ((VaError)code, &exit_code))
      g_error ("VA_ERROR %s has no exit code", va_error_to_string ((VaError)code));
    g_assert_cmpint (exit_code, !=, VA_EXIT_OK);
    g_assert_cmpint (local_exit_code ((VaError)code), ==, exit_code);
  }
  g_assert_cmpint (va_cli_exit_code_for_error (NULL), ==, VA_EXIT_OK);
}

/* Errors from outside the engine: the kinds the table tells apart. */
static void
test_foreign_errors (void)
{
  static const struct {
    GQuark (*domain) (void);
    int code;
    VaExitCode expected;
  } cases[] = {
    { g_io_error_quark, G_IO_ERROR_CANCELLED, VA_EXIT_CANCELLED },
    { g_io_error_quark, G_IO_ERROR_NOT_FOUND, VA_EXIT_NOT_FOUND },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, VA_EXIT_UNAVAILABLE },
    { g_io_error_quark, G_IO_ERROR_FAILED, VA_EXIT_FAILURE },
    { g_io_error_quark, G_IO_ERROR_INVALID_DATA, VA_EXIT_FAILURE },
    { g_io_error_quark, G_IO_ERROR_PERMISSION_DENIED, VA_EXIT_DENIED },
    { g_file_error_quark, G_FILE_ERROR_ACCES, VA_EXIT_DENIED },
    { g_file_error_quark, G_FILE_ERROR_NOENT, VA_EXIT_NOT_FOUND },
    { g_option_error_quark, G_OPTION_ERROR_BAD_VALUE, VA_EXIT_USAGE },
    { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, VA_EXIT_UNAVAILABLE },
    { g_dbus_error_quark, G_DBUS_ERROR_SERVICE_UNKNOWN, VA_EXIT_UNAVAILABLE },
    { g_dbus_error_quark, G_DBUS_ERROR_NO_SERVER, VA_EXIT_UNAVAILABLE },
    { g_dbus_error_quark, G_DBUS_ERROR_ACCESS_DENIED, VA_EXIT_DENIED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = g_error_new_literal (cases[i].domain (), cases[i].code, "x");
    g_assert_cmpint (va_cli_exit_code_for_error (error), ==, cases[i].expected);
  }
}

/* ---- over HTTP ---------------------------------------------------------- */

/* Answers /fail/N as the server answers a VaError N: its HTTP status and
 * the error envelope. */
static void
fail_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  guint code = (guint)g_ascii_strtoull (path + strlen ("/fail/"), NULL, 10);
  g_autofree char *body = g_strdup_printf (
      "{\"error\": {\"code\": \"%s\", \"message\": \"remote %s\"}, \"detail\": \"remote\"}",
      va_error_to_string ((VaError)code), va_error_to_string ((VaError)code));

  soup_server_message_set_status (msg, va_error_to_http_status ((VaError)code), NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GError *
remote_http_error (VaRemoteClient *client, const char *path)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) node = NULL;
  GError *error = NULL;

  va_remote_client_call_async (client, "GET", path, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  node = va_remote_client_call_finish (client, result, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  return error;
}

static void
test_same_over_http (void)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaRemoteClient) client = NULL;
  g_autofree char *base = NULL;
  GSList *uris;

  soup_server_add_handler (server, "/fail", fail_handler, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  client = va_remote_client_new (base, &error);
  g_assert_no_error (error);

  for (guint code = 0; code < VA_ERROR_LAST; code++) {
    g_autofree char *path = g_strdup_printf ("/fail/%u", code);
    g_autoptr (GError) remote = remote_http_error (client, path);
    g_autofree char *message = g_strdup_printf ("remote %s", va_error_to_string ((VaError)code));
    int local = local_exit_code ((VaError)code);

    /* a cancellation is this side's own (Ctrl-C); a server that stops a
     * request answers 503 instead (va_http_respond_gerror()) */
    if (code == VA_ERROR_CANCELLED)
      continue;
    /* a 500 says no more than "internal": a pipeline failure reaches a
     * client as a failed job, never as the answer to a request */
    if (code == VA_ERROR_PIPELINE) {
      g_assert_cmpint (va_cli_exit_code_for_error (remote), ==, VA_EXIT_FAILURE);
      continue;
    }
    if (va_cli_exit_code_for_error (remote) != local)
      g_error ("%s: exit %d over HTTP (%s), %d locally", va_error_to_string ((VaError)code),
               va_cli_exit_code_for_error (remote), remote->message, local);
    g_assert_cmpstr (remote->message, ==, message);
  }

  /* nobody listening: unavailable, whatever the command */
  {
    g_autoptr (VaRemoteClient) nowhere = va_remote_client_new ("http://127.0.0.1:1", &error);
    g_autoptr (GError) remote = NULL;

    g_assert_no_error (error);
    remote = remote_http_error (nowhere, "/api/v1/jobs");
    g_assert_cmpint (va_cli_exit_code_for_error (remote), ==, VA_EXIT_UNAVAILABLE);
    g_assert_cmpstr (va_cli_error_code_name (remote), ==, "SERVER_UNREACHABLE");
  }
}

/* ---- over D-Bus ----------------------------------------------------------- */

static const char introspection[] = "<node><interface name='org.videoannotator.Test'>"
                                    "<method name='Fail'><arg type='u' direction='in'/></method>"
                                    "</interface></node>";

static void
fail_method (GDBusConnection *connection, const char *sender, const char *path,
             const char *interface, const char *method, GVariant *parameters,
             GDBusMethodInvocation *invocation, gpointer user_data)
{
  guint32 code = 0;

  g_variant_get (parameters, "(u)", &code);
  g_dbus_method_invocation_return_error (invocation, VA_ERROR, (int)code, "remote %s",
                                         va_error_to_string ((VaError)code));
}

static GDBusConnection *
connect_to (const char *address)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *connection = g_dbus_connection_new_for_address_sync (
      address,
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static void
test_same_over_dbus (void)
{
  g_autoptr (GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr (GDBusConnection) service = NULL;
  g_autoptr (GDBusConnection) client = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection, NULL);
  const GDBusInterfaceVTable vtable = { fail_method, NULL, NULL, { 0 } };
  g_autoptr (GError) error = NULL;
  guint id;

  g_test_dbus_up (bus);
  service = connect_to (g_test_dbus_get_bus_address (bus));
  client = connect_to (g_test_dbus_get_bus_address (bus));
  id = g_dbus_connection_register_object (service, "/test", info->interfaces[0], &vtable, NULL,
                                          NULL, &error);
  g_assert_no_error (error);

  for (guint code = 0; code < VA_ERROR_LAST; code++) {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GVariant) reply = NULL;
    g_autoptr (GError) remote = NULL;

    g_dbus_connection_call (client, g_dbus_connection_get_unique_name (service), "/test",
                            "org.videoannotator.Test", "Fail", g_variant_new ("(u)", code), NULL,
                            G_DBUS_CALL_FLAGS_NONE, 10000, NULL, store_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    reply = g_dbus_connection_call_finish (client, result, &remote);
    g_assert_null (reply);
    g_assert_nonnull (remote);
    /* every code is a registered D-Bus error: it arrives as itself */
    g_assert_error (remote, VA_ERROR, (int)code);
    g_dbus_error_strip_remote_error (remote);
    if (va_cli_exit_code_for_error (remote) != local_exit_code ((VaError)code))
      g_error ("%s: exit %d over D-Bus, %d locally", va_error_to_string ((VaError)code),
               va_cli_exit_code_for_error (remote), local_exit_code ((VaError)code));
  }

  /* a name nobody owns: the service is not running */
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GVariant) reply = NULL;
    g_autoptr (GError) remote = NULL;

    g_dbus_connection_call (client, "org.videoannotator.NoSuchService", "/test",
                            "org.videoannotator.Test", "Fail", g_variant_new ("(u)", 0), NULL,
                            G_DBUS_CALL_FLAGS_NONE, 10000, NULL, store_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    reply = g_dbus_connection_call_finish (client, result, &remote);
    g_assert_nonnull (remote);
    g_assert_cmpint (va_cli_exit_code_for_error (remote), ==, VA_EXIT_UNAVAILABLE);
  }

  g_dbus_connection_unregister_object (service, id);
  g_dbus_connection_close_sync (service, NULL, NULL);
  g_dbus_connection_close_sync (client, NULL, NULL);
  g_test_dbus_down (bus);
}

/* ---- the JSON printer -------------------------------------------------------- */

static void
test_json_text (void)
{
  g_autoptr (JsonNode) node = json_from_string (
      "{\"zeta\": 1, \"alpha\": \"Zoë ✓\", \"nested\": {\"list\": [true, null]}}", NULL);
  g_autofree char *text = va_cli_json_to_text (node);

  /* pretty, two spaces, members in the order given, UTF-8 as is, one
   * newline at the end */
  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"zeta\" : 1,\n"
                   "  \"alpha\" : \"Zoë ✓\",\n"
                   "  \"nested\" : {\n"
                   "    \"list\" : [\n"
                   "      true,\n"
                   "      null\n"
                   "    ]\n"
                   "  }\n"
                   "}\n");
}

static void
test_error_code_names (void)
{
  g_autoptr (GError) va = g_error_new_literal (VA_ERROR, VA_ERROR_NOT_FOUND, "x");
  g_autoptr (GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "x");
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "x");

  g_assert_cmpstr (va_cli_error_code_name (va), ==, "NotFound");
  g_assert_cmpstr (va_cli_error_code_name (io), ==, "NotFound");
  g_assert_cmpstr (va_cli_error_code_name (refused), ==, "SERVER_UNREACHABLE");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the D-Bus error names are registered with the domain */
  (void)VA_ERROR;
  g_test_add_func ("/cli-exit/every-code-has-a-row", test_every_code_has_a_row);
  g_test_add_func ("/cli-exit/foreign-errors", test_foreign_errors);
  g_test_add_func ("/cli-exit/same-over-http", test_same_over_http);
  g_test_add_func ("/cli-exit/same-over-dbus", test_same_over_dbus);
  g_test_add_func ("/cli-json/text", test_json_text);
  g_test_add_func ("/cli-json/error-code-names", test_error_code_names);
  return g_test_run ();
}
