"""Parse CAP 1.2 alert messages and Atom index feeds from bytes, safely and strictly.

This module owns the XML layer of CAP ingest: refusing unsafe XML (entity expansion, external
entities, DTDs), HTML error pages and non-CAP documents; validating each alert against the
OASIS CAP 1.2 schema shipped in ``streetrelief/weather/schemas``; and turning the elements into
the frozen `CapAlert` data of `streetrelief.weather.cap.models`. Fetching feeds, storing
alerts, following Update/Cancel chains and matching areas to regions are left to others.

CAP 1.1 is refused, not accepted: the product validates every message against the CAP 1.2
schema before a message may change a response level, and a CAP 1.1 message (namespace
``urn:oasis:names:tc:emergency:cap:1.1``) cannot pass it; the error says so and names the
namespace. Issuers that still publish 1.1 (e.g. the old NWS feed) also publish 1.2.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from streetrelief.core.errors import CapParseError
from streetrelief.weather.cap.models import (
    CAP_1_2,
    AtomEntry,
    CapAlert,
    CapArea,
    CapCircle,
    CapInfo,
    CapReference,
    LatLon,
    ValuePair,
)

if TYPE_CHECKING:
    # Types only: every parse goes through defusedxml.
    from xml.etree.ElementTree import Element

CAP_1_2_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_1_1_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.1"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
DEFAULT_LANGUAGE = "en-US"  # OASIS CAP 1.2 (2010), §3.2.2 language: implicit default
MIN_POLYGON_PAIRS = 4  # OASIS CAP 1.2 (2010), §3.2.4 polygon: "a minimum of 4 coordinate pairs"
MAX_LAT = 90.0  # WGS-84 latitude range, degrees (CAP 1.2, §3.3.1)
MAX_LON = 180.0  # WGS-84 longitude range, degrees (CAP 1.2, §3.3.1)
_SCHEMA_FILE = "CAP-v1.2.xsd"
_HTML_STARTS = (b"<!doctype html", b"<html")
_BOM = b"\xef\xbb\xbf"


def parse_cap(data: bytes, *, source: str) -> list[CapAlert]:
    """Parse one CAP 1.2 ``<alert>`` or an ``<alerts>`` collection of them.

    Args:
        data: the document exactly as received (any XML encoding, BOM allowed).
        source: where the bytes came from (a path or URL), kept on each alert and put in errors.

    Returns:
        The alerts in document order; an empty ``<alerts>`` collection gives an empty list.
        Values are stripped of surrounding whitespace, datetimes are aware UTC, a missing
        ``<language>`` is ``"en-US"``, and polygons are closed rings of (lat, lon) pairs.

    Raises:
        CapParseError: for an HTML page, malformed XML, a DTD or entity declaration (XML bombs
            and external-entity reads), a document that is not CAP 1.2 (CAP 1.1 included, see
            the module docstring), a message that fails the CAP 1.2 schema (naming the element),
            a missing required element, or a polygon, circle or reference that breaks its rule.

    Source:
        OASIS Common Alerting Protocol Version 1.2 (2010), §3.2 (elements), §3.3 (data types),
        and its XML schema CAP-v1.2.xsd. The ``<alerts>`` wrapper is not part of CAP; it is the
        collection some issuers (e.g. SMHI) publish, and each alert in it is validated alone.
    """
    root = _load_xml(data, source)
    namespace, local = _split_tag(root.tag)
    if local == "alert" and namespace == CAP_1_2_NAMESPACE:
        return [_parse_alert(root, data, source, where="alert")]
    if local == "alerts" and namespace in {CAP_1_2_NAMESPACE, ""}:
        alerts: list[CapAlert] = []
        for index, child in enumerate(root, start=1):
            where = f"alert {index} of the <alerts> collection"
            child_namespace, child_local = _split_tag(child.tag)
            if (child_namespace, child_local) != (CAP_1_2_NAMESPACE, "alert"):
                raise _refusal(child_namespace, child_local, source, where=where)
            alerts.append(_parse_alert(child, data, source, where=where))
        return alerts
    raise _refusal(namespace, local, source, where="document")


def parse_cap_entries(data: bytes, *, source: str) -> list[CapAlert | CapParseError]:
    """Parse a CAP document whose alerts are read one by one, as a feed poller reads them.

    Like `parse_cap`, but each alert of an ``<alerts>`` collection stands alone: one that breaks
    a rule becomes its `CapParseError` in the list and the others are still returned.

    Args:
        data: the document exactly as received.
        source: where the bytes came from (a URL), kept on each alert and put in errors.

    Returns:
        One entry per alert in document order: the alert, or why it was refused.

    Raises:
        CapParseError: the document as a whole is refused (HTML, malformed or unsafe XML, not
            CAP 1.2); a single ``<alert>`` that breaks a rule is refused this way too.

    Source:
        OASIS CAP 1.2 (2010), §3.2; the ``<alerts>`` wrapper as in `parse_cap`.
    """
    root = _load_xml(data, source)
    namespace, local = _split_tag(root.tag)
    if local == "alert" and namespace == CAP_1_2_NAMESPACE:
        return [_parse_alert(root, data, source, where="alert")]
    if local == "alerts" and namespace in {CAP_1_2_NAMESPACE, ""}:
        entries: list[CapAlert | CapParseError] = []
        for index, child in enumerate(root, start=1):
            where = f"alert {index} of the <alerts> collection"
            child_namespace, child_local = _split_tag(child.tag)
            try:
                if (child_namespace, child_local) != (CAP_1_2_NAMESPACE, "alert"):
                    raise _refusal(child_namespace, child_local, source, where=where)
                entries.append(_parse_alert(child, data, source, where=where))
            except CapParseError as exc:
                entries.append(exc)
        return entries
    raise _refusal(namespace, local, source, where="document")


def is_atom_feed(data: bytes, *, source: str) -> bool:
    """Whether a document is an Atom feed (an index of alerts) rather than a CAP message.

    Raises:
        CapParseError: for an HTML page, an empty document, or unsafe or malformed XML.

    Source:
        RFC 4287 (The Atom Syndication Format, 2005), §4.1.1: the root is ``atom:feed``.
    """
    return _load_xml(data, source).tag == f"{{{ATOM_NAMESPACE}}}feed"


def parse_atom_index(data: bytes, *, source: str = "Atom feed") -> list[str]:
    """List the CAP alert URLs that an Atom index feed links to.

    Args:
        data: the Atom document exactly as received.
        source: where the bytes came from, put in errors.

    Returns:
        The URLs in feed order without repeats (see `parse_atom_entries` for which links
        count).

    Raises:
        CapParseError: for unsafe or malformed XML, an HTML page, or a document that is not an
            Atom feed.

    Source:
        RFC 4287 (The Atom Syndication Format, 2005), §4.1.2 entry, §4.2.7 link.
    """
    return list(dict.fromkeys(e.url for e in parse_atom_entries(data, source=source)))


def parse_atom_entries(data: bytes, *, source: str = "Atom feed") -> list[AtomEntry]:
    """The CAP alerts an Atom index feed links to, with the identifier and sent time its
    entries give.

    Args:
        data: the Atom document exactly as received.
        source: where the bytes came from, put in errors.

    Returns:
        One entry per link in feed order, without repeated URLs. Each ``<entry>`` contributes
        its links typed ``application/cap+xml`` (as MeteoAlarm publishes); an entry without one
        contributes its ``rel="alternate"`` links that are not typed as HTML (as the NWS Atom
        feed publishes). ``identifier`` and ``sent`` come from the entry's ``cap:identifier``
        and ``cap:sent`` (CAP 1.2 namespace), None when absent or not a CAP date-time.

    Raises:
        CapParseError: for unsafe or malformed XML, an HTML page, or a document that is not an
            Atom feed.

    Source:
        RFC 4287 (The Atom Syndication Format, 2005), §4.1.2 entry, §4.2.7 link (a link without
        ``rel`` is ``alternate``); media type ``application/cap+xml`` from OASIS CAP 1.2 (2010),
        Appendix A.
    """
    root = _load_xml(data, source)
    if root.tag != f"{{{ATOM_NAMESPACE}}}feed":
        namespace, local = _split_tag(root.tag)
        raise CapParseError(
            f"not an Atom feed: the root element is <{local}> in namespace "
            f"{namespace or '(none)'}, expected <feed> in {ATOM_NAMESPACE}",
            source=source,
        )
    entries: dict[str, AtomEntry] = {}
    for entry in root.iterfind(f"{{{ATOM_NAMESPACE}}}entry"):
        links = [
            (link.get("rel", "alternate").strip(), (link.get("type") or "").strip(), href)
            for link in entry.iterfind(f"{{{ATOM_NAMESPACE}}}link")
            if (href := (link.get("href") or "").strip())
        ]
        cap_links = [href for _, kind, href in links if kind == CAP_MEDIA_TYPE]
        if not cap_links:
            cap_links = [
                href
                for rel, kind, href in links
                if rel == "alternate" and not kind.startswith("text/html")
            ]
        identifier = _text(entry, "identifier")
        sent = _lenient_datetime(_text(entry, "sent"))
        for href in cap_links:
            entries.setdefault(href, AtomEntry(href, identifier, sent))
    return list(entries.values())


def _lenient_datetime(text: str | None) -> datetime | None:
    """A CAP date-time in UTC, or None: an index entry's dates only help skip known alerts."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else None


# --- XML safety and document kind -------------------------------------------------------------


def _load_xml(data: bytes, source: str) -> Element:
    """Parse bytes with defusedxml, refusing HTML, DTDs and entities with a clear message."""
    head = data.removeprefix(_BOM).lstrip()[:64].lower()
    if not head:
        raise CapParseError("empty document: expected a CAP XML message", source=source)
    if head.startswith(_HTML_STARTS):
        raise CapParseError(
            "got an HTML page, not a CAP XML message (an error or login page from the feed?)",
            source=source,
        )
    try:
        # CAP 1.2 has no DTD, so any DOCTYPE is refused before an entity can be declared.
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CapParseError(
            "refused a DOCTYPE/entity declaration: CAP needs none, and they are how XML bombs "
            f"(entity expansion) and external-entity reads work ({type(exc).__name__})",
            source=source,
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        raise CapParseError(
            f"malformed XML at line {line}, column {column + 1}: {exc}", source=source
        ) from exc
    if _split_tag(root.tag)[1].lower() == "html":
        raise CapParseError("got an (X)HTML page, not a CAP XML message", source=source)
    return root


def _refusal(namespace: str, local: str, source: str, *, where: str) -> CapParseError:
    """The error that says what the document is instead of CAP 1.2."""
    if namespace == CAP_1_1_NAMESPACE:
        return CapParseError(
            f"{where}: CAP 1.1 message (namespace {CAP_1_1_NAMESPACE}) refused; streetrelief "
            "accepts only CAP 1.2 messages, which it validates against the OASIS CAP 1.2 schema",
            source=source,
        )
    if namespace == ATOM_NAMESPACE and local == "feed":
        return CapParseError(
            f"{where}: an Atom index of alerts, not a CAP message: poll its URL as a feed "
            "(`weather feeds add`) or ingest the URL",
            source=source,
        )
    return CapParseError(
        f"{where}: not a CAP 1.2 message: the root element is <{local}> in namespace "
        f"{namespace or '(none)'}, expected <alert> or <alerts> in {CAP_1_2_NAMESPACE}",
        source=source,
    )


@cache
def _cap_schema() -> xmlschema.XMLSchema:
    """The OASIS CAP 1.2 schema shipped inside the package, loaded once."""
    xsd = resources.files("streetrelief.weather").joinpath("schemas", _SCHEMA_FILE)
    with resources.as_file(xsd) as path:
        # No fallback schemas: what CAP leaves "lax" (e.g. an XML signature) stays unchecked.
        return xmlschema.XMLSchema(str(path), use_fallback=False)


def _validate(alert: Element, source: str, where: str) -> None:
    """Raise on the first way the alert breaks the CAP 1.2 schema, naming the element."""
    for error in _cap_schema().iter_errors(alert, use_location_hints=False):
        cap_ns = f"{{{CAP_1_2_NAMESPACE}}}"
        element = (error.path or "/alert").replace(cap_ns, "")
        reason = (error.reason or error.message).replace(cap_ns, "")
        raise CapParseError(
            f"{where} is not valid CAP 1.2 (OASIS CAP-v1.2.xsd) at {element}: {reason}",
            source=source,
        )


# --- elements -----------------------------------------------------------------------------


def _parse_alert(alert: Element, raw: bytes, source: str, *, where: str) -> CapAlert:
    _validate(alert, source, where)
    identifier = _required(alert, "identifier", source, where)
    where = f"{where} {identifier!r}"
    return CapAlert(
        identifier=identifier,
        sender=_required(alert, "sender", source, where),
        sent=_datetime(_required(alert, "sent", source, where), "sent", source, where),
        status=_required(alert, "status", source, where),
        msg_type=_required(alert, "msgType", source, where),
        scope=_required(alert, "scope", source, where),
        source=source,
        raw=raw,
        cap_version=CAP_1_2,
        restriction=_text(alert, "restriction"),
        addresses=_text(alert, "addresses"),
        codes=_texts(alert, "code"),
        note=_text(alert, "note"),
        references=_references(_text(alert, "references"), source, where),
        incidents=_text(alert, "incidents"),
        infos=tuple(
            _parse_info(info, source, f"{where}, info {index}")
            for index, info in enumerate(alert.iterfind(_cap("info")), start=1)
        ),
    )


def _parse_info(info: Element, source: str, where: str) -> CapInfo:
    def when(name: str) -> datetime | None:
        text = _text(info, name)
        return None if text is None else _datetime(text, name, source, where)

    return CapInfo(
        language=_text(info, "language") or DEFAULT_LANGUAGE,
        categories=_texts(info, "category"),
        event=_required(info, "event", source, where),
        urgency=_required(info, "urgency", source, where),
        severity=_required(info, "severity", source, where),
        certainty=_required(info, "certainty", source, where),
        response_types=_texts(info, "responseType"),
        audience=_text(info, "audience"),
        event_codes=_pairs(info, "eventCode"),
        effective=when("effective"),
        onset=when("onset"),
        expires=when("expires"),
        sender_name=_text(info, "senderName"),
        headline=_text(info, "headline"),
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        web=_text(info, "web"),
        contact=_text(info, "contact"),
        parameters=_pairs(info, "parameter"),
        areas=tuple(
            _parse_area(area, source, f"{where}, area {index}")
            for index, area in enumerate(info.iterfind(_cap("area")), start=1)
        ),
    )


def _parse_area(area: Element, source: str, where: str) -> CapArea:
    return CapArea(
        area_desc=_required(area, "areaDesc", source, where),
        polygons=tuple(
            _polygon(text, source, f"{where}, polygon {index}")
            for index, text in enumerate(_texts(area, "polygon"), start=1)
        ),
        circles=tuple(
            _circle(text, source, f"{where}, circle {index}")
            for index, text in enumerate(_texts(area, "circle"), start=1)
        ),
        geocodes=_pairs(area, "geocode"),
        altitude=_optional_float(_text(area, "altitude"), "altitude", source, where),
        ceiling=_optional_float(_text(area, "ceiling"), "ceiling", source, where),
    )


# --- values -------------------------------------------------------------------------------


def _polygon(text: str, source: str, where: str) -> tuple[LatLon, ...]:
    """A closed ring of (lat, lon) pairs; an unclosed ring is refused, never closed for it.

    Source: OASIS CAP 1.2 (2010), §3.2.4 polygon: whitespace-delimited ``lat,lon`` pairs, at
    least 4, and "the first and last pairs of coordinates MUST be the same". A ring that is not
    closed may be a truncated message, so guessing its last edge could widen or narrow the area.
    """
    ring = tuple(
        _point(token, source, f"{where}, point {index}")
        for index, token in enumerate(text.split(), start=1)
    )
    if len(ring) < MIN_POLYGON_PAIRS:
        raise CapParseError(
            f"{where}: a polygon needs at least {MIN_POLYGON_PAIRS} 'lat,lon' pairs "
            f"(CAP 1.2 §3.2.4), got {len(ring)}",
            source=source,
        )
    if ring[0] != ring[-1]:
        raise CapParseError(
            f"{where}: polygon is not closed: first pair {ring[0]} differs from last pair "
            f"{ring[-1]}; CAP 1.2 §3.2.4 requires them to be the same, and an open ring is "
            "refused rather than closed by guess",
            source=source,
        )
    return ring


def _circle(text: str, source: str, where: str) -> CapCircle:
    """A centre ``lat,lon`` and a radius in km after a space; a radius of 0 is a point.

    Source: OASIS CAP 1.2 (2010), §3.2.4 circle.
    """
    parts = text.split()
    if len(parts) != 2:
        raise CapParseError(
            f"{where}: circle {text!r} is not 'lat,lon radius_km' (CAP 1.2 §3.2.4)", source=source
        )
    lat, lon = _point(parts[0], source, where)
    radius_km = _float(parts[1], "circle radius", source, where)
    if radius_km < 0:
        raise CapParseError(
            f"{where}: circle radius {radius_km} km is negative (CAP 1.2 §3.2.4)", source=source
        )
    return CapCircle(lat, lon, radius_km)


def _point(token: str, source: str, where: str) -> LatLon:
    """A WGS-84 ``lat,lon`` pair in degrees, latitude first (CAP 1.2 §3.2.4, §3.3.1)."""
    numbers = token.split(",")
    if len(numbers) != 2:
        raise CapParseError(
            f"{where}: {token!r} is not a 'lat,lon' pair (CAP 1.2 §3.2.4 pairs are "
            "comma-separated, pairs separated by spaces)",
            source=source,
        )
    lat = _float(numbers[0], "latitude", source, where)
    lon = _float(numbers[1], "longitude", source, where)
    if not (-MAX_LAT <= lat <= MAX_LAT and -MAX_LON <= lon <= MAX_LON):
        raise CapParseError(
            f"{where}: ({lat}, {lon}) is outside WGS-84 latitude ±90° / longitude ±180° "
            "(CAP 1.2 §3.3.1)",
            source=source,
        )
    return (lat, lon)


def _references(text: str | None, source: str, where: str) -> tuple[CapReference, ...]:
    """Space-separated ``sender,identifier,sent`` triples (CAP 1.2 §3.2.1 references)."""
    if text is None:
        return ()
    references = []
    for token in text.split():
        parts = token.split(",")
        if len(parts) != 3:
            raise CapParseError(
                f"{where}: reference {token!r} is not 'sender,identifier,sent' (CAP 1.2 §3.2.1)",
                source=source,
            )
        sender, identifier, sent = (part.strip() for part in parts)
        references.append(
            CapReference(sender, identifier, _datetime(sent, "references", source, where))
        )
    return tuple(references)


def _datetime(text: str, element: str, source: str, where: str) -> datetime:
    """An aware datetime converted to UTC; CAP 1.2 §3.3.2 requires the offset ("-00:00" = UTC)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CapParseError(
            f"{where}: <{element}> {text!r} is not a CAP date-time (CAP 1.2 §3.3.2)",
            source=source,
        ) from exc
    if value.tzinfo is None:
        raise CapParseError(
            f"{where}: <{element}> {text!r} has no time zone offset (CAP 1.2 §3.3.2)",
            source=source,
        )
    return value.astimezone(UTC)


def _float(text: str, what: str, source: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise CapParseError(f"{where}: {what} {text!r} is not a number", source=source) from exc
    if not math.isfinite(value):
        raise CapParseError(f"{where}: {what} {text!r} is not a finite number", source=source)
    return value


def _optional_float(text: str | None, what: str, source: str, where: str) -> float | None:
    return None if text is None else _float(text, what, source, where)


def _cap(name: str) -> str:
    return f"{{{CAP_1_2_NAMESPACE}}}{name}"


def _split_tag(tag: str) -> tuple[str, str]:
    """``{namespace}local`` → (namespace, local); no namespace gives ``""``."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _text(parent: Element, name: str) -> str | None:
    """The stripped text of the first child called ``name``; empty counts as missing."""
    child = parent.find(_cap(name))
    if child is None:
        return None
    return (child.text or "").strip() or None


def _texts(parent: Element, name: str) -> tuple[str, ...]:
    return tuple(
        text for child in parent.iterfind(_cap(name)) if (text := (child.text or "").strip())
    )


def _required(parent: Element, name: str, source: str, where: str) -> str:
    text = _text(parent, name)
    if text is None:
        raise CapParseError(
            f"{where}: missing required <{name}> (OASIS CAP 1.2, 2010, §3.2)", source=source
        )
    return text


def _pairs(parent: Element, name: str) -> tuple[ValuePair, ...]:
    """``valueName``/``value`` children of each ``name`` element, stripped."""
    return tuple(
        (_text(child, "valueName") or "", _text(child, "value") or "")
        for child in parent.iterfind(_cap(name))
    )
