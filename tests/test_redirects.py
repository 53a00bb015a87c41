"""Issue 19 points 6 and 12: a page that moves keeps its old address working; names in
any script give readable addresses, and the addresses published before still lead there."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from podpub.write.ledger import describe
from podpub.write.publish import PublishOptions, dry_run, publish
from static_server import serve

from conftest import MINIMAL_EPISODE, NOW, write_show

SITE = "https://podcast.example.org/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def name_digest(name: str) -> str:
    """The address podpub gave a name without Latin letters before it transliterated."""
    return "p-" + hashlib.sha1(" ".join(name.casefold().split()).encode()).hexdigest()[:10]


def publish_to(show: Path, out: Path):
    return publish(show, PublishOptions(out=out, now=NOW))


def sitemap_urls(out: Path) -> set[str]:
    root = lxml.etree.fromstring((out / "sitemap.xml").read_bytes())
    return {loc.text for loc in root.iter(f"{SITEMAP_NS}loc")}


def ledger_of(show: Path) -> dict:
    return json.loads((show / "published.lock").read_text(encoding="utf-8"))


def rename_episode(show: Path, old: str, new: str) -> None:
    """Rename a published descriptor the way the ledger's hint says: its GUID pinned."""
    guid = ledger_of(show)["episodes"][0]["guid"]
    text = (show / "episodes" / f"{old}.yaml").read_text(encoding="utf-8")
    (show / "episodes" / f"{old}.yaml").unlink()
    (show / "episodes" / f"{new}.yaml").write_text(text + f"guid: {guid}\n", encoding="utf-8")


@pytest.fixture
def renamed(tmp_path: Path) -> tuple[Path, Path]:
    show = write_show(tmp_path / "show")
    out = tmp_path / "out"
    publish_to(show, out)
    rename_episode(show, "ep1", "interview-maria")
    return show, out


def test_a_renamed_episode_leaves_a_redirect_page_at_its_old_address(renamed) -> None:
    show, out = renamed
    result = publish_to(show, out)
    page = lxml.html.fromstring((out / "episodes/ep1/index.html").read_bytes())
    (refresh,) = page.xpath("//meta[@http-equiv='refresh']/@content")
    assert refresh == "0; url=../../episodes/interview-maria/"
    assert page.xpath("//link[@rel='canonical']/@href") == [SITE + "episodes/interview-maria/"]
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert page.xpath("//main//a/@href") == ["../../episodes/interview-maria/"]
    assert (out / "episodes/interview-maria/index.html").is_file()
    # the subscribers' side is untouched, and publish says what moved
    assert [e.kind for e in result.changes.episodes] == ["renamed"]
    assert any("1 page moves to a new address" in line for line in describe(result.changes, False))


def test_the_redirect_is_a_301_line_for_hosts_that_read_redirects(renamed) -> None:
    show, out = renamed
    (out / "_redirects").write_text("/old-blog/* https://blog.example.org/:splat 301\n")
    publish_to(show, out)
    lines = (out / "_redirects").read_text().splitlines()
    assert "/episodes/ep1/ /episodes/interview-maria/ 301" in lines
    assert lines[0] == "/old-blog/* https://blog.example.org/:splat 301"  # the producer's own
    publish_to(show, out)  # again: podpub's lines are not repeated
    assert (out / "_redirects").read_text().splitlines() == lines


def test_the_sitemap_lists_only_the_new_address(renamed) -> None:
    show, out = renamed
    publish_to(show, out)
    assert (out / "episodes/ep1/index.html").is_file()  # a redirect page is there…
    urls = sitemap_urls(out)  # … and not listed
    assert SITE + "episodes/interview-maria/" in urls
    assert SITE + "episodes/ep1/" not in urls


def test_redirects_survive_later_publishes_and_follow_a_second_move(renamed) -> None:
    show, out = renamed
    publish_to(show, out)
    assert ledger_of(show)["redirects"] == {"episodes/ep1/": "episodes/interview-maria/"}
    publish_to(show, out)  # nothing changed: the redirect stays
    assert (out / "episodes/ep1/index.html").is_file()
    (show / "episodes/interview-maria.yaml").rename(show / "episodes/maria-lopez.yaml")
    publish_to(show, out)
    assert ledger_of(show)["redirects"] == {
        "episodes/ep1/": "episodes/maria-lopez/",
        "episodes/interview-maria/": "episodes/maria-lopez/",
    }
    for old in ("ep1", "interview-maria"):
        page = lxml.html.fromstring((out / f"episodes/{old}/index.html").read_bytes())
        assert page.xpath("//link[@rel='canonical']/@href") == [SITE + "episodes/maria-lopez/"]


def test_a_dry_run_shows_the_move(renamed) -> None:
    show, out = renamed
    _site, diff = dry_run(show, PublishOptions(out=out, now=NOW))
    assert "  → /episodes/ep1/ redirects to /episodes/interview-maria/" in describe(diff, True)


def test_a_browser_at_the_old_address_lands_on_the_new_page(renamed) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is needed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    show, out = renamed
    publish_to(show, out)
    with serve(out) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.goto(url + "episodes/ep1/")
            tab.wait_for_url(url + "episodes/interview-maria/", timeout=10_000)
            assert tab.locator("h1").inner_text() == "First episode"
        finally:
            browser.close()


# --- point 12: names in any script --------------------------------------------------

WORLD_EPISODE = MINIMAL_EPISODE + (
    "credits:\n  - role: Producer\n    people: [王小明, Дмитрий Петров, Łukasz Żółć]\n"
)


def test_people_pages_of_non_latin_names_have_readable_addresses(tmp_path: Path) -> None:
    show = write_show(tmp_path / "show", {"ep1.yaml": WORLD_EPISODE})
    out = tmp_path / "out"
    publish_to(show, out)
    for folder, name in (
        ("wang-xiao-ming", "王小明"),
        ("dmitrii-petrov", "Дмитрий Петров"),
        ("lukasz-zolc", "Łukasz Żółć"),
    ):
        page = lxml.html.fromstring((out / f"people/{folder}/index.html").read_bytes())
        assert name in page.xpath("string(//h1)")
    assert not list((out / "people").glob("p-*"))


def test_addresses_a_ledger_from_before_transliteration_implies_are_redirected(
    tmp_path: Path,
) -> None:
    """A show published by podpub before it transliterated: its ledger has no page
    addresses, its pages were at the slugs that dropped every non-ASCII letter."""
    show = write_show(tmp_path / "show", {"straße-élan.yaml": WORLD_EPISODE})
    out = tmp_path / "out"
    publish_to(show, out)
    guid_before = ledger_of(show)["episodes"][0]["guid"]
    ledger = ledger_of(show)
    del ledger["pages"]  # as the podpub of before wrote it: no addresses
    (show / "published.lock").write_text(json.dumps(ledger), encoding="utf-8")

    result = publish_to(show, out)
    redirects = ledger_of(show)["redirects"]
    assert redirects["episodes/strae-elan/"] == "episodes/strasse-elan/"
    assert redirects[f"people/{name_digest('王小明')}/"] == "people/wang-xiao-ming/"
    assert redirects[f"people/{name_digest('Дмитрий Петров')}/"] == "people/dmitrii-petrov/"
    assert redirects["people/ukasz-zoc/"] == "people/lukasz-zolc/"
    assert (out / f"people/{name_digest('王小明')}/index.html").is_file()
    # the episode's GUID derives from its file name, never from its address
    assert ledger_of(show)["episodes"][0]["guid"] == guid_before
    assert result.changes.of_kind("changed") == []
    assert "p-" not in "".join(sitemap_urls(out))


def test_two_names_that_transliterate_alike_are_two_people(tmp_path: Path) -> None:
    """王小明 and 汪晓鸣 both read wang-xiao-ming: two pages, not one person with both
    names' credits; the same name written with other accents or case stays one person."""
    episode = MINIMAL_EPISODE + (
        "credits:\n  - role: Producer\n    people: [王小明, 汪晓鸣]\n"
        "  - role: Composer\n    people: [emma larbi, Émma Larbi]\n"
    )
    show = write_show(tmp_path / "show", {"ep1.yaml": episode})
    out = tmp_path / "out"
    publish_to(show, out)
    pages = {p.name for p in (out / "people").iterdir()}
    assert "wang-xiao-ming" in pages
    (other,) = [p for p in pages if p.startswith("wang-xiao-ming-")]
    headings = {lxml.html.fromstring((out / f"people/{p}/index.html").read_bytes())
                .xpath("string(//h1)") for p in ("wang-xiao-ming", other)}  # fmt: skip
    assert {"王小明", "汪晓鸣"} <= {h.strip() for h in headings}
    assert sorted(p for p in pages if "larbi" in p) == ["emma-larbi"]


def test_a_ledger_redirect_that_leaves_the_site_is_refused(renamed, tmp_path: Path) -> None:
    """published.lock is edited by hand and merged: a redirect out of the output folder
    is a damaged ledger, refused before anything is written."""
    from podpub.errors import PodpubError

    show, out = renamed
    publish_to(show, out)
    ledger = ledger_of(show)
    ledger["redirects"]["../../escaped/"] = "episodes/interview-maria/"
    (show / "published.lock").write_text(json.dumps(ledger), encoding="utf-8")
    with pytest.raises(PodpubError) as caught:
        publish_to(show, out)
    assert "redirects" in str(caught.value)
    assert not (tmp_path / "escaped").exists()
    assert not (out.parent.parent / "escaped").exists()


def test_redirect_pages_are_valid_html(renamed, node_modules: Path) -> None:
    """The W3C's Nu HTML Checker finds nothing to say about a redirect page."""
    import subprocess

    java = shutil.which("java")
    jar = node_modules / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if java is None or not jar.is_file():
        pytest.skip("java and tests/node's vnu-jar are needed")
    show, out = renamed
    publish_to(show, out)
    page = out / "episodes/ep1/index.html"
    result = subprocess.run(
        [java, "-Xss2m", "-jar", str(jar), "--format", "json", "--exit-zero-always", str(page)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stderr)["messages"] == []


def test_serves_preview_keeps_the_redirects_of_the_last_publish_and_follows_the_next(
    renamed,
) -> None:
    """A preview compares nothing with published.lock, yet keeps the redirect pages the
    last publish made; a publish from a terminal while serve runs moves a page again:
    the next warm rebuild has the new redirects (the ledger read again, as it changed)."""
    from podpub.serve.preview import PreviewBuilder

    show, out = renamed
    publish_to(show, out)  # ep1 → interview-maria
    builder = PreviewBuilder(show, "http://127.0.0.1:8000/", jobs=1)
    assert builder.rebuild().ok
    preview = builder.out
    page = lxml.html.fromstring((preview / "episodes/ep1/index.html").read_bytes())
    assert page.xpath("//main//a/@href") == ["../../episodes/interview-maria/"]

    guid = ledger_of(show)["episodes"][0]["guid"]
    descriptor = show / "episodes" / "interview-maria.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.unlink()
    (show / "episodes" / "maria.yaml").write_text(text, encoding="utf-8")
    assert f"guid: {guid}" in text
    publish_to(show, out)  # a publish from a terminal: interview-maria → maria
    outcome = builder.rebuild([descriptor, show / "episodes" / "maria.yaml"])
    assert outcome.ok, outcome.problems
    for old in ("ep1", "interview-maria"):
        page = lxml.html.fromstring((preview / f"episodes/{old}/index.html").read_bytes())
        assert page.xpath("//main//a/@href") == ["../../episodes/maria/"], old
