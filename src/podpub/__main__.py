"""``python -m podpub``."""

from podpub.cli import entry

entry()
