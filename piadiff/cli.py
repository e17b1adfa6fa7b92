"""The ``piadiff`` command: a thin layer of click over the library.

Every command is a few lines around a library call. A :class:`PiadiffError` becomes one line on
stderr and exit code 1; click's own usage errors exit with 2.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import PiadiffError, ValidationError

if TYPE_CHECKING:
    from pathlib import Path

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: render.FORMATS, written out so that `--help` need not import the renderers (a test keeps them equal)
FORMATS = ("table", "html", "xlsx", "csv", "json", "md")

#: each command's 例 in its --help: lines that run as written after `piadiff demo` (a test runs them)
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ("piadiff demo", "piadiff changes 12", "piadiff --store store log 12"),
    "init": ("piadiff init --store 新しい保存先",),
    "record": ("piadiff show 12 -o 評価書.yaml", "piadiff record 評価書.yaml -m \"委託先の追加\""),
    "log": ("piadiff log", "piadiff log 12"),
    "show": ("piadiff show 12 latest -o 評価書.yaml", "piadiff show 12 v2 --format json"),
    "validate": ("piadiff show 12 -o 評価書.yaml", "piadiff validate 評価書.yaml"),
    "schema": ("piadiff schema 重点項目評価書 -o schema.json",),
    "changes": ("piadiff changes 12", "piadiff changes 12 v1 v3 -o 変更箇所.xlsx"),
    "annex": ("piadiff annex 12 -o 別添_変更箇所.html",),
    "decide": ("piadiff decide 12 v3 2 --timing 事後", "piadiff decide 12 v3 --effective 令和8年4月1日"),
    "plan": ("piadiff plan 12 --effective 令和8年4月1日",),
    "import": ("piadiff import 公表版.txt -o 取り込んだ評価書.yaml",),
    "history": ("piadiff history 12 Ⅰ-6①",),
    "status": ("piadiff status",),
    "remote": ("piadiff remote list",),
    "remote add": ("piadiff remote add origin //fileserver/pia/store.git",),
    "remote list": ("piadiff remote list",),
    "push": ("piadiff push origin",),
    "pull": ("piadiff pull origin", "piadiff pull origin --next theirs"),
    "fsck": ("piadiff fsck",),
    "serve": ("piadiff serve", "piadiff serve --port 8080"),
    "classify": ("piadiff classify --rows 行.jsonl",),
    "settings": ("piadiff settings", "piadiff settings 12"),
    "new": ("piadiff new 重点項目評価書 -o 空の評価書.yaml",),
    "demo": ("piadiff demo",),
}


class PathType(click.Path):
    """click.Path giving a pathlib.Path; pathlib is imported when a command runs, not for --help."""

    def coerce_path_result(self, value: Any) -> Path:
        from pathlib import Path

        return value if isinstance(value, Path) else Path(value)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "フォルダ" if not self.file_okay else "ファイル" if not self.dir_okay else "パス"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:  # click says it in English: a folder for a file, or the other way round
            import os

            is_dir = os.path.isdir(value)
            what = "フォルダです。ファイル名を指定してください" if is_dir else "ファイルです。フォルダを指定してください"
            self.fail(f"「{os.fsdecode(value)}」は{what}", param, ctx)


# callbacks and helpers that import their module when called: --help needs none of them
def click_author(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .inputs import click_author as check

    return check(ctx, param, value)


def click_message(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .inputs import click_message as check

    return check(ctx, param, value)


def to_wareki(date: Any) -> str:
    from .wareki import to_wareki as convert

    return convert(date)


# help in Japanese: click's own texts (Usage:, Options:, Show this message and exit.) replaced
def _width(text: str) -> int:
    """Terminal columns: wide and ambiguous characters (漢字, ①, ※) take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


#: characters that may not start a line, and that may not end one (禁則)
_NO_START, _NO_END = "。、，．）」』】・ー：？！,.)", "（「『【("


def _wrap(text: str, width: int) -> list[str]:
    """Text broken into lines of at most ``width`` columns: anywhere between Japanese characters,
    between Latin words only at a space, never before 。、」 nor after 「（."""
    import re

    lines, line = [], ""
    for token in re.findall(r"[!-~]+| +|.", text):
        glued = token[0] == "-" and line and not line[-1].isspace()  # Ⅱ-4委託事項2③ kept whole
        if line and _width(line) + _width(token) > width and not token.isspace() and token[0] not in _NO_START and not glued:
            carry = ""
            while line and line[-1] in _NO_END:
                line, carry = line[:-1], line[-1] + carry
            lines.append(line.rstrip())
            line = carry
        if line or not token.isspace():
            line += token
    return lines + [line.rstrip()] if line or not lines else lines


class _Formatter(click.HelpFormatter):
    """click's help layout, with Japanese headings and widths and line breaks counted for Japanese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "使いかた: " if prefix is None else prefix)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for n, paragraph in enumerate(text.split("\n\n")):
            if n:
                self.write("\n")
            if paragraph.startswith("\b"):  # click's mark for lines kept as written
                self.write("".join(f"{indent}{line}\n" for line in paragraph[1:].strip("\n").splitlines()))
                continue
            joined = ""
            for line in (line.strip() for line in paragraph.splitlines()):
                ascii_join = joined and line and joined[-1].isascii() and line[0].isascii()
                joined += (" " if ascii_join else "") + line
            self.write("".join(f"{indent}{line}\n" for line in _wrap(joined, max(self.width - self.current_indent, 20))))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((_width(term) for term, _ in rows), default=0), col_max)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if _width(term) <= first:
                self.write(" " * (first - _width(term) + col_spacing))
            else:  # a long term: its text starts on the next line
                self.write("\n" + " " * (first + col_spacing + self.current_indent))
            lines = _wrap(text, max(self.width - first - col_spacing - self.current_indent, 20))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first + col_spacing + self.current_indent}}{line}\n")


class _Context(click.Context):
    formatter_class = _Formatter


def _command_name(ctx: click.Context) -> str:
    """The command's name below ``piadiff`` ("remote add"; "" for piadiff itself)."""
    names = []
    while ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(names)


def _option_help(param: click.Option) -> str:
    """An option's description, with its default and whether it is required in Japanese."""
    text = param.help or ""
    if param.required:
        text += "（必須）"
    if param.show_default and param.default is not None and not param.is_flag:
        shown = param.show_default if isinstance(param.show_default, str) else param.default
        text += f"（既定: {shown}）"
    return text


class _Japanese:
    """Help pages in Japanese, with each command's 例; usage errors said in Japanese by main()."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[オプション]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "この説明を表示して終わる"
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        allowed, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as e:
            if e.ctx is None:  # click's parser leaves it out: the message names the command and its options
                e.ctx = ctx
            raise
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            ctx.fail(f"余分な引数「{' '.join(rest)}」があります。空白を含む値は引用符（\"…\"）で囲んでください")
        return rest

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is not None:
                rows.append((record[0], _option_help(param)))
        if rows:
            with formatter.section("オプション"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        examples = EXAMPLES.get(_command_name(ctx), ())
        if examples:
            with formatter.section("例"):
                for line in examples:  # written whole: a command line is not reflowed
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


class _Command(_Japanese, click.Command):
    pass


class _Group(_Japanese, click.Group):
    command_class = _Command
    group_class = type  # subgroups (remote) are of this class too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "コマンド [引数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                first = (command.short_help or command.help or "").strip().splitlines()[0] if (command.short_help or command.help) else ""
                rows.append((name, first.split("。")[0]))
        if rows:
            with formatter.section("コマンド"):
                formatter.write_dl(rows)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as e:
            if isinstance(e, getattr(click.exceptions, "NoArgsIsHelpError", ())) and e.ctx is not None:
                click.echo(e.ctx.get_help(), err=True)  # `piadiff` alone: its help
            else:
                click.echo(f"エラー: {usage_message(e)}", err=True)
            sys.exit(2)
        except click.ClickException as e:
            click.echo(f"エラー: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except PiadiffError as e:  # from a parameter's check, before a command runs
            click.echo(f"エラー: {e}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("中断しました（保存先は中断前のままです）", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ValidationError as e:
            click.echo(f"エラー: {e}", err=True)
            for line in e.lines():
                click.echo(f"  {line}", err=True)
            ctx.exit(1)
        except PiadiffError as e:
            click.echo(f"エラー: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("中断しました（保存先は中断前のままです）", err=True)
            ctx.exit(130)


_Group.group_class = _Group


def _param_name(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "値"


def usage_message(error: click.UsageError) -> str:
    """A click usage error in Japanese, on one line: what is wrong, then what to do."""
    import re

    ctx = error.ctx
    path = ctx.command_path if ctx is not None else "piadiff"
    see = f"{path} --help で書き方を確かめてください"
    command = ctx.command if ctx is not None else None
    if isinstance(error, click.NoSuchOption):
        name = error.option_name
        owners = [n for n, c in getattr(command, "commands", {}).items()
                  if any(name in p.opts or name in p.secondary_opts for p in c.params)]
        if owners and ctx is not None:
            return (f"「{name}」は {' / '.join(owners)} のオプションです。コマンドの後に書いてください"
                    f"（例: {path} {owners[0]} … {name} …）")
        guess = f"（もしかして {' / '.join(error.possibilities)}？）" if error.possibilities else ""
        return f"「{name}」というオプションは {path} にはありません{guess}。{see}"
    unknown = getattr(error, "command_name", None)
    if unknown is None and (m := re.match(r"No such command '(.*)'\.", error.message)):  # click before 8.4
        unknown = m.group(1)
    if unknown is not None:
        import difflib

        close = difflib.get_close_matches(unknown, list(getattr(command, "commands", {})))
        guess = f"（もしかして {' / '.join(close)}？）" if close else ""
        return f"「{unknown}」というコマンドはありません{guess}。{path} --help でコマンドの一覧を確かめてください"
    if isinstance(error, click.MissingParameter):
        name = _param_name(error.param)
        if isinstance(error.param, click.Argument) and ctx is not None:
            pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
            return f"{name} を指定してください（使いかた: {path} {pieces}）。{see}"
        return f"{name} を指定してください。{see}"
    if isinstance(error, click.BadParameter):
        name = _param_name(error.param) if error.param is not None else str(error.param_hint or "値")
        kind = getattr(error.param, "type", None)
        if isinstance(kind, click.Choice):
            return f"{name} には {' / '.join(map(str, kind.choices))} のどれかを書いてください。{see}"
        if isinstance(kind, click.types.IntParamType):
            return f"{name} には数（1、2 のような整数）を書いてください。{see}"
        if re.search("[\u3040-\u30ff\u4e00-\u9fff]", error.message):  # piadiff's own words
            return f"{name}: {error.message}"
        return f"{name} の値が正しくありません（{error.message}）。{see}"
    if isinstance(error, click.BadOptionUsage):
        name = error.option_name
        option = next((p for p in getattr(command, "params", ()) if name in getattr(p, "opts", ())), None)
        if option is not None and getattr(option, "is_flag", False):
            return f"{name} には値を書けません（{name} だけで指定します）。{see}"
        kind = getattr(option, "type", None)
        shown = " / ".join(map(str, kind.choices)) if isinstance(kind, click.Choice) else getattr(option, "metavar", None) or "値"
        return f"{name} の後に値を書いてください（{name} {shown}）。{see}"
    if error.message.startswith("Missing command"):
        return f"コマンドを指定してください。{path} --help でコマンドの一覧を確かめてください"
    if re.search("[\u3040-\u30ff\u4e00-\u9fff]", error.message):
        return f"{error.message}。{see}"
    return f"コマンドの書き方に誤りがあります（{error.message}）。{see}"


def _store(ctx: click.Context, param: click.Parameter, value: str | None) -> Path:
    """--store after the command, else the one before it (piadiff --store X log), else
    PIADIFF_STORE, else ./store."""
    import os
    from pathlib import Path

    if value is None:
        value = ctx.find_root().params.get("store_path") or os.environ.get("PIADIFF_STORE") or "store"
    return Path(value)


STORE_HELP = "保存先のフォルダ（既定: store。環境変数 PIADIFF_STORE でも、piadiff --store フォルダ log のようにコマンドの前にも書ける）"
store_option = click.option("--store", "store_path", metavar="フォルダ", callback=_store, help=STORE_HELP)


def _open(store_path: Path):
    from .store import Store

    return Store(store_path)


@click.group("piadiff", cls=_Group, context_settings=CONTEXT)
@click.option("--store", "store_path", metavar="フォルダ", envvar="PIADIFF_STORE", help=STORE_HELP)
@click.version_option(__version__, package_name="piadiff", message="%(prog)s %(version)s", help="piadiff の版を表示して終わる")
def cli(store_path: str | None) -> None:
    """特定個人情報保護評価書の版を記録し、変更箇所を調べる。

    コマンドごとの説明は piadiff コマンド --help（例: piadiff changes --help）。"""


@cli.command()
@store_option
def init(store_path: Path) -> None:
    """保存先を作る（既定は ./store）。"""
    from .store import init_store

    init_store(store_path).close()
    click.echo(f"保存先 {store_path} を作成しました。piadiff record FILE で評価書を記録できます。")


@cli.command()
@click.argument("file", type=PathType(), metavar="FILE")
@click.option("--id", "assessment_id", metavar="ID", help="評価書ID（既定: 評価書番号と評価書名から作る。同じ評価書番号があればそれ）")
@click.option("--date", "change_date", metavar="変更日", help="変更日（既定: 公表日）。令和7年7月31日 / R7.7.31 / 2025-07-31")
@click.option("-m", "--message", metavar="メッセージ", callback=click_message, help="この版の説明")
@click.option("--author", metavar="名前", callback=click_author, help="記録する人（既定: 環境変数 PIADIFF_AUTHOR かログイン名）")
@click.option("--same-date", is_flag=True, help="最新版と同じ変更日の版として記録する（既定では同じ日付は断る）")
@store_option
def record(file: Path, assessment_id: str | None, change_date: str | None, message: str | None, author: str | None,
           same_date: bool, store_path: Path) -> None:
    """評価書ファイル（YAML / JSON）を次の版として記録する。フォルダなら中のファイルをすべて。

    変更日は最新版より後の日付にする（同じ日なら --same-date）。記録済みのどれかの版と同じ内容なら記録しない。"""
    from .document import load_document

    if file.is_dir():
        if assessment_id or change_date:
            raise PiadiffError("フォルダを記録するときは --id と --date は使えません（各ファイルの評価書番号と公表日を使います）")
        from .bulk import DOCUMENT_SUFFIXES, record_files

        _bulk(file, DOCUMENT_SUFFIXES, "記録", store_path,
              lambda store, files, tick: record_files(store, files, message=message, author=author,
                                                      same_date=same_date, tick=tick))
        return
    document = load_document(file)
    with _open(store_path) as store:
        result = store.record(document, assessment_id=assessment_id, change_date=change_date, message=message,
                              author=author, same_date=same_date)
    rev = result.revision
    if not result.recorded:
        if result.same_as_latest:
            click.echo(f"{rev.assessment_id}: 最新版 {rev.label} と同じ内容です。何も記録しませんでした。")
        else:
            click.echo(f"{rev.assessment_id}: {rev.label}（変更日 {rev.change_date_wareki}）と同じ内容です（最新版は "
                       f"{result.latest.label}）。記録済みの版なので、何も記録しませんでした。")
        return
    what = "新しい評価書として" if result.new_assessment else ""
    click.echo(f"{rev.assessment_id}: {what}{rev.label}（変更日 {rev.change_date_wareki}）を記録しました。")


@cli.command()
@click.argument("assessment_id", required=False, metavar="[ID]")
@store_option
def log(assessment_id: str | None, store_path: Path) -> None:
    """評価書の一覧、または一つの評価書の版の一覧。"""
    from .display import table

    with _open(store_path) as store:
        if assessment_id is None:
            items = store.summaries()
            if not items:
                click.echo("保存先にはまだ評価書がありません。piadiff record FILE で記録してください。")
                return
            rows = [[s.assessment_id, s.kind, s.latest.label, s.latest.change_date_wareki, str(s.count), s.title] for s in items]
            click.echo(table(["評価書ID", "様式", "最新版", "変更日", "版数", "評価書名"], rows))
            return
        aid = store.resolve_id(assessment_id)
        revs = store.revisions(aid)
    click.echo(f"{aid}（{revs[-1].kind}）{revs[-1].title}")
    rows = [[r.label, r.change_date_wareki, r.author, r.commit[:10], r.message.splitlines()[0] if r.message else ""] for r in revs]
    click.echo(table(["版", "変更日", "記録者", "コミット", "メッセージ"], rows))


@cli.command()
@click.argument("assessment_id", metavar="ID")
@click.argument("version", required=False, default="latest")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True, help="json は記録されたとおりのバイト列")
@click.option("-o", "--output", type=PathType(dir_okay=False), help="書き出すファイル（既定: 画面）")
@store_option
def show(assessment_id: str, version: str, fmt: str, output: Path | None, store_path: Path) -> None:
    """記録された版を取り出す（VERSION: v3 / latest / latest~1 / 変更日 / コミットID）。

    -o のファイル名が .xlsx なら、記入用の Excel のブック（書き込んで validate / record で読める）。"""
    from .canonical import canonical_yaml

    with _open(store_path) as store:
        rev = store.revision(assessment_id, version)
        if output is not None and output.suffix.lower() == ".xlsx":
            from .workbook import write_workbook

            data = write_workbook(store.read(rev))
        else:
            data = store.read_bytes(rev) if fmt == "json" else canonical_yaml(store.read(rev).data).encode("utf-8")
    _write(data, output)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=PathType(dir_okay=False), metavar="FILE...")
def validate(files: tuple[Path, ...]) -> None:
    """評価書ファイルを様式と照らし合わせる（問題はすべて表示）。"""
    from .document import load_document
    from .wareki import to_wareki

    failed = 0
    for file in files:
        try:
            doc = load_document(file)
        except ValidationError as e:
            failed += 1
            click.echo(f"NG {file}: {len(e.problems)} 件の問題があります", err=True)
            for line in e.lines():
                click.echo(f"  {line}", err=True)
            continue
        except PiadiffError as e:
            failed += 1
            click.echo(f"NG {e}", err=True)
            continue
        click.echo(f"OK {file}: {doc.kind}「{doc.title}」 公表日 {to_wareki(doc.published)}"
                   + (f"（注意 {len(doc.warnings)} 件）" if doc.warnings else ""))
        for warning in doc.warnings:
            click.echo(f"  注意 {warning.format(str(file))}")
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("kind", type=str, metavar="KIND")
@click.option("-o", "--output", type=PathType(dir_okay=False), help="書き出すファイル（既定: 画面）")
def schema(kind: str, output: Path | None) -> None:
    """文書の JSON Schema を出力する（KIND: 全項目評価書 / 重点項目評価書）。"""
    import json

    from .schema import json_schema

    _write((json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n").encode("utf-8"), output)


def annex_options(f):
    """Options shared by changes and annex: format, output file, and the body's annex style."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), help="出力形式（既定: -o の拡張子から。なければ table）"),
        click.option("-o", "--output", type=PathType(dir_okay=False), help="書き出すファイル（既定: 画面）"),
        click.option("--style", type=click.Choice(["正式", "番号"]), help="項目の書き方（既定: 保存先の設定。正式: Ⅱ 特定個人情報ファイルの概要(4. …) / 番号: Ⅱ-4委託事項2③）"),
        click.option("--excerpt/--no-excerpt", default=None, help="長い文は変わった文だけ残し、ほかを (省略) と書く"),
        click.option("--gannen/--no-gannen", default=None, help="令和元年と書く（既定: 令和1年）"),
        store_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _annex_settings(store_path: Path, style: str | None, excerpt: bool | None, gannen: bool | None):
    from .settings import STYLES, load_settings

    return load_settings(store_path).with_options(item_style=STYLES.get(style or ""), excerpt=excerpt, gannen=gannen)


def _emit(batches, title: str, fmt: str | None, output: Path | None, note: str = "") -> None:
    from .render import NOTE_FORMATS, render

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"htm": "html", "markdown": "md", "txt": "table"}.get(suffix, suffix) if suffix else "table"
        if fmt not in FORMATS:
            raise PiadiffError(f"{output}: 拡張子から出力形式が分かりません。--format で指定してください（{' / '.join(FORMATS)}）")
    if fmt == "xlsx" and output is None:
        raise PiadiffError("xlsx は画面に出せません。-o 変更箇所.xlsx のようにファイル名を指定してください")
    _write(render(batches, fmt, title, note=note), output)
    if note and fmt not in NOTE_FORMATS:  # the form's six columns have no room for it
        click.echo(note, err=True)
    for batch in batches:
        for warning in batch.warnings:
            click.echo(f"注意（{batch.version}）: {warning}", err=True)


@cli.command()
@click.argument("assessment_id", metavar="ID")
@click.argument("old", required=False, default="latest~1")
@click.argument("new", required=False, default="latest")
@click.option("--review", is_flag=True, help="確度が低い（要確認の）行だけを出す。行番号は全体のまま（decide の ROW）")
@annex_options
def changes(assessment_id: str, old: str, new: str, review: bool, fmt, output, style, excerpt, gannen, store_path: Path) -> None:
    """二つの版の違いを（別添）変更箇所の行にする（既定: 最新版とその一つ前）。"""
    from .annex import changes_between, review as review_rows

    settings = _annex_settings(store_path, style, excerpt, gannen)
    with _open(store_path) as store:
        batch = changes_between(store, assessment_id, old, new, settings)
        title = store.revision(assessment_id, new).title
    if not review:
        _emit([batch], title, fmt, output)
        return
    low = review_rows([batch])
    _emit(low.batches, title, fmt, output, low.summary)


@cli.command()
@click.argument("assessment_id", metavar="ID")
@annex_options
def annex(assessment_id: str, fmt, output, style, excerpt, gannen, store_path: Path) -> None:
    """記録したすべての版から（別添）変更箇所の表全体を作る（古い版から順に）。"""
    from .annex import cumulative_annex

    settings = _annex_settings(store_path, style, excerpt, gannen)
    with _open(store_path) as store:
        batches = cumulative_annex(store, assessment_id, settings)
        title = store.revision(assessment_id).title
    _emit(batches, title, fmt, output)


@cli.command()
@click.argument("assessment_id", metavar="ID")
@click.argument("version")
@click.argument("row", type=int, required=False)
@click.option("--timing", type=click.Choice(["事前", "事後"]), help="この行の提出時期")
@click.option("--reason", "explanation", metavar="説明", help="提出時期に係る説明（省略すると、この行の理由の説明を記録する）")
@click.option("--effective", metavar="施行日", help="施行日（ROW を省くと改訂全体の施行日）。令和7年8月1日 / 2025-08-01")
@click.option("--author", metavar="名前", callback=click_author, help="判断した人（既定: 環境変数 PIADIFF_AUTHOR かログイン名）")
@store_option
def decide(assessment_id: str, version: str, row: int | None, timing, explanation, effective, author, store_path: Path) -> None:
    """担当者が提出時期（と説明）や施行日を決めて記録する。以後の changes / annex はこれに従う。"""
    from .decisions import decide as record_decision
    from .settings import load_settings
    from .wareki import parse_date

    settings = load_settings(store_path)
    with _open(store_path) as store:
        entry = record_decision(store, assessment_id, version, row, settings, timing=timing, explanation=explanation,
                                effective=parse_date(effective) if effective else None, author=author,
                                ask=_ask if sys.stdin.isatty() else None)
    what = entry.get("項目", "改訂全体")
    done = "、".join(f"{k} {entry[k]}" for k in ("提出時期", "施行日") if k in entry)
    click.echo(f"{entry['版']} {what}: {done} を記録しました。")
    if "説明" in entry and explanation is None:  # none given: say which sentence went in, and why
        said = f"「{entry['説明']}」（{entry.note}）" if entry["説明"] else f"なし（{entry.note}）"
        click.echo(f"  説明: {said}")
        if entry["説明"]:
            click.echo("  別の説明にするときは --reason \"説明\" を付けて記録し直してください。")
    elif "説明" in entry:
        click.echo(f"  説明: 「{entry['説明']}」")


def _ask(question: str) -> str:
    return click.prompt(f"{question}（空のままなら説明なし）", default="", show_default=False)


@cli.command()
@click.argument("assessment_id", metavar="ID")
@click.argument("version", required=False, default="latest")
@click.option("--effective", metavar="施行日", help="変更の施行日（令和7年10月1日 / 2025-10-01）。既定: piadiff decide で記録した施行日")
@click.option("--body", type=click.Choice(["local", "national"]), default="local", show_default=True,
              help="local: 地方公共団体等（第三者点検） / national: 行政機関等（委員会の承認）")
@store_option
def plan(assessment_id: str, version: str, effective: str | None, body: str, store_path: Path) -> None:
    """改訂に重要な変更があれば、施行日までにすべき手続と、遅くとも始める日を示す。"""
    from .procedure import revision_plan
    from .settings import load_settings
    from .wareki import parse_date

    date = parse_date(effective) if effective else None
    with _open(store_path) as store:
        result = revision_plan(store, assessment_id, version, date, body, load_settings(store_path))
    click.echo(result.text(), nl=False)


@cli.command("import")
@click.argument("file", type=PathType(), metavar="FILE")
@click.option("-o", "--output", type=PathType(dir_okay=False), help="書き出す文書（.yaml / .json。既定: 画面に YAML）")
@click.option("--id", "assessment_id", metavar="ID", help="記録するときの評価書ID（既定: 評価書番号と評価書名から作る）")
@click.option("--record", "do_record", is_flag=True, help="保存先に記録する（文書自身の変更箇所は最初の版に付ける）")
@click.option("--with-history", is_flag=True, help="最新の変更箇所を逆にたどって一つ前の版も作り、二つの版として記録する")
@click.option("--author", metavar="名前", callback=click_author, help="記録する人")
@click.option("--cover", "cover", multiple=True, metavar="項目=値",
              help="表紙のページがない公表版に、表紙の項目を補う（例: --cover 評価書番号=46）。何度でも指定できる")
@store_option
def import_command(file: Path, output: Path | None, assessment_id, do_record: bool, with_history: bool, author,
                   cover: tuple[str, ...], store_path: Path) -> None:
    """公表された評価書（テキスト）を piadiff の文書にする。置けなかった記載は注記と報告に残す。

    FILE は公表された PDF（poppler の pdftotext で文字を取り出す）か、そのテキスト。FILE がフォルダなら、
    中の .txt / .tsv / .pdf をすべて取り込んで記録する（--record と同じ）。"""
    from .canonical import canonical_yaml

    if file.is_dir():
        if output or assessment_id:
            raise PiadiffError("フォルダを取り込むときは -o と --id は使えません")
        from .bulk import PUBLISHED_SUFFIXES, import_files

        _bulk(file, PUBLISHED_SUFFIXES, "取り込み", store_path,
              lambda store, files, tick: import_files(store, files, with_history=with_history, author=author, tick=tick))
        return
    from .importers import import_text, imported_document
    from .importers.pdf import read_published

    given = {}
    for pair in cover:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise PiadiffError(f"--cover「{pair}」は「項目=値」の形で書いてください（例: --cover 評価書番号=46）")
        given[key.strip()] = value.strip()
    text, source, table = read_published(file)  # a PDF through pdftotext: line numbers are of its text
    result = import_text(text, source, table)
    doc = imported_document(result, str(file), given)
    report = []
    if do_record:
        from .imports import record_import

        with _open(store_path) as store:
            report = record_import(store, doc, result.legacy_rows, assessment_id=assessment_id,
                                   with_history=with_history, author=author)
    elif with_history:
        raise PiadiffError("--with-history は --record と一緒に使ってください")
    if output is not None:
        _write(doc.canonical_bytes() if output.suffix.lower() == ".json" else canonical_yaml(doc.data).encode("utf-8"), output)
    elif not do_record:
        _write(canonical_yaml(doc.data).encode("utf-8"), None)
    click.echo(f"{file}: {doc.kind}「{doc.title}」を取り込みました。", err=True)
    click.echo(f"  {result.account.summary()}（注記は様式の項目に置けなかった記載で、文書の 注記 に残しました）", err=True)
    for u in result.unplaced[:10]:
        click.echo(f"  置けなかった記載 {source}:{u.line}: {u.where}: {' '.join(u.text.split())[:60]}", err=True)
    if len(result.unplaced) > 10:
        click.echo(f"  … ほか {len(result.unplaced) - 10} 件（すべて文書の 注記 に残しました）", err=True)
    for line in report:
        click.echo(line)


def _with_progress(items, label: str, work):
    """Run ``work(tick)`` with a progress bar on a terminal (nothing when output is redirected)."""
    if not sys.stderr.isatty():
        return work(lambda: None)
    with click.progressbar(length=len(items), label=label, file=sys.stderr) as bar:
        return work(lambda: bar.update(1))


def _bulk(folder: Path, suffixes: tuple[str, ...], label: str, store_path: Path, work) -> None:
    """A folder's files through ``work(store, files, tick)``, with progress and the summary."""
    from .bulk import files_in, summary

    files = files_in(folder, suffixes)
    with _open(store_path) as store:
        outcomes = _with_progress(files, label, lambda tick: work(store, files, tick))
    lines = summary(outcomes)
    click.echo(lines[0])
    for line in lines[1:]:
        click.echo(line, err=True)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


def _leaves(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("様式", "注記", "番号", "識別名"):
                yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
    else:
        yield node


@cli.command()
@click.argument("assessment_id", metavar="ID")
@click.argument("item")
@store_option
def history(assessment_id: str, item: str, store_path: Path) -> None:
    """一つの項目の変更の歴史（既存の変更箇所と記録した版）。ITEM は「Ⅱ-4委託事項3③」などの書き方で。"""
    from .imports import history_text
    from .settings import load_settings

    with _open(store_path) as store:
        text = history_text(store, assessment_id, item, load_settings(store_path))
    click.echo(text, nl=False)


@cli.command()
@click.option("--today", metavar="日付", help="この日付で判定する（既定: 今日）")
@store_option
def status(today: str | None, store_path: Path) -> None:
    """すべての評価書の最新版と、年次の見直し・5 年ごとの再評価の期限。"""
    from .display import table
    from .status import store_status
    from .wareki import parse_date

    with _open(store_path) as store:
        rows = store_status(store, parse_date(today) if today else None)
    if not rows:
        click.echo("保存先にはまだ評価書がありません。piadiff record FILE で記録してください。")
        return

    def mark(late: bool, near: bool, date) -> str:
        if date is None:
            return "（評価実施手続の日付なし）"
        return ("期限切れ " if late else "間近 " if near else "") + to_wareki(date)

    click.echo(table(["評価書ID", "様式", "最新版", "変更日", "年次の見直し", "5年の再評価", "評価書名"], [
        [s.summary.assessment_id, s.summary.kind.replace("評価書", ""), s.summary.latest.label, s.summary.latest.change_date_wareki,
         mark(s.review_late, False, s.review_due), mark(s.reassess_late, s.reassess_near, s.reassess_due), s.summary.title]
        for s in rows], last_max=30))
    late = sum(s.review_late for s in rows) + sum(s.reassess_late for s in rows)
    if late:
        click.echo(f"期限を過ぎているもの {late} 件", err=True)


@cli.group()
def remote() -> None:
    """共有先（git のリモート）を管理する。"""


@remote.command("add")
@click.argument("name")
@click.argument("url")
@store_option
def remote_add(name: str, url: str, store_path: Path) -> None:
    """共有先を追加する（URL: git サーバーやフォルダ）。"""
    from .sharing import add_remote

    with _open(store_path) as store:
        add_remote(store, name, url)
    click.echo(f"共有先 {name}（{url}）を追加しました。piadiff push {name} / piadiff pull {name} で送受信します。")


@remote.command("list")
@store_option
def remote_list(store_path: Path) -> None:
    """共有先の一覧。"""
    from .sharing import remotes

    with _open(store_path) as store:
        for name, url in remotes(store):
            click.echo(f"{name}\t{url}")


@cli.command()
@click.argument("name", default="origin")
@store_option
def push(name: str, store_path: Path) -> None:
    """記録した版を共有先に送る。"""
    from .sharing import push as send

    with _open(store_path) as store:
        send(store, name)
    click.echo(f"共有先 {name} に送りました。")


@cli.command()
@click.argument("name", default="origin")
@click.option("--next", "next_", type=click.Choice(["mine", "theirs"]),
              help="同じ評価書が両方で記録されていたとき、どちらを最新にするか（mine: こちら / theirs: 共有先）")
@store_option
def pull(name: str, next_: str | None, store_path: Path) -> None:
    """共有先の版を受け取る。こちらだけの版は共有先の版の後に番号を付け直して残す。"""
    from .sharing import pull as receive

    with _open(store_path) as store:
        result = receive(store, name, next_)
    if result.status == "up-to-date":
        click.echo(f"共有先 {name} から受け取る版はありません。")
        return
    click.echo(f"共有先 {name} から {result.received} 件の記録を受け取りました。")
    for line in result.replayed:
        click.echo(f"  こちらの版を記録し直し: {line}")


@cli.command()
@store_option
def fsck(store_path: Path) -> None:
    """保存先を点検する（git の整合性、すべての版の読み戻し・様式・正規化・ハッシュ）。"""
    from .errors import StoreDamagedError
    from .fsck import FsckReport, fsck as check, git_fsck

    try:
        with _open(store_path) as store:
            versions = [0] * (sum(s.count for s in store.summaries()) if sys.stderr.isatty() else 0)
            report = _with_progress(versions, "点検", lambda tick: check(store, tick=tick))
    except StoreDamagedError as e:  # too damaged to read: git's own check says what is wrong
        from .fsck import Finding

        report = FsckReport(0, 0, [Finding("保存先", str(e))] + git_fsck(store_path))
    for f in report.findings:
        click.echo(f"問題 {f.where}: {f.problem}", err=True)
    if report.leftovers:
        click.echo(f"参考: どの版からも参照されない壊れた git オブジェクトが {len(report.leftovers)} 個あります（中断された記録の"
                   "書きかけ。記録された版には影響しません。`git prune --expire=now` で消せます）", err=True)
    click.echo(f"評価書 {report.assessments} 件、版 {report.versions} 件を点検しました: "
               + ("問題はありません。" if report.ok else f"問題 {len(report.findings)} 件。"))
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="アドレス", help="待ち受けるアドレス（localhost 以外は PIADIFF_PASSWORD が必要）")
@click.option("--port", default=8000, show_default=True, type=int, metavar="番号", help="待ち受けるポート番号")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="名前",
              help="待ち受けるアドレスのほかに、この名前（Host）で開くことを許す（何度でも指定できる）")
@store_option
def serve(host: str, port: int, allow_hosts: tuple[str, ...], store_path: Path) -> None:
    """ブラウザで使う画面を開く（一覧・版の比較・判断の記録・変更箇所のダウンロード）。

    待ち受けるアドレス（と --allow-host の名前）以外の Host への要求と、ほかのページからの送信は断る。"""
    import os

    from .web import serve as run_server

    run_server(store_path, host, port, os.environ.get("PIADIFF_PASSWORD") or None, allow_hosts)


@cli.command("classify")
@click.option("--rows", "rows_file", required=True, type=PathType(dir_okay=False),
              help="変更箇所の行（1 行 1 JSON: assessment_type, item, before, after, date_iso）")
@click.option("--no-history", is_flag=True, help="同じ文書の前の変更日の行から団体の書きぶりを学ばない")
def classify_command(rows_file: Path, no_history: bool) -> None:
    """既存の変更箇所の行に、提出時期・理由・説明・確度・項目の解決結果を付けて 1 行 1 JSON で出す。"""
    import json

    from .legacy import classify_rows, read_rows_file

    rows = read_rows_file(rows_file)
    for result in classify_rows(rows, use_history=not no_history):
        click.echo(json.dumps(result, ensure_ascii=False))


@cli.command("settings")
@click.argument("assessment_id", required=False, metavar="[ID]")
@click.argument("version", required=False)
@store_option
def settings_command(assessment_id: str | None, version: str | None, store_path: Path) -> None:
    """当てはめられる設定と、その出どころ（既定 / 学習 / 設定ファイル）を settings.yaml の形で表示する。

    ID を付けると、その評価書の前の変更箇所から学んだ習慣（改訂の扱い・事前の説明・説明）も示す
    （VERSION の変更箇所に当てはめるもの。既定は最新版）。学んだ値と既定の値は # を付けて控えとして書くので、
    出力をそのまま settings.yaml に保存しても動きは変わらない。"""
    from .settings import SETTINGS_FILE, learnt_habits, load_settings, settings_report

    with _open(store_path) as store:
        learnt = None
        if assessment_id is not None:
            assessment_id = store.resolve_id(assessment_id)
            learnt = learnt_habits(store, assessment_id, load_settings(store_path), version)
    click.echo(settings_report(store_path, learnt, assessment_id or ""), nl=False)
    if not (store_path / SETTINGS_FILE).exists():
        click.echo(f"# 変えるときは、この内容を {store_path / SETTINGS_FILE} に保存して、変える行の # を外してください。", err=True)


@cli.command()
@click.argument("kind", type=str, metavar="KIND")
@click.option("-o", "--output", type=PathType(dir_okay=False), help="書き出すファイル（既定: 画面）")
def new(kind: str, output: Path | None) -> None:
    """空の評価書（全項目を並べた YAML）を作る（KIND: 全項目評価書 / 重点項目評価書）。

    -o のファイル名が .xlsx なら、記入用の Excel のブック（書き込んで validate / record で読める）。"""
    from .template import blank_document

    if output is not None and output.exists():
        raise PiadiffError(f"{output} は既にあります。別の名前を指定してください")
    if output is not None and output.suffix.lower() == ".xlsx":
        from .workbook import write_workbook

        _write(write_workbook(None, kind), output)
        return
    _write(blank_document(kind).encode("utf-8"), output)


@cli.command()
@store_option
def demo(store_path: Path) -> None:
    """同梱の例（架空市の評価書）を保存先に記録し、その履歴と最新の変更箇所を表示する。"""
    from pathlib import Path

    from .examples import record_examples
    from .store import init_store

    if not store_path.exists() or not (store_path / ".git").exists():
        init_store(store_path).close()
        click.echo(f"保存先 {store_path} を作成しました。")
    with _open(store_path) as store:
        for aid, n in record_examples(store):
            click.echo(f"例 {aid}: " + (f"{n} 版を記録しました。" if n else "記録済みです。"))
    from .examples import PUBLICATION_NAME, example_publication

    if not Path(PUBLICATION_NAME).exists():  # never over a file of the officer's own
        Path(PUBLICATION_NAME).write_bytes(example_publication())
        click.echo(f"公表版の例 {PUBLICATION_NAME} を置きました（piadiff import {PUBLICATION_NAME} で取り込めます）。")
    ctx = click.get_current_context()
    ctx.invoke(log, assessment_id=None, store_path=store_path)
    from .examples import example_ids

    for aid in example_ids():
        click.echo("")
        ctx.invoke(log, assessment_id=aid, store_path=store_path)
    first = example_ids()[-1]
    click.echo(f"\n$ piadiff changes {first.split('-')[0]}\n")
    ctx.invoke(changes, assessment_id=first, old="latest~1", new="latest", review=False, fmt="table", output=None,
               style=None, excerpt=None, gannen=None, store_path=store_path)


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as e:
        raise PiadiffError(f"{output} に書き出せません（{e.strerror}）") from None
    click.echo(f"{output} に書き出しました。", err=True)


def main() -> None:
    cli(prog_name="piadiff")
