/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-pipeline-builder.h"
#include "va-settings.h"

G_BEGIN_DECLS

void va_pipeline_defaults_apply (VaPipelineBuilder *builder, VaSettings *settings);

G_END_DECLS
