"""The one character diff (classifier edits, HTML highlights): complete, deterministic, bounded."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from piadiff import limits
from piadiff.chardiff import DELETE, INSERT, diffs, edits, opcodes, readable

JAPANESE = st.text(alphabet="あいうえおかきくけこ。、\n課部局番号法第19条8号", max_size=80)


def _rebuild(a: str, b: str, ops) -> tuple[str, str]:
    old = "".join(a[i1:i2] for _, i1, i2, _, _ in ops)
    new = "".join(b[j1:j2] for _, _, _, j1, j2 in ops)
    return old, new


@given(JAPANESE, JAPANESE)
@settings(max_examples=300, deadline=None)
def test_the_pieces_give_back_both_texts(a, b):
    d = diffs(a, b)
    assert "".join(t for op, t in d if op != INSERT) == a
    assert "".join(t for op, t in d if op != DELETE) == b
    assert _rebuild(a, b, opcodes(a, b)) == (a, b)
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]


def test_a_typo_is_two_characters():
    assert edits("人事移動に伴う変更", "人事異動に伴う変更") == ("移", "異")
    assert opcodes("ID/パスワード", "ID/パスワード(又は生体認証)") == [
        ("equal", 0, 8, 0, 8), ("insert", 8, 8, 8, 16)]


def test_long_texts_are_compared_sentence_by_sentence_and_stay_exact():
    sentence = "委託先には、番号法第十一条に基づき、必要かつ適切な監督を行っている。"
    line = lambda i: f"{i}番目の措置として、{sentence}\n"  # noqa: E731
    a = "".join(line(i) for i in range(400))
    b = "".join(line(i).replace("措置", "措置（改正）") if i == 17 else line(i).replace("300", "三百") for i in range(400))
    assert len(a) * len(b) > limits.DIFF_PAIRS  # the pair is past the whole-text budget
    deleted, inserted = edits(a, b)
    assert (deleted.split("\n"), inserted.split("\n")) == (["300"], ["（改正）", "三百"])
    assert _rebuild(a, b, opcodes(a, b)) == (a, b)


def test_texts_with_nothing_in_common_are_a_rewrite():
    a = "。".join("あいうえお" * 50 for _ in range(40))
    b = "。".join("かきくけこ" * 50 for _ in range(40))
    assert edits(a, b) == (a, b)


def test_readable_pieces_keep_words_whole():
    # a minimal diff may keep the scattered の and を; the reader sees the phrase replaced
    pieces = readable("個人番号の利用を開始する", "情報連携の準備を進める")
    assert [op for op, _ in pieces].count(DELETE) == 1 and [op for op, _ in pieces].count(INSERT) == 1
