"""Vietnamese search without accents, and one search index per language (MkDocs hook).

Material's search (lunr) matches tokens as written, so ``khoa`` misses ``khoá`` and
``dieu kien`` misses ``Điều kiện``; and mkdocs-static-i18n 1.3.1 merges every language into
one ``search/search_index.json``, so a reader gets results in both languages. Instead of forking
the theme, this hook post-processes the built site:

* each language gets its own index (``search/`` for the default language, ``en/search/`` for
  English), holding only that language's pages (mkdocs.yml sets the i18n plugin's
  ``reconfigure_search: false``, else it drops English sections equal to a Vietnamese one);
* each entry whose text carries diacritics gets two extra lunr fields, ``title_folded`` and
  ``text_folded``: its accented words with the accents stripped (NFD, combining marks removed,
  đ → d), plus the other tone placement of ``oa``/``oe``/``uy`` syllables (``khoá`` ↔ ``khóa``),
  so a query in any of these spellings finds the page. Material indexes every field named in
  the index's ``config.fields``, so the worker needs no change;
* pages of a non-default language point Material's ``base`` (used only to fetch the search
  index and resolve result links) at their language root, so they load their own index.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from policyproof.site.hooks.site_languages import (
    built_languages,
    current_language,
    is_nested_build,
    url_prefix,
)

# Marks that only set the tone; the vowel-quality marks (breve, circumflex, horn) stay put when
# the tone moves between the two vowels of "oa", "oe", "uy".
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+")
_CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def fold(text: str) -> str:
    """Strip Vietnamese diacritics: ``Điều kiện khoá`` → ``Dieu kien khoa``."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def other_tone_placement(word: str) -> str | None:
    """The same syllable in the other tone-placement convention, if it has one.

    Vietnamese writes an open syllable ending in ``oa``, ``oe`` or ``uy`` two ways: the "new"
    style marks the second vowel (``hoà``, ``khoá``, ``thuỷ``), the "old" one the first
    (``hòa``, ``khóa``, ``thủy``). Readers type either; pages use one.
    """
    letters = unicodedata.normalize("NFD", word)
    bases = [i for i, char in enumerate(letters) if not unicodedata.combining(char)]
    if len(bases) < 2:
        return None
    first, second = bases[-2], bases[-1]
    pair = (letters[first] + letters[second]).lower()
    preceded_by_q = len(bases) > 2 and letters[bases[-3]].lower() == "q"
    if pair not in {"oa", "oe", "uy"} or preceded_by_q:  # "quý": "qu" is one consonant
        return None
    first_marks = letters[first + 1 : second]
    second_marks = letters[second + 1 :]
    tone_on_first = [mark for mark in first_marks if mark in _TONE_MARKS]
    tone_on_second = [mark for mark in second_marks if mark in _TONE_MARKS]
    if bool(tone_on_first) == bool(tone_on_second):  # no tone, or already odd: nothing to add
        return None
    tone = (tone_on_first or tone_on_second)[0]
    keep_first = "".join(mark for mark in first_marks if mark != tone)
    keep_second = "".join(mark for mark in second_marks if mark != tone)
    if tone_on_first:
        moved = letters[first] + keep_first + letters[second] + keep_second + tone
    else:
        moved = letters[first] + keep_first + tone + letters[second] + keep_second
    return unicodedata.normalize("NFC", letters[:first] + moved)


def searchable_variants(text: str) -> str | None:
    """The extra words to index for ``text``, or None when it has no diacritics at all.

    Only the words that change: each accented word folded (once per occurrence, so term
    frequencies stay as in the text) and the other tone placement of ``oa``/``oe``/``uy``
    syllables. Markup, code and unaccented words are already searchable as they are.
    """
    extra = [variant for word in _WORD.findall(text) for variant in _word_variants(word)]
    return " ".join(extra) if extra else None


@lru_cache(maxsize=65536)
def _word_variants(word: str) -> tuple[str, ...]:
    """The variants of one word; words repeat across a site's pages, so each is worked out once."""
    if word.isascii():  # no diacritics: nothing to fold, no tone to move (most of the index)
        return ()
    variants = []
    folded = fold(word)
    if folded != word:
        variants.append(folded)
    other = other_tone_placement(word)
    if other is not None:
        variants.append(other)
    return tuple(variants)


def split_and_fold_index(index: dict[str, Any], prefixes: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One folded index per language from the merged one; ``prefixes`` maps language → URL prefix.

    Entries whose location starts with a language's prefix (``en/``) belong to that language
    and lose the prefix (their pages resolve links against the language root); the rest belong
    to the language whose prefix is ``""``.
    """
    config = dict(index["config"])
    fields = dict(config.get("fields") or {})
    for name in ("title", "text"):
        fields[f"{name}_folded"] = dict(fields.get(name) or {"boost": 1.0})
    config["fields"] = fields
    by_language: dict[str, list[dict[str, Any]]] = {language: [] for language in prefixes}
    longest_first = sorted(prefixes.items(), key=lambda item: len(item[1]), reverse=True)
    for entry in index["docs"]:
        location = str(entry.get("location", ""))
        language, prefix = next((lang, p) for lang, p in longest_first if location.startswith(p))
        folded_entry = dict(entry, location=location[len(prefix) :])
        for name in ("title", "text"):
            extra = searchable_variants(unicodedata.normalize("NFC", str(entry.get(name, ""))))
            if extra is not None:
                folded_entry[f"{name}_folded"] = extra
        by_language[language].append(folded_entry)
    return {
        language: {"config": dict(config, lang=_lunr_languages(language)), "docs": docs}
        for language, docs in by_language.items()
    }


def _lunr_languages(language: str) -> list[str]:
    # Vietnamese pages keep many English terms (policy, bucket, key): English stop words too.
    return [language] if language == "en" else [language, "en"]


def _language_base(base: str, prefix: str) -> str:
    # Material resolves the index as new URL("search/search_index.json", base): keep a trailing /.
    return f"{base.rstrip('/')}/{prefix}" if base not in ("", ".") else f"./{prefix}"


def point_base_at_language_root(html: str, prefix: str) -> str:
    """Rewrite Material's ``__config.base`` in a page of the language living under ``prefix``."""
    if not prefix:
        return html

    def rewrite(match: re.Match[str]) -> str:
        settings = json.loads(match.group(2))
        settings["base"] = _language_base(str(settings["base"]), prefix)
        # Escaped as Jinja's tojson does, so no string can close the <script> element.
        text = json.dumps(settings).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return match.group(1) + text + match.group(3)

    return _CONFIG_SCRIPT.sub(rewrite, html, count=1)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return point_base_at_language_root(output, url_prefix(current_language(config), config))


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    if template_name != "404.html":
        return output_content
    return point_base_at_language_root(output_content, url_prefix(current_language(config), config))


# After mkdocs-static-i18n (priority -100) has written the merged index of all languages.
@event_priority(-200)
def on_post_build(config: MkDocsConfig) -> None:
    if is_nested_build(config):
        return  # the merged index exists only once every language is built
    site = Path(config.site_dir)
    merged_path = site / "search" / "search_index.json"
    if not merged_path.is_file():
        return  # search plugin disabled
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    prefixes = {language: url_prefix(language, config) for language in built_languages(config)}
    for language, index in split_and_fold_index(merged, prefixes).items():
        target = site / prefixes[language] / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

