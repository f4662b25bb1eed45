"""PNG/JPG renders of a model: a front still and a turntable sheet, textured, on the CPU.

moderngl draws through EGL on Mesa's llvmpipe (no GPU, no display). The shading is a
PBR-lite of the glTF material: base colour factor times texture, a key and a fill light, a
sky/ground ambient, and a Blinn-Phong highlight sharpened by low roughness and tinted by
metal. With 4x multisampling the edges are smooth; a transparent background keeps that
coverage as alpha (PNG only; JPEG is flattened onto the background colour).

The project's thumbnail renderer (`assets.thumbnails`) stays the gallery's: it has one fixed
camera and shows a texture by its mean colour, so it cannot make turntables of textured
models.
"""

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageColor

from pipelines.stages.export.errors import ExportInputError, ExportToolMissingError
from pipelines.stages.export.scene import PlacedMesh, placed_meshes

FIELD_OF_VIEW = math.radians(30.0)
ELEVATION = math.radians(15.0)  # the camera looks slightly down at the model
FRAME_FILL = 0.85  # share of the frame the model's larger extent spans
MIN_SIZE, MAX_SIZE = 64, 4096
MAX_SHEET_PIXELS = 8192 * 8192
SAMPLES = 4
JPEG_QUALITY = 90
DEFAULT_JPEG_BACKGROUND = "#ffffff"

VERTEX_SHADER = """
#version 330
uniform mat4 view_projection;
in vec3 in_position;
in vec3 in_normal;
in vec2 in_uv;
out vec3 v_position;
out vec3 v_normal;
out vec2 v_uv;
void main() {
    v_position = in_position;
    v_normal = in_normal;
    v_uv = in_uv;
    gl_Position = view_projection * vec4(in_position, 1.0);
}
"""

FRAGMENT_SHADER = """
#version 330
uniform sampler2D base_texture;
uniform vec4 base_factor;      // linear
uniform float metallic;
uniform float roughness;
uniform vec3 eye;
uniform vec3 key_direction;    // towards the light
uniform vec3 fill_direction;
in vec3 v_position;
in vec3 v_normal;
in vec2 v_uv;
out vec4 color;
vec3 to_linear(vec3 c) { return pow(c, vec3(2.2)); }
vec3 to_srgb(vec3 c) { return pow(clamp(c, 0.0, 1.0), vec3(1.0 / 2.2)); }
void main() {
    vec4 texel = texture(base_texture, v_uv);
    vec3 albedo = base_factor.rgb * to_linear(texel.rgb);
    vec3 n = normalize(v_normal);
    vec3 v = normalize(eye - v_position);
    if (dot(n, v) < 0.0) n = -n;  // back faces of open meshes shade like front faces
    float key = max(dot(n, key_direction), 0.0);
    float fill = max(dot(n, fill_direction), 0.0);
    float sky = 0.5 + 0.5 * n.y;
    vec3 diffuse = albedo * (1.0 - 0.85 * metallic);
    vec3 specular_color = mix(vec3(0.04), albedo, metallic);
    float shininess = mix(128.0, 4.0, clamp(roughness, 0.0, 1.0));
    float highlight = pow(max(dot(n, normalize(key_direction + v)), 0.0), shininess)
        * (shininess + 8.0) / 64.0 * key;
    vec3 ambient = (0.22 + 0.18 * sky) * (diffuse + metallic * albedo * 0.6);
    vec3 lit = ambient + diffuse * (0.85 * key + 0.25 * fill) + specular_color * highlight;
    color = vec4(to_srgb(lit), 1.0);
}
"""


@dataclass(frozen=True)
class RenderResult:
    """A rendered image and what the UI shows about it."""

    image: bytes
    image_format: str  # "png" or "jpg"
    width: int
    height: int
    frames: int


def render_still(
    glb: bytes,
    *,
    size: int = 1024,
    background: str | None = None,
    image_format: str = "png",
    azimuth_degrees: float = 0.0,
) -> RenderResult:
    """Render the model from the front (+Z, slightly above) as a `size`² image.

    `background` is a CSS colour ("#rrggbb"); None means transparent (PNG), or white for JPEG.
    """
    _check(size, image_format, background)
    with _Renderer(glb, size) as renderer:
        frame = renderer.draw(math.radians(azimuth_degrees))
    return _finish(frame, background, image_format, frames=1)


def render_turntable(
    glb: bytes,
    *,
    frames: int = 8,
    size: int = 512,
    columns: int = 4,
    background: str | None = None,
    image_format: str = "png",
) -> RenderResult:
    """Render `frames` views around the model (from the front, turning to its right) as one sheet.

    Frames are `size`² each, laid out left to right, top to bottom, `columns` to a row.
    """
    _check(size, image_format, background)
    if not 1 <= frames <= 72:
        raise ExportInputError("A turntable has between 1 and 72 frames.")
    if not 1 <= columns <= frames:
        raise ExportInputError("A turntable sheet has between 1 and `frames` columns.")
    rows = math.ceil(frames / columns)
    if size * size * columns * rows > MAX_SHEET_PIXELS:
        raise ExportInputError("The turntable sheet would be too large; use smaller frames.")
    sheet = Image.new("RGBA", (size * columns, size * rows), (0, 0, 0, 0))
    with _Renderer(glb, size) as renderer:
        for k in range(frames):
            frame = renderer.draw(2 * math.pi * k / frames)
            sheet.paste(frame, ((k % columns) * size, (k // columns) * size))
    return _finish(sheet, background, image_format, frames=frames)


def _check(size: int, image_format: str, background: str | None) -> None:
    if not MIN_SIZE <= int(size) <= MAX_SIZE:
        raise ExportInputError(f"Render size must be between {MIN_SIZE} and {MAX_SIZE} pixels.")
    if image_format not in ("png", "jpg"):
        raise ExportInputError("Renders are PNG or JPG.", details={"choices": ["png", "jpg"]})
    if background is not None:
        try:
            ImageColor.getrgb(background)
        except ValueError as exc:
            raise ExportInputError(f"Unknown background colour {background!r}.") from exc


def _finish(
    image: Image.Image, background: str | None, image_format: str, *, frames: int
) -> RenderResult:
    if image_format == "jpg" and background is None:
        background = DEFAULT_JPEG_BACKGROUND
    if background is not None:
        flat = Image.new("RGBA", image.size, ImageColor.getrgb(background))
        image = Image.alpha_composite(flat, image)
    out = io.BytesIO()
    if image_format == "jpg":
        image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        image.save(out, format="PNG", compress_level=6)
    return RenderResult(
        image=out.getvalue(),
        image_format=image_format,
        width=image.width,
        height=image.height,
        frames=frames,
    )


def _look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    forward = target - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    view = np.identity(4)
    view[0, :3], view[1, :3], view[2, :3] = right, up, -forward
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def _perspective(fov: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(fov / 2)
    projection = np.zeros((4, 4))
    projection[0, 0] = projection[1, 1] = f
    projection[2, 2] = (far + near) / (near - far)
    projection[2, 3] = 2 * far * near / (near - far)
    projection[3, 2] = -1.0
    return projection


class _Renderer:
    """One EGL context with the model's meshes uploaded, drawing square frames."""

    def __init__(self, glb: bytes, size: int) -> None:
        self.meshes = placed_meshes(glb)
        self.size = int(size)
        points = np.concatenate([m.vertices for m in self.meshes])
        low, high = points.min(axis=0), points.max(axis=0)
        self.centre = (low + high) / 2
        # The camera circles the vertical axis through the centre, so framing uses the
        # model's radius around that axis and its half height: every frame has one scale.
        self.reach = max(
            float(np.linalg.norm((points - self.centre)[:, [0, 2]], axis=1).max()), 1e-6
        )
        self.half_height = max(float(high[1] - low[1]) / 2, 1e-6)
        self.radius = math.hypot(self.reach, self.half_height)

    def __enter__(self) -> "_Renderer":
        try:
            import moderngl

            self.ctx = moderngl.create_standalone_context(backend="egl")
        except Exception as exc:  # glcontext raises plain Exceptions when EGL is missing
            raise ExportToolMissingError(
                "Renders need OpenGL through EGL (Debian packages libegl1, libegl-mesa0 and "
                "libgl1-mesa-dri; `make gl` installs them)."
            ) from exc
        ctx = self.ctx
        self.program = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
        self.white = ctx.texture((1, 1), 4, b"\xff\xff\xff\xff")
        self.draws = []
        textures: dict[int, object] = {}
        for mesh in self.meshes:
            uv = mesh.uv if mesh.uv is not None else np.zeros((len(mesh.vertices), 2))
            data = np.hstack([mesh.vertices, mesh.normals, uv]).astype("f4")
            vao = ctx.vertex_array(
                self.program,
                [(ctx.buffer(data.tobytes()), "3f 3f 2f", "in_position", "in_normal", "in_uv")],
                ctx.buffer(mesh.faces.astype("i4").tobytes()),
            )
            self.draws.append((vao, *self._material(mesh, textures)))
        self.samples = min(SAMPLES, ctx.max_samples)
        size = (self.size, self.size)
        self.multisampled = ctx.framebuffer(
            ctx.renderbuffer(size, 4, samples=self.samples),
            ctx.depth_renderbuffer(size, samples=self.samples),
        )
        self.resolved = ctx.simple_framebuffer(size, components=4)
        return self

    def __exit__(self, *exc) -> None:
        self.ctx.release()

    def _material(self, mesh: PlacedMesh, textures: dict) -> tuple:
        factor = np.ones(4)
        metallic, roughness = 0.0, 0.5
        texture = self.white
        material = mesh.material
        if material is not None:
            if material.baseColorFactor is not None:
                factor = np.asarray(material.baseColorFactor, dtype=np.float64) / 255.0
            metallic = 1.0 if material.metallicFactor is None else float(material.metallicFactor)
            roughness = 1.0 if material.roughnessFactor is None else float(material.roughnessFactor)
            image = material.baseColorTexture
            if isinstance(image, Image.Image) and mesh.uv is not None:
                if id(image) not in textures:
                    rgba = image.convert("RGBA").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
                    made = self.ctx.texture(rgba.size, 4, rgba.tobytes())
                    made.build_mipmaps()
                    made.repeat_x = made.repeat_y = True
                    textures[id(image)] = made
                texture = textures[id(image)]
        return texture, factor, metallic, roughness

    def draw(self, azimuth: float) -> Image.Image:
        import moderngl

        distance = max(self.reach, self.half_height) / math.tan(FIELD_OF_VIEW / 2) / FRAME_FILL
        distance += 0.5 * self.reach
        direction = np.array(
            [
                math.sin(azimuth) * math.cos(ELEVATION),
                math.sin(ELEVATION),
                math.cos(azimuth) * math.cos(ELEVATION),
            ]
        )
        eye = self.centre + distance * direction
        view = _look_at(eye, self.centre)
        projection = _perspective(
            FIELD_OF_VIEW, max(distance - 2 * self.radius, 1e-3), distance + 2 * self.radius
        )
        # Lights turn with the camera, so every frame of a turntable is lit the same way.
        right, up, back = view[0, :3], view[1, :3], view[2, :3]
        key = right * -0.5 + up * 0.7 + back * 0.6
        fill = right * 0.8 + up * 0.1 + back * 0.4
        program = self.program
        program["view_projection"].write((projection @ view).T.astype("f4").tobytes())
        program["eye"].value = tuple(eye)
        program["key_direction"].value = tuple(key / np.linalg.norm(key))
        program["fill_direction"].value = tuple(fill / np.linalg.norm(fill))
        self.multisampled.use()
        self.ctx.clear(0.0, 0.0, 0.0, 0.0)
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.ctx.disable(moderngl.CULL_FACE)
        for vao, texture, factor, metallic, roughness in self.draws:
            texture.use(0)
            program["base_texture"].value = 0
            program["base_factor"].value = tuple(factor)
            program["metallic"].value = metallic
            program["roughness"].value = roughness
            vao.render(moderngl.TRIANGLES)
        self.ctx.copy_framebuffer(self.resolved, self.multisampled)
        raw = np.frombuffer(self.resolved.read(components=4), dtype=np.uint8)
        pixels = raw.reshape(self.size, self.size, 4)[::-1].astype(np.float64)
        # The resolve averaged colour with the transparent clear: undo that at the edges.
        alpha = pixels[..., 3:4] / 255.0
        pixels[..., :3] = np.where(alpha > 0, pixels[..., :3] / np.maximum(alpha, 1e-6), 0)
        return Image.fromarray(np.round(pixels).clip(0, 255).astype(np.uint8), "RGBA")
