/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "va-crypto.h"
#include "va-error.h"

/* /dev/urandom only when the kernel predates getrandom(2) (ENOSYS), e.g.
 * under some seccomp sandboxes; both are the kernel CSPRNG. GLib's g_random
 * is a Mersenne Twister and must never produce secrets. */
static gboolean
va_crypto_urandom (guint8 *buffer, gsize length, GError **error)
{
  int fd = g_open ("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);
  gsize done = 0;

  if (fd < 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open /dev/urandom: %s",
                 g_strerror (errno));
    return FALSE;
  }
  while (done < length) {
    ssize_t n = read (fd, buffer + done, length - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = errno;
      g_close (fd, NULL);
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read /dev/urandom: %s",
                   n == 0 ? "end of file" : g_strerror (saved));
      return FALSE;
    }
    done += (gsize)n;
  }
  g_close (fd, NULL);
  return TRUE;
}

/**
 * va_crypto_random_bytes:
 * @buffer: (out caller-allocates): where to write
 * @length: number of bytes
 * @error: return location for a %VA_ERROR
 *
 * Fills @buffer from the operating system's CSPRNG.
 */
gboolean
va_crypto_random_bytes (guint8 *buffer, gsize length, GError **error)
{
  gsize done = 0;

  while (done < length) {
    ssize_t n = getrandom (buffer + done, length - done, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ENOSYS)
        return va_crypto_urandom (buffer + done, length - done, error);
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "getrandom() failed: %s",
                   g_strerror (errno));
      return FALSE;
    }
    done += (gsize)n;
  }
  return TRUE;
}

/* RFC 4648 §5 alphabet, no padding: the form API keys use. */
char *
va_crypto_base64url_encode (const guint8 *data, gsize length)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  GString *out = g_string_sized_new ((length * 4) / 3 + 4);
  gsize i;

  for (i = 0; i + 2 < length; i += 3) {
    guint32 v = ((guint32)data[i] << 16) | ((guint32)data[i + 1] << 8) | data[i + 2];
    g_string_append_c (out, alphabet[(v >> 18) & 63]);
    g_string_append_c (out, alphabet[(v >> 12) & 63]);
    g_string_append_c (out, alphabet[(v >> 6) & 63]);
    g_string_append_c (out, alphabet[v & 63]);
  }
  if (length - i == 1) {
    guint32 v = (guint32)data[i] << 16;
    g_string_append_c (out, alphabet[(v >> 18) & 63]);
    g_string_append_c (out, alphabet[(v >> 12) & 63]);
  } else if (length - i == 2) {
    guint32 v = ((guint32)data[i] << 16) | ((guint32)data[i + 1] << 8);
    g_string_append_c (out, alphabet[(v >> 18) & 63]);
    g_string_append_c (out, alphabet[(v >> 12) & 63]);
    g_string_append_c (out, alphabet[(v >> 6) & 63]);
  }
  return g_string_free (out, FALSE);
}

/* Runs in time independent of where the inputs differ, so a remote
 * caller cannot learn a digest byte by byte from response timing. */
gboolean
va_crypto_equal (const guint8 *a, const guint8 *b, gsize length)
{
  volatile guint8 diff = 0;

  for (gsize i = 0; i < length; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

void
va_crypto_hmac_sha256 (GBytes *key, const void *data, gsize length,
                       guint8 digest[VA_CRYPTO_HMAC_SHA256_LEN])
{
  gsize key_len = 0;
  const guint8 *key_data = g_bytes_get_data (key, &key_len);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
  gsize digest_len = VA_CRYPTO_HMAC_SHA256_LEN;

  g_hmac_update (hmac, data, (gssize)length);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_assert (digest_len == VA_CRYPTO_HMAC_SHA256_LEN);
}

char *
va_crypto_hex_encode (const guint8 *data, gsize length)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (length * 2 + 1);

  for (gsize i = 0; i < length; i++) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  out[length * 2] = '\0';
  return out;
}

/**
 * va_crypto_hex_decode:
 *
 * Decodes exactly @length bytes of lower- or upper-case hex.
 *
 * Returns: %FALSE if @hex is not exactly 2 × @length hex digits.
 */
gboolean
va_crypto_hex_decode (const char *hex, guint8 *out, gsize length)
{
  if (hex == NULL || strlen (hex) != length * 2)
    return FALSE;
  for (gsize i = 0; i < length; i++) {
    int hi = g_ascii_xdigit_value (hex[2 * i]);
    int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return FALSE;
    out[i] = (guint8)((hi << 4) | lo);
  }
  return TRUE;
}
