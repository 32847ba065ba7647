"""Context-manager plumbing for objects that hold files or native resources."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class Closing:
    """Makes ``with obj:`` call ``obj.close()`` on the way out."""

    def close(self) -> None:
        """Release what the object holds."""
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
