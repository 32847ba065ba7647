"""What an analysis found, in the shape of ``report.json`` (see DESIGN.md)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from formcheck.files import write_text
from formcheck.holds import Hold, Interval
from formcheck.series import VideoMeta

if TYPE_CHECKING:
    from formcheck.track import Track

SCHEMA_VERSION = 1

Severity = Literal["minor", "major"]
#: What to do with the load next time, most cautious last.
Action = Literal["progress", "hold", "regress", "stop"]
ACTIONS: tuple[Action, ...] = ("progress", "hold", "regress", "stop")
#: A rep's metric ``<code>_confidence`` is how sure check ``code`` was of its value.
CONFIDENCE = "_confidence"


@dataclass(frozen=True)
class Fault:
    """One fault of one rep: the measured value and the threshold it crossed.

    ``start_s``/``end_s`` span the frames the value was measured over, ``at_s`` is
    when it was worst (the frame to show); ``confidence`` (0-1) is set by checks
    that rate their own reading.
    """

    code: str
    severity: Severity
    value: float
    threshold: float
    unit: str
    start_s: float
    end_s: float
    metric: str
    confidence: float | None = None
    at_s: float | None = None


@dataclass(frozen=True)
class RepResult:
    """A full rep (index from 1) or a partial one (index 0, ``note`` says why), judged.

    ``view`` is the camera view during the rep (a lifter may turn between reps);
    ``skipped`` the checks that view cannot support; ``abstained`` the checks that
    could not measure this rep reliably, with the reason.
    """

    index: int
    start_s: float
    end_s: float
    faults: tuple[Fault, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    note: str = ""
    view: str = "side"
    skipped: tuple[str, ...] = ()
    abstained: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CameraView:
    """The camera view and what it allows."""

    label: str
    suitable: bool
    width: float
    skipped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """Totals and the cues that matter most (for timed holds also their times)."""

    rep_count: int
    partial_reps: int
    flagged_reps: int
    cues: tuple[str, ...]
    hold_count: int = 0
    hold_s: float = 0.0
    good_form_s: float = 0.0


@dataclass(frozen=True)
class LoadSuggestion:
    """What to do next time, and why (see :mod:`formcheck.coaching.rules`).

    Attributes:
        action: ``progress``, ``hold``, ``regress`` or ``stop`` (this exercise, today).
        change_pct: The change of the load, after rounding to real plates or bells
            (for a timed hold: of the hold time); None when stopping.
        next_load: The load (for a timed hold: the seconds) to use next, when known.
        unit: ``kg``, ``lb`` or ``s``.
        next_reps: Reps for the next set; None for a timed hold or when stopping.
        reasons: Every rule that spoke, the deciding ones first, with its source.
        alternative: An easier variant to do instead, when regressing or stopping.
        prescription: Where the set sits against a program's prescription, if any.
    """

    action: Action
    change_pct: float | None
    next_load: float | None
    unit: str | None
    next_reps: int | None
    reasons: tuple[str, ...]
    alternative: str | None = None
    prescription: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")
        if not self.reasons:
            raise ValueError("a load suggestion needs at least one reason")

    @property
    def then(self) -> str:
        """The next load and reps in words, e.g. ``90 kg (-10 %), 5 reps``; may be empty."""
        what = []
        if self.next_load is not None:
            change = f" ({self.change_pct:+g} %)" if self.change_pct else ""
            what.append(f"{self.next_load:g} {self.unit or ''}{change}")
        if self.next_reps is not None:
            what.append(f"{self.next_reps} reps")
        return ", ".join(what)


@dataclass(frozen=True)
class SetReport:
    """Everything the outputs need about one analysed set."""

    source: VideoMeta
    n_frames: int
    exercise: str
    profile: str
    thresholds: dict[str, float]
    custom_thresholds: tuple[str, ...]
    camera_view: CameraView
    side: str
    reps: tuple[RepResult, ...]
    partials: tuple[RepResult, ...]
    summary: Summary
    warnings: tuple[str, ...] = ()
    holds: tuple[Hold, ...] = ()
    set_metrics: dict[str, float | str] = field(default_factory=dict)
    load_suggestion: LoadSuggestion | None = None
    track: Track | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, keys as DESIGN.md fixes them."""
        return {
            "schema_version": SCHEMA_VERSION,
            "source": {
                "path": self.source.source,
                "fps": self.source.fps,
                "n_frames": self.n_frames,
                "width": self.source.width,
                "height": self.source.height,
                "rotation": self.source.rotation,
            },
            "exercise": self.exercise,
            "profile": self.profile,
            "thresholds": self.thresholds,
            "custom_thresholds": list(self.custom_thresholds),
            "camera_view": {
                "label": self.camera_view.label,
                "suitable": self.camera_view.suitable,
                "width": _round(self.camera_view.width),
                "skipped_checks": list(self.camera_view.skipped),
                "warnings": list(self.camera_view.warnings),
            },
            "side": self.side,
            "reps": [_rep(r) for r in self.reps],
            "partial_reps": [_rep(r) for r in self.partials],
            "holds": [_hold(h) for h in self.holds],
            "summary": _summary(self.summary),
            "set_metrics": {
                k: _round(v) if isinstance(v, float) else v for k, v in self.set_metrics.items()
            },
            "load_suggestion": _suggestion(self.load_suggestion),
            "warnings": list(self.warnings),
        }

    def write(self, path: Path) -> None:
        """Write ``report.json`` atomically (a temp file, then a rename)."""
        write_text(path, json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")


def _round(value: float, digits: int = 2) -> float | None:
    return None if value != value else round(value, digits)  # NaN -> null


def _rep(rep: RepResult) -> dict[str, Any]:
    return {
        "index": rep.index,
        **({"note": rep.note} if rep.note else {}),
        "view": rep.view,
        **({"skipped_checks": list(rep.skipped)} if rep.skipped else {}),
        **({"abstained": dict(rep.abstained)} if rep.abstained else {}),
        "start_s": round(rep.start_s, 3),
        "end_s": round(rep.end_s, 3),
        "faults": [_fault(f) for f in rep.faults],
        "metrics": {
            k: _round(v, 2 if k.endswith(CONFIDENCE) else 1) for k, v in rep.metrics.items()
        },
    }


def _summary(summary: Summary) -> dict[str, Any]:
    out = {**asdict(summary), "cues": list(summary.cues)}
    out["hold_s"], out["good_form_s"] = round(summary.hold_s, 2), round(summary.good_form_s, 2)
    return out


def _suggestion(suggestion: LoadSuggestion | None) -> dict[str, Any] | None:
    if suggestion is None:
        return None
    out = {**asdict(suggestion), "reasons": list(suggestion.reasons)}
    optional = ("alternative", "prescription")
    return {k: v for k, v in out.items() if v is not None or k not in optional}


def _hold(hold: Hold) -> dict[str, Any]:
    onset = hold.fatigue_onset_s
    return {
        "start_s": round(hold.start_s, 3),
        "end_s": round(hold.end_s, 3),
        "duration_s": round(hold.duration_s, 2),
        "good_form_s": round(hold.good_form_s, 2),
        "fatigue_onset_s": None if onset is None else round(onset, 3),
        "view": hold.view,
        "faults": [_interval(i) for i in hold.faults],
        "metrics": {k: _round(v, 1) for k, v in hold.metrics.items()},
    }


def _interval(interval: Interval) -> dict[str, Any]:
    return {
        "code": interval.code,
        "severity": interval.severity,
        "start_s": round(interval.start_s, 3),
        "end_s": round(interval.end_s, 3),
        "value": _round(interval.value_deg, 1),
        "value_pct": _round(interval.value_pct, 1),
        "threshold": interval.threshold_deg,
        "unit": "deg",
        "metric": "worst hip deviation from the body line (- below it, + above)",
    }


def _fault(fault: Fault) -> dict[str, Any]:
    out = {
        **asdict(fault),
        "value": _round(fault.value, 1),
        "start_s": round(fault.start_s, 3),
        "end_s": round(fault.end_s, 3),
        "at_s": None if fault.at_s is None else round(fault.at_s, 3),
    }
    if fault.confidence is None:
        del out["confidence"]
    else:
        out["confidence"] = _round(fault.confidence)
    return out
