"""The site around the pages: pages of episodes, subscribe links, sitemap, robots.txt,
404 page, the cover's thumbnails, and nothing loaded from anywhere else."""

from __future__ import annotations

import io
import posixpath
from dataclasses import replace
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
import pytest
from PIL import Image

from podpub.errors import PodpubError
from podpub.media.thumbnails import SIZES
from podpub.resolve.records import SubscribeLink
from podpub.site.render import page_links, render_pages
from podpub.write.publish import PublishOptions, publish
from site_fixtures import SAMPLE_PAGE, publish_rich_show

from conftest import MINIMAL_EPISODE, MINIMAL_SHOW, NOW, REPO, write_show
from factories import site_record

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory):
    return publish_rich_show(tmp_path_factory.mktemp("site"))


# --- pages of episodes ---------------------------------------------------------------


def test_page_links_leave_out_the_middle_of_long_lists():
    assert page_links(1, 1) == [1]
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(50, 200) == [1, None, 48, 49, 50, 51, 52, None, 200]
    assert page_links(1, 200) == [1, 2, 3, None, 200]
    assert page_links(4, 7) == [1, 2, 3, 4, 5, 6, 7]


def test_episodes_past_the_page_size_go_to_further_pages():
    site = site_record(7, episodes_per_page=3)
    pages = dict(render_pages(site, []))
    show_pages = [p for p in pages if p == "index.html" or p.startswith("page/")]
    assert show_pages == ["index.html", "page/2/index.html", "page/3/index.html"]

    def titles(page: str) -> list[str]:
        doc = parse(pages[page])
        return [text(a) for a in doc.xpath("//li[contains(@class, 'episode-card')]//a")]

    assert titles("index.html") == [f"Les actus <n°{n}> & co" for n in (7, 6, 5)]
    assert titles("page/2/index.html") == [f"Les actus <n°{n}> & co" for n in (4, 3, 2)]
    assert titles("page/3/index.html") == ["Les actus <n°1> & co"]

    middle = parse(pages["page/2/index.html"])
    nav = middle.xpath("//nav[contains(@class, 'pagination')]")[0]
    assert {a.get("rel"): a.get("href") for a in nav.xpath(".//a[@rel]")} == {
        "prev": "../../index.html",
        "next": "../../page/3/index.html",
    }
    (current,) = nav.xpath(".//a[@aria-current='page']")
    assert text(current) == "Page 2"  # "Page" for screen readers, the number for the eye
    assert middle.xpath("//link[@rel='canonical']/@href") == [site.show.url + "page/2/"]
    assert middle.findtext(".//title") == f"{site.show.title} — Page 2"
    assert "page 2 sur 3" in text(middle.xpath("//h1")[0])
    assert middle.xpath("//header[contains(@class, 'show-hero')]") == []  # the hero: page 1
    assert middle.xpath("//a[@class='brand']/@href") == ["../../index.html"]
    first = parse(pages["index.html"])
    assert first.xpath("//nav[contains(@class, 'pagination')]//a[@rel]/@href") == [
        "page/2/index.html"
    ]


def test_a_persons_episodes_past_the_page_size_go_to_further_pages():
    site = site_record(7, episodes_per_page=3)  # Emma Larbi is credited in all seven
    pages = dict(render_pages(site, []))
    folder = "people/emma-larbi/"
    emma = [p for p in pages if p.startswith(folder)]
    assert emma == [folder + "index.html", *(f"{folder}page/{n}/index.html" for n in (2, 3))]

    def titles(page: str) -> list[str]:
        doc = parse(pages[page])
        return [text(a) for a in doc.xpath("//li[contains(@class, 'episode-card')]//h3/a")]

    assert [titles(page) for page in emma] == [
        [f"Les actus <n°{n}> & co" for n in numbers] for numbers in ((7, 6, 5), (4, 3, 2), (1,))
    ]

    first, middle, last = (parse(pages[page]) for page in emma)
    # Who the person is, on the first page only; every page names them.
    assert text(first.xpath("//p[@class='person-summary']")[0]) == (
        "Présentation (7 épisodes), Réalisation (7 épisodes)"
    )
    assert "7 épisodes" in text(first.xpath("//h2[@id='person-episodes-title']")[0])
    assert first.xpath("//script[@type='application/ld+json']")  # the ProfilePage
    for later in (middle, last):
        assert later.findtext(".//h1") == "Emma Larbi"
        assert later.xpath("//p[@class='person-summary']") == []
        assert later.xpath("//script[@type='application/ld+json']") == []
    assert "page 2 sur 3" in text(middle.xpath("//h2[@id='person-episodes-title']")[0])
    assert middle.findtext(".//title") == f"Emma Larbi — Page 2 — {site.show.title}"
    assert middle.xpath("//link[@rel='canonical']/@href") == [site.show.url + folder + "page/2/"]

    # The show pages' pager: newer and older, the page numbers, the current one marked.
    nav = middle.xpath("//nav[contains(@class, 'pagination')]")[0]
    assert nav.get("aria-label") == "Pages d’épisodes"
    rels = {a.get("rel"): a.get("href") for a in nav.xpath(".//a[@rel]")}
    assert rels == {
        "prev": "../../../../people/emma-larbi/index.html",
        "next": "../../../../people/emma-larbi/page/3/index.html",
    }
    (current,) = nav.xpath(".//a[@aria-current='page']")
    assert text(current) == "Page 2"
    for page, doc in zip(emma, (first, middle, last), strict=True):
        hrefs = doc.xpath("//nav[contains(@class, 'pagination')]//a/@href")
        targets = [posixpath.normpath(posixpath.join(posixpath.dirname(page), h)) for h in hrefs]
        assert set(targets) == set(emma), page  # each link is one of the person's pages
    assert first.xpath("//nav[contains(@class, 'pagination')]//a[@rel]/@rel") == ["next"]
    assert last.xpath("//nav[contains(@class, 'pagination')]//a[@rel]/@rel") == ["prev"]

    sitemap = lxml.etree.fromstring(pages["sitemap.xml"])
    urls = sitemap.xpath("//s:loc/text()", namespaces=SITEMAP_NS)
    people = [url for url in urls if url.startswith(site.show.url + folder)]
    assert people == [site.show.url + page.removesuffix("index.html") for page in emma]


def test_a_person_with_one_page_of_episodes_has_no_page_links():
    pages = dict(render_pages(site_record(3), []))
    assert [p for p in pages if p.startswith("people/emma-larbi/")] == [
        "people/emma-larbi/index.html"
    ]
    doc = parse(pages["people/emma-larbi/index.html"])
    assert doc.xpath("//nav[contains(@class, 'pagination')]") == []


def test_one_page_of_episodes_has_no_page_links():
    doc = parse(dict(render_pages(site_record(3), []))["index.html"])
    assert doc.xpath("//nav[contains(@class, 'pagination')]") == []


def test_episodes_per_page_comes_from_show_yaml(tmp_path):
    episodes = {
        f"ep{n}.yaml": MINIMAL_EPISODE.replace("2023-06-02", f"2023-06-0{n}").replace(
            "tone.mp3", audio
        )
        for n, audio in ((1, "tone.mp3"), (2, "tone.m4a"), (3, "tone.ogg"))
    }
    show = write_show(tmp_path / "show", episodes, MINIMAL_SHOW + "episodes_per_page: 2\n")
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    assert (out / "page" / "2" / "index.html").is_file()
    assert not (out / "page" / "3").exists()


# --- subscribe links -------------------------------------------------------------------


def test_subscribe_links_for_each_app_the_show_names(rich):
    doc = parse((rich.out / "index.html").read_bytes())
    links = [(text(a), a.get("href")) for a in doc.xpath("//ul[@class='apps']//a")]
    feed = "https%3A%2F%2Fpodcast.lorangebleue.fr%2Ffeed.xml"
    assert links == [
        ("Apple Podcasts", "https://podcasts.apple.com/podcast/id1234567890"),
        ("Spotify", "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk"),
        ("Podcast Index", "https://podcastindex.org/podcast/920666"),
        (
            "AntennaPod",
            f"https://antennapod.org/deeplink/subscribe?url={feed}"
            "&title=L%27orange+bleue+%E2%80%94+les+actus+de+la+semaine",
        ),
        ("Overcast", "https://overcast.fm/itunes1234567890"),
    ]


def test_no_subscribe_links_unless_asked(tmp_path):
    show = write_show(tmp_path / "show")
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    doc = parse((out / "index.html").read_bytes())
    assert doc.xpath("//ul[@class='apps']") == []
    assert doc.xpath("//section[contains(@class, 'subscribe')]//code/text()") == [
        "https://podcast.example.org/feed.xml"
    ]


def test_subscribe_urls_are_taken_as_given(tmp_path):
    extra = (
        "subscribe:\n  apple: https://podcasts.apple.com/fr/podcast/x/id42\n"
        "  overcast: https://overcast.fm/+AbCdEf\n"
    )
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + extra)
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    doc = parse((out / "index.html").read_bytes())
    assert doc.xpath("//ul[@class='apps']//a/@href") == [
        "https://podcasts.apple.com/fr/podcast/x/id42",
        "https://overcast.fm/+AbCdEf",
    ]


def test_subscribe_mistakes_are_located_problems(tmp_path):
    extra = "subscribe:\n  spotify: my show\n  overcast: true\n  deezer: 12\n"
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + extra)
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "out", now=NOW))
    found = {(p.field, p.line): p for p in caught.value.problems}
    assert set(found) == {("subscribe.spotify", 15), ("subscribe.deezer", 17)}
    assert "neither the show's id there" in found["subscribe.spotify", 15].message


def test_overcast_without_an_apple_id_says_what_to_add(tmp_path):
    show = write_show(tmp_path / "show", show=MINIMAL_SHOW + "subscribe:\n  overcast: true\n")
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "out", now=NOW))
    (problem,) = caught.value.problems
    assert (problem.field, problem.line) == ("subscribe.overcast", 15)
    assert "subscribe.apple" in problem.hint


def test_a_subscribe_link_that_is_not_a_web_link_is_not_rendered():
    site = site_record(1, subscribe=(SubscribeLink("apple", "Apple", "javascript:alert(1)"),))
    assert b"javascript:" not in dict(render_pages(site, []))["index.html"]


# --- sitemap, robots.txt, 404 ----------------------------------------------------------


def test_sitemap_lists_every_page_with_its_canonical_url(rich):
    tree = lxml.etree.fromstring((rich.out / "sitemap.xml").read_bytes())
    urls = {
        u.findtext("s:loc", namespaces=SITEMAP_NS): u.findtext("s:lastmod", namespaces=SITEMAP_NS)
        for u in tree.iterfind("s:url", SITEMAP_NS)
    }
    base = "https://podcast.lorangebleue.fr/"
    for episode in rich.site.episodes:
        assert urls[episode.page_url] == episode.published.isoformat()
    assert urls[base] == rich.site.episodes[0].published.isoformat()  # the newest episode
    assert base + "page/2/" in urls
    assert base + "people/emma-larbi/page/2/" in urls  # four episodes, three a page
    for url in urls:  # every URL in the sitemap is a page of the site, canonical as it says
        page = rich.out / url.removeprefix(base) / "index.html"
        assert parse(page.read_bytes()).xpath("//link[@rel='canonical']/@href") == [url]


def test_robots_txt_names_the_sitemap(rich):
    robots = (rich.out / "robots.txt").read_text()
    assert "User-agent: *" in robots
    assert "Sitemap: https://podcast.lorangebleue.fr/sitemap.xml" in robots.splitlines()


def test_sitemaps_past_50000_urls_are_split_with_an_index():
    from podpub.site import sitemap as sitefiles

    site = site_record(3)
    urls = [f"https://podcast.example.org/page/{n}/" for n in range(1, 50_000)]
    files = dict(sitefiles.site_files(site, urls))
    assert list(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml", "robots.txt"]
    index = lxml.etree.fromstring(files["sitemap.xml"])
    assert [loc.text for loc in index.iterfind(".//s:loc", SITEMAP_NS)] == [
        "https://podcast.example.org/sitemap-1.xml",
        "https://podcast.example.org/sitemap-2.xml",
    ]
    second = lxml.etree.fromstring(files["sitemap-2.xml"])
    assert len(second.findall("s:url", SITEMAP_NS)) == 49_999 + 3 - 50_000


def test_the_404_page_links_from_the_site_root_and_is_not_indexed():
    site = site_record(2, url="https://example.org/podcast/")
    doc = parse(dict(render_pages(site, []))["404.html"])
    assert doc.get("lang") == "fr"
    assert text(doc.find(".//h1")) == "Page introuvable"
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert doc.xpath("//link[@rel='canonical']") == []
    hrefs = doc.xpath("//main//a/@href")
    assert "/podcast/index.html" in hrefs
    assert "/podcast/episodes/episode-2/index.html" in hrefs  # the latest episodes
    assert doc.xpath("//link[@rel='stylesheet']/@href")[0].startswith("/podcast/assets/")


# --- the cover in sizes ------------------------------------------------------------------


def test_cover_thumbnails_are_made_once_and_used_by_the_pages(tmp_path):
    show = write_show(tmp_path / "show")
    out = tmp_path / "out"
    publish(show, PublishOptions(out=out, now=NOW))
    thumbs = sorted((out / "assets").glob("cover-*.jpg"))
    assert len(thumbs) == len(SIZES)
    for path in thumbs:
        size = int(path.name.split("-")[1])
        with Image.open(path) as image:
            assert image.size == (size, size) and image.format == "JPEG"
    cache = show / ".podpub" / "thumbnails"
    cached = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(cached) == len(SIZES)

    doc = parse((out / "index.html").read_bytes())
    (cover,) = doc.xpath("//img[contains(@class, 'cover')]")
    srcset = [item.split() for item in cover.get("srcset").split(", ")]
    assert [width for _, width in srcset] == ["192w", "384w", "576w"]
    assert all((out / unquote(src)).is_file() for src, _ in srcset)
    episode = parse((out / "episodes" / "ep1" / "index.html").read_bytes())
    (icon,) = episode.xpath("//link[@rel='icon']/@href")
    assert icon.startswith("../../assets/cover-96-")
    assert episode.xpath("//a[@class='brand']/img/@src") == [icon]

    # A second publish reads the cache: the files are not made again.
    publish(show, PublishOptions(out=out, now=NOW))
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == cached
    # A new cover gets new names, so no browser keeps showing the old one.
    image = Image.new("RGB", (1400, 1400), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    (show / "cover.png").write_bytes(buffer.getvalue())
    publish(show, PublishOptions(out=out, now=NOW))
    assert not set(p.name for p in (out / "assets").glob("cover-*")) & {p.name for p in thumbs}


def test_an_unreadable_cover_is_a_problem_of_the_show(tmp_path):
    show = write_show(tmp_path / "show")
    (show / "cover.png").write_bytes(b"not an image at all")
    with pytest.raises(PodpubError) as caught:
        publish(show, PublishOptions(out=tmp_path / "out", now=NOW))
    assert any(p.field == "image" for p in caught.value.problems)
    assert not (tmp_path / "out").exists()


# --- nothing from elsewhere, light pages -------------------------------------------------


def test_no_page_loads_anything_from_another_site(rich):
    for page in rich.out.rglob("*.html"):
        if page.name not in {"index.html", "404.html"}:
            continue  # a producer's HTML transcript, offered as a file
        doc = parse(page.read_bytes())
        for element, _attribute, link, _ in doc.iterlinks():
            if element.tag == "a" or (
                element.tag == "link"
                and element.get("rel")
                in {
                    "canonical",
                    "alternate",
                }
            ):
                continue  # followed by the listener, not loaded by the page
            assert not urlsplit(link).scheme and not link.startswith("//"), (page, link)
            if page.name == "404.html":
                continue
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(str(page.relative_to(rich.out))), link)
            )
            assert (rich.out / unquote(urlsplit(target).path)).is_file(), (page, link)
    css = (rich.out / "assets" / "style.css").read_text()
    assert "url(" not in css and "@import" not in css  # no fonts or images from the CSS


def test_the_sample_episode_page_with_its_css_and_script_is_light(rich):
    weight = sum(
        (rich.out / path).stat().st_size
        for path in (SAMPLE_PAGE, "assets/style.css", "assets/player.js")
    )
    assert weight < 50_000, weight  # its transcript included


def test_the_repository_sample_transcript_matches_its_script():
    """scripts/make_sample_transcript.py made the sample's WebVTT file (and can remake it)."""
    vtt = (REPO / "episodes" / "2023-06-02-les-5-actus-marquantes.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\nNOTE Made by scripts/make_sample_transcript.py")
    assert (REPO / "scripts" / "make_sample_transcript.py").is_file()


def test_pages_work_with_an_image_free_record_site():
    """Unit-test records name a cover that does not exist: no thumbnails, the cover used."""
    pages = dict(render_pages(replace(site_record(1)), []))
    assert not [p for p in pages if p.startswith("assets/cover-")]
    doc = parse(pages["index.html"])
    assert doc.xpath("//img[contains(@class, 'cover')]/@src") == ["cover.png"]
