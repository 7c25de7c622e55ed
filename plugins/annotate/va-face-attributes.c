/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-face-attributes.h"

#include "va-annotation-model.h"

/* In the models directory, as data/models/models.json names them. */
#define EMOTION_FILE "emotion/emotion_64x64.onnx"
#define AGE_GENDER_FILE "age-gender/age_gender_224x224.onnx"

G_STATIC_ASSERT (VA_N_EMOTIONS == VA_FACE_N_EMOTIONS);

GType
va_face_attribute_flags_get_type (void)
{
  static GType type = 0;
  static const GFlagsValue values[] = {
    { VA_FACE_ATTRIBUTE_EMOTION, "Emotion (videoannotator models install emotion)", "emotion" },
    { VA_FACE_ATTRIBUTE_AGE, "Age (videoannotator models install age-gender)", "age" },
    { VA_FACE_ATTRIBUTE_GENDER, "Gender (videoannotator models install age-gender)", "gender" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_flags_register_static ("VaFaceAttributeFlags", values));
  return type;
}

/* The path of @file when it is installed; otherwise a warning (the
 * attributes are optional, the faces are still found) and NULL. */
static char *
installed (GstElement *element, const char *models_dir, const char *file, const char *name)
{
  g_autofree char *path = g_build_filename (models_dir, file, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  GST_ELEMENT_WARNING (element, RESOURCE, NOT_FOUND,
                       ("The face attribute model “%s” is not installed; faces get no %s", name,
                        g_str_equal (name, "emotion") ? "emotion" : "age or gender"),
                       ("No %s: run “videoannotator models install %s”", path, name));
  return NULL;
}

/**
 * va_face_attributes_open:
 * @models: (out) (transfer full) (nullable): the loaded models; %NULL when
 *   none is wanted or installed
 *
 * Loads the models @wanted needs. A model that is not installed is a
 * warning; one that is installed but unreadable is an error
 * (GST_RESOURCE_ERROR_OPEN_READ).
 */
gboolean
va_face_attributes_open (GstElement *element, const char *models_dir, VaFaceAttributeFlags wanted,
                         VaFaceAttributesCv **models, GError **error)
{
  g_autofree char *emotion = NULL;
  g_autofree char *age_gender = NULL;
  g_autofree char *message = NULL;

  *models = NULL;
  if (wanted & VA_FACE_ATTRIBUTE_EMOTION)
    emotion = installed (element, models_dir, EMOTION_FILE, "emotion");
  if (wanted & (VA_FACE_ATTRIBUTE_AGE | VA_FACE_ATTRIBUTE_GENDER))
    age_gender = installed (element, models_dir, AGE_GENDER_FILE, "age-gender");
  if (emotion == NULL && age_gender == NULL)
    return TRUE;
  *models = va_face_attributes_cv_new (emotion, age_gender, &message);
  if (*models == NULL) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, message);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_face_attributes_describe:
 *
 * Estimates the @wanted attributes of the face in @box and adds them to
 * @detection: `emotion` (string, the likeliest of angry, disgust, fear,
 * happy, sad, surprise, neutral), `emotion-confidence` (double, its
 * probability), `emotion-scores` (GstValueArray of 7 doubles in that
 * order), `age` (double, years), `gender` ("Man" or "Woman") and
 * `gender-confidence` (double, its probability, ≥ 0.5).
 */
gboolean
va_face_attributes_describe (VaFaceAttributesCv *models, VaFaceAttributeFlags wanted,
                             const VaLumaImage *frame, const VaTrackBox *box,
                             GstStructure *detection, GError **error)
{
  VaFaceAttributesResult r;
  g_autofree char *message = NULL;

  if (!va_face_attributes_cv_estimate (models, frame, box, &r, &message)) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, message);
    return FALSE;
  }
  if ((wanted & VA_FACE_ATTRIBUTE_EMOTION) && va_face_attributes_cv_has_emotion (models)) {
    GValue scores = G_VALUE_INIT, v = G_VALUE_INIT;
    guint best = 0;

    gst_value_array_init (&scores, VA_N_EMOTIONS);
    g_value_init (&v, G_TYPE_DOUBLE);
    for (guint i = 0; i < VA_N_EMOTIONS; i++) {
      g_value_set_double (&v, r.emotion_scores[i]);
      gst_value_array_append_value (&scores, &v);
      if (r.emotion_scores[i] > r.emotion_scores[best])
        best = i;
    }
    gst_structure_take_value (detection, "emotion-scores", &scores);
    gst_structure_set (detection, "emotion", G_TYPE_STRING, va_face_emotion_names[best],
                       "emotion-confidence", G_TYPE_DOUBLE, r.emotion_scores[best], NULL);
  }
  if (!va_face_attributes_cv_has_age_gender (models))
    return TRUE;
  if (wanted & VA_FACE_ATTRIBUTE_AGE)
    gst_structure_set (detection, "age", G_TYPE_DOUBLE, r.age, NULL);
  if (wanted & VA_FACE_ATTRIBUTE_GENDER)
    gst_structure_set (detection, "gender", G_TYPE_STRING, r.male >= 0.5 ? "Man" : "Woman",
                       "gender-confidence", G_TYPE_DOUBLE, MAX (r.male, 1.0 - r.male), NULL);
  return TRUE;
}
