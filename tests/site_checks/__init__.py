"""Checks over the served site: links, page weight."""
