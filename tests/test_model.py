from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from formcheck import model
from formcheck.errors import ModelError
from formcheck.model import BUNDLED_SHA256, bundled_model_path, resolve_model


def test_bundled_model_is_found_and_verified(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # any working directory
    info = resolve_model()
    assert info.bundled and info.sha256 == BUNDLED_SHA256
    assert info.name == "pose_landmarker_full.task" and info.path.is_file()


def test_an_altered_bundled_model_is_refused(tmp_path: Path, monkeypatch) -> None:
    altered = tmp_path / "pose_landmarker_full.task"
    shutil.copy(bundled_model_path(), altered)
    with altered.open("ab") as f:
        f.write(b"\0")
    monkeypatch.setattr(model, "bundled_model_path", lambda: altered)
    with pytest.raises(ModelError, match="expected 3a0998698750"):
        resolve_model()


def test_a_user_bundle_is_accepted_by_structure(tmp_path: Path) -> None:
    copy = tmp_path / "pose_landmarker_lite.task"
    shutil.copy(bundled_model_path(), copy)
    info = resolve_model(copy)
    assert not info.bundled and info.path == copy


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"hello", "not a zip"), ("zip", "missing pose_landmarks_detector")],
)
def test_bad_user_models_are_refused(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "x.task"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("pose_detector.tflite", b"")
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=message):
        resolve_model(path)
