"""OBJ + MTL + textures, zipped: the model for tools that read Wavefront files.

Every placed mesh becomes an `o` object in world space with its UVs and normals. The MTL
keeps the glTF base colour (`Kd`, the linear factor as-is, with `map_Kd`), opacity (`d`) and
the common PBR extension lines: roughness `Pr` and metallic `Pm` (Blender's importer reads
them), their maps `map_Pr`/`map_Pm` as greyscale PNGs split from the glTF metal-rough
texture, `norm` for a normal map and `Ke`/`map_Ke` for emission.
"""

import hashlib
import io
import re

import numpy as np
from PIL import Image

from pipelines.stages.export.archive import zip_files
from pipelines.stages.export.scene import placed_meshes


def glb_to_obj_zip(glb: bytes, *, name: str = "model") -> bytes:
    """Return a zip of `<name>.obj`, `<name>.mtl` and every texture the MTL names."""
    files, _ = glb_to_obj_files(glb, name=name)
    return zip_files(files)


def glb_to_obj_files(glb: bytes, *, name: str = "model") -> tuple[dict[str, bytes], int]:
    """Return the OBJ export's files (name -> bytes) and its triangle count."""
    name = _safe(name) or "model"
    meshes = placed_meshes(glb)
    textures = _Textures()
    mtl: list[str] = ["# Forge OBJ export (metres, Y up)"]
    material_names: dict[int, str] = {}
    lines = ["# Forge OBJ export (metres, Y up)", f"mtllib {name}.mtl"]
    offset = 0
    triangles = 0
    for number, mesh in enumerate(meshes):
        material = mesh.material
        key = id(material)
        if material is not None and key not in material_names:
            label = _unique(_safe(material.name or "") or f"material_{number}", material_names)
            material_names[key] = label
            mtl += _material_lines(label, material, textures)
        lines.append(f"o {_safe(mesh.name) or f'mesh_{number}'}")
        lines += [f"v {x:.7g} {y:.7g} {z:.7g}" for x, y, z in mesh.vertices]
        lines += [f"vn {x:.5f} {y:.5f} {z:.5f}" for x, y, z in mesh.normals]
        if mesh.uv is not None:
            lines += [f"vt {u:.6f} {v:.6f}" for u, v in mesh.uv]
        if material is not None:
            lines.append(f"usemtl {material_names[key]}")
        corners = mesh.faces + offset + 1
        if mesh.uv is not None:
            lines += [f"f {a}/{a}/{a} {b}/{b}/{b} {c}/{c}/{c}" for a, b, c in corners]
        else:
            lines += [f"f {a}//{a} {b}//{b} {c}//{c}" for a, b, c in corners]
        offset += len(mesh.vertices)
        triangles += len(mesh.faces)
    files = {f"{name}.obj": ("\n".join(lines) + "\n").encode()}
    files[f"{name}.mtl"] = ("\n".join(mtl) + "\n").encode()
    files.update(textures.files)
    return files, triangles


def _material_lines(label: str, material, textures: "_Textures") -> list[str]:
    factor = np.ones(4)
    if material.baseColorFactor is not None:
        factor = np.asarray(material.baseColorFactor, dtype=np.float64) / 255.0
    metallic = 1.0 if material.metallicFactor is None else float(material.metallicFactor)
    roughness = 1.0 if material.roughnessFactor is None else float(material.roughnessFactor)
    lines = [
        "",
        f"newmtl {label}",
        f"Kd {factor[0]:.6f} {factor[1]:.6f} {factor[2]:.6f}",
        "Ka 0 0 0",
        "Ks 0.5 0.5 0.5",
        f"Ns {max(1.0, (1.0 - roughness) * 1000):.1f}",
        f"d {factor[3]:.6f}",
        "illum 2",
        f"Pr {roughness:.6f}",
        f"Pm {metallic:.6f}",
    ]
    base = material.baseColorTexture
    if isinstance(base, Image.Image):
        lines.append(f"map_Kd {textures.add(base, f'{label}_basecolor')}")
    metal_rough = material.metallicRoughnessTexture
    if isinstance(metal_rough, Image.Image):
        rgb = metal_rough.convert("RGB")
        lines.append(f"map_Pr {textures.add(rgb.getchannel('G'), f'{label}_roughness')}")
        lines.append(f"map_Pm {textures.add(rgb.getchannel('B'), f'{label}_metallic')}")
    if isinstance(material.normalTexture, Image.Image):
        lines.append(f"norm {textures.add(material.normalTexture, f'{label}_normal')}")
    emissive = material.emissiveFactor
    if emissive is not None and np.any(np.asarray(emissive) > 0):
        e = np.asarray(emissive, dtype=np.float64)
        lines.append(f"Ke {e[0]:.6f} {e[1]:.6f} {e[2]:.6f}")
    if isinstance(material.emissiveTexture, Image.Image):
        lines.append(f"map_Ke {textures.add(material.emissiveTexture, f'{label}_emissive')}")
    return lines


class _Textures:
    """Encode each distinct image once and name its file."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        # id() -> (image, file): the image is kept alive so its id is never reused by a
        # temporary (a channel split), which would hand out another image's file.
        self._by_image: dict[int, tuple[Image.Image, str]] = {}
        self._by_digest: dict[str, str] = {}

    def add(self, image: Image.Image, stem: str) -> str:
        if id(image) in self._by_image:
            return self._by_image[id(image)][1]
        jpeg = (image.format or "").upper() == "JPEG"
        out = io.BytesIO()
        if jpeg:
            image.convert("RGB").save(out, format="JPEG", quality=92)
        else:
            image.save(out, format="PNG", compress_level=4)
        data = out.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._by_digest:
            file = f"{stem}.{'jpg' if jpeg else 'png'}"
            self.files[file] = data
            self._by_digest[digest] = file
        self._by_image[id(image)] = (image, self._by_digest[digest])
        return self._by_digest[digest]


def _safe(text: str) -> str:
    """Return `text` usable as an OBJ/MTL name and a file name (no spaces or separators)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("._")[:80]


def _unique(label: str, taken: dict[int, str]) -> str:
    names = set(taken.values())
    candidate, n = label, 1
    while candidate in names:
        n += 1
        candidate = f"{label}_{n}"
    return candidate
