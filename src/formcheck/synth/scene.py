"""A gym corner: floor, wall, a clothed body and its props, seen by one camera."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.body import Body, Pose
from formcheck.synth.geometry import Camera, Mesh, cylinder, merge, rot_x, rot_z, sphere, torus
from formcheck.synth.render import Renderer

SKIN = (0.87, 0.69, 0.58)
SHIRT = (0.2, 0.42, 0.7)
SHORTS = (0.18, 0.18, 0.2)
SHOES = (0.92, 0.92, 0.9)
HAIR = (0.22, 0.15, 0.1)
WALL = (0.78, 0.78, 0.76)
FLOOR = ((0.52, 0.38, 0.26), (0.47, 0.34, 0.23))
IRON = (0.12, 0.12, 0.13)
STEEL = (0.7, 0.7, 0.72)

SHIRT_BONES = ("spine", "clavicle", "shoulder01", "upperarm01")
SHORTS_BONES = ("root", "pelvis", "upperleg01")
SHOE_BONES = ("foot", "toe")

PLATE_RADIUS = 0.225  # a standard 20 kg bumper plate: 450 mm across
BAR_LENGTH = 2.2
KETTLEBELL_RADIUS = 0.105


@dataclass(frozen=True)
class View:
    """Where the camera stands, relative to the person's sagittal plane.

    Attributes:
        azimuth_deg: 0 = side view of the person's left, 90 = front view.
        distance_m: Camera distance from the target point.
        height_m: Camera height above the floor.
        target: The point the camera looks at (metres, world frame).
    """

    azimuth_deg: float
    distance_m: float
    height_m: float
    target: tuple[float, float, float]

    def camera(
        self, width: int, height: int, yfov_deg: float = 40.0, mirror: bool = False
    ) -> Camera:
        """The camera of this view for images of ``width`` x ``height`` pixels."""
        az = np.radians(self.azimuth_deg)
        target = np.array(self.target)
        ground = np.array([np.cos(az), -np.sin(az), 0.0]) * self.distance_m
        eye = np.array([target[0] + ground[0], target[1] + ground[1], self.height_m])
        return Camera(eye, target, width, height, yfov_deg, mirror)


@dataclass(frozen=True)
class Look:
    """What the room and the clothes look like.

    ``Look.of(0)`` is the plain gym corner of the first renders; other numbers
    give seeded variety as phone clips have it: skin, clothing and wall colours,
    brighter or dimmer light, boxes and a bench about the room, and now and then
    a second person standing in the background.
    """

    skin: tuple[float, float, float] = SKIN
    shirt: tuple[float, float, float] = SHIRT
    shorts: tuple[float, float, float] = SHORTS
    wall: tuple[float, float, float] = WALL
    light: float = 1.0
    clutter: int = 0
    bystander: bool = False
    seed: int = 0

    @classmethod
    def of(cls, number: int) -> Look:
        """Look ``number`` (0 = plain)."""
        if number == 0:
            return cls()
        rng = np.random.default_rng([number, 29])

        def pick(options: tuple[tuple[float, float, float], ...]) -> tuple[float, float, float]:
            return options[int(rng.integers(len(options)))]

        return cls(
            skin=pick(SKINS),
            shirt=pick(CLOTHES),
            shorts=pick(CLOTHES),
            wall=pick(WALLS),
            light=float(rng.uniform(0.75, 1.2)),
            clutter=int(rng.integers(0, 5)),
            bystander=bool(rng.random() < 0.35),
            seed=number,
        )


SKINS = (
    (0.95, 0.8, 0.7),
    (0.87, 0.69, 0.58),
    (0.7, 0.5, 0.38),
    (0.45, 0.3, 0.22),
    (0.3, 0.2, 0.15),
)
CLOTHES = (
    (0.2, 0.42, 0.7), (0.1, 0.1, 0.11), (0.85, 0.85, 0.83), (0.6, 0.12, 0.12), (0.3, 0.45, 0.3),
    (0.45, 0.45, 0.47), (0.75, 0.5, 0.6), (0.15, 0.2, 0.35), (0.55, 0.45, 0.3),
)  # fmt: skip
WALLS = (
    (0.78, 0.78, 0.76),
    (0.6, 0.62, 0.66),
    (0.85, 0.8, 0.7),
    (0.35, 0.35, 0.37),
    (0.7, 0.75, 0.7),
)


def body_colors(body: Body, look: Look | None = None) -> np.ndarray:
    """Per-vertex colours: skin, a T-shirt, shorts, shoes and hair."""
    look = look or Look()
    labels = np.array([body.labels[b] for b in body.bone_of_vertex])
    colors = np.tile(look.skin, (len(labels), 1))
    clothes = ((SHIRT_BONES, look.shirt), (SHORTS_BONES, look.shorts), (SHOE_BONES, SHOES))
    for bones, color in clothes:
        mask = np.zeros(len(labels), bool)
        for prefix in bones:
            mask |= np.char.startswith(labels, prefix)
        colors[mask] = color
    head = body.heads[body.bone("head")]
    rest = body.rest
    scalp = (np.char.startswith(labels, "head")) & (
        (rest[:, 2] > head[2] + 0.1)
        | ((rest[:, 1] > head[1] + 0.04) & (rest[:, 2] > head[2] + 0.02))
    )
    colors[scalp] = HAIR
    colors[np.char.startswith(labels, "eye")] = HAIR
    return colors


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals of a triangle mesh."""
    a, b, c = (vertices[faces[:, k]] for k in range(3))
    face_n = np.cross(b - a, c - a)
    normals = np.zeros_like(vertices)
    for k in range(3):
        for d in range(3):
            normals[:, d] += np.bincount(faces[:, k], weights=face_n[:, d], minlength=len(vertices))
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def barbell() -> Mesh:
    """A barbell along x with one 20 kg bumper plate on each side, centred on the origin."""
    parts = [cylinder(0.014, BAR_LENGTH, STEEL)]
    for side in (-1.0, 1.0):
        plate = cylinder(PLATE_RADIUS, 0.06, IRON, segments=48)
        parts.append(plate.moved(np.eye(3), np.array([side * 0.75, 0.0, 0.0])))
        collar = cylinder(0.03, 0.03, STEEL)
        parts.append(collar.moved(np.eye(3), np.array([side * 0.7, 0.0, 0.0])))
    return merge(parts)


def kettlebell() -> Mesh:
    """A kettlebell whose handle's grip is at the origin, hanging down along -z."""
    bell = sphere(KETTLEBELL_RADIUS, IRON).moved(np.eye(3), np.array([0.0, 0.0, -0.15]))
    handle = torus(0.055, 0.013, IRON).moved(np.eye(3), np.array([0.0, 0.0, -0.05]))
    return merge([bell, handle])


def _room() -> Mesh:
    """A tiled floor and a back wall, as one mesh."""
    tiles, size = 24, 0.6
    vertices: list[list[float]] = []
    colors: list[tuple[float, float, float]] = []
    faces: list[list[int]] = []
    for i in range(tiles):
        for j in range(tiles):
            x0, y0 = (i - tiles / 2) * size, (j - tiles / 2) * size
            base = len(vertices)
            vertices += [
                [x0, y0, 0],
                [x0 + size, y0, 0],
                [x0 + size, y0 + size, 0],
                [x0, y0 + size, 0],
            ]
            colors += [FLOOR[(i + j) % 2]] * 4
            faces += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    v = np.array(vertices, float)
    n = np.tile([0.0, 0.0, 1.0], (len(v), 1))
    return Mesh(v, n, np.array(colors), np.array(faces))


def _floor_axes(camera: Camera) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along the floor: away from the camera, and to its side."""
    back = camera.target - camera.eye
    back[2] = 0
    back /= np.linalg.norm(back)
    return back, np.cross(back, [0.0, 0.0, 1.0])


def _wall(camera: Camera, color: tuple[float, float, float] = WALL) -> Mesh:
    """A wall 4 m behind the target, facing the camera."""
    back, side = _floor_axes(camera)
    centre = camera.target + 4.0 * back
    v = np.array([centre + a * 8 * side + [0, 0, h] for a, h in ((-1, 0), (1, 0), (1, 6), (-1, 6))])
    v[:, 2] = [0, 0, 6, 6]
    lit = -back + [0.0, 0.0, 2.0]  # tilted towards the key light: a bright, even wall
    return Mesh(v, np.tile(lit, (4, 1)), np.tile(color, (4, 1)), np.array([[0, 1, 2], [0, 2, 3]]))


def _clutter(camera: Camera, look: Look) -> list[Mesh]:
    """Boxes and benches between the person and the wall, never in front of them."""
    rng = np.random.default_rng([look.seed, 7])
    back, side = _floor_axes(camera)
    items = []
    for _ in range(look.clutter):
        size = rng.uniform([0.3, 0.3, 0.2], [1.2, 0.6, 1.1])
        at = camera.target + back * rng.uniform(1.2, 3.5) + side * rng.uniform(-3.0, 3.0)
        at[2] = size[2] / 2
        box = cylinder(size[1] / 2, size[0], tuple(rng.uniform(0.1, 0.8, 3)), segments=4)
        items.append(box.moved(np.diag([1.0, 1.0, size[2] / size[1]]), at))
    return items


class Scene:
    """Renders a body (and props) in the room from one camera."""

    def __init__(self, body: Body, camera: Camera, look: Look | None = None) -> None:
        """Prepare the static parts of the scene and the renderer.

        Args:
            body: The person.
            camera: The camera.
            look: Colours, light and props of the room (plain when None).
        """
        look = look or Look()
        self.body = body
        self.camera = camera
        self.look = look
        self.colors = body_colors(body, look)
        self.static = [_room(), _wall(camera, look.wall), *_clutter(camera, look)]
        if look.bystander:
            self.static.append(_bystander(camera, look))
        # In the form the renderer draws, once: not converted again every frame.
        self.static = [_as_drawn(mesh) for mesh in self.static]
        self.renderer = Renderer(camera.width, camera.height, look.light)

    def close(self) -> None:
        """Release the renderer."""
        self.renderer.close()

    def __enter__(self) -> Scene:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render(self, vertices: np.ndarray, props: list[Mesh]) -> np.ndarray:
        """An RGB frame of the posed body ``vertices`` with ``props`` placed in the world."""
        faces = self.body.faces
        person = Mesh(vertices, vertex_normals(vertices, faces), self.colors, faces)
        image = self.renderer.render(
            self.camera, [*self.static, person, *props], [person, *props], self.look.wall
        )
        return np.ascontiguousarray(image[:, ::-1]) if self.camera.mirror else image


def _bystander(camera: Camera, look: Look) -> Mesh:
    """Another person standing by the wall, off to one side, facing the room."""
    rng = np.random.default_rng([look.seed, 11])
    other = Body(("m_avg", "f_slim", "m_heavy")[int(rng.integers(3))])
    back, side = _floor_axes(camera)
    turn = rot_z(float(rng.uniform(0, 360)))
    at = camera.target + back * rng.uniform(2.0, 3.2) + side * rng.choice([-1.0, 1.0]) * 1.4
    at[2] = 0.0
    posed = other.pose(Pose(arm_gap=float(rng.uniform(5, 25))))
    vertices = posed.vertices @ turn.T + at
    colors = body_colors(other, Look.of(int(rng.integers(1, 1000))))
    return Mesh(vertices, vertex_normals(vertices, other.faces), colors, other.faces)


def _as_drawn(mesh: Mesh) -> Mesh:
    """``mesh`` as contiguous float32 vertices, normals and colours, and uint32 faces."""
    return Mesh(
        np.ascontiguousarray(mesh.vertices, np.float32),
        np.ascontiguousarray(mesh.normals, np.float32),
        np.ascontiguousarray(mesh.colors, np.float32),
        np.ascontiguousarray(mesh.faces, np.uint32),
    )


def place(mesh: Mesh, position: np.ndarray, pitch_deg: float = 0.0) -> Mesh:
    """A prop moved to ``position`` and pitched about x."""
    return mesh.moved(rot_x(pitch_deg), position)
