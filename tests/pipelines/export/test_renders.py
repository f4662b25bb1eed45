"""PNG/JPG renders: a textured front still and a turntable sheet, read back with Pillow."""

import io

import numpy as np
import pytest
from PIL import Image

from pipelines.stages.export import ExportInputError, render_still, render_turntable


def pixels(data: bytes) -> tuple[Image.Image, np.ndarray]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, np.asarray(image).astype(int)


def test_front_still_is_textured_on_a_transparent_background(torus_glb):
    result = render_still(torus_glb, size=256)
    image, rgba = pixels(result.image)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (256, 256))
    assert (result.width, result.height, result.frames) == (256, 256, 1)
    alpha = rgba[..., 3]
    assert alpha[0, 0] == alpha[-1, -1] == alpha[0, -1] == alpha[-1, 0] == 0
    assert (alpha == 255).mean() > 0.2  # the model fills a good part of the frame
    rows = np.nonzero((alpha == 255).any(axis=1))[0]
    top, bottom = rgba[rows[0] + 3], rgba[rows[-1] - 3]
    solid_top, solid_bottom = top[top[:, 3] == 255], bottom[bottom[:, 3] == 255]
    # The texture, not its mean colour: the tube's upper half is red and its lower half blue.
    assert (solid_top[:, 0] > solid_top[:, 2] + 40).mean() > 0.9
    assert (solid_bottom[:, 2] > solid_bottom[:, 0] + 40).mean() > 0.9


def test_jpg_still_is_flattened_onto_the_chosen_background(torus_glb):
    result = render_still(torus_glb, size=128, background="#336699", image_format="jpg")
    image, rgb = pixels(result.image)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (128, 128))
    assert np.abs(rgb[2, 2] - [0x33, 0x66, 0x99]).max() <= 3
    assert np.abs(rgb[64, 64] - [0x33, 0x66, 0x99]).max() > 40  # the model covers the centre


def test_turntable_sheet_shows_the_model_from_every_side(variant_glbs):
    result = render_turntable(variant_glbs[0][1], frames=8, size=128, columns=4)
    image, rgba = pixels(result.image)
    assert image.size == (512, 256) and result.frames == 8
    masks = []
    for k in range(8):
        cell = rgba[(k // 4) * 128 : (k // 4 + 1) * 128, (k % 4) * 128 : (k % 4 + 1) * 128, 3]
        assert cell[0, 0] == 0 and (cell > 0).sum() > 300
        masks.append(cell > 0)

    def overlap(a, b):
        return (a & b).sum() / (a | b).sum()

    # Seen from the back, the knight's silhouette is roughly its front one mirrored (the cape
    # and perspective differ); from the side it is another shape altogether.
    assert overlap(masks[0], masks[4][:, ::-1]) > 0.5
    assert overlap(masks[2], masks[6][:, ::-1]) > 0.5
    assert overlap(masks[0], masks[2]) < 0.3


@pytest.mark.parametrize(
    "arguments",
    [
        {"size": 8},
        {"size": 99_999},
        {"background": "not-a-colour"},
        {"image_format": "gif"},
    ],
)
def test_bad_render_options_are_refused(torus_glb, arguments):
    with pytest.raises(ExportInputError):
        render_still(torus_glb, **arguments)


def test_bad_turntable_options_are_refused(torus_glb):
    with pytest.raises(ExportInputError):
        render_turntable(torus_glb, frames=0)
    with pytest.raises(ExportInputError):
        render_turntable(torus_glb, frames=8, columns=9)
