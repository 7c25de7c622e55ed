/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>

#include "va-diagnosis-private.h"
#include "va-pipeline-registry.h"

/* The pipelines the server offers: their GStreamer elements are installed,
 * and the model files the operator's settings (or the elements' own
 * defaults) name exist and load. Models are loaded the way a job loads
 * them, by taking the element to PAUSED, so a file that exists but does
 * not parse is found too. */

/* the decoder every job starts with, whatever its pipelines */
#define VA_DIAGNOSIS_DECODER "decodebin"

/* An element that names model files, once, whichever pipelines use it. */
typedef struct {
  GstElement *element;
  char *factory;
  GPtrArray *settings; /* setting names whose files it reads */
  gboolean missing;    /* a file is missing: loading would only say so again */
} VaModelUser;

static void
va_model_user_free (VaModelUser *user)
{
  gst_clear_object (&user->element);
  g_free (user->factory);
  g_ptr_array_unref (user->settings);
  g_free (user);
}

/* @users keeps the order of first use, so the output is stable. */
static VaModelUser *
va_diagnosis_model_user (GPtrArray *users, const char *factory)
{
  VaModelUser *user;

  for (guint i = 0; i < users->len; i++) {
    user = g_ptr_array_index (users, i);
    if (g_str_equal (user->factory, factory))
      return user;
  }
  user = g_new0 (VaModelUser, 1);
  user->factory = g_strdup (factory);
  user->element = gst_element_factory_make (factory, NULL);
  if (user->element != NULL)
    gst_object_ref_sink (user->element);
  user->settings = g_ptr_array_new ();
  g_ptr_array_add (users, user);
  return user;
}

/* The path the element will open: the setting when set, else its default. */
static void
va_diagnosis_check_model_path (VaSettings *settings, VaModelUser *user, const char *property,
                               const char *setting, GPtrArray *findings)
{
  g_autofree char *path = NULL;
  const char *configured = va_settings_get_string (settings, setting);

  if (configured != NULL && *configured != '\0')
    g_object_set (user->element, property, configured, NULL);
  g_object_get (user->element, property, &path, NULL);
  /* The neural models are optional: with model=auto the detectors fall back
   * to the classic ones (and say so in each job), so a missing models
   * directory is not a broken installation. */
  if (g_str_equal (setting, "models-dir")
      && (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "models", "NEURAL_MODELS_ABSENT",
                      _ ("Run 'videoannotator models install' for the neural detectors"),
                      _ ("No neural models in %s: %s uses its classic fallback"),
                      path != NULL ? path : "(none)", user->factory);
    return;
  }
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_autofree char *hint = g_strdup_printf (
        _ ("Install the package that provides it, or set %s to an existing path"), setting);
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "models", "MODEL_MISSING", hint,
                      _ ("%s (%s of %s) does not exist: jobs that need it fail"),
                      path != NULL ? path : "(none)", setting, user->factory);
    user->missing = TRUE;
    return;
  }
  va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "models", "MODEL_FILE", NULL, _ ("%s: %s"), setting,
                    path);
}

/* PAUSED runs the element's start, which loads its models. */
static void
va_diagnosis_load_models (VaModelUser *user, GPtrArray *findings)
{
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstMessage) message = NULL;
  GstStateChangeReturn ret;

  gst_element_set_bus (user->element, bus);
  ret = gst_element_set_state (user->element, GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_ASYNC)
    ret = gst_element_get_state (user->element, NULL, NULL, 30 * GST_SECOND);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gst_element_set_state (user->element, GST_STATE_NULL);
  gst_element_set_bus (user->element, NULL);

  if (ret != GST_STATE_CHANGE_FAILURE && message == NULL) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "models", "MODEL_LOADS", NULL,
                      _ ("%s loads its models"), user->factory);
    return;
  }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *debug = NULL;

    if (message != NULL)
      gst_message_parse_error (message, &error, &debug);
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "models", "MODEL_LOAD_FAILED",
                      _ ("Check the model settings (videoannotator config show)"),
                      _ ("%s cannot load its models: %s"), user->factory,
                      error != NULL ? error->message : _ ("it failed to start"));
  }
}

void
va_diagnosis_check_pipelines (VaSettings *settings, GPtrArray *findings)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaPipelineRegistry) registry = NULL;
  g_autoptr (GPtrArray) pipelines = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GstElementFactory) decoder = NULL;
  guint n_enabled = 0;

  if (!gst_init_check (NULL, NULL, &error)) {
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "pipelines", "GSTREAMER", NULL,
                      _ ("GStreamer cannot start: %s"), error->message);
    return;
  }
  decoder = gst_element_factory_find (VA_DIAGNOSIS_DECODER);
  if (decoder == NULL)
    va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "pipelines", "ELEMENT_MISSING",
                      _ ("Install gstreamer1.0-plugins-base"),
                      _ ("GStreamer's %s is not installed: no job can decode its input"),
                      VA_DIAGNOSIS_DECODER);

  registry = va_pipeline_registry_new ();
  pipelines = va_pipeline_registry_list (registry);
  users = g_ptr_array_new_with_free_func ((GDestroyNotify)va_model_user_free);
  for (guint i = 0; i < pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (pipelines, i);
    g_autoptr (GPtrArray) keys = NULL;

    if (!va_pipeline_info_get_enabled (info)) {
      va_diagnosis_add (findings, VA_DIAGNOSIS_ERROR, "pipelines", "PIPELINE_UNAVAILABLE",
                        _ ("Install the videoannotator GStreamer plugins, or set "
                           "GST_PLUGIN_PATH to their directory"),
                        _ ("Pipeline %s is unavailable: %s"), va_pipeline_info_get_name (info),
                        va_pipeline_info_get_unavailable_reason (info));
      continue;
    }
    n_enabled++;
    keys = va_pipeline_info_list_operator_options (info);
    for (guint k = 0; k < keys->len; k++) {
      const char *key = g_ptr_array_index (keys, k);
      const char *setting = va_pipeline_info_get_operator_setting (info, key);
      const char *factory = NULL, *property = NULL;
      VaModelUser *user;

      if (!va_pipeline_info_lookup_option (info, key, &factory, &property))
        continue;
      user = va_diagnosis_model_user (users, factory);
      if (user->element == NULL
          || g_ptr_array_find_with_equal_func (user->settings, setting, g_str_equal, NULL))
        continue;
      g_ptr_array_add (user->settings, (gpointer)setting);
      va_diagnosis_check_model_path (settings, user, property, setting, findings);
    }
  }
  if (n_enabled > 0)
    va_diagnosis_add (findings, VA_DIAGNOSIS_OK, "pipelines", "PIPELINES", NULL,
                      _ ("%u of %u pipelines available"), n_enabled, pipelines->len);

  for (guint i = 0; i < users->len; i++) {
    VaModelUser *user = g_ptr_array_index (users, i);
    if (user->element != NULL && !user->missing)
      va_diagnosis_load_models (user, findings);
  }
}
