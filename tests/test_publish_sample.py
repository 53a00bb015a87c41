"""End to end on the sample show: publish, then read the output as apps and people do."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from lxml import etree

from podpub.cli import main
from podpub.errors import PodpubError
from podpub.write.publish import PublishOptions, publish

from conftest import NOW, REPO

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
EPISODE_FILE = REPO / "episodes" / "2023-06-02-les-5-actus-marquantes.yaml"
AUDIO_FILE = REPO / "audio" / "2023-06-02-les-5-actus-marquantes.mp3"
TEAM = ["Barbara Gouy", "Benjamin Milkoff", "Emma Larbi", "Titouan Allain", "Yara El Germany"]


@pytest.fixture
def published(sample_show: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    publish(sample_show, PublishOptions(out=out, now=NOW))
    return out


def _descriptor() -> dict:
    return yaml.safe_load(EPISODE_FILE.read_text(encoding="utf-8"))


def _seconds(clock: str) -> float:
    parts = [float(p) for p in clock.split(":")]
    return sum(p * 60**i for i, p in enumerate(reversed(parts)))


def _ffprobe_duration(path: Path) -> float | None:
    import shutil
    import subprocess

    if not shutil.which("ffprobe"):
        return None
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out)


def test_feedparser_reads_the_feed_as_the_descriptor_says(published: Path):
    parsed = feedparser.parse((published / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    descriptor = _descriptor()
    assert parsed.feed.title == "L'orange bleue — les actus de la semaine"
    assert parsed.feed.language == "fr"
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.title == descriptor["title"]
    assert entry.id == entry.guid
    assert entry.guidislink is False
    enclosure = entry.enclosures[0]
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == AUDIO_FILE.stat().st_size
    assert enclosure.href == (
        "https://podcast.lorangebleue.fr/audio/2023-06-02-les-5-actus-marquantes.mp3"
    )
    assert entry.published == "Fri, 02 Jun 2023 18:00:00 +0200"
    duration = _ffprobe_duration(AUDIO_FILE)
    if duration is not None:
        assert abs(int(entry.itunes_duration) - duration) <= 1
    assert entry.link == (
        "https://podcast.lorangebleue.fr/episodes/2023-06-02-les-5-actus-marquantes/"
    )


def test_podcastparser_reads_the_feed(published: Path):
    data = (published / "feed.xml").read_bytes()
    parsed = podcastparser.parse("https://podcast.lorangebleue.fr/feed.xml", io.BytesIO(data))
    assert parsed["title"] == "L'orange bleue — les actus de la semaine"
    assert parsed["itunes_categories"] == [["News", "Daily News"]]
    assert parsed["itunes_owner"] == {"name": "L'orange bleue", "email": "podcast@lorangebleue.fr"}
    assert parsed["explicit"] is False
    [episode] = parsed["episodes"]
    assert episode["title"] == _descriptor()["title"]
    assert episode["enclosures"][0]["file_size"] == AUDIO_FILE.stat().st_size
    assert episode["enclosures"][0]["mime_type"] == "audio/mpeg"
    duration = _ffprobe_duration(AUDIO_FILE)
    if duration is not None:
        assert abs(episode["total_time"] - duration) <= 1
    assert episode["guid"] == feedparser.parse(data).entries[0].id


def test_chapters_file_has_the_five_headlines_at_their_start_times(published: Path):
    feed = etree.parse(str(published / "feed.xml"))
    chapters_url = feed.find("channel/item/podcast:chapters", NS).get("url")
    assert feed.find("channel/item/podcast:chapters", NS).get("type") == "application/json+chapters"
    relative = chapters_url.removeprefix("https://podcast.lorangebleue.fr/")
    chapters = json.loads((published / relative).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    headlines = _descriptor()["headlines"]
    assert [c["title"] for c in chapters["chapters"]] == [h["title"] for h in headlines]
    assert [c["startTime"] for c in chapters["chapters"]] == [
        _seconds(h["start"]) for h in headlines
    ]
    assert len(chapters["chapters"]) == 5
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert starts == sorted(starts) and len(set(starts)) == 5


def test_host_and_six_credits_naming_five_people(published: Path):
    feed = etree.parse(str(published / "feed.xml"))
    channel_people = feed.findall("channel/podcast:person", NS)
    assert [(p.text, p.get("role")) for p in channel_people] == [("Emma Larbi", "host")]
    people = feed.findall("channel/item/podcast:person", NS)
    pairs = [(p.text, p.get("role"), p.get("group")) for p in people]
    assert pairs[0] == ("Emma Larbi", "host", "cast")
    assert pairs[1:] == [(name, "producer", "creative direction") for name in TEAM]
    assert len(pairs) == 6
    assert len({name for name, _, _ in pairs}) == 5


def test_feed_channel_has_apple_and_podcasting20_tags(published: Path):
    feed = etree.parse(str(published / "feed.xml"))
    channel = feed.find("channel")
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "News"
    assert category.find("itunes:category", NS).get("text") == "Daily News"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert (
        channel.find("itunes:image", NS).get("href") == "https://podcast.lorangebleue.fr/cover.png"
    )
    assert channel.find("podcast:locked", NS).get("owner") == "podcast@lorangebleue.fr"
    self_link = channel.find("atom:link[@rel='self']", NS)
    assert self_link.get("href") == "https://podcast.lorangebleue.fr/feed.xml"
    guid = channel.findtext("podcast:guid", namespaces=NS)
    show = yaml.safe_load((REPO / "show.yaml").read_text(encoding="utf-8"))
    from podpub.resolve.guids import podcast_guid

    assert guid == show.get("guid", podcast_guid("https://podcast.lorangebleue.fr/feed.xml"))


def test_output_is_a_complete_static_site(published: Path):
    slug = "2023-06-02-les-5-actus-marquantes"
    for rel in (
        "feed.xml",
        "index.html",
        "cover.png",
        f"episodes/{slug}/index.html",
        f"episodes/{slug}/chapters.json",
        f"audio/{slug}.mp3",
    ):
        assert (published / rel).is_file(), rel
    assert (published / f"audio/{slug}.mp3").read_bytes() == AUDIO_FILE.read_bytes()


def test_publishing_twice_gives_byte_identical_output(sample_show: Path, tmp_path: Path):
    first, second = tmp_path / "one", tmp_path / "two"
    publish(sample_show, PublishOptions(out=first, now=NOW))
    publish(sample_show, PublishOptions(out=second, now=NOW))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_the_readme_first_command_leaves_the_committed_ledger_as_it_is(
    sample_show: Path, tmp_path: Path
):
    # `pip install -e . && podpub publish` in a fresh clone rewrote published.lock (the
    # committed one lacked fields podpub now records): a producer's first `git status`
    # showed a change they never made.
    committed = (REPO / "published.lock").read_bytes()
    (sample_show / "published.lock").write_bytes(committed)  # as a clone has it
    assert main(["publish", str(sample_show), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert (sample_show / "published.lock").read_bytes() == committed


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_failed_run_leaves_the_previous_output_untouched(sample_show: Path, tmp_path: Path):
    out = tmp_path / "public"
    publish(sample_show, PublishOptions(out=out, now=NOW))
    before = _snapshot(out)
    episode = next((sample_show / "episodes").glob("*.yaml"))
    episode.write_text(episode.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    with pytest.raises(PodpubError):
        publish(sample_show, PublishOptions(out=out, now=NOW))
    assert _snapshot(out) == before
    # podpub's state is in the show's .podpub/: nothing beside the output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "sample"]


def test_a_failure_after_staging_leaves_the_previous_output_untouched(
    sample_show: Path, tmp_path: Path
):
    out = tmp_path / "public"
    publish(sample_show, PublishOptions(out=out, now=NOW))
    before = _snapshot(out)

    def crash() -> None:
        raise RuntimeError("disk on fire")

    (sample_show / "show.yaml").write_text(
        (sample_show / "show.yaml").read_text(encoding="utf-8").replace("fr\n", "fr-fr\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(RuntimeError):
        publish(sample_show, PublishOptions(out=out, now=NOW), before_commit=crash)
    assert _snapshot(out) == before
    assert not list(sample_show.glob(".podpub/outputs/*/staging-*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "sample"]


def test_drafts_and_future_episodes_are_left_out_unless_asked(sample_show: Path, tmp_path: Path):
    episode = next((sample_show / "episodes").glob("*.yaml"))
    original = episode.read_text(encoding="utf-8")
    changes = {
        "zz-draft": ("title: Les 5", "draft: true\ntitle: Brouillon, les 5"),
        "zz-later": ("date: 2023-06-02", "date: 2030-01-01"),
    }
    for name, (old, new) in changes.items():
        (sample_show / "audio" / f"{name}.mp3").write_bytes(AUDIO_FILE.read_bytes())
        text = original.replace(AUDIO_FILE.name, f"{name}.mp3").replace(old, new)
        (sample_show / "episodes" / f"{name}.yaml").write_text(text, encoding="utf-8")
    plain = publish(sample_show, PublishOptions(out=tmp_path / "a", now=NOW))
    assert [e.key for e in plain.site.episodes] == ["2023-06-02-les-5-actus-marquantes"]
    assert plain.site.skipped == ("episodes/zz-draft.yaml", "episodes/zz-later.yaml")
    everything = publish(
        sample_show, PublishOptions(out=tmp_path / "b", now=NOW, drafts=True, future=True)
    )
    assert len(everything.site.episodes) == 3


def test_cli_names_a_few_left_out_episodes_and_counts_the_rest(sample_show: Path, capsys):
    """A show with hundreds of scheduled episodes gets one readable line, not all names."""
    episode = next((sample_show / "episodes").glob("*.yaml"))
    text = episode.read_text(encoding="utf-8").replace("title: Les 5", "draft: true\ntitle: Les 5")
    for number in range(12):
        (sample_show / "episodes" / f"zz-draft-{number:02}.yaml").write_text(text, encoding="utf-8")
    assert main(["publish", str(sample_show)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Left out"))
    assert line.startswith("Left out 12 draft or scheduled episodes (--drafts, --future")
    named = [f"episodes/zz-draft-{number:02}.yaml" for number in range(12)]
    assert all(name in line for name in named[:10])
    assert named[10] not in line and named[11] not in line
    assert line.endswith(" and 2 more")


def test_cli_publish_says_where_the_output_went(sample_show: Path, capsys):
    os.environ["SOURCE_DATE_EPOCH"] = str(int(NOW.timestamp()))
    try:
        status = main(["publish", str(sample_show)])
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    out = capsys.readouterr().out
    assert status == 0
    title = "L'orange bleue — les actus de la semaine"
    assert f'Published 1 episode of "{title}" to {sample_show / "public"}' in out
    assert (sample_show / "public" / "feed.xml").is_file()


def test_cli_refuses_to_publish_over_the_show_folder(sample_show: Path, capsys):
    status = main(["publish", str(sample_show), "--out", str(sample_show)])
    assert status == 1
    assert "holds the show itself" in capsys.readouterr().err
    assert (sample_show / "show.yaml").is_file()


def test_python_dash_m_and_help(tmp_path: Path):
    import subprocess
    import sys

    for command in (["publish", "--help"], ["check", "--help"], ["schema", "--help"], ["--help"]):
        result = subprocess.run(
            [sys.executable, "-m", "podpub", *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout


def test_schema_is_json_schema_of_the_models(capsys):
    assert main(["schema", "episode"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert {"title", "date", "audio", "headlines", "credits"} <= set(schema["properties"])
    assert set(schema["required"]) == {"title", "date", "audio"}


def test_a_missing_show_folder_is_a_clear_error_not_a_bug(tmp_path: Path, capsys):
    missing = tmp_path / "no-such-show"
    assert main(["publish", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"Directory '{missing}' does not exist" in err
    assert "internal error" not in err
    with pytest.raises(PodpubError, match=r"no show\.yaml in"):
        publish(missing, PublishOptions(now=NOW))
    assert not missing.exists()


def test_an_output_folder_podpub_cannot_write_beside_is_a_clear_error(
    sample_show: Path, tmp_path: Path, capsys
):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert main(["publish", str(sample_show), "--out", str(blocked / "public")]) == 1
    err = capsys.readouterr().err
    assert f"cannot write in {blocked}" in err
    assert "internal error" not in err


def test_a_base_url_that_is_not_a_url_is_refused(sample_show: Path, capsys):
    assert main(["publish", str(sample_show), "--base-url", "notaurl"]) == 1
    assert "--base-url 'notaurl' is not an absolute URL" in capsys.readouterr().err
    assert not (sample_show / "public").exists()
