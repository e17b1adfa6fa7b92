"""piadiff: version control and 変更箇所 annexes for 特定個人情報保護評価書.

The way data travels, one module per stage::

    load (file → data) → document (catalog check, canonical form) → canonical (bytes, hash)
    → store (git) → …

Typical use from Python::

    from piadiff import Store, load_document
    store = Store("store")
    store.record(load_document("評価書.yaml"), message="委託先の変更")
    rev = store.revision("19", "latest")
"""

from .catalog import Catalog, Item, load_catalog
from .document import Document, load_document, normalize
from .errors import PiadiffError, ValidationError
from .store import Revision, Store, init_store

__all__ = [
    "Catalog", "Item", "load_catalog", "Document", "load_document", "normalize",
    "PiadiffError", "ValidationError", "Revision", "Store", "init_store",
]
