/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-http-multipart.h"

typedef struct {
  GPtrArray *names;
  GPtrArray *filenames;
  GPtrArray *bodies; /* GByteArray */
  gboolean open;
} Collected;

static gboolean
on_begin (gpointer user_data, const char *name, const char *filename, const char *type,
          GError **error)
{
  Collected *c = user_data;

  g_assert_false (c->open);
  c->open = TRUE;
  g_ptr_array_add (c->names, g_strdup (name));
  g_ptr_array_add (c->filenames, g_strdup (filename));
  g_ptr_array_add (c->bodies, g_byte_array_new ());
  return TRUE;
}

static gboolean
on_data (gpointer user_data, const guint8 *data, gsize len, GError **error)
{
  Collected *c = user_data;

  g_assert_true (c->open);
  g_byte_array_append (c->bodies->pdata[c->bodies->len - 1], data, len);
  return TRUE;
}

static gboolean
on_end (gpointer user_data, GError **error)
{
  Collected *c = user_data;

  g_assert_true (c->open);
  c->open = FALSE;
  return TRUE;
}

static const VaHttpMultipartCallbacks callbacks = { on_begin, on_data, on_end };

static void
collected_init (Collected *c)
{
  c->names = g_ptr_array_new_with_free_func (g_free);
  c->filenames = g_ptr_array_new_with_free_func (g_free);
  c->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_byte_array_unref);
  c->open = FALSE;
}

static void
collected_clear (Collected *c)
{
  g_ptr_array_unref (c->names);
  g_ptr_array_unref (c->filenames);
  g_ptr_array_unref (c->bodies);
}

/* binary payload full of near-delimiters */
static GBytes *
make_payload (gsize size)
{
  guint8 *data = g_malloc (size);
  const char *tricky = "\r\n--XbOuNdAr\r\n-";

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)g_test_rand_int_range (0, 256);
  for (gsize i = 0; i + 16 < size; i += 997)
    memcpy (data + i, tricky, strlen (tricky));
  return g_bytes_new_take (data, size);
}

static GBytes *
make_body (GBytes *payload)
{
  GByteArray *b = g_byte_array_new ();
  const char *head
      = "preamble text\r\n--XbOuNdArY\r\n"
        "Content-Disposition: form-data; name=\"config\"\r\n\r\n"
        "{\"scene_detection\":{\"threshold\":20}}\r\n--XbOuNdArY\r\n"
        "Content-Disposition: form-data; name=\"video\"; filename=\"../../etc/x.mp4\"\r\n"
        "Content-Type: video/mp4\r\n\r\n";
  const char *tail = "\r\n--XbOuNdArY\r\n"
                     "Content-Disposition: form-data; name=\"selected_pipelines\"\r\n\r\n"
                     "scene_detection\r\n--XbOuNdArY--\r\nepilogue";

  g_byte_array_append (b, (const guint8 *)head, strlen (head));
  g_byte_array_append (b, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  g_byte_array_append (b, (const guint8 *)tail, strlen (tail));
  return g_byte_array_free_to_bytes (b);
}

static void
test_chunked_feeds (void)
{
  g_autoptr (GBytes) payload = make_payload (300 * 1000);
  g_autoptr (GBytes) body = make_body (payload);
  gsize total;
  const guint8 *data = g_bytes_get_data (body, &total);

  /* the same body split at many different chunk sizes */
  for (guint round = 0; round < 15; round++) {
    Collected c;
    g_autoptr (VaHttpMultipart) mp = NULL;
    g_autoptr (GError) error = NULL;
    gsize off = 0;

    collected_init (&c);
    mp = va_http_multipart_new ("XbOuNdArY", &callbacks, &c);
    while (off < total) {
      gsize n = MIN (total - off, round < 5 ? round + 1 : (gsize)g_test_rand_int_range (1, 70000));
      g_assert_true (va_http_multipart_feed (mp, data + off, n, &error));
      g_assert_no_error (error);
      off += n;
    }
    g_assert_true (va_http_multipart_finish (mp, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (c.names->len, ==, 3);
    g_assert_cmpstr (c.names->pdata[0], ==, "config");
    g_assert_cmpstr (c.names->pdata[1], ==, "video");
    /* libsoup's Content-Disposition parser keeps only the base name */
    g_assert_cmpstr (c.filenames->pdata[1], ==, "x.mp4");
    g_assert_cmpstr (c.names->pdata[2], ==, "selected_pipelines");
    {
      GByteArray *video = c.bodies->pdata[1];
      GByteArray *pipes = c.bodies->pdata[2];
      g_assert_cmpmem (video->data, video->len, g_bytes_get_data (payload, NULL),
                       g_bytes_get_size (payload));
      g_assert_cmpmem (pipes->data, pipes->len, "scene_detection", 15);
    }
    collected_clear (&c);
  }
}

static void
assert_fails (const char *body, const char *message_part)
{
  Collected c;
  g_autoptr (VaHttpMultipart) mp = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  collected_init (&c);
  mp = va_http_multipart_new ("B", &callbacks, &c);
  ok = va_http_multipart_feed (mp, (const guint8 *)body, strlen (body), &error);
  if (ok)
    ok = va_http_multipart_finish (mp, &error);
  g_assert_false (ok);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, message_part) == NULL)
    g_error ("expected “%s”, got “%s”", message_part, error->message);
  collected_clear (&c);
}

static void
test_malformed (void)
{
  GString *many = g_string_new (NULL);

  assert_fails ("--B\r\nContent-Disposition: form-data; name=\"video\"\r\n\r\nabc", "truncated");
  assert_fails ("no delimiter at all", "truncated");
  assert_fails ("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--", "Content-Disposition");
  assert_fails ("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--", "no name");
  assert_fails ("--Bxx", "delimiter");
  for (guint i = 0; i < 20; i++)
    g_string_append (many, "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n");
  g_string_append (many, "--B--");
  assert_fails (many->str, "Too many parts");
  g_string_free (many, TRUE);
  {
    g_autofree char *huge = g_strnfill (20000, 'h');
    g_autofree char *body = g_strdup_printf ("--B\r\nX-Big: %s\r\n\r\n", huge);
    assert_fails (body, "too large");
  }
  g_assert_null (va_http_multipart_new ("", &callbacks, NULL));
  /* a disposition without its type: libsoup reports success with a NULL
   * type, which used to reach g_ascii_strcasecmp() (found by
   * fuzzing/fuzz_multipart) */
  assert_fails ("--B\r\nContent-Disposition: ; name=\"video\"\r\n\r\nx\r\n--B--",
                "Content-Disposition");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/multipart/chunked-feeds", test_chunked_feeds);
  g_test_add_func ("/http/multipart/malformed", test_malformed);
  return g_test_run ();
}
