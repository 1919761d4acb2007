"""The shortcode parser: nesting, both delimiters, arguments, and malformed input with lines."""

from __future__ import annotations

import pytest

from policyproof.check.findings import InputError
from policyproof.hugo.shortcodes import Escaped, Shortcode, Text, parse, parse_args


def test_both_delimiters_nest_and_keep_their_lines() -> None:
    body = 'intro\n{{< tabs >}}\n{{% tab name="CLI" %}}\nls\n{{% /tab %}}\n{{< /tabs >}}\n'
    nodes = parse(body, first_line=5, file="page.md")
    tabs = next(node for node in nodes if isinstance(node, Shortcode))
    assert (tabs.name, tabs.line, tabs.indent) == ("tabs", 6, "")
    tab = next(node for node in tabs.children if isinstance(node, Shortcode))
    assert (tab.name, tab.line, tab.arg("name")) == ("tab", 7, "CLI")
    assert any(isinstance(node, Text) and "ls" in node.text for node in tab.children)


def test_arguments_positional_named_and_quoted() -> None:
    positional, named = parse_args(' tip "My title" style="info" title=`raw "x"` open=true')
    assert positional == ["tip", "My title"]
    assert named == {"style": "info", "title": 'raw "x"', "open": "true"}


def test_standalone_and_self_closing_shortcodes_do_not_pair() -> None:
    nodes = parse('a {{< ref "x.md" >}} b {{% notice note content="hi" /%}} c', 1, "p.md")
    codes = [node for node in nodes if isinstance(node, Shortcode)]
    assert [(code.name, code.paired) for code in codes] == [("ref", False), ("notice", False)]


def test_escaped_shortcode_is_kept_literally() -> None:
    nodes = parse("{{</* notice tip */>}}", 1, "p.md")
    assert nodes == [Escaped("{{< notice tip >}}", 1)]


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("a\n\n{{% notice tip %}}\ntext\n", 3, "never closed"),
        ("{{% expand %}}\n{{% notice %}}\nx\n{{% /expand %}}\n", 4, "does not match"),
        ("text\n{{% /notice %}}\n", 2, "never opened"),
        ("{{< notice tip %}}x{{< /notice >}}", 1, "mixes delimiters"),
    ],
)
def test_malformed_shortcodes_name_file_and_line(body: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(body, first_line=1, file="content/page.md")
    assert caught.value.file == "content/page.md"
    assert caught.value.line == line, caught.value
    assert words in caught.value.message
