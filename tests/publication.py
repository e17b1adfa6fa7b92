"""A document printed the way a publication is printed: tab-separated text with HTML fragments.

:func:`write_publication` is the inverse of ``piadiff.importers.tsv`` as far as the printed form
allows. It copies the conventions of the converter that made the two published 重点項目評価書 in
``tests/data/seeds`` (001 川崎市, 003 北九州市), and prints a 全項目評価書 the same general way where
the seeds have no counterpart (Ⅱ/Ⅲ of several files, 別添 事務の内容, the 全項目-only items):

- the title line ``特定個人情報保護評価書(…評価書)``; the cover: ``評価書番号⇥評価書名`` over its
  values, then each further cover item as a label line and its value on the lines below; the
  list of contents (項目一覧) naming every section, 別添 and the annex;
- each section heading (``Ⅲ リスク対策 ※(7. ②を除く。)``) on its own line, then the form's rows
  ``label⇥value``; every item of the catalog is printed, a blank one with an empty cell, as the
  form prints them; ``※`` after the label where a 重要な変更 item starts;
- a numbered heading (``1. 特定個人情報ファイルを取り扱う事務⇥``) on its own row; a heading whose
  one value has its own name (``3. 特定個人情報ファイル名``, ``7. 備考``) with the value alone on the
  next row, as are the long ``…におけるその他のリスク及びそのリスクに対する措置``;
- a sub-heading that is not numbered ``N.`` (``④使用の主体``, ``再委託``, ``②保管期間``) in the first
  cell of its first item's row, its further items on rows that start with an empty cell;
- text: one line as it is; several lines as ``<p>…</p> <p>…</p>`` on one row;
- choice: ``[選んだ値] <選択肢> 1) … 2) …`` (``[] <選択肢> …`` when none is chosen);
- checkbox: ``[<input type="checkbox" checked="checked"/>] 選択肢`` / ``[<input type="checkbox"/>]
  選択肢``, an option with a free text followed by ``(その他の内容)``;
- count: ``(4) 件`` after the choice it counts (委託の有無), or after the option it counts
  (提供を行っている (2) 件 / 移転を行っている () 件);
- dates in 和暦 (令和7年1月16日; 平成29年7月 where only the month is known);
- repeating groups: ``システム1⇥`` (or ``委託事項1⇥名称`` where the entry's name is its own item),
  entry 1 printed always (blank if there is none), then the form's block headings
  ``システム2～5⇥`` … ``システム16～20⇥`` each followed by the entries it holds;
- a file of Ⅱ/Ⅲ after the first starts again at ``1. 特定個人情報ファイル名`` (the form prints no
  heading of its own for it);
- a 別添 that is one text (``(別添1) 特定個人情報ファイル記録項目``): its heading, then the text
  line by line, as paragraphs of their own;
- the annex: ``(別添N) 変更箇所``, the header row ``変更日⇥項目⇥変更前の記載⇥変更後の記載⇥提出時期⇥
  提出時期に係る説明``, one row per annex row, a cell of several lines as ``<p>`` paragraphs.

Annex rows are dicts with the keys of an imported row (``date_text``, ``item``, ``before``,
``after``, ``timing``, ``explanation``); the JSON of ``piadiff changes`` and the printed header
names (変更日, 項目, …) are accepted too.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable

from piadiff.catalog import ENTRY_NUMBER, Catalog, Item, fold
from piadiff.document import COVER_KEY, normalize
from piadiff.wareki import parse_date, to_wareki

TICKED = '[<input type="checkbox" checked="checked"/>]'
UNTICKED = '[<input type="checkbox"/>]'
CHOICES = "<選択肢>"
ANNEX_HEADER = ("変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明")
ANNEX_KEYS = ("date_text", "item", "before", "after", "timing", "explanation")
#: other names of the annex row keys (the printed headers; ``piadiff changes --format json``)
_ROW_ALIASES = {**dict(zip(ANNEX_HEADER, ANNEX_KEYS)), "date": "date_text", "timing_text": "timing"}
#: the form's blocks of entries after the first: システム2～5, システム6～10, …
_BLOCKS = ((2, 5), (6, 10), (11, 15), (16, 20))
#: the headings the form prints among the boxes of 主な記録項目 (001, 003), before the option of each index
_BOX_HEADINGS = {"主な記録項目": {0: "・識別情報", 3: "・連絡先等情報", 6: "・業務関係情報"}}
#: what the 全項目評価書 prints under Ⅲ-4's heading: five risks that share one set of items (000)
_SHARED_RISKS = {
    "4. 特定個人情報ファイルの取扱いの委託": (
        "委託先による特定個人情報の不正入手・不正な使用に関するリスク", "委託先による特定個人情報の不正な提供に関するリスク",
        "委託先による特定個人情報の保管・消去に関するリスク", "委託契約終了後の不正な使用等のリスク", "再委託に関するリスク"),
}
#: checkboxes the form prints beside a section's heading
_HEADING_BOXES = ("委託しない", "接続しない", "提供・移転しない")
_OWNER = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$")
_SPLIT_NUMBER = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\s|\(別添\d+\)\s?|\d+\.\s?|[①-⑳]|リスク\d*[:：]\s?)")


# --- values ----------------------------------------------------------------------------------

def text_cell(text: str) -> str:
    """A text value as the converter prints it in a cell: one line as is, several as <p> paragraphs."""
    lines = str(text).split("\n")
    if len(lines) == 1:
        return lines[0]
    return " ".join(f"<p>{line}</p>" for line in lines)


def date_text(value: str) -> str:
    """An ISO date (or month) of a document in 和暦, as the form prints it."""
    value = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return to_wareki(parse_date(value))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        day = to_wareki(parse_date(f"{value}-01"))
        return re.sub(r"\d+日$", "", day) if int(m.group(2)) else value
    return value  # 「-」 as written


def choice_cell(item: Item, value: str | None, counts: Iterable[int | None] = ()) -> str:
    options = " ".join(f"{i}) {o}" for i, o in enumerate(item.options, start=1))
    cell = f"[{value or ''}] {CHOICES} {options}"
    for n in counts:
        cell += f" ({'' if n is None else n}) 件"
    return cell


def checkbox_cell(item: Item, value: list | None, counts: list[int | None] | None = None) -> str:
    ticked: dict[str, str] = {}
    for v in value or []:
        if isinstance(v, dict):
            (name, detail), = v.items()
            ticked[name] = detail or ""
        else:
            ticked[str(v)] = ""
    shown = list(item.options)
    for name in ticked:  # an option ticked in another edition's wording is printed in its place
        if name not in shown:
            near = difflib.get_close_matches(name, [o for o in shown if o in item.options], n=1, cutoff=0.0)
            shown[shown.index(near[0]) if near else len(shown) - 1] = name
    counts = list(counts or [])
    headings = _BOX_HEADINGS.get(item.key, {})
    parts = []
    for k, option in enumerate(shown):
        part = f"{TICKED if option in ticked else UNTICKED} {option}"
        if k in headings:
            part = f"{headings[k]} {part}"
        if option in item.detail:
            part += f" ({ticked.get(option, '')})"
        if k < len(counts):
            part += f" ({'' if counts[k] is None else counts[k]}) 件"
        parts.append(part)
    if headings:  # drawn as a list, as the seeds do
        return f'<ul style="list-style-type: none"> {" ".join(parts)} </ul>'
    return " ".join(parts)


# --- labels ----------------------------------------------------------------------------------

def printed_label(item: Item) -> str:
    """The label the form prints: the key, without the ( ) a key adds to tell two alike apart."""
    m = _OWNER.match(item.key)
    if m and item.parent is not None and any(
            fold(_SPLIT_NUMBER.sub("", s.key)) == fold(m.group(2)) for s in item.parent.children if s is not item):
        return m.group(1)
    return item.key


def starts_significance(item: Item) -> bool:
    return item.significant and (item.parent is None or not item.parent.significant)


def _excluded(item: Item) -> list[str]:
    """「7. ②」 for the numbered items under ``item`` that are not ※ (Ⅲ ※(7. ②を除く。))."""
    out = []

    def walk(node: Item, chain: list[Item]) -> None:
        for c in node.children:
            if not c.significant and node.significant and c.number:
                nums = [a.number for a in chain + [c] if a.number and a.number != "リスク"]
                if nums:
                    out.append(f"{nums[0]} {''.join(nums[1:])}" if nums[0].endswith(".") else "".join(nums))
            elif c.significant:
                walk(c, chain + [c])

    walk(item, [])
    return out


def heading(item: Item) -> str:
    label = printed_label(item)
    if not starts_significance(item):
        return label
    excluded = _excluded(item)
    return f"{label} ※" + (f"({'、'.join(excluded)}を除く。)" if excluded else "")


def _own_value(section: Item) -> Item | None:
    """The value a heading stands for (3. 特定個人情報ファイル名 → 特定個人情報ファイル名)."""
    for c in section.children:
        if c.kind == "text" and fold(c.key) == fold(section.label):
            return c
    return None


def _full_width(item: Item) -> bool:
    """An item the form prints across the whole row: its label, then its text on the next row."""
    return item.kind == "text" and "その他のリスク及びそのリスクに対する措置" in item.key


# --- the printer -----------------------------------------------------------------------------

class _Writer:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.out: list[str] = []

    def line(self, *cells: str) -> None:
        self.out.append("\t".join(cells))

    def blank(self) -> None:
        self.out.append("")

    # values -----------------------------------------------------------------------------------
    def value_cell(self, item: Item, data: dict) -> str:
        value = data.get(item.key)
        siblings = item.parent.children if item.parent is not None else []
        after = siblings[siblings.index(item) + 1:] if item in siblings else []
        counts: list[int | None] = []
        for c in after:  # the counts that follow the item ride on its row
            if c.kind != "count":
                break
            counts.append(data.get(c.key))
        if item.kind == "text":
            return "" if value is None else text_cell(value)
        if item.kind == "date":
            return "" if value is None else date_text(value)
        if item.kind == "choice":
            return choice_cell(item, value, counts)
        if item.kind == "checkbox":
            return checkbox_cell(item, value, counts)
        if item.kind == "count":
            return f"({'' if value is None else value}) 件"
        raise ValueError(item.kind)

    # containers -------------------------------------------------------------------------------
    def children(self, node: Item, data: dict) -> None:
        """The rows of a section's items (not its heading)."""
        for c in node.children:
            if c.kind == "count":
                continue  # printed beside the choice or box it counts
            if c.kind == "checkbox" and c.key in _HEADING_BOXES:
                continue  # printed beside the heading
            self.item(c, data)

    def item(self, item: Item, data: dict) -> None:
        if item.is_group:
            self.group(item, data.get(item.key) or [])
        elif item.kind == "section":
            self.section(item, data.get(item.key) or {})
        elif _full_width(item) or (item.parent is not None and _own_value(item.parent) is item):
            if _full_width(item):  # the label across the row; for 3. ファイル名 the heading is the label
                self.line(heading(item), "")
            if data.get(item.key) is not None:
                self.line(self.value_cell(item, data), "")
        else:
            self.line(heading(item), self.value_cell(item, data))

    def section(self, item: Item, data: dict) -> None:
        if item.number.endswith(".") or item.number.startswith("リスク"):
            self.numbered(item, data)
        else:
            self.inline(item, data)

    def numbered(self, item: Item, data: dict) -> None:
        """A heading row of its own (1. …, リスク1: …), then its items."""
        boxes = [c for c in item.children if c.kind == "checkbox" and c.key in _HEADING_BOXES]
        if item.number.endswith("."):
            self.blank()
        if boxes and boxes[0].key == "委託しない":  # 「4. …の委託 [] 委託しない」 in one cell (001, 003)
            self.line(f"{heading(item)} {self.value_cell(boxes[0], data)}")
        elif boxes:  # 「6. …との接続⇥⇥[] 接続しない(入手)⇥[] 接続しない(提供)」 (003)
            cell = self.value_cell(boxes[0], data)
            self.line(heading(item), "", *re.split(r" (?=\[<input)", cell))
        else:
            self.line(heading(item), "")
        if boxes and not any(c.number.startswith("リスク") for c in item.children):
            for risk in _SHARED_RISKS.get(item.key, ()):  # the 全項目評価書's Ⅲ-4, which has no risk headings
                self.line(risk)
        self.children(item, data)

    def inline(self, item: Item, data: dict) -> None:
        """④使用の主体⇥使用部署⇥…, then ⇥使用者数⇥… (and 再委託, ②保管期間)."""
        first = True
        for c in item.children:
            if c.kind == "count":
                continue
            if c.kind == "section":
                self.section(c, data.get(c.key) or {})
                continue
            cell = self.value_cell(c, data)
            self.line(heading(item) if first else "", heading(c), cell)
            first = False

    def group(self, group: Item, entries: list[dict]) -> None:
        by_number = {e[ENTRY_NUMBER]: e for e in entries}
        self.entry(group, 1, by_number.get(1, {}))
        for start, end in _BLOCKS:
            self.line(self.title(group, f"{start}～{end}"), "")
            for n in range(start, end + 1):
                if n in by_number:
                    self.entry(group, n, by_number[n])
        beyond = sorted(n for n in by_number if n > _BLOCKS[-1][1])
        for n in beyond:
            self.entry(group, n, by_number[n])

    @staticmethod
    def title(group: Item, number: str) -> str:
        return group.title.replace("{番号}", number) if group.title else f"{group.key}{number}"

    def entry(self, group: Item, number: int, entry: dict) -> None:
        ident = group.child(group.identity)
        named = ident is not None and ident.kind == "text" and not ident.number  # 委託事項1⇥名称
        self.line(self.title(group, str(number)), text_cell(entry.get(ident.key, "")) if named else "")
        for c in group.children:
            if named and c is ident:
                continue
            if c.kind == "count" or (c.kind == "checkbox" and c.key in _HEADING_BOXES):
                continue
            self.item(c, entry)

    # the whole --------------------------------------------------------------------------------
    def root_group(self, item: Item, entries: list[dict]) -> None:
        """Ⅱ / Ⅲ: the section heading once; each file from its 1. 特定個人情報ファイル名."""
        self.root_heading(item)
        for k, entry in enumerate(entries or [{}]):
            for c in item.children:
                if c.is_value and c.key == item.identity:
                    if k:
                        self.blank()
                    self.line(heading(c), "")
                    if entry.get(c.key) is not None:
                        self.line(self.value_cell(c, entry), "")
                    continue
                if c.kind == "count" or (c.kind == "checkbox" and c.key in _HEADING_BOXES):
                    continue
                self.item(c, entry)

    def root_heading(self, item: Item) -> None:
        self.blank()
        self.line(heading(item))
        self.blank()

    def annex_value(self, item: Item, value: str | None) -> None:
        self.root_heading(item)
        for text_line in (value or "").split("\n"):
            self.out.append(text_line)

    def cover(self, cover: dict) -> None:
        items = self.catalog.cover.children
        self.blank()
        self.blank()
        self.line(self.catalog.title)
        self.blank()
        head = [c for c in items if c.key in ("評価書番号", "評価書名")]
        self.line(*(c.key for c in head))
        self.line(*(str(cover.get(c.key, "")) for c in head))
        for c in items:
            if c in head:
                continue
            self.blank()
            self.line(c.key)
            self.blank()
            value = cover.get(c.key)
            if value is not None:
                text = date_text(value) if c.kind == "date" else str(value)
                for text_line in text.split("\n"):
                    self.out.append(text_line)
        self.blank()

    def contents(self, annex_heading: str) -> None:
        self.line("項目一覧")
        self.blank()
        for c in self.catalog.root.children:
            self.line(c.key)
        self.line(annex_heading)
        self.blank()

    def annex(self, annex_heading: str, rows: list[dict]) -> None:
        self.blank()
        self.line(annex_heading)
        self.blank()
        self.line(*ANNEX_HEADER)
        for row in rows:
            r = {_ROW_ALIASES.get(k, k): v for k, v in row.items()}
            self.line(*(text_cell(str(r.get(k) or "")) for k in ANNEX_KEYS))


def annex_heading(catalog: Catalog) -> str:
    numbers = [int(m.group(1)) for c in catalog.root.children if (m := re.match(r"\(別添(\d+)\)", c.key))]
    return f"(別添{max(numbers, default=0) + 1}) 変更箇所"


def write_publication(document_data: dict, annex_rows: list[dict] | None = None) -> str:
    """The publication of a document (and its annex rows) as tab-separated text with HTML fragments."""
    doc = normalize(document_data, source="<write_publication>")
    catalog = doc.catalog
    data = doc.data
    w = _Writer(catalog)
    w.cover(data.get(COVER_KEY, {}))
    heading_of_annex = annex_heading(catalog)
    w.contents(heading_of_annex)
    for item in catalog.root.children:
        if item.is_group:
            w.root_group(item, data.get(item.key) or [])
        elif item.kind == "section":
            w.root_heading(item)
            w.children(item, data.get(item.key) or {})
        else:
            w.annex_value(item, data.get(item.key))
    w.annex(heading_of_annex, annex_rows or [])
    return "\n".join(w.out) + "\n"


# --- the example publication shipped for users -------------------------------------------------

EXAMPLE_ID = "12-kakuu-kodomo-iryo"
EXAMPLE_OUT = "piadiff/examples/publication/公表版.txt"


def example_annex_rows(assessment_id: str = EXAMPLE_ID) -> list[dict]:
    """The annex of the latest example version: every version recorded in a temporary store, the
    rows of each batch (what ``piadiff changes ID vN-1 vN`` shows for each), oldest first."""
    import tempfile
    from pathlib import Path

    from piadiff.annex import cumulative_annex
    from piadiff.examples import example_versions
    from piadiff.settings import Settings
    from piadiff.store import init_store

    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "store")
        try:
            for v in example_versions(assessment_id):
                store.record(v.document(), assessment_id=assessment_id, change_date=v.date, message=v.message, author=v.author)
            batches = cumulative_annex(store, assessment_id, Settings())
        finally:
            store.close()
    return [dict(zip(ANNEX_KEYS, row.cells())) for batch in batches for row in batch.rows]


def example_publication(assessment_id: str = EXAMPLE_ID) -> str:
    """The publication of the latest version of an example, with its whole annex."""
    from importlib import resources

    import yaml

    from piadiff.examples import example_versions

    latest = example_versions(assessment_id)[-1]
    ref = resources.files("piadiff") / "examples" / assessment_id / latest.file
    return write_publication(yaml.safe_load(ref.read_text(encoding="utf-8")), example_annex_rows(assessment_id))


if __name__ == "__main__":  # python tests/publication.py: write the example publication again
    from pathlib import Path

    out = Path(__file__).parent.parent / EXAMPLE_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(example_publication(), encoding="utf-8", newline="\n")
    print(out)
