"""The terminal table's text: widths as Japanese terminals show them, lines broken by 禁則処理."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from piadiff.display import NO_LINE_END, NO_LINE_START, clip, width, wrap

TEXT = ("特定個人情報ファイルの取扱いの委託について、委託先（株式会社テスト情報サービス）は「番号法」に基づき、"
        "Webサーバーの運用保守を行う。再委託は、委託元の許諾を得た場合に限る。")


def test_ambiguous_and_full_width_characters_take_two_columns():
    assert width("①Ⅱ※○") == 8
    assert width("Ⅲ-2") == 4
    assert width("abc") == 3 and width("全角") == 4 and width("ｶﾅ") == 2


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket():
    for cols in range(8, 40):
        lines = wrap(TEXT, cols)
        assert "".join(lines) == TEXT
        assert all(width(line) <= cols for line in lines)
        assert not any(line[0] in NO_LINE_START for line in lines[1:]), cols
        assert not any(line[-1] in NO_LINE_END for line in lines), cols


def test_a_latin_word_is_not_split_where_it_can_be_moved_whole():
    for cols in range(10, 30):
        lines = wrap("運用保守の委託先は Webサーバー と DBサーバー を管理する", cols)
        assert not any(a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum()
                       for a, b in zip(lines, lines[1:])), cols


def test_prefixes_count_in_the_width():
    lines = wrap(TEXT, 20, first="・", rest="  ")
    assert lines[0].startswith("・") and all(line.startswith("  ") for line in lines[1:])
    assert all(width(line) <= 20 for line in lines)


@given(st.text(alphabet="あい。、「」（）ab1 ①※\n", max_size=60), st.integers(min_value=4, max_value=30))
@settings(max_examples=200, deadline=None)
def test_wrapping_loses_nothing_and_never_overflows(text, cols):
    lines = wrap(text, cols)
    assert "\n".join(lines) == text or "".join(lines) == text.replace("\n", "")
    assert all(width(line) <= cols for line in lines)


def test_clip_marks_the_cut():
    assert clip("特定個人情報ファイル", 10) == "特定個人…" and width(clip("①②③④⑤", 5)) <= 5
