"""MkDocs hook: compile the theme's templates once, not on every build and ``serve`` rebuild.

See :mod:`policyproof.site.template_cache` for what is kept, where, and why it is safe.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from policyproof.site import template_cache
from policyproof.site.hooks.site_languages import site_root


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    env.bytecode_cache = template_cache.for_site(site_root(config))
    return env
