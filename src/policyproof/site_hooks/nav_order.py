"""Orders the navigation by the pages' ``weight`` front matter (placeholder, see import-hugo)."""
