"""Which language the current MkDocs build renders, read from mkdocs-static-i18n (and where
the site being built lives).

Not a hook itself: the hooks in this folder import it. mkdocs-static-i18n builds the default
language into the site root, then every other language into ``<locale>/`` with a nested build
that reuses the same configuration, so "the current language" is a property of the plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig


def _i18n_plugin(config: MkDocsConfig) -> Any | None:
    return config.plugins.get("i18n")


def default_language(config: MkDocsConfig) -> str:
    """The locale built into the site root (``vi`` here); the theme language without i18n."""
    plugin = _i18n_plugin(config)
    if plugin is not None and getattr(plugin, "default_language", None):
        return str(plugin.default_language)
    return str(config.theme.get("language") or "en")


def current_language(config: MkDocsConfig) -> str:
    """The locale of the build running now."""
    plugin = _i18n_plugin(config)
    if plugin is not None and getattr(plugin, "current_language", None):
        return str(plugin.current_language)
    return default_language(config)


def built_languages(config: MkDocsConfig) -> list[str]:
    """Every locale the site is built in, default first."""
    plugin = _i18n_plugin(config)
    default = default_language(config)
    others = [str(lang) for lang in getattr(plugin, "build_languages", []) or [] if lang != default]
    return [default, *others]


def url_prefix(language: str, config: MkDocsConfig) -> str:
    """Where a language lives in the site: ``""`` for the default, ``"en/"`` for English."""
    return "" if language == default_language(config) else f"{language}/"


def site_root(config: MkDocsConfig) -> Path:
    """The site's folder (the one holding ``mkdocs.yml``): the caches of its builds live there."""
    return Path(config.config_file_path).parent if config.config_file_path else Path.cwd()


def is_nested_build(config: MkDocsConfig) -> bool:
    """True while mkdocs-static-i18n runs the builds of the non-default languages."""
    plugin = _i18n_plugin(config)
    return bool(getattr(plugin, "building", False)) and current_language(config) != default_language(
        config
    )
