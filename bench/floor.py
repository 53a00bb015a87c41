"""The floor: the straight-line Python build of a show, for run.py to compare podpub with.

``floor.py SHOW_DIR OUT_DIR`` does what podpub publish does with none of its care: the C
YAML loader (``yaml.load``, no positions, no validation), ``mutagen.File`` for each audio
file, one precompiled Jinja2 template per page kind with the texts escaped (no
Markdown), the feed built with lxml, the JSON chapters with ``json.dumps``; written into
a new folder next to OUT_DIR and renamed into place, audio hard-linked. One process, no
cache. Whatever podpub spends above this is the price of its checks and of its features.
"""

# ruff: noqa: E501  (the templates below are markup, kept one element per line)

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import mutagen
import yaml
from jinja2 import Environment
from lxml import etree

PAGE = """<!doctype html>
<html lang="{{ show.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ e.title }} — {{ show.title }}</title>
<meta name="description" content="{{ e.summary[:200] }}">
<link rel="canonical" href="{{ e.url }}">
<link rel="alternate" type="application/rss+xml" title="{{ show.title }}" href="{{ feed }}">
<link rel="stylesheet" href="{{ root }}assets/style.css">
<meta property="og:title" content="{{ e.title }}">
<meta property="og:url" content="{{ e.url }}">
<meta property="og:audio" content="{{ e.enclosure }}">
<script type="application/ld+json">{{ e.jsonld }}</script>
</head>
<body>
<header><a href="{{ root }}index.html">{{ show.title }}</a></header>
<main>
<article>
<p class="meta"><time datetime="{{ e.iso }}">{{ e.day }}</time> · {{ e.minutes }}</p>
<h1>{{ e.title }}</h1>
<p class="byline">{{ e.hosts|join(", ") }}</p>
<audio controls preload="metadata" src="{{ e.href }}"></audio>
<p><a href="{{ e.href }}" download>{{ e.size }} octets</a></p>
<div class="summary"><p>{{ e.summary }}</p></div>
<ol class="chapters">
{% for h in e.headlines %}<li><a href="{{ e.href }}#t={{ h.start }}">{{ h.start }}</a> {{ h.title }}</li>
{% endfor %}</ol>
{% for h in e.headlines %}<section><h3>{{ h.title }}</h3><p>{{ h.text }}</p>
{% if h.link %}<p><a href="{{ h.link }}">{{ h.link }}</a></p>{% endif %}</section>
{% endfor %}
<dl>{% for c in e.credits %}<dt>{{ c.role }}</dt><dd>{{ c.people|join(", ") }}</dd>{% endfor %}</dl>
</article>
<nav>{% if older %}<a href="{{ root }}{{ older.path }}">{{ older.title }}</a>{% endif %}
{% if newer %}<a href="{{ root }}{{ newer.path }}">{{ newer.title }}</a>{% endif %}</nav>
</main>
<footer><a href="{{ root }}feed.xml">RSS</a></footer>
</body>
</html>
"""

INDEX = """<!doctype html>
<html lang="{{ show.language }}"><head><meta charset="utf-8"><title>{{ show.title }}</title></head>
<body><h1>{{ show.title }}</h1><p>{{ show.description }}</p><ol>
{% for e in episodes %}<li><h3><a href="{{ e.path }}">{{ e.title }}</a></h3>
<p class="meta"><time datetime="{{ e.iso }}">{{ e.day }}</time> · {{ e.minutes }}</p>
<p>{{ e.summary }}</p></li>
{% endfor %}</ol></body></html>
"""

MIME = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".opus": "audio/ogg", ".ogg": "audio/ogg"}
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def build(show_dir: Path, out: Path) -> int:
    show = yaml.load((show_dir / "show.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    tz = zoneinfo.ZoneInfo(show["timezone"])
    now = dt.datetime.now(dt.UTC)
    base = show["url"]
    episodes = []
    for path in sorted((show_dir / "episodes").glob("*.yaml")):
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        when = data["date"]
        if isinstance(when, str):
            when = dt.datetime.fromisoformat(when)
        elif not isinstance(when, dt.datetime):
            when = dt.datetime(when.year, when.month, when.day)
        when = when.replace(tzinfo=tz)
        if data.get("draft") or when > now:
            continue
        audio_file = show_dir / data["audio"]
        info = mutagen.File(audio_file).info
        slug = path.stem
        episodes.append(_episode(data, slug, when, audio_file, info.length, base))
    episodes.sort(key=lambda e: e["when"], reverse=True)

    env = Environment(autoescape=True)
    page, index = env.from_string(PAGE), env.from_string(INDEX)
    staging = out.parent / f".{out.name}.floor-{os.getpid()}"
    staging.mkdir(parents=True)
    (staging / "audio").mkdir()
    for i, e in enumerate(episodes):
        folder = staging / "episodes" / e["slug"]
        folder.mkdir(parents=True)
        html = page.render(
            show=show,
            e=e,
            root="../../",
            feed=base + "feed.xml",
            newer=episodes[i - 1] if i else None,
            older=episodes[i + 1] if i + 1 < len(episodes) else None,
        )
        (folder / "index.html").write_bytes(html.encode())
        chapters = [{"startTime": h["seconds"], "title": h["title"]} for h in e["headlines"]]
        document = {"version": "1.2.0", "chapters": chapters, "title": e["title"]}
        (folder / "chapters.json").write_bytes(json.dumps(document, ensure_ascii=False).encode())
        os.link(e["source"], staging / e["audio"])
    (staging / "index.html").write_bytes(index.render(show=show, episodes=episodes).encode())
    (staging / "feed.xml").write_bytes(_feed(show, episodes))
    old = out.parent / f".{out.name}.floor-old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)
    return len(episodes)


def _episode(
    data: dict, slug: str, when: dt.datetime, source: Path, seconds: float, base: str
) -> dict:
    audio = "audio/" + source.name
    headlines = []
    for h in data.get("headlines", []):
        start = h.get("start", "0:00")
        minutes, secs = start.split(":")
        headlines.append({**h, "start": start, "seconds": int(minutes) * 60 + float(secs)})
    size = source.stat().st_size
    url = f"{base}episodes/{slug}/"
    enclosure = base + quote(audio)
    return {
        "slug": slug,
        "path": f"episodes/{slug}/index.html",
        "url": url,
        "title": data["title"],
        "summary": data.get("summary", ""),
        "when": when,
        "iso": when.isoformat(),
        "day": when.strftime("%d/%m/%Y"),
        "minutes": f"{seconds / 60:.0f} min",
        "hosts": data.get("hosts", []),
        "credits": data.get("credits", []),
        "headlines": headlines,
        "audio": audio,
        "href": "../../" + quote(audio),
        "source": source,
        "size": size,
        "seconds": seconds,
        "enclosure": enclosure,
        "mime": MIME.get(source.suffix, "audio/flac"),
        "guid": slug,
        "jsonld": json.dumps({"@type": "PodcastEpisode", "name": data["title"], "url": url}),
    }


def _feed(show: dict, episodes: list[dict]) -> bytes:
    rss = etree.Element("rss", nsmap=NS, version="2.0")
    channel = etree.SubElement(rss, "channel")
    for tag, text in (("title", show["title"]), ("link", show["url"])):
        etree.SubElement(channel, tag).text = text
    etree.SubElement(channel, "description").text = etree.CDATA(show["description"])
    etree.SubElement(channel, f"{{{NS['itunes']}}}image", href=show["url"] + show["image"])
    for e in episodes:
        item = etree.SubElement(channel, "item")
        etree.SubElement(item, "title").text = e["title"]
        etree.SubElement(item, "link").text = e["url"]
        etree.SubElement(item, "description").text = etree.CDATA(e["summary"])
        etree.SubElement(item, "guid", isPermaLink="false").text = e["guid"]
        etree.SubElement(
            item, "enclosure", url=e["enclosure"], length=str(e["size"]), type=e["mime"]
        )
        etree.SubElement(item, "pubDate").text = e["when"].strftime("%a, %d %b %Y %H:%M:%S %z")
        etree.SubElement(item, f"{{{NS['itunes']}}}duration").text = str(round(e["seconds"]))
        for person in e["hosts"]:
            etree.SubElement(item, f"{{{NS['podcast']}}}person", role="host").text = person
        etree.SubElement(item, f"{{{NS['podcast']}}}chapters", url=e["url"] + "chapters.json").set(
            "type", "application/json+chapters"
        )
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: floor.py SHOW_DIR OUT_DIR", file=sys.stderr)
        return 2
    started = time.perf_counter()
    count = build(Path(argv[0]), Path(argv[1]))
    print(f"floor: {count} episodes in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
