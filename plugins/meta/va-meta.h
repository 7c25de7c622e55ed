/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libvameta: the metadata VideoAnnotator's elements attach to buffers, the
 * annotation model a sink fills from it, and the file writers. */

#include "va-scene-cut-meta.h"
#include "va-motion-meta.h"
#include "va-voice-segment-meta.h"
#include "va-transcript-meta.h"
#include "va-speaker-turn-meta.h"
#include "va-annotation-model.h"
#include "va-annotation-output.h"
#include "va-coco-writer.h"
#include "va-csv-writer.h"
#include "va-rttm-writer.h"
#include "va-webvtt-writer.h"
#include "va-output-file.h"
