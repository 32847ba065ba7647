"""Exceptions and warnings of our own, so callers can tell our failures apart."""

from __future__ import annotations


class FormcheckError(Exception):
    """Base of every error formcheck raises on purpose; its message is one line for the user."""


class VideoError(FormcheckError):
    """A video source cannot be opened or read."""


class ModelError(FormcheckError):
    """A pose model file is missing, corrupt or not a pose landmarker bundle."""


class NoPersonError(FormcheckError):
    """Pose estimation found no person in any frame."""


class FormcheckWarning(UserWarning):
    """A recoverable oddity in the input (a truncated video, an unreliable view...)."""
