"""Finding and verifying pose model bundles (``.task`` files)."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from formcheck.errors import ModelError

BUNDLED_NAME = "pose_landmarker_full.task"
#: sha256 of the bundle ``models/build_pose_model.py`` builds (see models/README.md).
BUNDLED_SHA256 = "3a0998698750ea782d3b9eea5b9846b366228cc5d1e1ccc525a0dc8fa89ace53"
#: Members every Pose Landmarker bundle (lite, full, heavy) holds.
REQUIRED_MEMBERS = frozenset({"pose_detector.tflite", "pose_landmarks_detector.tflite"})


@dataclass(frozen=True)
class ModelInfo:
    """A verified pose model bundle.

    Attributes:
        path: Where the bundle is.
        sha256: Its digest.
        bundled: True for the model shipped with formcheck.
    """

    path: Path
    sha256: str
    bundled: bool

    @property
    def name(self) -> str:
        """The bundle's file name, e.g. ``pose_landmarker_full.task``."""
        return self.path.name


def bundled_model_path() -> Path:
    """Path of the model shipped inside the installed package."""
    return Path(str(resources.files("formcheck") / "_data" / BUNDLED_NAME))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_model(path: str | Path | None = None) -> ModelInfo:
    """Find and verify a pose model.

    Args:
        path: A user's ``pose_landmarker_{lite,full,heavy}.task``; None for the
            bundled model, whose sha256 must match :data:`BUNDLED_SHA256`.

    Raises:
        ModelError: The file is missing, altered (bundled model) or not a pose
            landmarker bundle.
    """
    bundled = path is None
    model = bundled_model_path() if path is None else Path(path)
    if not model.is_file():
        hint = " (reinstall formcheck)" if bundled else ""
        raise ModelError(f"{model}: pose model not found{hint}")
    digest = _sha256(model)
    if bundled and digest != BUNDLED_SHA256:
        raise ModelError(
            f"{model}: bundled model has sha256 {digest[:12]}..., expected "
            f"{BUNDLED_SHA256[:12]}...; rebuild it with models/build_pose_model.py or reinstall"
        )
    try:
        with zipfile.ZipFile(model) as bundle:
            members = set(bundle.namelist())
    except zipfile.BadZipFile:
        raise ModelError(f"{model}: not a .task bundle (not a zip archive)") from None
    missing = REQUIRED_MEMBERS - members
    if missing:
        raise ModelError(
            f"{model}: not a pose landmarker bundle (missing {', '.join(sorted(missing))})"
        )
    return ModelInfo(path=model, sha256=digest, bundled=bundled)
