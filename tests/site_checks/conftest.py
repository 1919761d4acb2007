"""The same session fixtures as tests/browser: the served site and Debian's Chromium."""

from browser.conftest import chromium, served_site  # noqa: F401 - re-exported as fixtures here
