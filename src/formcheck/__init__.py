"""formcheck: a computer-vision form checker for posterior-chain training."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("formcheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
