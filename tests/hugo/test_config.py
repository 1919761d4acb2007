"""The Hugo site's configuration: which file, which keys, Hugo's defaults when a key is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyproof.check.findings import InputError
from policyproof.hugo.config import find_site_root, read_config


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_no_default_language_means_english(tmp_path: Path) -> None:
    """As in the First Cloud Journey workshops: [Languages.en] and [Languages.vi], no default."""
    root = _write(
        tmp_path, {"config.toml": "[Languages]\n[Languages.vi]\nweight = 2\n[Languages.en]\nweight = 1\n"}
    )
    config = read_config(root)
    assert (config.default_language, config.default_language_given) == ("en", False)
    assert config.languages == ["en", "vi"]  # by weight


def test_hugo_yaml_and_config_default_folder(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "hugo.yaml": "baseURL: https://example.org/docs/\ndefaultContentLanguage: vi\n"
            "canonifyURLs: true\n",
            "config.toml": 'defaultContentLanguage = "en"\n',  # hugo.* wins, as in Hugo
            "config/_default/languages.toml": '[vi]\ncontentDir = "content/vi"\nweight = 1\n'
            '[en]\ncontentDir = "content/en"\nweight = 2\n',
        },
    )
    config = read_config(root)
    assert config.file == root / "hugo.yaml"
    assert (config.default_language, config.base_path, config.canonify_urls) == ("vi", "/docs/", True)
    assert config.language_content_dirs == {"vi": "content/vi", "en": "content/en"}


def test_site_root_found_from_the_content_folder(tmp_path: Path) -> None:
    root = _write(tmp_path, {"config.json": '{"contentDir": "pages"}', "pages/a.md": "x"})
    assert find_site_root(root / "pages") == root
    assert read_config(root).content_dir == "pages"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [("config.toml", "baseURL = [\n", 1), ("hugo.json", '{\n  "a": 1,\n}', 3), ("hugo.yaml", "a: [\n", 2)],
)
def test_bad_configuration_is_one_error_with_a_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    _write(tmp_path, {name: text})
    with pytest.raises(InputError) as raised:
        read_config(tmp_path)
    assert raised.value.file.endswith(name) and raised.value.line == line, raised.value
