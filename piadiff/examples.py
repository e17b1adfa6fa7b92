"""Example assessments shipped with piadiff, each a few versions of one fictional document."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from .document import Document, normalize
from .load import parse_text


@dataclass(frozen=True)
class ExampleVersion:
    assessment_id: str
    file: str
    date: str
    author: str
    message: str

    def document(self) -> Document:
        ref = resources.files("piadiff") / "examples" / self.assessment_id / self.file
        source = f"examples/{self.assessment_id}/{self.file}"
        return normalize(parse_text(ref.read_text(encoding="utf-8"), source, "yaml"), source)


def example_ids() -> list[str]:
    base = resources.files("piadiff") / "examples"
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / "versions.yaml").is_file())


def example_versions(assessment_id: str) -> list[ExampleVersion]:
    """The versions of one example, oldest first, from its versions.yaml."""
    import yaml

    ref = resources.files("piadiff") / "examples" / assessment_id / "versions.yaml"
    entries = yaml.safe_load(ref.read_text(encoding="utf-8"))
    return [
        ExampleVersion(assessment_id, e["file"], str(e["date"]), str(e["author"]), str(e["message"]))
        for e in entries
    ]


def record_examples(store) -> list[tuple[str, int]]:
    """Record every example into ``store`` unless it is there already; (id, versions recorded)."""
    done = []
    existing = set(store.assessment_ids())
    for aid in example_ids():
        if aid in existing:
            done.append((aid, 0))
            continue
        versions = example_versions(aid)
        for v in versions:
            store.record(v.document(), assessment_id=aid, change_date=v.date, message=v.message, author=v.author)
        done.append((aid, len(versions)))
    return done


#: the example publication `piadiff demo` puts in the current folder, for trying `piadiff import`
PUBLICATION_NAME = "公表版.txt"


def example_publication() -> bytes:
    """The example publication: the 重点項目評価書 example's latest version as a body publishes it
    (tab-separated text with HTML fragments), with its (別添) 変更箇所."""
    return (resources.files("piadiff") / "examples" / "publication" / PUBLICATION_NAME).read_bytes()
