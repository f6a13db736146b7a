#!/usr/bin/env python3
"""A drag source for the drag-and-drop test: a small GTK3 window at
(0, 0) that offers the files named on the command line as text/uri-list
when dragged (the test drags it with xdotool). Exits after a drop or
after 20 s."""
import sys
import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gtk, Gdk, GLib

uris = [GLib.filename_to_uri(path, None) for path in sys.argv[1:]]

window = Gtk.Window(title="hop-drag-source")
window.set_default_size(120, 120)
window.move(0, 0)
button = Gtk.Button(label="drag me")
window.add(button)
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()


def on_get(widget, context, data, info, time):
    data.set_uris(uris)


def on_end(widget, context):
    GLib.timeout_add(200, Gtk.main_quit)


button.connect("drag-data-get", on_get)
button.connect("drag-end", on_end)
window.connect("destroy", Gtk.main_quit)
GLib.timeout_add_seconds(20, Gtk.main_quit)
window.show_all()
print("ready", flush=True)
Gtk.main()
