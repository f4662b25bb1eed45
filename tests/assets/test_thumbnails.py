"""Render thumbnails and check what a gallery visitor would see: colour, framing, light, depth."""

import io

import numpy as np
import pytest
from PIL import Image

from assets.glb import GlbInvalidError
from assets.thumbnails import _downsample, thumbnail_render
from tests.assets.glb_samples import (
    box_glb,
    occlusion_glb,
    sphere_glb,
    sword_glb,
    textured_glb,
    two_part_glb,
    vertex_color_glb,
)


def _pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"), dtype=np.int32)


def _object_mask(pixels: np.ndarray, saturation: int = 40) -> np.ndarray:
    """Return where a coloured object is: the background is a neutral grey."""
    return pixels.max(axis=2) - pixels.min(axis=2) > saturation


def _mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    return rows.min(), rows.max(), cols.min(), cols.max()


@pytest.fixture(scope="module")
def red_box_pixels() -> np.ndarray:
    return _pixels(thumbnail_render(box_glb(size=(1, 1, 1), color=(255, 0, 0, 255)), size=256))


@pytest.mark.parametrize("size", [64, 256, 512])
def test_thumbnail_is_a_png_of_the_requested_size(size):
    image = Image.open(io.BytesIO(thumbnail_render(box_glb(), size=size)))
    assert image.format == "PNG"
    assert image.size == (size, size)


def test_thumbnail_is_not_blank(red_box_pixels):
    assert red_box_pixels.std() > 20


def test_base_colour_dominates_the_object(red_box_pixels):
    mask = _object_mask(red_box_pixels)
    red, green, blue = (red_box_pixels[mask][:, channel] for channel in range(3))
    assert ((red > green + 60) & (red > blue + 60)).mean() > 0.95


def test_object_is_framed_to_fill_the_image(red_box_pixels):
    mask = _object_mask(red_box_pixels)
    top, bottom, left, right = _mask_box(mask)
    longest = max(bottom - top, right - left) + 1
    assert 0.7 * 256 <= longest <= 0.9 * 256
    assert 0.25 < mask.mean() < 0.7
    # Centred: equal margins within a few pixels.
    assert abs(left - (255 - right)) <= 6 and abs(top - (255 - bottom)) <= 6


def test_a_tall_object_is_taller_than_wide():
    pixels = _pixels(thumbnail_render(box_glb(size=(0.5, 3, 0.5)), size=256))
    top, bottom, left, right = _mask_box(_object_mask(pixels))
    assert bottom - top > 2 * (right - left)


def test_lit_side_is_brighter_than_shadow_side(red_box_pixels):
    mask = _object_mask(red_box_pixels)
    top, bottom, left, right = _mask_box(mask)
    band = slice(top + (bottom - top) * 6 // 10, top + (bottom - top) * 8 // 10)
    width = right - left
    lit = red_box_pixels[band, left : left + width // 4][mask[band, left : left + width // 4]]
    shadow = red_box_pixels[band, right - width // 4 : right][
        mask[band, right - width // 4 : right]
    ]
    assert lit[:, 0].mean() > shadow[:, 0].mean() + 25
    # Three visible faces of a cube, three distinct shades.
    assert len(np.unique(red_box_pixels[mask][:, 0] // 16)) >= 3


def test_hidden_part_does_not_show_through():
    hidden = _pixels(thumbnail_render(occlusion_glb(hidden=True), size=256))
    blue = (hidden[:, :, 2] > hidden[:, :, 0] + 50) & (hidden[:, :, 2] > hidden[:, :, 1] + 50)
    assert blue.sum() == 0
    shown = _pixels(thumbnail_render(occlusion_glb(hidden=False), size=256))
    blue = (shown[:, :, 2] > shown[:, :, 0] + 50) & (shown[:, :, 2] > shown[:, :, 1] + 50)
    assert blue.sum() > 200


def test_rendering_is_deterministic():
    data = two_part_glb()
    assert thumbnail_render(data, size=128) == thumbnail_render(data, size=128)


def test_parts_keep_their_own_colours():
    pixels = _pixels(thumbnail_render(two_part_glb(), size=256))
    red = (pixels[:, :, 0] > pixels[:, :, 1] + 80) & (pixels[:, :, 0] > pixels[:, :, 2] + 80)
    grey = ~_object_mask(pixels) & (pixels.mean(axis=2) < 200)
    assert red.sum() > 1000
    assert grey.sum() > 1000  # the untinted box, darker than the background


def test_vertex_colours_and_textures_colour_the_object():
    blue = _pixels(thumbnail_render(vertex_color_glb(color=(0, 0, 255, 255)), size=128))
    mask = _object_mask(blue)
    assert (blue[mask][:, 2] > blue[mask][:, 0] + 60).mean() > 0.95
    green = _pixels(thumbnail_render(textured_glb(color=(0, 200, 0)), size=128))
    mask = _object_mask(green)
    assert (green[mask][:, 1] > green[mask][:, 0] + 60).mean() > 0.95


def test_other_shapes_render_recognisably():
    sphere = _pixels(thumbnail_render(sphere_glb(), size=128))
    top, bottom, left, right = _mask_box(_object_mask(sphere, saturation=20))
    assert abs((bottom - top) - (right - left)) <= 3  # round, not squashed
    # The sword is mostly grey: find it as whatever differs from the background row colour.
    sword = _pixels(thumbnail_render(sword_glb(), size=128))
    differs = np.abs(sword - sword[:, :1, :]).sum(axis=2) > 60
    top, bottom, left, right = _mask_box(differs)
    assert bottom - top > 0.75 * 128
    assert right - left < 0.4 * 128


def test_undecodable_input_raises_glb_invalid_error():
    with pytest.raises(GlbInvalidError):
        thumbnail_render(b"definitely not a model")


def test_variants_sharing_geometry_render_as_they_would_alone():
    # An asset and its variants share the camera, background and visibility; the images
    # must be exactly those of rendering each file on its own, in any order, mixed with
    # files of other geometry.
    from assets.thumbnails import thumbnail_renders

    files = [
        box_glb(color=(255, 0, 0, 255)),
        sphere_glb(),
        box_glb(color=(0, 0, 255, 255)),  # the first box's geometry, another material
        textured_glb(),
        box_glb(color=(30, 200, 30, 255)),
        box_glb(size=(1.0, 2.0, 3.5), color=(255, 0, 0, 255)),  # close, but not the same
    ]
    alone = [thumbnail_render(data, size=128) for data in files]
    shared = list(thumbnail_renders(files, size=128))
    assert shared == alone
    assert len(set(alone)) == len(alone)  # each file's look is its own


def test_the_supersampled_render_is_resolved_by_averaging_each_block():
    # A hard edge and noise: averaging keeps every pixel within its block's values (a
    # Lanczos resize rings past them at the edge).
    rng = np.random.default_rng(3)
    source = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    source[:, :32] = 0
    source[:, 32:40] = 255
    result = np.asarray(_downsample(Image.fromarray(source, "RGB"), 32), dtype=np.float64)
    blocks = source.reshape(32, 2, 32, 2, 3).astype(np.float64).mean(axis=(1, 3))
    assert result.shape == (32, 32, 3)
    assert np.abs(result - blocks).max() <= 0.5 + 1e-9  # the mean, rounded


def test_a_render_drawn_smaller_to_stay_in_budget_still_comes_out_at_the_requested_size():
    image = Image.new("RGB", (300, 300), (200, 10, 10))
    assert _downsample(image, 512).size == (512, 512)
