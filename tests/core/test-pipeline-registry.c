/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gst/base/gstbasetransform.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <unistd.h>

#include "va-annotation-output.h"
#include "va-error.h"
#include "va-pipeline-builder.h"
#include "va-pipeline-defaults.h"
#include "va-pipeline-info-private.h"
#include "va-model-catalog.h"
#include "va-pipeline-registry.h"
#include "va-test-engine.h"
#include "va-test-media.h"

/* A stand-in analyser with one property of each kind the schema maps, so
 * schema generation is checked against known specs, independently of what
 * the real elements declare. */
typedef enum { VA_TEST_MODE_FAST, VA_TEST_MODE_EXACT } VaTestMode;

static GType
va_test_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VA_TEST_MODE_FAST, "Fast", "fast" },
    { VA_TEST_MODE_EXACT, "Exact", "exact" },
    { 0, NULL, NULL },
  };

  if (type == 0)
    type = g_enum_register_static ("VaTestMode", values);
  return type;
}

#define VA_TYPE_TEST_ANALYSER (va_test_analyser_get_type ())
G_DECLARE_FINAL_TYPE (VaTestAnalyser, va_test_analyser, VA, TEST_ANALYSER, GstBaseTransform)

struct _VaTestAnalyser {
  GstBaseTransform parent_instance;
};

G_DEFINE_FINAL_TYPE (VaTestAnalyser, va_test_analyser, GST_TYPE_BASE_TRANSFORM)

static void
va_test_analyser_set_property (GObject *o, guint id, const GValue *v, GParamSpec *pspec)
{
}

static void
va_test_analyser_get_property (GObject *o, guint id, GValue *v, GParamSpec *pspec)
{
  g_param_value_set_default (pspec, v);
}

static void
va_test_analyser_class_init (VaTestAnalyserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->set_property = va_test_analyser_set_property;
  object_class->get_property = va_test_analyser_get_property;
  g_object_class_install_property (
      object_class, 1,
      g_param_spec_double ("threshold", "Threshold", "Cut threshold", 0, 100, 30, rw));
  g_object_class_install_property (
      object_class, 2,
      g_param_spec_uint ("interval", "Interval", "Frames between analyses", 1, 1000, 1, rw));
  g_object_class_install_property (
      object_class, 3,
      g_param_spec_float ("min-scene-length", "Min", "Shortest scene (s)", 0, 60, 0.1f, rw));
  g_object_class_install_property (
      object_class, 4, g_param_spec_boolean ("enable-extra", "Extra", "Extra output", FALSE, rw));
  g_object_class_install_property (
      object_class, 5,
      g_param_spec_enum ("mode", "Mode", "Speed", va_test_mode_get_type (), 0, rw));
  g_object_class_install_property (object_class, 6,
                                   g_param_spec_string ("label", "Label", "A label", "none", rw));
  g_object_class_install_property (
      object_class, 7, g_param_spec_boolean ("post-messages", "Post", "Post messages", FALSE, rw));
  g_object_class_install_property (object_class, 8,
                                   g_param_spec_int ("stats", "Stats", "Read-only counter", 0, 10,
                                                     0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  gst_element_class_add_pad_template (
      GST_ELEMENT_CLASS (klass),
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_CAPS_ANY));
  gst_element_class_add_pad_template (
      GST_ELEMENT_CLASS (klass),
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_CAPS_ANY));
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass), "Test analyser",
                                         "Filter/Analyzer/Video", "test", "test");
}

static void
va_test_analyser_init (VaTestAnalyser *self)
{
}

static const VaPipelineDesc test_desc = {
  .name = "test_analysis",
  .display_name = "Test",
  .description = "test",
  .family = "test",
  .variant = "fake",
  .stability = "experimental",
  .tasks = (const char *const[]){ "testing", NULL },
  .modalities = (const char *const[]){ "video", NULL },
  .output_format = "CSV",
  .output_types = (const char *const[]){ "test", NULL },
  .branch = VA_PIPELINE_BRANCH_VIDEO,
  .elements
  = { { .factory = "vatestanalyser", .properties = (const char *const[]){ "interval=5", NULL } } },
};

static const VaPipelineDesc missing_desc = {
  .name = "missing_analysis",
  .family = "test",
  .variant = "missing",
  .stability = "stable",
  .elements = { { .factory = "vanosuchelement" } },
};

static const VaPipelineDesc audio_desc = {
  .name = "test_audio",
  .family = "test",
  .variant = "audio",
  .stability = "experimental",
  .branch = VA_PIPELINE_BRANCH_AUDIO,
  .elements
  = { { .factory = "identity", .properties = (const char *const[]){ "silent=false", NULL } },
      { .factory = "identity", .heavy = TRUE } },
};

static JsonObject *
member (JsonObject *schema, const char *key)
{
  g_assert_true (json_object_has_member (schema, key));
  return json_object_get_object_member (schema, key);
}

static void
test_schema_from_properties (void)
{
  g_autoptr (VaPipelineInfo) info = va_pipeline_info_new (&test_desc);
  JsonObject *schema = va_pipeline_info_get_config_schema (info);
  JsonObject *e;
  const char *factory = NULL, *property = NULL;

  g_assert_true (va_pipeline_info_get_enabled (info));

  e = member (schema, "threshold");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "number");
  g_assert_cmpfloat (json_object_get_double_member (e, "default"), ==, 30.0);
  g_assert_cmpfloat (json_object_get_double_member (e, "minimum"), ==, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (e, "maximum"), ==, 100.0);
  g_assert_cmpstr (json_object_get_string_member (e, "description"), ==, "Cut threshold");

  /* the chain's default overrides the element's */
  e = member (schema, "interval");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "integer");
  g_assert_cmpint (json_object_get_int_member (e, "default"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (e, "minimum"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (e, "maximum"), ==, 1000);

  /* dashes become underscores; floats print as typed, not as 0.100000001 */
  e = member (schema, "min_scene_length");
  g_assert_cmpfloat (json_object_get_double_member (e, "default"), ==, 0.1);

  e = member (schema, "enable_extra");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "boolean");
  g_assert_false (json_object_get_boolean_member (e, "default"));

  e = member (schema, "mode");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "string");
  g_assert_cmpstr (json_object_get_string_member (e, "default"), ==, "fast");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (e, "enum")), ==, 2);

  e = member (schema, "label");
  g_assert_cmpstr (json_object_get_string_member (e, "default"), ==, "none");

  /* runner-internal, read-only and base-class properties are not options */
  g_assert_false (json_object_has_member (schema, "post_messages"));
  g_assert_false (json_object_has_member (schema, "stats"));
  g_assert_false (json_object_has_member (schema, "qos"));
  g_assert_false (json_object_has_member (schema, "name"));
  g_assert_cmpuint (json_object_get_size (schema), ==, 6);

  g_assert_true (va_pipeline_info_lookup_option (info, "min_scene_length", &factory, &property));
  g_assert_cmpstr (factory, ==, "vatestanalyser");
  g_assert_cmpstr (property, ==, "min-scene-length");
  g_assert_false (va_pipeline_info_lookup_option (info, "min-scene-length", NULL, NULL));
}

static void
test_missing_element (void)
{
  g_autoptr (VaPipelineInfo) info = va_pipeline_info_new (&missing_desc);

  g_assert_false (va_pipeline_info_get_enabled (info));
  g_assert_nonnull (strstr (va_pipeline_info_get_unavailable_reason (info), "vanosuchelement"));
  g_assert_cmpuint (json_object_get_size (va_pipeline_info_get_config_schema (info)), ==, 0);
}

static void
test_builder_options (void)
{
  g_autoptr (VaPipelineInfo) info = va_pipeline_info_new (&test_desc);
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GError) error = NULL;

  va_pipeline_builder_add_pipeline (builder, info);
  g_assert_true (
      va_pipeline_builder_set_option (builder, "test_analysis", "threshold", "45.5", &error));
  g_assert_no_error (error);
  g_assert_true (
      va_pipeline_builder_set_option (builder, "test_analysis", "mode", "exact", &error));
  g_assert_no_error (error);

  g_assert_false (
      va_pipeline_builder_set_option (builder, "test_analysis", "threshold", "101", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "out of range"));
  g_clear_error (&error);

  g_assert_false (
      va_pipeline_builder_set_option (builder, "test_analysis", "threshold", "abc", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (va_pipeline_builder_set_option (builder, "test_analysis", "speed", "1", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "threshold"));
  g_clear_error (&error);

  g_assert_false (
      va_pipeline_builder_set_option (builder, "scene_detection", "threshold", "1", &error));
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
}

static void
test_registry_names (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (GPtrArray) list = va_pipeline_registry_list (registry);
  g_autofree char *known = va_pipeline_registry_dup_known_names (registry);

  g_assert_cmpuint (list->len, >=, 2);
  /* served alphabetically, as the reference loads its YAML files */
  for (guint i = 1; i < list->len; i++)
    g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (list, i - 1)), <,
                     va_pipeline_info_get_name (g_ptr_array_index (list, i)));
  g_assert_cmpstr (known, ==,
                   "audio_processing, face_analysis, motion_analysis, person_tracking, "
                   "scene_detection, speaker_diarization, speech_recognition, voice_activity");

  for (guint i = 0; i < list->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (list, i);
    g_autofree char *family_variant = g_strdup_printf ("%s_%s", va_pipeline_info_get_family (info),
                                                       va_pipeline_info_get_variant (info));
    g_assert_true (va_pipeline_registry_lookup (registry, va_pipeline_info_get_name (info))
                   == info);
    g_assert_true (va_pipeline_registry_lookup (registry, family_variant) == info);
    g_assert_true (g_strv_contains (va_pipeline_info_get_aliases (info), family_variant));
  }

  g_assert_true (va_pipeline_registry_lookup (registry, "scene")
                 == va_pipeline_registry_lookup (registry, "scene_detection"));
  g_assert_true (va_pipeline_registry_lookup (registry, "motion")
                 == va_pipeline_registry_lookup (registry, "motion_analysis"));
  g_assert_true (va_pipeline_registry_lookup (registry, "scene_content-histogram")
                 == va_pipeline_registry_lookup (registry, "scene_detection"));
  g_assert_null (va_pipeline_registry_lookup (registry, "Scene_Detection"));
  g_assert_null (va_pipeline_registry_lookup (registry, "face_laion_clip"));
}

static void
test_registry_resolve (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) defaults = NULL;
  g_autoptr (VaPipelineInfo) info = NULL;

  info = va_pipeline_registry_resolve (registry, "nonsense", &error);
  g_assert_null (info);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nonsense"));
  g_assert_nonnull (strstr (error->message, "scene_detection"));
  g_assert_nonnull (strstr (error->message, "motion_analysis"));
  g_clear_error (&error);

  /* an alias and its name count once; order is kept; blanks ignored */
  list = va_pipeline_registry_resolve_list (registry, " motion , scene_detection,scene", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (list, 0)), ==, "motion_analysis");
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (list, 1)), ==, "scene_detection");
  g_clear_pointer (&list, g_ptr_array_unref);

  list = va_pipeline_registry_resolve_list (registry, "scene,,motion", &error);
  g_assert_null (list);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  list = va_pipeline_registry_resolve_list (registry, "scene,bogus", &error);
  g_assert_null (list);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bogus"));
  g_clear_error (&error);

  /* no selection = every installed video pipeline, in registry order */
  defaults = va_pipeline_registry_resolve_list (registry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (defaults->len, ==, 4);
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (defaults, 0)), ==,
                   "scene_detection");
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (defaults, 1)), ==,
                   "motion_analysis");
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (defaults, 2)), ==,
                   "face_analysis");
  g_assert_cmpstr (va_pipeline_info_get_name (g_ptr_array_index (defaults, 3)), ==,
                   "person_tracking");
}

/* The real elements are the source of truth: the contract's scene
 * defaults (threshold 30, min_scene_length 1.0) must come out of them. */
static void
test_registry_real_schema (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  VaPipelineInfo *scene = va_pipeline_registry_lookup (registry, "scene_detection");
  VaPipelineInfo *motion = va_pipeline_registry_lookup (registry, "motion_analysis");
  JsonObject *schema;
  JsonObject *e;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  g_assert_true (va_pipeline_info_get_enabled (scene));
  g_assert_true (va_pipeline_info_get_enabled (motion));
  schema = va_pipeline_info_get_config_schema (scene);
  e = member (schema, "threshold");
  g_assert_cmpstr (json_object_get_string_member (e, "type"), ==, "number");
  g_assert_cmpfloat (json_object_get_double_member (e, "default"), ==, 30.0);
  g_assert_cmpfloat (json_object_get_double_member (e, "minimum"), ==, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (e, "maximum"), ==, 100.0);
  g_assert_cmpstr (json_object_get_string_member (e, "description"), !=, "");
  e = member (schema, "min_scene_length");
  g_assert_cmpfloat (json_object_get_double_member (e, "default"), ==, 1.0);
  g_assert_false (json_object_has_member (schema, "post_messages"));

  node = va_pipeline_info_to_json (scene);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "scene_detection");
  g_assert_cmpstr (json_object_get_string_member (object, "pipeline_family"), ==, "scene");
  g_assert_true (json_object_get_boolean_member (object, "enabled"));
  g_assert_true (json_object_has_member (json_object_get_object_member (object, "config_schema"),
                                         "threshold"));
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (object, "outputs"), 0),
          "format"),
      ==, "COCO");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "examples")), ==,
                    1);
}

static GstElement *
child (GstElement *pipeline, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  if (e != NULL)
    gst_object_unref (e); /* the pipeline keeps it alive */
  return e;
}

/* The audio pipelines share vavad: selecting speech_recognition and
 * speaker_diarization builds vavad ! queue ! vaspeech ! vadiarize once, and
 * their options come from both elements' properties. */
static void
test_registry_audio (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autofree char *input = NULL;
  g_autofree char *sink_pipelines = NULL;
  VaPipelineInfo *diarization = va_pipeline_registry_lookup (registry, "speaker_diarization");
  VaPipelineInfo *audio = va_pipeline_registry_lookup (registry, "audio_processing");
  JsonObject *schema;
  int fd = g_file_open_tmp ("va-audio-XXXXXX.wav", &input, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);

  g_assert_true (va_pipeline_info_get_enabled (diarization));
  g_assert_true (va_pipeline_info_get_enabled (audio));
  g_assert_cmpint (va_pipeline_info_get_branch (audio), ==, VA_PIPELINE_BRANCH_AUDIO);
  schema = va_pipeline_info_get_config_schema (diarization);
  g_assert_cmpuint (json_object_get_int_member (member (schema, "min_speakers"), "default"), ==, 1);
  g_assert_cmpuint (json_object_get_int_member (member (schema, "max_speakers"), "default"), ==,
                    10);
  g_assert_true (json_object_has_member (schema, "hangover"));
  schema = va_pipeline_info_get_config_schema (
      va_pipeline_registry_lookup (registry, "speech_recognition"));
  /* model paths are the operator's: not job options, yet the builder takes them */
  g_assert_false (json_object_has_member (schema, "hmm"));
  g_assert_false (json_object_has_member (schema, "dict"));
  /* the recognizer's search is a job option; its threads follow the machine */
  g_assert_true (json_object_has_member (schema, "search"));
  g_assert_cmpstr (json_object_get_string_member (member (schema, "search"), "default"), ==,
                   "fast");
  g_assert_false (json_object_has_member (schema, "threads"));
  g_assert_cmpstr (va_pipeline_info_get_operator_setting (
                       va_pipeline_registry_lookup (registry, "speech_recognition"), "hmm"),
                   ==, "speech-acoustic-model");
  g_assert_true (va_pipeline_info_lookup_option (
      va_pipeline_registry_lookup (registry, "speech_recognition"), "dict", NULL, NULL));
  g_assert_null (va_pipeline_info_get_operator_setting (
      va_pipeline_registry_lookup (registry, "speech_recognition"), "hangover"));
  /* audio pipelines are not run unless asked for */
  list = va_pipeline_registry_get_defaults (registry);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpint (va_pipeline_info_get_branch (g_ptr_array_index (list, i)), ==,
                     VA_PIPELINE_BRANCH_VIDEO);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = va_pipeline_registry_resolve_list (registry, "speech_recognition,speaker_diarization",
                                            &error);
  g_assert_no_error (error);
  va_pipeline_builder_set_input (builder, input);
  for (guint i = 0; i < list->len; i++)
    va_pipeline_builder_add_pipeline (builder, g_ptr_array_index (list, i));
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (child (pipeline, "audio-caps"));
  g_assert_nonnull (child (pipeline, "speech_recognition-0-vavad"));
  g_assert_nonnull (child (pipeline, "speech_recognition-1-queue"));
  g_assert_nonnull (child (pipeline, "speech_recognition-1-vaspeech"));
  g_assert_null (child (pipeline, "speaker_diarization-0-vavad"));
  g_assert_nonnull (child (pipeline, "speaker_diarization-1-vadiarize"));
  g_assert_null (child (pipeline, "video-sink"));
  g_object_get (child (pipeline, "audio-sink"), "pipelines", &sink_pipelines, NULL);
  g_assert_cmpstr (sink_pipelines, ==, "speech_recognition,speaker_diarization");
  g_unlink (input);
}

/* No two pipelines write the same file: a job selecting both would keep
 * only the one written last. The registry names its files from libvameta's
 * table, which the annotation sink writes: every registry pipeline has at
 * least one file there, and the table names no pipeline the registry does
 * not know (a renamed row on either side fails here). */
static void
test_registry_distinct_outputs (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (GPtrArray) list = va_pipeline_registry_list (registry);
  g_autoptr (GHashTable) owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const VaAnnotationOutput *outputs;
  guint n_outputs, n_files = 0;

  outputs = va_annotation_output_get_all (&n_outputs);
  for (guint i = 0; i < list->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (list, i);
    const char *name = va_pipeline_info_get_name (info);
    g_auto (GStrv) suffixes = va_pipeline_info_dup_output_suffixes (info);

    if (suffixes[0] == NULL)
      g_error ("pipeline %s writes no file: libvameta has no output for it", name);
    g_assert_true (va_annotation_output_is_known (name));
    g_assert_cmpstr (va_pipeline_info_get_output_suffix (info), ==, suffixes[0]);
    for (guint j = 0; suffixes[j] != NULL; j++) {
      const char *other = g_hash_table_lookup (owner, suffixes[j]);

      if (other != NULL)
        g_error ("%s and %s both write <stem>%s", other, name, suffixes[j]);
      g_hash_table_insert (owner, g_strdup (suffixes[j]), (gpointer)name);
      n_files++;
    }
  }
  for (guint k = 0; k < n_outputs; k++) {
    VaPipelineInfo *info = va_pipeline_registry_lookup (registry, outputs[k].pipeline);

    if (info == NULL || !g_str_equal (va_pipeline_info_get_name (info), outputs[k].pipeline))
      g_error ("libvameta writes %s for “%s”, which the registry does not know", outputs[k].suffix,
               outputs[k].pipeline);
  }
  g_assert_cmpuint (n_outputs, ==, n_files);
}

/* Settings reach an element wherever it runs: audio_processing's vadiarize
 * takes diarization-max-speakers as speaker_diarization's does, and the
 * operator's model path reaches vaspeech. */
static void
test_defaults_from_settings (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  const char *const overrides[]
      = { "diarization-max-speakers=3", "speech-acoustic-model=/models/hmm", NULL };
  g_autoptr (VaSettings) settings = va_test_settings_new (dir, overrides);
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *input = g_build_filename (dir, "in.wav", NULL);
  g_autofree char *hmm = NULL;
  guint max_speakers = 0;

  g_assert_true (g_file_set_contents (input, "x", 1, NULL));
  va_pipeline_builder_set_input (builder, input);
  va_pipeline_builder_add_pipeline (builder,
                                    va_pipeline_registry_lookup (registry, "audio_processing"));
  va_pipeline_defaults_apply (builder, settings);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_no_error (error);
  g_object_get (child (pipeline, "audio_processing-2-vadiarize"), "max-speakers", &max_speakers,
                NULL);
  g_assert_cmpuint (max_speakers, ==, 3);
  g_object_get (child (pipeline, "audio_processing-1-vaspeech"), "hmm", &hmm, NULL);
  g_assert_cmpstr (hmm, ==, "/models/hmm");
}

/* The builder asks libav's video decoders for frame threading. */
static void
test_decoder_frame_threads (void)
{
  g_autoptr (VaTestDir) dir = va_test_dir_new ();
  g_autofree char *input = g_build_filename (dir, "in.mp4", NULL);
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstIterator) it = NULL;
  GValue item = G_VALUE_INIT;
  guint n_decoders = 0;

  va_test_media_make_video (input, 10);
  va_pipeline_builder_set_input (builder, input);
  va_pipeline_builder_set_output_dir (builder, dir);
  va_pipeline_builder_add_pipeline (builder,
                                    va_pipeline_registry_lookup (registry, "scene_detection"));
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), !=,
                   GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 30 * GST_SECOND), ==,
                   GST_STATE_CHANGE_SUCCESS);
  it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *element = g_value_get_object (&item);

    if (g_str_has_prefix (G_OBJECT_TYPE_NAME (element), "avdec_h264")) {
      guint flags = 0;

      g_object_get (element, "thread-type", &flags, NULL);
      g_assert_cmpuint (flags, ==, 1); /* frame */
      n_decoders++;
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (n_decoders, ==, 1);
}

/* The builder's graph: one decodebin, a branch per modality that has a
 * selected pipeline, a queue before heavy elements, one sink per branch
 * told which pipelines to write. */
static void
test_builder_graph (void)
{
  g_autoptr (VaPipelineInfo) video = va_pipeline_info_new (&test_desc);
  g_autoptr (VaPipelineInfo) audio = va_pipeline_info_new (&audio_desc);
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autofree char *input = NULL;
  g_autofree char *sink_pipelines = NULL;
  g_autofree char *stem = NULL;
  int fd = g_file_open_tmp ("va-builder-XXXXXX.mp4", &input, &error);
  gboolean silent = TRUE;

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);

  va_pipeline_builder_set_input (builder, input);
  va_pipeline_builder_add_pipeline (builder, video);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (child (pipeline, "decode"));
  g_assert_nonnull (child (pipeline, "video-queue"));
  g_assert_nonnull (child (pipeline, "video-convert"));
  g_assert_nonnull (child (pipeline, "test_analysis-0-vatestanalyser"));
  g_assert_nonnull (child (pipeline, "video-sink"));
  g_assert_null (child (pipeline, "audio-sink"));
  g_clear_object (&pipeline);

  va_pipeline_builder_add_pipeline (builder, audio);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_no_error (error);
  g_assert_nonnull (child (pipeline, "audio-queue"));
  g_assert_nonnull (child (pipeline, "audio-resample"));
  g_assert_nonnull (child (pipeline, "audio-caps"));
  /* registry defaults are applied; a heavy second element gets a queue */
  g_object_get (child (pipeline, "test_audio-0-identity"), "silent", &silent, NULL);
  g_assert_false (silent);
  g_assert_nonnull (child (pipeline, "test_audio-1-queue"));
  g_assert_nonnull (child (pipeline, "test_audio-1-identity"));
  g_object_get (child (pipeline, "audio-sink"), "pipelines", &sink_pipelines, "stem", &stem, NULL);
  g_assert_cmpstr (sink_pipelines, ==, "test_audio");
  g_free (sink_pipelines);
  g_object_get (child (pipeline, "video-sink"), "pipelines", &sink_pipelines, NULL);
  g_assert_cmpstr (sink_pipelines, ==, "test_analysis");
  g_assert_true (g_str_has_prefix (stem, "va-builder-"));
  g_assert_false (g_str_has_suffix (stem, ".mp4"));
  g_unlink (input);
}

static void
test_builder_input_checks (void)
{
  g_autoptr (VaPipelineInfo) video = va_pipeline_info_new (&test_desc);
  g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-builder-XXXXXX", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.mp4", NULL);

  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  va_pipeline_builder_set_input (builder, dir);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT); /* nothing selected */
  g_clear_error (&error);

  va_pipeline_builder_add_pipeline (builder, video);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT); /* a directory */
  g_clear_error (&error);

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  va_pipeline_builder_set_input (builder, empty);
  pipeline = va_pipeline_builder_build (builder, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA);
  g_assert_null (pipeline);
  g_unlink (empty);
  g_rmdir (dir);

  g_autofree char *stem = va_pipeline_builder_dup_default_stem ("/x/clip.final.mp4");
  g_assert_cmpstr (stem, ==, "clip.final");
  g_free (stem);
  stem = va_pipeline_builder_dup_default_stem ("/x/.mp4");
  g_assert_cmpstr (stem, ==, ".mp4");
  g_free (stem);
  stem = va_pipeline_builder_dup_default_stem ("/");
  g_assert_cmpstr (stem, ==, "video");
}

static gboolean
plugin_loaded (const char *name)
{
  g_autoptr (GstPlugin) plugin = gst_registry_find_plugin (gst_registry_get (), name);

  g_assert_nonnull (plugin);
  return gst_plugin_is_loaded (plugin);
}

/* Scene detection alone loads the plugin that runs it, not OpenCV,
 * PocketSphinx or Cairo with the others: the registry reads a pipeline's
 * schema from its elements' classes only when that pipeline is used. In a
 * subprocess, since a loaded plugin stays loaded. */
static void
test_loads_only_what_runs (void)
{
  if (g_test_subprocess ()) {
    g_autoptr (VaTestDir) dir = va_test_dir_new ();
    g_autofree char *input = g_build_filename (dir, "in.mp4", NULL);
    g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
    g_autoptr (VaPipelineBuilder) builder = va_pipeline_builder_new ();
    g_autoptr (GstElement) pipeline = NULL;
    g_autoptr (GError) error = NULL;
    VaPipelineInfo *scene = va_pipeline_registry_lookup (registry, "scene_detection");
    VaPipelineInfo *face = va_pipeline_registry_lookup (registry, "face_analysis");

    va_test_media_make_video (input, 10);
    g_assert_true (va_pipeline_info_get_enabled (face));
    g_assert_true (
        json_object_has_member (va_pipeline_info_get_config_schema (scene), "threshold"));
    va_pipeline_builder_set_input (builder, input);
    va_pipeline_builder_set_output_dir (builder, dir);
    va_pipeline_builder_add_pipeline (builder, scene);
    pipeline = va_pipeline_builder_build (builder, &error);
    g_assert_no_error (error);
    g_assert_true (plugin_loaded ("videoannotator"));
    g_assert_false (plugin_loaded ("videoannotatoropencv"));
    g_assert_false (plugin_loaded ("videoannotatorspeech"));
    g_assert_false (plugin_loaded ("videoannotatoroverlay"));

    /* and asking for the face pipeline's options does load OpenCV's */
    g_assert_cmpuint (json_object_get_size (va_pipeline_info_get_config_schema (face)), >, 0);
    g_assert_true (plugin_loaded ("videoannotatoropencv"));
    return;
  }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* With a models directory, face_analysis and person_tracking say which
 * model they prefer, whether it is installed and the backend a run uses. */
static JsonObject *
model_of (VaPipelineRegistry *registry, const char *name, JsonNode **node)
{
  *node = va_pipeline_info_to_json (va_pipeline_registry_lookup (registry, name));
  return json_object_get_object_member (json_node_get_object (*node), "model");
}

static void
test_registry_models (void)
{
  g_autoptr (VaPipelineRegistry) registry = va_pipeline_registry_new ();
  g_autoptr (VaModelCatalog) catalog = va_model_catalog_new_default ();
  const VaModelEntry *e = va_model_catalog_lookup (catalog, "blazeface");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-models-XXXXXX", &error);
  g_autofree char *folder = NULL;
  g_autofree char *manifest = NULL;
  JsonNode *node = NULL;
  JsonObject *model;

  g_assert_no_error (error);
  g_assert_nonnull (e);
  node = va_pipeline_info_to_json (va_pipeline_registry_lookup (registry, "face_analysis"));
  g_assert_false (json_object_has_member (json_node_get_object (node), "model"));
  json_node_unref (node);

  va_pipeline_registry_set_models_dir (registry, dir);
  model = model_of (registry, "face_analysis", &node);
  g_assert_nonnull (model);
  g_assert_cmpstr (json_object_get_string_member (model, "name"), ==, "blazeface");
  g_assert_false (json_object_get_boolean_member (model, "installed"));
  g_assert_cmpstr (json_object_get_string_member (model, "backend"), ==, "opencv-haar");
  g_assert_cmpstr (json_object_get_string_member (model, "license"), ==, "Apache-2.0");
  json_node_unref (node);
  model = model_of (registry, "person_tracking", &node);
  g_assert_cmpstr (json_object_get_string_member (model, "backend"), ==, "opencv-hog");
  json_node_unref (node);
  node = va_pipeline_info_to_json (va_pipeline_registry_lookup (registry, "scene_detection"));
  g_assert_false (json_object_has_member (json_node_get_object (node), "model"));
  json_node_unref (node);

  /* installed: every file and a manifest naming the pinned integrity */
  folder = g_build_filename (dir, "blazeface", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  for (guint i = 0; e->files[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (folder, e->files[i], NULL);
    g_file_set_contents (path, "x", 1, &error);
    g_assert_no_error (error);
  }
  manifest = g_build_filename (folder, "installed.json", NULL);
  {
    g_autofree char *text = g_strdup_printf ("{\"integrity\": \"%s\"}", e->integrity);
    g_file_set_contents (manifest, text, -1, &error);
    g_assert_no_error (error);
  }
  model = model_of (registry, "face_analysis", &node);
  g_assert_true (json_object_get_boolean_member (model, "installed"));
  g_assert_cmpstr (json_object_get_string_member (model, "backend"), ==, "blazeface");
  json_node_unref (node);

  /* another version's copy does not count */
  g_file_set_contents (manifest, "{\"integrity\": \"sha512-AAAA\"}", -1, &error);
  g_assert_no_error (error);
  model = model_of (registry, "face_analysis", &node);
  g_assert_false (json_object_get_boolean_member (model, "installed"));
  json_node_unref (node);

  for (guint i = 0; e->files[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (folder, e->files[i], NULL);
    g_unlink (path);
  }
  g_unlink (manifest);
  g_rmdir (folder);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  gst_element_register (NULL, "vatestanalyser", GST_RANK_NONE, VA_TYPE_TEST_ANALYSER);

  g_test_add_func ("/pipeline-registry/schema-from-properties", test_schema_from_properties);
  g_test_add_func ("/pipeline-registry/missing-element", test_missing_element);
  g_test_add_func ("/pipeline-registry/builder-options", test_builder_options);
  g_test_add_func ("/pipeline-registry/builder-graph", test_builder_graph);
  g_test_add_func ("/pipeline-registry/builder-input-checks", test_builder_input_checks);
  g_test_add_func ("/pipeline-registry/names", test_registry_names);
  g_test_add_func ("/pipeline-registry/resolve", test_registry_resolve);
  g_test_add_func ("/pipeline-registry/real-schema", test_registry_real_schema);
  g_test_add_func ("/pipeline-registry/audio", test_registry_audio);
  g_test_add_func ("/pipeline-registry/distinct-outputs", test_registry_distinct_outputs);
  g_test_add_func ("/pipeline-registry/defaults-from-settings", test_defaults_from_settings);
  g_test_add_func ("/pipeline-registry/decoder-frame-threads", test_decoder_frame_threads);
  g_test_add_func ("/pipeline-registry/loads-only-what-runs", test_loads_only_what_runs);
  g_test_add_func ("/pipeline-registry/models", test_registry_models);
  return g_test_run ();
}
