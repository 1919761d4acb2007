"""CommonMark lists (Hugo) re-indented for Python-Markdown (MkDocs): each case is Markdown found in
the public workshops, rendered with this site's own Markdown configuration (mkdocs.yml), compared
with the block structure Hugo's goldmark gives the same text (read from the ``public/`` HTML of
AWS-First-Cloud-Journey/000011-AWSCLI or derived from the CommonMark spec)."""

from __future__ import annotations

from functools import cache

import markdown
import pytest
from bs4 import BeautifulSoup, Tag
from mkdocs.config import load_config

from policyproof.hugo.lists import normalize_lists

from .hugo_site import REPO


@cache
def _site_markdown() -> markdown.Markdown:
    config = load_config(str(REPO / "mkdocs.yml"))
    return markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )


def _shape(html: str) -> str:
    """Block skeleton: ``ol[2](li(p ul(li) img))`` — what a reader sees as structure."""

    def walk(tag: Tag) -> str:
        parts = []
        for child in tag.children:
            if not isinstance(child, Tag):
                continue
            if child.name in ("ol", "ul", "li", "table", "blockquote", "pre", "img", "p") or (
                child.name == "div" and "admonition" in child.get("class", [])
            ):
                name = child.name if child.name != "div" else "note"
                if child.name == "ol" and child.get("start"):
                    name += f"[{child['start']}]"
                inner = walk(child)
                parts.append(f"{name}({inner})" if inner else name)
            else:
                inner = walk(child)
                if inner:
                    parts.append(inner)
        return " ".join(parts)

    return walk(BeautifulSoup(html, "html.parser"))


def _render(source: str) -> str:
    md = _site_markdown()
    md.reset()
    return _shape(md.convert(normalize_lists(source)))


@pytest.mark.parametrize(
    ("source", "hugo"),
    [
        pytest.param(
            "1. First\n\n```\naws iam create-group\n```\n\n![x](1.png)\n\n2. Then\n",
            "ol(li) pre p(img) ol[2](li)",
            id="steps split by code blocks keep their numbers (000011-AWSCLI 7-iam)",
        ),
        pytest.param(
            "**Nội dung:**\n- [a](#a)\n- [b](#b)\n",
            "p ul(li li)",
            id="a list right after a paragraph line (hand-written table of contents)",
        ),
        pytest.param(
            "4. Environment:\n   - Managed image\n   - Privileged\n"
            "5. Service role:\n   - Allow:\n     - ECR\n",
            "ol[4](li(ul(li li)) li(ul(li(ul(li)))))",
            id="3- and 2-space nesting",
        ),
        pytest.param(
            "1. Open\n   - Find S3\n\n   ![a](a.png)\n\n   !!! note\n\n       Region.\n\n2. Next\n",
            "ol(li(p ul(li) p(img) note(p p)) li(p))",
            id="images and notices inside list items (etl workshop)",
        ),
        pytest.param(
            "1. Delete the files\n- Open S3.\n\n2. Delete the bucket\n",
            "ol(li) ul(li) ol[2](li)",
            id="a change of list type starts a new list",
        ),
        pytest.param(
            "3. Copy the URL:\n\n    git clone https://example.com/repo\n\n4. Push.\n",
            "ol[3](li(p p) li(p))",
            id="4-space text in an item is a paragraph, not code",
        ),
        pytest.param(
            "- Check\n```\n   aws sts get-caller-identity\n   ```\n\n![x](8.png)\n",
            "ul(li) pre p(img)",
            id="a fence at column 0 ends the list (000012-AWSSSO 2.1-Manual)",
        ),
        pytest.param(
            "**Week 1:**\n| Day | Task |\n| --- | --- |\n| 1 | Sign up |\n",
            "p table",
            id="a table right after a paragraph line",
        ),
        pytest.param(
            "1. Run:\n\n   ```bash\n   aws s3 ls\n   ```\n\n   Then check.\n\n2. Done\n",
            "ol(li(p pre p) li(p))",
            id="a code block and a continuation paragraph inside an item",
        ),
        pytest.param(
            "Text\n2. not a list\n",
            "p",
            id="only a list starting at 1 interrupts a paragraph",
        ),
        pytest.param(
            "> 1. Bước một\n>    - mục con\n> 2. Bước hai\n",
            "blockquote(ol(li(ul(li)) li))",
            id="a list nested by CommonMark's 3 spaces inside a block quote",
        ),
        pytest.param(
            "> **Note**\n>\n> - a\n>   - b\n> - c\n",
            "blockquote(p ul(li(ul(li)) li))",
            id="a quote's paragraph then a nested list",
        ),
        pytest.param(
            "- item\n  > 1. one\n  >    - nested\n",
            "ul(li(p blockquote(ol(li(ul(li))))))",  # Python-Markdown: loose, Hugo: tight (spacing only)
            id="a list in a block quote in an item",
        ),
        pytest.param(
            ">\t- a\n>\t  - b\n",
            "blockquote(ul(li(ul(li))))",
            id="a tab after the quote marker reaches the next tab stop",
        ),
        pytest.param(
            "- item\n  > inner\n> outer\n",
            "ul(li(p blockquote(p))) blockquote(p)",
            id="a quote left of the item is not the item's quote",
        ),
        pytest.param(
            "> > - a\n> >   - b\n",
            "blockquote(blockquote(ul(li(ul(li)))))",
            id="a nested list in a quote in a quote",
        ),
        pytest.param(
            "- Pick the folder\n  > 📥 [Download](x.csv)\n- Upload\n",
            "ul(li(p blockquote(p)) li(p))",  # Python-Markdown: loose, Hugo: tight (spacing only)
            id="a block quote in an item",
        ),
    ],
)
def test_lists_render_as_hugo_renders_them(source: str, hugo: str) -> None:
    assert _render(source) == hugo
