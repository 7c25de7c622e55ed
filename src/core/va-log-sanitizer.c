/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-log-sanitizer.h"

/**
 * SECTION:va-log-sanitizer
 * @title: VaLogSanitizer
 *
 * The one filter every log record passes through before any sink (files,
 * journald, the terminal). Rules, applied in this order:
 *
 * 1. API keys: `va_api_` followed by more than 4 base64url characters keeps
 *    the 4 characters a key listing shows and becomes `va_api_AbCd…`; the
 *    whole run of base64url characters is consumed, so nothing after the
 *    prefix survives. Legacy keys (`va_` + 43 or more base64url characters)
 *    become `va_AbCd…`. Any other credential after `Bearer ` (8 characters
 *    or more, so prose like "bearer token" stays) becomes `[redacted]`.
 * 2. E-mail addresses: `alice.smith+x@lab.example.edu` becomes
 *    `a***@lab.example.edu` (first character of the local part, fixed-length
 *    mask, domain kept). An address needs a dotted domain whose last label
 *    has at least two letters, so `pkg@1.2.3`, `user@localhost` and `@name`
 *    are left alone.
 * 3. Paths: the data directory (and roots added with
 *    va_log_sanitizer_add_root()) are cut off, so `<data-dir>/storage/x.mp4`
 *    becomes `storage/x.mp4` and the data directory itself `.`. Other
 *    absolute paths under /home, /root, /tmp, /var, /srv, /mnt, /media,
 *    /opt, /data or the top directory of a root are reduced to `…/basename`
 *    (they may name people: `/home/alice/Sessions/…`). System paths (/usr,
 *    /etc, /lib, /proc, ...) and anything else starting with '/' that is not
 *    known to be a file-system path (e.g. `/api/v1/jobs`) stay as they are.
 *    A path ends at the closing quote when it is quoted (so it may contain
 *    spaces), otherwise at white space; following words that contain a '/'
 *    are taken as part of it.
 *
 * Input that is not UTF-8 is made valid first. The object is immutable once
 * its roots are added, so one instance can serve every thread.
 */

#define VA_KEY_SHOWN 4       /* characters of a key kept, as in `token list` */
#define VA_LEGACY_KEY_LEN 43 /* base64url of 32 bytes */
#define VA_ELLIPSIS "…"
#define VA_MAX_QUOTED_PATH 4096

typedef struct {
  char *path;
  gsize len;
  char *label; /* NULL: relative to the data dir */
} VaLogRoot;

struct _VaLogSanitizer {
  GObject parent_instance;

  char *data_dir;
  GPtrArray *roots;     /* VaLogRoot, longest path first */
  GPtrArray *reducible; /* top directories whose paths are reduced */
};

enum {
  PROP_0,
  PROP_DATA_DIR,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (VaLogSanitizer, va_log_sanitizer, G_TYPE_OBJECT)

static const char *const va_reducible_tops[] = {
  "home", "root", "tmp", "var", "srv", "mnt", "media", "opt", "data",
};

static void
va_log_root_free (gpointer data)
{
  VaLogRoot *root = data;

  g_free (root->path);
  g_free (root->label);
  g_free (root);
}

static void
va_log_sanitizer_add_reducible_top (VaLogSanitizer *self, const char *path)
{
  const char *start = path + 1;
  const char *end = strchr (start, '/');
  g_autofree char *top = end != NULL ? g_strndup (start, end - start) : g_strdup (start);

  if (*top == '\0')
    return;
  for (guint i = 0; i < self->reducible->len; i++) {
    if (g_str_equal (g_ptr_array_index (self->reducible, i), top))
      return;
  }
  g_ptr_array_add (self->reducible, g_steal_pointer (&top));
}

static int
va_log_root_compare (gconstpointer a, gconstpointer b)
{
  const VaLogRoot *ra = *(VaLogRoot *const *)a;
  const VaLogRoot *rb = *(VaLogRoot *const *)b;

  return ra->len < rb->len ? 1 : ra->len > rb->len ? -1 : 0;
}

/**
 * va_log_sanitizer_add_root:
 * @self: a sanitizer not yet in use
 * @path: an absolute directory
 * @label: (nullable): what replaces @path, %NULL to make paths relative
 *   (as for the data directory)
 *
 * Paths under @path are written as `label/rest`, e.g. a storage directory
 * outside the data directory as `storage/<job>/file`.
 */
void
va_log_sanitizer_add_root (VaLogSanitizer *self, const char *path, const char *label)
{
  g_autofree char *canonical = NULL;
  VaLogRoot *root;

  g_return_if_fail (VA_IS_LOG_SANITIZER (self));
  g_return_if_fail (path != NULL && g_path_is_absolute (path));

  canonical = g_canonicalize_filename (path, "/");
  if (g_str_equal (canonical, "/"))
    return; /* would swallow every path */
  root = g_new0 (VaLogRoot, 1);
  root->path = g_steal_pointer (&canonical);
  root->len = strlen (root->path);
  root->label = g_strdup (label);
  g_ptr_array_add (self->roots, root);
  g_ptr_array_sort (self->roots, va_log_root_compare);
  va_log_sanitizer_add_reducible_top (self, root->path);
}

static void
va_log_sanitizer_constructed (GObject *object)
{
  VaLogSanitizer *self = VA_LOG_SANITIZER (object);

  G_OBJECT_CLASS (va_log_sanitizer_parent_class)->constructed (object);
  if (self->data_dir != NULL && *self->data_dir != '\0')
    va_log_sanitizer_add_root (self, self->data_dir, NULL);
}

static void
va_log_sanitizer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaLogSanitizer *self = VA_LOG_SANITIZER (object);

  switch (prop_id) {
  case PROP_DATA_DIR:
    g_value_set_string (value, self->data_dir);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_log_sanitizer_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  VaLogSanitizer *self = VA_LOG_SANITIZER (object);

  switch (prop_id) {
  case PROP_DATA_DIR: {
    const char *dir = g_value_get_string (value);
    g_free (self->data_dir);
    self->data_dir
        = dir != NULL && g_path_is_absolute (dir) ? g_canonicalize_filename (dir, "/") : NULL;
    break;
  }
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_log_sanitizer_finalize (GObject *object)
{
  VaLogSanitizer *self = VA_LOG_SANITIZER (object);

  g_free (self->data_dir);
  g_ptr_array_unref (self->roots);
  g_ptr_array_unref (self->reducible);
  G_OBJECT_CLASS (va_log_sanitizer_parent_class)->finalize (object);
}

static void
va_log_sanitizer_class_init (VaLogSanitizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = va_log_sanitizer_constructed;
  object_class->get_property = va_log_sanitizer_get_property;
  object_class->set_property = va_log_sanitizer_set_property;
  object_class->finalize = va_log_sanitizer_finalize;

  /**
   * VaLogSanitizer:data-dir:
   *
   * Absolute paths below it are written relative to it.
   */
  properties[PROP_DATA_DIR]
      = g_param_spec_string ("data-dir", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_log_sanitizer_init (VaLogSanitizer *self)
{
  self->roots = g_ptr_array_new_with_free_func (va_log_root_free);
  self->reducible = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (va_reducible_tops); i++)
    g_ptr_array_add (self->reducible, g_strdup (va_reducible_tops[i]));
}

/**
 * va_log_sanitizer_new:
 * @data_dir: (nullable): the data directory, an absolute path
 *
 * Returns: (transfer full): a new sanitizer
 */
VaLogSanitizer *
va_log_sanitizer_new (const char *data_dir)
{
  return g_object_new (VA_TYPE_LOG_SANITIZER, "data-dir", data_dir, NULL);
}

const char *
va_log_sanitizer_get_data_dir (VaLogSanitizer *self)
{
  g_return_val_if_fail (VA_IS_LOG_SANITIZER (self), NULL);
  return self->data_dir;
}

/* ---- 1. keys -------------------------------------------------------------- */

static gboolean
va_is_base64url (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

static gsize
va_base64url_run (const char *p)
{
  gsize n = 0;

  while (va_is_base64url (p[n]))
    n++;
  return n;
}

/* A key at @p: appends its shown form and returns its length, or 0. */
static gsize
va_redact_key_at (const char *p, GString *out)
{
  gsize prefix, n;

  if (g_str_has_prefix (p, "va_api_")) {
    prefix = strlen ("va_api_");
    n = va_base64url_run (p + prefix);
    if (n <= VA_KEY_SHOWN)
      return 0; /* already no more than a listing shows */
  } else if (g_str_has_prefix (p, "va_")) {
    prefix = strlen ("va_");
    n = va_base64url_run (p + prefix);
    if (n < VA_LEGACY_KEY_LEN)
      return 0;
  } else {
    return 0;
  }
  g_string_append_len (out, p, prefix + VA_KEY_SHOWN);
  g_string_append (out, VA_ELLIPSIS);
  return prefix + n;
}

static gboolean
va_is_token_char (char c)
{
  return va_is_base64url (c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

/* "Bearer <credential>": appends the redacted form and returns the length
 * consumed, or 0. Short words are left alone ("bearer token"). */
static gsize
va_redact_credential_at (const char *text, const char *p, GString *out)
{
  const gsize scheme_len = strlen ("Bearer");
  const char *q;
  gsize n, written;

  if (p > text && g_ascii_isalnum (p[-1]))
    return 0;
  if (g_ascii_strncasecmp (p, "Bearer", scheme_len) != 0 || p[scheme_len] != ' ')
    return 0;
  q = p + scheme_len;
  while (*q == ' ')
    q++;
  n = 0;
  while (va_is_token_char (q[n]))
    n++;
  if (n < 8)
    return 0;

  g_string_append_len (out, p, q - p);
  written = va_redact_key_at (q, out);
  if (written == 0) {
    if (g_str_has_prefix (q, "va_api_") && n <= strlen ("va_api_") + VA_KEY_SHOWN)
      g_string_append_len (out, q, n); /* a listed prefix, nothing secret */
    else
      g_string_append (out, "[redacted]");
  }
  /* the whole credential is consumed, also what follows a key's base64url */
  return q - p + MAX (written, n);
}

static void
va_redact_keys (const char *text, GString *out)
{
  const char *p = text;

  while (*p != '\0') {
    gsize n = 0;

    if (*p == 'v')
      n = va_redact_key_at (p, out);
    else if (*p == 'B' || *p == 'b')
      n = va_redact_credential_at (text, p, out);
    if (n > 0) {
      p += n;
      continue;
    }
    g_string_append_c (out, *p);
    p++;
  }
}

/* Whether va_redact_keys() may change @text: it acts on "va_" and on
 * "Bearer " (any case) only. */
static gboolean
va_needs_key_pass (const char *text)
{
  if (strstr (text, "va_") != NULL)
    return TRUE;
  for (const char *p = strpbrk (text, "Bb"); p != NULL; p = strpbrk (p + 1, "Bb")) {
    if (g_ascii_strncasecmp (p, "Bearer ", 7) == 0)
      return TRUE;
  }
  return FALSE;
}

/* ---- 2. e-mail addresses -------------------------------------------------- */

static gboolean
va_is_local_char (gunichar c)
{
  if (c < 0x80)
    return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  return g_unichar_isalnum (c);
}

static gboolean
va_is_label_char (gunichar c)
{
  if (c < 0x80)
    return g_ascii_isalnum (c) || c == '-';
  return g_unichar_isalnum (c);
}

/* The domain after an '@' at @p: returns its end, or NULL if it is not one. */
static const char *
va_scan_domain (const char *p)
{
  const char *q = p, *end = NULL, *last_label = NULL;
  guint labels = 0;

  for (;;) {
    const char *label = q;

    while (*q != '\0' && va_is_label_char (g_utf8_get_char (q)))
      q = g_utf8_next_char (q);
    if (q == label)
      break;
    labels++;
    last_label = label;
    end = q;
    if (*q == '.' && q[1] != '\0' && va_is_label_char (g_utf8_get_char (q + 1))) {
      q++;
      continue;
    }
    break;
  }
  if (labels < 2 || g_utf8_strlen (last_label, end - last_label) < 2)
    return NULL;
  for (const char *t = last_label; t < end; t = g_utf8_next_char (t)) {
    if (!g_unichar_isalpha (g_utf8_get_char (t)))
      return NULL; /* a version or an IP address, not a top-level domain */
  }
  return end;
}

static void
va_redact_emails (const char *text, GString *out)
{
  const char *p = text;
  gsize barrier = 0; /* output before this was produced by a redaction */

  while (*p != '\0') {
    if (*p == '@') {
      gsize start = out->len;
      const char *domain_end;

      while (start > barrier) {
        const char *prev = g_utf8_find_prev_char (out->str + barrier, out->str + start);
        if (prev == NULL || !va_is_local_char (g_utf8_get_char (prev)))
          break;
        start = prev - out->str;
      }
      domain_end = start < out->len ? va_scan_domain (p + 1) : NULL;
      if (domain_end != NULL) {
        gunichar first = g_utf8_get_char (out->str + start);

        g_string_truncate (out, start);
        g_string_append_unichar (out, first);
        g_string_append (out, "***@");
        g_string_append_len (out, p + 1, domain_end - (p + 1));
        barrier = out->len;
        p = domain_end;
        continue;
      }
    }
    g_string_append_c (out, *p);
    p++;
  }
}

/* ---- 3. paths ------------------------------------------------------------- */

static gboolean
va_is_name_byte (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-' || c == '~' || c == '%' || c == '+'
         || c == '@' || (guchar)c >= 0x80;
}

/* Unicode quotes and their closing partner. */
static const struct {
  const char *open;
  const char *close;
} va_quotes[] = {
  { "\"", "\"" }, { "'", "'" }, { "`", "`" }, { "“", "”" }, { "‘", "’" }, { "«", "»" },
};

static const char *
va_closing_quote_before (const char *text, const char *p)
{
  for (guint i = 0; i < G_N_ELEMENTS (va_quotes); i++) {
    gsize len = strlen (va_quotes[i].open);
    if ((gsize)(p - text) >= len && strncmp (p - len, va_quotes[i].open, len) == 0)
      return va_quotes[i].close;
  }
  return NULL;
}

static gboolean
va_is_path_start (const char *text, const char *p)
{
  if (p[0] != '/' || !va_is_name_byte (p[1]))
    return FALSE;
  if (p == text || va_closing_quote_before (text, p) != NULL)
    return TRUE;
  if ((gsize)(p - text) >= strlen ("file://") && strncmp (p - 7, "file://", 7) == 0)
    return TRUE;
  /* inside a word, a relative path or a URL ("host/x", "a/b", "https://h/x") */
  return !va_is_name_byte (p[-1]) && p[-1] != '/';
}

static gboolean
va_is_unquoted_end (const char *p)
{
  if (*p == '\0' || g_ascii_isspace (*p) || strchr ("\"'`<>|,;)]}\\", *p) != NULL)
    return TRUE;
  return g_str_has_prefix (p, "”") || g_str_has_prefix (p, "’") || g_str_has_prefix (p, "»");
}

/* End of the path starting at @p (see the rules at the top). */
static const char *
va_path_end (const char *text, const char *p)
{
  const char *close = va_closing_quote_before (text, p);
  const char *end;

  /* bounded, so that many unclosed quotes cannot make this quadratic */
  if (close != NULL) {
    const char *found = g_strstr_len (p, VA_MAX_QUOTED_PATH, close);
    if (found != NULL && memchr (p, '\n', found - p) == NULL)
      return found;
  }

  end = p;
  while (!va_is_unquoted_end (end))
    end++;
  /* "/home/a/My Videos/clip.mp4": later words with a '/' belong to it */
  while (*end == ' ') {
    const char *word = end + 1, *w = word;
    gboolean slash = FALSE;

    while (!va_is_unquoted_end (w)) {
      slash |= *w == '/';
      w++;
    }
    if (w == word || !slash || *word == '/')
      break;
    end = w;
  }
  return end;
}

/* Whether the path at @p starts with a directory whose paths are reduced;
 * decided on the first component alone, before looking for the path's end. */
static gboolean
va_log_sanitizer_is_reducible (VaLogSanitizer *self, const char *p)
{
  const char *top = p + 1;
  gsize len = 0;

  while (top[len] != '\0' && top[len] != '/' && va_is_name_byte (top[len]))
    len++;
  if (top[len] != '/')
    return FALSE; /* "/tmp" alone names nobody */
  for (guint i = 0; i < self->reducible->len; i++) {
    const char *name = g_ptr_array_index (self->reducible, i);
    if (strlen (name) == len && strncmp (name, top, len) == 0)
      return TRUE;
  }
  return FALSE;
}

/* A root at @p: appends its replacement and returns the length consumed. */
static gsize
va_log_sanitizer_replace_root (VaLogSanitizer *self, const char *p, GString *out)
{
  for (guint i = 0; i < self->roots->len; i++) {
    VaLogRoot *root = g_ptr_array_index (self->roots, i);
    char next;

    if (strncmp (p, root->path, root->len) != 0)
      continue;
    next = p[root->len];
    if (next == '/' && va_is_name_byte (p[root->len + 1])) {
      if (root->label != NULL) {
        g_string_append (out, root->label);
        g_string_append_c (out, '/');
      }
      return root->len + 1;
    }
    if (next == '\0' || next == '/' || !va_is_name_byte (next)) {
      g_string_append (out, root->label != NULL ? root->label : ".");
      return next == '/' ? root->len + 1 : root->len;
    }
  }
  return 0;
}

static void
va_log_sanitizer_redact_paths (VaLogSanitizer *self, const char *text, GString *out)
{
  const char *p = text;

  while (*p != '\0') {
    if (va_is_path_start (text, p)) {
      gsize n = va_log_sanitizer_replace_root (self, p, out);
      const char *end;

      if (n > 0) {
        p += n;
        continue;
      }
      if (va_log_sanitizer_is_reducible (self, p)) {
        const char *last;

        end = va_path_end (text, p);
        last = end;

        while (last > p + 1 && last[-1] == '/')
          last--;
        for (const char *base = last; base > p; base--) {
          if (base[-1] == '/') {
            g_string_append (out, VA_ELLIPSIS "/");
            g_string_append_len (out, base, last - base);
            break;
          }
        }
        p = end;
        continue;
      }
    }
    g_string_append_c (out, *p);
    p++;
  }
}

/**
 * va_log_sanitizer_sanitize:
 * @self: a sanitizer
 * @text: (nullable): a log message or field
 *
 * Returns: (transfer full) (nullable): @text with keys, e-mail addresses and
 *   paths redacted as described above; %NULL for %NULL
 */
char *
va_log_sanitizer_sanitize (VaLogSanitizer *self, const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) keys = NULL;
  g_autoptr (GString) emails = NULL;
  GString *paths;

  g_return_val_if_fail (VA_IS_LOG_SANITIZER (self), NULL);
  if (text == NULL)
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  /* each rule only acts where its trigger is: a key starts with "va_" or
   * follows "Bearer ", an address has an '@', a path a '/'; skipping the
   * passes that cannot change anything keeps most fields to one copy */
  if (va_needs_key_pass (text)) {
    keys = g_string_sized_new (strlen (text) + 16);
    va_redact_keys (text, keys);
    text = keys->str;
  }
  if (strchr (text, '@') != NULL) {
    emails = g_string_sized_new (strlen (text) + 16);
    va_redact_emails (text, emails);
    text = emails->str;
  }
  if (strchr (text, '/') == NULL)
    return g_strdup (text);
  paths = g_string_sized_new (strlen (text) + 16);
  va_log_sanitizer_redact_paths (self, text, paths);
  return g_string_free (paths, FALSE);
}

/**
 * va_log_sanitizer_sanitize_json:
 * @self: a sanitizer
 * @node: (nullable): a JSON value
 *
 * Builds a copy of @node with every string value sanitized, at any depth.
 * Member names are kept: they are field names chosen by the program. A copy
 * rather than an in-place edit because json-glib's node copies share their
 * values, so editing one would change the caller's record too.
 *
 * Returns: (transfer full) (nullable): the sanitized copy
 */
JsonNode *
va_log_sanitizer_sanitize_json (VaLogSanitizer *self, JsonNode *node)
{
  g_return_val_if_fail (VA_IS_LOG_SANITIZER (self), NULL);
  if (node == NULL)
    return NULL;

  switch (json_node_get_node_type (node)) {
  case JSON_NODE_OBJECT: {
    JsonObject *source = json_node_get_object (node);
    g_autoptr (JsonObject) object = json_object_new ();
    g_autoptr (GList) names = json_object_get_members (source); /* in order */

    for (GList *l = names; l != NULL; l = l->next) {
      JsonNode *member = json_object_get_member (source, l->data);
      json_object_set_member (object, l->data, va_log_sanitizer_sanitize_json (self, member));
    }
    return json_node_init_object (json_node_alloc (), object);
  }
  case JSON_NODE_ARRAY: {
    JsonArray *array = json_node_get_array (node);
    g_autoptr (JsonArray) copy = json_array_sized_new (json_array_get_length (array));

    for (guint i = 0; i < json_array_get_length (array); i++)
      json_array_add_element (
          copy, va_log_sanitizer_sanitize_json (self, json_array_get_element (array, i)));
    return json_node_init_array (json_node_alloc (), copy);
  }
  case JSON_NODE_VALUE:
    if (json_node_get_value_type (node) == G_TYPE_STRING) {
      g_autofree char *clean = va_log_sanitizer_sanitize (self, json_node_get_string (node));
      return json_node_init_string (json_node_alloc (), clean);
    }
    return json_node_copy (node);
  case JSON_NODE_NULL:
  default:
    return json_node_new (JSON_NODE_NULL);
  }
}
