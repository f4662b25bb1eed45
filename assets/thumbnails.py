"""Render a shaded PNG thumbnail of a GLB on the CPU with a numpy z-buffer rasterizer.

The object is framed to its bounding box from a 3/4 view above its front-right corner (glTF
is Y-up, +Z is the front), lit by a key light from the upper left, a soft sky/ground ambient
and a faint rim, over a light neutral gradient with a soft contact shadow. Occlusion is exact:
every pixel keeps the nearest surface. The image is rendered at `SUPERSAMPLE`x and each
`SUPERSAMPLE`x`SUPERSAMPLE` block averaged into one pixel for anti-aliasing.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter

from assets.glb import GlbMaterial, GlbPart, glb_parts

SUPERSAMPLE = 2
FIELD_OF_VIEW = math.radians(30.0)
CAMERA_AZIMUTH = math.radians(40.0)  # rotation around +Y from the front (+Z) towards +X
CAMERA_ELEVATION = math.radians(25.0)  # how far the camera looks down
FRAME_FILL = 0.80  # share of the image's larger side the object's silhouette spans

DEFAULT_COLOR = (0.45, 0.45, 0.45)  # linear; a mid grey when a primitive has no material
BACKGROUND_TOP = (246, 247, 249)
BACKGROUND_BOTTOM = (222, 225, 230)
SHADOW_STRENGTH = 0.28
KEY_LIGHT = 0.78
FILL_LIGHT = 0.10
AMBIENT_LIGHT = 0.16
SKY_LIGHT = 0.08
RIM_LIGHT = 0.08

SAMPLES_PER_BATCH = 1 << 20
SAMPLE_BUDGET = 60_000_000  # about a second of rasterizing on one core  # bounds the rasterizer's temporary arrays to tens of MB
MAX_TEXTURE_PIXELS = 64 * 1024 * 1024
NO_HIT = np.iinfo(np.int64).max
DEPTH_LEVELS = 1 << 30  # exactly representable in float32


def thumbnail_render(data: bytes, *, size: int = 512) -> bytes:
    """Render the GLB in `data` to a `size`x`size` PNG and return its bytes."""
    return next(thumbnail_renders([data], size=size))


def thumbnail_renders(datas: Iterable[bytes], *, size: int = 512) -> Iterator[bytes]:
    """Render each GLB in `datas` like `thumbnail_render`, yielding each PNG when it is done.

    GLBs with the same geometry (an asset and its material variants) share the work that
    depends on geometry alone: the camera, the background with its contact shadow and the
    rasterized visibility (which triangle each pixel shows). Only the shading, which reads
    the materials, is done per GLB. The images are the same as rendering each on its own.
    """
    if not 16 <= size <= 4096:
        raise ValueError("size must be between 16 and 4096 pixels")
    layouts: dict[bytes, _Layout] = {}
    for data in datas:
        scene = _Scene(glb_parts(data))
        with np.errstate(all="ignore"):  # degenerate triangles are dropped, not warned about
            key = scene.geometry_key()
            layout = layouts.get(key)
            if layout is None:
                layout = layouts[key] = _layout(scene, size * SUPERSAMPLE)
            image = _shade(layout, scene)
        image = _downsample(image, size)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=4)
        yield out.getvalue()


def _downsample(image: Image.Image, size: int) -> Image.Image:
    """Return `image` at `size`x`size`: each supersampled block averaged into one pixel.

    Averaging is the usual resolve of supersampling, and Pillow's `reduce` does it in
    0.7 ms for a 1024 px render, where a Lanczos resize took 9.7 ms (with no visible
    difference: 0.2 of 255 on average). A file drawn at a lower resolution to stay within
    `SAMPLE_BUDGET` is resized with Lanczos instead.
    """
    if image.size == (size * SUPERSAMPLE, size * SUPERSAMPLE):
        return image.reduce(SUPERSAMPLE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


class _Layout(NamedTuple):
    """What a render needs that depends only on the geometry."""

    camera: _Camera
    background: np.ndarray  # (resolution, resolution, 3) sRGB bytes
    screen: np.ndarray
    covered: np.ndarray  # the pixels (flat indices) where a triangle shows
    triangles: np.ndarray  # which triangle each of them shows


def _layout(scene: _Scene, resolution: int) -> _Layout:
    camera = _Camera(scene, resolution)
    # Rasterizing costs about one step per pixel of each triangle's box; a pathological
    # file (thousands of screen-sized triangles) is drawn at a lower resolution instead.
    screen, _ = camera.project(scene.triangle_points)
    extent = screen.max(axis=1) - screen.min(axis=1) + 1
    samples = float((extent[:, 0] * extent[:, 1]).sum())
    if samples > SAMPLE_BUDGET:
        resolution = max(64, int(resolution * math.sqrt(SAMPLE_BUDGET / samples)))
        camera = _Camera(scene, resolution)
    background = _background(scene, camera, resolution)
    screen, inverse_depth = camera.project(scene.triangle_points)
    hits = _rasterize(screen, inverse_depth, scene.double_sided, resolution)
    covered = np.flatnonzero(hits >= 0)
    return _Layout(camera, np.asarray(background), screen, covered, hits[covered])


class _Scene:
    """All placed triangles flattened into arrays the rasterizer and shader index by id."""

    def __init__(self, parts: list[GlbPart]):
        points, normals, colors, albedo, metallic, roughness = ([] for _ in range(6))
        double_sided, smooth, vertex_colored = ([] for _ in range(3))
        texture_colors: dict[bytes, np.ndarray] = {}
        for part in parts:
            corners = part.positions[part.triangles]  # (m, 3, 3)
            count = len(corners)
            if count == 0:
                continue
            points.append(corners)
            material = part.material
            albedo.append(np.tile(_material_color(material, texture_colors), (count, 1)))
            metallic.append(np.full(count, material.metallic if material else 0.0))
            roughness.append(np.full(count, material.roughness if material else 1.0))
            double_sided.append(np.full(count, material.double_sided if material else False))
            if part.normals is not None:
                normals.append(part.normals[part.triangles])
                smooth.append(np.ones(count, dtype=bool))
            else:
                normals.append(np.zeros((count, 3, 3)))
                smooth.append(np.zeros(count, dtype=bool))
            vertex_colored.append(np.full(count, part.colors is not None))
            if part.colors is not None:
                colors.append(part.colors[part.triangles][:, :, :3])
            else:
                colors.append(np.ones((count, 3, 3)))
        self.triangle_points = np.concatenate(points)  # (t, 3, 3) world space
        self.vertex_normals = np.concatenate(normals)
        self.vertex_colors = np.concatenate(colors)
        self.albedo = np.concatenate(albedo)  # (t, 3) linear
        self.metallic = np.concatenate(metallic)
        self.roughness = np.concatenate(roughness)
        self.double_sided = np.concatenate(double_sided)
        self.smooth = np.concatenate(smooth)
        self.vertex_colored = np.concatenate(vertex_colored)
        flat = self.triangle_points.reshape(-1, 3)
        self.low = flat.min(axis=0)
        self.high = flat.max(axis=0)
        edge_a = self.triangle_points[:, 1] - self.triangle_points[:, 0]
        edge_b = self.triangle_points[:, 2] - self.triangle_points[:, 0]
        face_normals = np.cross(edge_a, edge_b)
        lengths = np.linalg.norm(face_normals, axis=1, keepdims=True)
        self.face_normals = face_normals / np.maximum(lengths, 1e-30)

    def geometry_key(self) -> bytes:
        """A digest of what the camera, background and visibility are computed from."""
        digest = hashlib.blake2b(digest_size=20)
        for array in (self.triangle_points, self.double_sided):
            digest.update(str((array.dtype, array.shape)).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.digest()


def _material_color(material: GlbMaterial | None, cache: dict[bytes, np.ndarray]) -> np.ndarray:
    if material is None:
        return np.array(DEFAULT_COLOR)
    color = np.array(material.base_color[:3])
    if material.texture_image is not None:
        image_bytes = material.texture_image
        if image_bytes not in cache:
            cache[image_bytes] = _texture_mean(image_bytes)
        color = color * cache[image_bytes]
    return color


def _texture_mean(image_bytes: bytes) -> np.ndarray:
    """Return the mean linear RGB of an embedded image, or white when it cannot be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(image_bytes))
            if image.width * image.height > MAX_TEXTURE_PIXELS:
                return np.ones(3)
            image.draft("RGB", (64, 64))
            small = image.convert("RGB").resize((32, 32), Image.Resampling.BOX)
    except Exception:  # Pillow's decoders raise many types; a bad texture only loses its colour
        return np.ones(3)
    srgb = np.asarray(small, dtype=np.float64).reshape(-1, 3) / 255.0
    return _srgb_to_linear(srgb).mean(axis=0)


def _srgb_to_linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


class _Camera:
    """A perspective camera aimed at the scene's box and fitted to its silhouette."""

    def __init__(self, scene: _Scene, resolution: int):
        self.resolution = resolution
        center = (scene.low + scene.high) / 2
        radius = float(np.linalg.norm(scene.high - scene.low)) / 2 or 1.0
        direction = np.array(
            [
                math.cos(CAMERA_ELEVATION) * math.sin(CAMERA_AZIMUTH),
                math.sin(CAMERA_ELEVATION),
                math.cos(CAMERA_ELEVATION) * math.cos(CAMERA_AZIMUTH),
            ]
        )
        self.eye = center + direction * (radius / math.sin(FIELD_OF_VIEW / 2)) * 1.05
        self.forward = -direction
        self.right = np.cross(self.forward, [0.0, 1.0, 0.0])
        self.right /= np.linalg.norm(self.right)
        self.up = np.cross(self.right, self.forward)
        # Fit the projected silhouette: a zoom and lens shift of the image plane.
        x, y, _ = self._camera_space(scene.triangle_points.reshape(-1, 3))
        x_low, x_high = float(x.min()), float(x.max())
        y_low, y_high = float(y.min()), float(y.max())
        extent = max(x_high - x_low, y_high - y_low, 1e-9)
        self.scale = FRAME_FILL * resolution / extent
        self.shift = ((x_low + x_high) / 2, (y_low + y_high) / 2)

    def _camera_space(self, points: np.ndarray):
        relative = points - self.eye
        depth = relative @ self.forward
        return relative @ self.right / depth, relative @ self.up / depth, depth

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return pixel coordinates (..., 2) and inverse depth (...) for world `points`."""
        shape = points.shape[:-1]
        x, y, depth = self._camera_space(points.reshape(-1, 3))
        half = self.resolution / 2
        pixels = np.stack(
            [(x - self.shift[0]) * self.scale + half, half - (y - self.shift[1]) * self.scale],
            axis=-1,
        )
        return pixels.reshape(*shape, 2), (1.0 / depth).reshape(shape)

    def light_direction(self) -> np.ndarray:
        """Return the unit vector towards the key light: upper left, slightly in front."""
        light = -0.55 * self.right + 0.75 * self.up - 0.45 * self.forward
        return light / np.linalg.norm(light)


def _gradient(resolution: int, darken: float = 0.0) -> Image.Image:
    top = np.array(BACKGROUND_TOP, dtype=np.float32)
    bottom = np.array(BACKGROUND_BOTTOM, dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, resolution, dtype=np.float32)[:, None]
    column = (top + (bottom - top) * ramp) * (1.0 - darken)
    strip = Image.fromarray(np.round(column).astype(np.uint8)[:, None, :], "RGB")
    return strip.resize((resolution, resolution), Image.Resampling.NEAREST)


def _background(scene: _Scene, camera: _Camera, resolution: int) -> Image.Image:
    """Return the vertical gradient with a soft contact shadow of the object's footprint.

    The footprint is the object flattened onto the plane under it, rasterized at a quarter
    of the resolution (the shadow is blurred anyway) and composed there before upscaling.
    """
    small = max(16, resolution // 4)
    ground = scene.triangle_points.copy()
    ground[:, :, 1] = scene.low[1]
    screen, inverse_depth = camera.project(ground)
    screen *= small / resolution
    covered = _rasterize(screen, inverse_depth, np.ones(len(ground), dtype=bool), small) >= 0
    mask = Image.fromarray((covered.reshape(small, small) * 255).astype(np.uint8), "L")
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, small * 0.02)))
    background = Image.composite(_gradient(small, SHADOW_STRENGTH), _gradient(small), mask)
    return background.resize((resolution, resolution), Image.Resampling.BILINEAR)


def _planes(screen: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return (a, b, c) per triangle and value column so value = a*x + b*y + c on screen.

    `values` is (t, 3, k): k quantities at each corner; the result is (t, 3, k). Degenerate
    triangles get zero coefficients (they are never drawn).
    """
    xa, ya = screen[:, 0, 0, None], screen[:, 0, 1, None]
    dx1, dy1 = screen[:, 1, 0, None] - xa, screen[:, 1, 1, None] - ya
    dx2, dy2 = screen[:, 2, 0, None] - xa, screen[:, 2, 1, None] - ya
    det = dx1 * dy2 - dx2 * dy1
    safe = np.where(np.abs(det) > 1e-12, det, np.inf)
    dv1, dv2 = values[:, 1] - values[:, 0], values[:, 2] - values[:, 0]
    a = (dv1 * dy2 - dv2 * dy1) / safe
    b = (dv2 * dx1 - dv1 * dx2) / safe
    c = values[:, 0] - a * xa - b * ya
    return np.stack([a, b, c], axis=1)


def _rasterize(
    screen: np.ndarray, inverse_depth: np.ndarray, double_sided: np.ndarray, resolution: int
) -> np.ndarray:
    """Return, per pixel (flattened), the id of the nearest triangle covering its centre, or -1.

    Triangles are grouped by the power-of-two size of their pixel bounding box so each group
    is tested against all its candidate pixels in one vectorised pass; a per-pixel minimum
    over (depth, id) keys resolves occlusion exactly and deterministically.
    """
    xs, ys = screen[:, :, 0], screen[:, :, 1]
    area = (xs[:, 1] - xs[:, 0]) * (ys[:, 2] - ys[:, 0]) - (xs[:, 2] - xs[:, 0]) * (
        ys[:, 1] - ys[:, 0]
    )
    # Counter-clockwise in the world is clockwise on a y-down screen, so front faces have
    # negative area; single-sided back faces are culled as a glTF viewer would.
    keep = (np.abs(area) > 1e-9) & ((area < 0) | double_sided)
    left = np.clip(np.ceil(xs.min(axis=1) - 0.5), 0, resolution).astype(np.int64)
    right = np.clip(np.floor(xs.max(axis=1) - 0.5), -1, resolution - 1).astype(np.int64)
    top = np.clip(np.ceil(ys.min(axis=1) - 0.5), 0, resolution).astype(np.int64)
    bottom = np.clip(np.floor(ys.max(axis=1) - 0.5), -1, resolution - 1).astype(np.int64)
    width, height = right - left + 1, bottom - top + 1
    keep &= (width > 0) & (height > 0)

    # Barycentric weights of corners 0 and 1 and the depth key level, as planes over pixel
    # centres relative to each triangle's box corner (small numbers keep float32 exact enough).
    low = float(inverse_depth.min())
    depth_scale = DEPTH_LEVELS / max(float(inverse_depth.max()) - low, 1e-30)
    corner_values = np.stack(
        [np.eye(3)[None, :, 0].repeat(len(screen), 0), np.eye(3)[None, :, 1].repeat(len(screen), 0),
         (inverse_depth - low) * depth_scale],
        axis=2,
    )  # fmt: skip
    origin = np.stack([left + 0.5, top + 0.5], axis=1)[:, None, :]
    planes = _planes(screen - origin, corner_values)
    keys = np.full(resolution * resolution, NO_HIT, dtype=np.int64)

    ids = np.nonzero(keep)[0]
    if not len(ids):
        return np.full(resolution * resolution, -1, dtype=np.int64)
    span_x, span_y = _span(width[ids]), _span(height[ids])
    order = np.lexsort((span_y, span_x))
    ids, span_x, span_y = ids[order], span_x[order], span_y[order]
    starts = np.flatnonzero((np.diff(span_x) != 0) | (np.diff(span_y) != 0)) + 1
    for begin, end in zip(np.r_[0, starts], np.r_[starts, len(ids)], strict=True):
        box = (int(span_x[begin]), int(span_y[begin]))
        per_batch = max(1, SAMPLES_PER_BATCH // (box[0] * box[1]))
        for start in range(begin, end, per_batch):
            batch = ids[start : min(start + per_batch, end)]
            _rasterize_batch(batch, box, planes, left, top, width, height, resolution, keys)
    return np.where(keys == NO_HIT, -1, keys & 0xFFFFFFFF)


def _span(extent: np.ndarray) -> np.ndarray:
    """Round pixel extents up to 1, 2, 3, 4, 6, 8, 12, 16, 24, ... to group triangles."""
    power = 2 ** np.floor(np.log2(np.maximum(extent, 1))).astype(np.int64)
    return np.where(
        extent <= power, power, np.where(extent <= power * 3 // 2, power * 3 // 2, power * 2)
    )


def _rasterize_batch(
    batch: np.ndarray,
    box: tuple[int, int],
    planes: np.ndarray,
    left: np.ndarray,
    top: np.ndarray,
    width: np.ndarray,
    height: np.ndarray,
    resolution: int,
    keys: np.ndarray,
) -> None:
    """Depth-test one group of triangles against every pixel of a `box`-sized window each."""
    span_x, span_y = box
    coefficients = planes[batch].astype(np.float32)  # (b, 3 coefficients, 3 values)
    col = np.arange(span_x, dtype=np.float32)[None, None, :]
    row = np.arange(span_y, dtype=np.float32)[None, :, None]

    def plane(value: int) -> np.ndarray:
        a = coefficients[:, 0, value, None, None]
        b = coefficients[:, 1, value, None, None]
        c = coefficients[:, 2, value, None, None]
        return a * col + (b * row + c)

    w0, w1 = plane(0), plane(1)
    inside = w0 >= 0
    inside &= w1 >= 0
    w0 += w1
    inside &= w0 <= 1
    # Outside its own box a pixel is outside the triangle too, except where the box was
    # clipped by the image border (or by rounding right on an edge): mask those explicitly.
    if (left[batch] + span_x > resolution).any() or (top[batch] + span_y > resolution).any():
        inside &= (np.arange(span_x)[None, None, :] < width[batch][:, None, None]) & (
            np.arange(span_y)[None, :, None] < height[batch][:, None, None]
        )
    flat = np.flatnonzero(inside)
    if not len(flat):
        return
    local, rest = np.divmod(flat, span_x * span_y)
    r, c = np.divmod(rest, span_x)
    owner = batch[local]
    level = (
        coefficients[local, 0, 2] * c.astype(np.float32)
        + coefficients[local, 1, 2] * r.astype(np.float32)
        + coefficients[local, 2, 2]
    )
    level = np.clip(level, 0, DEPTH_LEVELS).astype(np.int64)
    pixel = (top[owner] + r) * resolution + left[owner] + c
    np.minimum.at(keys, pixel, ((DEPTH_LEVELS - level) << 32) | owner)


def _shade(layout: _Layout, scene: _Scene) -> Image.Image:
    """Return the layout's background with every covered pixel lit in `scene`'s materials.

    Flat-shaded, uniformly coloured triangles are lit once per triangle. Triangles with
    vertex normals or vertex colours are lit at their corners and the colours interpolated
    across them (Gouraud), which costs only a few operations per pixel.
    """
    camera, screen, covered, tri = layout.camera, layout.screen, layout.covered, layout.triangles
    resolution = layout.background.shape[0]
    if not len(covered):
        return Image.fromarray(layout.background, "RGB")
    light = camera.light_direction()
    # One view direction for the whole image keeps the two triangles of a flat quad
    # identical; at a 30 degree field of view the difference is invisible elsewhere.
    views = np.broadcast_to(-camera.forward, scene.face_normals.shape)
    # A visible back face (double-sided material) is lit from its own side; facing is read
    # from the winding on screen, as the rasterizer's culling does.
    xs, ys = screen[:, :, 0], screen[:, :, 1]
    area = (xs[:, 1] - xs[:, 0]) * (ys[:, 2] - ys[:, 0]) - (xs[:, 2] - xs[:, 0]) * (
        ys[:, 1] - ys[:, 0]
    )
    flip = np.where(area > 0, -1.0, 1.0)[:, None]
    face_normals = scene.face_normals * flip
    triangle_colors = _light(
        face_normals, views, scene.albedo, scene.metallic, scene.roughness, light, camera
    )
    colors = np.take(np.round(triangle_colors * 255).astype(np.uint8), tri, axis=0)

    varying = scene.smooth | scene.vertex_colored
    per_pixel = np.take(varying, tri)
    if per_pixel.any():
        corner_normals = np.where(
            scene.smooth[:, None, None], scene.vertex_normals * flip[:, None], face_normals[:, None]
        )
        corner_colors = _light(
            corner_normals.reshape(-1, 3),
            np.repeat(views, 3, axis=0),
            (scene.albedo[:, None, :] * scene.vertex_colors).reshape(-1, 3),
            np.repeat(scene.metallic, 3),
            np.repeat(scene.roughness, 3),
            light,
            camera,
        ).reshape(-1, 3, 3)
        # Colour is affine in screen position across a triangle: three planes per triangle.
        half = resolution / 2
        planes = _planes(screen - half, corner_colors * 255).astype(np.float32).reshape(-1, 9)
        pixel = covered[per_pixel]
        coefficients = np.take(planes, tri[per_pixel], axis=0)
        x = ((pixel % resolution) + 0.5 - half).astype(np.float32)[:, None]
        y = ((pixel // resolution) + 0.5 - half).astype(np.float32)[:, None]
        blended = coefficients[:, 0:3] * x + coefficients[:, 3:6] * y + coefficients[:, 6:9]
        colors[per_pixel] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    pixels = layout.background.copy()
    # Written as one 3-byte item per pixel: twice as fast as assigning rows of three bytes.
    pixel_items = pixels.reshape(-1).view(_RGB_ITEM)
    pixel_items[covered] = np.ascontiguousarray(colors).reshape(-1).view(_RGB_ITEM)
    return Image.fromarray(pixels, "RGB")


_RGB_ITEM = np.dtype((np.void, 3))


def _light(
    normal: np.ndarray,
    view: np.ndarray,
    albedo: np.ndarray,
    metallic: np.ndarray,
    roughness: np.ndarray,
    light: np.ndarray,
    camera: _Camera,
) -> np.ndarray:
    """Return sRGB colours in [0, 1] for surfaces under the key, fill, sky and rim lights."""
    metallic = metallic[:, None]
    gloss = np.clip(1.0 - roughness[:, None], 0.0, 1.0)
    n_dot_l = np.clip(normal @ light, 0.0, 1.0)[:, None]
    n_dot_v = np.clip(np.einsum("ij,ij->i", normal, view), 0.0, 1.0)[:, None]
    fill_direction = _unit(camera.right * 0.8 - camera.forward * 0.2 - camera.up * 0.1)
    fill = FILL_LIGHT * np.clip(normal @ fill_direction, 0.0, 1.0)[:, None]
    ambient = AMBIENT_LIGHT + SKY_LIGHT * normal[:, 1:2]  # brighter from the sky than the ground
    diffuse = albedo * (ambient + fill + KEY_LIGHT * n_dot_l) * (1.0 - 0.35 * metallic)
    half = view + light
    half /= np.linalg.norm(half, axis=1, keepdims=True)
    n_dot_h = np.clip(np.einsum("ij,ij->i", normal, half), 1e-6, 1.0)[:, None]
    shininess = 4.0 + 250.0 * gloss**2
    specular_color = 0.04 * (1.0 - metallic) + albedo * metallic
    highlight = np.exp(shininess * np.log(n_dot_h)) * (n_dot_l > 0)
    specular = specular_color * (0.25 + 2.5 * gloss**2) * highlight
    rim = RIM_LIGHT * (1.0 - n_dot_v) ** 3
    return _linear_to_srgb(diffuse + specular + rim)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)
