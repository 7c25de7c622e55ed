/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "va-error.h"
#include "va-secure-file.h"
#include "va-secrets-file.h"

/**
 * VaSecretsFile:
 *
 * The pepper as base64 text in `<token dir>/encryption.key`, mode 0600
 * in a 0700 directory, written atomically. Refuses a file or directory
 * that other accounts can read or write. Base64 (not raw bytes) so an
 * operator can paste it into a Kubernetes secret.
 */
struct _VaSecretsFile {
  VaSecrets parent_instance;
};

G_DEFINE_FINAL_TYPE (VaSecretsFile, va_secrets_file, VA_TYPE_SECRETS)

static char *
va_secrets_file_path (VaSecrets *self)
{
  return g_build_filename (va_secrets_get_token_dir (self), VA_SECRETS_FILE_NAME, NULL);
}

static GBytes *
va_secrets_file_lookup (VaSecrets *self, GError **error)
{
  g_autofree char *path = va_secrets_file_path (self);
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  guchar *decoded;
  gsize length = 0;

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "%s does not exist", path);
    return NULL;
  }
  if (!va_secure_file_check_private (va_secrets_get_token_dir (self), TRUE, error)
      || !va_secure_file_check_private (path, FALSE, error))
    return NULL;
  if (!g_file_get_contents (path, &contents, NULL, &local_error)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s", local_error->message);
    return NULL;
  }
  g_strstrip (contents);
  decoded = g_base64_decode (contents, &length);
  memset (contents, 0, strlen (contents));
  if (length != VA_SECRETS_PEPPER_LENGTH) {
    g_free (decoded);
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                 "%s is corrupt: expected %d base64-encoded bytes", path, VA_SECRETS_PEPPER_LENGTH);
    return NULL;
  }
  return g_bytes_new_take (decoded, length);
}

static gboolean
va_secrets_file_store (VaSecrets *self, GBytes *pepper, GError **error)
{
  g_autofree char *path = va_secrets_file_path (self);
  g_autofree char *encoded = NULL;
  g_autofree char *line = NULL;
  gsize length;
  const guchar *data = g_bytes_get_data (pepper, &length);
  gboolean ok;

  if (!va_secure_file_ensure_dir (va_secrets_get_token_dir (self), error))
    return FALSE;
  encoded = g_base64_encode (data, length);
  line = g_strconcat (encoded, "\n", NULL);
  ok = va_secure_file_write (path, line, strlen (line), error);
  memset (encoded, 0, strlen (encoded));
  memset (line, 0, strlen (line));
  return ok;
}

static gboolean
va_secrets_file_clear (VaSecrets *self, GError **error)
{
  g_autofree char *path = va_secrets_file_path (self);

  if (g_unlink (path) != 0 && errno != ENOENT) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot remove %s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

static void
va_secrets_file_class_init (VaSecretsFileClass *klass)
{
  VaSecretsClass *secrets_class = VA_SECRETS_CLASS (klass);

  secrets_class->name = "file";
  secrets_class->lookup = va_secrets_file_lookup;
  secrets_class->store = va_secrets_file_store;
  secrets_class->clear = va_secrets_file_clear;
}

static void
va_secrets_file_init (VaSecretsFile *self)
{
}

/**
 * va_secrets_file_new:
 * @token_dir: the token directory
 *
 * Returns: (transfer full): the file back end
 */
VaSecrets *
va_secrets_file_new (const char *token_dir)
{
  g_return_val_if_fail (token_dir != NULL, NULL);
  return g_object_new (VA_TYPE_SECRETS_FILE, "token-dir", token_dir, NULL);
}
