"""The one network probe (datasets and weights): a short TCP connection, so an offline laptop is
detected in seconds instead of a download hanging."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from urllib.parse import urlparse

PROBE_TIMEOUT = 3.0      # seconds to wait for a first connection to a download server
DOWNLOAD_TIMEOUT = 20.0  # seconds a stalled download may wait for data before giving up


def can_connect(url: str) -> bool:
    """True when the server of ``url`` accepts a TCP connection within :data:`PROBE_TIMEOUT`
    seconds (port 443 for https, 80 for http, unless the URL names one)."""
    parts = urlparse(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=PROBE_TIMEOUT):
            return True
    except OSError:
        return False


def can_reach(urls: str | Iterable[str]) -> bool:
    """True when the server of ``urls`` (one URL or several mirrors) accepts a connection."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    return any(can_connect(url) for url in urls)


def hosts(urls: Iterable[str]) -> str:
    """The servers of ``urls`` for a message: "a.org or b.org"."""
    return " or ".join(dict.fromkeys(urlparse(url).hostname or "" for url in urls))
