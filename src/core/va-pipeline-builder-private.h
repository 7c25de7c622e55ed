/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-pipeline-builder.h"

G_BEGIN_DECLS

/* What a built pipeline learns while it runs, for the runner. Owned by the
 * GstPipeline (object data), so it lives exactly as long as the elements
 * whose signal handlers use it. */
typedef struct {
  GMutex lock;
  char *input;
  GstElement *video_entry; /* first element of the video branch, or NULL */
  GstElement *audio_entry;
  GstElement *video_sink;
  GstElement *audio_sink;
  GstElement *preview_sink; /* filesink of the preview video, or NULL */
  gboolean video_linked;
  gboolean audio_linked;
  char *container_caps; /* what typefinding found, NULL until it did */
  guint n_sinks;
  /* pipeline name → GPtrArray of the names of the analysers serving it (an
   * analyser shared by two pipelines is in both); fixed once built */
  GHashTable *analysers;
} VaPipelineGraph;

VaPipelineGraph *va_pipeline_builder_get_graph (GstElement *pipeline);
char *va_pipeline_graph_dup_container_caps (VaPipelineGraph *graph);

G_END_DECLS
