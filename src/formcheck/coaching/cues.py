"""Cues: the faults of a set as a coach would say them, the one to fix first leading.

Coaches give one cue at a time and start with what matters most. Here that is a
fault that keeps coming back (on :data:`PERSISTENT_REPS` reps or more) or is bad
(``major``) on even one rep, in the exercise's order of importance (the back
before the pattern before the finish); faults seen once and mildly come after,
the most frequent first. Each cue names its reps (or its hold and the time it
began) so the lifter can look at them.
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.checks import check_of
from formcheck.exercises import Exercise
from formcheck.holds import Hold
from formcheck.report import RepResult

#: A fault on this many reps is a pattern to work on, not a slip.
PERSISTENT_REPS = 2
#: Cues given for a set at most: the main one and what to work on after it.
MAX_CUES = 3


def set_cues(reps: Sequence[RepResult], spec: Exercise) -> tuple[str, ...]:
    """The cues for the faults of a set's full reps, the main one first."""
    seen: dict[str, list[RepResult]] = {}
    for rep in reps:
        for fault in rep.faults:
            seen.setdefault(fault.code, []).append(rep)
    rank = {code: i for i, code in enumerate(spec.checks)}

    def priority(code: str) -> tuple[bool, int, int]:
        flagged = seen[code]
        bad = any(f.code == code and f.severity == "major" for r in flagged for f in r.faults)
        persistent = bad or len(flagged) >= PERSISTENT_REPS
        return (not persistent, 0 if persistent else -len(flagged), rank[code])

    ordered = sorted(seen, key=priority)[:MAX_CUES]
    return tuple(
        f"{check_of(spec.name, c).cue} ({_reps([r.index for r in seen[c]])})" for c in ordered
    )


def hold_cues(holds: Sequence[Hold], spec: Exercise) -> tuple[str, ...]:
    """The cues for the faults of a set's holds, the one that lasted longest first."""
    time_in: dict[str, float] = {}
    first: dict[str, tuple[int, float]] = {}
    for number, hold in enumerate(holds, 1):
        for interval in hold.faults:
            spent = interval.end_s - interval.start_s
            time_in[interval.code] = time_in.get(interval.code, 0.0) + spent
            first.setdefault(interval.code, (number, interval.start_s))
    ordered = sorted(time_in, key=lambda c: -time_in[c])
    return tuple(f"{spec.cues[c]} (hold {first[c][0]}, from {first[c][1]:.0f} s)" for c in ordered)


def _reps(numbers: list[int]) -> str:
    return f"rep{'s' if len(numbers) > 1 else ''} {ranges(numbers)}"


def ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)
