"""Import a tree of Hugo notes (learn / relearn themes) into this site's docs and snippets.

``import_tree`` is the entry point; ``policyproof import-hugo`` is its thin command line. The work
is split by concern: ``frontmatter`` (YAML/TOML headers), ``source`` (finding pages, languages and
URLs), ``shortcodes`` (parsing and converting ``{{% %}}`` / ``{{< >}}``), ``markdown`` (links,
images and JSON fences in the prose), ``policies`` (recognising and naming IAM policies),
``headings`` (explicit heading ids shared by both languages), ``writer`` (idempotent output),
``site_rules`` (the site's consistency rules run on the pages written) and ``report`` (the summary).
"""

from policyproof.hugo.importer import ImportOptions, import_tree
from policyproof.hugo.report import ImportReport

__all__ = ["ImportOptions", "ImportReport", "import_tree"]
