/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gio/gio.h>
#include <string.h>

#include "va-audit-entry.h"
#include "va-codec.h"
#include "va-job-result.h"
#include "va-job.h"
#include "va-serializable.h"

/* Every non-null JSON member must be in the a{sv} with the same value,
 * every null member must be absent, and nothing else may be there: REST,
 * D-Bus and the CLI then agree field by field. */
static void
assert_agree (VaSerializable *object)
{
  g_autoptr (JsonNode) json = va_codec_to_json (object);
  g_autoptr (GVariant) variant = va_codec_to_variant (object);
  JsonObject *obj;
  g_autoptr (GList) members = NULL;
  guint non_null = 0;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
  g_assert_true (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT));
  g_assert_false (g_variant_is_floating (variant));
  obj = json_node_get_object (json);
  members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *member = json_object_get_member (obj, name);
    g_autoptr (GVariant) value = g_variant_lookup_value (variant, name, NULL);

    if (JSON_NODE_HOLDS_NULL (member)) {
      g_assert_null (value);
      continue;
    }
    non_null++;
    g_assert_nonnull (value);
    if (JSON_NODE_HOLDS_VALUE (member)) {
      switch (json_node_get_value_type (member)) {
      case G_TYPE_STRING:
        g_assert_cmpstr (g_variant_get_string (value, NULL), ==, json_node_get_string (member));
        break;
      case G_TYPE_INT64:
        g_assert_cmpint (g_variant_get_int64 (value), ==, json_node_get_int (member));
        break;
      case G_TYPE_DOUBLE:
        g_assert_cmpfloat (g_variant_get_double (value), ==, json_node_get_double (member));
        break;
      case G_TYPE_BOOLEAN:
        g_assert_cmpint (g_variant_get_boolean (value), ==, json_node_get_boolean (member));
        break;
      default:
        g_assert_not_reached ();
      }
    } else {
      /* objects and arrays: convert back and compare structurally */
      g_autoptr (JsonNode) again = json_gvariant_serialize (value);
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY)) {
        JsonArray *a = json_node_get_array (member);
        g_autofree const char **strv = g_variant_get_strv (value, NULL);
        g_assert_cmpuint (g_strv_length ((char **)strv), ==, json_array_get_length (a));
        for (guint i = 0; strv[i] != NULL; i++)
          g_assert_cmpstr (strv[i], ==, json_array_get_string_element (a, i));
      } else {
        g_assert_true (json_node_equal (again, member));
      }
    }
  }
  g_assert_cmpuint (g_variant_n_children (variant), ==, non_null);

  /* the text written directly reads back as the same document, and is
   * json-glib's text byte for byte, except that json-glib 1.6 leaves
   * U+001F raw (invalid JSON) where it is escaped */
  {
    g_autofree char *expected = json_to_string (json, FALSE);
    gsize length = 0;
    g_autofree char *text = va_codec_to_json_text (object, &length);
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) parsed = json_from_string (text, &error);

    g_assert_no_error (error);
    g_assert_true (json_node_equal (parsed, json));
    g_assert_cmpuint (length, ==, strlen (text));
    if (strchr (expected, 0x1f) == NULL)
      g_assert_cmpstr (text, ==, expected);
    else
      g_assert_nonnull (strstr (text, "\\u001f"));
  }
}

static void
test_codec_job (void)
{
  g_autoptr (VaJob) job = va_job_new ();
  g_autoptr (JsonObject) config = json_object_new ();
  g_autoptr (JsonObject) nested = json_object_new ();
  g_autoptr (GDateTime) when = g_date_time_new_utc (2024, 5, 1, 12, 30, 15.5);
  g_autoptr (JsonNode) json = NULL;
  JsonObject *obj;
  const char *pipelines[] = { "scene_detection", "motion_analysis", NULL };
  const char *contract_fields[] = {
    "id",
    "status",
    "video_path",
    "video_filename",
    "video_size_bytes",
    "video_duration_seconds",
    "config",
    "selected_pipelines",
    "created_at",
    "completed_at",
    "error_message",
    "result_path",
    "storage_path",
    "queue_position",
    NULL,
  };

  /* a fresh job: many nulls */
  assert_agree (VA_SERIALIZABLE (job));

  json_object_set_int_member (nested, "threshold", 30);
  json_object_set_object_member (config, "scene_detection", g_steal_pointer (&nested));
  json_object_set_double_member (config, "pps", 0.5);
  va_job_set_config (job, config);
  va_job_set_selected_pipelines (job, pipelines);
  va_job_set_user_id (job, "u1");
  va_job_set_video_filename (job, "clip.mp4");
  va_job_set_video_path (job, "j/clip.mp4");
  va_job_set_video_size_bytes (job, 1000);
  va_job_set_video_duration_seconds (job, 9.6);
  va_job_set_created_at (job, when);
  va_job_set_completed_at (job, when);
  va_job_set_status (job, VA_JOB_STATUS_COMPLETED);
  va_job_set_error_message (job, "Completed with errors. Failed pipelines: x");
  va_job_set_queue_position (job, 3);
  assert_agree (VA_SERIALIZABLE (job));

  json = va_codec_to_json (VA_SERIALIZABLE (job));
  obj = json_node_get_object (json);
  for (guint i = 0; contract_fields[i] != NULL; i++)
    g_assert_true (json_object_has_member (obj, contract_fields[i]));
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (obj, "created_at"), ==,
                   "2024-05-01T12:30:15.500000Z");
  /* the contract's integer */
  g_assert_cmpint (json_object_get_int_member (obj, "video_duration_seconds"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (obj, "queue_position"), ==, 3);
  g_assert_true (json_object_get_null_member (obj, "result_path"));
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (json_object_get_object_member (obj, "config"),
                                                      "scene_detection"),
                       "threshold"),
                   ==, 30);
}

/* A config with nulls (in objects and arrays) must still produce a
 * variant that D-Bus can marshal. */
static void
test_codec_dbus_safe (void)
{
  g_autoptr (VaJob) job = va_job_new ();
  g_autoptr (JsonNode) parsed
      = json_from_string ("{\"a\": null, \"b\": [1, \"x\", null, 2.5, true], "
                          "\"c\": {\"d\": null, \"e\": {}}, \"f\": []}",
                          NULL);
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (GVariant) config = NULL;
  g_autoptr (GVariant) b = NULL;
  g_autoptr (GVariant) c = NULL;
  g_autoptr (GDBusMessage) message
      = g_dbus_message_new_signal ("/org/videoannotator/Test", "org.videoannotator.Test", "Job");
  g_autoptr (GError) error = NULL;
  g_autofree guchar *blob = NULL;
  gsize size = 0;

  va_job_set_config (job, json_node_get_object (parsed));
  variant = va_codec_to_variant (VA_SERIALIZABLE (job));
  g_assert_null (strchr (g_variant_get_type_string (variant), 'm'));
  config = g_variant_lookup_value (variant, "config", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (config);
  g_assert_false (g_variant_lookup (config, "a", "v", NULL));
  b = g_variant_lookup_value (config, "b", G_VARIANT_TYPE ("av"));
  g_assert_cmpuint (g_variant_n_children (b), ==, 5);
  c = g_variant_lookup_value (config, "c", G_VARIANT_TYPE_VARDICT);
  g_assert_cmpuint (g_variant_n_children (c), ==, 1);

  g_dbus_message_set_body (message, g_variant_new ("(@a{sv})", variant));
  blob = g_dbus_message_to_blob (message, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (blob);
}

static void
test_codec_result_and_audit (void)
{
  g_autoptr (VaJobResult) result = va_job_result_new ("j1", "scene_detection");
  g_autoptr (VaAuditEntry) entry = va_audit_entry_new ("job.delete");
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (GVariant) variant = NULL;

  assert_agree (VA_SERIALIZABLE (result));
  va_job_result_set_processing_time (result, 1.25);
  va_job_result_set_annotation_count (result, 4);
  va_job_result_set_output_file (result, "out/clip_scene_detection.json");
  assert_agree (VA_SERIALIZABLE (result));

  assert_agree (VA_SERIALIZABLE (entry));
  json_object_set_boolean_member (detail, "purge", TRUE);
  json_object_set_string_member (detail, "reason", "retention");
  va_audit_entry_set_detail (entry, detail);
  va_audit_entry_set_key_prefix (entry, "va_api_AbCd");
  assert_agree (VA_SERIALIZABLE (entry));

  g_ptr_array_add (list, result);
  g_ptr_array_add (list, entry);
  json = va_codec_list_to_json (list);
  variant = va_codec_list_to_variant (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json)), ==, 2);
  g_assert_cmpstr (g_variant_get_type_string (variant), ==, "aa{sv}");
  g_assert_cmpuint (g_variant_n_children (variant), ==, 2);
}

static void
test_codec_status_strings (void)
{
  VaJobStatus status;

  for (guint i = 0; i < VA_JOB_N_STATUSES; i++) {
    g_assert_true (va_job_status_from_string (va_job_status_to_string (i), &status));
    g_assert_cmpint (status, ==, i);
  }
  g_assert_false (va_job_status_from_string ("queued", &status));
  g_assert_false (va_job_status_from_string (NULL, &status));
  g_assert_null (va_job_status_to_string (VA_JOB_N_STATUSES));
  g_assert_true (va_job_status_is_terminal (VA_JOB_STATUS_CANCELLED));
  g_assert_false (va_job_status_is_terminal (VA_JOB_STATUS_RUNNING));
}

/* Strings json-glib escapes, nested config, whole and fractional doubles:
 * the direct text writer and json-glib agree on all of them. */
static void
test_codec_text (void)
{
  const char *tricky[]
      = { "quote \" backslash \\ slash /", "\b\f\n\r\t \x01 \x1f \x7f", "é ✓ 日本語", "", NULL };
  const double progress[] = { 0, 100, 12.5, 1.0 / 3, 99.99 };

  for (guint i = 0; tricky[i] != NULL; i++) {
    g_autoptr (VaJob) job = va_job_new ();
    g_autoptr (JsonObject) config = json_object_new ();
    g_autoptr (JsonObject) nested = json_object_new ();
    g_autoptr (JsonArray) list = json_array_new ();
    g_autoptr (GDateTime) when = g_date_time_new_utc (2024, 2, 29, 23, 59, 59.000042);
    const char *pipelines[] = { tricky[i], "scene_detection", NULL };

    json_object_set_string_member (nested, tricky[i], tricky[i]);
    json_object_set_double_member (nested, "pps", 0.5);
    json_object_set_double_member (nested, "whole", 2.0);
    json_object_set_boolean_member (nested, "flag", TRUE);
    json_array_add_int_element (list, -7);
    json_array_add_string_element (list, tricky[i]);
    json_object_set_object_member (config, "nested", json_object_ref (nested));
    json_object_set_array_member (config, "list", json_array_ref (list));
    va_job_set_config (job, config);
    va_job_set_error_message (job, tricky[i]);
    va_job_set_video_filename (job, tricky[i]);
    va_job_set_selected_pipelines (job, pipelines);
    va_job_set_created_at (job, when);
    va_job_set_completed_at (job, when);
    va_job_set_progress (job, progress[i]);
    va_job_set_video_duration_seconds (job, 2.5);
    assert_agree (VA_SERIALIZABLE (job));
  }
}

static void
test_codec_datetime (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (2 * 3600);
  g_autoptr (GDateTime) local = g_date_time_new (tz, 2024, 1, 1, 2, 0, 0);
  g_autofree char *text = va_codec_format_datetime (local);
  g_autoptr (GDateTime) back = va_codec_parse_datetime (text);

  /* always rendered in UTC */
  g_assert_cmpstr (text, ==, "2024-01-01T00:00:00.000000Z");
  g_assert_true (g_date_time_equal (back, local));
  g_assert_null (va_codec_parse_datetime ("yesterday"));
  g_assert_null (va_codec_format_datetime (NULL));

  /* as g_date_time_format () renders them */
  for (guint i = 0; i < 5; i++) {
    static const int years[] = { 1970, 2000, 2038, 9999, 999 };
    g_autoptr (GDateTime) when = g_date_time_new (tz, years[i], 12, 31, 23, 59, 59.123456);
    g_autoptr (GDateTime) utc = g_date_time_to_utc (when);
    g_autofree char *ours = va_codec_format_datetime (when);
    g_autofree char *glib = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");

    g_assert_cmpstr (ours, ==, glib);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/codec/job", test_codec_job);
  g_test_add_func ("/codec/dbus-safe", test_codec_dbus_safe);
  g_test_add_func ("/codec/result-and-audit", test_codec_result_and_audit);
  g_test_add_func ("/codec/status-strings", test_codec_status_strings);
  g_test_add_func ("/codec/datetime", test_codec_datetime);
  g_test_add_func ("/codec/text", test_codec_text);
  return g_test_run ();
}
