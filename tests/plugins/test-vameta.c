/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvameta: metas, the annotation model and the writers. */
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "va-meta.h"

static void
test_scene_cut_meta (void)
{
  g_autoptr (GstBuffer) buf = gst_buffer_new_allocate (NULL, 16, NULL);
  g_autoptr (GstBuffer) copy = NULL;
  const char *const *tags;
  VaSceneCutMeta *meta;

  g_assert_null (va_buffer_get_scene_cut_meta (buf));
  meta = va_buffer_add_scene_cut_meta (buf, 3, 42.5, VA_SCENE_TRANSITION_DISSOLVE, GST_SECOND / 2);
  g_assert_nonnull (meta);
  meta = va_buffer_get_scene_cut_meta (buf);
  g_assert_cmpuint (meta->scene_index, ==, 3);
  g_assert_cmpfloat (meta->score, ==, 42.5);
  g_assert_cmpint (meta->transition, ==, VA_SCENE_TRANSITION_DISSOLVE);
  g_assert_cmpuint (meta->transition_duration, ==, GST_SECOND / 2);

  /* Copies keep it (transform function). */
  copy = gst_buffer_copy (buf);
  meta = va_buffer_get_scene_cut_meta (copy);
  g_assert_nonnull (meta);
  g_assert_cmpuint (meta->scene_index, ==, 3);
  g_assert_cmpint (meta->transition, ==, VA_SCENE_TRANSITION_DISSOLVE);

  /* Only the "video" tag, so video filters and scalers keep it. */
  tags = gst_meta_api_type_get_tags (VA_SCENE_CUT_META_API_TYPE);
  g_assert_cmpuint (g_strv_length ((char **)tags), ==, 1);
  g_assert_cmpstr (tags[0], ==, GST_META_TAG_VIDEO_STR);
  g_assert_true (gst_meta_get_info ("VaSceneCutMeta") == VA_SCENE_CUT_META_INFO);

  g_assert_cmpstr (va_scene_transition_to_string (VA_SCENE_TRANSITION_CUT), ==, "cut");
  g_assert_cmpstr (va_scene_transition_to_string (VA_SCENE_TRANSITION_FADE), ==, "fade");
  g_assert_cmpstr (va_scene_transition_to_string (VA_SCENE_TRANSITION_DISSOLVE), ==, "dissolve");
  g_assert_true (G_TYPE_IS_ENUM (VA_TYPE_SCENE_TRANSITION));
}

static void
test_motion_meta (void)
{
  g_autoptr (GstBuffer) buf = gst_buffer_new_allocate (NULL, 16, NULL);
  g_autoptr (GstBuffer) copy = NULL;
  const gfloat grid[6] = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f };
  VaMotionMeta *meta;

  meta = va_buffer_add_motion_meta (buf, 0.25, 0.5, 2, 2, 3, grid);
  g_assert_cmpfloat (meta->energy, ==, 0.25);
  g_assert_cmpfloat (meta->moving_fraction, ==, 0.5);
  g_assert_cmpuint (meta->interval, ==, 2);
  g_assert_cmpuint (meta->grid_rows, ==, 2);
  g_assert_cmpuint (meta->grid_cols, ==, 3);
  g_assert_true (meta->grid != grid);
  g_assert_cmpfloat (meta->grid[5], ==, 0.6f);

  copy = gst_buffer_copy (buf);
  meta = va_buffer_get_motion_meta (copy);
  g_assert_nonnull (meta);
  g_assert_cmpuint (meta->grid_rows * meta->grid_cols, ==, 6);
  g_assert_cmpfloat (meta->grid[4], ==, 0.5f);
  /* The copy owns its grid. */
  g_assert_true (meta->grid != va_buffer_get_motion_meta (buf)->grid);

  /* Without a grid. */
  gst_buffer_unref (g_steal_pointer (&copy));
  copy = gst_buffer_new ();
  meta = va_buffer_add_motion_meta (copy, 0.0, 0.0, 1, 0, 0, NULL);
  g_assert_null (meta->grid);
  g_assert_cmpuint (meta->grid_rows, ==, 0);
}

/* 100 frames at 25 fps, 640x360, cuts on frames 30 and 70. */
static VaAnnotationModel *
make_model (void)
{
  VaAnnotationModel *model = va_annotation_model_new ();

  va_annotation_model_set_stem (model, "clip");
  va_annotation_model_set_video_format (model, 640, 360, 25, 1);
  for (guint i = 0; i < 100; i++) {
    GstClockTime t = i * GST_SECOND / 25;
    g_assert_cmpuint (va_annotation_model_add_frame (model, t, GST_SECOND / 25), ==, i);
    if (i == 30 || i == 70)
      va_annotation_model_add_scene_cut (model, i, t, 55.0, VA_SCENE_TRANSITION_CUT);
  }
  return model;
}

static void
test_model_scenes (void)
{
  g_autoptr (VaAnnotationModel) model = make_model ();
  g_autoptr (GArray) scenes = NULL;
  const VaScene *s;

  g_assert_cmpstr (va_annotation_model_get_stem (model), ==, "clip");
  g_assert_cmpuint (va_annotation_model_get_frame_count (model), ==, 100);
  g_assert_cmpuint (va_annotation_model_get_end_time (model), ==, 4 * GST_SECOND);
  g_assert_cmpfloat (va_annotation_model_get_fps (model), ==, 25.0);

  /* Duplicates, frame 0 and cuts beyond the stream are ignored. */
  va_annotation_model_add_scene_cut (model, 30, 30 * GST_SECOND / 25, 1, 0);
  va_annotation_model_add_scene_cut (model, 0, 0, 1, 0);
  va_annotation_model_add_scene_cut (model, 500, 20 * GST_SECOND, 1, 0);
  g_assert_cmpuint (va_annotation_model_get_n_cuts (model), ==, 3);

  scenes = va_annotation_model_dup_scenes (model);
  g_assert_cmpuint (scenes->len, ==, 3);
  s = &g_array_index (scenes, VaScene, 0);
  g_assert_cmpuint (s->frame_start, ==, 0);
  g_assert_cmpuint (s->frame_end, ==, 30);
  g_assert_cmpuint (s->start, ==, 0);
  g_assert_cmpuint (s->end, ==, 1200 * GST_MSECOND);
  s = &g_array_index (scenes, VaScene, 1);
  g_assert_cmpuint (s->index, ==, 1);
  g_assert_cmpuint (s->frame_start, ==, 30);
  g_assert_cmpuint (s->frame_end, ==, 70);
  g_assert_cmpfloat (s->score, ==, 55.0);
  s = &g_array_index (scenes, VaScene, 2);
  g_assert_cmpuint (s->frame_start, ==, 70);
  g_assert_cmpuint (s->frame_end, ==, 100);
  g_assert_cmpuint (s->start, ==, 2800 * GST_MSECOND);
  g_assert_cmpuint (s->end, ==, 4 * GST_SECOND);
}

static void
test_model_no_frames (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (GArray) scenes = va_annotation_model_dup_scenes (model);

  g_assert_cmpstr (va_annotation_model_get_stem (model), ==, "video");
  g_assert_cmpuint (scenes->len, ==, 0);

  /* Without timestamps, times follow the frame rate. */
  va_annotation_model_set_video_format (model, 320, 240, 30000, 1001);
  for (guint i = 0; i < 30; i++)
    va_annotation_model_add_frame (model, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint (va_annotation_model_get_end_time (model), ==,
                    gst_util_uint64_scale (30, 1001 * GST_SECOND, 30000));
}

static void
test_model_pipelines (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();

  g_assert_false (va_annotation_model_has_pipeline (model, "scene_detection"));
  va_annotation_model_add_pipeline (model, "scene_detection");
  va_annotation_model_add_pipeline (model, "scene_detection");
  g_assert_true (va_annotation_model_has_pipeline (model, "scene_detection"));
  g_assert_false (va_annotation_model_has_pipeline (model, "motion_analysis"));
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_object_member (o, name);
}

static void
test_coco_scenes (void)
{
  g_autoptr (VaAnnotationModel) model = make_model ();
  g_autoptr (GDateTime) created = g_date_time_new_utc (2026, 3, 4, 5, 6, 7);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *doc, *info, *ann, *img, *cat;
  JsonArray *images, *anns, *cats, *bbox;
  guint n = 0;

  root = va_coco_writer_build_scenes (model, created, &n);
  g_assert_cmpuint (n, ==, 3);
  doc = json_node_get_object (root);

  info = member_object (doc, "info");
  g_assert_cmpstr (json_object_get_string_member (info, "description"), ==,
                   "VideoAnnotator COCO Export");
  g_assert_cmpstr (json_object_get_string_member (info, "version"), ==, VA_VERSION);
  g_assert_cmpint (json_object_get_int_member (info, "year"), ==, 2026);
  g_assert_cmpstr (json_object_get_string_member (info, "contributor"), ==, "VideoAnnotator");
  g_assert_cmpstr (json_object_get_string_member (info, "date_created"), ==,
                   "2026-03-04T05:06:07Z");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (doc, "licenses")), ==, 0);

  images = json_object_get_array_member (doc, "images");
  anns = json_object_get_array_member (doc, "annotations");
  cats = json_object_get_array_member (doc, "categories");
  g_assert_cmpuint (json_array_get_length (images), ==, 3);
  g_assert_cmpuint (json_array_get_length (anns), ==, 3);
  g_assert_cmpuint (json_array_get_length (cats), ==, 1);

  cat = json_array_get_object_element (cats, 0);
  g_assert_cmpint (json_object_get_int_member (cat, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (cat, "name"), ==, "scene");
  g_assert_cmpstr (json_object_get_string_member (cat, "supercategory"), ==, "video_segment");

  /* Second scene: frames 30..70, 1.2 s .. 2.8 s, middle frame 50 at 2.0 s. */
  ann = json_array_get_object_element (anns, 1);
  g_assert_cmpint (json_object_get_int_member (ann, "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (ann, "image_id"), ==, "clip_frame_000050");
  g_assert_cmpint (json_object_get_int_member (ann, "category_id"), ==, 1);
  bbox = json_object_get_array_member (ann, "bbox");
  g_assert_cmpuint (json_array_get_length (bbox), ==, 4);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 0), ==, 0.0);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 1), ==, 0.0);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 2), ==, 640.0);
  g_assert_cmpfloat (json_array_get_double_element (bbox, 3), ==, 360.0);
  g_assert_cmpfloat (json_object_get_double_member (ann, "area"), ==, 640.0 * 360.0);
  g_assert_cmpint (json_object_get_int_member (ann, "iscrowd"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (ann, "score"), ==, 1.0);
  g_assert_cmpstr (json_object_get_string_member (ann, "video_id"), ==, "clip");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "timestamp"), 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "start_time"), 1.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "end_time"), 2.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "duration"), 1.6, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (ann, "scene_type"), ==, "unknown");
  g_assert_cmpint (json_object_get_int_member (ann, "frame_start"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (ann, "frame_end"), ==, 70);
  g_assert_cmpuint (json_object_get_size (member_object (ann, "all_scores")), ==, 0);

  img = json_array_get_object_element (images, 1);
  g_assert_cmpstr (json_object_get_string_member (img, "id"), ==, "clip_frame_000050");
  g_assert_cmpint (json_object_get_int_member (img, "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (img, "height"), ==, 360);
  g_assert_cmpstr (json_object_get_string_member (img, "file_name"), ==, "frame_000050.jpg");
  g_assert_cmpstr (json_object_get_string_member (img, "video_id"), ==, "clip");
  g_assert_cmpint (json_object_get_int_member (img, "frame_number"), ==, 50);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (img, "timestamp"), 2.0, 1e-9);

  /* Last scene ends with the stream. */
  ann = json_array_get_object_element (anns, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "end_time"), 4.0, 1e-9);
  g_assert_cmpint (json_object_get_int_member (ann, "frame_end"), ==, 100);
}

static void
test_coco_whole_clip (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *ann;
  guint n = 0;

  va_annotation_model_set_video_format (model, 320, 240, 10, 1);
  for (guint i = 0; i < 25; i++)
    va_annotation_model_add_frame (model, i * GST_SECOND / 10, GST_SECOND / 10);
  root = va_coco_writer_build_scenes (model, NULL, &n);
  g_assert_cmpuint (n, ==, 1);
  ann = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "annotations"), 0);
  g_assert_cmpfloat (json_object_get_double_member (ann, "start_time"), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (ann, "end_time"), 2.5, 1e-9);
  g_assert_cmpint (json_object_get_int_member (ann, "frame_end"), ==, 25);
  g_assert_cmpstr (json_object_get_string_member (ann, "image_id"), ==, "video_frame_000012");
}

/* Persons with and without keypoints: COCO's x, y, v (v = 2 visible, 0 with
 * x = y = 0 not labelled), num_keypoints counting the visible ones. */
static void
test_coco_person_keypoints (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (JsonNode) root = NULL;
  VaDetection d = { .x = 10, .y = 20, .width = 30, .height = 90, .confidence = 0.8, .track_id = 1 };
  gfloat keypoints[VA_KEYPOINT_VALUES] = { 0 };
  JsonArray *anns, *kp, *names;
  JsonObject *category;
  guint n = 0;

  va_annotation_model_set_video_format (model, 320, 240, 10, 1);
  va_annotation_model_set_person_rate (model, 0.0);
  va_annotation_model_add_frame (model, 0, GST_SECOND / 10);
  keypoints[0] = 25.04f; /* nose */
  keypoints[1] = 24.96f;
  keypoints[2] = 2.0f;
  keypoints[3 * 16] = 31.0f; /* right ankle */
  keypoints[3 * 16 + 1] = 108.0f;
  keypoints[3 * 16 + 2] = 2.0f;
  va_annotation_model_add_detection_keypoints (model, VA_DETECTION_PERSON, &d, keypoints);
  d.track_id = 2;
  va_annotation_model_add_detection (model, VA_DETECTION_PERSON, &d);
  g_assert_nonnull (va_annotation_model_get_keypoints (model, VA_DETECTION_PERSON, 0));
  g_assert_null (va_annotation_model_get_keypoints (model, VA_DETECTION_PERSON, 1));

  root = va_coco_writer_build_persons (model, NULL, &n);
  g_assert_cmpuint (n, ==, 2);
  anns = json_object_get_array_member (json_node_get_object (root), "annotations");
  kp = json_object_get_array_member (json_array_get_object_element (anns, 0), "keypoints");
  g_assert_cmpuint (json_array_get_length (kp), ==, 51);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (kp, 0), 25.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_array_get_double_element (kp, 1), 25.0, 1e-9);
  g_assert_cmpint (json_array_get_int_element (kp, 2), ==, 2);
  for (guint i = 3; i < 48; i++)
    g_assert_cmpfloat (json_array_get_double_element (kp, i), ==, 0.0);
  g_assert_cmpint (json_array_get_int_element (kp, 50), ==, 2);
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (anns, 0), "num_keypoints"), ==, 2);
  kp = json_object_get_array_member (json_array_get_object_element (anns, 1), "keypoints");
  g_assert_cmpuint (json_array_get_length (kp), ==, 51);
  for (guint i = 0; i < 51; i++)
    g_assert_cmpfloat (json_array_get_double_element (kp, i), ==, 0.0);
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (anns, 1), "num_keypoints"), ==, 0);

  category = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "categories"), 0);
  names = json_object_get_array_member (category, "keypoints");
  g_assert_cmpuint (json_array_get_length (names), ==, 17);
  g_assert_cmpstr (json_array_get_string_element (names, 0), ==, "nose");
  g_assert_cmpstr (json_array_get_string_element (names, 16), ==, "right_ankle");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (category, "skeleton")), ==,
                    19);
}

/* Faces with attributes get the reference's fields and names; faces
 * without have none of them (the second face), and an emotion-only face
 * has no age or gender. */
static void
test_coco_face_attributes (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (JsonNode) root = NULL;
  VaDetection d = { .x = 10, .y = 20, .width = 40, .height = 40, .confidence = 0.9, .track_id = 1 };
  VaFaceAttributes a = { .has_emotion = TRUE,
                         .emotion_scores = { 0.01f, 0.0f, 0.02f, 0.9f, 0.03f, 0.01f, 0.03f },
                         .has_age = TRUE,
                         .age = 29.26f,
                         .has_gender = TRUE,
                         .man = 0.25f };
  const char *fields[] = { "emotion", "emotion_confidence", "emotion_scores", "age",
                           "gender",  "gender_confidence",  "gender_scores" };
  JsonObject *face, *scores;
  JsonArray *anns;
  guint n = 0;

  va_annotation_model_set_video_format (model, 320, 240, 10, 1);
  va_annotation_model_add_frame (model, 0, GST_SECOND / 10);
  va_annotation_model_add_detection (model, VA_DETECTION_FACE, &d);
  va_annotation_model_set_last_face_attributes (model, &a);
  d.track_id = 2;
  va_annotation_model_add_detection (model, VA_DETECTION_FACE, &d);
  d.track_id = 3;
  va_annotation_model_add_detection (model, VA_DETECTION_FACE, &d);
  a.has_age = a.has_gender = FALSE;
  a.emotion_scores[3] = 0.0f;
  a.emotion_scores[6] = 0.93f;
  va_annotation_model_set_last_face_attributes (model, &a);

  root = va_coco_writer_build_faces (model, NULL, &n);
  g_assert_cmpuint (n, ==, 3);
  anns = json_object_get_array_member (json_node_get_object (root), "annotations");
  face = json_array_get_object_element (anns, 0);
  g_assert_cmpstr (json_object_get_string_member (face, "emotion"), ==, "happy");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (face, "emotion_confidence"), 0.9,
                                  1e-6);
  scores = json_object_get_object_member (face, "emotion_scores");
  g_assert_cmpuint (json_object_get_size (scores), ==, 7);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scores, "angry"), 0.01, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scores, "neutral"), 0.03, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (face, "age"), 29.3, 1e-6);
  g_assert_cmpstr (json_object_get_string_member (face, "gender"), ==, "Woman");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (face, "gender_confidence"), 0.75,
                                  1e-6);
  scores = json_object_get_object_member (face, "gender_scores");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scores, "Woman"), 0.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (scores, "Man"), 0.25, 1e-6);

  face = json_array_get_object_element (anns, 1);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_assert_false (json_object_has_member (face, fields[i]));
  face = json_array_get_object_element (anns, 2);
  g_assert_cmpstr (json_object_get_string_member (face, "emotion"), ==, "neutral");
  g_assert_false (json_object_has_member (face, "age"));
  g_assert_false (json_object_has_member (face, "gender"));
}

static void
test_coco_write_file (void)
{
  g_autoptr (VaAnnotationModel) model = make_model ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) created = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-coco-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *bad = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  GStatBuf st;
  JsonObject *info;
  guint n = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "clip_scene_detection.json", NULL);
  g_assert_true (va_coco_writer_write_scenes (model, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);

  /* The file is group-readable only and parses. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0007, ==, 0);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  info = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                        "info");
  /* date_created is the real creation time. */
  created
      = g_date_time_new_from_iso8601 (json_object_get_string_member (info, "date_created"), utc);
  g_assert_nonnull (created);
  g_assert_cmpint (g_date_time_difference (created, before), >=, -G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (created, before), <=, 60 * G_TIME_SPAN_SECOND);

  /* No temporary files are left next to it. */
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    guint entries = 0;
    while (g_dir_read_name (d) != NULL)
      entries++;
    g_assert_cmpuint (entries, ==, 1);
  }

  /* A directory that does not exist is a G_FILE_ERROR. */
  bad = g_build_filename (dir, "missing", "x.json", NULL);
  g_assert_false (va_coco_writer_write_scenes (model, bad, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_csv_motion (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autofree char *csv = NULL;
  g_auto (GStrv) lines = NULL;
  const gfloat grid[4] = { 0.5f, 0.25f, 0.0f, 1.0f };
  gsize len = 0;
  guint rows = 0;

  va_annotation_model_add_motion (model, 1, 40 * GST_MSECOND, 0.125, 0.5, 0, 0, NULL);
  csv = va_csv_writer_build_motion (model, &len, &rows);
  g_assert_cmpuint (rows, ==, 1);
  g_assert_cmpuint (strlen (csv), ==, len);
  g_assert_cmpstr (csv, ==, "frame,timestamp,energy,moving_fraction\n1,0.040,0.125000,0.500000\n");
  g_free (g_steal_pointer (&csv));

  /* With a grid: one column per region; a sample without one leaves them
   * empty. */
  g_clear_object (&model);
  model = va_annotation_model_new ();
  va_annotation_model_add_motion (model, 2, 80 * GST_MSECOND, 0.0, 0.0, 0, 0, NULL);
  va_annotation_model_add_motion (model, 3, 120 * GST_MSECOND, 0.4375, 0.75, 2, 2, grid);
  csv = va_csv_writer_build_motion (model, NULL, &rows);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpstr (lines[0], ==,
                   "frame,timestamp,energy,moving_fraction,grid_r0_c0,grid_r0_c1,grid_r1_c0,"
                   "grid_r1_c1");
  g_assert_cmpstr (lines[1], ==, "2,0.080,0.000000,0.000000,,,,");
  g_assert_cmpstr (lines[2], ==, "3,0.120,0.437500,0.750000,0.500000,0.250000,0.000000,1.000000");
  g_assert_cmpstr (lines[3], ==, "");
  g_assert_null (lines[4]);
}

static void
test_outputs (void)
{
  const VaAnnotationOutput *outputs;
  g_autofree char *path = NULL;
  g_autoptr (GstEvent) event = NULL;
  g_autoptr (GstEvent) other = NULL;
  guint n = 0;

  outputs = va_annotation_output_get_all (&n);
  g_assert_cmpuint (n, >=, 2);
  g_assert_true (va_annotation_output_is_known ("scene_detection"));
  g_assert_true (va_annotation_output_is_known ("motion_analysis"));
  g_assert_false (va_annotation_output_is_known ("scene"));
  for (guint i = 0; i < n; i++) {
    if (g_str_equal (outputs[i].pipeline, "scene_detection")) {
      path = va_annotation_output_build_path (&outputs[i], "/data/out", "clip");
      g_assert_cmpstr (path, ==, "/data/out/clip_scene_detection.json");
    }
  }
  g_assert_nonnull (path);

  event = va_annotation_output_new_announce_event ("motion_analysis");
  g_assert_true (GST_EVENT_IS_STICKY (event));
  g_assert_cmpstr (va_annotation_output_parse_announce_event (event), ==, "motion_analysis");
  other = gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
                                gst_structure_new_empty ("something-else"));
  g_assert_null (va_annotation_output_parse_announce_event (other));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vameta/scene-cut-meta", test_scene_cut_meta);
  g_test_add_func ("/vameta/motion-meta", test_motion_meta);
  g_test_add_func ("/vameta/model/scenes", test_model_scenes);
  g_test_add_func ("/vameta/model/no-frames", test_model_no_frames);
  g_test_add_func ("/vameta/model/pipelines", test_model_pipelines);
  g_test_add_func ("/vameta/coco/scenes", test_coco_scenes);
  g_test_add_func ("/vameta/coco/whole-clip", test_coco_whole_clip);
  g_test_add_func ("/vameta/coco/write-file", test_coco_write_file);
  g_test_add_func ("/vameta/coco/person-keypoints", test_coco_person_keypoints);
  g_test_add_func ("/vameta/coco/face-attributes", test_coco_face_attributes);
  g_test_add_func ("/vameta/csv/motion", test_csv_motion);
  g_test_add_func ("/vameta/outputs", test_outputs);

  return g_test_run ();
}
