"""A gym corner: floor, wall, a clothed body and its props, seen by one camera."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.body import Body
from formcheck.synth.geometry import Camera, Mesh, cylinder, merge, rot_x, sphere, torus
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

    def camera(self, width: int, height: int, yfov_deg: float = 40.0) -> Camera:
        """The camera of this view for images of ``width`` x ``height`` pixels."""
        az = np.radians(self.azimuth_deg)
        target = np.array(self.target)
        ground = np.array([np.cos(az), -np.sin(az), 0.0]) * self.distance_m
        eye = np.array([target[0] + ground[0], target[1] + ground[1], self.height_m])
        return Camera(eye, target, width, height, yfov_deg)


def body_colors(body: Body) -> np.ndarray:
    """Per-vertex colours: skin, a T-shirt, shorts, shoes and hair."""
    labels = np.array([body.labels[b] for b in body.bone_of_vertex])
    colors = np.tile(SKIN, (len(labels), 1))
    for bones, color in ((SHIRT_BONES, SHIRT), (SHORTS_BONES, SHORTS), (SHOE_BONES, SHOES)):
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


def _wall(camera: Camera) -> Mesh:
    """A wall 4 m behind the target, facing the camera."""
    back = camera.target - camera.eye
    back[2] = 0
    back /= np.linalg.norm(back)
    side = np.cross(back, [0.0, 0.0, 1.0])
    centre = camera.target + 4.0 * back
    v = np.array([centre + a * 8 * side + [0, 0, h] for a, h in ((-1, 0), (1, 0), (1, 6), (-1, 6))])
    v[:, 2] = [0, 0, 6, 6]
    lit = -back + [0.0, 0.0, 2.0]  # tilted towards the key light: a bright, even wall
    return Mesh(v, np.tile(lit, (4, 1)), np.tile(WALL, (4, 1)), np.array([[0, 1, 2], [0, 2, 3]]))


class Scene:
    """Renders a body (and props) in the room from one camera."""

    def __init__(self, body: Body, camera: Camera) -> None:
        """Prepare the static parts of the scene and the renderer."""
        self.body = body
        self.camera = camera
        self.colors = body_colors(body)
        self.static = [_room(), _wall(camera)]
        self.renderer = Renderer(camera.width, camera.height)

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
        return self.renderer.render(
            self.camera, [*self.static, person, *props], [person, *props], WALL
        )


def place(mesh: Mesh, position: np.ndarray, pitch_deg: float = 0.0) -> Mesh:
    """A prop moved to ``position`` and pitched about x."""
    return mesh.moved(rot_x(pitch_deg), position)
