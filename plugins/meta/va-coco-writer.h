/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "va-annotation-model.h"

G_BEGIN_DECLS

/* COCO category ids, as VideoAnnotator 1.4 assigns them (contract §5.2). */
#define VA_COCO_CATEGORY_SCENE 1
#define VA_COCO_CATEGORY_PERSON 1
#define VA_COCO_CATEGORY_FACE 100

JsonNode *va_coco_writer_build_scenes (VaAnnotationModel *model, GDateTime *created,
                                       guint *n_annotations);

gboolean va_coco_writer_write_scenes (VaAnnotationModel *model, const char *path,
                                      guint *n_annotations, GError **error);

JsonNode *va_coco_writer_build_faces (VaAnnotationModel *model, GDateTime *created,
                                      guint *n_annotations);
gboolean va_coco_writer_write_faces (VaAnnotationModel *model, const char *path,
                                     guint *n_annotations, GError **error);

JsonNode *va_coco_writer_build_persons (VaAnnotationModel *model, GDateTime *created,
                                        guint *n_annotations);
gboolean va_coco_writer_write_persons (VaAnnotationModel *model, const char *path,
                                       guint *n_annotations, GError **error);

JsonNode *va_coco_writer_build_person_tracks (VaAnnotationModel *model, guint *n_tracks);
gboolean va_coco_writer_write_person_tracks (VaAnnotationModel *model, const char *path,
                                             guint *n_tracks, GError **error);

char *va_coco_writer_person_id (VaAnnotationModel *model, gint track_id);

G_END_DECLS
