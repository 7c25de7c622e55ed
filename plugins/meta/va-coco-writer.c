/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-coco-writer.h"

#include <math.h>

#include "va-output-file.h"

/* A COCO document is assembled from three independently built arrays, so a
 * writer can add images while it walks its annotations. */
typedef struct {
  JsonBuilder *images;
  JsonBuilder *annotations;
  JsonBuilder *categories;
  GHashTable *image_ids;
  guint n_annotations;
} VaCocoDocument;

static void
va_coco_document_init (VaCocoDocument *doc)
{
  doc->images = json_builder_new ();
  doc->annotations = json_builder_new ();
  doc->categories = json_builder_new ();
  doc->image_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  doc->n_annotations = 0;
  json_builder_begin_array (doc->images);
  json_builder_begin_array (doc->annotations);
  json_builder_begin_array (doc->categories);
}

static void
va_coco_document_clear (VaCocoDocument *doc)
{
  g_clear_object (&doc->images);
  g_clear_object (&doc->annotations);
  g_clear_object (&doc->categories);
  g_clear_pointer (&doc->image_ids, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCocoDocument, va_coco_document_clear)

/* Seconds with microsecond resolution, so "1.04" stays "1.04" in the file. */
static gdouble
seconds (GstClockTime t)
{
  return round ((gdouble)t / (GST_SECOND / G_USEC_PER_SEC)) / G_USEC_PER_SEC;
}

static void
add_member_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_member_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_member_double (JsonBuilder *b, const char *name, gdouble value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

/* One image entry per distinct frame; contract §5.2 "image". */
static void
va_coco_document_add_image (VaCocoDocument *doc, VaAnnotationModel *model, const char *image_id,
                            guint64 frame, GstClockTime time)
{
  g_autofree char *file_name = NULL;

  if (!g_hash_table_add (doc->image_ids, g_strdup (image_id)))
    return;

  file_name = g_strdup_printf ("frame_%06" G_GUINT64_FORMAT ".jpg", frame);
  json_builder_begin_object (doc->images);
  add_member_string (doc->images, "id", image_id);
  add_member_int (doc->images, "width", va_annotation_model_get_width (model));
  add_member_int (doc->images, "height", va_annotation_model_get_height (model));
  add_member_string (doc->images, "file_name", file_name);
  add_member_string (doc->images, "video_id", va_annotation_model_get_stem (model));
  add_member_int (doc->images, "frame_number", frame);
  add_member_double (doc->images, "timestamp", seconds (time));
  json_builder_end_object (doc->images);
}

/* Opens an annotation object with the COCO base fields; the caller adds its
 * own fields and closes it. */
static JsonBuilder *
va_coco_document_begin_annotation (VaCocoDocument *doc, const char *image_id, gint category_id,
                                   gdouble x, gdouble y, gdouble w, gdouble h)
{
  JsonBuilder *b = doc->annotations;

  json_builder_begin_object (b);
  add_member_int (b, "id", ++doc->n_annotations);
  add_member_string (b, "image_id", image_id);
  add_member_int (b, "category_id", category_id);
  json_builder_set_member_name (b, "bbox");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, x);
  json_builder_add_double_value (b, y);
  json_builder_add_double_value (b, w);
  json_builder_add_double_value (b, h);
  json_builder_end_array (b);
  add_member_double (b, "area", w * h);
  add_member_int (b, "iscrowd", 0);
  return b;
}

static void
va_coco_document_add_category (VaCocoDocument *doc, gint id, const char *name,
                               const char *supercategory, const char *description)
{
  json_builder_begin_object (doc->categories);
  add_member_int (doc->categories, "id", id);
  add_member_string (doc->categories, "name", name);
  add_member_string (doc->categories, "supercategory", supercategory);
  if (description != NULL)
    add_member_string (doc->categories, "description", description);
  json_builder_end_object (doc->categories);
}

static JsonNode *
take_array (JsonBuilder *b)
{
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/* The top level every VideoAnnotator COCO file has (contract §5.2). */
static JsonNode *
va_coco_document_finish (VaCocoDocument *doc, GDateTime *created)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *date = g_date_time_format (created, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "info");
  json_builder_begin_object (b);
  add_member_string (b, "description", "VideoAnnotator COCO Export");
  add_member_string (b, "version", VA_VERSION);
  add_member_int (b, "year", g_date_time_get_year (created));
  add_member_string (b, "contributor", "VideoAnnotator");
  add_member_string (b, "date_created", date);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "licenses");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  /* annotations before images: clients of the 1.4 service tell a file's
   * kind from its first few kilobytes ("face_id" in the first 8000 bytes
   * for faces, "keypoints" and "bbox" for persons), and a long video has
   * hundreds of image entries */
  json_builder_set_member_name (b, "annotations");
  json_builder_add_value (b, take_array (doc->annotations));
  json_builder_set_member_name (b, "images");
  json_builder_add_value (b, take_array (doc->images));
  json_builder_set_member_name (b, "categories");
  json_builder_add_value (b, take_array (doc->categories));
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/**
 * va_coco_writer_build_scenes:
 * @model: the annotation model
 * @created: (nullable): creation time for `info.date_created`; now (UTC) when
 *   %NULL
 * @n_annotations: (out) (optional): number of scene annotations
 *
 * Builds the `<stem>_scene_detection.json` document: one annotation per scene
 * (category 1 "scene", supercategory "video_segment"), its image being the
 * scene's middle frame, bbox the full frame, score 1.0 (no scene classifier),
 * scene_type "unknown", all_scores {}. frame_end is exclusive and equals the
 * next scene's frame_start; end_time equals the next scene's start_time.
 *
 * Returns: (transfer full): the document root.
 */
JsonNode *
va_coco_writer_build_scenes (VaAnnotationModel *model, GDateTime *created, guint *n_annotations)
{
  g_auto (VaCocoDocument) doc = { 0 };
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GArray) scenes = NULL;
  const char *stem;
  gdouble width, height;
  guint i;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), NULL);

  if (created == NULL)
    created = now = g_date_time_new_now_utc ();

  va_coco_document_init (&doc);
  stem = va_annotation_model_get_stem (model);
  width = va_annotation_model_get_width (model);
  height = va_annotation_model_get_height (model);
  scenes = va_annotation_model_dup_scenes (model);

  for (i = 0; i < scenes->len; i++) {
    const VaScene *scene = &g_array_index (scenes, VaScene, i);
    guint64 mid_frame = scene->frame_start + (scene->frame_end - scene->frame_start) / 2;
    GstClockTime mid_time = scene->start + (scene->end - scene->start) / 2;
    g_autofree char *image_id = g_strdup_printf ("%s_frame_%06" G_GUINT64_FORMAT, stem, mid_frame);
    JsonBuilder *b;

    va_coco_document_add_image (&doc, model, image_id, mid_frame, mid_time);

    b = va_coco_document_begin_annotation (&doc, image_id, VA_COCO_CATEGORY_SCENE, 0, 0, width,
                                           height);
    add_member_double (b, "score", 1.0);
    add_member_string (b, "video_id", stem);
    add_member_double (b, "timestamp", seconds (mid_time));
    add_member_double (b, "start_time", seconds (scene->start));
    add_member_double (b, "end_time", seconds (scene->end));
    add_member_double (b, "duration", seconds (scene->end - scene->start));
    add_member_string (b, "scene_type", "unknown");
    add_member_int (b, "frame_start", scene->frame_start);
    add_member_int (b, "frame_end", scene->frame_end);
    json_builder_set_member_name (b, "all_scores");
    json_builder_begin_object (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
  }

  va_coco_document_add_category (&doc, VA_COCO_CATEGORY_SCENE, "scene", "video_segment",
                                 "Video scene segment with temporal bounds");

  if (n_annotations != NULL)
    *n_annotations = doc.n_annotations;
  return va_coco_document_finish (&doc, created);
}

/**
 * va_coco_writer_write_scenes:
 * @path: file to write (replaced atomically)
 * @n_annotations: (out) (optional): number of scenes written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_coco_writer_write_scenes (VaAnnotationModel *model, const char *path, guint *n_annotations,
                             GError **error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = va_coco_writer_build_scenes (model, NULL, n_annotations);
  return va_output_file_write_json_with_provenance (root, model, path, error);
}

/* The 17 COCO keypoints and the 19-edge skeleton (1-based), as the
 * reference's person category lists them (contract §5.2). */
static const char *const keypoint_names[] = {
  "nose",           "left_eye",   "right_eye",   "left_ear",   "right_ear",   "left_shoulder",
  "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
  "right_hip",      "left_knee",  "right_knee",  "left_ankle", "right_ankle",
};

static const int skeleton[][2] = {
  { 16, 14 }, { 14, 12 }, { 17, 15 }, { 15, 13 }, { 12, 13 }, { 6, 12 }, { 7, 13 },
  { 6, 7 },   { 6, 8 },   { 7, 9 },   { 8, 10 },  { 9, 11 },  { 2, 3 },  { 1, 2 },
  { 1, 3 },   { 2, 4 },   { 3, 5 },   { 4, 6 },   { 5, 7 },
};

/* Image ids of detections are not zero-padded (contract §5.2, person). */
static char *
detection_image_id (VaAnnotationModel *model, const VaDetection *d)
{
  return g_strdup_printf ("%s_frame_%" G_GUINT64_FORMAT, va_annotation_model_get_stem (model),
                          d->frame);
}

static double
round4 (double value)
{
  return round (value * 1e4) / 1e4;
}

/* The reference's names: {"angry": p, ...} and {"Woman": p, "Man": p}. */
static void
add_scores (JsonBuilder *b, const char *member, const char *const *names, const double *scores,
            guint n)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    add_member_double (b, names[i], round4 (scores[i]));
  json_builder_end_object (b);
}

static void
add_face_attributes (JsonBuilder *b, const VaFaceAttributes *a)
{
  static const char *const genders[] = { "Woman", "Man" };

  if (a == NULL)
    return;
  if (a->has_emotion) {
    double scores[VA_FACE_N_EMOTIONS];
    guint best = 0;

    for (guint i = 0; i < VA_FACE_N_EMOTIONS; i++) {
      scores[i] = a->emotion_scores[i];
      if (scores[i] > scores[best])
        best = i;
    }
    add_member_string (b, "emotion", va_face_emotion_names[best]);
    add_member_double (b, "emotion_confidence", round4 (scores[best]));
    add_scores (b, "emotion_scores", va_face_emotion_names, scores, VA_FACE_N_EMOTIONS);
  }
  if (a->has_age)
    add_member_double (b, "age", round (a->age * 10.0) / 10.0);
  if (a->has_gender) {
    double scores[2] = { 1.0 - a->man, a->man };
    guint best = a->man >= 0.5;

    add_member_string (b, "gender", genders[best]);
    add_member_double (b, "gender_confidence", round4 (scores[best]));
    add_scores (b, "gender_scores", genders, scores, 2);
  }
}

/**
 * va_coco_writer_build_faces:
 * @model: the annotation model
 * @created: (nullable): creation time for `info.date_created`; now (UTC) when
 *   %NULL
 * @n_annotations: (out) (optional): number of face annotations
 *
 * Builds `<stem>_face_detections.json`: one annotation per face per frame
 * (category 100 "face", supercategory "person") with `score` (the detector's
 * confidence), `face_id` (its track id), `timestamp`, `frame_number` and
 * `backend`; on the faces whose attributes vafacedetect estimated, the
 * reference's `emotion` (the likeliest of angry, disgust, fear, happy, sad,
 * surprise, neutral), `emotion_confidence` (its probability),
 * `emotion_scores` (all seven), `age` (years), `gender` ("Man" or "Woman"),
 * `gender_confidence` and `gender_scores`. Faces without an estimate have
 * none of these fields (never a made-up value).
 *
 * Returns: (transfer full): the document root.
 */
JsonNode *
va_coco_writer_build_faces (VaAnnotationModel *model, GDateTime *created, guint *n_annotations)
{
  g_auto (VaCocoDocument) doc = { 0 };
  g_autoptr (GDateTime) now = NULL;
  guint n;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), NULL);

  if (created == NULL)
    created = now = g_date_time_new_now_utc ();

  va_coco_document_init (&doc);
  n = va_annotation_model_get_n_detections (model, VA_DETECTION_FACE);
  for (guint i = 0; i < n; i++) {
    const VaDetection *d = va_annotation_model_get_detection (model, VA_DETECTION_FACE, i);
    g_autofree char *image_id = detection_image_id (model, d);
    JsonBuilder *b;

    va_coco_document_add_image (&doc, model, image_id, d->frame, d->time);
    b = va_coco_document_begin_annotation (&doc, image_id, VA_COCO_CATEGORY_FACE, d->x, d->y,
                                           d->width, d->height);
    add_member_double (b, "score", d->confidence);
    add_member_int (b, "face_id", d->track_id);
    add_member_double (b, "timestamp", seconds (d->time));
    add_member_int (b, "frame_number", d->frame);
    add_member_string (b, "backend", d->backend != NULL ? d->backend : "unknown");
    add_face_attributes (b, va_annotation_model_get_face_attributes (model, i));
    json_builder_end_object (b);
  }
  va_coco_document_add_category (&doc, VA_COCO_CATEGORY_FACE, "face", "person", NULL);

  if (n_annotations != NULL)
    *n_annotations = doc.n_annotations;
  return va_coco_document_finish (&doc, created);
}

/**
 * va_coco_writer_write_faces:
 * @path: file to write (replaced atomically)
 * @n_annotations: (out) (optional): number of faces written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_coco_writer_write_faces (VaAnnotationModel *model, const char *path, guint *n_annotations,
                            GError **error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = va_coco_writer_build_faces (model, NULL, n_annotations);
  return va_output_file_write_json_with_provenance (root, model, path, error);
}

/**
 * va_coco_writer_person_id:
 * @track_id: a person's track id
 *
 * Returns: (transfer full): `person_<stem>_NNN` (the track id, at least
 *   three digits), or `track_<id>` for a box without track.
 */
char *
va_coco_writer_person_id (VaAnnotationModel *model, gint track_id)
{
  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), NULL);

  if (track_id <= 0)
    return g_strdup_printf ("track_%d", track_id);
  return g_strdup_printf ("person_%s_%03d", va_annotation_model_get_stem (model), track_id);
}

static void
add_person_category (VaCocoDocument *doc)
{
  JsonBuilder *b = doc->categories;

  json_builder_begin_object (b);
  add_member_int (b, "id", VA_COCO_CATEGORY_PERSON);
  add_member_string (b, "name", "person");
  add_member_string (b, "supercategory", "person");
  json_builder_set_member_name (b, "keypoints");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (keypoint_names); i++)
    json_builder_add_string_value (b, keypoint_names[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "skeleton");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (skeleton); i++) {
    json_builder_begin_array (b);
    json_builder_add_int_value (b, skeleton[i][0]);
    json_builder_add_int_value (b, skeleton[i][1]);
    json_builder_end_array (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* COCO's `keypoints` and `num_keypoints` from the model's x, y, v. */
static void
add_keypoints (JsonBuilder *b, const gfloat *keypoints)
{
  guint visible = 0;

  G_STATIC_ASSERT (VA_KEYPOINT_VALUES == 3 * G_N_ELEMENTS (keypoint_names));
  json_builder_set_member_name (b, "keypoints");
  json_builder_begin_array (b);
  for (guint k = 0; k < G_N_ELEMENTS (keypoint_names); k++) {
    gboolean shown = keypoints != NULL && keypoints[3 * k + 2] > 0;

    /* to 0.1 pixel: the models are not more precise, and files stay small */
    json_builder_add_double_value (b, shown ? round (keypoints[3 * k] * 10.0) / 10.0 : 0.0);
    json_builder_add_double_value (b, shown ? round (keypoints[3 * k + 1] * 10.0) / 10.0 : 0.0);
    json_builder_add_int_value (b, shown ? 2 : 0);
    visible += shown;
  }
  json_builder_end_array (b);
  add_member_int (b, "num_keypoints", visible);
}

/**
 * va_coco_writer_build_persons:
 * @model: the annotation model
 * @created: (nullable): creation time for `info.date_created`; now (UTC) when
 *   %NULL
 * @n_annotations: (out) (optional): number of person annotations
 *
 * Builds `<stem>_person_tracking.json`: one annotation per person per
 * written frame (see va_annotation_model_set_person_rate(); one frame per
 * second by default) (category 1 "person" with the 17 COCO keypoint names and skeleton) with
 * `score`, `track_id`, `timestamp`, `frame_number` and `person_id` (see
 * va_coco_writer_person_id()). `keypoints` is COCO's [x, y, v] × 17 in
 * frame pixels (v = 2: visible, v = 0 with x = y = 0: not labelled) and
 * `num_keypoints` counts the visible ones; a person without keypoints
 * (no keypoint model installed, or not a frame they were estimated on) has
 * 51 zeros and 0.
 * Nothing labels people either: `person_label` is "unknown",
 * `label_confidence` 0.0 and `labeling_method` "none", the reference's
 * values for an unlabelled person.
 *
 * Returns: (transfer full): the document root.
 */
JsonNode *
va_coco_writer_build_persons (VaAnnotationModel *model, GDateTime *created, guint *n_annotations)
{
  g_auto (VaCocoDocument) doc = { 0 };
  g_autoptr (GDateTime) now = NULL;
  guint n;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), NULL);

  if (created == NULL)
    created = now = g_date_time_new_now_utc ();

  va_coco_document_init (&doc);
  n = va_annotation_model_get_n_detections (model, VA_DETECTION_PERSON);
  for (guint i = 0; i < n; i++) {
    const VaDetection *d = va_annotation_model_get_detection (model, VA_DETECTION_PERSON, i);
    g_autofree char *image_id = NULL;
    g_autofree char *person_id = NULL;
    JsonBuilder *b;

    if (!va_annotation_model_person_frame_written (model, d->frame))
      continue;
    image_id = detection_image_id (model, d);
    person_id = va_coco_writer_person_id (model, d->track_id);
    va_coco_document_add_image (&doc, model, image_id, d->frame, d->time);
    b = va_coco_document_begin_annotation (&doc, image_id, VA_COCO_CATEGORY_PERSON, d->x, d->y,
                                           d->width, d->height);
    add_keypoints (b, va_annotation_model_get_keypoints (model, VA_DETECTION_PERSON, i));
    add_member_double (b, "score", d->confidence);
    add_member_int (b, "track_id", d->track_id);
    add_member_double (b, "timestamp", seconds (d->time));
    add_member_int (b, "frame_number", d->frame);
    add_member_string (b, "person_id", person_id);
    add_member_string (b, "person_label", "unknown");
    add_member_double (b, "label_confidence", 0.0);
    add_member_string (b, "labeling_method", "none");
    json_builder_end_object (b);
  }
  add_person_category (&doc);

  if (n_annotations != NULL)
    *n_annotations = doc.n_annotations;
  return va_coco_document_finish (&doc, created);
}

/**
 * va_coco_writer_write_persons:
 * @path: file to write (replaced atomically)
 * @n_annotations: (out) (optional): number of person boxes written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_coco_writer_write_persons (VaAnnotationModel *model, const char *path, guint *n_annotations,
                              GError **error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = va_coco_writer_build_persons (model, NULL, n_annotations);
  return va_output_file_write_json_with_provenance (root, model, path, error);
}

/**
 * va_coco_writer_build_person_tracks:
 * @n_tracks: (out) (optional): number of tracks listed
 *
 * Builds `<stem>_person_tracks.json` (contract §5.2): one entry per track,
 * in order of first appearance, with `person_id`, `track_id`, `video_id`,
 * `label` ("unknown"), `confidence` (0.0), `method` ("none") and
 * `timestamp` (first seen, seconds), and `labeling_metadata`. No person is
 * labelled, so the labelled counts are 0. Like the person file, it covers
 * the frames va_annotation_model_person_frame_written() keeps.
 *
 * Returns: (transfer full): the document root.
 */
JsonNode *
va_coco_writer_build_person_tracks (VaAnnotationModel *model, guint *n_tracks)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autofree char *id_format = NULL;
  const char *stem;
  guint n, tracks = 0, written = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), NULL);

  stem = va_annotation_model_get_stem (model);
  n = va_annotation_model_get_n_detections (model, VA_DETECTION_PERSON);
  json_builder_begin_object (b);
  add_member_string (b, "video_id", stem);
  json_builder_set_member_name (b, "person_tracks");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++) {
    const VaDetection *d = va_annotation_model_get_detection (model, VA_DETECTION_PERSON, i);
    g_autofree char *person_id = NULL;

    if (!va_annotation_model_person_frame_written (model, d->frame))
      continue;
    written++;
    if (!g_hash_table_add (seen, GINT_TO_POINTER (d->track_id)))
      continue;
    person_id = va_coco_writer_person_id (model, d->track_id);
    json_builder_begin_object (b);
    add_member_string (b, "person_id", person_id);
    add_member_int (b, "track_id", d->track_id);
    add_member_string (b, "video_id", stem);
    /* the reference's label fields, with its values for a person nobody
     * labelled (as person_label / label_confidence / labeling_method of
     * the COCO annotations) */
    add_member_string (b, "label", "unknown");
    add_member_double (b, "confidence", 0.0);
    add_member_string (b, "method", "none");
    add_member_double (b, "timestamp", seconds (d->time));
    json_builder_end_object (b);
    tracks++;
  }
  json_builder_end_array (b);

  id_format = g_strdup_printf ("person_%s_{track_id:03d}", stem);
  json_builder_set_member_name (b, "labeling_metadata");
  json_builder_begin_object (b);
  add_member_int (b, "total_persons", tracks);
  add_member_int (b, "labeled_persons", 0);
  add_member_string (b, "id_format", id_format);
  json_builder_set_member_name (b, "detections_summary");
  json_builder_begin_object (b);
  add_member_int (b, "total_detections", written);
  add_member_int (b, "unique_persons", tracks);
  add_member_int (b, "labeled_persons", 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  if (n_tracks != NULL)
    *n_tracks = tracks;
  return json_builder_get_root (b);
}

/**
 * va_coco_writer_write_person_tracks:
 * @path: file to write (replaced atomically)
 * @n_tracks: (out) (optional): number of tracks written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_coco_writer_write_person_tracks (VaAnnotationModel *model, const char *path, guint *n_tracks,
                                    GError **error)
{
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = va_coco_writer_build_person_tracks (model, n_tracks);
  return va_output_file_write_json_with_provenance (root, model, path, error);
}
