"""The show-notes pages: what a listener, a browser and a crawler see in them."""

from __future__ import annotations

import inspect
import json
import posixpath
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
from jinja2 import UndefinedError

from podpub.resolve.records import CreditGroup, HeadlineView, PersonRef, SiteRecord
from podpub.site.i18n import available_languages, host_label, translations
from podpub.site.render import ASSETS_DIR, iso_duration, json_ld, render_pages

from factories import PRODUCER, episode_record, site_record

REPO = Path(__file__).resolve().parents[1]
EVIL = "</script><script>alert(1)</script>"


def render(site: SiteRecord, template_dirs: list[Path] | None = None) -> dict[str, bytes]:
    return dict(render_pages(site, template_dirs or []))


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text(element: lxml.html.HtmlElement) -> str:
    """Visible text with whitespace (Babel's no-break spaces too) collapsed."""
    return " ".join(element.text_content().split())


def meta(doc: lxml.html.HtmlElement, key: str) -> str:
    (value,) = doc.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")
    return value


def resolve(page: str, href: str) -> str:
    """The output-folder path a relative link on ``page`` points at."""
    path = unquote(urlsplit(href).path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


def json_lds(doc: lxml.html.HtmlElement) -> list[dict]:
    return [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]


@pytest.fixture(scope="module")
def site() -> SiteRecord:
    return site_record(3)


@pytest.fixture(scope="module")
def pages(site: SiteRecord) -> dict[str, bytes]:
    return render(site)


# --- what is generated ---------------------------------------------------------------


def test_render_pages_is_a_generator_of_the_expected_paths(site, pages):
    assert inspect.isgenerator(render_pages(site, []))
    assert list(pages) == [
        "index.html",
        "episodes/episode-3/index.html",
        "episodes/episode-2/index.html",
        "episodes/episode-1/index.html",
        "people/emma-larbi/index.html",
        "people/barbara-gouy/index.html",
        "people/benjamin-milkoff/index.html",
        "people/titouan-allain/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        f"{ASSETS_DIR}/player.js",
        f"{ASSETS_DIR}/style.css",
    ]  # no thumbnails: the records' cover file does not exist
    assert all(isinstance(data, bytes) and data for data in pages.values())


def test_every_relative_link_points_at_a_published_file(site, pages):
    published = set(pages) | {"feed.xml", site.show.image_path}
    published |= {episode.audio_path for episode in site.episodes}
    for page, data in pages.items():
        if not page.endswith(".html"):
            continue
        doc = parse(data)
        for element, attribute, link, _pos in doc.iterlinks():
            scheme = urlsplit(link).scheme
            if link.startswith("#"):
                assert doc.xpath(f"//*[@id='{link[1:]}']"), (page, link)
                continue
            if scheme:
                assert scheme in {"https", "mailto"}, (page, link)
                continue
            if page == "404.html":  # served at any address: paths from the site's root
                assert link.startswith("/"), link
                assert unquote(urlsplit(link).path).lstrip("/") in published, link
                continue
            target = resolve(page, link)
            assert target in published, (page, element.tag, attribute, link)
            assert not link.startswith("/"), link  # works from any folder and file://
            if element.tag == "a" and target.startswith("episodes/"):
                assert link.endswith("index.html"), link  # file:// shows no directory index


# --- the show page ---------------------------------------------------------------------


def test_show_page(site, pages):
    doc = parse(pages["index.html"])
    assert doc.get("lang") == "fr"
    assert text(doc.find(".//h1")) == site.show.title
    (cover,) = doc.xpath("//img[contains(@class, 'cover')]")
    assert cover.get("src") == "cover.png"
    assert "L'orange bleue" in cover.get("alt")
    assert "Présenté par Emma Larbi" in text(doc.find(".//body"))
    assert "revient sur l" in text(doc.xpath("//*[contains(@class, 'show-hero')]")[0])
    # Subscribe: the absolute feed URL to copy, and a link to the feed file.
    (subscribe,) = doc.xpath("//section[contains(@class, 'subscribe')]")
    assert site.show.feed_url in text(subscribe)
    assert "feed.xml" in subscribe.xpath(".//a/@href")
    # Newest first, with localised date, duration and summary text.
    cards = doc.xpath("//li[contains(@class, 'episode-card')]")
    assert [card.xpath(".//h3/a/@href")[0] for card in cards] == [
        "episodes/episode-3/index.html",
        "episodes/episode-2/index.html",
        "episodes/episode-1/index.html",
    ]
    last = text(cards[-1])
    assert "Les actus <n°1> & co" in last
    assert "2 juin 2023" in last
    assert "1 min 1 s" in last
    assert "Dans l'orange bleue on revient sur l'actualité." in last
    assert "3 épisodes" in text(doc.find(".//h2[@id='episodes-title']"))


def test_show_page_head(site, pages):
    doc = parse(pages["index.html"])
    assert doc.xpath("//link[@rel='canonical']/@href") == [site.show.url]
    (feed,) = doc.xpath("//link[@rel='alternate'][@type='application/rss+xml']")
    assert feed.get("href") == site.show.feed_url
    assert feed.get("title") == site.show.title
    assert meta(doc, "og:type") == "website"
    assert meta(doc, "og:url") == site.show.url
    assert meta(doc, "og:image") == site.show.image_url
    assert meta(doc, "og:locale") == "fr_FR"
    assert meta(doc, "twitter:card") == "summary"
    (series,) = json_lds(doc)
    assert series["@type"] == "PodcastSeries"
    assert series["webFeed"] == site.show.feed_url
    assert series["url"] == site.show.url
    assert series["name"] == site.show.title
    assert series["actor"] == [{"@type": "Person", "name": "Emma Larbi"}]


def test_show_without_episodes():
    site = replace(site_record(1), episodes=())
    pages = render(site)
    assert list(pages) == [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        f"{ASSETS_DIR}/player.js",
        f"{ASSETS_DIR}/style.css",
    ]
    assert "Aucun épisode publié" in text(parse(pages["index.html"]))


# --- an episode page ---------------------------------------------------------------------


EP1 = "episodes/episode-1/index.html"
EP2 = "episodes/episode-2/index.html"


def test_episode_page_words_in_french(pages):
    doc = parse(pages[EP1])
    assert doc.get("lang") == "fr"
    header = text(doc.xpath("//header[contains(@class, 'episode-header')]")[0])
    assert "vendredi 2 juin 2023" in header
    assert "1 min 1 s" in header
    assert "Épisode 1" in header
    assert text(doc.find(".//h1")) == "Les actus <n°1> & co"  # escaped, shown as written
    assert doc.findtext(".//title").startswith("Les actus <n°1> & co — ")
    assert "Présenté par Emma Larbi" in text(doc.find(".//body"))
    (time,) = doc.xpath("//header//time[contains(., 'juin')]")
    assert time.get("datetime") == "2023-06-02T18:00:00+02:00"


def test_episode_audio_player_and_download(pages):
    doc = parse(pages[EP1])
    (audio,) = doc.xpath("//audio")
    assert audio.get("controls") is not None
    assert audio.get("preload") == "metadata"
    assert audio.get("autoplay") is None
    assert audio.get("src") == "../../audio/ep1.mp3"
    assert resolve(EP1, audio.get("src")) == "audio/ep1.mp3"
    (download,) = doc.xpath("//a[@download]")
    assert download.get("href") == "../../audio/ep1.mp3"
    assert "Télécharger" in text(download)
    assert "(MP3, 123 ko)" in text(download.getparent())


def test_chapter_links_seek_with_media_fragments(pages):
    doc = parse(pages[EP1])
    links = doc.xpath("//section[contains(@class, 'chapters')]//a[@data-start]")
    assert [link.get("href") for link in links] == [
        "../../audio/ep1.mp3#t=0",
        "../../audio/ep1.mp3#t=12.5",
        "../../audio/ep1.mp3#t=30",
    ]
    assert [link.get("data-start") for link in links] == ["0", "12.5", "30"]
    assert [text(link) for link in links] == [
        "Écouter à partir de 0:00 Intro",
        "Écouter à partir de 0:12 Sénégal",
        "Écouter à partir de 0:30 Belgorod",
    ]


def test_headlines_with_full_texts_and_sources(pages):
    doc = parse(pages[EP1])
    headlines = doc.xpath("//article[contains(@class, 'headline')]")
    assert [text(h.find(".//h3")) for h in headlines] == ["Sénégal", "Belgorod"]
    assert headlines[0].xpath(".//a[@data-start]/@href") == ["../../audio/ep1.mp3#t=12.5"]
    assert "Neuf personnes tuées." in text(headlines[0])
    assert headlines[0].xpath(".//p[contains(@class, 'source')]") == []
    (source,) = headlines[1].xpath(".//p[contains(@class, 'source')]")
    assert source.xpath(".//a/@href") == ["https://example.org/b"]
    assert text(source) == "Source : example.org"


def test_credits_grouped_by_the_producers_labels(pages):
    doc = parse(pages[EP1])
    rows = doc.xpath("//section[contains(@class, 'credits')]//dl/div")
    assert [(text(row.find("dt")), text(row.find("dd"))) for row in rows] == [
        ("Présentation", "Emma Larbi"),
        ("Réalisation", "Barbara Gouy, Benjamin Milkoff, Emma Larbi et Titouan Allain"),
    ]


def test_previous_and_next_episode_links(pages):
    def pager(page: str) -> dict[str, str]:
        doc = parse(pages[page])
        return {a.get("rel"): a.get("href") for a in doc.xpath("//nav//a[@rel]")}

    middle = pager(EP2)
    assert middle == {
        "prev": "../../episodes/episode-1/index.html",
        "next": "../../episodes/episode-3/index.html",
    }
    assert {rel: resolve(EP2, href) for rel, href in middle.items()} == {
        "prev": "episodes/episode-1/index.html",
        "next": "episodes/episode-3/index.html",
    }
    assert all(resolve(EP2, href) in pages for href in middle.values())
    assert pager(EP1) == {"next": "../../episodes/episode-2/index.html"}  # the oldest
    assert pager("episodes/episode-3/index.html") == {"prev": "../../episodes/episode-2/index.html"}
    doc = parse(pages[EP2])
    assert "../../index.html" in doc.xpath("//nav//a/@href")
    assert "../../feed.xml" in doc.xpath("//nav//a/@href")  # a link to the feed


def test_episode_head_uses_absolute_urls(site, pages):
    episode = site.episodes[-1]
    doc = parse(pages[EP1])
    assert doc.xpath("//link[@rel='canonical']/@href") == [episode.page_url]
    assert doc.xpath("//link[@rel='alternate']/@href") == [site.show.feed_url]
    assert meta(doc, "description") == episode.summary_text
    assert meta(doc, "og:type") == "article"
    assert meta(doc, "og:title") == episode.title
    assert meta(doc, "og:url") == episode.page_url
    assert meta(doc, "og:image") == site.show.image_url
    assert meta(doc, "og:description") == episode.summary_text
    assert meta(doc, "og:audio") == episode.enclosure_url
    assert meta(doc, "og:audio:type") == "audio/mpeg"
    assert meta(doc, "twitter:title") == episode.title
    for key in ("og:url", "og:image", "og:audio", "twitter:image"):
        assert urlsplit(meta(doc, key)).scheme == "https"


def test_episode_json_ld_matches_the_record(site, pages):
    episode = site.episodes[-1]
    (data,) = json_lds(parse(pages[EP1]))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "PodcastEpisode"
    assert data["url"] == episode.page_url
    assert data["name"] == "Les actus <n°1> & co"
    assert data["description"] == episode.summary_text
    assert data["datePublished"] == "2023-06-02T18:00:00+02:00"
    assert data["episodeNumber"] == 1
    assert data["duration"] == "PT1M1S"
    assert data["associatedMedia"] == {
        "@type": "AudioObject",
        "contentUrl": episode.enclosure_url,
        "encodingFormat": "audio/mpeg",
        "contentSize": "123456",
        "duration": "PT1M1S",
    }
    assert data["partOfSeries"]["@type"] == "PodcastSeries"
    assert data["partOfSeries"]["webFeed"] == site.show.feed_url
    assert data["actor"] == [{"@type": "Person", "name": "Emma Larbi"}]
    assert data["inLanguage"] == "fr"
    assert "partOfSeason" not in data


def test_season_and_episode_type():
    episode = episode_record(4, season=2, episode_type="bonus", number=None)
    site = replace(site_record(1), episodes=(episode,))
    doc = parse(render(site)["episodes/episode-4/index.html"])
    meta_line = text(doc.xpath("//header//p[contains(@class, 'meta')]")[0])
    assert "Saison 2" in meta_line
    assert "Bonus" in meta_line
    assert "Épisode" not in meta_line  # no number
    (data,) = json_lds(doc)
    assert data["partOfSeason"]["seasonNumber"] == 2
    assert "episodeNumber" not in data


# --- escaping ---------------------------------------------------------------------------------


def test_a_title_cannot_break_out_of_the_page_or_the_json_ld():
    episode = episode_record(1, title=f"Tout {EVIL} & <b>gras</b>", summary_text=EVIL)
    site = replace(site_record(1, title=f"Show {EVIL}"), episodes=(episode,))
    pages = render(site)
    for page in ("index.html", EP1):
        raw = pages[page].decode()
        assert "<script>alert" not in raw
        assert "<b>gras" not in raw
        doc = parse(pages[page])
        scripts = doc.xpath("//script")
        assert [s.get("type") or s.get("src").split("?")[0] for s in scripts] == [
            "application/ld+json",
            f"{'../../' if page == EP1 else ''}{ASSETS_DIR}/player.js",
        ]
        assert "alert(1)" not in " ".join(s.text or "" for s in scripts[1:])
        (data,) = json_lds(doc)
        assert EVIL in json.dumps(data, ensure_ascii=False)
    doc = parse(pages[EP1])
    assert text(doc.find(".//h1")) == f"Tout {EVIL} & <b>gras</b>"
    (data,) = json_lds(doc)
    assert data["name"] == f"Tout {EVIL} & <b>gras</b>"
    assert data["partOfSeries"]["name"] == f"Show {EVIL}"
    assert meta(doc, "og:title") == f"Tout {EVIL} & <b>gras</b>"


def test_json_ld_escapes_markup_characters():
    out = str(json_ld({"name": "a</script><!--&\u2028"}))
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\\u003c/script\\u003e" in out
    assert json.loads(out) == {"name": "a</script><!--&\u2028"}


def test_links_other_than_web_links_are_not_rendered():
    episode = episode_record(
        1,
        headlines=(HeadlineView("X", "", 5.0, "javascript:alert(1)"),),
        credits=(CreditGroup(PRODUCER, (PersonRef("x", "X", url="javascript:alert(2)"),)),),
    )
    site = replace(site_record(1), episodes=(episode,))
    raw = render(site)[EP1].decode()
    assert "javascript:" not in raw


def test_credits_link_to_the_persons_page_which_links_to_their_own():
    person = PersonRef("ada", "Ada <Lovelace>", url="https://example.org/ada?a=1&b=2")
    episode = episode_record(1, credits=(CreditGroup(PRODUCER, (person,)),))
    site = replace(site_record(1), episodes=(episode,))
    pages = render(site)
    doc = parse(pages[EP1])
    (link,) = doc.xpath("//section[contains(@class, 'credits')]//dd/a")
    assert link.get("href") == "../../people/ada/index.html"
    assert text(link) == "Ada <Lovelace>"
    person_page = parse(pages["people/ada/index.html"])
    assert text(person_page.find(".//h1")) == "Ada <Lovelace>"
    assert person_page.xpath("//main//a[@href='https://example.org/ada?a=1&b=2']")


def test_paths_with_spaces_and_accents_are_percent_encoded():
    episode = episode_record(1, audio_path="audio/été 1.mp3")
    site = replace(site_record(1, image_path="couverture été.png"), episodes=(episode,))
    doc = parse(render(site)[EP1])
    assert doc.xpath("//audio/@src") == ["../../audio/%C3%A9t%C3%A9%201.mp3"]
    assert resolve(EP1, doc.xpath("//audio/@src")[0]) == "audio/été 1.mp3"
    assert "../../couverture%20%C3%A9t%C3%A9.png" in doc.xpath("//img/@src")


# --- templates ---------------------------------------------------------------------------


def test_a_show_template_folder_overrides_one_partial(tmp_path, site):
    (tmp_path / "_footer.html").write_text(
        '<footer class="mine">Chez nous — {{ show.author }} <a href="{{ root }}index.html">x</a>'
        "</footer>\n",
        encoding="utf-8",
    )
    pages = render(site, [tmp_path])
    for page in ("index.html", EP1):
        doc = parse(pages[page])
        (footer,) = doc.xpath("//footer")
        assert footer.get("class") == "mine"
        assert text(footer) == "Chez nous — L'orange bleue x"
        assert "Publié avec podpub" not in text(doc)
    ep = parse(pages[EP1])
    assert ep.xpath("//footer//a/@href") == ["../../index.html"]  # its own root per depth
    assert ep.xpath("//section[contains(@class, 'chapters')]")  # the rest is the theme's


def test_a_show_can_extend_the_theme_template_it_overrides(tmp_path, site):
    (tmp_path / "episode.html").write_text(
        '{% extends "theme/episode.html" %}{% block title %}Épisode — {{ super() }}{% endblock %}',
        encoding="utf-8",
    )
    doc = parse(render(site, [tmp_path])[EP1])
    assert doc.findtext(".//title").startswith("Épisode — Les actus <n°1> & co")


def test_the_first_template_folder_wins(tmp_path, site):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "_footer.html").write_text(f"<footer>{folder.name}</footer>", encoding="utf-8")
    doc = parse(render(site, [first, second])["index.html"])
    assert text(doc.find(".//footer")) == "a"


def test_a_show_static_file_overrides_the_theme_one(tmp_path, site):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("body{color:red}", encoding="utf-8")
    pages = render(site, [tmp_path])
    assert pages[f"{ASSETS_DIR}/style.css"] == b"body{color:red}"
    assert f"{ASSETS_DIR}/player.js" in pages


def test_the_sample_show_footer_override_renders(site):
    folder = REPO / "templates"
    assert (folder / "_footer.html").is_file()
    assert (REPO / "src" / "podpub" / "site" / "theme" / "_footer.html").is_file()  # file by file
    doc = parse(render(site, [folder])[EP1])
    footer = text(doc.find(".//footer"))
    assert "chaque vendredi" in footer
    assert "../../feed.xml" in doc.xpath("//footer//a/@href")


def test_strict_undefined_catches_a_typo(tmp_path, site):
    (tmp_path / "_footer.html").write_text("<footer>{{ shwo.title }}</footer>", encoding="utf-8")
    with pytest.raises(UndefinedError, match="shwo"):
        render(site, [tmp_path])


def test_an_unknown_interface_word_is_an_error(tmp_path, site):
    footer = "<footer>{{ t.no_such_word }}</footer>"
    (tmp_path / "_footer.html").write_text(footer, encoding="utf-8")
    with pytest.raises(UndefinedError, match="no_such_word"):
        render(site, [tmp_path])


# --- languages ---------------------------------------------------------------------------


def test_an_english_show_gets_english_words():
    site = site_record(2, language="en")
    pages = render(site)
    doc = parse(pages[EP1])
    assert doc.get("lang") == "en"
    body = text(doc.find(".//body"))
    for words in (
        "Friday, June 2, 2023",
        "Episode 1",
        "Chapters",
        "In this episode",
        "Credits",
        "Download the episode",
        "Next episode",
        "Hosted by Emma Larbi",
        "1 min 1 sec",
        "Barbara Gouy, Benjamin Milkoff, Emma Larbi, and Titouan Allain",
    ):
        assert words in body, words
    for french in ("Chapitres", "Générique", "juin", "Télécharger"):
        assert french not in body, french
    assert meta(doc, "og:locale") == "en_US"
    index = text(parse(pages["index.html"]))
    assert "Subscribe" in index and "2 episodes" in index


def test_language_choice():
    assert translations("fr").language == "fr"
    assert translations("fr-ca").language == "fr"
    assert str(translations("fr-ca").locale) == "fr_CA"
    assert translations("de").language == "en"
    assert str(translations("de").locale) == "en"  # English words, English formats
    assert translations("xx").language == "en"
    assert host_label("fr") == "Présentation"
    assert host_label("fr-ca") == "Présentation"
    assert host_label("en") == "Host"
    assert host_label("en-us") == "Host"
    assert host_label("de") == "Host"


def test_babel_formats():
    fr, en = translations("fr"), translations("en")
    assert " ".join(fr.duration(252).split()) == "4 min 12 s"
    assert " ".join(fr.duration(3725).split()) == "1 h 2 min"
    assert " ".join(fr.duration(0).split()) == "0 s"
    assert " ".join(en.duration(252).split()) == "4 min 12 sec"
    assert " ".join(fr.filesize(1_234_567).split()) == "1,2 Mo"
    assert " ".join(fr.filesize(24_986_239).split()) == "25 Mo"
    assert " ".join(fr.filesize(999).split()) == "999 o"
    assert " ".join(en.filesize(1_234_567).split()) == "1.2 MB"
    assert fr.date(episode_record(1).published) == "vendredi 2 juin 2023"
    assert fr.join(["a", "b", "c"]) == "a, b et c"
    assert fr.plural("episode_count", 1) == "1 épisode"
    assert fr.plural("episode_count", 0) == "0 épisode"
    assert " ".join(fr.plural("episode_count", 1200).split()) == "1 200 épisodes"


def test_iso_durations():
    assert iso_duration(61.2) == "PT1M1S"
    assert iso_duration(81.4) == "PT1M21S"
    assert iso_duration(3725) == "PT1H2M5S"
    assert iso_duration(3600) == "PT1H"
    assert iso_duration(0) == "PT0S"


def test_locale_files_are_complete_and_consistent():
    assert {"en", "fr"} <= set(available_languages())
    locales = REPO / "src" / "podpub" / "site" / "locales"
    english = json.loads((locales / "en.json").read_text(encoding="utf-8"))
    for path in locales.glob("*.json"):
        words = json.loads(path.read_text(encoding="utf-8"))
        if path.stem in {"en", "fr"}:
            assert set(words) == set(english), path.name  # French and English complete
        assert set(words) <= set(english), path.name  # no key English lacks
        for key, value in words.items():
            assert not hasattr({}, key), key  # `t.items` would be the dict method
            if isinstance(value, str) and not key.startswith("_"):
                assert _placeholders(value) == _placeholders(english[key]), (path.name, key)


def _placeholders(message: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


# --- weight ---------------------------------------------------------------------------------


def test_an_episode_page_with_its_css_is_light(pages):
    weight = len(pages[EP1]) + len(pages[f"{ASSETS_DIR}/style.css"])
    assert weight < 50_000
    assert len(pages[f"{ASSETS_DIR}/player.js"]) < 4_000
