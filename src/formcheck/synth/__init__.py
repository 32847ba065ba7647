"""Synthetic exercise clips with exact ground truth (a development tool).

A rendered human performs deadlifts, RDLs, kettlebell swings, planks and glute
bridges, clean or with deliberate faults; each clip comes with labels measured
from the posed body. Needs the ``synth`` extra and Debian's ``libosmesa6``.
Run ``python -m formcheck.synth --help``.
"""
