"""The pdftotext importer: a published 全項目評価書 as pdftotext wrote it, to a piadiff document.

The seed 000 (川崎市 母子保健, 令和7年1月20日) is the reference: every value pinned here was checked
by hand against the seed's text. Values the layout does not tie to one item must stay out of the
document and be listed in ``unplaced``; a few of those are pinned too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from conftest import shared

from piadiff.catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Item, load_catalog
from piadiff.document import normalize
from piadiff.errors import InputError
from piadiff.importers import import_text
from piadiff.importers.pdftext import parse_pdf_text

SEED = "seeds/000_e7ab5a5bb9cf9333.txt"
I1 = "1. 特定個人情報ファイルを取り扱う事務"
I2 = "2. 特定個人情報ファイルを取り扱う事務において使用するシステム"
II = "Ⅱ 特定個人情報ファイルの概要"
III = "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return shared(SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse_pdf_text(seed_text, "000.txt")


@pytest.fixture(scope="module")
def doc(seed):
    return normalize(seed.data, "000.txt")


def filled(node: Item, data: dict) -> int:
    """How many catalog value items hold a value (each group entry counted on its own)."""
    n = 0
    for key, value in data.items():
        if key in (ENTRY_NUMBER, ENTRY_IDENTITY):
            continue
        item = node.child(key)
        if item.is_value:
            n += 1
        elif item.is_group:
            n += sum(filled(item, e) for e in value)
        else:
            n += filled(item, value)
    return n


def leaves(data):
    if isinstance(data, dict):
        for v in data.values():
            yield from leaves(v)
    elif isinstance(data, list):
        for v in data:
            yield from leaves(v)
    else:
        yield str(data)


# --- seed 000 ---------------------------------------------------------------------------------

def test_seed_is_read_as_a_valid_zenkomoku_document(seed, doc):
    assert seed.kind == "全項目評価書" and seed.format == "pdftext"
    assert doc.kind == "全項目評価書"
    assert seed.legacy_rows == []
    assert list(doc.data) == ["様式", "表紙", "Ⅰ 基本情報", "(別添1) 事務の内容", II, "(別添2) 特定個人情報ファイル記録項目",
                              III, "Ⅳ その他のリスク対策", "Ⅴ 開示請求、問合せ", "Ⅵ 評価実施手続"]


def test_cover(seed, doc):
    cover = doc.cover
    assert cover["評価書番号"] == "26"
    assert cover["評価書名"] == "母子保健法による保健指導、健康診査、母子健康手帳の交付等に関する事務\u3000全項目評価書"
    # printed so on the cover (not just 川崎市長): the wording is kept
    assert cover["評価実施機関名"] == "神奈川県川崎市長"
    assert seed.data["表紙"]["公表日"] == "令和7年1月20日"  # as written; piadiff reads the 和暦
    assert doc.published == dt.date(2025, 1, 20)
    assert cover["個人のプライバシー等の権利利益の保護の宣言"] == (
        "川崎市は、母子保健法による保健指導、健康診査、母子健康手帳の交付等に関する事務における特定個人情報ファイル"
        "の取扱いにあたり、特定個人情報ファイルの取扱いが個人のプライバシー等の権利利益に影響を及ぼしかねないことを"
        "認識し、特定個人情報の漏えいその他の事態を発生させるリスクを軽減させるために適切な措置を講じ、もって個人の"
        "プライバシー等の権利利益の保護に取り組んでいることを宣言する。"
    )
    assert "特記事項" not in cover and "個人情報保護委員会承認日【行政機関等のみ】" not in cover  # blank on the cover


def test_section_1(doc):
    s = doc.data["Ⅰ 基本情報"]
    assert s[I1]["①事務の名称"] == "母子保健法による保健指導、健康診査、母子健康手帳の交付等に関する事務"
    assert s[I1]["③対象人数"] == "10万人以上30万人未満"
    content = s[I1]["②事務の内容"]
    assert content.startswith("\u3000母子保健法は、母性並びに乳児及び幼児の健康の保持及び増進を図るため、母子保健に関する原理を明らかに")
    assert "（以下「番号法」という。）に基づき特定個人情報ファイルを使用して実施する事務は次のとおりである\n\n１\u3000母子健康手帳の交付に関する事務\n" in content
    assert content.endswith("４\u3000母子健康包括支援センターの事業の実施に関する事務\n\u3000母子保健法第二十二条第２項第一号から五号で定める事務")
    systems = s[I2]["システム"]
    assert [(e[ENTRY_NUMBER], e["①システムの名称"]) for e in systems] == [
        (1, "母子保健情報管理システム"), (2, "システム連携基盤"), (3, "中間サーバー"),
        (4, "サービス検索・電子申請機能"), (5, "申請管理システム"),
    ]
    assert systems[3]["②システムの機能"] == (
        "・【住民向け機能】自らが受けることができるサービスをオンラインで検索及び申請ができる機能\n"
        "・【地方公共団体向け機能】住民が電子申請を行った際の申請データ取得画面又は機能を、地方公共団体に公開する機能"
    )
    assert systems[0]["②システムの機能"].startswith("１\u3000妊娠・出生管理機能\n\u3000\u3000妊娠届出や出生連絡票等の管理を行う機能。\n２")
    assert all("③他のシステムとの接続" not in e for e in systems)  # brackets and ticks drawn apart
    assert s["3. 特定個人情報ファイル名"] == {"特定個人情報ファイル名": "母子保健情報ファイル"}
    assert s["5. 個人番号の利用"]["法令上の根拠"] == (
        "・番号法第９条第１項\u3000別表の７０の項\n・川崎市行政手続における特定の個人を識別するための番号の利用等に関する条例第３条"
    )
    six = s["6. 情報提供ネットワークシステムによる情報連携"]
    assert six["①実施の有無"] == "実施する"
    assert six["②法令上の根拠"] == (
        "【情報照会】\n番号法第19条第８号に基づく主務省令第２条の表９５の項\n"
        "【情報提供】\n番号法第19条第８号に基づく主務省令第２条の表８０の項、９５の項"
    )
    assert s["7. 評価実施機関における担当部署"] == {"①部署": "こども未来局児童家庭支援・虐待対策室母子保健担当",
                                                  "②所属長の役職名": "母子保健担当課長"}
    assert s["8. 他の評価実施機関"] == {"他の評価実施機関": "－"}
    assert s["4. 特定個人情報ファイルを取り扱う理由"]["①事務実施上の必要性"].count("\n") == 3


def test_section_2(seed, doc):
    (f,) = doc.data[II]
    assert f[ENTRY_NUMBER] == 1 and f["1. 特定個人情報ファイル名"] == "母子保健情報ファイル"
    basic = f["2. 基本情報"]
    assert basic["①ファイルの種類"] == "システム用ファイル"
    assert basic["②対象となる本人の数"] == "10万人以上100万人未満"
    assert basic["③対象となる本人の範囲"] == "市内在住の妊産婦及び乳幼児"
    assert basic["その必要性"] == ("母子保健法による保健指導に関する事務の適正な実施及び、母子の状態・記録を把握する"
                                "ことで適切な支援及びサポートを実施するため")
    assert basic["④記録される項目"] == "100項目以上"
    assert basic["その妥当性"].startswith("○識別情報\n・個人番号：") and basic["その妥当性"].endswith("・申請者の本人確認のために保有する。")
    assert basic["全ての記録項目"] == "別添２を参照。"
    assert seed.data[II][0]["2. 基本情報"]["⑤保有開始日"] == "平成２８年１月"
    assert basic["⑤保有開始日"] == "2016-01"
    assert basic["⑥事務担当部署"] == "こども未来局児童家庭支援・虐待対策室母子保健担当"
    use = f["3. 特定個人情報の入手・使用"]
    assert use["⑥使用目的"] == ("母子保健法による保健指導、健康診査、母子健康手帳の交付等に関する事務の適正な実施及び、"
                             "母子の状態・記録を把握することで適切な支援及びサポートを実施するために使用する。")
    assert use["変更の妥当性"] == "-"
    assert use["⑦使用の主体"] == {"使用部署": "こども未来局児童家庭支援・虐待対策室、各区役所地域支援課、各地区健康福祉ステーション",
                              "使用者数": "100人以上500人未満"}
    assert use["情報の突合"] == "連絡先等の４情報と住民票関係情報を突合し、対象者の確認を行う。"
    assert use["⑨使用開始日"] == "2016-01-01"
    entrust = f["4. 特定個人情報ファイルの取扱いの委託"]
    assert entrust["委託の有無"] == "委託する"
    # 委託事項2's name is printed apart from its heading: it cannot be told, so it is left out whole
    assert [(e[ENTRY_NUMBER], e["名称"]) for e in entrust["委託事項"]] == [(1, "母子保健情報管理システムの運用・保守")]
    first = entrust["委託事項"][0]
    assert first["②取扱いを委託する特定個人情報ファイルの範囲"] == "特定個人情報ファイルの全体"
    assert first["対象となる本人の数"] == "10万人以上100万人未満"
    assert first["その妥当性"].startswith("母子保健情報管理システムの安定的な稼働のため")
    assert "⑥委託先名" not in first and "再委託" not in first  # the two entries' rows interleave on the page
    provision = f["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]
    assert provision == {"提供件数": 2}  # [ ○ ] 提供を行っている （ 2 ） 件; 提供先1, 2 have no readable names
    keep = f["6. 特定個人情報の保管・消去"]
    assert keep["②保管期間"] == {"期間": "5年", "その妥当性": "川崎市の公文書分類表の保存期間に基づく"}


def test_more_sections_where_reliable(doc):
    (f,) = doc.data[III]
    r1 = f["2. 特定個人情報の入手(情報提供ネットワークシステムを通じた入手を除く。)"]["リスク1: 目的外の入手が行われるリスク"]
    assert r1["対象者以外の情報の入手を防止するための措置の内容"].startswith("・窓口や郵送における申請の際、内容や本人確認措置を厳格に行う。")
    assert r1["その他の措置の内容"] == "―" and r1["リスクへの対策は十分か"] == "十分である"
    use = f["3. 特定個人情報の使用"]["リスク2: 権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク"]
    assert use["ユーザ認証の管理"] == "行っている"
    assert not any(k.startswith("具体的な管理方法") for k in use)  # three alike labels, values scrambled
    assert doc.data["Ⅴ 開示請求、問合せ"]["1. 特定個人情報の開示・訂正・利用停止請求"]["③手数料等"] == "無料"
    assert doc.data["Ⅴ 開示請求、問合せ"]["1. 特定個人情報の開示・訂正・利用停止請求"]["手数料額、納付方法"] == (
        "閲覧は無料。ただし、写しの交付を希望する場合は、実費を負担。")
    assert doc.data["Ⅵ 評価実施手続"]["1. 基礎項目評価"] == {"①実施日": "2025-01-20",
                                                      "②しきい値判断結果": "基礎項目評価及び全項目評価の実施が義務付けられる"}


def test_what_is_left_out_is_reported_with_its_line(seed, seed_text):
    lines = seed_text.split("\n")
    by_line = {u.line: u for u in seed.unplaced}
    for u in seed.unplaced:
        assert u.text and u.text == lines[u.line - 1].strip()
    # 委託事項2's name, printed apart; the two 委託先名 that cannot be told apart
    assert "委託事項" in by_line[712].where and by_line[712].text == "申請管理システム運用保守業務委託"
    assert by_line[704].text.endswith("富士通Japan株式会社") and "⑥" in by_line[704].where
    # ①保管場所: a paragraph of ③消去方法 was cut off by a page break onto its page
    assert by_line[985].where.startswith("Ⅱ-6-①（1025行目からの段落")
    assert by_line[1025].text == "＜母子保健情報管理システムにおける措置＞"
    # 主な記録項目: ticks printed apart from their names
    assert by_line[376].text.startswith("[ ○] 4情報")
    # a label printed under many items, not told by the label before it
    assert "どの項目の記載か決められません" in by_line[1362].where


def test_nothing_is_dropped_silently(seed, seed_text):
    """Each line is placed, reported as unplaced, or only the form's own printing (labels, options, brackets)."""
    def norm(s: str) -> str:
        return re.sub(r"[\s\[\]()<>※件○・\-－―～~:：、。.]|\d", "", unicodedata.normalize("NFKC", s))

    placed = norm("".join(leaves(seed.data)))
    catalog = load_catalog("全項目評価書")
    names = {norm(catalog.title), "項目一覧", "選択肢", "変更箇所", "別添",
             norm("提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期"), norm("リスク１⑨を除く")}
    for it in list(catalog.root.walk()) + catalog.cover.children:
        names.update(norm(w) for w in (it.key, it.number + it.label, it.title.split("{")[0], *it.options, *it.also))
    names.discard("")
    words = sorted(names, key=len, reverse=True)
    unplaced = {u.line for u in seed.unplaced}
    dropped = []
    for no, line in enumerate(seed_text.split("\n"), 1):
        s = norm(line)
        if not s or no in unplaced or s in placed or any(s in n for n in names):
            continue
        label = max((n for n in names if s.startswith(n)), key=len, default="")
        if label and s[len(label):] in placed:
            continue  # a label and its value on one line
        rest = s
        for w in words:
            rest = rest.replace(w, "")
        if rest and not any(rest in n for n in names):
            dropped.append((no, line))
    assert dropped == []


def test_figures(seed, doc):
    catalog = load_catalog("全項目評価書")
    cover = len(doc.cover)
    body = filled(catalog.root, {k: v for k, v in doc.data.items() if k not in ("様式", "表紙")})
    print(f"\n000: 値のある様式の項目 {cover + body}（表紙 {cover}、本文 {body}）、置けなかった行 {len(seed.unplaced)}")
    assert cover == 5 and body >= 120
    assert len(seed.unplaced) < 450


def test_import_text_picks_this_importer(seed_text):
    result = import_text(seed_text, "000.txt")
    assert result.format == "pdftext" and result.data["表紙"]["評価書番号"] == "26"


def test_line_ends_and_form_feeds_do_not_matter(seed, seed_text):
    crlf = parse_pdf_text(seed_text.replace("\n", "\r\n"), "000.txt")
    assert crlf.data == seed.data
    paged = parse_pdf_text(seed_text.replace("\n\n\n\n", "\n\n\f"), "000.txt")
    assert paged.data == seed.data


# --- other texts ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "今日は良い天気です。\n明日は雨が降るでしょう。\n週末は図書館へ行く予定です。\n",
    "",
    "議事録\n\n 出席者 山田、鈴木\n\n 議題 予算について\n",
])
def test_not_an_assessment(text):
    with pytest.raises(InputError) as e:
        parse_pdf_text(text, "memo.txt")
    message = str(e.value)
    assert "\n" not in message and re.match(r"memo\.txt:(\d+:)? ", message)
    assert "特定個人情報保護評価書" in message


def test_cover_without_its_required_items_is_refused():
    text = "特定個人情報保護評価書（全項目評価書）\n\n評価書番号\n\n12\n"
    with pytest.raises(InputError) as e:
        parse_pdf_text(text, "cut.txt")
    assert str(e.value).startswith("cut.txt: ") and "評価実施機関名" in str(e.value) and "\n" not in str(e.value)


def test_truncated_text_imports_what_it_can(seed, seed_text):
    head = "\n".join(seed_text.split("\n")[:300])
    result = parse_pdf_text(head, "000-head.txt")
    doc = normalize(result.data, "000-head.txt")
    assert doc.cover["評価書番号"] == "26" and doc.published == dt.date(2025, 1, 20)
    s = doc.data["Ⅰ 基本情報"]
    assert s[I1]["③対象人数"] == "10万人以上30万人未満"
    assert [e["①システムの名称"] for e in s[I2]["システム"]] == [
        "母子保健情報管理システム", "システム連携基盤", "中間サーバー", "サービス検索・電子申請機能", "申請管理システム"]
    assert list(doc.data) == ["様式", "表紙", "Ⅰ 基本情報"]

    def flat(data, path=()):
        if isinstance(data, dict):
            for k, v in data.items():
                yield from flat(v, path + (k,))
        elif isinstance(data, list) and data and isinstance(data[0], dict):
            for e in data:
                yield from flat(e, path + (e[ENTRY_NUMBER],))
        else:
            yield path, data

    full = dict(flat(seed.data))
    assert all(full.get(path) == value for path, value in flat(result.data))  # nothing the full text says otherwise


@pytest.mark.parametrize("lines", [40, 70, 110, 420, 700, 1000, 1500, 2200])
def test_any_cut_never_crashes_and_never_cuts_a_value(seed_text, seed, lines):
    head = "\n".join(seed_text.split("\n")[:lines])
    result = parse_pdf_text(head, "cut.txt")
    normalize(result.data, "cut.txt")
    texts = set(leaves(seed.data))
    for value in leaves(result.data):
        if len(value) > 40:  # a long text read from a cut text is the whole text, or not read at all
            assert value in texts


# --- the rules, on a small text drawn like pdftotext's ----------------------------------------

SMALL = """\
  個人のプライバシー等の権利利益の保護の宣言

評価書名

試験事務\u3000全項目評価書

評価書番号

7

  令和6年4月1日

試験市は、試験事務における特定個人情報ファイルの取扱いにあたり、適切な措置を講じ、もって個人のプライ
バシー等の権利利益の保護に取り組んでいることを宣言する。

評価実施機関名

特定個人情報保護評価書（全項目評価書）

公表日

試験市長



Ⅰ\u3000基本情報
 １．特定個人情報ファイルを取り扱う事務

 ①事務の名称 試験事務

 ③対象人数 [ 1,000人未満 ] ＜選択肢＞
1) 1,000人未満 2) 1,000人以上1万人未満

 ２．特定個人情報ファイルを取り扱う事務において使用するシステム

 システム1 試験システム

 ①システムの名称 試験システム

 ③他のシステムとの接続

[ ] 情報提供ネットワークシステム
[ ○ ] 庁内連携システム
[ ] 住民基本台帳ネットワークシステム
[ ○ ] 既存住民基本台帳システム
[ ] 宛名システム等
[ ] 税務システム
[ ○ ] その他 （ 連携基盤 ）



Ⅱ\u3000特定個人情報ファイルの概要
 １．特定個人情報ファイル名

試験ファイル

 ５．特定個人情報の提供・移転（委託に伴うものを除く。）

 提供・移転の有無
[ ○ ] 提供を行っている （ 3 ） 件
[ ] 移転を行っている （ ） 件
[ ] 行っていない

 ６．特定個人情報の保管・消去

 ②保管期間

 期間 [ 3年

 その妥当性 条例に基づく



（別添３）変更箇所
提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期
"""


def test_rules_on_a_small_text():
    result = parse_pdf_text(SMALL, "small.txt")
    doc = normalize(result.data, "small.txt")
    assert doc.cover == {"評価書番号": "7", "評価書名": "試験事務\u3000全項目評価書",
                         "個人のプライバシー等の権利利益の保護の宣言": (
                             "試験市は、試験事務における特定個人情報ファイルの取扱いにあたり、適切な措置を講じ、"
                             "もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。"),
                         "評価実施機関名": "試験市長", "公表日": "2024-04-01"}
    s = doc.data["Ⅰ 基本情報"]
    assert s[I1] == {"①事務の名称": "試験事務", "③対象人数": "1,000人未満"}
    # every checkbox drawn whole on its line: the ticks are read, with the ( ) text
    assert s[I2]["システム"] == [{ENTRY_NUMBER: 1, "①システムの名称": "試験システム",
                                "③他のシステムとの接続": ["庁内連携システム", "既存住民基本台帳システム", {"その他": "連携基盤"}]}]
    (f,) = doc.data[II]
    assert f["1. 特定個人情報ファイル名"] == "試験ファイル"
    five = f["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]
    assert five == {"提供・移転の有無": ["提供を行っている"], "提供件数": 3}
    # その妥当性 is printed under three items: the label before it (期間) tells which
    assert f["6. 特定個人情報の保管・消去"]["②保管期間"] == {"期間": "3年", "その妥当性": "条例に基づく"}
    assert result.unplaced == []


def test_a_label_alone_after_a_label_without_value_is_left_out():
    text = SMALL.replace(" ６．特定個人情報の保管・消去\n", " ６．特定個人情報の保管・消去\n\n ①保管場所\u3000※\n\n ③消去方法\n\n"
                         "・保管期間を経過したものは、システムから消去する。\n")
    result = parse_pdf_text(text, "small.txt")
    keep = result.data[II][0]["6. 特定個人情報の保管・消去"]
    assert "①保管場所" not in keep and "③消去方法" not in keep  # the text may be ①'s, printed after ③'s label
    (u,) = [u for u in result.unplaced if u.text.startswith("・保管期間を経過")]
    assert "直前の「Ⅱ-6-①」に値がなく" in u.where
