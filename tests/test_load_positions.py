"""What a loaded descriptor costs to keep: its positions are exact and compact.

A publish keeps every descriptor's document (its data and the position of every value)
in the show's cache (.podpub/cache), and the main process holds them between the
stages: each position used to be a Mark object, pickled as a class and a dict of four
names, 97 bytes a value, six times the descriptor's own size. Positions are now plain
tuples, and a Mark is made only when a message asks for one.
"""

from __future__ import annotations

import json
import pickle
import random

import pytest

from podpub.errors import PodpubError
from podpub.feed.build import _indented_json
from podpub.input.load import Mark, load_bytes

HEADLINES = 300


def long_descriptor() -> bytes:
    lines = ['title: "A long episode"\n', "number: 010\n", "headlines:\n"]
    for i in range(HEADLINES):
        lines.append(f'  - title: "Headline {i}"\n    start: "{i}:00"\n')
    return "".join(lines).encode()


def test_a_cached_descriptor_takes_at_most_three_times_its_text():
    raw = long_descriptor()
    doc = load_bytes(raw, "episodes/long.yaml")
    kept = pickle.dumps(doc, protocol=5)
    assert len(kept) <= 3 * len(raw)  # it was 6.4 times (87 kB for 14 kB)
    again = pickle.loads(kept)
    assert again.data == doc.data
    # …and every position survives, as exact as before
    last = ("headlines", HEADLINES - 1, "start")
    assert again.locate(last) == Mark(2 + 2 * HEADLINES + 1, 12)
    assert again.locate_key(last) == Mark(2 + 2 * HEADLINES + 1, 5)
    assert again.marks[("number",)] == Mark(2, 9, raw="010", tag="int")
    assert again.misread == [("number",)]


def test_a_problem_deep_in_a_long_descriptor_names_its_line_and_column():
    start = b'    start: "250:00"\n'
    raw = long_descriptor().replace(start, start + b'    title: "again"\n')
    with pytest.raises(PodpubError) as caught:
        load_bytes(raw, "episodes/long.yaml")
    problem = caught.value.problems[0]
    first = 3 + 2 * 250 + 1  # the line of the headline's own title
    assert (problem.file, problem.line, problem.column) == ("episodes/long.yaml", first + 2, 5)
    assert problem.field == "headlines[250].title"
    assert f"first written on line {first}" in problem.message


def test_chapter_files_are_the_bytes_json_dumps_wrote():
    """The chapters file's own writer (no pure-Python encoder) against json.dumps."""
    rng = random.Random(16)
    scalars = [0, 7, -3, 12.5, 0.1, 1e21, 1e-7, 2**70, True, False, None, "", 'é "q" \\ \n']
    scalars += ["\u2028", "</script>", "\x01", "日本"]

    def value(depth: int = 0) -> object:
        roll = rng.random()
        if depth < 3 and roll < 0.25:
            return {f"k{i}{rng.choice('aé')}": value(depth + 1) for i in range(rng.randint(0, 3))}
        if depth < 3 and roll < 0.5:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return rng.choice(scalars)

    for _ in range(3000):
        document = value()
        expected = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
        assert _indented_json(document) == expected
