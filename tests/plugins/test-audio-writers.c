/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvameta, audio side: the voice segment, transcript and speaker turn
 * metas, their records in the annotation model, and the voice activity CSV,
 * WebVTT and RTTM writers (exact text). */
#include <glib/gstdio.h>
#include <gst/audio/audio.h>
#include <gst/gst.h>

#include "va-meta.h"

#define MS GST_MSECOND

static void
assert_audio_tag_only (GType api)
{
  const char *const *tags = gst_meta_api_type_get_tags (api);

  g_assert_cmpuint (g_strv_length ((char **)tags), ==, 1);
  g_assert_cmpstr (tags[0], ==, GST_META_TAG_AUDIO_STR);
}

static void
test_metas (void)
{
  g_autoptr (GstBuffer) buf = gst_buffer_new_allocate (NULL, 16, NULL);
  g_autoptr (GstBuffer) copy = NULL;
  g_autoptr (GArray) words = va_transcript_words_new ();
  g_autofree char *label = va_speaker_turn_meta_format_label (7);
  VaVoiceSegmentMeta *seg;
  VaTranscriptMeta *tr;
  VaSpeakerTurnMeta *turn;

  va_transcript_words_append (words, "good", 100 * MS, 400 * MS, 0.9);
  va_transcript_words_append (words, "morning", 450 * MS, 900 * MS, -1.0);
  va_buffer_add_voice_segment_meta (buf, 50 * MS, 950 * MS);
  va_buffer_add_transcript_meta (buf, 50 * MS, 950 * MS, words);
  va_buffer_add_speaker_turn_meta (buf, 50 * MS, 950 * MS, 1);

  copy = gst_buffer_copy (buf);
  seg = (VaVoiceSegmentMeta *)gst_buffer_get_meta (copy, VA_VOICE_SEGMENT_META_API_TYPE);
  tr = (VaTranscriptMeta *)gst_buffer_get_meta (copy, VA_TRANSCRIPT_META_API_TYPE);
  turn = (VaSpeakerTurnMeta *)gst_buffer_get_meta (copy, VA_SPEAKER_TURN_META_API_TYPE);
  g_assert_nonnull (seg);
  g_assert_nonnull (tr);
  g_assert_nonnull (turn);
  g_assert_cmpuint (seg->start, ==, 50 * MS);
  g_assert_cmpuint (seg->end, ==, 950 * MS);
  g_assert_cmpstr (tr->text, ==, "good morning");
  g_assert_true (tr->words == words);
  g_assert_cmpfloat (g_array_index (tr->words, VaTranscriptWord, 0).confidence, ==, 0.9);
  g_assert_cmpuint (turn->speaker, ==, 1);
  g_assert_cmpstr (label, ==, "SPEAKER_07");

  assert_audio_tag_only (VA_VOICE_SEGMENT_META_API_TYPE);
  assert_audio_tag_only (VA_TRANSCRIPT_META_API_TYPE);
  assert_audio_tag_only (VA_SPEAKER_TURN_META_API_TYPE);

  {
    g_autoptr (GstEvent) event = va_voice_activity_event_new ();
    g_autoptr (GstEvent) other = gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM_STICKY,
                                                       gst_structure_new_empty ("something-else"));

    g_assert_true (va_event_is_voice_activity (event));
    g_assert_true (GST_EVENT_IS_STICKY (event));
    g_assert_false (va_event_is_voice_activity (other));
  }
}

static void
test_voice_activity_csv (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autofree char *csv = NULL;
  guint rows = 99;

  csv = va_csv_writer_build_voice_activity (model, NULL, &rows);
  g_assert_cmpstr (csv, ==, "start,end,duration\n");
  g_assert_cmpuint (rows, ==, 0);
  g_clear_pointer (&csv, g_free);

  /* Out of order on purpose: the model keeps time order. */
  va_annotation_model_add_voice_segment (model, 5 * GST_SECOND + 250 * MS, 7 * GST_SECOND);
  va_annotation_model_add_voice_segment (model, 10 * MS, 1234 * MS);
  csv = va_csv_writer_build_voice_activity (model, NULL, &rows);
  g_assert_cmpstr (csv, ==,
                   "start,end,duration\n"
                   "0.010,1.234,1.224\n"
                   "5.250,7.000,1.750\n");
  g_assert_cmpuint (rows, ==, 2);
}

static void
test_rttm (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autofree char *rttm = NULL;
  guint n = 99;

  rttm = va_rttm_writer_build (model, NULL, &n);
  g_assert_cmpstr (rttm, ==, "");
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&rttm, g_free);

  va_annotation_model_set_stem (model, "lab session");
  va_annotation_model_add_speaker_turn (model, 3 * GST_SECOND, 4500 * MS, 1);
  va_annotation_model_add_speaker_turn (model, 120 * MS, 2 * GST_SECOND + 5 * MS, 0);
  rttm = va_rttm_writer_build (model, NULL, &n);
  g_assert_cmpstr (rttm, ==,
                   "SPEAKER lab_session 1 0.120 1.885 <NA> <NA> SPEAKER_00 <NA> <NA>\n"
                   "SPEAKER lab_session 1 3.000 1.500 <NA> <NA> SPEAKER_01 <NA> <NA>\n");
  g_assert_cmpuint (n, ==, 2);
}

static void
add_transcript (VaAnnotationModel *model, const char *const *texts, const GstClockTime *times,
                guint n)
{
  g_autoptr (GArray) words = va_transcript_words_new ();

  for (guint i = 0; i < n; i++)
    va_transcript_words_append (words, texts[i], times[2 * i], times[2 * i + 1], 1.0);
  va_annotation_model_add_transcript (model, times[0], times[2 * n - 1],
                                      (const VaTranscriptWord *)words->data, words->len);
}

static void
test_webvtt_time (void)
{
  g_autofree char *a = va_webvtt_format_time (0);
  g_autofree char *b = va_webvtt_format_time (3723 * GST_SECOND + 456700 * GST_USECOND);
  g_autofree char *c = va_webvtt_format_time (59 * GST_SECOND + 999600 * GST_USECOND);
  g_autofree char *d = va_webvtt_format_time (100 * 3600 * GST_SECOND);

  g_assert_cmpstr (a, ==, "00:00:00.000");
  g_assert_cmpstr (b, ==, "01:02:03.457");
  g_assert_cmpstr (c, ==, "00:01:00.000");
  g_assert_cmpstr (d, ==, "100:00:00.000");
}

static void
test_webvtt (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  const char *first[] = { "he", "was", "not" };
  const GstClockTime first_t[]
      = { 1000 * MS, 1200 * MS, 1250 * MS, 1500 * MS, 1600 * MS, 1900 * MS };
  const char *second[] = { "a<b>", "&", "c" };
  const GstClockTime second_t[]
      = { 3 * GST_SECOND, 3100 * MS, 3200 * MS, 3300 * MS, 3400 * MS, 3500 * MS };
  g_autofree char *vtt = NULL;
  guint n = 99;

  vtt = va_webvtt_writer_build (model, NULL, &n);
  g_assert_cmpstr (vtt, ==, "WEBVTT\n\n");
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&vtt, g_free);

  add_transcript (model, second, second_t, 3);
  add_transcript (model, first, first_t, 3);
  vtt = va_webvtt_writer_build (model, NULL, &n);
  g_assert_cmpstr (vtt, ==,
                   "WEBVTT\n\n"
                   "1\n00:00:01.000 --> 00:00:01.900\nhe was not\n\n"
                   "2\n00:00:03.000 --> 00:00:03.500\na&lt;b&gt; &amp; c\n\n");
  g_assert_cmpuint (n, ==, 2);
  g_clear_pointer (&vtt, g_free);

  /* Speaker turns change nothing: no `<v>` voice tags (clients of the 1.4
   * service show them literally), no cue split at a speaker change. */
  va_annotation_model_add_speaker_turn (model, 900 * MS, 1550 * MS, 0);
  va_annotation_model_add_speaker_turn (model, 1550 * MS, 2 * GST_SECOND, 1);
  va_annotation_model_add_speaker_turn (model, 2900 * MS, 3600 * MS, 0);
  g_assert_cmpint (va_annotation_model_find_speaker (model, 1500 * MS, 1900 * MS), ==, 1);
  g_assert_cmpint (va_annotation_model_find_speaker (model, 5 * GST_SECOND, 6 * GST_SECOND), ==,
                   -1);
  vtt = va_webvtt_writer_build (model, NULL, &n);
  g_assert_cmpstr (vtt, ==,
                   "WEBVTT\n\n"
                   "1\n00:00:01.000 --> 00:00:01.900\nhe was not\n\n"
                   "2\n00:00:03.000 --> 00:00:03.500\na&lt;b&gt; &amp; c\n\n");
  g_assert_cmpuint (n, ==, 2);
}

/* An utterance longer than VA_WEBVTT_MAX_CUE_DURATION continues in a new
 * cue at the next word. */
static void
test_webvtt_long (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (GArray) words = va_transcript_words_new ();
  g_autofree char *vtt = NULL;
  guint n = 0;

  for (guint i = 0; i < 15; i++)
    va_transcript_words_append (words, "word", i * GST_SECOND, i * GST_SECOND + 500 * MS, 1.0);
  va_annotation_model_add_transcript (model, 0, 15 * GST_SECOND,
                                      (const VaTranscriptWord *)words->data, words->len);
  vtt = va_webvtt_writer_build (model, NULL, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_nonnull (strstr (vtt, "1\n00:00:00.000 --> 00:00:09.500\n"));
  g_assert_nonnull (strstr (vtt, "2\n00:00:10.000 --> 00:00:14.500\n"));
}

static void
test_outputs (void)
{
  const VaAnnotationOutput *outputs;
  guint n, n_audio = 0;
  g_autofree char *vtt = NULL;

  outputs = va_annotation_output_get_all (&n);
  for (guint i = 0; i < n; i++) {
    if (g_str_equal (outputs[i].pipeline, "audio_processing")) {
      n_audio++;
      g_assert_true (g_str_equal (outputs[i].suffix, "_audio_processing.vtt")
                     || g_str_equal (outputs[i].suffix, "_audio_processing.rttm"));
    }
    if (g_str_equal (outputs[i].pipeline, "voice_activity"))
      g_assert_cmpstr (outputs[i].suffix, ==, "_voice_activity.csv");
    if (g_str_equal (outputs[i].pipeline, "speech_recognition"))
      vtt = va_annotation_output_build_path (&outputs[i], "/out", "clip");
  }
  g_assert_cmpuint (n_audio, ==, 2);
  g_assert_cmpstr (vtt, ==, "/out/clip_speech_recognition.vtt");
  g_assert_true (va_annotation_output_is_known ("speaker_diarization"));
}

/* Files are written whole, also the empty ones. */
static void
test_write_files (void)
{
  g_autoptr (VaAnnotationModel) model = va_annotation_model_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-audio-writers-XXXXXX", &error);
  g_autofree char *vtt = g_build_filename (dir, "a.vtt", NULL);
  g_autofree char *rttm = g_build_filename (dir, "a.rttm", NULL);
  g_autofree char *csv = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *text = NULL;
  guint n = 99;

  g_assert_no_error (error);
  g_assert_true (va_webvtt_writer_write (model, vtt, &n, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (vtt, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "WEBVTT\n\n");
  g_assert_true (va_rttm_writer_write (model, rttm, &n, &error));
  g_assert_true (va_csv_writer_write_voice_activity (model, csv, &n, &error));
  g_assert_no_error (error);

  g_unlink (vtt);
  g_unlink (rttm);
  g_unlink (csv);
  g_rmdir (dir);

  /* Writing into a missing directory fails with a GError, not a crash. */
  g_assert_false (va_rttm_writer_write (model, "/nonexistent-dir/x.rttm", &n, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audio-writers/metas", test_metas);
  g_test_add_func ("/audio-writers/voice-activity-csv", test_voice_activity_csv);
  g_test_add_func ("/audio-writers/rttm", test_rttm);
  g_test_add_func ("/audio-writers/webvtt-time", test_webvtt_time);
  g_test_add_func ("/audio-writers/webvtt", test_webvtt);
  g_test_add_func ("/audio-writers/webvtt-long", test_webvtt_long);
  g_test_add_func ("/audio-writers/outputs", test_outputs);
  g_test_add_func ("/audio-writers/write-files", test_write_files);
  return g_test_run ();
}
