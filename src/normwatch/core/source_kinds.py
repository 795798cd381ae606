"""What kind of publisher a source URL is, for the meaning of ``confidence``.

The vetted data define ``high`` as read in the UN depositary listing or an official government
or treaty-body source, and ``medium`` as two or more reliable secondary sources agreeing. So a
fact rated ``high`` must cite at least one source of kind ``un``, ``treaty_body`` or
``official``; a monitor, a campaign, a newspaper or a document mirror is ``secondary``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

UN = "un"
TREATY_BODY = "treaty_body"
OFFICIAL = "official"
SECONDARY = "secondary"

#: kinds that can carry a ``high`` rating
PRIMARY_KINDS = frozenset({UN, TREATY_BODY, OFFICIAL})

_UN_HOSTS = ("un.org", "unoda.org", "reliefweb.int", "unmissions.org", "ungeneva.org")
_TREATY_BODY_HOSTS = (
    "clusterconvention.org",
    # older copies of the CCM support unit's site (vetted data, ccm/facts.md)
    "ccm3.pronk.se",
    "ccm4.pronk.se",
    "apminebanconvention.org",
    "osloreviewconference.org",
)
# governments, national mine-action authorities, intergovernmental organizations, embassies
_OFFICIAL_HOSTS = re.compile(
    r"(\.gov(\.[a-z]{2})?$|\.gv\.at$|\.gouv\.[a-z]{2}$|\.go\.[a-z]{2}$|^regjeringen\.no$|"
    r"^valtioneuvosto\.fi$|\.kormany\.hu$|^bhmac\.org$|^mineaction\.tj$|\.procons\.lk$|"
    r"europa\.eu$|^nato\.int$|^au\.int$|^holyseegeneva\.org$|^iso\.org$|embassy)"
)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _within(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def source_kind(url: str) -> str:
    """``un``, ``treaty_body``, ``official`` or ``secondary`` for a source URL."""
    host = _host(url)
    if _within(host, _UN_HOSTS):
        return UN
    if _within(host, _TREATY_BODY_HOSTS):
        return TREATY_BODY
    if _OFFICIAL_HOSTS.search(host):
        return OFFICIAL
    return SECONDARY


def can_be_high(urls: list[str]) -> bool:
    """Whether facts citing ``urls`` may be rated ``high`` (one primary source among them)."""
    return any(source_kind(u) in PRIMARY_KINDS for u in urls)
