"""robots.txt per host, read with protego (RFC 9309: ``*`` and ``$``, the longest match wins).

What the answer means follows RFC 9309 section 2.3.1: rules from a 2xx file; a 4xx (or more
than five redirects) means no rules, everything allowed; a 5xx, a timeout or a refused
connection means the rules are *unknown*. Unknown is not a disallow: the crawler fetches
nothing of that host in this run and leaves its URLs to the next run (status
``robots-unavailable``), instead of recording them as forbidden for good.
"""

from __future__ import annotations

from protego import Protego


class Robots:
    """The rules of one host.

    Parameters
    ----------
    user_agent
        Our user agent; rules for its product token apply, else those for ``*``.
    text
        The file's text (at most its first 500 KiB) when it was read, else None.
    status
        The final HTTP status after redirects, or None when no answer came.
    problem
        Why the rules are unknown (``"http-503 after 3 attempts"``, ``"timeout: ..."``), if they are.
    """

    def __init__(self, user_agent: str, text: str | None, status: int | None, problem: str | None = None):
        self.user_agent = user_agent
        self.status = status
        self.problem = problem
        self.available = True
        self._rules: Protego | None = None
        if text is not None and status is not None and 200 <= status < 300:
            self._rules = Protego.parse(text)
            self.summary = "rules read"
        elif status is not None and 400 <= status < 500:
            self.summary = f"no robots.txt (http-{status}): all allowed"
        elif problem and problem.startswith("too-many-redirects"):
            self.summary = f"robots.txt: {problem}; treated as absent (RFC 9309): all allowed"
        else:
            self.available = False
            self.summary = f"robots.txt unavailable ({problem or status or 'no answer'}): host skipped this run"
        # a host name that cannot be asked at all (a bad IDNA label) is a verdict on its URLs, not a delay
        self.host_invalid = bool(problem and problem.startswith("invalid-url"))

    def allowed(self, url: str) -> bool:
        """Whether the rules let us fetch ``url`` (always False while the rules are unknown)."""
        if not self.available:
            return False
        return self._rules is None or self._rules.can_fetch(url, self.user_agent)

    def crawl_delay(self) -> float | None:
        """The ``Crawl-delay`` for our user agent, if the file sets one."""
        delay = self._rules.crawl_delay(self.user_agent) if self._rules is not None else None
        return float(delay) if delay is not None else None
