"""Checking a folder of videos: one report each, a summary, local processes or Ray.

:mod:`.jobs` plans the work, :mod:`.work` checks one video (what a worker runs),
:mod:`.engines` runs the work on processes or on Ray, :mod:`.summary` writes
``summary.csv`` and ``index.html``.
"""
