"""`piadiff serve`: a local web view over the same library functions as the CLI.

Pages: every assessment (with what is due), one assessment's versions, the comparison of two
versions (rows, highlights, proposed 提出時期 with the 要確認 of 低 rows, filters, a form per row to
decide), the cumulative
annex with downloads identical to the CLI's files, and one item's history.

Safety: bound to localhost unless told otherwise, and then only with a password; every POST
carries a CSRF token; every value is escaped by the templates; assessment ids and versions go
through the store's own checks; a decision on a page the store has moved past is refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from pathlib import Path

from .errors import NotFoundError, PiadiffError
from .wareki import to_wareki

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DOWNLOADS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


def create_app(store_path: str | Path, *, password: str | None = None, today: dt.date | None = None):
    """The Flask application serving the store at ``store_path``."""
    from flask import Flask, Response, abort, redirect, render_template, request, session, url_for

    from .render import templates_dir

    app = Flask(__name__, template_folder=str(templates_dir()))
    app.secret_key = secrets.token_bytes(32)  # a new key per run: old pages' tokens stop working
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    store_path = Path(store_path)

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

    @app.before_request
    def guard():
        if password is not None:
            auth = request.authorization
            if auth is None or not hmac.compare_digest((auth.password or "").encode(), password.encode()):
                return Response("パスワードが必要です。", 401, {"WWW-Authenticate": 'Basic realm="piadiff"'})
        if request.method == "POST":
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
            before, after = (Markup(h) for h in highlight(row.before, row.after)) if row.change == "changed" else (None, None)
            views.append({"n": n, "row": row, "before": before, "after": after})
        return render_template("web/compare.html", aid=aid, revs=revs, batch=batch, views=views, old=old, new=new,
                               head=head, sections=sections, section=section, consecutive=consecutive,
                               filters={"significant": only_significant, "pre": only_pre, "person": only_person,
                                        "review": only_review},
                               low=sum(1 for r in batch.rows if r.needs_review))

    @app.route("/a/<aid>/decide", methods=["POST"])
    def decide(aid: str):
        from .decisions import decide as record_decision
        from .limits import VERSION_DIGITS, short

        form = request.form
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
                            explanation=explanation if explanation else None, author=form.get("author") or None)
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
        return Response(data, mimetype=DOWNLOADS[fmt],
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

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return app


def serve(store_path: str | Path, host: str = "127.0.0.1", port: int = 8000, password: str | None = None) -> None:
    """Run the web view until Ctrl-C."""
    from werkzeug.serving import make_server

    from .store import Store

    Store(store_path).close()  # a clear error before anything listens
    if host not in LOCAL_HOSTS and not password:
        raise PiadiffError("localhost 以外で公開するときはパスワードが必要です（環境変数 PIADIFF_PASSWORD で設定してください）")
    server = make_server(host, port, create_app(store_path, password=password), threaded=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"piadiff を http://{shown}:{server.server_port}/ で開いています（止めるには Ctrl-C）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        print("止めました。", flush=True)
