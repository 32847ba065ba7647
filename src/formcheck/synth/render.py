"""Off-screen OpenGL rendering on the CPU through OSMesa (Debian ``libosmesa6``).

Fixed-function OpenGL is all these scenes need: Gouraud-shaded meshes with
per-vertex colours, two lights, a tiled floor and a back wall, and the body's
shadow flattened onto the floor.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.synth.geometry import Camera, Mesh

LIGHT = np.array([0.35, 0.45, 1.0])  # direction towards the key light (and the shadow's source)


def _gl() -> tuple[Any, Any]:
    try:
        from OpenGL import GL, osmesa
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise FormcheckError(
            "rendering needs PyOpenGL and OSMesa: pip install 'formcheck[synth]' and "
            "apt-get install libosmesa6"
        ) from exc
    return GL, osmesa


class Renderer:
    """Renders lists of coloured meshes to RGB images of one size."""

    def __init__(self, width: int, height: int, light: float = 1.0) -> None:
        """Create an OSMesa context and its frame buffer; ``light`` scales the lamps."""
        gl, osmesa = _gl()
        self._gl = gl
        self.width, self.height = width, height
        self.light = light
        self._ctx = osmesa.OSMesaCreateContextExt(osmesa.OSMESA_RGBA, 24, 8, 0, None)
        if not self._ctx:
            raise FormcheckError("could not create an OSMesa context")
        self._buffer = (ctypes.c_ubyte * (width * height * 4))()
        if not osmesa.OSMesaMakeCurrent(
            self._ctx, self._buffer, gl.GL_UNSIGNED_BYTE, width, height
        ):
            raise FormcheckError("could not bind the OSMesa frame buffer")
        self._osmesa = osmesa
        self._setup()

    def close(self) -> None:
        """Release the OSMesa context."""
        if self._ctx:
            self._osmesa.OSMesaDestroyContext(self._ctx)
            self._ctx = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _setup(self) -> None:
        gl = self._gl
        gl.glViewport(0, 0, self.width, self.height)
        gl.glEnable(gl.GL_DEPTH_TEST)
        gl.glEnable(gl.GL_LIGHTING)
        gl.glEnable(gl.GL_NORMALIZE)
        gl.glEnable(gl.GL_COLOR_MATERIAL)
        gl.glColorMaterial(gl.GL_FRONT_AND_BACK, gl.GL_AMBIENT_AND_DIFFUSE)
        gl.glLightModelfv(gl.GL_LIGHT_MODEL_AMBIENT, (0.32, 0.32, 0.32, 1.0))
        gl.glLightModeli(gl.GL_LIGHT_MODEL_TWO_SIDE, gl.GL_TRUE)
        gl.glShadeModel(gl.GL_SMOOTH)
        for light, strength in (
            (gl.GL_LIGHT0, 0.72 * self.light),
            (gl.GL_LIGHT1, 0.3 * self.light),
        ):
            gl.glEnable(light)
            gl.glLightfv(light, gl.GL_DIFFUSE, (strength, strength, strength, 1.0))
            gl.glLightfv(light, gl.GL_SPECULAR, (0.0, 0.0, 0.0, 1.0))
        gl.glEnableClientState(gl.GL_VERTEX_ARRAY)
        gl.glEnableClientState(gl.GL_COLOR_ARRAY)
        gl.glEnable(gl.GL_BLEND)
        gl.glBlendFunc(gl.GL_SRC_ALPHA, gl.GL_ONE_MINUS_SRC_ALPHA)

    def render(
        self,
        camera: Camera,
        meshes: list[Mesh],
        shadow_casters: list[Mesh],
        background: tuple[float, float, float],
    ) -> np.ndarray:
        """Draw ``meshes`` and the shadows of ``shadow_casters`` on the floor.

        Returns:
            An (H, W, 3) uint8 RGB image.
        """
        gl = self._gl
        gl.glClearColor(*background, 1.0)
        gl.glClear(gl.GL_COLOR_BUFFER_BIT | gl.GL_DEPTH_BUFFER_BIT | gl.GL_STENCIL_BUFFER_BIT)
        gl.glMatrixMode(gl.GL_PROJECTION)
        gl.glLoadMatrixd(camera.projection().T.copy())
        gl.glMatrixMode(gl.GL_MODELVIEW)
        gl.glLoadMatrixd(camera.view.T.copy())
        gl.glLightfv(gl.GL_LIGHT0, gl.GL_POSITION, (*LIGHT, 0.0))
        gl.glLightfv(gl.GL_LIGHT1, gl.GL_POSITION, (-0.6, -0.8, 0.3, 0.0))
        gl.glEnableClientState(gl.GL_NORMAL_ARRAY)
        for mesh in meshes:
            self._draw(mesh.vertices, mesh.colors, mesh.faces, mesh.normals)
        gl.glDisable(gl.GL_LIGHTING)
        gl.glDisableClientState(gl.GL_NORMAL_ARRAY)
        # Each floor pixel darkens once, however many triangles of the shadow cover it.
        gl.glDepthMask(gl.GL_FALSE)
        gl.glEnable(gl.GL_STENCIL_TEST)
        gl.glStencilFunc(gl.GL_EQUAL, 0, 0xFF)
        gl.glStencilOp(gl.GL_KEEP, gl.GL_KEEP, gl.GL_INCR)
        for mesh in shadow_casters:
            shade = np.tile([0.0, 0.0, 0.0, 0.22], (len(mesh.vertices), 1))
            self._draw(_flatten(mesh.vertices), shade, mesh.faces, None)
        gl.glDisable(gl.GL_STENCIL_TEST)
        gl.glDepthMask(gl.GL_TRUE)
        gl.glEnable(gl.GL_LIGHTING)
        gl.glFinish()
        image = np.ctypeslib.as_array(self._buffer).reshape(self.height, self.width, 4)
        return np.ascontiguousarray(image[::-1, :, :3])

    def _draw(
        self,
        vertices: np.ndarray,
        colors: np.ndarray,
        faces: np.ndarray,
        normals: np.ndarray | None,
    ) -> None:
        gl = self._gl
        v = np.ascontiguousarray(vertices, np.float32)
        c = np.ascontiguousarray(colors, np.float32)
        f = np.ascontiguousarray(faces, np.uint32)
        # Bare addresses: given numpy arrays, PyOpenGL keeps a reference to every
        # one it was ever passed (about a megabyte a frame). GL reads client
        # arrays during glDrawElements, while these locals are alive.
        gl.glVertexPointer(3, gl.GL_FLOAT, 0, _address(v))
        gl.glColorPointer(c.shape[1], gl.GL_FLOAT, 0, _address(c))
        if normals is not None:
            n = np.ascontiguousarray(normals, np.float32)
            gl.glNormalPointer(gl.GL_FLOAT, 0, _address(n))
        gl.glDrawElements(gl.GL_TRIANGLES, f.size, gl.GL_UNSIGNED_INT, _address(f))


def _address(array: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(array.ctypes.data)


def _flatten(vertices: np.ndarray) -> np.ndarray:
    """Project points along the key light onto the floor (a planar shadow)."""
    height = np.clip(vertices[:, 2], 0.0, None)
    flat = vertices - height[:, None] * (LIGHT / LIGHT[2])
    flat[:, 2] = 0.002
    return flat
