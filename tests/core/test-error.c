/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <gst/gst.h>

#include "va-error.h"

static void
test_error_dbus_roundtrip (void)
{
  g_autoptr (GError) error = g_error_new_literal (VA_ERROR, VA_ERROR_CONFLICT, "busy");
  g_autoptr (GError) remote = NULL;
  g_autofree char *name = g_dbus_error_encode_gerror (error);

  g_assert_cmpstr (name, ==, "org.videoannotator.VideoAnnotator1.Error.Conflict");
  remote = g_dbus_error_new_for_dbus_error (name, "busy");
  g_assert_error (remote, VA_ERROR, VA_ERROR_CONFLICT);
}

static void
test_error_http_status (void)
{
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_NOT_FOUND), ==, 404);
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_UNAUTHENTICATED), ==, 401);
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_RATE_LIMITED), ==, 429);
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_STORAGE_FULL), ==, 507);
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_NOT_SUPPORTED), ==, 501);
  g_assert_cmpstr (va_error_to_string (VA_ERROR_NOT_SUPPORTED), ==, "NotSupported");
  g_assert_cmpuint (va_error_to_http_status (VA_ERROR_LAST), ==, 500);
  g_assert_cmpstr (va_error_to_string (VA_ERROR_PAYLOAD_TOO_LARGE), ==, "PayloadTooLarge");
}

static void
test_error_convert (void)
{
  g_autoptr (GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full");
  g_autoptr (GError) gst
      = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND, "no type");
  g_autoptr (GError) other = g_error_new_literal (G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "x");

  g_assert_true (va_error_convert (&io));
  g_assert_error (io, VA_ERROR, VA_ERROR_STORAGE_FULL);
  g_assert_cmpstr (io->message, ==, "disk full");
  g_assert_true (va_error_convert (&gst));
  g_assert_error (gst, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_assert_true (va_error_convert (&other));
  g_assert_error (other, VA_ERROR, VA_ERROR_INTERNAL);
  g_assert_false (va_error_convert (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add_func ("/error/dbus-roundtrip", test_error_dbus_roundtrip);
  g_test_add_func ("/error/http-status", test_error_http_status);
  g_test_add_func ("/error/convert", test_error_convert);
  return g_test_run ();
}
