"""The data files shipped with piadiff (catalogs, rules), parsed once and kept as JSON.

Parsing the YAML catalogs and rules costs tens of milliseconds on every run, and importing
PyYAML more. :func:`load_data_file` keeps the parsed result in the user's cache directory
(``$XDG_CACHE_HOME/piadiff``, else ``~/.cache/piadiff``), keyed by the SHA-256 of the file and
piadiff's version, and reads it back with :mod:`json` when the file has not changed.

The cache is only a shortcut. Its contents are treated as untrusted: JSON holds plain data only
(never code, unlike pickle), a file is used only when it is ours and nobody else can write it,
when it names the same source hash and version, and when its data matches the digest it carries.
Anything else (no home, read-only disk, a corrupt or foreign file) falls back, silently, to
parsing the YAML.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from . import __version__

#: bump when the layout of a cache file changes
FORMAT = 1
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def cache_dir() -> str | None:
    """Where parsed data files are kept; None when there is no home to put them in."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        home = os.path.expanduser("~")
        if home == "~" or not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "piadiff")


def data_path(relative_path: str) -> str:
    """The file of the package named by ``relative_path`` (``catalogs/juten.yaml``)."""
    parts = relative_path.split("/")
    if relative_path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a data file of piadiff: {relative_path!r}")
    return os.path.join(_PACKAGE_DIR, *parts)


def load_data_file(relative_path: str) -> Any:
    """The parsed content of one of piadiff's YAML data files (path relative to the package).

    Read from the cache when it holds this exact file (same SHA-256, same piadiff version);
    otherwise parsed and, when the result is plain JSON data, stored for the next run.
    """
    with open(data_path(relative_path), "rb") as f:
        source = f.read()
    digest = hashlib.sha256(source).hexdigest()
    directory = cache_dir()
    name = _cache_name(relative_path, digest)
    if directory is not None and _private_dir(directory):
        cached = _read_cache(os.path.join(directory, name), relative_path, digest)
        if cached is not None:
            return cached[0]
    data = parse_yaml(source)
    if directory is not None:
        _write_cache(directory, name, relative_path, digest, data)
    return data


def parse_yaml(source: bytes) -> Any:
    """YAML to data with the safe loader (libyaml's when PyYAML has it: the same result, faster)."""
    import yaml

    return yaml.load(source.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _cache_name(relative_path: str, digest: str) -> str:
    return f"{relative_path.replace('/', '__')}.{digest[:16]}.json"


def _header(relative_path: str, digest: str, body: bytes) -> dict[str, Any]:
    return {"format": FORMAT, "piadiff": __version__, "source": relative_path, "source_sha256": digest,
            "data_sha256": hashlib.sha256(body).hexdigest()}


def _private_dir(directory: str) -> bool:
    """True when ``directory`` is a directory of ours that nobody else can write into."""
    try:
        st = os.stat(directory)
    except OSError:
        return False
    return _private(st) and os.path.isdir(directory)


def _private(st: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):  # Windows: the profile directory is the user's own
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read_cache(path: str, relative_path: str, digest: str) -> tuple[Any] | None:
    """(data,) from a cache file that passes every check, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            if not _private(os.fstat(f.fileno())):
                return None
            head, sep, body = f.read().partition(b"\n")
        if not sep or json.loads(head) != _header(relative_path, digest, body):
            return None
        return (json.loads(body),)
    except (OSError, ValueError):  # unreadable, not UTF-8, not JSON: parse the YAML instead
        return None


def _write_cache(directory: str, name: str, relative_path: str, digest: str, data: Any) -> None:
    """Store ``data`` when JSON gives it back unchanged (plain strings, numbers, lists, mappings)."""
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        if json.loads(body) != data:  # e.g. a date, or a number as a key: leave it to the YAML
            return
    except (TypeError, ValueError):
        return
    content = json.dumps(_header(relative_path, digest, body)).encode("ascii") + b"\n" + body
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _private_dir(directory):
            return
        path = os.path.join(directory, name)
        temp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(temp, path)  # readers see the old file or the whole new one, never a part
        except BaseException:
            _remove(temp)
            raise
        # earlier versions of the same file are of no more use
        stem = f"{relative_path.replace('/', '__')}."
        for other in os.listdir(directory):
            if other.startswith(stem) and other.endswith(".json") and other != name:
                _remove(os.path.join(directory, other))
    except OSError:
        return


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
