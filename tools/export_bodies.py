"""Export a few Anny body shapes to the `.npz` the synthetic renderer poses.

Anny (NAVER, https://github.com/naver/anny) is a MakeHuman-based body model:
mesh and blend shapes CC0, code Apache-2.0. It depends on torch, so it runs
here once, in a throwaway virtual environment, and never at render time:

    python3 -m venv /tmp/anny && /tmp/anny/bin/pip install torch==2.13.0
    /tmp/anny/bin/pip install anny==0.6.2
    /tmp/anny/bin/python tools/export_bodies.py src/formcheck/synth/bodies.npz

The file holds what forward kinematics and linear blend skinning need in
NumPy: the triangle faces, the bone tree, the skinning weights, the COCO
keypoint regressor (shared by all bodies), and per body the rest-pose
vertices and bone heads, in metres, x = the person's left, -y = forward,
z = up, feet on the floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anny
import numpy as np
import torch

# name -> Anny phenotype (each in [0, 1]; gender 0 = male, 1 = female; age 0.5 is
# about 25 years, 1 about 90), then local changes (-1 to 1) for limb and trunk
# proportions. The first three are the shapes of the shared renders; the rest
# span height (about 1.50-1.95 m), build (lean to obese), age and proportions
# (long femurs on a short trunk, and the reverse).
BODIES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "m_avg": ({"gender": 0.0, "age": 0.6, "muscle": 0.55, "weight": 0.55, "height": 0.45}, {}),
    "f_slim": ({"gender": 1.0, "age": 0.55, "muscle": 0.45, "weight": 0.3, "height": 0.62}, {}),
    "m_heavy": ({"gender": 0.0, "age": 0.75, "muscle": 0.5, "weight": 0.85, "height": 0.4}, {}),
    "f_short": ({"gender": 1.0, "age": 0.6, "muscle": 0.5, "weight": 0.55, "height": 0.32}, {}),
    "m_tall_lean": ({"gender": 0.0, "age": 0.5, "muscle": 0.5, "weight": 0.2, "height": 0.76}, {}),
    "f_obese": ({"gender": 1.0, "age": 0.7, "muscle": 0.3, "weight": 1.0, "height": 0.38}, {}),
    "m_obese": ({"gender": 0.0, "age": 0.65, "muscle": 0.4, "weight": 1.0, "height": 0.4}, {}),
    "m_long_femur": (
        {"gender": 0.0, "age": 0.55, "muscle": 0.6, "weight": 0.45, "height": 0.495},
        {"upperlegs-height-incr": 1.0, "measure-napetowaist-dist-incr": -1.0},
    ),
    "f_long_trunk": (
        {"gender": 1.0, "age": 0.55, "muscle": 0.5, "weight": 0.45, "height": 0.52},
        {"upperlegs-height-incr": -1.0, "measure-napetowaist-dist-incr": 1.0},
    ),
    "m_old": ({"gender": 0.0, "age": 0.95, "muscle": 0.35, "weight": 0.6, "height": 0.32}, {}),
    "f_old": ({"gender": 1.0, "age": 0.92, "muscle": 0.3, "weight": 0.65, "height": 0.33}, {}),
    "m_muscular": ({"gender": 0.0, "age": 0.45, "muscle": 0.95, "weight": 0.6, "height": 0.71}, {}),
    "f_athletic": ({"gender": 1.0, "age": 0.5, "muscle": 0.8, "weight": 0.4, "height": 0.64}, {}),
    "m_short_legs": (
        {"gender": 0.0, "age": 0.6, "muscle": 0.55, "weight": 0.7, "height": 0.38},
        {"lowerlegs-height-incr": -1.0, "upperlegs-height-incr": -0.6},
    ),
    "f_tall_legs": (
        {"gender": 1.0, "age": 0.5, "muscle": 0.5, "weight": 0.35, "height": 0.66},
        {"lowerlegs-height-incr": 1.0, "upperlegs-height-incr": 0.6},
    ),
}


def main(out: Path) -> None:
    """Export :data:`BODIES` to ``out``."""
    model = anny.Anny(local_changes="default")
    regressor = anny.KeypointsRegressor.coco(model)
    weights = regressor.regression_weights.numpy()
    rows, cols = np.nonzero(weights)
    arrays: dict[str, np.ndarray] = {
        "faces": model.get_triangular_faces().numpy().astype(np.int32),
        "bone_labels": np.array(model.bone_labels),
        "bone_parents": np.asarray(model.bone_parents, dtype=np.int16),
        "skin_bones": model.vertex_bone_indices.numpy().astype(np.int16),
        "skin_weights": model.vertex_bone_weights.numpy().astype(np.float32),
        "keypoint_labels": np.array(regressor.labels),
        "keypoint_rows": rows.astype(np.int16),
        "keypoint_cols": cols.astype(np.int32),
        "keypoint_weights": weights[rows, cols].astype(np.float32),
        "body_names": np.array(list(BODIES)),
    }
    for name, (phenotype, local) in BODIES.items():
        with torch.no_grad():
            output = model(phenotype_kwargs=phenotype, local_changes_kwargs=local or None)
        vertices = output["rest_vertices"][0].numpy()
        heads = output["rest_bone_heads"][0].numpy()
        floor = vertices[:, 2].min()
        shift = np.array([0.0, 0.0, -floor])
        arrays[f"{name}/vertices"] = (vertices + shift).astype(np.float32)
        arrays[f"{name}/bone_heads"] = (heads + shift).astype(np.float32)
        print(f"{name}: height {np.ptp(vertices[:, 2]):.3f} m")
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
