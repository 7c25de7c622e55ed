/* Synthetic test video built from photos Debian ships (opencv-doc): faces
 * with hand-labelled boxes pasted, moved and scaled over backgrounds, so
 * every frame has known face boxes. Shared by the plugin tests and the
 * benchmarks in bench/.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

#define VA_TEST_OPENCV_DOC_HTML "/usr/share/doc/opencv-doc/opencv4/html"
#define VA_TEST_OPENCV_DOC_DATA "/usr/share/doc/opencv-doc/examples/data"

typedef struct {
  double x, y, width, height;
} VaTestRect;

/* An I420 image (chroma planes at half size, rounded up). */
typedef struct {
  int width;
  int height;
  guint8 *planes[3];
  int strides[3];
} VaTestImage;

VaTestImage *va_test_image_new (int width, int height, guint8 luma);
VaTestImage *va_test_image_load (const char *path, GError **error);
VaTestImage *va_test_image_copy (const VaTestImage *image);
void va_test_image_free (VaTestImage *image);
void va_test_image_draw (VaTestImage *dst, const VaTestImage *src, const VaTestRect *src_rect,
                         const VaTestRect *dst_rect);
GstBuffer *va_test_image_to_buffer (const VaTestImage *image, GstVideoInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestImage, va_test_image_free)

double va_test_rect_iou (const VaTestRect *a, const VaTestRect *b);

/* A labelled or detected box. Box files have one per line,
 * "frame id x y width height [ignore]"; `id` is an identity label ("-" when
 * none) or, in detection files, the track id. A line "#! all-frames" says
 * every frame of the video is labelled (frames without lines are empty);
 * otherwise only frames that appear are. */
typedef struct {
  guint frame;
  char id[16];
  VaTestRect box;
  gboolean ignore;
  int track; /* detection files: the id as a number; -1 otherwise */
} VaTestBox;

GArray *va_test_boxes_load (const char *path, gboolean detections, gboolean *all_frames,
                            GError **error);

/* A face photo: the part of the file used, and the face box inside it
 * (forehead to chin, cheek to cheek), both in file pixels. */
typedef struct {
  const char *name;
  const char *path;
  VaTestRect crop;
  VaTestRect face;
} VaFacePhoto;

const VaFacePhoto *va_face_photos (guint *n_photos);

/* Where a photo is drawn at the first and at the last frame of a shot
 * (linear in between): its top-left corner and its drawn height, as
 * fractions of the frame height (x too, so sizes do not depend on the
 * aspect ratio). */
typedef struct {
  guint photo;
  double x0, y0, h0;
  double x1, y1, h1;
} VaFaceMove;

#define VA_FACE_SHOT_MAX_FACES 3

/* `background`: index into the background list, or -1 for a flat grey frame. */
typedef struct {
  int background;
  guint n_frames;
  guint n_faces;
  VaFaceMove faces[VA_FACE_SHOT_MAX_FACES];
} VaFaceShot;

typedef struct _VaFaceVideo VaFaceVideo;

VaFaceVideo *va_face_video_new (int width, int height, const VaFaceShot *shots, guint n_shots,
                                GError **error);
void va_face_video_free (VaFaceVideo *video);
guint va_face_video_get_n_frames (VaFaceVideo *video);
/* Renders frame `index` into `frame` (allocated by the video); fills `truth`
 * with the face boxes, `ids` with a per-face identity (shot × 10 + slot: a
 * tracker should keep one track id per identity). Returns the face count. */
guint va_face_video_render (VaFaceVideo *video, guint index, VaTestImage **frame,
                            VaTestRect truth[VA_FACE_SHOT_MAX_FACES],
                            guint ids[VA_FACE_SHOT_MAX_FACES]);
/* Only the truth, no pixels. */
guint va_face_video_truth (VaFaceVideo *video, guint index,
                           VaTestRect truth[VA_FACE_SHOT_MAX_FACES],
                           guint ids[VA_FACE_SHOT_MAX_FACES]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaFaceVideo, va_face_video_free)

/* Installs model `name` into `models_dir` with `videoannotator models
 * install` (from the npm registry) unless it is there already. */
void va_test_ensure_model (const char *cli, const char *models_dir, const char *name);

/* `element` (a gst-launch description with the model asked for by name)
 * with an empty models-dir: the start fails with GST_RESOURCE_ERROR_NOT_FOUND
 * naming `videoannotator models install model_name`. */
void va_test_assert_model_required (const char *element, const char *model_name);

G_END_DECLS
