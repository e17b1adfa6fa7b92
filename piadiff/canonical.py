"""The one byte form of a document, and the hash that names its content.

Bytes: UTF-8 with Japanese as written (no \\u escapes), two-space indentation so that ``git diff``
between two stored versions reads item by item, keys in catalog order, LF line ends, a final
newline. The hash is SHA-256 over the RFC 8785 (JCS) serialisation, which does not depend on key
order or indentation.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(data: dict[str, Any]) -> bytes:
    """Serialise already-normalised document data (see :func:`piadiff.document.normalize`)."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def content_hash(data: dict[str, Any]) -> str:
    """``sha256:<hex>`` of the JCS form of the data."""
    import rfc8785

    return "sha256:" + hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def canonical_yaml(data: dict[str, Any]) -> str:
    """The same document as YAML, for people: multi-line texts as ``|`` blocks, keys in catalog order.

    Loading it back gives the same canonical document.
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        if "\n" in value:
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
        return dumper.represent_scalar("tag:yaml.org,2002:str", value)

    Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100000, indent=2)
