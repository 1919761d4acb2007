"""The Hugo site's own configuration: languages, default language, content folders, base URL.

Hugo reads ``hugo.toml|yaml|yml|json`` or ``config.toml|yaml|yml|json`` at the site root, merged
with ``config/_default/*`` (https://gohugo.io/getting-started/configuration/). Keys are
case-insensitive (``[Languages.vi]`` is ``languages.vi``). What the import needs:

- ``defaultContentLanguage``: the language of an untagged ``page.md``; Hugo's default is ``en``
  when the key is absent (https://gohugo.io/content-management/multilingual/);
- ``languages.<code>.contentDir``: a per-language content folder (translation by folder);
- ``contentDir`` (default ``content``);
- ``baseURL``: its path (``/000012-AWSSSO/``) prefixes site-absolute links and images;
- ``canonifyURLs`` / ``relativeURLs``: only reported, links are resolved the same way.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from policyproof.check.findings import InputError

HUGO_DEFAULT_LANGUAGE = "en"
CONFIG_NAMES = ("hugo", "config")
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml", ".json")


@dataclass
class HugoConfig:
    """What the import uses of a Hugo site's configuration."""

    file: Path | None = None  # the main configuration file read (None: no configuration found)
    default_language: str = HUGO_DEFAULT_LANGUAGE
    default_language_given: bool = False
    languages: list[str] = field(default_factory=list)
    content_dir: str = "content"
    language_content_dirs: dict[str, str] = field(default_factory=dict)  # language -> folder
    base_path: str = "/"  # path part of baseURL, always with a leading and trailing '/'
    canonify_urls: bool = False
    relative_urls: bool = False
    notes: list[str] = field(default_factory=list)


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key).lower(): _lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower_keys(item) for item in value]
    return value


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(
            str(path), f"bad TOML in the Hugo configuration: {error}; fix the TOML syntax", 1
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            str(path), f"bad JSON in the Hugo configuration: {error.msg}", error.lineno, error.colno
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise InputError(
            str(path), f"bad YAML in the Hugo configuration: {getattr(error, 'problem', error)}", line
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(str(path), "the Hugo configuration must be a mapping of keys to values", 1)
    return _lower_keys(data)


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into.setdefault(key, value)


def find_site_root(source: Path) -> Path | None:
    """The Hugo site root for SOURCE: SOURCE itself or a parent holding a configuration file."""
    start = source if source.is_dir() else source.parent
    for folder in [start, *start.parents]:
        if _config_files(folder):
            return folder
        if folder.name == "content":  # the site root is the content folder's parent, config or not
            return folder.parent
    return None


def _config_files(root: Path) -> list[Path]:
    found = [root / f"{name}{suffix}" for name in CONFIG_NAMES for suffix in CONFIG_SUFFIXES]
    files = [path for path in found if path.is_file()][:1]  # hugo.* wins over config.*
    default = root / "config" / "_default"
    if default.is_dir():
        files.extend(sorted(path for path in default.iterdir() if path.suffix in CONFIG_SUFFIXES))
    return files


def read_config(root: Path) -> HugoConfig:
    """Read the configuration of the Hugo site at ``root`` (Hugo's defaults when there is none)."""
    config = HugoConfig()
    data: dict[str, Any] = {}
    files = _config_files(root)
    for path in files:
        loaded = _load(path)
        stem = path.stem.lower()
        if path.parent.name == "_default" and stem not in ("hugo", "config"):
            loaded = {stem: loaded}  # config/_default/languages.toml holds the 'languages' table
        _merge(data, loaded)
    config.file = files[0] if files else None
    language = data.get("defaultcontentlanguage")
    if isinstance(language, str) and language.strip():
        config.default_language = language.strip().lower()
        config.default_language_given = True
    content_dir = data.get("contentdir")
    if isinstance(content_dir, str) and content_dir.strip():
        config.content_dir = content_dir.strip().strip("/")
    languages = data.get("languages")
    if isinstance(languages, dict):
        ordered = sorted(
            languages.items(),
            key=lambda item: (item[1].get("weight", 0) if isinstance(item[1], dict) else 0, item[0]),
        )
        for code, settings in ordered:
            config.languages.append(code)
            if isinstance(settings, dict) and isinstance(settings.get("contentdir"), str):
                config.language_content_dirs[code] = settings["contentdir"].strip().strip("/")
    if config.default_language not in config.languages:
        config.languages.insert(0, config.default_language)
    base = data.get("baseurl")
    if isinstance(base, str) and base.strip():
        path = urlsplit(base.strip()).path or "/"
        config.base_path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
    config.canonify_urls = bool(data.get("canonifyurls"))
    config.relative_urls = bool(data.get("relativeurls"))
    return config


__all__ = ["HUGO_DEFAULT_LANGUAGE", "HugoConfig", "find_site_root", "read_config"]
