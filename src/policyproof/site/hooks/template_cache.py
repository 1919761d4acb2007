"""MkDocs hook: compile the theme's templates once, not on every build and ``serve`` rebuild.

See :mod:`policyproof.site.template_cache` for what is kept, where, and why it is safe.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from policyproof.site import template_cache


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    env.bytecode_cache = template_cache.for_site(root)
    return env
