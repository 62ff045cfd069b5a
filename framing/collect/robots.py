"""robots.txt per host, read with the standard library's parser (RFC 9309 semantics for errors)."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser


class Robots:
    """The rules of one host.

    Following RFC 9309: a 4xx answer means no rules (everything allowed); a 5xx or no answer
    means the site is unreachable and nothing may be fetched.
    """

    def __init__(self, user_agent: str, text: str | None, status: int | None):
        self.user_agent = user_agent
        self.parser = RobotFileParser()
        self.status = status
        if status is not None and 200 <= status < 300 and text is not None:
            self.parser.parse(text.splitlines())
            self.summary = "rules read"
        elif status is not None and 400 <= status < 500:
            self.parser.allow_all = True
            self.summary = f"no robots.txt (http-{status}): all allowed"
        else:
            self.parser.disallow_all = True
            self.summary = f"robots.txt unreachable ({status or 'no answer'}): nothing fetched"

    def allowed(self, url: str) -> bool:
        return self.parser.can_fetch(self.user_agent, url)

    def crawl_delay(self) -> float | None:
        delay = self.parser.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None
