"""A Label Studio labeling config (the project's XML), read for what the importer needs.

Control tags name the results an export holds: ``<Labels name="label"
toName="text">`` gives span results ``from_name: label``, ``<Choices
name="genre">`` classification results, ``<Relations>`` relation labels; the
object tag they point at (``<Text name="text" value="$ner"/>``) says under which
``data`` key the text is. With the config given, result names are known, not
guessed: a JSON-MIN key is a control or a data field, never both.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..utf8 import NotUtf8, read_utf8

__all__ = ["PER_REGION", "LabelConfig", "LabelConfigError", "read_label_config"]

#: The tag prefix of a control declared ``perRegion="true"`` (``perregion:choices``).
PER_REGION = "perregion:"

_TEXT_OBJECTS = {"text", "hypertext", "paragraphs"}


class LabelConfigError(ValueError):
    """A labeling config that cannot be used."""


@dataclass(frozen=True)
class LabelConfig:
    #: control name -> its tag in lower case (``labels``, ``choices``, ``textarea``, ...),
    #: which is also the ``type`` of its results
    controls: dict[str, str] = field(default_factory=dict)
    #: the data key of the text the span controls label (``$ner`` -> ``ner``)
    text_key: str | None = None


def read_label_config(path: Path) -> LabelConfig:
    try:
        root = ET.fromstring(read_utf8(path))
    except (ET.ParseError, NotUtf8) as exc:
        raise LabelConfigError(f"{path.name}: not a readable labeling config ({exc})") from None
    objects: dict[str, str] = {}
    controls: dict[str, str] = {}
    targets: list[str] = []
    for el in root.iter():
        tag = el.tag.lower()
        name = el.get("name")
        if name is None:
            continue
        if tag in _TEXT_OBJECTS and (el.get("value") or "").startswith("$"):
            objects[name] = el.get("value", "")[1:]
        elif el.get("toName") is not None:
            # A perRegion control labels a span, not the text: JSON-MIN writes its single
            # choice as a bare string, like a document choice, so only the config tells.
            per_region = (el.get("perRegion") or "").lower() == "true"
            controls[name] = f"{PER_REGION}{tag}" if per_region else tag
            if tag == "labels":
                targets.extend(t.strip() for t in el.get("toName", "").split(","))
    keys = {objects[t] for t in targets if t in objects}
    if len(keys) > 1:
        raise LabelConfigError(
            f"{path.name}: span controls label several texts ({sorted(keys)}); one text per task is read"
        )
    text_key = next(iter(keys), None)
    if text_key is None and len(set(objects.values())) == 1:
        text_key = next(iter(objects.values()))
    return LabelConfig(controls=controls, text_key=text_key)
