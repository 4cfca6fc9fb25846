"""The console's web application: routes, sign-in and the decisions, on FastAPI.

Pages are server-rendered Jinja2 templates; htmx (vendored in ``static/``)
refreshes the inbox when a filter changes. No front-end build step.
Every POST checks the session's CSRF token; every read goes through
:mod:`console.queries` with the signed-in viewer.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from console import present, queries
from console.auth import Authenticator, csrf_ok, csrf_token
from console.feedback import FeedbackWriter
from console.follow import TopicFollower
from console.settings import ConsoleSettings
from console.store import Viewer, ViewStore
from console.verdicts import FeedbackRow, refused, settle
from contracts.errors import DependencyDown
from contracts.feedback import FeedbackRecord

log = logging.getLogger("cuewire.console")
HERE = Path(__file__).parent
REASONS = {"not_useful": "not useful", "wrong_account": "wrong account",
           "already_handled": "already handled", "false_signal": "false signal"}


@dataclass(slots=True)
class Vocabulary:
    """What a label correction may say: the taxonomy's signals, topics and intents."""

    signals: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Console:
    settings: ConsoleSettings
    store: ViewStore
    follower: TopicFollower | None
    writer: FeedbackWriter
    auth: Authenticator
    vocabulary: Vocabulary
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


class SignInRequired(Exception):
    pass


def create_app(console: Console) -> FastAPI:
    app = FastAPI(title="cuewire review console", docs_url=None, redoc_url=None, openapi_url=None)
    key = console.settings.secret_key.get_secret_value() if console.settings.secret_key else \
        secrets.token_urlsafe(32)
    # Lax, not strict: a link to an alert from e-mail or chat must open signed in; the
    # CSRF token, not the cookie's policy, is what guards the decisions.
    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie="cuewire_console",
                       same_site="lax", https_only=console.settings.secure_cookies,
                       max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(age=present.age, percent=present.percent, money=present.money,
                                 when=present.when, number=present.number,
                                 highlight=present.highlight, reasons=REASONS)

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        return templates.TemplateResponse(request, name, {
            "user": user, "csrf": csrf_token(request.session), "now": console.clock(),
            "follower_error": console.follower.error if console.follower else None, **context},
            status_code=status_code)

    def viewer(request: Request) -> Viewer:
        user = console.auth.current(request.session, request.client.host if request.client else None,
                                    request.headers)
        if user is None:
            raise SignInRequired
        request.state.user = user
        return user.viewer()

    def check_csrf(request: Request, token: str | None) -> None:
        if not csrf_ok(request.session, token or request.headers.get("x-csrf-token")):
            raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page and "
                                     "try again")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return page(request, "login.html", status_code=401, next="/", error="Sign in first.")

    @app.get("/healthz")
    def healthz() -> Response:
        ok = console.follower is None or console.follower.error is None
        return JSONResponse({"ok": ok}, status_code=200 if ok else 503)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", next=_local(next), error=None)

    @app.post("/login")
    def login(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()],
              csrf_token: Annotated[str | None, Form()] = None,
              next: Annotated[str, Form()] = "/") -> Response:
        check_csrf(request, csrf_token)
        user = console.auth.sign_in(email, password)
        if user is None:
            return page(request, "login.html", status_code=401, next=_local(next),
                        error="That e-mail and password do not match an account.")
        request.session.clear()
        request.session["email"] = user.email  # a fresh session: a fresh CSRF token
        log.info("signed in: %s", user.email)
        return RedirectResponse(_local(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home() -> Response:
        return RedirectResponse("/inbox", status_code=303)

    @app.get("/inbox", response_class=HTMLResponse)
    def inbox(request: Request, scope: str = "mine", priority: str = "", rule: str = "", signal: str = "",
              age: str = "", status: str = "open") -> HTMLResponse:
        who = viewer(request)
        f = queries.InboxFilter(scope if scope in ("mine", "team") else "mine", priority or None,
                                rule or None, signal or None, age or None,
                                status if status in ("open", "decided", "all") else "open")
        with console.store.read() as conn:
            found = queries.inbox(conn, who, f, console.clock())
            menus = queries.choices(conn, who)
        name = "inbox_rows.html" if request.headers.get("hx-request") else "inbox.html"
        return page(request, name, alerts=found, f=f, menus=menus)

    @app.get("/alerts/{alert_id}", response_class=HTMLResponse)
    def alert(request: Request, alert_id: str) -> HTMLResponse:
        who = viewer(request)
        with console.store.read() as conn:
            found = queries.alert(conn, who, alert_id)
            if found is None:
                return page(request, "missing.html", status_code=404, what="alert")
            history = queries.history(conn, alert_id)
            updates = queries.thread(conn, alert_id)
        late = settle([FeedbackRow(h["decision"], h["by"], h["at"], h["reason"], h["until"])
                       for h in history]).late
        return page(request, "alert.html", a=found, d=found["data"], history=history, late=late,
                    updates=updates,
                    vocabulary=console.vocabulary, notice=request.query_params.get("notice"))

    @app.post("/alerts/{alert_id}/decide")
    def decide(request: Request, alert_id: str,
               decision: Annotated[str, Form()],
               csrf_token: Annotated[str | None, Form()] = None,
               reason: Annotated[str, Form()] = "", until: Annotated[str, Form()] = "",
               message: Annotated[str, Form()] = "",
               label_frustrated: Annotated[str, Form()] = "", label_signal: Annotated[str, Form()] = "",
               label_topic: Annotated[str, Form()] = "",
               label_intents: Annotated[list[str] | None, Form()] = None) -> Response:
        who = viewer(request)
        check_csrf(request, csrf_token)
        with console.store.read() as conn:
            found = queries.alert(conn, who, alert_id)
        if found is None:
            return page(request, "missing.html", status_code=404, what="alert")
        if refused(found["status"], decision):
            return page(request, "conflict.html", status_code=409, a=found)
        labels: dict[str, Any] = {}
        if label_frustrated in ("true", "false"):
            labels["frustrated"] = label_frustrated == "true"
        if label_signal:
            labels["signal"] = label_signal
        if label_topic:
            labels["topic"] = label_topic
        if label_intents:
            labels["intents"] = sorted(set(label_intents))
        # The flow's feedback metric reads the rule from here (feedback names only an alert).
        labels["rule"] = found["rule"]
        try:
            record = FeedbackRecord(
                alert_id=alert_id, decision=decision,
                reason=(reason or None) if decision == "dismissed" else None,
                until=_until(until) if decision == "snoozed" else None, labels=labels,
                by=who.email, at=console.clock(), account_id=found["account_id"], rule=found["rule"],
                message=(message.strip() or None) if decision in ("approved", "sent") else None)
        except ValueError as exc:
            return page(request, "invalid.html", status_code=422, a=found, error=_first_error(exc))
        if record.until is not None and record.until <= console.clock():
            return page(request, "invalid.html", status_code=422, a=found,
                        error="a snooze must end in the future: pick a later date")
        try:
            written = console.writer.write(record)
        except DependencyDown as exc:
            return page(request, "invalid.html", status_code=503, a=found, error=str(exc))
        log.info("feedback %s on %s by %s at %s[%d]@%d", decision, alert_id, who.email,
                 written.topic, written.partition, written.offset)
        if console.follower is not None:
            console.follower.wait_for(written.topic, written.partition, written.offset)
        return RedirectResponse(f"/alerts/{alert_id}?notice={decision}", status_code=303)

    @app.get("/accounts/{account_id}", response_class=HTMLResponse)
    def account(request: Request, account_id: str) -> HTMLResponse:
        who = viewer(request)
        with console.store.read() as conn:
            found = queries.account(conn, who, account_id)
        if found is None:
            return page(request, "missing.html", status_code=404, what="account")
        return page(request, "account.html", acc=found)

    @app.get("/rules", response_class=HTMLResponse)
    def rules(request: Request) -> HTMLResponse:
        who = viewer(request)
        with console.store.read() as conn:
            table = queries.rules(conn, who)
        return page(request, "rules.html", rules=table)

    @app.get("/unattached", response_class=HTMLResponse)
    def unattached(request: Request) -> HTMLResponse:
        who = viewer(request)
        if not who.admin:
            return page(request, "missing.html", status_code=404, what="page")
        with console.store.read() as conn:
            found = queries.unattached(conn, who)
        return page(request, "unattached.html", records=found)

    @app.post("/admin/rebuild")
    def rebuild(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
        who = viewer(request)
        check_csrf(request, csrf_token)
        if not who.admin or console.follower is None:
            raise HTTPException(403, "only an admin may rebuild the view")
        console.follower.rebuild()
        return RedirectResponse("/inbox?scope=team", status_code=303)

    return app


def _local(target: str) -> str:
    """Only a path on this console: a sign-in link must not send anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _until(value: str) -> datetime | None:
    """A date from the form's date field: the snooze ends at the start of that day, UTC."""
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"until: {value!r} is not a date such as 2026-12-15") from None
    return datetime.combine(day.date(), time(0), tzinfo=UTC)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)

