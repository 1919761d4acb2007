"""Front matter: YAML and TOML, which keys are kept, dropped or reported, and errors with lines."""

from __future__ import annotations

import datetime

import pytest

from policyproof.check.findings import InputError
from policyproof.hugo.frontmatter import dump_front_matter, site_front_matter, split_front_matter


def test_yaml_front_matter_and_body_line() -> None:
    front = split_front_matter("---\ntitle: A\nweight: 3\n---\nbody\n", "p.md")
    assert front.data == {"title": "A", "weight": 3}
    assert (front.body, front.body_line) == ("body\n", 5)


def test_toml_front_matter() -> None:
    front = split_front_matter('+++\ntitle = "A"\nweight = 2\nchapter = true\n+++\n\nx\n', "p.md")
    assert front.data == {"title": "A", "weight": 2, "chapter": True}
    assert front.body_line == 6


def test_kept_dropped_and_unknown_keys() -> None:
    data = {
        "title": "T",
        "weight": 5,
        "date": datetime.date(2025, 2, 11),
        "chapter": True,
        "pre": "<b>1</b>",
        "menuTitle": "M",
        "draft": False,
        "tags": ["iam"],
    }
    kept, unknown = site_front_matter(data)
    assert kept == {"title": "T", "weight": 5, "date": datetime.date(2025, 2, 11), "tags": ["iam"]}
    assert unknown == ["tags"]
    assert dump_front_matter(kept).startswith(
        "---\ntitle: T\nweight: 5\ndate: 2025-02-11\ntags:\n- iam\n---\n"
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: A\nweight: [1\n---\nx\n", 4, "bad YAML front matter"),
        ("---\ntitle: ok\n  bad: indent\n---\n", 3, "bad YAML front matter"),
        ('+++\ntitle = "A"\nweight = \n+++\n', 3, "bad TOML front matter"),
        ("---\ntitle: A\nno closing line\n", 1, "never closed"),
        ("---\n- a list\n---\n", 2, "must be a mapping"),
    ],
)
def test_bad_front_matter_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as caught:
        split_front_matter(text, "content/x.md")
    assert caught.value.file == "content/x.md"
    assert caught.value.line == line, caught.value
    assert words in caught.value.message
