"""A bounded fuzz run (hypothesis, well under a minute) of the descriptor loader and the audio
probe. Contract: a model, or PodpubError / AudioError; never another exception.

Inputs start from real descriptors and real audio fixtures and are mutated byte by byte
(replaced, inserted, deleted, cut short, a block repeated), the way a fuzzer would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podpub.errors import PodpubError
from podpub.input.load import load_bytes
from podpub.input.models import Episode, Show
from podpub.input.validate import validate
from podpub.media.probe import AudioError, probe
from podpub.resolve.records import AudioInfo

from conftest import AUDIO, MINIMAL_EPISODE, MINIMAL_SHOW, REPO

# PODPUB_FUZZ_SCALE=20 pytest tests/test_fuzz.py: a longer run than CI's (about 5 s at 1).
SCALE = int(os.environ.get("PODPUB_FUZZ_SCALE", "1"))
SEEDS = [
    MINIMAL_EPISODE.encode(),
    MINIMAL_SHOW.encode(),
    *(p.read_bytes() for p in sorted((REPO / "episodes").glob("*.yaml"))),
]
YAML_BYTES = b":-[]{},&*!|>'\"#%@`?~\t\n\r \x00\xff\xef\xbb\xbf\\0123456789aZ\xc3\xa9"
AUDIO_SEEDS = sorted(p for p in AUDIO.iterdir() if p.stat().st_size)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], alphabet: bytes) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "replace" and data:
            data[at] = draw(st.sampled_from(alphabet))
        elif kind == "insert":
            data[at:at] = (
                draw(st.binary(min_size=1, max_size=8))
                if draw(st.booleans())
                else bytes([draw(st.sampled_from(alphabet))])
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif kind == "cut":
            del data[at:]
        elif kind == "repeat":
            size = draw(st.integers(1, 64))
            data[at:at] = data[at : at + size] * draw(st.integers(1, 4))
    return bytes(data)


@settings(max_examples=600 * SCALE, deadline=None)
@given(data=mutated(SEEDS, YAML_BYTES))
def test_the_loader_gives_a_model_or_located_problems(data: bytes):
    try:
        doc = load_bytes(data, "episodes/fuzz.yaml")
    except PodpubError as exc:
        assert exc.problems and all(p.file == "episodes/fuzz.yaml" for p in exc.problems)
        return
    for model in (Episode, Show):
        result, problems = validate(doc, model)
        assert (result is None) == bool(problems)
        for problem in problems:
            assert problem.line is not None, problem


AUDIO_BYTES = bytes(range(256))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-audio")


@settings(
    max_examples=400 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=mutated([p.read_bytes() for p in AUDIO_SEEDS], AUDIO_BYTES),
    suffix=st.sampled_from([".mp3", ".m4a", ".ogg", ".opus", ".flac", ".mp4", ""]),
)
def test_the_audio_probe_gives_audio_info_or_audio_error(scratch: Path, data: bytes, suffix: str):
    path = scratch / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        info = probe(path)
    except AudioError as exc:
        assert str(exc)
        return
    assert isinstance(info, AudioInfo)
    assert info.size == len(data) and info.duration > 0
