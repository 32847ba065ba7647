"""Rotations, the camera model and the prop meshes of the synthetic scenes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rot_x(deg: float) -> np.ndarray:
    """Rotation about x (the person's left-right axis) by ``deg`` degrees."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about z (vertical) by ``deg`` degrees."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def align(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation that turns unit vector ``a`` into unit vector ``b``."""
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.dot(a, b))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        raise ValueError("cannot align opposite vectors without an axis")
    k = axis / s
    skew = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + s * skew + (1 - c) * skew @ skew


@dataclass(frozen=True)
class Camera:
    """A pinhole camera looking at ``target`` from ``eye``, z up.

    ``mirror`` flips the picture left to right, as a phone's front camera does:
    the same scene then faces the other way in the image.
    """

    eye: np.ndarray
    target: np.ndarray
    width: int
    height: int
    yfov_deg: float = 40.0
    mirror: bool = False

    @property
    def view(self) -> np.ndarray:
        """World-to-camera 4x4 matrix (OpenGL convention: camera looks along -z)."""
        forward = self.target - self.eye
        forward = forward / np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        m = np.eye(4)
        m[0, :3], m[1, :3], m[2, :3] = right, up, -forward
        m[:3, 3] = -m[:3, :3] @ self.eye
        return m

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return self.height / 2 / np.tan(np.radians(self.yfov_deg) / 2)

    def projection(self, near: float = 0.05, far: float = 50.0) -> np.ndarray:
        """OpenGL projection matrix."""
        f = 1 / np.tan(np.radians(self.yfov_deg) / 2)
        m = np.zeros((4, 4))
        m[0, 0], m[1, 1] = f * self.height / self.width, f
        m[2, 2], m[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
        m[3, 2] = -1.0
        return m

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (x right, y down, pixel centres at +0.5) of world points."""
        cam = points @ self.view[:3, :3].T + self.view[:3, 3]
        depth = -cam[..., 2]
        x = self.width / 2 + self.focal_px * cam[..., 0] / depth
        y = self.height / 2 - self.focal_px * cam[..., 1] / depth
        return np.stack([self.width - x if self.mirror else x, y], axis=-1)


@dataclass(frozen=True)
class Mesh:
    """Triangles with per-vertex normals and colours."""

    vertices: np.ndarray  # (N, 3)
    normals: np.ndarray  # (N, 3)
    colors: np.ndarray  # (N, 3) RGB in [0, 1]
    faces: np.ndarray  # (M, 3)

    def moved(self, rotation: np.ndarray, offset: np.ndarray) -> Mesh:
        """The mesh turned by ``rotation`` and then moved by ``offset``."""
        return Mesh(
            self.vertices @ rotation.T + offset, self.normals @ rotation.T, self.colors, self.faces
        )


def cylinder(
    radius: float, length: float, color: tuple[float, float, float], segments: int = 32
) -> Mesh:
    """A closed cylinder along x, centred on the origin."""
    angle = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    ring = np.stack([np.zeros(segments), np.cos(angle), np.sin(angle)], axis=1)
    side_v = np.concatenate(
        [ring * radius + [-length / 2, 0, 0], ring * radius + [length / 2, 0, 0]]
    )
    side_n = np.concatenate([ring, ring])
    i = np.arange(segments)
    j = (i + 1) % segments
    side_f = np.concatenate(
        [np.stack([i, j, i + segments], 1), np.stack([j, j + segments, i + segments], 1)]
    )
    parts = [(side_v, side_n, side_f)]
    for sign in (-1.0, 1.0):
        cap_v = np.concatenate(
            [[[sign * length / 2, 0, 0]], ring * radius + [sign * length / 2, 0, 0]]
        )
        cap_n = np.tile([sign, 0.0, 0.0], (segments + 1, 1))
        cap_f = np.stack([np.zeros(segments, int), i + 1, j + 1], 1)
        parts.append((cap_v, cap_n, cap_f if sign > 0 else cap_f[:, ::-1]))
    vertices, normals, faces = _join(parts)
    return Mesh(vertices, normals, np.tile(color, (len(vertices), 1)), faces)


def sphere(radius: float, color: tuple[float, float, float], segments: int = 24) -> Mesh:
    """A UV sphere centred on the origin."""
    theta = np.linspace(0, np.pi, segments // 2 + 1)
    phi = np.linspace(0, 2 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    normals = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], -1).reshape(-1, 3)
    rows, cols = t.shape
    r, c = np.meshgrid(np.arange(rows - 1), np.arange(cols - 1), indexing="ij")
    a = (r * cols + c).ravel()
    faces = np.concatenate(
        [np.stack([a, a + cols, a + 1], 1), np.stack([a + 1, a + cols, a + cols + 1], 1)]
    )
    return Mesh(normals * radius, normals, np.tile(color, (len(normals), 1)), faces)


def torus(
    radius: float, tube: float, color: tuple[float, float, float], segments: int = 24
) -> Mesh:
    """A torus in the x-z plane, centred on the origin."""
    u = np.linspace(0, 2 * np.pi, segments + 1)
    v = np.linspace(0, 2 * np.pi, 12 + 1)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    centre = np.stack([np.cos(uu), np.zeros_like(uu), np.sin(uu)], -1)
    normals = np.cos(vv)[..., None] * centre + np.sin(vv)[..., None] * np.array([0.0, 1.0, 0.0])
    vertices = (radius * centre + tube * normals).reshape(-1, 3)
    rows, cols = uu.shape
    r, c = np.meshgrid(np.arange(rows - 1), np.arange(cols - 1), indexing="ij")
    a = (r * cols + c).ravel()
    faces = np.concatenate(
        [np.stack([a, a + cols, a + 1], 1), np.stack([a + 1, a + cols, a + cols + 1], 1)]
    )
    return Mesh(vertices, normals.reshape(-1, 3), np.tile(color, (len(vertices), 1)), faces)


def _join(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vertices, normals, faces, offset = [], [], [], 0
    for v, n, f in parts:
        vertices.append(v)
        normals.append(n)
        faces.append(f + offset)
        offset += len(v)
    return np.concatenate(vertices), np.concatenate(normals), np.concatenate(faces)


def merge(meshes: list[Mesh]) -> Mesh:
    """Several meshes as one."""
    vertices, normals, faces = _join([(m.vertices, m.normals, m.faces) for m in meshes])
    return Mesh(vertices, normals, np.concatenate([m.colors for m in meshes]), faces)
