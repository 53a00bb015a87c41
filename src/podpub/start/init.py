"""``podpub init``: a new show folder that passes ``podpub check`` as it is.

The answers (title, language, author, e-mail, site URL, category) are checked by the
very models ``check`` uses: the show.yaml text is rendered, then loaded and validated
before anything is written, so a bad answer is refused with the flag that gave it and
a folder is never left half made.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from podpub.errors import PodpubError, Problem
from podpub.input.load import load_bytes
from podpub.input.models import Show
from podpub.input.paths import with_slash
from podpub.input.taxonomy import APPLE_CATEGORIES, category_pairs
from podpub.input.validate import validate
from podpub.media.images import placeholder_cover
from podpub.resolve.guids import podcast_guid

# The questions, in the order asked: (answer field, flag, question).
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("title", "--title", "Title of the show"),
    ("language", "--language", "Language (ISO 639-1 code: en, fr, en-us …)"),
    ("author", "--author", "Author (the people or company behind the show)"),
    ("email", "--email", "Owner's e-mail (directories send ownership codes there)"),
    ("url", "--url", "Site URL (where the site will be served, https://…/)"),
    ("category", "--category", "Apple Podcasts category ('Parent' or 'Parent > Subcategory')"),
)

# The show.yaml field each answer ends up in: a problem there is the answer's fault.
_FIELD_OF = {
    "title": "title",
    "language": "language",
    "author": "author",
    "email": "owner.email",
    "url": "url",
    "category": "categories[0]",
}

_EXAMPLE = {
    "title": '"My Show"',
    "language": "en",
    "author": '"Jane Doe"',
    "email": "jane@example.org",
    "url": "https://podcast.example.org/",
    "category": "Technology",
}

# Stand-ins known to be valid: an answer is checked alone, with these for the others.
_VALID = {
    "title": "Show",
    "language": "en",
    "author": "Author",
    "email": "owner@example.org",
    "url": "https://example.org/",
    "category": "Arts",
}

GITIGNORE_LINES = (
    "# podpub's output and its state: made again by every publish",
    "public/",
    ".podpub/",
    ".public.lock",
    ".public.standby/",
    ".public.staging-*/",
)

COVER = "cover.png"


@dataclass(frozen=True)
class Answers:
    """What ``podpub init`` asks; ``None`` for a question not answered yet."""

    title: str | None = None
    language: str | None = None
    author: str | None = None
    email: str | None = None
    url: str | None = None
    category: str | None = None
    timezone: str = "UTC"

    def missing(self) -> list[str]:
        return [name for name, _, _ in QUESTIONS if getattr(self, name) in (None, "")]


@dataclass(frozen=True)
class InitResult:
    folder: Path
    written: tuple[str, ...]  # paths inside the folder, as created
    kept: tuple[str, ...]  # files that were there already and are left as they are


def refuse_existing_show(folder: Path) -> None:
    """``init`` never replaces a show: a folder with a show.yaml is refused first, and so
    is a path that is a file (before any question: the answers would be lost)."""
    if folder.exists() and not folder.is_dir():
        raise PodpubError(
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    "",
                    "is a file, not a folder: a show is a folder",
                    "give a new folder's name, e.g. podpub init my-show",
                )
            ]
        )
    if (folder / "show.yaml").exists():
        raise PodpubError(
            [
                Problem(
                    str(folder / "show.yaml"),
                    None,
                    None,
                    "",
                    "a show already lives here; podpub init never replaces show.yaml",
                    "run podpub init in an empty folder, e.g. podpub init my-show",
                )
            ]
        )


def ask_missing(answers: Answers, ask: Callable[[str, str, Callable[[str], str]], str]) -> Answers:
    """Ask each question that has no answer; ``ask(question, flag, check)`` re-asks until
    ``check`` accepts (it raises ValueError with the message to show)."""
    for name, flag, question in QUESTIONS:
        if getattr(answers, name) in (None, ""):

            def check(value: str, name: str = name) -> str:
                return check_answer(name, value)

            answers = replace(answers, **{name: ask(question, flag, check)})
    return answers


def require_all(answers: Answers) -> None:
    """With ``--yes`` nothing is asked: each missing answer is an error naming its flag."""
    missing = answers.missing()
    if missing:
        flags = {name: flag for name, flag, _ in QUESTIONS}
        raise PodpubError(
            [
                Problem(
                    "",
                    None,
                    None,
                    flags[name],
                    "needed with --yes, which asks no questions",
                    f"add {flags[name]} {_EXAMPLE[name]}",
                )
                for name in missing
            ]
        )


def check_answer(name: str, value: str) -> str:
    """The answer as show.yaml will hold it, or ValueError saying what is wrong."""
    value = value.strip()
    if name == "category":
        value = canonical_category(value)
    if name == "url" and value and not value.endswith("/"):
        value += "/"
    trial = replace(Answers(**_VALID), **{name: value})
    problems = [p for p in _problems(trial) if p.field.startswith(_FIELD_OF[name])]
    if problems:
        raise ValueError("; ".join(_message(p) for p in problems))
    return value


def canonical_category(value: str) -> str:
    """Apple's spelling of a category written loosely ('news > daily news', 'Daily News'),
    or ValueError with the nearest ones."""
    wanted = " > ".join(part.strip() for part in value.replace("›", ">").split(">"))
    pairs = category_pairs()
    by_lower = {pair.lower(): pair for pair in pairs}
    by_lower.update(  # a subcategory alone names its parent too
        {
            sub.lower(): f"{parent} > {sub}"
            for parent, subs in APPLE_CATEGORIES.items()
            for sub in subs
        }
    )
    found = by_lower.get(" ".join(wanted.lower().split()))
    if found:
        return found
    close = difflib.get_close_matches(wanted.lower(), list(by_lower), n=6, cutoff=0.5)
    # A pair and its subcategory alone name the same category: offer each one once.
    offered = list(dict.fromkeys(by_lower[c] for c in close))[:3]
    hint = (
        "did you mean " + " or ".join(repr(c) for c in offered) + "?"
        if close
        else "Apple's categories are " + ", ".join(APPLE_CATEGORIES)
    )
    raise ValueError(f"{value!r} is not an Apple Podcasts category; {hint}")


def init_show(folder: Path, answers: Answers, today: dt.date) -> InitResult:
    """Write a new show into ``folder``: show.yaml, episodes/, audio/, .gitignore, cover."""
    refuse_existing_show(folder)
    answers = _normalised(answers)
    text = show_yaml(answers, today)
    problems = _problems(answers)
    if problems:
        raise PodpubError(
            [
                replace(p, file="", line=None, column=None, field=_flag_for(p.field))
                for p in problems
            ]
        )
    try:
        return _write_show_files(folder, answers, text)
    except OSError as exc:  # a folder that cannot be written, a disk that is full
        where = exc.filename or folder
        raise PodpubError(
            [
                Problem(
                    str(where),
                    None,
                    None,
                    "",
                    f"cannot write the new show: {exc.strerror or exc}",
                    "choose a folder you can write to; what was made so far can be deleted",
                )
            ]
        ) from None


def _write_show_files(folder: Path, answers: Answers, text: str) -> InitResult:
    """The files of a new show; show.yaml last, so that its presence means "done"."""
    written: list[str] = []
    kept: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("episodes", "audio"):
        (folder / sub).mkdir(exist_ok=True)
        written.append(sub + "/")
    if (folder / COVER).exists():  # a cover of one's own is worth more than a placeholder
        kept.append(COVER)
    else:
        _write_new(folder / COVER, placeholder_cover(answers.title or "Podcast"))
        written.append(COVER)
    if _update_gitignore(folder / ".gitignore"):
        written.append(".gitignore")
    _write_new(folder / "show.yaml", text.encode())  # last: its presence means "done"
    written.insert(0, "show.yaml")
    return InitResult(folder, tuple(written), tuple(kept))


def next_steps(result: InitResult, shown_folder: str) -> list[str]:
    """The lines printed after ``init``: what was made, then the three next steps."""
    lines = [f"Created a new show in {shown_folder}: {', '.join(result.written)}."]
    if result.kept:
        lines.append(f"Kept what was there: {', '.join(result.kept)}.")
    if COVER not in result.kept:
        lines.append(f"{COVER} is a placeholder: replace it with your cover (square, 3000 px).")
    go = f"cd {shown_folder} && " if shown_folder not in (".", "") else ""
    lines += [
        "Next steps:",
        f'  1. {go}podpub new "My first episode" --audio path/to/episode.mp3',
        "  2. podpub serve      preview the site at http://127.0.0.1:8000/ as you edit",
        "  3. podpub publish    write the feed and pages into public/, then podpub deploy",
    ]
    return lines


def show_yaml(answers: Answers, today: dt.date) -> str:
    """The commented show.yaml of a new show (every value quoted: JSON is YAML).

    The podcast:guid is pinned at once (computed from the feed URL as the Podcasting 2.0
    spec says), so the show keeps it whatever the feed's address becomes.
    """
    q = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    url = answers.url or ""
    feed_url = with_slash(url) + "feed.xml"
    lines: list[str | tuple[str, str]] = [
        "# show.yaml: the podcast as a whole (the feed's channel and the show page).",
        '# Every field is in the docs ("Descriptor fields") and `podpub schema show`.',
        "# Edit freely: `podpub check` says what is wrong, with the line and the fix.",
        (f"title: {q(answers.title)}", "the show's name, as apps list it"),
        ("description: |", "Markdown: what apps show under the title"),
        f"  A new podcast by {answers.author}. Say in a few sentences what it is about.",
        (f"language: {q(answers.language)}", "ISO 639-1 code: en, fr, en-us …"),
        (f"url: {q(url)}", "where the site is served; page and audio URLs derive from it"),
        (f"author: {q(answers.author)}", "itunes:author: the people or company behind it"),
        ("owner:", "itunes:owner: directories send ownership codes there"),
        f"  name: {q(answers.author)}",
        f"  email: {q(answers.email)}",
        (f"image: {COVER}", "a placeholder: put your cover there (square, 3000 px)"),
        ("categories:", "Apple's list: 'Parent' or 'Parent > Subcategory'"),
        f"  - {q(answers.category)}",
        ("explicit: false", "true if episodes hold explicit content"),
        ("type: episodic", "or serial: episodes in order, each with a number"),
        (f"timezone: {q(answers.timezone)}", "IANA zone of dates written without one"),
        f"copyright: {q(f'© {today.year} {answers.author}')}",
        (f"guid: {podcast_guid(feed_url) if url else ''}", "podcast:guid: never change it"),
        ("hosts:", "who presents the show; episodes inherit them"),
        f"  - {q(answers.author)}",
        ("# subscribe:", "once directories list the show: links on its page"),
        ("#   apple: 1234567890", "the digits after /id in its Apple Podcasts URL"),
        ("#   spotify: 4rOoJ6Egrf8K2IrywzwOMk", "after /show/ in its Spotify URL"),
        ("#   podcast_index: 920666", "its Podcast Index feed id"),
        ("# credits:", "the team, on every episode, in your own words"),
        "#   - role: Editing",
        "#     people: [Your Name]",
    ]
    return "".join(commented(line) + "\n" for line in lines)


COMMENT_COLUMN = 38  # comments aligned, as in the docs' examples


def commented(line: str | tuple[str, str]) -> str:
    """A YAML line with its comment aligned (a plain string has none)."""
    if isinstance(line, str):
        return line
    text, comment = line
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}"


def _normalised(answers: Answers) -> Answers:
    """Answers as show.yaml holds them: a category in Apple's spelling, a URL ending in /."""
    changes: dict[str, str] = {}
    for name, _, _ in QUESTIONS:
        value = getattr(answers, name)
        if value is None:
            continue
        try:
            changes[name] = check_answer(name, value)
        except ValueError:
            changes[name] = value.strip()  # reported with its flag by the full check
    return replace(answers, **changes)


def _problems(answers: Answers) -> list[Problem]:
    """Every problem ``podpub check`` would find in the show.yaml of these answers."""
    doc = load_bytes(show_yaml(answers, dt.date(2000, 1, 1)).encode(), "show.yaml")
    _, problems = validate(doc, Show)
    return problems


def _flag_for(field: str) -> str:
    """The flag whose answer a show.yaml field holds ('owner.email' → '--email')."""
    for name, flag, _ in QUESTIONS:
        if field.startswith(_FIELD_OF[name]):
            return flag
    return field


def _message(problem: Problem) -> str:
    return f"{problem.message} ({problem.hint})" if problem.hint else problem.message


def _write_new(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:  # "x": never replace a file that appeared meanwhile
        handle.write(data)


def _update_gitignore(path: Path) -> bool:
    """Add podpub's lines to .gitignore (made if missing); True when it changed."""
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    wanted = [line for line in GITIGNORE_LINES if line not in existing]
    if not [line for line in wanted if not line.startswith("#")]:
        return False
    text = "\n".join(existing + ([""] if existing else []) + wanted) + "\n"
    path.write_text(text, encoding="utf-8")
    return True
