/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "va-annotation-output.h"
#include "va-model-catalog.h"
#include "va-pipeline-info-private.h"
#include "va-serializable.h"

/**
 * VaPipelineInfo:
 *
 * What the registry knows about one annotation pipeline: the contract's
 * PipelineInfo fields, the element chain the builder instantiates and the
 * `config_schema`, which is read from the elements' GObject properties so
 * that the element code stays the one place where options, defaults and
 * ranges are defined.
 */
struct _VaPipelineInfo {
  GObject parent_instance;

  const VaPipelineDesc *desc;
  GPtrArray *aliases; /* char*, NULL-terminated */
  gboolean enabled;
  char *unavailable_reason;
  char *install_hint;
  char *models_dir;      /* where the neural models are looked for; NULL: not reported */
  GStrv output_suffixes; /* from libvameta's table of the files the sink writes */
  JsonObject *config_schema;
  /* schema key → "factory\nproperty" */
  GHashTable *options;
  /* option key → setting name, for the options only the operator sets */
  GHashTable *operator_options;
  /* config_schema, options and operator_options are filled on first use */
  gsize schema_ready;
};

static void va_pipeline_info_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaPipelineInfo, va_pipeline_info, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_pipeline_info_serializable_init))

/* Properties that are the runner's business, not a user's: the runner
 * reads results from metadata, never from messages (post-messages, every
 * analyser), and vaspeech's decoding threads follow the machine's
 * processors (threads: each one costs a copy of the models). */
static const char *const hidden_properties[] = { "post-messages", "threads", NULL };

/* Files on the server's machine: a job that could name them would make the
 * server parse any file it can read with model loaders never meant for
 * hostile input. They are settings of the operator's (and `annotate --set`
 * options of the local user's), never job options. */
static const struct {
  const char *factory;
  const char *property;
  const char *setting;
} operator_properties[] = {
  { "vaspeech", "hmm", "speech-acoustic-model" },
  { "vaspeech", "lm", "speech-language-model" },
  { "vaspeech", "dict", "speech-dictionary" },
  { "vafacedetect", "model-dir", "face-model-dir" },
  { "vafacedetect", "models-dir", "models-dir" },
  { "vapersondetect", "models-dir", "models-dir" },
  { "vapersondetect", "model-dir", "person-model-dir" },
};

static int
va_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static const char *
va_operator_setting (const char *factory, const char *property)
{
  for (guint i = 0; i < G_N_ELEMENTS (operator_properties); i++) {
    if (g_str_equal (operator_properties[i].factory, factory)
        && g_str_equal (operator_properties[i].property, property))
      return operator_properties[i].setting;
  }
  return NULL;
}

static void
va_pipeline_info_finalize (GObject *object)
{
  VaPipelineInfo *self = VA_PIPELINE_INFO (object);

  g_clear_pointer (&self->aliases, g_ptr_array_unref);
  g_clear_pointer (&self->unavailable_reason, g_free);
  g_clear_pointer (&self->install_hint, g_free);
  g_clear_pointer (&self->models_dir, g_free);
  g_clear_pointer (&self->output_suffixes, g_strfreev);
  g_clear_pointer (&self->config_schema, json_object_unref);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->operator_options, g_hash_table_unref);
  G_OBJECT_CLASS (va_pipeline_info_parent_class)->finalize (object);
}

static void
va_pipeline_info_class_init (VaPipelineInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_pipeline_info_finalize;
}

static void
va_pipeline_info_init (VaPipelineInfo *self)
{
  self->aliases = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->config_schema = json_object_new ();
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->operator_options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Floats in GParamSpecs are binary approximations (0.1f): print them with
 * the precision a person typed. */
static double
va_round_float (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.6g", value);
  return g_ascii_strtod (buf, NULL);
}

static JsonNode *
va_json_from_value (const GValue *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_BOOLEAN) {
    json_node_set_boolean (node, g_value_get_boolean (value));
  } else if (type == G_TYPE_INT) {
    json_node_set_int (node, g_value_get_int (value));
  } else if (type == G_TYPE_UINT) {
    json_node_set_int (node, g_value_get_uint (value));
  } else if (type == G_TYPE_INT64) {
    json_node_set_int (node, g_value_get_int64 (value));
  } else if (type == G_TYPE_UINT64) {
    json_node_set_int (node, (gint64)MIN (g_value_get_uint64 (value), (guint64)G_MAXINT64));
  } else if (type == G_TYPE_LONG) {
    json_node_set_int (node, g_value_get_long (value));
  } else if (type == G_TYPE_ULONG) {
    json_node_set_int (node, (gint64)g_value_get_ulong (value));
  } else if (type == G_TYPE_FLOAT) {
    json_node_set_double (node, va_round_float (g_value_get_float (value)));
  } else if (type == G_TYPE_DOUBLE) {
    json_node_set_double (node, va_round_float (g_value_get_double (value)));
  } else if (type == G_TYPE_STRING) {
    if (g_value_get_string (value) == NULL)
      json_node_init_null (node);
    else
      json_node_set_string (node, g_value_get_string (value));
  } else if (G_TYPE_IS_ENUM (type)) {
    GEnumClass *klass = g_type_class_peek (type);
    GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (value));
    json_node_set_string (node, ev != NULL ? ev->value_nick : "");
  } else {
    g_autofree char *s = gst_value_serialize (value);
    if (s == NULL)
      json_node_init_null (node);
    else
      json_node_set_string (node, s);
  }
  return node;
}

static const char *
va_json_type_for_pspec (GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (type == G_TYPE_BOOLEAN)
    return "boolean";
  if (type == G_TYPE_INT || type == G_TYPE_UINT || type == G_TYPE_INT64 || type == G_TYPE_UINT64
      || type == G_TYPE_LONG || type == G_TYPE_ULONG)
    return "integer";
  if (type == G_TYPE_FLOAT || type == G_TYPE_DOUBLE)
    return "number";
  if (type == G_TYPE_STRING || G_TYPE_IS_ENUM (type))
    return "string";
  return NULL;
}

static void
va_schema_add_range (JsonObject *entry, GParamSpec *pspec)
{
  double min, max;

  if (G_IS_PARAM_SPEC_INT (pspec)) {
    min = G_PARAM_SPEC_INT (pspec)->minimum;
    max = G_PARAM_SPEC_INT (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_UINT (pspec)) {
    min = G_PARAM_SPEC_UINT (pspec)->minimum;
    max = G_PARAM_SPEC_UINT (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_INT64 (pspec)) {
    min = (double)G_PARAM_SPEC_INT64 (pspec)->minimum;
    max = (double)G_PARAM_SPEC_INT64 (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_UINT64 (pspec)) {
    min = (double)G_PARAM_SPEC_UINT64 (pspec)->minimum;
    max = (double)G_PARAM_SPEC_UINT64 (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_LONG (pspec)) {
    min = (double)G_PARAM_SPEC_LONG (pspec)->minimum;
    max = (double)G_PARAM_SPEC_LONG (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_ULONG (pspec)) {
    min = (double)G_PARAM_SPEC_ULONG (pspec)->minimum;
    max = (double)G_PARAM_SPEC_ULONG (pspec)->maximum;
  } else if (G_IS_PARAM_SPEC_FLOAT (pspec)) {
    min = va_round_float (G_PARAM_SPEC_FLOAT (pspec)->minimum);
    max = va_round_float (G_PARAM_SPEC_FLOAT (pspec)->maximum);
  } else if (G_IS_PARAM_SPEC_DOUBLE (pspec)) {
    min = va_round_float (G_PARAM_SPEC_DOUBLE (pspec)->minimum);
    max = va_round_float (G_PARAM_SPEC_DOUBLE (pspec)->maximum);
  } else {
    if (G_IS_PARAM_SPEC_ENUM (pspec)) {
      GEnumClass *klass = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      JsonArray *values = json_array_new ();
      for (guint i = 0; i < klass->n_values; i++)
        json_array_add_string_element (values, klass->values[i].value_nick);
      json_object_set_array_member (entry, "enum", values);
    }
    return;
  }

  /* JSON integers are exact only up to 2^53; bounds like G_MAXUINT64 are
   * "no bound" in practice and would not round-trip. */
  if (fabs (min) < 9007199254740992.0) {
    if (g_str_equal (va_json_type_for_pspec (pspec), "integer"))
      json_object_set_int_member (entry, "minimum", (gint64)min);
    else
      json_object_set_double_member (entry, "minimum", min);
  }
  if (fabs (max) < 9007199254740992.0) {
    if (g_str_equal (va_json_type_for_pspec (pspec), "integer"))
      json_object_set_int_member (entry, "maximum", (gint64)max);
    else
      json_object_set_double_member (entry, "maximum", max);
  }
}

static const char *
va_element_override (const VaPipelineElementDesc *element, const char *property)
{
  gsize len = strlen (property);

  for (guint i = 0; element->properties != NULL && element->properties[i] != NULL; i++) {
    const char *p = element->properties[i];
    if (strncmp (p, property, len) == 0 && p[len] == '=')
      return p + len + 1;
  }
  return NULL;
}

static void
va_pipeline_info_add_element_schema (VaPipelineInfo *self, const VaPipelineElementDesc *element,
                                     GstElementFactory *factory)
{
  g_autoptr (GstPluginFeature) loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));
  GType type;
  GObjectClass *klass;
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;

  if (loaded == NULL)
    return;
  type = gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded));
  klass = g_type_class_ref (type);
  pspecs = g_object_class_list_properties (klass, &n_pspecs);

  for (guint i = 0; i < n_pspecs; i++) {
    GParamSpec *pspec = pspecs[i];
    const char *json_type = va_json_type_for_pspec (pspec);
    const char *override = va_element_override (element, pspec->name);
    g_autofree char *key = NULL;
    g_auto (GValue) value = G_VALUE_INIT;
    JsonObject *entry;

    /* Only what the element itself defines: base-class knobs (qos, sync,
     * name) are not annotation options. */
    if (pspec->owner_type != type || json_type == NULL)
      continue;
    if ((pspec->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE
        || (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
      continue;
    if (g_strv_contains (hidden_properties, pspec->name))
      continue;

    key = g_strdelimit (g_strdup (pspec->name), "-", '_');
    if (va_operator_setting (element->factory, pspec->name) != NULL) {
      /* settable by the builder, invisible to jobs */
      g_hash_table_insert (self->operator_options, g_strdup (key),
                           (gpointer)va_operator_setting (element->factory, pspec->name));
      g_hash_table_insert (self->options, g_steal_pointer (&key),
                           g_strdup_printf ("%s\n%s", element->factory, pspec->name));
      continue;
    }
    if (json_object_has_member (self->config_schema, key)) {
      /* Two elements of one chain share a property name: qualify the second. */
      g_free (key);
      key = g_strdelimit (g_strdup_printf ("%s_%s", element->factory, pspec->name), "-", '_');
    }

    g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
    g_param_value_set_default (pspec, &value);
    if (override != NULL && !gst_value_deserialize (&value, override))
      g_warning ("registry default %s=%s of %s does not parse", pspec->name, override,
                 element->factory);

    entry = json_object_new ();
    json_object_set_string_member (entry, "type", json_type);
    json_object_set_member (entry, "default", va_json_from_value (&value));
    json_object_set_string_member (entry, "description", g_param_spec_get_blurb (pspec));
    va_schema_add_range (entry, pspec);
    json_object_set_object_member (self->config_schema, key, entry);
    g_hash_table_insert (self->options, g_strdup (key),
                         g_strdup_printf ("%s\n%s", element->factory, pspec->name));
  }
  g_type_class_unref (klass);
}

/* The files are named where they are written: libvameta's table of
 * outputs (va-annotation-output.c), in its order, the main file first. */
static GStrv
va_pipeline_info_find_output_suffixes (const char *name)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const VaAnnotationOutput *outputs;
  guint n_outputs;

  outputs = va_annotation_output_get_all (&n_outputs);
  for (guint i = 0; i < n_outputs; i++) {
    if (g_str_equal (outputs[i].pipeline, name))
      g_strv_builder_add (builder, outputs[i].suffix);
  }
  return g_strv_builder_end (builder);
}

VaPipelineInfo *
va_pipeline_info_new (const VaPipelineDesc *desc)
{
  VaPipelineInfo *self = g_object_new (VA_TYPE_PIPELINE_INFO, NULL);

  self->desc = desc;
  self->enabled = TRUE;
  self->output_suffixes = va_pipeline_info_find_output_suffixes (desc->name);
  g_ptr_array_add (self->aliases, g_strdup_printf ("%s_%s", desc->family, desc->variant));

  for (guint i = 0; i < VA_PIPELINE_MAX_ELEMENTS && desc->elements[i].factory != NULL; i++) {
    g_autoptr (GstElementFactory) factory = gst_element_factory_find (desc->elements[i].factory);

    if (factory == NULL) {
      if (self->enabled)
        self->unavailable_reason = g_strdup_printf (
            "GStreamer element “%s” is not installed (are the videoannotator plugins in "
            "GST_PLUGIN_PATH?)",
            desc->elements[i].factory);
      if (self->install_hint == NULL)
        self->install_hint = g_strdup_printf (
            "Install the videoannotator GStreamer plugins (they provide “%s”) or set "
            "GST_PLUGIN_PATH to their directory, then restart the server",
            desc->elements[i].factory);
      self->enabled = FALSE;
    }
  }
  return self;
}

/* Reading the schema loads the elements' plugin modules (with OpenCV,
 * PocketSphinx, …), so it waits until someone asks for this pipeline's
 * options: `annotate -p scene_detection` then loads only the plugin it
 * runs. Once per pipeline, whichever thread asks first. */
static void
va_pipeline_info_ensure_schema (VaPipelineInfo *self)
{
  if (!g_once_init_enter (&self->schema_ready))
    return;
  for (guint i = 0; i < VA_PIPELINE_MAX_ELEMENTS && self->desc->elements[i].factory != NULL; i++) {
    g_autoptr (GstElementFactory) factory
        = gst_element_factory_find (self->desc->elements[i].factory);

    if (factory != NULL)
      va_pipeline_info_add_element_schema (self, &self->desc->elements[i], factory);
  }
  g_once_init_leave (&self->schema_ready, 1);
}

void
va_pipeline_info_add_alias (VaPipelineInfo *self, const char *alias)
{
  g_return_if_fail (VA_IS_PIPELINE_INFO (self));

  if (!g_strv_contains ((const char *const *)self->aliases->pdata, alias))
    g_ptr_array_add (self->aliases, g_strdup (alias));
}

int
va_pipeline_info_get_stability_rank (VaPipelineInfo *self)
{
  static const char *const order[] = { "stable", "beta", "experimental", NULL };

  for (int i = 0; order[i] != NULL; i++) {
    if (g_strcmp0 (self->desc->stability, order[i]) == 0)
      return i;
  }
  return G_N_ELEMENTS (order);
}

const char *
va_pipeline_info_get_name (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->name;
}

const char *
va_pipeline_info_get_display_name (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->display_name;
}

const char *
va_pipeline_info_get_description (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->description;
}

const char *
va_pipeline_info_get_family (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->family;
}

const char *
va_pipeline_info_get_variant (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->variant;
}

const char *
va_pipeline_info_get_stability (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->stability;
}

const char *const *
va_pipeline_info_get_aliases (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return (const char *const *)self->aliases->pdata;
}

const char *const *
va_pipeline_info_get_tasks (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->tasks;
}

const char *const *
va_pipeline_info_get_modalities (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->modalities;
}

const char *const *
va_pipeline_info_get_capabilities (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->capabilities;
}

const char *const *
va_pipeline_info_get_backends (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->backends;
}

const char *const *
va_pipeline_info_get_notes (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->notes;
}

const char *
va_pipeline_info_get_output_format (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->output_format;
}

const char *const *
va_pipeline_info_get_output_types (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->desc->output_types;
}

/**
 * va_pipeline_info_get_output_suffix:
 *
 * Returns: (nullable): the suffix of the pipeline's main file
 *   (`<stem><suffix>`), %NULL for a pipeline that writes none
 */
const char *
va_pipeline_info_get_output_suffix (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->output_suffixes[0];
}

/**
 * va_pipeline_info_dup_output_suffixes:
 *
 * Returns: (transfer full): the suffix of every file the pipeline writes
 *   (`<stem><suffix>`), its main file first
 */
GStrv
va_pipeline_info_dup_output_suffixes (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return g_strdupv (self->output_suffixes);
}

VaPipelineBranch
va_pipeline_info_get_branch (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), VA_PIPELINE_BRANCH_VIDEO);
  return self->desc->branch;
}

gboolean
va_pipeline_info_get_enabled (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), FALSE);
  return self->enabled;
}

/**
 * va_pipeline_info_get_unavailable_reason:
 *
 * Returns: (nullable): why the pipeline cannot run here, or %NULL if it can
 */
const char *
va_pipeline_info_get_unavailable_reason (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return self->unavailable_reason;
}

guint
va_pipeline_info_get_n_elements (VaPipelineInfo *self)
{
  guint n = 0;

  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), 0);
  while (n < VA_PIPELINE_MAX_ELEMENTS && self->desc->elements[n].factory != NULL)
    n++;
  return n;
}

const char *
va_pipeline_info_get_element_factory (VaPipelineInfo *self, guint index)
{
  g_return_val_if_fail (index < va_pipeline_info_get_n_elements (self), NULL);
  return self->desc->elements[index].factory;
}

const char *const *
va_pipeline_info_get_element_properties (VaPipelineInfo *self, guint index)
{
  g_return_val_if_fail (index < va_pipeline_info_get_n_elements (self), NULL);
  return self->desc->elements[index].properties;
}

gboolean
va_pipeline_info_get_element_heavy (VaPipelineInfo *self, guint index)
{
  g_return_val_if_fail (index < va_pipeline_info_get_n_elements (self), FALSE);
  return self->desc->elements[index].heavy;
}

/**
 * va_pipeline_info_get_config_schema:
 *
 * The options of this pipeline: one member per settable property of its
 * elements (dashes become underscores), each `{type, default, description}`
 * plus `minimum`/`maximum` for numbers and `enum` for enumerations. Empty
 * when the elements are not installed.
 *
 * Returns: (transfer none): the schema object
 */
JsonObject *
va_pipeline_info_get_config_schema (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  va_pipeline_info_ensure_schema (self);
  return self->config_schema;
}

/**
 * va_pipeline_info_lookup_option:
 * @key: a member name of the config schema, e.g. "min_scene_length"
 * @factory: (out) (optional): the element factory it belongs to
 * @property: (out) (optional): the GObject property name
 *
 * Returns: %TRUE if @key is an option of this pipeline
 */
gboolean
va_pipeline_info_lookup_option (VaPipelineInfo *self, const char *key, const char **factory,
                                const char **property)
{
  const char *target;

  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), FALSE);
  va_pipeline_info_ensure_schema (self);
  target = g_hash_table_lookup (self->options, key);
  if (target == NULL)
    return FALSE;
  if (factory != NULL)
    *factory = va_pipeline_info_get_element_factory (self, 0);
  for (guint i = 0; i < va_pipeline_info_get_n_elements (self); i++) {
    const char *f = self->desc->elements[i].factory;
    gsize len = strlen (f);
    if (strncmp (target, f, len) == 0 && target[len] == '\n') {
      if (factory != NULL)
        *factory = f;
      if (property != NULL)
        *property = target + len + 1;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * va_pipeline_info_find_option:
 * @factory: an element factory of the chain, e.g. "vadiarize"
 * @property: one of its properties, e.g. "max-speakers"
 *
 * Returns: (nullable): the option name under which the builder sets that
 *   property in this pipeline, or %NULL if it has none
 */
const char *
va_pipeline_info_find_option (VaPipelineInfo *self, const char *factory, const char *property)
{
  g_autofree char *target = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  va_pipeline_info_ensure_schema (self);
  target = g_strdup_printf ("%s\n%s", factory, property);
  g_hash_table_iter_init (&iter, self->options);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    if (g_str_equal (value, target))
      return key;
  }
  return NULL;
}

/**
 * va_pipeline_info_get_operator_setting:
 * @key: an option name, e.g. "hmm"
 *
 * Options that name files on the server (model paths) are not in the
 * `config_schema`: the builder accepts them, jobs cannot set them, and the
 * server takes them from a setting.
 *
 * Returns: (nullable): the name of the setting that provides @key, or
 *   %NULL if @key is not such an option of this pipeline
 */
const char *
va_pipeline_info_get_operator_setting (VaPipelineInfo *self, const char *key)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  va_pipeline_info_ensure_schema (self);
  return g_hash_table_lookup (self->operator_options, key);
}

/**
 * va_pipeline_info_list_operator_options:
 *
 * Returns: (transfer container): the option names that
 *   va_pipeline_info_get_operator_setting() knows, sorted
 */
GPtrArray *
va_pipeline_info_list_operator_options (VaPipelineInfo *self)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  va_pipeline_info_ensure_schema (self);
  g_hash_table_iter_init (&iter, self->operator_options);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, (GCompareFunc)va_compare_strings);
  return keys;
}

static JsonNode *
va_json_strv (const char *const *strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

/**
 * va_pipeline_info_set_models_dir:
 *
 * Where the elements look for the neural models: the serialization then
 * says, for a pipeline with one, which model and backend a run would use.
 */
void
va_pipeline_info_set_models_dir (VaPipelineInfo *self, const char *models_dir)
{
  g_return_if_fail (VA_IS_PIPELINE_INFO (self));
  g_free (self->models_dir);
  self->models_dir = g_strdup (models_dir);
}

/* "model": the catalog entry, whether it is installed, and the backend a
 * run uses now (the model's, or the fallback the element warns about). */
static void
va_pipeline_info_serialize_model (VaPipelineInfo *self, VaCodec *codec)
{
  const VaPipelineDesc *d = self->desc;
  g_autoptr (VaModelCatalog) catalog = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *source = NULL;
  const VaModelEntry *e;
  gboolean installed;

  if (d->model == NULL || self->models_dir == NULL)
    return;
  catalog = va_model_catalog_new_default ();
  e = va_model_catalog_lookup (catalog, d->model);
  if (e == NULL)
    return;
  installed = va_model_entry_is_installed (e, self->models_dir, NULL);
  source = g_strdup_printf ("npm:%s@%s", e->package, e->version);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, e->name);
  json_builder_set_member_name (b, "installed");
  json_builder_add_boolean_value (b, installed);
  json_builder_set_member_name (b, "license");
  json_builder_add_string_value (b, e->license);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "backend");
  json_builder_add_string_value (b, installed ? e->name : d->fallback_backend);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  va_codec_add_json (codec, "model", node);
}

/* The contract's PipelineInfo object (name, display_name, description,
 * enabled, pipeline_family, variant, tasks, modalities, capabilities,
 * backends, stability, outputs, config_schema, examples) plus aliases,
 * branch, elements, output_files and notes. */
static void
va_pipeline_info_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaPipelineInfo *self = VA_PIPELINE_INFO (serializable);
  const VaPipelineDesc *d = self->desc;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) outputs = NULL;
  g_autoptr (JsonNode) schema = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonNode) examples = NULL;
  g_autoptr (JsonNode) elements = NULL;
  g_autoptr (JsonNode) files = NULL;
  g_autoptr (GPtrArray) factories = g_ptr_array_new_null_terminated (4, NULL, TRUE);
  g_autofree char *example = g_strdup_printf ("videoannotator annotate VIDEO -p %s", d->name);
  g_autoptr (GPtrArray) file_patterns = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  g_auto (GStrv) suffixes = va_pipeline_info_dup_output_suffixes (self);
  g_autoptr (JsonNode) node = NULL;

  for (guint i = 0; suffixes[i] != NULL; i++)
    g_ptr_array_add (file_patterns, g_strconcat ("<stem>", suffixes[i], NULL));

  va_codec_add_string (codec, "name", d->name);
  va_codec_add_string (codec, "display_name", d->display_name);
  va_codec_add_string (codec, "description", d->description);
  va_codec_add_boolean (codec, "enabled", self->enabled);
  if (self->unavailable_reason != NULL)
    va_codec_add_string (codec, "unavailable_reason", self->unavailable_reason);
  /* 1.5 names: whether a job may select it, and what would make it so */
  va_codec_add_boolean (codec, "available", self->enabled);
  va_codec_add_string (codec, "readiness", self->enabled ? "ready" : "unavailable");
  va_codec_add_string (codec, "install_hint", self->install_hint);
  va_codec_add_string (codec, "pipeline_family", d->family);
  va_codec_add_string (codec, "variant", d->variant);
  node = va_json_strv (d->tasks);
  va_codec_add_json (codec, "tasks", node);
  g_clear_pointer (&node, json_node_unref);
  node = va_json_strv (d->modalities);
  va_codec_add_json (codec, "modalities", node);
  g_clear_pointer (&node, json_node_unref);
  node = va_json_strv (d->capabilities);
  va_codec_add_json (codec, "capabilities", node);
  g_clear_pointer (&node, json_node_unref);
  node = va_json_strv (d->backends);
  va_codec_add_json (codec, "backends", node);
  g_clear_pointer (&node, json_node_unref);
  va_codec_add_string (codec, "stability", d->stability);
  va_pipeline_info_serialize_model (self, codec);

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, d->output_format);
  json_builder_set_member_name (builder, "types");
  json_builder_add_value (builder, va_json_strv (d->output_types));
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  outputs = json_builder_get_root (builder);
  va_codec_add_json (codec, "outputs", outputs);

  json_node_set_object (schema, va_pipeline_info_get_config_schema (self));
  va_codec_add_json (codec, "config_schema", schema);

  json_builder_reset (builder);
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cli");
  json_builder_add_string_value (builder, example);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, d->description);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  examples = json_builder_get_root (builder);
  va_codec_add_json (codec, "examples", examples);

  node = va_json_strv (va_pipeline_info_get_aliases (self));
  va_codec_add_json (codec, "aliases", node);
  g_clear_pointer (&node, json_node_unref);
  va_codec_add_string (codec, "branch", d->branch == VA_PIPELINE_BRANCH_AUDIO ? "audio" : "video");
  for (guint i = 0; i < va_pipeline_info_get_n_elements (self); i++)
    g_ptr_array_add (factories, (gpointer)d->elements[i].factory);
  elements = va_json_strv ((const char *const *)factories->pdata);
  va_codec_add_json (codec, "elements", elements);
  files = va_json_strv ((const char *const *)file_patterns->pdata);
  va_codec_add_json (codec, "output_files", files);
  node = va_json_strv (d->notes);
  va_codec_add_json (codec, "notes", node);
}

static void
va_pipeline_info_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_pipeline_info_serialize;
}

/**
 * va_pipeline_info_to_json:
 *
 * The pipeline as the REST API serves it (see va_pipeline_info_serialize()).
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
va_pipeline_info_to_json (VaPipelineInfo *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_INFO (self), NULL);
  return va_codec_to_json (VA_SERIALIZABLE (self));
}
