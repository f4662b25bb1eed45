"""Read an FBX back with Blender and print what it holds as JSON (run by the Blender venv).

Usage: .venv-blender/bin/python blender_read_fbx.py FILE.fbx
"""

import json
import sys

import bpy

bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.import_scene.fbx(filepath=sys.argv[1])
meshes = []
for obj in bpy.data.objects:
    if obj.type != "MESH":
        continue
    images = []  # per material: the base colour image's size and mean sRGB colour
    for slot in obj.material_slots:
        tree = slot.material.node_tree if slot.material and slot.material.use_nodes else None
        for node in tree.nodes if tree else []:
            base = node.inputs.get("Base Color") if node.type == "BSDF_PRINCIPLED" else None
            if base is None or not base.is_linked:
                continue
            source = base.links[0].from_node
            if source.type == "TEX_IMAGE" and source.image is not None:
                pixels = list(source.image.pixels)
                count = len(pixels) // 4
                mean = [round(sum(pixels[c::4]) / count, 3) for c in range(3)]
                images.append({"size": list(source.image.size), "mean": mean})
    meshes.append(
        {
            "name": obj.name,
            "polygons": len(obj.data.polygons),
            "triangles": sum(len(p.vertices) - 2 for p in obj.data.polygons),
            "uv_layers": len(obj.data.uv_layers),
            "images": images,
            "skinned": any(m.type == "ARMATURE" for m in obj.modifiers),
        }
    )
armatures = [
    {"name": obj.name, "bones": sorted(b.name for b in obj.data.bones)}
    for obj in bpy.data.objects
    if obj.type == "ARMATURE"
]
actions = sorted(a.name for a in bpy.data.actions)
objects = sorted(o.name for o in bpy.data.objects)
print(
    json.dumps({"meshes": meshes, "armatures": armatures, "actions": actions, "objects": objects})
)
