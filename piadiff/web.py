"""`piadiff serve`: a local web view over the same library functions as the CLI.

Pages: every assessment (with what is due), one assessment's versions, the comparison of two
versions (rows, highlights, proposed 提出時期 with the 要確認 of 低 rows, filters, a form per row to
decide), the cumulative
annex with downloads identical to the CLI's files, and one item's history.

Safety: bound to localhost unless told otherwise, and then only with a password; a request whose
Host is not the bound address (or a name allowed with --allow-host) is refused, so that DNS
rebinding cannot make a hostile page a same-origin client; a POST must come from a page of this
server (Origin, else Referer) and carry a CSRF token; every value is escaped by the templates;
assessment ids and versions go through the store's own checks; a decision on a page the store has
moved past is refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from .errors import NotFoundError, PiadiffError
from .wareki import to_wareki

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
#: addresses that bind every interface of the machine
ANY_ADDRESS = ("0.0.0.0", "::", "")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DNS_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def host_name(value: str) -> str | None:
    """The name in a Host header or an address (``127.0.0.1:8000``, ``[::1]:8000``, ``Localhost.``):
    lower-cased, without the port or a final dot, an IP address written one way; None if it is no
    host name (a user part, a path, a space, a bad port...)."""
    if value.startswith("["):
        end = value.find("]")
        name, rest = (value[1:end], value[end + 1:]) if end > 0 else ("", "")
        if ":" not in name:
            return None
    elif value.count(":") > 1:  # a bare IPv6 address (an option's value, never a Host header)
        name, rest = value, ""
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and not re.fullmatch(r":[0-9]{1,5}", rest):
        return None
    name = name.lower()
    name = name[:-1] if name.endswith(".") else name
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        pass
    return name if len(name) <= 253 and _DNS_NAME.fullmatch(name) else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostCheck:
    """Which Host headers the server answers: the address it is bound to (every loopback name when
    that is a loopback address), the names given with ``--allow-host``, and, bound to every address
    (0.0.0.0), any IP address. A name it does not know is what DNS rebinding sends, so it is refused."""

    def __init__(self, bound: str = "127.0.0.1", allow: Iterable[str] = ()):
        from .errors import PiadiffError

        self.any_address = bound in ANY_ADDRESS
        name = None if self.any_address else host_name(bound)
        self.names = set() if name is None else {name}
        if self.any_address or name == "localhost" or (name is not None and _is_ip(name) and ipaddress.ip_address(name).is_loopback):
            self.names |= {host_name(h) for h in LOCAL_HOSTS}
        for given in allow:
            name = host_name(given.strip())
            if name is None:
                raise PiadiffError(f"--allow-host「{given}」はホスト名として使えません（例: --allow-host pia.example.lg.jp）")
            self.names.add(name)

    def allows(self, header: str) -> bool:
        name = host_name(header)
        return name is not None and (name in self.names or (self.any_address and _is_ip(name)))


def _origin(url: str, default_scheme: str | None = None) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin or Referer value, or of a Host header with ``default_scheme``."""
    if default_scheme is not None:
        scheme, netloc = default_scheme, url
    else:
        parts = urlsplit(url)
        scheme, netloc = parts.scheme.lower(), parts.netloc
        if "@" in netloc:
            return None
    name = host_name(netloc)
    if scheme not in ("http", "https") or name is None:
        return None
    port = netloc.rpartition(":")[2] if not netloc.endswith("]") and ":" in netloc else ""
    return scheme, name, int(port) if port else (443 if scheme == "https" else 80)
DOWNLOADS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


def create_app(store_path: str | Path, *, password: str | None = None, today: dt.date | None = None,
               host: str = "127.0.0.1", allow_hosts: Iterable[str] = ()):
    """The Flask application serving the store at ``store_path``, bound to ``host``; it answers only
    requests whose Host is that address or one of ``allow_hosts`` (see :class:`HostCheck`)."""
    from flask import Flask, Response, abort, redirect, render_template, request, session, url_for

    from .render import templates_dir

    app = Flask(__name__, template_folder=str(templates_dir()))
    app.secret_key = secrets.token_bytes(32)  # a new key per run: old pages' tokens stop working
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    store_path = Path(store_path)
    hosts = HostCheck(host, allow_hosts)

    def open_store():
        from .store import Store

        return Store(store_path)

    def settings():
        from .settings import load_settings

        return load_settings(store_path)

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["wareki"] = lambda d: to_wareki(d) if d else ""

    def refuse(message: str, status: int):
        return Response(render_template("web/error.html", message=message), status, mimetype="text/html")

    @app.before_request
    def guard():
        if not hosts.allows(request.host):
            shown = request.host if len(request.host) <= 100 else request.host[:100] + "…"
            return refuse(f"このサーバーは「{shown}」という名前では開けません（別のサイトが名前の向き先を書き換えて"
                          "この画面を操作するのを防ぐため、待ち受けているアドレスと許した名前にだけ答えます）。"
                          "起動したときに表示されたアドレスで開いてください。この名前で使うときは、"
                          f"piadiff serve --allow-host {host_name(request.host) or '名前'} で許可してください。", 400)
        if password is not None:
            auth = request.authorization
            if auth is None or not hmac.compare_digest((auth.password or "").encode(), password.encode()):
                return Response("パスワードが必要です。", 401, {"WWW-Authenticate": 'Basic realm="piadiff"'})
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            source = request.headers.get("Origin") or request.headers.get("Referer")
            if not source:
                return refuse("送信元（Origin・Referer）の分からない送信は受け付けません（何も記録していません）。"
                              "ブラウザで piadiff の画面を開き、その画面から操作してください。", 403)
            if _origin(source) is None or _origin(source) != _origin(request.host, request.scheme):
                shown = source if len(source) <= 100 else source[:100] + "…"
                return refuse(f"ほかのページ（{shown}）からの送信は受け付けません（何も記録していません）。"
                              "piadiff の画面を開き直して、その画面から操作してください。", 403)
            sent = request.form.get("csrf", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(400, "フォームの確認用の値が正しくありません。ページを開き直してから操作してください。")
        return None

    @app.errorhandler(PiadiffError)
    def user_error(e: PiadiffError):
        status = 404 if isinstance(e, NotFoundError) else 400
        return render_template("web/error.html", message=str(e)), status

    @app.errorhandler(400)
    def bad_request(e):
        return render_template("web/error.html", message=getattr(e, "description", "要求が正しくありません。")), 400

    @app.route("/")
    def home():
        from .procedure import required_kind
        from .status import store_status

        sort = request.args.get("sort", "id")
        with open_store() as store:
            rows = store_status(store, today)
            moves = {}
            for s in rows:  # しきい値: does the latest version call for a higher kind?
                need = required_kind(store.read(s.summary.latest))
                order = ["基礎項目評価書", "重点項目評価書", "全項目評価書"]
                if need and need.kind in order and s.summary.kind in order and order.index(need.kind) > order.index(s.summary.kind):
                    moves[s.summary.assessment_id] = need.kind
        keys = {"id": lambda s: s.summary.assessment_id, "date": lambda s: s.summary.latest.change_date,
                "review": lambda s: s.review_due, "reassess": lambda s: s.reassess_due or dt.date.max,
                "kind": lambda s: s.summary.kind, "count": lambda s: -s.summary.count}
        rows.sort(key=keys.get(sort, keys["id"]))
        return render_template("web/home.html", rows=rows, moves=moves, sort=sort)

    @app.route("/a/<aid>")
    def assessment(aid: str):
        with open_store() as store:
            aid = store.resolve_id(aid)
            revs = store.revisions(aid)
        return render_template("web/assessment.html", aid=aid, revs=revs)

    @app.route("/a/<aid>/compare")
    def compare(aid: str):
        from markupsafe import Markup

        from .annex import changes_between
        from .render import highlight

        with open_store() as store:
            aid = store.resolve_id(aid)
            revs = store.revisions(aid)
            old = request.args.get("old") or (revs[-2].label if len(revs) > 1 else revs[-1].label)
            new = request.args.get("new") or revs[-1].label
            batch = changes_between(store, aid, old, new, settings())
            head = store._head_sha()
            consecutive = store.revision(aid, new).number - store.revision(aid, old).number == 1
        section = request.args.get("section", "")
        only_significant = request.args.get("significant") == "1"
        only_pre = request.args.get("pre") == "1"
        only_person = request.args.get("person") == "1"
        only_review = request.args.get("review") == "1"
        sections = sorted({r.item_code.split("-")[0] for r in batch.rows}, key=lambda c: (len(c), c))
        views = []
        for n, row in enumerate(batch.rows, start=1):
            if (section and not row.item_code.startswith(section)) or (only_significant and not row.significant) or \
                    (only_pre and row.timing_text != "事前") or (only_person and not row.decided_by_person) or \
                    (only_review and not row.needs_review):
                continue
            # highlight() escapes every character itself and adds only <del>/<ins>
            before, after = (Markup(h) for h in highlight(row.before, row.after)) if row.change == "changed" and row.prose else (None, None)
            views.append({"n": n, "row": row, "before": before, "after": after})
        return render_template("web/compare.html", aid=aid, revs=revs, batch=batch, views=views, old=old, new=new,
                               head=head, sections=sections, section=section, consecutive=consecutive,
                               filters={"significant": only_significant, "pre": only_pre, "person": only_person,
                                        "review": only_review},
                               low=sum(1 for r in batch.rows if r.needs_review))

    @app.route("/a/<aid>/decide", methods=["POST"])
    def decide(aid: str):
        from .decisions import decide as record_decision
        from .inputs import check_author
        from .limits import VERSION_DIGITS, short

        form = request.form
        author = check_author(form["author"], "判断した人") if form.get("author", "").strip() else None  # 400 if refused
        row_text = form.get("row", "").strip()
        if not (row_text.isascii() and row_text.isdigit() and len(row_text) <= VERSION_DIGITS):  # an error page, not a 500
            raise PiadiffError(f"行番号「{short(row_text)}」が読めません（変更箇所の行の番号を数字で指定してください。何も記録していません）")
        row = int(row_text)
        with open_store() as store:
            aid = store.resolve_id(aid)
            if form.get("head") != store._head_sha():
                return render_template("web/error.html", message="このページを開いた後に保存先が更新されました。"
                                       "ページを開き直して、最新の内容で判断してください（何も記録していません）。"), 409
            timing = form.get("timing") or None
            explanation = form.get("explanation")
            record_decision(store, aid, form["version"], row, settings(), timing=timing,
                            explanation=explanation if explanation else None, author=author)
        return redirect(url_for("compare", aid=aid, old=form.get("old"), new=form["version"]) + f"#row-{row}", 303)

    @app.route("/a/<aid>/annex")
    def annex(aid: str):
        from .annex import cumulative_annex

        with open_store() as store:
            aid = store.resolve_id(aid)
            batches = cumulative_annex(store, aid, settings())
            title = store.revision(aid).title
        return render_template("web/annex.html", aid=aid, batches=batches, title=title)

    @app.route("/a/<aid>/annex.<fmt>")
    def download(aid: str, fmt: str):
        from urllib.parse import quote

        from .annex import cumulative_annex
        from .render import render

        if fmt not in DOWNLOADS:
            abort(404)
        with open_store() as store:
            aid = store.resolve_id(aid)
            data = render(cumulative_annex(store, aid, settings()), fmt, store.revision(aid).title)
        name = quote(f"{aid}_変更箇所.{fmt}")
        return Response(data, content_type=DOWNLOADS[fmt],  # as given: mimetype= would add a second charset
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})

    @app.route("/a/<aid>/history")
    def history(aid: str):
        from .imports import item_history

        item = request.args.get("item", "").strip()
        rows, code = [], None
        with open_store() as store:
            aid = store.resolve_id(aid)
            if item:
                code, rows = item_history(store, aid, item, settings())
        return render_template("web/history.html", aid=aid, item=item, code=code, rows=rows)

    _edit_routes(app, open_store, settings, refuse, today)

    @app.after_request
    def headers(response):
        # scripts only from this server (the editor's autosave, templates/web/editor.js), never inline
        response.headers.setdefault("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                    "script-src 'self'; connect-src 'self'; "
                                    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin: our own forms send their Origin (no-referrer would make it "null"), other sites get nothing
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


#: what the editor says after a save (the page names it by a code, never by text from the request)
EDIT_MESSAGES = {"saved": "下書きを保存しました（まだ記録していません）。",
                 "added": "一件を追加しました（下書きに保存。まだ記録していません）。",
                 "removed": "一件を削除しました（下書きに保存。まだ記録していません）。",
                 "moved": "順番を入れ替えました（下書きに保存。まだ記録していません）。",
                 "edge": "これ以上は動かせません。",
                 "carried": "下書きの変更を最新版に移しました。内容を確かめてください（まだ記録していません）。",
                 "discarded": "下書きを捨てました。"}


def _edit_routes(app, open_store, settings, refuse, today) -> None:
    """Editing in the browser: the form, drafts, the compare-before-record page, recording and
    carrying a draft over (the model is piadiff.editor; these only read requests and answer)."""
    import threading
    from dataclasses import replace

    from flask import abort, redirect, render_template, request, url_for
    from markupsafe import Markup

    from .editor import NEW_FOLDER, Draft, Drafts, apply_action, check, draft_title, form_to_raw, form_tree, warnings_of

    place = {}  # the store's git directory, found once
    # a draft is read, checked against the page's token and written as one step (threads of this server)
    lock = threading.Lock()

    def drafts(store=None) -> Drafts:
        if "git" not in place:
            if store is None:
                with open_store() as s:
                    place["git"] = s.git_dir
            else:
                place["git"] = store.git_dir
        return Drafts(place["git"])

    def where(aid: str | None, token: str | None) -> dict:
        """The URLs and draft key of one edit: a recorded assessment's, or a new assessment's."""
        if aid is not None:
            return {"aid": aid, "key": aid, "edit": url_for("edit", aid=aid), "compare": url_for("edit_compare", aid=aid),
                    "record": url_for("edit_record", aid=aid), "discard": url_for("edit_discard", aid=aid),
                    "carry": url_for("edit_carry", aid=aid)}
        return {"aid": None, "key": f"{NEW_FOLDER}/{token}", "edit": url_for("new_edit", token=token),
                "compare": url_for("new_compare", token=token), "record": url_for("new_record", token=token),
                "discard": url_for("new_discard", token=token), "carry": ""}

    def message(text: str, status: int, links: list[tuple[str, str]]):
        return render_template("web/edit_message.html", message=text, links=links), status

    def stale_token(w: dict):
        return message("この下書きは、このページを開いた後に別の画面で保存・記録・破棄されました。上書きしないよう、"
                       "何もしていません。下書きを開き直して、最新の内容から続けてください。", 409, [("下書きを開き直す", w["edit"])])

    def open_draft(store, w: dict, sent: str) -> Draft | None:
        """The draft the page was made from; None where it changed since (never overwritten)."""
        draft = drafts(store).load(w["key"])
        return draft if (draft.token if draft else "") == sent else None

    def draft_of(aid: str) -> Draft | None:
        from .errors import PiadiffError

        try:
            return drafts().load(aid)
        except PiadiffError:  # the edit page says what is wrong with it
            return None

    app.jinja_env.globals["draft_of"] = draft_of
    app.jinja_env.globals["new_drafts"] = lambda: drafts().new_drafts()
    app.jinja_env.globals["draft_title"] = draft_title

    def kinds() -> list[str]:
        from .catalog import known_kinds

        return known_kinds()

    app.jinja_env.globals["form_kinds"] = kinds

    # the form ------------------------------------------------------------------------------
    def show_form(aid: str | None, token: str | None):
        w = where(aid, token)
        with open_store() as store:
            if aid is not None:
                aid = store.resolve_id(aid)
                w = where(aid, None)
                latest = store.revisions(aid)[-1]
            else:
                latest = None
            draft = drafts(store).load(w["key"])
            if draft is None and latest is None:
                return message("この新しい評価書の下書きはありません（記録されたか、捨てられました）。", 404, [("一覧へ", "/")])
            if draft is None:
                data, base_label, base_commit, sent = store.read(latest).data, latest.label, latest.commit, ""
            else:
                data, base_label, base_commit, sent = draft.data, draft.base_label, draft.base_commit, draft.token
        doc, problems = check(data) if draft is not None else (None, [])
        stale = latest is not None and draft is not None and draft.base_commit != latest.commit
        return render_template("web/edit.html", w=w, form=form_tree(data, problems, warnings_of(doc)), draft=draft, token=sent,
                               base_label=base_label, base_commit=base_commit, latest=latest, stale=stale,
                               notice=EDIT_MESSAGES.get(request.args.get("msg", ""), ""))

    def save_form(aid: str | None, token: str | None):
        from .errors import PiadiffError

        form = request.form
        with lock, open_store() as store:
            if aid is not None:
                aid = store.resolve_id(aid)
            w = where(aid, token)
            draft = drafts(store).load(w["key"])
            if (draft.token if draft else "") != form.get("token", "") or (draft is None and aid is None):
                return stale_token(w)  # saved, recorded or discarded elsewhere since this page was made
            if draft is None:  # the first save of an edit of a recorded version
                base = store.revision(aid, form.get("base", ""))
                if base.commit != form.get("base"):
                    raise PiadiffError("この画面の元の版が読めません（ページを開き直してください。何も保存していません）")
                draft = Draft(base.kind, {}, aid, base.label, base.commit, base_hash=base.content_hash)
            raw = form_to_raw(draft.kind, form)
            action = form.get("action", "save")
            anchor, code = "", "saved"
            if action.partition(":")[0] in ("add", "remove", "up", "down"):
                raw, anchor, code = apply_action(raw, action)
            saved = replace(draft, data=raw)
            drafts(store).save(w["key"], saved)
        if action == "autosave":  # the page's script: it carries on with the new token, the page stays
            return {"token": saved.token, "saved": dt.datetime.now().strftime("%H:%M:%S")}
        if action == "compare":
            return redirect(w["compare"], 303)
        return redirect(f"{w['edit']}?msg={code}" + (f"#{anchor}" if anchor else ""), 303)

    @app.route("/editor.js")
    def editor_script():
        from flask import Response

        from .render import templates_dir

        script = (templates_dir() / "web" / "editor.js").read_text(encoding="utf-8")
        return Response(script, content_type="text/javascript; charset=utf-8")

    @app.route("/a/<aid>/edit", methods=["GET", "POST"])
    def edit(aid: str):
        return show_form(aid, None) if request.method == "GET" else save_form(aid, None)

    @app.route("/new/<token>/edit", methods=["GET", "POST"])
    def new_edit(token: str):
        from .editor import check_token

        check_token(token)
        return show_form(None, token) if request.method == "GET" else save_form(None, token)

    @app.route("/new", methods=["POST"])
    def new_document():
        from .catalog import load_catalog
        from .editor import blank_raw, new_token

        kind = load_catalog(request.form.get("kind", "")).kind  # an unknown kind: an error page
        token = new_token()
        with lock, open_store() as store:
            drafts(store).save(f"{NEW_FOLDER}/{token}", Draft(kind, blank_raw(kind)))
        return redirect(url_for("new_edit", token=token), 303)

    # compare before recording, then record -------------------------------------------------------
    def compare_page(aid: str | None, token: str | None, error: str = "", status: int = 200):
        from .editor import default_change_date, draft_batch, draft_plan, earliest_effective, warnings_of
        from .errors import PiadiffError
        from .render import highlight
        from .wareki import parse_date, to_wareki

        with open_store() as store:
            if aid is not None:
                aid = store.resolve_id(aid)
            w = where(aid, token)
            draft = drafts(store).load(w["key"])
            if draft is None:
                return redirect(w["edit"], 303)
            latest = store.revisions(aid)[-1] if aid is not None else None
            if latest is not None and draft.base_commit != latest.commit:
                return redirect(w["carry"], 303)
            doc, problems = check(draft.data)
            batch, existing, same = None, None, False
            date = default_change_date(doc, latest.change_date if latest else None, today)
            if doc is not None and latest is not None:
                same = doc.content_hash() == latest.content_hash
                batch = draft_batch(store, aid, doc, date, settings())
            elif doc is not None:
                new_id = store.id_for(doc)
                existing = new_id if new_id in store.assessment_ids() else None
        effective, effective_error = None, ""
        if request.args.get("effective", "").strip():
            try:
                effective = parse_date(request.args["effective"])
            except PiadiffError as e:
                effective_error = str(e)
        body = request.args.get("body") if request.args.get("body") in ("local", "national") else "local"
        views, plan, earliest = [], None, None
        if batch is not None:
            for n, row in enumerate(batch.rows, start=1):
                before, after = (Markup(h) for h in highlight(row.before, row.after)) if row.change == "changed" and row.prose else (None, None)
                views.append({"n": n, "row": row, "before": before, "after": after})
            plan = draft_plan(batch, doc.kind, aid, date, effective, body, today)
            earliest = to_wareki(earliest_effective(doc.kind, body, today)) if plan.significant and effective is None else None
        return render_template("web/edit_compare.html", w=w, draft=draft, doc=doc, form=form_tree(draft.data, problems) if problems else None,
                               problems=problems, warnings=warnings_of(doc), batch=batch, views=views, latest=latest, same=same,
                               existing=existing, date_text=to_wareki(date), plan=plan, earliest=earliest,
                               effective=request.args.get("effective", ""),
                               effective_error=effective_error, body=body, token=draft.token, error=error,
                               low=sum(1 for r in batch.rows if r.needs_review) if batch else 0), status

    @app.route("/a/<aid>/edit/compare")
    def edit_compare(aid: str):
        return compare_page(aid, None)

    @app.route("/new/<token>/compare")
    def new_compare(token: str):
        from .editor import check_token

        return compare_page(None, check_token(token))

    def record(aid: str | None, token: str | None):
        from .errors import PiadiffError
        from .inputs import check_author
        from .wareki import parse_date, to_wareki

        form = request.form
        with lock, open_store() as store:
            if aid is not None:
                aid = store.resolve_id(aid)
            w = where(aid, token)
            draft = open_draft(store, w, form.get("token", ""))
            if draft is None:
                return stale_token(w)
            latest = store.revisions(aid)[-1] if aid is not None else None
            if latest is not None and draft.base_commit != latest.commit:
                return message(f"この下書きは {draft.base_label} から始めましたが、その後 {latest.label} が記録されています。"
                               "上書きしないよう、記録していません。下書きの変更を最新版に移してから記録してください。", 409,
                               [("下書きを最新版に移す", w["carry"])])
            doc, problems = check(draft.data)
            if doc is None:
                return message(f"下書きに {len(problems)} 件の問題があるため記録していません。直してから記録してください。", 400,
                               [("下書きに戻る", w["edit"])])
            try:
                date = parse_date(form.get("date", "").strip())
                if latest is not None and date < latest.change_date:
                    raise PiadiffError(f"変更日 {to_wareki(date)} は最新版 {latest.label} の変更日 {latest.change_date_wareki} "
                                       "より前です。版は変更日の順に記録します")
                same_date = form.get("same_date") == "1"
                if latest is not None and date == latest.change_date and not same_date:
                    raise PiadiffError(f"変更日 {to_wareki(date)} は最新版 {latest.label} の変更日と同じです。同じ日の二つ目の版なら"
                                       "「同じ日の二つ目の版として記録する」にチェックを付けてください")
                author = check_author(form["author"]) if form.get("author", "").strip() else None
                note = form.get("message", "").strip() or None
                new_id = None
                if aid is None:
                    new_id = store.id_for(doc)
                    if new_id in store.assessment_ids():
                        raise PiadiffError(f"評価書番号 {doc.number} の評価書「{new_id}」は既に記録されています。その評価書の"
                                           "「この版を編集」から編集してください")
                result = store.record(doc, assessment_id=aid or new_id, change_date=date, message=note, author=author,
                                      same_date=same_date)
            except PiadiffError as e:
                return compare_page(aid, token, error=f"{e}（何も記録していません）", status=400)
            rev = result.revision
            if not result.recorded:
                return message(f"下書きは {rev.label}（変更日 {rev.change_date_wareki}）と同じ内容です。何も記録していません"
                               "（下書きは残っています）。", 200, [("下書きに戻る", w["edit"])])
            drafts(store).delete(w["key"])
        if result.new_assessment:
            return redirect(url_for("assessment", aid=rev.assessment_id), 303)
        return redirect(url_for("compare", aid=rev.assessment_id, old=result.latest.label, new=rev.label), 303)

    @app.route("/a/<aid>/edit/record", methods=["POST"])
    def edit_record(aid: str):
        return record(aid, None)

    @app.route("/new/<token>/record", methods=["POST"])
    def new_record(token: str):
        from .editor import check_token

        return record(None, check_token(token))

    def discard(aid: str | None, token: str | None):
        with lock, open_store() as store:
            if aid is not None:
                aid = store.resolve_id(aid)
            w = where(aid, token)
            if open_draft(store, w, request.form.get("token", "")) is None:
                return stale_token(w)
            drafts(store).delete(w["key"])
        return redirect(url_for("assessment", aid=aid) if aid else "/", 303)

    @app.route("/a/<aid>/edit/discard", methods=["POST"])
    def edit_discard(aid: str):
        return discard(aid, None)

    @app.route("/new/<token>/discard", methods=["POST"])
    def new_discard(token: str):
        from .editor import check_token

        return discard(None, check_token(token))

    # a draft started from a version recorded over since ---------------------------------------------
    @app.route("/a/<aid>/edit/carry", methods=["GET", "POST"])
    def edit_carry(aid: str):
        from .annex import changes_between
        from .editor import base_revision, carry_over

        with lock, open_store() as store:
            aid = store.resolve_id(aid)
            w = where(aid, None)
            sent = request.form.get("token", "") if request.method == "POST" else None
            draft = drafts(store).load(aid) if sent is None else open_draft(store, w, sent)
            if draft is None:
                return stale_token(w) if sent is not None else redirect(w["edit"], 303)
            revs = store.revisions(aid)
            latest = revs[-1]
            if draft.base_commit == latest.commit:
                return redirect(w["edit"], 303)
            base = base_revision(store, aid, draft)  # None: every value the draft has otherwise is the officer's choice
            if request.method == "POST" and request.form.get("latest") != latest.commit:
                return message(f"このページを開いた後に {latest.label} が記録されました。何もしていません。開き直してください。", 409,
                               [("開き直す", w["carry"])])
            choices = request.form if request.method == "POST" else {}
            base_data = store.read(base).data if base is not None else {}
            carried = carry_over(base_data, draft.data, store.read(latest).data, settings(), choices)
            if request.method == "POST":
                if carried.unresolved:
                    abort(400, f"両方で変わった項目 {carried.unresolved} か所のどちらを残すか選んでください（何もしていません）")
                drafts(store).save(aid, Draft(draft.kind, carried.data, aid, latest.label, latest.commit, base_hash=latest.content_hash))
                return redirect(f"{w['edit']}?msg=carried", 303)
            between = changes_between(store, aid, base.label, latest.label, settings()) if base is not None else None
        return render_template("web/edit_carry.html", w=w, draft=draft, base=base, latest=latest, between=between,
                               carried=carried, token=draft.token)


def serve(store_path: str | Path, host: str = "127.0.0.1", port: int = 8000, password: str | None = None,
          allow_hosts: Iterable[str] = ()) -> None:
    """Run the web view until Ctrl-C; ``allow_hosts``: more names it may be opened by (--allow-host)."""
    from werkzeug.serving import make_server

    from .store import Store

    Store(store_path).close()  # a clear error before anything listens
    if host not in LOCAL_HOSTS and not password:
        raise PiadiffError("localhost 以外で公開するときはパスワードが必要です（環境変数 PIADIFF_PASSWORD で設定してください）")
    app = create_app(store_path, password=password, host=host, allow_hosts=allow_hosts)  # checks --allow-host
    server = make_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"piadiff を http://{shown}:{server.server_port}/ で開いています（止めるには Ctrl-C）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        print("止めました。", flush=True)
