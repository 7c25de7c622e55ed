/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "fuzz.h"
#include "va-settings-value.h"
#include "va-settings.h"

/* The setting value parser (va-settings-value.c) that reads VA_* and other
 * environment variables, the configuration key file and --set overrides,
 * plus the DATABASE_URL conversion. Input: the setting name, '\n', the
 * value text; a name the schema does not have is taken as "every key" by
 * index (the first byte of the value chooses it) so mutations that break
 * the name still reach a parser. The name "DATABASE_URL" runs the URL
 * conversion first, as va_settings_load() does. Whatever is accepted must
 * pass the range/choice check it was parsed against. */

static GSettingsSchema *schema;
static char **key_names;

static void
va_fuzz_schema_free (void)
{
  g_clear_pointer (&key_names, g_strfreev);
  g_clear_pointer (&schema, g_settings_schema_unref);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  GSettingsSchemaSource *source;

  va_fuzz_init_common ();
  source = g_settings_schema_source_get_default ();
  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, VA_SETTINGS_SCHEMA_ID, TRUE);
  g_assert_nonnull (schema);
  key_names = g_settings_schema_list_keys (schema);
  g_assert_nonnull (key_names[0]);
  atexit (va_fuzz_schema_free);
  return 0;
}

static void
va_fuzz_parse_one (const char *name, const char *text)
{
  g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, name);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) value = va_settings_value_parse (key, text, "fuzz", &error);
  g_autofree char *expected = va_settings_value_describe_expected (key);

  g_assert_nonnull (expected);
  if (value == NULL) {
    g_assert_nonnull (error);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    return;
  }
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (value, g_settings_schema_key_get_value_type (key)));
  g_assert_true (va_settings_value_check (key, value, "fuzz", text, &error));
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *rest;
  size_t rest_size;
  g_autofree char *name = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_autofree char *text = va_fuzz_strndup (rest, rest_size);

  if (g_str_equal (name, "DATABASE_URL")) {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = va_settings_value_from_database_url (text, &error);

    g_assert_true ((path == NULL) == (error != NULL));
    if (path != NULL)
      va_fuzz_parse_one ("database-path", path);
    return 0;
  }
  if (g_settings_schema_has_key (schema, name)) {
    va_fuzz_parse_one (name, text);
    return 0;
  }
  va_fuzz_parse_one (key_names[(rest_size > 0 ? rest[0] : 0) % g_strv_length (key_names)], text);
  return 0;
}
