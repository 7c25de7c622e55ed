/* va-detect-eval: builds test videos with known face boxes and measures
 * detector elements against hand-made or known boxes (recall, precision,
 * track-id switches) and their speed. Used by bench/bench-faces.sh and
 * bench/accuracy.sh; see docs/benchmarks.md and docs/accuracy.md.
 *
 *   va-detect-eval make-faces OUT.mp4 TRUTH.txt [SECONDS [WIDTH HEIGHT [SEED]]]
 *   va-detect-eval run VIDEO TRUTH.txt ROI-TYPE 'ELEMENTS' [DETECTIONS-OUT.txt]
 *   va-detect-eval agree DETECTIONS-A.txt DETECTIONS-B.txt
 *
 * Truth and detection files: one box per line, see VaTestBox in
 * tests/plugins/va-test-media.h ("frame id x y width height [ignore]").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "va-bench-cpu.h"
#include "va-test-media.h"

#define MATCH_IOU 0.5

typedef VaTestBox Box;

typedef struct {
  GArray *boxes; /* Box */
  gboolean all_frames;
} BoxList;

static void
box_list_clear (BoxList *list)
{
  g_clear_pointer (&list->boxes, g_array_unref);
}

static gboolean
read_boxes (const char *path, gboolean detections, BoxList *list, GError **error)
{
  list->boxes = va_test_boxes_load (path, detections, &list->all_frames, error);
  return list->boxes != NULL;
}

/* ---- make-faces ---- */

/* A procedural script: shots of 2–5 s, mostly one or two faces moving and
 * changing size, some with none (background or flat grey). */
static GArray *
make_script (double seconds, int fps, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  GArray *shots = g_array_new (FALSE, TRUE, sizeof (VaFaceShot));
  guint n_photos, total = 0, want = (guint)(seconds * fps);

  va_face_photos (&n_photos);
  while (total < want) {
    VaFaceShot shot = { 0 };
    double kind = g_rand_double (rand);

    shot.n_frames = MIN (want - total, (guint)(g_rand_double_range (rand, 2.0, 5.0) * fps));
    shot.background = kind < 0.05 ? -1 : g_rand_int_range (rand, 0, 4);
    shot.n_faces = kind < 0.15 ? 0 : kind < 0.65 ? 1 : 2;
    for (guint f = 0; f < shot.n_faces; f++) {
      VaFaceMove *m = &shot.faces[f];
      const VaFacePhoto *ph;
      double aspect, slot_w = 16.0 / 9.0 / shot.n_faces, max_h, w0, w1;

      m->photo = g_rand_int_range (rand, 0, n_photos);
      ph = &va_face_photos (&n_photos)[m->photo];
      aspect = ph->crop.width / ph->crop.height;
      /* Photo height as a fraction of the frame; two faces share it. */
      max_h = MIN (0.95, slot_w / aspect);
      m->h0 = g_rand_double_range (rand, 0.3, max_h);
      m->h1 = CLAMP (m->h0 * g_rand_double_range (rand, 0.7, 1.4), 0.3, max_h);
      w0 = m->h0 * aspect;
      w1 = m->h1 * aspect;
      m->x0 = f * slot_w + g_rand_double_range (rand, 0, MAX (1e-3, slot_w - w0));
      m->x1 = f * slot_w + g_rand_double_range (rand, 0, MAX (1e-3, slot_w - w1));
      m->y0 = g_rand_double_range (rand, 0, MAX (1e-3, 1.0 - m->h0));
      m->y1 = g_rand_double_range (rand, 0, MAX (1e-3, 1.0 - m->h1));
    }
    g_array_append_val (shots, shot);
    total += shot.n_frames;
  }
  return shots;
}

static int
make_faces (const char *out, const char *truth_path, double seconds, int width, int height,
            guint32 seed)
{
  const int fps = 25;
  g_autoptr (GArray) shots = make_script (seconds, fps, seed);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaFaceVideo) video
      = va_face_video_new (width, height, (VaFaceShot *)shots->data, shots->len, &error);
  g_autofree char *tmp = g_strconcat (out, ".tmp", NULL);
  g_autofree char *desc = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GString) truth = g_string_new (NULL);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  GstCaps *caps;

  if (video == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  /* One encoder thread: several make the stream differ from run to run. */
  desc = g_strdup_printf (
      "appsrc name=src format=time ! videoconvert ! "
      "x264enc speed-preset=medium threads=1 key-int-max=%d ! h264parse ! mp4mux ! "
      "filesink location=\"%s\"",
      2 * fps, tmp);
  pipeline = gst_parse_launch (desc, &error);
  if (pipeline == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                              width, "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION,
                              fps, 1, NULL);
  g_object_set (src, "caps", caps, "block", TRUE, "max-bytes", (guint64)64 << 20, NULL);
  gst_caps_unref (caps);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  g_string_append_printf (truth,
                          "# Faces drawn by va-detect-eval make-faces %g s %dx%d seed %u\n"
                          "#! all-frames\n# frame id x y width height\n",
                          seconds, width, height, seed);
  for (guint i = 0; i < va_face_video_get_n_frames (video); i++) {
    VaTestRect boxes[VA_FACE_SHOT_MAX_FACES];
    guint ids[VA_FACE_SHOT_MAX_FACES];
    VaTestImage *img;
    guint n = va_face_video_render (video, i, &img, boxes, ids);
    GstVideoInfo info;
    GstBuffer *buf = va_test_image_to_buffer (img, &info);
    GstFlowReturn ret;

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (i, GST_SECOND, fps);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (1, GST_SECOND, fps);
    g_signal_emit_by_name (src, "push-buffer", buf, &ret);
    gst_buffer_unref (buf);
    for (guint k = 0; k < n; k++)
      g_string_append_printf (truth, "%u f%u %.1f %.1f %.1f %.1f\n", i, ids[k], boxes[k].x,
                              boxes[k].y, boxes[k].width, boxes[k].height);
  }
  {
    GstFlowReturn ret;

    g_signal_emit_by_name (src, "end-of-stream", &ret);
  }
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("encoding failed: %s\n", err->message);
    return 1;
  }
  if (!g_file_set_contents (truth_path, truth->str, truth->len, &error)
      || g_rename (tmp, out) != 0) {
    g_printerr ("writing %s: %s\n", out, error ? error->message : g_strerror (errno));
    return 1;
  }
  g_print ("%s: %u frames, %u shots\n", out, va_face_video_get_n_frames (video), shots->len);
  return 0;
}

/* ---- run ---- */

typedef struct {
  GQuark roi_type;
  GArray *detections; /* Box */
  guint frames;
} Collect;

static GstPadProbeReturn
collect_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Collect *c = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gpointer state = NULL;
  GstMeta *meta;
  guint frame;

  /* Decoders output every frame in order; timestamps may start late (an
   * encoder's B-frame delay), so count instead. */
  frame = c->frames++;
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
                                                   GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
    GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, "detection");
    Box b = { .frame = frame, .track = -1 };

    if (roi->roi_type != c->roi_type)
      continue;
    if (s != NULL)
      gst_structure_get_int (s, "track-id", &b.track);
    b.box = (VaTestRect){ roi->x, roi->y, roi->w, roi->h };
    g_array_append_val (c->detections, b);
  }
  return GST_PAD_PROBE_OK;
}

/* Greedy matching, best IoU first, of one frame's detections to its truth.
 * Returns per-detection the matched truth index, -1 (false positive) or -2
 * (on an ignored box). */
static void
match_frame (const Box *truth, guint n_truth, const Box *dets, guint n_dets, int *det_match,
             int *truth_match)
{
  for (guint d = 0; d < n_dets; d++)
    det_match[d] = -1;
  for (guint t = 0; t < n_truth; t++)
    truth_match[t] = -1;
  for (;;) {
    double best = MATCH_IOU;
    int bt = -1, bd = -1;

    for (guint t = 0; t < n_truth; t++) {
      if (truth[t].ignore || truth_match[t] >= 0)
        continue;
      for (guint d = 0; d < n_dets; d++) {
        double iou;

        if (det_match[d] != -1)
          continue;
        iou = va_test_rect_iou (&truth[t].box, &dets[d].box);
        if (iou >= best) {
          best = iou;
          bt = (int)t;
          bd = (int)d;
        }
      }
    }
    if (bt < 0)
      break;
    truth_match[bt] = bd;
    det_match[bd] = bt;
  }
  /* Unmatched detections on an ignored person (overlapping it enough, or
   * mostly inside it) are not false positives. */
  for (guint d = 0; d < n_dets; d++) {
    if (det_match[d] != -1)
      continue;
    for (guint t = 0; t < n_truth; t++) {
      const VaTestRect *a = &truth[t].box, *b = &dets[d].box;
      double iw = MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x);
      double ih = MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y);
      double inter = iw > 0 && ih > 0 ? iw * ih : 0.0;

      if (truth[t].ignore
          && (va_test_rect_iou (a, b) >= MATCH_IOU || inter >= 0.5 * b->width * b->height)) {
        det_match[d] = -2;
        break;
      }
    }
  }
}

typedef struct {
  guint frames_scored;
  guint tp, fp, fn;
  guint id_switches;
  guint identities;
  GHashTable *tracks_seen;
} Score;

/* Index boxes by frame once: frame -> GArray of Box. */
static GHashTable *
index_by_frame (const GArray *all)
{
  GHashTable *index = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_array_unref);

  for (guint i = 0; i < all->len; i++) {
    const Box *b = &g_array_index (all, Box, i);
    GArray *list = g_hash_table_lookup (index, GUINT_TO_POINTER (b->frame));

    if (list == NULL) {
      list = g_array_new (FALSE, FALSE, sizeof (Box));
      g_hash_table_insert (index, GUINT_TO_POINTER (b->frame), list);
    }
    g_array_append_val (list, *b);
  }
  return index;
}

static void
score_run (const BoxList *truth, const GArray *detections, guint n_frames, Score *score)
{
  g_autoptr (GHashTable) truth_index = index_by_frame (truth->boxes);
  g_autoptr (GHashTable) det_index = index_by_frame (detections);
  g_autoptr (GHashTable) last_track = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint));

  memset (score, 0, sizeof *score);
  score->tracks_seen = g_hash_table_new (NULL, NULL);
  if (truth->all_frames) {
    for (guint f = 0; f < n_frames; f++)
      g_array_append_val (frames, f);
  } else {
    g_autoptr (GList) keys = g_hash_table_get_keys (truth_index);

    for (GList *l = keys; l != NULL; l = l->next) {
      guint f = GPOINTER_TO_UINT (l->data);

      g_array_append_val (frames, f);
    }
  }
  for (guint k = 0; k < frames->len; k++) {
    guint f = g_array_index (frames, guint, k);
    GArray *t = g_hash_table_lookup (truth_index, GUINT_TO_POINTER (f));
    GArray *d = g_hash_table_lookup (det_index, GUINT_TO_POINTER (f));
    guint nt = t ? t->len : 0, nd = d ? d->len : 0;
    g_autofree int *dm = g_new (int, MAX (nd, 1));
    g_autofree int *tm = g_new (int, MAX (nt, 1));

    score->frames_scored++;
    match_frame (t ? (Box *)t->data : NULL, nt, d ? (Box *)d->data : NULL, nd, dm, tm);
    for (guint i = 0; i < nd; i++)
      if (dm[i] == -1)
        score->fp++;
    for (guint i = 0; i < nt; i++) {
      const Box *tb = &g_array_index (t, Box, i);
      const Box *db;
      gpointer prev;

      if (tb->ignore)
        continue;
      if (tm[i] < 0) {
        score->fn++;
        continue;
      }
      score->tp++;
      db = &g_array_index (d, Box, tm[i]);
      if (db->track < 0 || g_str_equal (tb->id, "-"))
        continue;
      g_hash_table_add (score->tracks_seen, GINT_TO_POINTER (db->track));
      if (g_hash_table_lookup_extended (last_track, tb->id, NULL, &prev)) {
        if (GPOINTER_TO_INT (prev) != db->track)
          score->id_switches++;
      } else {
        score->identities++;
      }
      g_hash_table_insert (last_track, g_strdup (tb->id), GINT_TO_POINTER (db->track));
    }
  }
}

static int
run (const char *video, const char *truth_path, const char *roi_type, const char *elements,
     const char *save)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *quoted = g_strescape (video, NULL);
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! decodebin ! videoconvert ! %s ! fakesink name=sink sync=false",
      quoted, elements);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  Collect c = { .roi_type = g_quark_from_string (roi_type) };
  BoxList truth = { 0 };
  Score score;
  gint64 t0, t1;
  double cpu0, cpu1;

  if (!read_boxes (truth_path, FALSE, &truth, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  pipeline = gst_parse_launch (desc, &error);
  if (pipeline == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  c.detections = g_array_new (FALSE, FALSE, sizeof (Box));
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, collect_probe, &c, NULL);
  bus = gst_element_get_bus (pipeline);

  t0 = g_get_monotonic_time ();
  cpu0 = va_bench_process_cpu_seconds ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  t1 = g_get_monotonic_time ();
  cpu1 = va_bench_process_cpu_seconds ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("%s: %s\n", elements, err->message);
    return 1;
  }

  score_run (&truth, c.detections, c.frames, &score);
  g_print ("elements: %s\n", elements);
  g_print ("  frames %u, wall %.2f s (%.1f frames/s), cpu %.2f s (%.1f frames per cpu-second)\n",
           c.frames, (t1 - t0) / 1e6, c.frames / ((t1 - t0) / 1e6), cpu1 - cpu0,
           c.frames / (cpu1 - cpu0));
  g_print ("  scored frames %u: recall %.3f (%u/%u), precision %.3f (%u false positives)\n",
           score.frames_scored, score.tp / (double)MAX (score.tp + score.fn, 1), score.tp,
           score.tp + score.fn, score.tp / (double)MAX (score.tp + score.fp, 1), score.fp);
  if (score.identities > 0)
    g_print ("  identities %u, track ids on them %u, id switches %u\n", score.identities,
             g_hash_table_size (score.tracks_seen), score.id_switches);

  if (save != NULL) {
    g_autoptr (GString) out = g_string_new ("# frame track x y width height\n");

    for (guint i = 0; i < c.detections->len; i++) {
      const Box *b = &g_array_index (c.detections, Box, i);

      g_string_append_printf (out, "%u %d %.0f %.0f %.0f %.0f\n", b->frame, b->track, b->box.x,
                              b->box.y, b->box.width, b->box.height);
    }
    if (!g_file_set_contents (save, out->str, out->len, &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  }
  g_hash_table_unref (score.tracks_seen);
  g_array_unref (c.detections);
  box_list_clear (&truth);
  return 0;
}

/* ---- agree ---- */

/* How many of A's boxes B also has (IoU >= 0.5), and the reverse. */
static int
agree (const char *path_a, const char *path_b)
{
  g_autoptr (GError) error = NULL;
  BoxList a = { 0 }, b = { 0 };
  g_autoptr (GHashTable) ia = NULL;
  g_autoptr (GHashTable) ib = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint matched = 0;
  double iou_sum = 0;

  if (!read_boxes (path_a, TRUE, &a, &error) || !read_boxes (path_b, TRUE, &b, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  ia = index_by_frame (a.boxes);
  ib = index_by_frame (b.boxes);
  g_hash_table_iter_init (&iter, ia);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GArray *la = value, *lb = g_hash_table_lookup (ib, key);
    guint nb = lb ? lb->len : 0;
    g_autofree int *dm = g_new (int, MAX (nb, 1));
    g_autofree int *tm = g_new (int, MAX (la->len, 1));

    match_frame ((Box *)la->data, la->len, lb ? (Box *)lb->data : NULL, nb, dm, tm);
    for (guint i = 0; i < la->len; i++) {
      if (tm[i] >= 0) {
        matched++;
        iou_sum += va_test_rect_iou (&g_array_index (la, Box, i).box,
                                     &g_array_index (lb, Box, tm[i]).box);
      }
    }
  }
  g_print ("boxes: %u in %s, %u in %s; matched pairs (IoU >= %.1f): %u (mean IoU %.2f)\n",
           a.boxes->len, path_a, b.boxes->len, path_b, MATCH_IOU, matched,
           matched ? iou_sum / matched : 0.0);
  g_print ("  %.1f %% of the first file's boxes are in the second, %.1f %% the other way\n",
           100.0 * matched / MAX (a.boxes->len, 1), 100.0 * matched / MAX (b.boxes->len, 1));
  box_list_clear (&a);
  box_list_clear (&b);
  return 0;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);

  if (argc >= 4 && g_str_equal (argv[1], "make-faces"))
    return make_faces (argv[2], argv[3], argc > 4 ? g_ascii_strtod (argv[4], NULL) : 60.0,
                       argc > 6 ? atoi (argv[5]) : 1280, argc > 6 ? atoi (argv[6]) : 720,
                       argc > 7 ? (guint32)atoi (argv[7]) : 1);
  if (argc >= 6 && g_str_equal (argv[1], "run"))
    return run (argv[2], argv[3], argv[4], argv[5], argc > 6 ? argv[6] : NULL);
  if (argc == 4 && g_str_equal (argv[1], "agree"))
    return agree (argv[2], argv[3]);
  g_printerr ("usage:\n"
              "  %s make-faces OUT.mp4 TRUTH.txt [SECONDS [WIDTH HEIGHT [SEED]]]\n"
              "  %s run VIDEO TRUTH.txt ROI-TYPE 'ELEMENTS' [DETECTIONS-OUT.txt]\n"
              "  %s agree DETECTIONS-A.txt DETECTIONS-B.txt\n",
              argv[0], argv[0], argv[0]);
  return 2;
}
