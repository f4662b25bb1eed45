"""Convert a GLB to FBX inside Blender (bpy); run ONLY by the Blender venv's Python.

Usage: python blender_fbx.py IN.glb OUT.fbx
Prints one JSON line describing what was exported. The main venv never imports this
file: bpy pins numpy 1.x, so it lives in `.venv-blender` (`make blender`).
"""

import json
import sys


def main(source: str, target: str) -> None:
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=source)
    # The glTF importer adds a bone-display mesh ("Icosphere") in this collection, and the
    # FBX exporter would ship it as a stray object.
    helpers = bpy.data.collections.get("glTF_not_exported")
    if helpers is not None:
        for obj in list(helpers.objects):
            bpy.data.objects.remove(obj, do_unlink=True)
        bpy.data.collections.remove(helpers)
    for material in bpy.data.materials:
        _bake_base_color_factor(bpy, material)
    bpy.ops.export_scene.fbx(
        filepath=target,
        path_mode="COPY",
        embed_textures=True,
        add_leaf_bones=False,
        bake_anim=True,
        bake_anim_use_all_actions=True,
        bake_anim_use_nla_strips=False,
        use_custom_props=False,
    )
    summary = {
        "meshes": sorted(o.name for o in bpy.data.objects if o.type == "MESH"),
        "armatures": sorted(o.name for o in bpy.data.objects if o.type == "ARMATURE"),
        "actions": sorted(a.name for a in bpy.data.actions),
    }
    print(json.dumps(summary))


def _bake_base_color_factor(bpy, material) -> None:
    """Multiply a tinted base colour texture into a new image linked straight to the BSDF.

    The glTF importer wires texture x factor through a Mix (multiply) node, and the FBX
    exporter only exports an image linked directly to Base Color: without this, a tinted
    texture would be dropped from the FBX.
    """
    import numpy as np

    tree = material.node_tree if material.use_nodes else None
    bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None) if tree else None
    if bsdf is None or not bsdf.inputs["Base Color"].is_linked:
        return
    mix = bsdf.inputs["Base Color"].links[0].from_node
    if mix.type != "MIX" or getattr(mix, "blend_type", "") != "MULTIPLY":
        return
    colour_inputs = [i for i in mix.inputs if i.type == "RGBA"]
    texture = next(
        (
            i.links[0].from_node
            for i in colour_inputs
            if i.is_linked and i.links[0].from_node.type == "TEX_IMAGE"
        ),
        None,
    )
    factor = next((i.default_value for i in colour_inputs if not i.is_linked), None)
    if texture is None or texture.image is None or factor is None:
        return
    source = texture.image
    width, height = source.size
    pixels = np.empty(width * height * 4, dtype=np.float32)
    source.pixels.foreach_get(pixels)
    pixels = pixels.reshape(-1, 4)
    rgb = pixels[:, :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear *= np.asarray(factor[:3], dtype=np.float32)
    linear = np.clip(linear, 0.0, 1.0)
    pixels[:, :3] = np.where(
        linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055
    )
    pixels[:, 3] *= float(factor[3])
    baked = bpy.data.images.new(f"{material.name}_basecolor", width, height, alpha=True)
    baked.pixels.foreach_set(pixels.ravel())
    baked.file_format = "PNG"
    baked.filepath_raw = f"//{material.name}_basecolor.png"
    baked.pack()
    texture.image = baked
    tree.links.new(texture.outputs["Color"], bsdf.inputs["Base Color"])
    tree.nodes.remove(mix)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
