"""Credit wordings producers write, in English and French, map to podcast:person roles;
`podpub roles` lists them (issue 19, point 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.input import wordings
from podpub.input.taxonomy import TAXONOMY_ROLES, groups_of_role
from podpub.write.publish import PublishOptions, check, publish

from conftest import MINIMAL_EPISODE, NOW, write_show

PODCAST = "{https://podcastindex.org/namespace/1.0}"

# The wording as a producer writes it → (role, group) in podcast:person.
WORDINGS = {
    # the twelve English wordings of issue 19 that were refused
    "Research": ("researcher", "writing"),
    "Sound design": ("sound designer", "audio post-production"),
    "Original music": ("composer", "audio post-production"),
    "Fact-checking": ("fact checker", "writing"),
    "Edited by": ("audio editor", "audio post-production"),
    "Mixed by": ("audio engineer", "audio production"),
    "Written by": ("writer", "writing"),
    "Mastering": ("audio engineer", "audio production"),
    "Cover art": ("cover art designer", "visuals"),
    "Interviewer": ("host", "cast"),
    "Editor": ("audio editor", "audio post-production"),
    # plurals, case, accents, hyphens, inclusive endings; French
    "Researchers": ("researcher", "writing"),
    "SOUND DESIGNERS": ("sound designer", "audio post-production"),
    "Fact checker": ("fact checker", "writing"),
    "Monteuses": ("audio editor", "audio post-production"),
    "Réalisé par": ("producer", "creative direction"),
    "realisation": ("producer", "creative direction"),
    "Invité·es": ("guest", "cast"),
    "Musique originale": ("composer", "audio post-production"),
    "Co-Host": ("co-host", "cast"),
}


def _credits(wordings: list[str]) -> str:
    lines = ["credits:"]
    for n, wording in enumerate(wordings):
        lines += [f"  - role: {json.dumps(wording, ensure_ascii=False)}", f"    people: [P{n}]"]
    return "\n".join(lines) + "\n"


def test_the_wordings_producers_write_are_published_as_their_roles(tmp_path: Path):
    words = list(WORDINGS)
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": MINIMAL_EPISODE + _credits(words)})
    publish(show_dir, PublishOptions(now=NOW))
    item = etree.parse(str(show_dir / "public" / "feed.xml")).find("channel/item")
    persons = {p.text: (p.get("role"), p.get("group")) for p in item.iter(PODCAST + "person")}
    assert {words[int(name[1:])]: persons[name] for name in persons if name.startswith("P")} == (
        WORDINGS
    )


def test_editor_with_its_group_is_the_taxonomy_editor(tmp_path: Path):
    episode = MINIMAL_EPISODE + "credits:\n  - role: Editor\n    group: Writing\n    people: [A]\n"
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    site = check(show_dir, PublishOptions(now=NOW))
    roles = {(c.role.role, c.role.group) for c in site.episodes[0].credits}
    assert ("editor", "writing") in roles


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("Fact-chekcing", "'fact-checking' (fact checker)"),
        ("Sound desing", "'sound design' (sound designer)"),
        ("Montag", "'montage' (audio editor)"),
    ],
)
def test_an_unknown_wording_gets_suggestions_from_every_wording(tmp_path, written, suggested):
    episode = MINIMAL_EPISODE + f"credits:\n  - role: {written}\n    people: [A]\n"
    show_dir = write_show(tmp_path / "show", {"ep1.yaml": episode})
    with pytest.raises(PodpubError) as caught:
        check(show_dir, PublishOptions(now=NOW))
    [problem] = caught.value.problems
    assert problem.message == f"unknown role {written!r}"
    assert problem.hint.startswith(f"did you mean {suggested}")


def test_every_language_file_names_taxonomy_roles_and_no_wording_twice():
    seen: dict[str, tuple[str, str | None]] = {}
    for wording in wordings.language_wordings():
        groups = groups_of_role(wording.role)
        assert groups, f"{wording.language}.json: {wording.role!r} is not a taxonomy role"
        if wording.group is not None:
            assert (wording.role, wording.group) in TAXONOMY_ROLES
        else:
            assert len(groups) == 1, f"{wording.role!r} needs its group in {wording.language}"
        key = wordings.normalise(wording.text)
        target = (wording.role, wording.group)
        assert seen.setdefault(key, target) == target, f"{wording.text!r} maps to two roles"
    assert {w.language for w in wordings.language_wordings()} >= {"en", "fr"}


def test_adding_a_language_is_adding_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    roles = tmp_path / "roles"
    roles.mkdir()
    for name in ("en.json", "fr.json"):
        (roles / name).write_bytes((wordings.ROLES_DIR / name).read_bytes())
    (roles / "de.json").write_text(
        json.dumps({"roles": {"audio editor": ["Schnitt"], "host": ["Moderation"]}}),
        encoding="utf-8",
    )
    monkeypatch.setattr(wordings, "ROLES_DIR", roles)
    for cached in (wordings.language_wordings, wordings._default_table):
        cached.cache_clear()
    try:
        table = wordings.wording_table()
        assert wordings.lookup("Schnitt", table) == ("audio editor", None)
        assert wordings.lookup("moderation", table) == ("host", None)
    finally:
        monkeypatch.undo()
        for cached in (wordings.language_wordings, wordings._default_table):
            cached.cache_clear()


def test_podpub_roles_lists_groups_roles_and_wordings(capsys: pytest.CaptureFixture[str]):
    assert main(["roles"]) == 0
    out = capsys.readouterr().out
    assert "\nAudio Post-Production\n" in out
    line = next(line for line in out.splitlines() if line.startswith("  audio editor:"))
    assert "en: editor, editing, edited by" in line and "fr: montage" in line
    assert "  editor (with group: writing)" in out


def test_podpub_roles_looks_a_wording_up(capsys: pytest.CaptureFixture[str]):
    assert main(["roles", "Edited by"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "'Edited by' maps to the role 'audio editor' (group audio post-production)."
    )
    assert main(["roles", "nothing-like-it"]) == 1
    assert "No role or wording matches 'nothing-like-it'" in capsys.readouterr().err
