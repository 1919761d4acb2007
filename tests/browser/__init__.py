"""Reader experience proved in Debian's Chromium (marker ``browser``)."""
