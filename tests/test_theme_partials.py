"""The default theme's partials are written in place of their includes (site/render.py:
an include costs a template lookup and a copy of the page's context, 100 of them on a
person page), and a show still replaces any partial with its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html

from podpub.resolve.records import SiteRecord
from podpub.site.i18n import translations
from podpub.site.render import THEME_DIR, make_environment, render_pages

from factories import site_record

PARTIALS = sorted(path.name for path in THEME_DIR.glob("_*.html"))


def render(site: SiteRecord, template_dirs: list[Path]) -> dict[str, bytes]:
    return dict(render_pages(site, template_dirs))


def rich_site() -> SiteRecord:
    return site_record(3)


def test_the_pages_are_the_bytes_the_includes_render(tmp_path: Path):
    """Copies of every theme partial in a show's folder are included as before; the
    theme's own, written in place, must render the very same pages."""
    for name in PARTIALS:
        shutil.copy(THEME_DIR / name, tmp_path / name)
    site = rich_site()
    included, in_place = render(site, [tmp_path]), render(site, [])
    assert included.keys() == in_place.keys()
    assert [page for page in included if included[page] != in_place[page]] == []
    environment = make_environment([], translations("fr"))
    source = environment.loader.get_source(environment, "episode.html")[0]
    assert "{% include" not in source  # …and they were written in place
    assert "person-roles" in environment.loader.get_source(environment, "person.html")[0]


def test_a_show_replaces_an_included_partial_on_every_page_that_includes_it(tmp_path: Path):
    (tmp_path / "_episode_meta.html").write_text(
        '<p class="mine">{{ episode.title }}</p>\n', encoding="utf-8"
    )
    (tmp_path / "_player.html").write_text('<div class="my-player"></div>\n', encoding="utf-8")
    pages = render(rich_site(), [tmp_path])
    episode = lxml.html.document_fromstring(pages["episodes/episode-1/index.html"])
    assert episode.xpath("//p[@class='mine']") and not episode.xpath("//p[@class='meta']")
    assert episode.xpath("//div[@class='my-player']") and not episode.xpath("//audio")
    assert episode.xpath("//section[contains(@class, 'chapters')]")  # the rest: the theme's
    people = [page for page in pages if page.startswith("people/") and page.endswith(".html")]
    assert people
    for page in [*people, "index.html"]:
        doc = lxml.html.document_fromstring(pages[page])
        assert doc.xpath("//p[@class='mine']"), page
        assert not doc.xpath("//p[@class='meta']"), page
