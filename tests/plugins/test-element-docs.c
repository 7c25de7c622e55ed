/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every element of the videoannotator plugins documents itself for
 * gst-inspect-1.0: long name, classification, a real description, author,
 * pad templates, and a nick and blurb for each of its own properties. */
#include <gst/gst.h>

static void
check_factory (GstElementFactory *factory)
{
  const char *name = GST_OBJECT_NAME (factory);
  const char *keys[] = { GST_ELEMENT_METADATA_LONGNAME, GST_ELEMENT_METADATA_KLASS,
                         GST_ELEMENT_METADATA_DESCRIPTION, GST_ELEMENT_METADATA_AUTHOR };
  g_autoptr (GstElement) element = gst_element_factory_create (factory, NULL);
  g_autofree GParamSpec **props = NULL;
  GType type = gst_element_factory_get_element_type (factory);
  guint n_props = 0, own = 0;

  g_test_message ("%s", name);
  g_assert_true (g_str_has_prefix (name, "va"));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
    const char *value = gst_element_factory_get_metadata (factory, keys[i]);
    g_assert_nonnull (value);
    g_assert_cmpuint (strlen (value), >, 3);
  }
  /* A description that says what the element does and how. */
  g_assert_cmpuint (
      strlen (gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_DESCRIPTION)), >=,
      80);
  g_assert_cmpuint (gst_element_factory_get_num_pad_templates (factory), >=, 1);

  props = g_object_class_list_properties (G_OBJECT_GET_CLASS (element), &n_props);
  for (guint i = 0; i < n_props; i++) {
    GParamSpec *pspec = props[i];
    const char *blurb = g_param_spec_get_blurb (pspec);

    if (pspec->owner_type != type)
      continue;
    own++;
    g_assert_nonnull (g_param_spec_get_nick (pspec));
    g_assert_nonnull (blurb);
    g_assert_cmpuint (strlen (blurb), >=, 20);
    g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
  }
  g_assert_cmpuint (own, >, 0);
}

static void
test_element_docs (void)
{
  /* the project's plugins, one per library the elements need */
  const char *const plugins[] = { "videoannotator", "videoannotatoropencv", "videoannotatorspeech",
                                  "videoannotatoroverlay" };
  GstRegistry *registry = gst_registry_get ();
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (plugins); i++) {
    g_autoptr (GstPlugin) plugin = gst_registry_find_plugin (registry, plugins[i]);
    GList *features;
    guint in_plugin = 0;

    g_test_message ("plugin %s", plugins[i]);
    g_assert_nonnull (plugin);
    g_assert_cmpstr (gst_plugin_get_description (plugin), !=, NULL);
    features = gst_registry_get_feature_list_by_plugin (registry, plugins[i]);
    for (GList *l = features; l != NULL; l = l->next) {
      if (!GST_IS_ELEMENT_FACTORY (l->data))
        continue;
      check_factory (GST_ELEMENT_FACTORY (gst_plugin_feature_load (l->data)));
      in_plugin++;
    }
    gst_plugin_feature_list_free (features);
    g_assert_cmpuint (in_plugin, >=, 1);
    n += in_plugin;
  }
  /* scene, motion, sink, vad, diarize, face, person, speech, overlay */
  g_assert_cmpuint (n, >=, 9);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin/element-docs", test_element_docs);

  return g_test_run ();
}
