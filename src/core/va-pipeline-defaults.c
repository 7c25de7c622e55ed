/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-pipeline-defaults.h"

/* Settings that are defaults of element properties, wherever the element
 * is in a selected pipeline (speaker_diarization and audio_processing both
 * run vadiarize). face- and person-confidence-threshold have no property
 * to feed: the cascade and HOG detectors give no calibrated confidence. */
static const struct {
  const char *setting;
  const char *factory;
  const char *property;
} va_pipeline_defaults[] = {
  { "scene-threshold", "vascenedetect", "threshold" },
  { "scene-min-length", "vascenedetect", "min-scene-length" },
  { "motion-interval", "vamotion", "interval" },
  { "motion-grid-size", "vamotion", "grid-cols" },
  { "motion-grid-size", "vamotion", "grid-rows" },
  { "face-interval", "vafacedetect", "interval" },
  { "face-min-size", "vafacedetect", "min-size" },
  { "person-interval", "vapersondetect", "interval" },
  { "diarization-max-speakers", "vadiarize", "max-speakers" },
};

static char *
va_pipeline_defaults_to_text (GVariant *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_strdup (g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_strdup_printf ("%u", g_variant_get_uint32 (value));
  /* model paths: empty means the element's default, the models Debian installs */
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) && *g_variant_get_string (value, NULL))
    return g_strdup (g_variant_get_string (value, NULL));
  return NULL;
}

static void
va_pipeline_defaults_set (VaPipelineBuilder *builder, VaPipelineInfo *info, const char *key,
                          VaSettings *settings, const char *setting)
{
  GVariant *value = va_settings_get_value (settings, setting);
  g_autofree char *text = value != NULL ? va_pipeline_defaults_to_text (value) : NULL;
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return;
  if (!va_pipeline_builder_set_option (builder, va_pipeline_info_get_name (info), key, text,
                                       &error))
    g_warning ("Setting %s does not fit pipeline %s: %s", setting, va_pipeline_info_get_name (info),
               error->message);
}

/**
 * va_pipeline_defaults_apply:
 * @builder: with its pipelines added, before any per-job option
 * @settings: (nullable): loaded settings; %NULL leaves the elements' own
 *   defaults
 *
 * Sets the options that settings provide: the per-pipeline defaults
 * (`scene-threshold`, `face-interval`, …) and the model paths that only
 * the operator chooses (`speech-acoustic-model`, …, see
 * va_pipeline_info_get_operator_setting()). Options set afterwards (a
 * job's configuration, `annotate --set`) override them.
 */
void
va_pipeline_defaults_apply (VaPipelineBuilder *builder, VaSettings *settings)
{
  GPtrArray *pipelines;

  g_return_if_fail (VA_IS_PIPELINE_BUILDER (builder));
  if (settings == NULL)
    return;

  pipelines = va_pipeline_builder_get_pipelines (builder);
  for (guint i = 0; i < pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (pipelines, i);
    g_autoptr (GPtrArray) operator_keys = va_pipeline_info_list_operator_options (info);

    for (guint j = 0; j < G_N_ELEMENTS (va_pipeline_defaults); j++) {
      const char *key = va_pipeline_info_find_option (info, va_pipeline_defaults[j].factory,
                                                      va_pipeline_defaults[j].property);
      if (key != NULL)
        va_pipeline_defaults_set (builder, info, key, settings, va_pipeline_defaults[j].setting);
    }
    for (guint j = 0; j < operator_keys->len; j++) {
      const char *key = g_ptr_array_index (operator_keys, j);
      va_pipeline_defaults_set (builder, info, key, settings,
                                va_pipeline_info_get_operator_setting (info, key));
    }
  }
}
