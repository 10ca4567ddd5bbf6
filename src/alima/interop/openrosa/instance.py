"""Reading a submitted form instance (pure: no database, no HTTP).

An instance is the XForm's ``<data id="..." version="...">`` filled in; its ``meta`` holds the
``instanceID`` (``uuid:...``). Fields are read by their local names (groups flattened), as
strings: the mapping to a service's schema validates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from alima.core.errors import BadRequest
from alima.interop.openrosa.errors import OpenRosaError

#: OpenRosa instance IDs are ``scheme:value`` of at most 249 characters.
INSTANCE_ID_LENGTH = 249


@dataclass(frozen=True)
class Instance:
    """What a submitted XML says: which form, which instance, which values."""

    form_id: str | None
    version: str | None
    instance_id: str | None
    fields: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _leaves(element: Element, into: dict[str, str]) -> None:
    for child in element:
        name = _local(child.tag)
        if name == "meta":
            continue
        if len(child):
            _leaves(child, into)
        else:
            into[name] = (child.text or "").strip()


def _instance_id(root: Element) -> str | None:
    for meta in root:
        if _local(meta.tag) == "meta":
            for item in meta:
                if _local(item.tag) == "instanceID" and item.text and item.text.strip():
                    return item.text.strip()
    return None


def peek(xml: bytes) -> Instance:
    """Read the form and instance IDs (``None`` where absent); raise on XML that is not well-formed."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadRequest(OpenRosaError.ODK_002, error=str(exc)[:200]) from exc
    instance_id = _instance_id(root)
    fields: dict[str, str] = {}
    _leaves(root, fields)
    return Instance(
        form_id=root.get("id"),
        version=root.get("version"),
        instance_id=instance_id if instance_id and len(instance_id) <= INSTANCE_ID_LENGTH else None,
        fields=fields,
    )
