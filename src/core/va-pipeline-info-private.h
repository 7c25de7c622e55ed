/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-pipeline-info.h"

G_BEGIN_DECLS

#define VA_PIPELINE_MAX_ELEMENTS 6

/* One element of a pipeline's chain, as the registry table spells it. */
typedef struct {
  const char *factory;
  /* NULL-terminated "property=value" overrides of the element's defaults */
  const char *const *properties;
  /* heavy elements get a queue in front so they run in a thread of their own */
  gboolean heavy;
} VaPipelineElementDesc;

/* One row of the registry table: static data, everything else is derived. */
typedef struct {
  const char *name;
  const char *display_name;
  const char *description;
  const char *family;
  const char *variant;
  const char *stability; /* "stable", "beta" or "experimental" */
  const char *const *tasks;
  const char *const *modalities;
  const char *const *capabilities;
  const char *const *backends;
  const char *const *notes; /* what the contract describes that we do not compute */
  const char *output_format;
  const char *const *output_types;
  /* the names of its files come from libvameta (va-annotation-output.c),
   * which writes them */
  VaPipelineBranch branch;
  VaPipelineElementDesc elements[VA_PIPELINE_MAX_ELEMENTS]; /* ends at factory == NULL */
  /* the neural model of the catalog (data/models) the element prefers, and
   * the backend it falls back to without it; NULL: none */
  const char *model;
  const char *fallback_backend;
} VaPipelineDesc;

VaPipelineInfo *va_pipeline_info_new (const VaPipelineDesc *desc);
void va_pipeline_info_add_alias (VaPipelineInfo *self, const char *alias);
int va_pipeline_info_get_stability_rank (VaPipelineInfo *self);

G_END_DECLS
