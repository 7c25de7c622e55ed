/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-annotation-output.h"

#include "va-coco-writer.h"
#include "va-csv-writer.h"
#include "va-rttm-writer.h"
#include "va-webvtt-writer.h"

#define ANNOUNCE_PREFIX "videoannotator-pipeline-"

/* The one list of the files each pipeline writes (names from contract
 * §5.1): vaannotationsink writes them, and the pipeline registry in
 * src/core advertises them from here (va_pipeline_info_get_output_suffix()),
 * so a file is named in this table only. tests/core/test-pipeline-registry.c
 * checks that its pipeline names are the registry's. */
static const VaAnnotationOutput outputs[] = {
  { "scene_detection", "_scene_detection.json", va_coco_writer_write_scenes },
  { "motion_analysis", "_motion_analysis.csv", va_csv_writer_write_motion },
  { "face_analysis", "_face_detections.json", va_coco_writer_write_faces },
  { "person_tracking", "_person_tracking.json", va_coco_writer_write_persons },
  { "person_tracking", "_person_tracks.json", va_coco_writer_write_person_tracks },
  { "voice_activity", "_voice_activity.csv", va_csv_writer_write_voice_activity },
  { "speech_recognition", "_speech_recognition.vtt", va_webvtt_writer_write },
  { "speaker_diarization", "_speaker_diarization.rttm", va_rttm_writer_write },
  /* audio_processing writes what speech_recognition and speaker_diarization
   * write, under its own names (`<stem>_<pipeline>.<ext>`, as the reference
   * names every file), so that no two pipelines of a job write one file. */
  { "audio_processing", "_audio_processing.vtt", va_webvtt_writer_write },
  { "audio_processing", "_audio_processing.rttm", va_rttm_writer_write },
};

/**
 * va_annotation_output_get_all:
 * @n_outputs: (out): number of entries
 *
 * Returns: (array length=n_outputs): every known output file.
 */
const VaAnnotationOutput *
va_annotation_output_get_all (guint *n_outputs)
{
  g_return_val_if_fail (n_outputs != NULL, NULL);
  *n_outputs = G_N_ELEMENTS (outputs);
  return outputs;
}

gboolean
va_annotation_output_is_known (const char *pipeline)
{
  g_return_val_if_fail (pipeline != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    if (g_str_equal (outputs[i].pipeline, pipeline))
      return TRUE;
  return FALSE;
}

/**
 * va_annotation_output_build_path:
 *
 * Returns: (transfer full): `directory/<stem><suffix>`.
 */
char *
va_annotation_output_build_path (const VaAnnotationOutput *output, const char *directory,
                                 const char *stem)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (output != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (stem != NULL, NULL);

  name = g_strconcat (stem, output->suffix, NULL);
  return g_build_filename (directory, name, NULL);
}

/**
 * va_annotation_output_new_announce_event:
 * @pipeline: pipeline registry name
 *
 * A sticky custom downstream event named
 * `videoannotator-pipeline-<pipeline>` with a string field `pipeline`. The
 * name differs per pipeline so that announcements of chained analysers do not
 * replace each other.
 *
 * Returns: (transfer full): the event.
 */
GstEvent *
va_annotation_output_new_announce_event (const char *pipeline)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (pipeline != NULL, NULL);

  name = g_strconcat (ANNOUNCE_PREFIX, pipeline, NULL);
  return gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
                               gst_structure_new (name, "pipeline", G_TYPE_STRING, pipeline, NULL));
}

/**
 * va_annotation_output_parse_announce_event:
 *
 * Returns: (nullable): the announced pipeline name (owned by @event), or
 *   %NULL when @event is not an announcement.
 */
const char *
va_annotation_output_parse_announce_event (GstEvent *event)
{
  const GstStructure *s;

  g_return_val_if_fail (GST_IS_EVENT (event), NULL);

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_DOWNSTREAM_STICKY)
    return NULL;
  s = gst_event_get_structure (event);
  if (s == NULL || !g_str_has_prefix (gst_structure_get_name (s), ANNOUNCE_PREFIX))
    return NULL;
  return gst_structure_get_string (s, "pipeline");
}
