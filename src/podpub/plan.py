"""Resolve a show folder into the records every build stage reads.

load every descriptor → validate each against its model → probe each audio file once →
resolve dates, credits, chapters, GUIDs, slugs and URLs → check what only the whole show
can tell (duplicate GUIDs, slugs, enclosures). Every problem of every file is collected;
nothing is raised until all of them are known.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from podpub import markup
from podpub.credits import People, person_roles, resolve_role, role_aliases
from podpub.errors import PodpubError, Problem
from podpub.guids import episode_guid, podcast_guid
from podpub.load import Document, load_file
from podpub.models import TRANSCRIPT_TYPES, Episode, Show
from podpub.paths import media_path, output_path, slugify, with_slash
from podpub.records import (
    AudioInfo,
    Chapter,
    CreditGroup,
    EpisodeRecord,
    HeadlineView,
    PersonRole,
    Role,
    ShowRecord,
    SiteRecord,
    TranscriptRecord,
)

SHOW_FILE = "show.yaml"
EPISODES_DIR = "episodes"
APPLE_DESCRIPTION_BYTES = 4000

Prober = Callable[[list[Path]], dict[Path, "AudioInfo | str"]]


@dataclass(frozen=True)
class PlanOptions:
    now: dt.datetime  # aware; episodes dated later are scheduled, not published
    drafts: bool = False
    future: bool = False
    base_url: str | None = None  # overrides show.yaml's url (previews, staging hosts)


@dataclass
class Loaded:
    """A descriptor that passed its model: the model and the document it came from."""

    doc: Document
    model: Episode


def resolve(show_dir: Path, options: PlanOptions, prober: Prober | None = None) -> SiteRecord:
    """Read and check the whole show; raise :class:`PodpubError` with every problem."""
    problems: list[Problem] = []
    show_doc, show = _load_show(show_dir, problems)
    loaded = _load_episodes(show_dir, problems)
    if show is None or show_doc is None:
        raise PodpubError(problems)
    show_record = _resolve_show(show_dir, show_doc, show, options, problems)
    people = People(show.hosts)
    aliases = role_aliases(show, show_doc, problems)

    published: list[tuple[Loaded, dt.datetime]] = []
    skipped: list[str] = []
    tz = zoneinfo.ZoneInfo(show.timezone)
    for item in loaded:
        when = _aware(item.model.date, tz)
        if (item.model.draft and not options.drafts) or (when > options.now and not options.future):
            skipped.append(item.doc.file)
        else:
            published.append((item, when))

    audio_paths = {}
    for item, _ in published:
        path = media_path(show_dir, item.model.audio, item.doc, ("audio",), problems)
        if path is not None:
            audio_paths[item.doc.file] = path
    probes = (prober or probe_sequentially)(sorted(set(audio_paths.values())))

    episodes: list[EpisodeRecord] = []
    for item, when in published:
        path = audio_paths.get(item.doc.file)
        probe = probes.get(path) if path is not None else None
        if isinstance(probe, str):
            problems.append(item.doc.problem(("audio",), probe))
            probe = None
        record = _resolve_episode(
            show_dir, show, show_record, item, when, path, probe, people, aliases, problems
        )
        if record is not None:
            episodes.append(record)
    episodes.sort(key=lambda e: (e.published, e.key), reverse=True)
    _check_unique(episodes, loaded, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise PodpubError(errors)
    return SiteRecord(show_record, tuple(episodes), options.now, tuple(sorted(skipped)))


def probe_sequentially(paths: list[Path]) -> dict[Path, AudioInfo | str]:
    """Probe each file once; a failure becomes its message (located by the caller)."""
    from podpub import audio  # mutagen is imported only when there is audio to read

    results: dict[Path, AudioInfo | str] = {}
    for path in paths:
        try:
            results[path] = audio.probe(path)
        except audio.AudioError as exc:
            results[path] = str(exc)
    return results


# --- loading ---------------------------------------------------------------------


def _load_show(show_dir: Path, problems: list[Problem]) -> tuple[Document | None, Show | None]:
    from podpub.validate import validate

    path = show_dir / SHOW_FILE
    if not path.is_file():
        problems.append(
            Problem(
                SHOW_FILE,
                None,
                None,
                "",
                f"no {SHOW_FILE} in {show_dir}",
                "run podpub in the show folder, or give the folder: podpub publish SHOW_DIR",
            )
        )
        return None, None
    try:
        doc = load_file(path, SHOW_FILE)
    except PodpubError as exc:
        problems.extend(exc.problems)
        return None, None
    show, found = validate(doc, Show)
    problems.extend(found)
    return doc, show


def descriptor_files(show_dir: Path) -> list[Path]:
    folder = show_dir / EPISODES_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and not p.name.startswith(".")
    )


def _load_episodes(show_dir: Path, problems: list[Problem]) -> list[Loaded]:
    from podpub.validate import validate

    loaded: list[Loaded] = []
    for path in descriptor_files(show_dir):
        display = f"{EPISODES_DIR}/{path.name}"
        try:
            doc = load_file(path, display)
        except PodpubError as exc:
            problems.extend(exc.problems)
            continue
        model, found = validate(doc, Episode)
        problems.extend(found)
        if model is not None:
            loaded.append(Loaded(doc, model))
    return loaded


# --- the show --------------------------------------------------------------------


def _resolve_show(
    show_dir: Path, doc: Document, show: Show, options: PlanOptions, problems: list[Problem]
) -> ShowRecord:
    url = with_slash(options.base_url or show.url)
    feed_url = show.feed_url if show.feed_url and not options.base_url else url + "feed.xml"
    image_source = media_path(show_dir, show.image, doc, ("image",), problems)
    if not show.image.lower().endswith((".jpg", ".png")):
        problems.append(
            doc.problem(
                ("image",),
                "Apple requires the cover's file name to end in .jpg or .png",
                "convert or rename the image",
            )
        )
    image_path = output_path(show.image, "")
    description_html = markup.markdown_to_html(show.description)
    feed_description = markup.markdown_to_feed_html(show.description)
    if len(feed_description.encode()) > APPLE_DESCRIPTION_BYTES:
        problems.append(
            doc.problem(
                ("description",),
                f"is {len(feed_description.encode()):,} bytes as HTML; Apple's limit is 4,000",
                "shorten it",
            )
        )
    hosts = People(show.hosts)
    host_role = _host_role(show.language)
    categories = tuple(
        (parts[0], parts[1] if len(parts) > 1 else None)
        for parts in (c.split(" > ") for c in show.categories)
    )
    return ShowRecord(
        title=show.title,
        description_html=description_html,
        description_text=markup.html_to_text(description_html),
        feed_description=feed_description,
        language=show.language,
        url=url,
        feed_url=feed_url,
        author=show.author,
        owner_name=show.owner.name,
        owner_email=show.owner.email,
        image_source=image_source or show_dir / show.image,
        image_path=image_path,
        image_url=url + quote(image_path),
        categories=categories,
        explicit=show.explicit,
        show_type=show.type,
        copyright=show.copyright,
        timezone=show.timezone,
        guid=show.guid or podcast_guid(feed_url),
        guid_computed=show.guid is None,
        hosts=hosts.all(),
        persons=tuple(PersonRole(p, host_role) for p in hosts.all()),
    )


def _host_role(language: str) -> Role:
    from podpub.i18n import host_label

    return Role(label=host_label(language), role="host", group="cast")


# --- episodes --------------------------------------------------------------------


def _resolve_episode(
    show_dir: Path,
    show: Show,
    show_record: ShowRecord,
    item: Loaded,
    published: dt.datetime,
    audio_source: Path | None,
    probe: AudioInfo | None,
    people: People,
    aliases: dict[str, tuple[str, str | None]],
    problems: list[Problem],
) -> EpisodeRecord | None:
    ep, doc = item.model, item.doc
    key = Path(doc.file).stem
    slug = slugify(key)
    if not slug:
        problems.append(
            Problem(
                doc.file,
                1,
                1,
                "",
                "the file name gives no usable page name",
                "rename the descriptor with letters or digits, e.g. 2023-06-02-title.yaml",
            )
        )
        return None

    host_role = _host_role(show.language)
    hosts = tuple(people.ref(p) for p in ep.hosts) if ep.hosts else show_record.hosts
    credits: list[CreditGroup] = [CreditGroup(host_role, hosts)] if hosts else []
    for i, credit in enumerate(ep.credits):
        role = resolve_role(credit, aliases, doc, ("credits", i), problems)
        if role is not None:
            credits.append(CreditGroup(role, tuple(people.ref(p) for p in credit.people)))
    persons = person_roles(credits)

    headlines: list[HeadlineView] = []
    chapters: list[Chapter] = []
    for headline in ep.headlines:
        text_html = markup.markdown_to_html(headline.text) if headline.text else ""
        headlines.append(HeadlineView(headline.title, text_html, headline.start, headline.link))
        if headline.start is not None:
            chapters.append(Chapter(headline.start, headline.title, headline.link, headline.image))
    if probe is not None:
        _check_chapters(ep, probe.duration, doc, problems)
    if probe is None:
        return None

    summary_html = markup.markdown_to_html(ep.summary) if ep.summary else ""
    feed_description, feed_content = _feed_notes(summary_html, headlines, credits)
    if len(feed_description.encode()) > APPLE_DESCRIPTION_BYTES:
        problems.append(
            doc.problem(("summary",), "is over Apple's 4,000-byte limit as HTML", "shorten it")
        )
    page_dir = f"episodes/{slug}/"
    transcripts = _transcripts(show_dir, show, show_record, item, page_dir, problems)
    audio_path = output_path(ep.audio, "audio/")
    media_base = with_slash(show.media_url) if show.media_url else show_record.url
    chapters_path = page_dir + "chapters.json" if chapters else None
    return EpisodeRecord(
        key=key,
        source=doc.file,
        slug=slug,
        title=ep.title,
        number=ep.number,
        season=ep.season,
        episode_type=ep.type,
        explicit=show.explicit if ep.explicit is None else ep.explicit,
        published=published,
        guid=ep.guid.strip() if ep.guid else episode_guid(show_record.guid, key),
        summary_html=summary_html,
        summary_text=markup.html_to_text(summary_html),
        feed_description=feed_description,
        feed_content=feed_content,
        headlines=tuple(headlines),
        chapters=tuple(chapters),
        hosts=hosts,
        credits=tuple(credits),
        persons=persons,
        audio=probe,
        audio_source=audio_source or show_dir / ep.audio,
        audio_path=audio_path,
        enclosure_url=media_base + quote(audio_path),
        page_path=page_dir + "index.html",
        page_url=show_record.url + page_dir,
        chapters_path=chapters_path,
        chapters_url=show_record.url + chapters_path if chapters_path else None,
        draft=ep.draft,
        transcripts=transcripts,
    )


def _transcripts(
    show_dir: Path,
    show: Show,
    show_record: ShowRecord,
    item: Loaded,
    page_dir: str,
    problems: list[Problem],
) -> tuple[TranscriptRecord, ...]:
    """Transcript files, copied beside the page (same origin: browsers' players can load them)."""
    records: list[TranscriptRecord] = []
    for i, transcript in enumerate(item.model.transcripts):
        source = media_path(
            show_dir, transcript.file, item.doc, ("transcripts", i, "file"), problems
        )
        if source is None:
            continue
        path = page_dir + source.name
        mime = TRANSCRIPT_TYPES[source.suffix.lower()]
        records.append(
            TranscriptRecord(
                source=source,
                path=path,
                url=show_record.url + quote(path),
                mime=mime,
                language=transcript.language or show.language,
                captions=mime in {"text/vtt", "application/x-subrip"},
            )
        )
    return tuple(records)


def _aware(value: dt.date | dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Dates written without a zone are in the show's time zone; a bare date is midnight."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _check_chapters(ep: Episode, duration: float, doc: Document, problems: list[Problem]) -> None:
    previous: float | None = None
    for i, headline in enumerate(ep.headlines):
        if headline.start is None:
            continue
        path = ("headlines", i, "start")
        if previous is not None and headline.start <= previous:
            problems.append(
                doc.problem(
                    path,
                    f"starts at {_clock(headline.start)}, not after the chapter "
                    f"before it ({_clock(previous)})",
                    "chapters go in ascending order",
                )
            )
        if headline.start >= duration:
            problems.append(
                doc.problem(
                    path,
                    f"starts at {_clock(headline.start)}, after the end of the "
                    f"audio ({_clock(duration)})",
                    "check the time or the audio file",
                )
            )
        previous = headline.start


def _clock(seconds: float) -> str:
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _feed_notes(
    summary_html: str, headlines: list[HeadlineView], credits: list[CreditGroup]
) -> tuple[str, str]:
    """Feed description (Apple's tags, headline titles) and content:encoded (full notes)."""
    import html as html_lib

    def esc(text: str) -> str:
        return html_lib.escape(text, quote=False)

    titles = "".join(f"<li>{esc(h.title)}</li>" for h in headlines)
    description = markup.html_to_feed_html(summary_html)
    with_list = description + (f"<ul>{titles}</ul>" if titles else "")
    if len(with_list.encode()) <= APPLE_DESCRIPTION_BYTES:
        description = with_list
    items = "".join(
        f"<li><p><strong>{esc(h.title)}</strong>"
        + (f" ({_clock(h.start)})" if h.start is not None else "")
        + f"</p>{h.html}"
        + (f'<p><a href="{html_lib.escape(h.link)}">{esc(h.link)}</a></p>' if h.link else "")
        + "</li>"
        for h in headlines
    )
    credit_lines = "".join(
        f"<li>{esc(group.role.label)} : {esc(', '.join(p.name for p in group.people))}</li>"
        for group in credits
    )
    content = summary_html + (f"<ol>{items}</ol>" if items else "")
    content += f"<ul>{credit_lines}</ul>" if credit_lines else ""
    return description, content


def _check_unique(
    episodes: list[EpisodeRecord], loaded: list[Loaded], problems: list[Problem]
) -> None:
    docs = {item.doc.file: item.doc for item in loaded}
    seen: dict[tuple[str, str], str] = {}
    for episode in sorted(episodes, key=lambda e: e.source):
        for kind, value, field, what in (
            ("guid", episode.guid.lower(), "guid", "GUID"),
            ("slug", episode.slug, "", "page name"),
            ("enclosure", episode.enclosure_url, "audio", "audio URL"),
        ):
            other = seen.setdefault((kind, value), episode.source)
            if other != episode.source:
                problems.append(
                    docs[episode.source].problem(
                        (field,) if field else (),
                        f"same {what} as {other}",
                        "each episode needs its own" + (" guid" if kind == "guid" else ""),
                    )
                )
