"""Where the coding app is reached: the address its links print, and the host names it answers to."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from framing.annotate.app import LOOPBACK_NAMES

ALL_INTERFACES = ("0.0.0.0", "::", "")


def machine_address() -> str:
    """This machine's address on its main network, as other machines in the room reach it.

    A UDP socket "connected" to a private address picks the outgoing interface without sending
    anything; without a network the loopback address is the honest answer.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def base_url(host: str, port: int, public_url: str | None = None) -> str:
    """The address to put in coders' links.

    Examples
    --------
    >>> base_url("127.0.0.1", 8765)
    'http://127.0.0.1:8765'
    >>> base_url("0.0.0.0", 8765, "https://coding.example.edu/")
    'https://coding.example.edu'
    """
    if public_url:
        return public_url.rstrip("/")
    shown = machine_address() if host in ALL_INTERFACES else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"


def allowed_hosts(host: str, public_url: str | None = None, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Host names the app answers to: loopback, the bound address, and the names it is reached by.

    Examples
    --------
    >>> allowed_hosts("127.0.0.1")
    ['127.0.0.1', 'localhost', '::1', '[::1]']
    >>> allowed_hosts("127.0.0.1", "https://coding.example.edu", ["lab-pc.local"])[-2:]
    ['coding.example.edu', 'lab-pc.local']
    """
    names = list(LOOPBACK_NAMES)
    if host in ALL_INTERFACES:
        names += [machine_address(), socket.gethostname(), socket.getfqdn()]
    else:
        names.append(host)
    if public_url:
        names.append(urlsplit(public_url).hostname or "")
    names += list(extra)
    return list(dict.fromkeys(n for n in names if n))
