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

#: the release (pyproject.toml's, checked by a test); keys the cache of parsed data files, read
#: here because importlib.metadata costs more than the whole of `piadiff --help`
__version__ = "0.1.0"

# the public names load their modules on first use, so that `piadiff --help` starts fast
_EXPORTS = {
    "Catalog": "catalog", "Item": "catalog", "load_catalog": "catalog",
    "Document": "document", "load_document": "document", "normalize": "document",
    "PiadiffError": "errors", "ValidationError": "errors",
    "Revision": "store", "Store": "store", "init_store": "store",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
