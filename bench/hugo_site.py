"""Convert a podpub show into a Hugo site that builds the same pages, feed and chapters.

``hugo_site.py SHOW_DIR HUGO_DIR [EPISODE_FILE ...]`` writes ``HUGO_DIR`` (config, layouts
and one content file per episode) so that run.py can time ``hugo`` on the same show:

* front matter in JSON, with what Hugo cannot read itself precomputed: the audio file's
  size, duration and MIME type (probed here with podpub's own probe, untimed), the
  headlines with their start times in seconds and their WebVTT cue times, the people the
  episode names (hosts and credits: the ``people`` taxonomy of the person pages);
* the summary is the content (Markdown, rendered by Hugo's Goldmark), headline texts are
  rendered with ``markdownify``, as podpub renders both;
* the set of pages podpub makes, with the same parts: each episode's page (head with
  canonical, Open Graph and JSON-LD, player, chapter list, headlines, credits,
  previous/next links, footer), its ``chapters.json`` and ``chapters.vtt`` (custom
  output formats); the show's pages, 50 episodes a page (``page/N/``); each person's
  pages, 50 episodes a page, with the count of their roles; the RSS feed, 200 items a
  page, each with enclosure, itunes and podcast tags, content:encoded; the sitemap,
  robots.txt and the 404 page;
* drafts and future-dated episodes are left out (Hugo's defaults), as podpub does.

Built as cheaply as Hugo can (docs/performance.md, "Hugo at its best"): no template
ranges over the whole site but the show's pages and the feed, once each, paged; the
list cards and the hot small templates are inlined (a partial call costs a goroutine).
Hugo copies no audio and no transcripts and renders no transcript here (podpub
hard-links the first and renders the last): a conservative comparison, in Hugo's
favour. Given EPISODE_FILE names, only those episodes' content files are rewritten (the
one-changed case).
"""

# ruff: noqa: E501  (the templates below are markup, kept one element per line)

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import yaml

from podpub.media.probe import probe

CONFIG = """\
baseURL = "{url}"
languageCode = "{language}"
defaultContentLanguage = "{language}"
title = {title}
# podpub's site: episode pages, the show's pages, person pages, the feed, sitemap,
# robots.txt and 404 page. No taxonomy list page (/people/) nor section page: podpub
# makes none.
disableKinds = ["taxonomy", "section"]
ignoreErrors = ["error-disable-taxonomy"]  # "taxonomy" is meant: the list of all people
enableRobotsTXT = true
removePathAccents = true  # people/ines-moreau/, as podpub's slugs
paginate = 50  # podpub's show and person pages list 50 episodes a page

[taxonomies]
person = "people"

[outputs]
home = ["HTML", "RSS"]
page = ["HTML", "Chapters", "ChaptersVTT"]
term = ["HTML"]

[outputFormats.RSS]
baseName = "feed"

[outputFormats.Chapters]
mediaType = "application/json"
baseName = "chapters"
isPlainText = true
notAlternative = true

[mediaTypes."text/vtt"]
suffixes = ["vtt"]

[outputFormats.ChaptersVTT]
mediaType = "text/vtt"
baseName = "chapters"
isPlainText = true
notAlternative = true

[params]
description = {description}
author = {author}
email = "{email}"
image = "{image}"
"""

BASEOF = """\
<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ block "description" . }}{{ site.Params.description | plainify | truncate 200 }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta name="color-scheme" content="light dark">
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ "feed.xml" | absURL }}">
<link rel="stylesheet" href="{{ "assets/style.css" | relURL }}">
<meta name="generator" content="hugo">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:image" content="{{ site.Params.image | absURL }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
{{ with .Params.audio }}<meta property="og:audio" content="{{ . | absURL }}">{{ end }}
<meta name="twitter:card" content="summary">
<script type="application/ld+json">{{ block "jsonld" . }}{{ dict "@type" "PodcastSeries" "name" site.Title "url" site.BaseURL | jsonify | safeJS }}{{ end }}</script>
</head>
<body>
<a class="skip-link" href="#main">Aller au contenu</a>
<header class="site-header"><a class="brand" href="{{ "index.html" | relURL }}"><img src="{{ site.Params.image | relURL }}" alt="" width="44" height="44"><span>{{ site.Title }}</span></a></header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><p>{{ site.Params.author }}</p><p><a href="{{ "feed.xml" | relURL }}">Flux RSS</a></p></div></footer>
<script src="{{ "assets/player.js" | relURL }}" defer></script>
</body>
</html>
"""

META = """\
<p class="meta">
{{ with .Params.season }}<span>Saison {{ . }}</span>{{ end }}
{{ with .Params.number }}<span>Épisode {{ . }}</span>{{ end }}
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date | time.Format ":date_long" }}</time>
{{ $d := math.Round .Params.duration }}<span><time datetime="PT{{ $d }}S">{{ div $d 60 | int }} min {{ mod $d 60 }} s</time></span>
</p>
"""

SINGLE = (
    """\
{{ define "title" }}{{ .Title }} — {{ site.Title }}{{ end }}
{{ define "description" }}{{ .Summary | plainify | truncate 200 }}{{ end }}
{{ define "jsonld" }}{{ dict "@type" "PodcastEpisode" "name" .Title "url" .Permalink "datePublished" (.Date.Format "2006-01-02T15:04:05-07:00") "associatedMedia" (dict "@type" "AudioObject" "contentUrl" (.Params.audio | absURL) "encodingFormat" .Params.mime "contentSize" (string .Params.size)) | jsonify | safeJS }}{{ end }}
{{ define "main" }}
{{ $audio := .Params.audio | relURL }}
<article class="episode wrap">
<header class="episode-header">
"""
    + META
    + """<h1>{{ .Title }}</h1>
<p class="byline">Présenté par {{ delimit .Params.hosts ", " }}</p>
</header>
<section class="player" aria-label="Écouter">
<audio id="player" controls preload="metadata" src="{{ $audio }}"><p><a href="{{ $audio }}">{{ path.Base .Params.audio }}</a></p></audio>
<p class="download"><a href="{{ $audio }}" download type="{{ .Params.mime }}">Télécharger</a> <span class="details">({{ upper .Params.codec }}, {{ lang.FormatNumber 1 (div .Params.size 1000.0) }} ko)</span></p>
</section>
<div class="summary prose">{{ .Content }}</div>
{{ with .Params.headlines }}
<section class="chapters"><h2>Chapitres</h2><ol class="chapter-list">
{{ range . }}<li><a class="chapter-link" href="{{ $audio }}#t={{ .seconds }}" data-start="{{ .seconds }}"><time datetime="PT{{ .seconds }}S">{{ .start }}</time> <span class="chapter-title">{{ .title }}</span></a></li>
{{ end }}</ol></section>
<section class="headlines"><h2>Dans cet épisode</h2>
{{ range $i, $h := . }}<article class="headline" id="headline-{{ add $i 1 }}"><h3>{{ $h.title }}</h3>
<p class="headline-time"><a href="{{ $audio }}#t={{ $h.seconds }}"><time datetime="PT{{ $h.seconds }}S">{{ $h.start }}</time></a></p>
{{ with $h.text }}<div class="prose">{{ . | markdownify }}</div>{{ end }}
{{ with $h.link }}<p class="source">Source : <a href="{{ . }}">{{ (urls.Parse .).Host }}</a></p>{{ end }}
</article>
{{ end }}</section>
{{ end }}
<section class="credits"><h2>Crédits</h2><dl>
<div><dt>Présentation</dt><dd>{{ delimit .Params.hosts ", " " et " }}</dd></div>
{{ range .Params.credits }}<div><dt>{{ .role }}</dt><dd>{{ delimit .people ", " " et " }}</dd></div>
{{ end }}</dl></section>
</article>
<nav class="pager">
{{ with .Next }}<a class="pager-prev" rel="prev" href="{{ .RelPermalink }}index.html">Épisode précédent {{ .Title }}</a>{{ end }}
{{ with .Prev }}<a class="pager-next" rel="next" href="{{ .RelPermalink }}index.html">Épisode suivant {{ .Title }}</a>{{ end }}
<p class="pager-more"><a href="{{ "index.html" | relURL }}">Tous les épisodes</a></p>
</nav>
{{ end }}
"""
)

# An episode's card in the lists (show pages, person pages, 404), inlined in each: a
# partial costs a goroutine and a timer per call in Hugo 0.111, and partialCached, tried
# keyed on the page, made the build no faster (5,000 episodes: 10.0-10.4 s of user CPU
# cached, 8.6-9.1 s as a plain partial).
CARD = (
    """\
<h3><a href="{{ .RelPermalink }}index.html">{{ .Title }}</a></h3>
"""
    + META
)

INDEX = (
    """\
{{ define "main" }}
{{ $pager := .Paginate site.RegularPages }}
<header class="show-hero"><img class="cover" src="{{ site.Params.image | relURL }}" alt="" width="280" height="280">
<div class="show-intro"><h1>{{ site.Title }}</h1><div class="prose">{{ site.Params.description | markdownify }}</div></div></header>
<div class="wrap">
<section class="subscribe"><h2>S'abonner</h2><p class="feed"><code>{{ "feed.xml" | absURL }}</code></p></section>
<section class="episodes"><h2>Épisodes <span class="count">{{ len site.RegularPages }} épisodes</span></h2>
<ol class="episode-list">
{{ range $pager.Pages }}<li class="episode-card">"""
    + CARD
    + """<p class="summary">{{ .Summary | plainify }}</p></li>
{{ end }}</ol></section>
{{ partial "pager.html" $pager }}</div>
{{ end }}
"""
)

# A person's pages: the episodes that name them, 50 a page; the count of each of their
# roles on the first page only (as podpub), so that the summary is one pass over their
# episodes, not one per page.
TERM = (
    """\
{{ define "title" }}{{ .Title }} — {{ site.Title }}{{ end }}
{{ define "main" }}
{{ $pager := .Paginate .Pages }}
{{ $name := .Title }}
<article class="person wrap">
<header class="person-header"><h1>{{ $name }}</h1>
{{- if eq $pager.PageNumber 1 }}
{{- $hosted := 0 }}{{ $roles := dict }}
{{- range .Pages }}
{{- if in .Params.hosts $name }}{{ $hosted = add $hosted 1 }}{{ end }}
{{- range .Params.credits }}{{ if in .people $name }}{{ $roles = merge $roles (dict .role (add (index $roles .role | default 0) 1)) }}{{ end }}{{ end }}
{{- end }}
<p class="person-summary">{{ with $hosted }}Présentation <span class="count">({{ . }} épisodes)</span> {{ end }}{{ range $role, $count := $roles }}{{ $role }} <span class="count">({{ $count }} épisodes)</span> {{ end }}</p>
{{ end }}
</header>
<section class="episodes"><h2>Épisodes <span class="count">{{ len .Pages }} épisodes</span></h2>
<ol class="episode-list">
{{ range $pager.Pages }}<li class="episode-card">"""
    + CARD
    + """
<p class="person-roles">{{ if in .Params.hosts $name }}Présentation {{ end }}{{ range .Params.credits }}{{ if in .people $name }}{{ .role }} {{ end }}{{ end }}</p></li>
{{ end }}</ol></section>
{{ partial "pager.html" $pager }}
</article>
{{ end }}
"""
)

PAGER = """\
{{ if gt .TotalPages 1 }}<nav class="pagination" aria-label="Pages d’épisodes"><ol>
<li><a href="{{ .First.URL }}index.html"{{ if eq .PageNumber 1 }} aria-current="page"{{ end }}>1</a></li>
{{ with .Prev }}{{ if gt .PageNumber 1 }}<li><a href="{{ .URL }}index.html">{{ .PageNumber }}</a></li>{{ end }}{{ end }}
{{ if and (gt .PageNumber 1) (lt .PageNumber .TotalPages) }}<li><a href="{{ .URL }}index.html" aria-current="page">{{ .PageNumber }}</a></li>{{ end }}
{{ with .Next }}{{ if lt .PageNumber .TotalPages }}<li><a href="{{ .URL }}index.html">{{ .PageNumber }}</a></li>{{ end }}{{ end }}
<li><a href="{{ .Last.URL }}index.html"{{ if eq .PageNumber .TotalPages }} aria-current="page"{{ end }}>{{ .TotalPages }}</a></li>
{{ with .Next }}<li class="pagination-older"><a rel="next" href="{{ .URL }}index.html">Épisodes plus anciens</a></li>{{ end }}
</ol></nav>{{ end }}
"""

NOT_FOUND = (
    """\
{{ define "main" }}
<div class="wrap not-found"><h1>Page introuvable</h1>
<p>Il n’y a rien à cette adresse : tous les épisodes sont sur la page de l’émission.</p>
<p><a class="button" href="{{ "index.html" | relURL }}">Tous les épisodes</a></p>
<section><h2>Derniers épisodes</h2><ul class="episode-list">
{{ range first 5 site.RegularPages }}<li class="episode-card">"""
    + CARD
    + """</li>
{{ end }}</ul></section></div>
{{ end }}
"""
)

RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{{ site.Title }}</title>
    <link>{{ site.BaseURL }}</link>
    <atom:link href="{{ "feed.xml" | absURL }}" rel="self" type="application/rss+xml"/>
    <description>{{ printf "<![CDATA[%s]]>" (site.Params.description | markdownify) | safeHTML }}</description>
    <language>{{ site.LanguageCode }}</language>
    <itunes:image href="{{ site.Params.image | absURL }}"/>
    <itunes:category text="News"><itunes:category text="Daily News"/></itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:author>{{ site.Params.author }}</itunes:author>
    <itunes:owner><itunes:name>{{ site.Params.author }}</itunes:name><itunes:email>{{ site.Params.email }}</itunes:email></itunes:owner>
{{- range (.Paginate site.RegularPages 200).Pages }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <description>{{ printf "<![CDATA[%s]]>" .Content | safeHTML }}</description>
      <content:encoded>{{ printf "<![CDATA[%s<ol>%s</ol>]]>" .Content (partial "notes.html" .) | safeHTML }}</content:encoded>
      <guid isPermaLink="false">{{ .Params.guid }}</guid>
      <enclosure url="{{ .Params.audio | absURL }}" length="{{ .Params.size }}" type="{{ .Params.mime }}"/>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
      <itunes:title>{{ .Title }}</itunes:title>
      {{ with .Params.number }}<itunes:episode>{{ . }}</itunes:episode>{{ end }}
      <itunes:duration>{{ math.Round .Params.duration }}</itunes:duration>
      {{ range .Params.hosts }}<podcast:person role="host" group="cast">{{ . }}</podcast:person>{{ end }}
      {{ range .Params.credits }}{{ $role := .role }}{{ range .people }}<podcast:person role="{{ $role }}">{{ . }}</podcast:person>{{ end }}{{ end }}
      <podcast:chapters url="{{ .Permalink }}chapters.json" type="application/json+chapters"/>
    </item>
{{- end }}
  </channel>
</rss>
"""

NOTES = """\
{{- range .Params.headlines }}<li><p><strong>{{ .title }}</strong> ({{ .start }})</p>{{ with .text }}{{ . | markdownify }}{{ end }}</li>{{ end -}}
"""

CHAPTERS = """\
{{- $chapters := slice -}}
{{- range .Params.headlines }}{{ $chapters = $chapters | append (dict "startTime" .seconds "title" .title) }}{{ end -}}
{{- dict "version" "1.2.0" "chapters" $chapters "title" .Title "podcastName" site.Title | jsonify (dict "indent" "  ") -}}
"""


# The cue times are in the front matter (see _cues): formatting them in the template
# (math.Round, div, mod, printf for each end of each cue) was a fifth of Hugo's build
# at 5,000 episodes (user CPU 10.0-10.4 s with it, 8.0-8.3 s without chapters.vtt).
CHAPTERS_VTT = """\
WEBVTT
{{ range $i, $h := .Params.headlines }}
{{ add $i 1 }}
{{ $h.cue }}
{{ $h.title }}
{{ end -}}
"""


def convert(show_dir: Path, site: Path, only: list[str] | None = None) -> int:
    """Write the Hugo site; return the number of episode files written."""
    show = yaml.load((show_dir / "show.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    tz = zoneinfo.ZoneInfo(show.get("timezone", "UTC"))
    if not only:
        if site.exists():
            shutil.rmtree(site)
        _write_site_files(show_dir, show, site)
    written = 0
    for path in sorted((show_dir / "episodes").glob("*.yaml")):
        if only and path.name not in only:
            continue
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        (site / "content" / "episodes" / f"{path.stem}.md").write_text(
            _content(show_dir, show, data, path.stem, tz), encoding="utf-8"
        )
        written += 1
    return written


def _write_site_files(show_dir: Path, show: dict, site: Path) -> None:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    files = {
        "config.toml": CONFIG.format(
            url=show["url"],
            language=show["language"],
            title=q(show["title"]),
            description=q(show["description"]),
            author=q(show["author"]),
            email=show["owner"]["email"],
            image=show["image"],
        ),
        "layouts/_default/baseof.html": BASEOF,
        "layouts/_default/single.html": SINGLE,
        "layouts/_default/single.chapters.json": CHAPTERS,
        "layouts/index.html": INDEX,
        "layouts/_default/single.chaptersvtt.vtt": CHAPTERS_VTT,
        "layouts/_default/term.html": TERM,
        "layouts/404.html": NOT_FOUND,
        "layouts/index.rss.xml": RSS,
        "layouts/partials/pager.html": PAGER,
        "layouts/partials/notes.html": NOTES,
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    (site / "content" / "episodes").mkdir(parents=True, exist_ok=True)
    theme = Path(__file__).resolve().parents[1] / "src" / "podpub" / "site" / "theme" / "static"
    (site / "static" / "assets").mkdir(parents=True, exist_ok=True)
    for name in ("style.css", "player.js"):
        shutil.copy(theme / name, site / "static" / "assets" / name)
    shutil.copy(show_dir / show["image"], site / "static" / show["image"])


def _content(show_dir: Path, show: dict, data: dict, stem: str, tz: zoneinfo.ZoneInfo) -> str:
    when = data["date"]
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    elif not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    info = probe(show_dir / data["audio"])
    headlines = []
    for headline in data.get("headlines", []):
        minutes, seconds = headline.get("start", "0:00").split(":")[-2:]
        headlines.append({**headline, "seconds": int(minutes) * 60 + float(seconds)})
    _cues(headlines, info.duration)
    hosts = data.get("hosts") or show.get("hosts", [])
    credits = data.get("credits", [])
    people = dict.fromkeys([*hosts, *(name for c in credits for name in c.get("people", []))])
    front = {
        "title": data["title"],
        "date": when.isoformat(),
        "draft": bool(data.get("draft", False)),
        "number": data.get("number"),
        "season": data.get("season"),
        "audio": "audio/" + quote(Path(data["audio"]).name),
        "size": info.size,
        "duration": info.duration,
        "mime": info.mime,
        "codec": info.codec,
        "guid": f"{show.get('guid', '')}/{stem}",
        "hosts": hosts,
        "credits": credits,
        "people": list(people),
        "headlines": headlines,
    }
    return json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + data.get("summary", "") + "\n"


def _cues(headlines: list[dict], duration: float) -> None:
    """Each headline's WebVTT cue times, to its successor's start (the last: the end)."""
    ends = [h["seconds"] for h in headlines[1:]] + [duration]
    for headline, end in zip(headlines, ends, strict=True):
        headline["cue"] = f"{_vtt_time(headline['seconds'])} --> {_vtt_time(end)}"


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: hugo_site.py SHOW_DIR HUGO_DIR [EPISODE_FILE ...]", file=sys.stderr)
        return 2
    count = convert(Path(argv[0]), Path(argv[1]), argv[2:] or None)
    print(f"hugo site: {count} episode files in {argv[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
