"""MkDocs hooks registered in mkdocs.yml; thin callers of the policyproof library."""
