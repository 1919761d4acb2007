"""Conversions in awkward places: lists, inline tags, raw HTML, reference links, escapes, figures."""

from __future__ import annotations

import base64
from pathlib import Path

from policyproof.hugo import ImportOptions, import_tree

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HOME = """---
title: Edge
---

1. Bước một:

    {{% notice tip %}}
    Mẹo trong danh sách.
    {{% /notice %}}

2. Bước hai: text {{% notice info %}}inline content{{% /notice %}} after.

{{% notice warning "Tiêu đề" %}}
{{< tabs >}}
{{< tab title="A" >}}
Nội dung A
{{< /tab >}}
{{< /tabs >}}
{{% /notice %}}

{{< notice style="purple" >}}
unknown style
{{< /notice >}}

Link <a href="/sec/p/">p</a> and <img src="/images/x.png" width="30">.

[ref-style][r] and `[code](/sec/p/)`.

[r]: sec/p/

{{< figure src="/images/x.png" caption="Hình 1" >}}

```
{{</* notice tip */>}}
```
"""
PAGE = """---
title: P
hidden: true
---

Back to [home](../../) and [self](#top).

{{< expand title="Mở" expanded="true" >}}
x
{{< /expand >}}
"""


def test_awkward_places(tmp_path: Path) -> None:
    content = tmp_path / "hugo/content"
    (content / "sec").mkdir(parents=True)
    (content / "_index.md").write_text(HOME, encoding="utf-8")
    (content / "sec/p.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "hugo/static/images").mkdir(parents=True)
    (tmp_path / "hugo/static/images/x.png").write_bytes(PNG)
    options = ImportOptions(
        source=content, docs=tmp_path / "docs", snippets=tmp_path / "snippets", default_lang="vi"
    )
    report = import_tree(options)
    # Vietnamese only: everything converts, and the English twins are marked copies.
    assert report.problems == [] and report.errors == [] and report.site_problems == [], report.summary()
    assert (tmp_path / "docs/index.en.md").is_file() and (tmp_path / "docs/sec/p.en.md").is_file()
    home = (tmp_path / "docs/index.md").read_text(encoding="utf-8")
    for expected in (
        "1. Bước một:\n\n    !!! tip\n\n        Mẹo trong danh sách.\n\n2. Bước hai: text\n\n!!! info\n\n"
        "    inline content\n\nafter.\n",
        '!!! warning "Tiêu đề"\n\n    === "A"\n\n        Nội dung A\n',
        "!!! note\n\n    unknown style\n",
        'Link <a href="sec/p/">p</a> and <img src="images/x.png" width="30">.',  # from the site root
        "[ref-style][r] and `[code](/sec/p/)`.",
        "[r]: sec/p.md",
        "![Hình 1](images/x.png)\n\n*Hình 1*",
        "```\n{{< notice tip >}}\n```",
    ):
        assert expected in home, f"docs/index.md lacks {expected!r}:\n{home}"
    page = (tmp_path / "docs/sec/p.md").read_text(encoding="utf-8")
    # '#top' scrolls to the top in browsers, but MkDocs checks anchors: '#' does the same
    assert page.endswith('Back to [home](../index.md) and [self](#).\n\n???+ note "Mở"\n\n    x\n'), page
    assert "hidden" not in page
    assert any("purple" in note.text for note in report.notes), report.notes
