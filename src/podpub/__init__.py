"""podpub: publish a podcast from plain YAML files.

The library is usable on its own: ``podpub.write.publish.publish(Path("show"))`` does what
``podpub publish show`` does, and raises :class:`podpub.errors.PodpubError` with every
problem found.
"""

__version__ = "0.1.0"
