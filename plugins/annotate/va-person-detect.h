/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-detector.h"

G_BEGIN_DECLS

/**
 * VaPersonDetectModel:
 * @VA_PERSON_DETECT_MODEL_HOG_PEOPLE: OpenCV's HOG + linear SVM people
 *   detector (standing/walking people, whole body)
 * @VA_PERSON_DETECT_MODEL_HAAR_UPPERBODY: Haar upper-body cascade (head and
 *   shoulders; also finds seated people; boxes cover the upper body only)
 * @VA_PERSON_DETECT_MODEL_CENTERNET: CenterNet (MobileNetV3, COCO), neural,
 *   through OpenCV DNN (`videoannotator models install centernet`)
 * @VA_PERSON_DETECT_MODEL_AUTO: CenterNet when installed, otherwise HOG with
 *   a warning
 */
typedef enum {
  VA_PERSON_DETECT_MODEL_HOG_PEOPLE,
  VA_PERSON_DETECT_MODEL_HAAR_UPPERBODY,
  VA_PERSON_DETECT_MODEL_CENTERNET,
  VA_PERSON_DETECT_MODEL_AUTO,
} VaPersonDetectModel;

#define VA_TYPE_PERSON_DETECT_MODEL (va_person_detect_model_get_type ())
GType va_person_detect_model_get_type (void);

/**
 * VaPersonPoseModel:
 * @VA_PERSON_POSE_MODEL_NONE: no body keypoints
 * @VA_PERSON_POSE_MODEL_MOVENET: MoveNet SinglePose Lightning, neural,
 *   through OpenCV DNN (`videoannotator models install movenet`)
 * @VA_PERSON_POSE_MODEL_AUTO: MoveNet when installed, otherwise no
 *   keypoints, with a warning
 */
typedef enum {
  VA_PERSON_POSE_MODEL_NONE,
  VA_PERSON_POSE_MODEL_MOVENET,
  VA_PERSON_POSE_MODEL_AUTO,
} VaPersonPoseModel;

#define VA_TYPE_PERSON_POSE_MODEL (va_person_pose_model_get_type ())
GType va_person_pose_model_get_type (void);

#define VA_TYPE_PERSON_DETECT (va_person_detect_get_type ())
G_DECLARE_FINAL_TYPE (VaPersonDetect, va_person_detect, VA, PERSON_DETECT, VaDetector)

GST_ELEMENT_REGISTER_DECLARE (vapersondetect);

G_END_DECLS
