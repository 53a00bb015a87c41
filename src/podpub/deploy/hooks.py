"""What runs after a successful deploy: the one place later steps are wired in.

The remote check of the new enclosures and the pings to WebSub hubs and the Podcast
Index belong here (they need the files online); for now nothing else runs.
"""

from __future__ import annotations

from pathlib import Path

from podpub.resolve.records import SiteRecord


def after_deploy(show_dir: Path, site: SiteRecord | None, uploaded_paths: tuple[str, ...]) -> None:
    """Called once after every successful deploy (never after --dry-run).

    ``site`` is the site just published (``podpub publish --deploy``), the show resolved
    for its media (deploy.media), else None: podpub deploy alone uploads the published
    folder without reading the episodes. ``uploaded_paths`` are the paths uploaded, in
    upload order, relative to their destination: the site's root, or for media served
    from media_url, media_url's root.
    """
    return
