"""The site's verification: page rules, published snippets, claims proved, and the MkDocs hooks that
show the proof on the pages. Its spine is :mod:`policyproof.site.pipeline`."""
