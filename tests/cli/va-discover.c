/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* va-discover FILE: what GstDiscoverer finds in a media file, as JSON on
 * stdout (container caps, duration in seconds, and per stream its caps and,
 * for video, size and frame rate), for tests that check written media. */
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <json-glib/json-glib.h>

static void
add_caps (JsonBuilder *builder, GstDiscovererStreamInfo *info)
{
  g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (info);
  g_autofree char *text = caps != NULL ? gst_caps_to_string (caps) : g_strdup ("");
  const char *name = "";

  if (caps != NULL && gst_caps_get_size (caps) > 0)
    name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  json_builder_set_member_name (builder, "media_type");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "caps");
  json_builder_add_string_value (builder, text);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) discoverer = NULL;
  g_autoptr (GstDiscovererInfo) info = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  GstDiscovererStreamInfo *container;
  GList *streams;

  gst_init (&argc, &argv);
  if (argc != 2) {
    g_printerr ("usage: va-discover FILE\n");
    return 2;
  }
  uri = gst_filename_to_uri (argv[1], &error);
  if (uri == NULL || (discoverer = gst_discoverer_new (30 * GST_SECOND, &error)) == NULL) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK) {
    g_printerr ("cannot discover %s: %s\n", argv[1], error != NULL ? error->message : "failed");
    return 1;
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, gst_discoverer_info_get_duration (info) / 1e9);
  container = gst_discoverer_info_get_stream_info (info);
  json_builder_set_member_name (builder, "container");
  json_builder_begin_object (builder);
  add_caps (builder, container);
  json_builder_end_object (builder);
  gst_discoverer_stream_info_unref (container);

  json_builder_set_member_name (builder, "streams");
  json_builder_begin_array (builder);
  streams = gst_discoverer_info_get_stream_list (info);
  for (GList *l = streams; l != NULL; l = l->next) {
    GstDiscovererStreamInfo *s = l->data;
    if (GST_IS_DISCOVERER_CONTAINER_INFO (s))
      continue;
    json_builder_begin_object (builder);
    add_caps (builder, s);
    if (GST_IS_DISCOVERER_VIDEO_INFO (s)) {
      GstDiscovererVideoInfo *v = GST_DISCOVERER_VIDEO_INFO (s);
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, gst_discoverer_video_info_get_width (v));
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, gst_discoverer_video_info_get_height (v));
      json_builder_set_member_name (builder, "framerate");
      json_builder_add_double_value (builder,
                                     gst_discoverer_video_info_get_framerate_denom (v) > 0
                                         ? (double)gst_discoverer_video_info_get_framerate_num (v)
                                               / gst_discoverer_video_info_get_framerate_denom (v)
                                         : 0.0);
    } else if (GST_IS_DISCOVERER_AUDIO_INFO (s)) {
      GstDiscovererAudioInfo *a = GST_DISCOVERER_AUDIO_INFO (s);
      json_builder_set_member_name (builder, "rate");
      json_builder_add_int_value (builder, gst_discoverer_audio_info_get_sample_rate (a));
      json_builder_set_member_name (builder, "channels");
      json_builder_add_int_value (builder, gst_discoverer_audio_info_get_channels (a));
    }
    json_builder_end_object (builder);
  }
  gst_discoverer_stream_info_list_free (streams);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
  return 0;
}
