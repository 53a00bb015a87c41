"""WebSub and Podcast Index pings against a local server that records what it is sent."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser

from podpub.cli import main
from podpub.net.http import Client
from podpub.online.notify import Pings, notify_apps, send
from podpub.rules.checker import check_show
from podpub.write.publish import PublishOptions, publish
from static_server import recorder

from conftest import MINIMAL_SHOW, NOW, write_show

FEED = "https://podcast.example.org/feed.xml"


def _show(tmp_path: Path, settings: str) -> Path:
    return write_show(tmp_path / "show", show=MINIMAL_SHOW + settings)


def test_hub_link_in_the_feed_read_by_feedparser(tmp_path: Path):
    show_dir = _show(tmp_path, "websub_hub: https://pubsubhubbub.appspot.com/\n")
    publish(show_dir, PublishOptions(now=NOW))
    feed = feedparser.parse((show_dir / "public" / "feed.xml").read_bytes())
    assert not feed.bozo
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["hub"] == "https://pubsubhubbub.appspot.com/"
    assert links["self"] == FEED


def test_no_hub_link_without_websub_hub(tmp_path: Path):
    show_dir = _show(tmp_path, "")
    publish(show_dir, PublishOptions(now=NOW))
    assert b'rel="hub"' not in (show_dir / "public" / "feed.xml").read_bytes()


def test_an_http_hub_is_pointed_at_websub_hub_not_at_the_show_url(tmp_path: Path):
    # url: is https; only the hub is http://: the warning must name the hub's line,
    # not tell the producer their (https) feed address is http://
    show_dir = _show(tmp_path, "websub_hub: http://hub.example.net/\n")
    report = check_show(show_dir, PublishOptions(now=NOW))
    found = [p for p in report.problems if getattr(p, "rule", "") == "DOC-10"]
    assert len(found) == 1, report.problems
    lines = (show_dir / "show.yaml").read_text(encoding="utf-8").splitlines()
    assert (found[0].file, found[0].field) == ("show.yaml", "websub_hub")
    assert lines[found[0].line - 1].startswith("websub_hub:")
    assert "hub" in found[0].message and "feed's address" not in found[0].message


def test_notify_pings_the_hub_and_the_podcast_index(tmp_path: Path, capsys):
    with recorder() as (base, requests):
        show_dir = _show(
            tmp_path,
            f"websub_hub: {base}hub\npubnotify: true\npubnotify_endpoint: {base}pubnotify\n",
        )
        assert main(["notify", str(show_dir)]) == 0
    post, get = requests
    assert post[:2] == ("POST", "/hub")
    assert parse_qs(post[2]) == {"hub.mode": ["publish"], "hub.url": [FEED]}
    assert get[0] == "GET"
    assert urlsplit(get[1]).path == "/pubnotify"
    assert parse_qs(urlsplit(get[1]).query) == {"url": [FEED]}
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Notified WebSub hub {base}hub: HTTP 204.",
        f"Notified the Podcast Index ({base}pubnotify): HTTP 200.",
    ]


def test_a_failing_hub_is_a_warning_not_a_failure(tmp_path: Path, capsys):
    with recorder() as (base, requests):
        show_dir = _show(
            tmp_path,
            f"websub_hub: {base}fail\npubnotify: true\npubnotify_endpoint: {base}pubnotify\n",
        )
        assert main(["notify", str(show_dir)]) == 0
    assert [r[1].split("?")[0] for r in requests] == ["/fail", "/pubnotify"]  # both tried
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"warning: could not notify WebSub hub {base}fail: HTTP 500 (hub is down for "
        "maintenance). The feed is online;"
    )
    assert "Notified the Podcast Index" in captured.out


def test_a_hub_that_does_not_answer_in_time_is_a_warning(tmp_path: Path):
    with recorder() as (base, _), Client(timeout=0.5) as client:
        done = send(Pings(FEED, websub_hub=f"{base}slow"), client)
    assert done.sent == []
    [warning] = done.warnings
    assert f"could not notify WebSub hub {base}slow: no answer in time." in warning


def test_notify_apps_for_deploy_returns_the_warnings(tmp_path: Path):
    from podpub.resolve.resolver import PlanOptions, resolve

    with recorder() as (base, requests):
        show_dir = _show(tmp_path, f"websub_hub: {base}fail\n")
        site = resolve(show_dir, PlanOptions(now=NOW))
        with Client() as client:
            warnings = notify_apps(site.show, site.show.feed_url, client)
    assert len(requests) == 1
    assert len(warnings) == 1 and "HTTP 500" in warnings[0]


def test_notify_without_settings_says_so(tmp_path: Path, capsys):
    show_dir = _show(tmp_path, "")
    assert main(["notify", str(show_dir)]) == 0
    assert "Nothing to notify: show.yaml sets neither websub_hub nor pubnotify" in (
        capsys.readouterr().out
    )
