"""Import a GLB with Blender and print its armatures, actions and skinned meshes as JSON.

Usage: .venv-blender/bin/python blender_read_glb.py FILE.glb
"""

import json
import sys

import bpy

bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.import_scene.gltf(filepath=sys.argv[1])
print(
    json.dumps(
        {
            "armatures": [
                {"name": o.name, "bones": sorted(b.name for b in o.data.bones)}
                for o in bpy.data.objects
                if o.type == "ARMATURE"
            ],
            "actions": sorted(a.name for a in bpy.data.actions),
            "skinned": sorted(
                o.name
                for o in bpy.data.objects
                if o.type == "MESH" and any(m.type == "ARMATURE" for m in o.modifiers)
            ),
            "bone_children": sorted(
                f"{o.parent_bone}/{o.name}" for o in bpy.data.objects if o.parent_bone
            ),
        }
    )
)
