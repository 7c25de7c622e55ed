/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-annotation-model.h"

G_BEGIN_DECLS

typedef gboolean (*VaAnnotationOutputWriteFunc) (VaAnnotationModel *model, const char *path,
                                                 guint *n_annotations, GError **error);

/**
 * VaAnnotationOutput:
 * @pipeline: pipeline registry name (contract §5.1), e.g. "scene_detection".
 * @suffix: appended to the stem to name the file, e.g. "_scene_detection.json".
 * @write: writes the file and counts what it wrote.
 *
 * One output file of a pipeline. A pipeline with several files has several
 * entries, in the order its files are listed.
 */
typedef struct {
  const char *pipeline;
  const char *suffix;
  VaAnnotationOutputWriteFunc write;
} VaAnnotationOutput;

const VaAnnotationOutput *va_annotation_output_get_all (guint *n_outputs);
gboolean va_annotation_output_is_known (const char *pipeline);
char *va_annotation_output_build_path (const VaAnnotationOutput *output, const char *directory,
                                       const char *stem);

/* Analysers announce, with a sticky downstream event, which pipeline they
 * implement, so that a sink writes that pipeline's file even when nothing was
 * found. */
GstEvent *va_annotation_output_new_announce_event (const char *pipeline);
const char *va_annotation_output_parse_announce_event (GstEvent *event);

G_END_DECLS
