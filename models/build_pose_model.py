#!/usr/bin/env python3
"""Build ``pose_landmarker_full.task`` from the networks in ``mediapipe==0.10.21``.

The MediaPipe Tasks API wants a ``.task`` bundle that is normally downloaded
from Google's model storage. The same BlazePose GHUM *full* networks ship inside
the ``mediapipe==0.10.21`` wheel on PyPI (Apache-2.0). This script:

1. creates a throwaway virtual environment and installs ``mediapipe==0.10.21``
   into it (the project's own environment is never touched);
2. inside that environment, adds TFLite metadata (input normalisation and one
   feature output per output tensor) to the detector and landmark networks;
3. zips them, with fixed timestamps so the result is byte-for-byte
   reproducible, as ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``;
4. prints the bundle's sha256.

Usage::

    python models/build_pose_model.py [--out models/pose_landmarker_full.task]

Needs a Python that ``mediapipe==0.10.21`` supports (3.9-3.12) and access to PyPI.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
import venv
import zipfile
from pathlib import Path

MEDIAPIPE_PIN = "mediapipe==0.10.21"
DEFAULT_OUT = Path(__file__).resolve().parent / "pose_landmarker_full.task"

# (name in the bundle, path inside the wheel, norm mean, norm std, output tensors)
NETWORKS = (
    ("pose_detector.tflite", "modules/pose_detection/pose_detection.tflite", 127.5, 127.5, 2),
    (
        "pose_landmarks_detector.tflite",
        "modules/pose_landmark/pose_landmark_full.tflite",
        0.0,
        255.0,
        5,
    ),
)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def add_metadata(model: bytes, name: str, mean: float, std: float, n_outputs: int) -> bytes:
    """Return ``model`` with TFLite metadata the Tasks API accepts (runs in the venv)."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose GHUM full, from the mediapipe 0.10.21 wheel")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in range(n_outputs):
        writer.add_feature_output()
    tflite, _json = writer.populate()
    return bytes(tflite)


def write_bundle(out: Path) -> None:
    """Write the ``.task`` bundle to ``out`` (runs inside the throwaway venv)."""
    import mediapipe

    root = Path(mediapipe.__file__).parent
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
        for member, rel, mean, std, n_outputs in NETWORKS:
            model = (root / rel).read_bytes()
            info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            bundle.writestr(info, add_metadata(model, member, mean, std, n_outputs))
    tmp.replace(out)


def main() -> None:
    """Build the bundle in a throwaway venv and print its sha256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out.resolve()
    if args.inside_venv:
        write_bundle(out)
        return
    with tempfile.TemporaryDirectory(prefix="formcheck-model-") as tmp:
        env_dir = Path(tmp) / "venv"
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "--quiet", MEDIAPIPE_PIN], check=True)
        script = Path(__file__).resolve()
        subprocess.run([python, script, "--inside-venv", "--out", out], check=True)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{out}\nsha256 {digest}")


if __name__ == "__main__":
    main()
