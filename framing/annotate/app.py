"""The coding web app: FastAPI, one personal token per coder, blind coding, saves on every change.

Pages are static shells; everything scraped (titles, article text, notes) travels as JSON and is
put on the page with ``textContent`` by the scripts, never parsed as HTML, and a strict
Content-Security-Policy forbids inline scripts, so an article containing ``<script>`` or
``onerror=`` shows as text and runs nothing.

Blind coding: every API route takes the coder's token and answers only about that coder's own
queue and own judgements. Reviewers (role ``reviewer``) see all coders' labels side by side and
set the final label, which rewrites the study's ``tables/gold.parquet``.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse

from framing.annotate.database import AnnotationDB, Coder, Unit, now
from framing.annotate.judgement import Judgement
from framing.annotate.project import annotation_db, sentences, unit_statuses, write_gold
from framing.study.codebook import Codebook
from framing.study.config import Pipeline, study_codebook
from framing.tag.rules import RuleTagger

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",   # tokens live in URLs; never leak them to a source site
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_BODY_BYTES = 64 * 1024  # a judgement with a 5,000-character note is under 25 KB


class JudgementIn(BaseModel):
    frames: list[str] = []
    dominant: str | None = None
    relevant: bool = True
    note: str = Field("", max_length=5000)
    complete: bool = False


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(spec: Pipeline, public: bool = False, allowed_hosts: list[str] | None = None) -> FastAPI:
    """Build the app for a study.

    Parameters
    ----------
    spec
        The study; its ``annotate`` options decide whether outlets and rule highlights are shown.
    public
        True when served on a non-loopback interface: the index of coder links is then disabled,
        so every page needs a personal token.
    allowed_hosts
        Host names and addresses the app answers to (the ``Host`` header, port aside); any other
        gets 400. Default: loopback names only. This stops a page the teacher visits from reading
        the index of everyone's links by pointing its own name at 127.0.0.1 (DNS rebinding).
    """
    db = annotation_db(spec)
    book = study_codebook(spec)
    app = FastAPI(title="framing annotate", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    gold_lock = threading.Lock()
    tagger = RuleTagger(book, min_hits=spec.tag.min_hits)
    tag_lock = threading.Lock()   # the rule tagger's caches are not thread-safe

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts or LOOPBACK_NAMES))
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(title=spec.title, **context))

    def coder_for(token: str, role: str | None = None) -> Coder:
        coder = db.coder_by_token(token)
        if coder is None or (role and coder.role != role):
            raise HTTPException(404, "unknown link: ask your teacher for your personal link")
        return coder

    def assigned_unit(coder: Coder, unit_id: str) -> Unit:
        # 404, not 403: a coder cannot even learn which units exist outside their queue
        if not db.is_assigned(coder.name, unit_id):
            raise HTTPException(404, "not in your queue")
        return db.unit(unit_id)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        if public:
            return page("index.html", coders=None)
        return page("index.html", coders=db.coders())

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/code/{token}", response_class=HTMLResponse)
    def coding_page(token: str):
        coder = coder_for(token)
        if coder.role == "reviewer":
            return RedirectResponse(f"/review/{token}")
        return page("code.html", coder=coder.name)

    @app.get("/review/{token}", response_class=HTMLResponse)
    def review_page(token: str) -> HTMLResponse:
        coder = coder_for(token, role="reviewer")
        return page("review.html", coder=coder.name)

    @app.get("/api/{token}/state")
    def state(token: str) -> dict[str, Any]:
        coder = coder_for(token)
        return {"coder": coder.name, "role": coder.role, "queue": db.queue(coder.name) if coder.role == "coder" else [],
                "codebook": codebook_json(book), "show_outlet": spec.annotate.show_outlet, "study": spec.title}

    @app.get("/api/{token}/units/{unit_id}")
    def get_unit(token: str, unit_id: str) -> dict[str, Any]:
        coder = coder_for(token, role="coder")
        unit = assigned_unit(coder, unit_id)
        saved = db.judgement(coder.name, unit_id)
        body = unit_json(unit, spec.annotate.show_outlet)
        if highlights_on(unit):
            with tag_lock:
                body["highlights"] = highlight_spans(tagger, unit)
        body["judgement"] = judgement_json(saved[0]) if saved else None
        body["complete"] = bool(saved and saved[1])
        if unit.round == "training" and saved and saved[1]:
            body["feedback"] = training_feedback(db, book, saved[0])
        return body

    @app.put("/api/{token}/units/{unit_id}")
    def put_unit(token: str, unit_id: str, payload: JudgementIn) -> dict[str, Any]:
        coder = coder_for(token, role="coder")
        unit = assigned_unit(coder, unit_id)
        judgement = checked(payload, book, unit_id, coder.name)
        revision = db.save(judgement, complete=payload.complete)
        answer: dict[str, Any] = {"saved_at": judgement.created_at, "revision": revision,
                                  "complete": payload.complete}
        if unit.round == "training" and payload.complete:
            answer["feedback"] = training_feedback(db, book, judgement)
        return answer

    @app.get("/api/{token}/review")
    def review_list(token: str) -> dict[str, Any]:
        coder_for(token, role="reviewer")
        return {"units": review_rows(db), "codebook": codebook_json(book), "study": spec.title}

    @app.get("/api/{token}/review/{unit_id}")
    def review_unit(token: str, unit_id: str) -> dict[str, Any]:
        coder_for(token, role="reviewer")
        try:
            unit = db.unit(unit_id)
        except KeyError as exc:
            raise HTTPException(404, "no such unit") from exc
        labels = [judgement_json(j) | {"coder": j.coder}
                  for j in db.judgements(round=None) if j.unit == unit_id]
        final = db.adjudications().get(unit_id)
        return {**unit_json(unit, show_outlet=True), "labels": labels,
                "assigned": db.assigned_coders(unit_id), "final": judgement_json(final) if final else None}

    @app.put("/api/{token}/review/{unit_id}")
    def adjudicate(token: str, unit_id: str, payload: JudgementIn) -> dict[str, Any]:
        reviewer = coder_for(token, role="reviewer")
        try:
            db.unit(unit_id)
        except KeyError as exc:
            raise HTTPException(404, "no such unit") from exc
        judgement = checked(payload, book, unit_id, reviewer.name)
        db.adjudicate(judgement)
        with gold_lock:
            path, count, open_counts = write_gold(spec, db)
        return {"saved_at": judgement.created_at, "gold_units": count, "open": open_counts, "gold": str(path)}

    def highlights_on(unit: Unit) -> bool:
        return spec.annotate.training_highlights if unit.round == "training" else spec.annotate.highlights

    return app


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413 before anything parses
    them: a declared Content-Length at once, a chunked body as soon as it passes the limit."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            response = PlainTextResponse(self._message(), status_code=413, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # the route's body reading turns this into the 413 answer
                raise HTTPException(413, self._message())
            return message

        await self.app(scope, counted_receive, send)

    def _message(self) -> str:
        return f"request body over {self.limit} bytes"


def checked(payload: JudgementIn, book: Codebook, unit_id: str, coder: str) -> Judgement:
    """A submitted label as a Judgement, or a 422 that says what is wrong."""
    unknown = sorted(set(payload.frames) - set(book.frame_ids))
    if unknown:
        raise HTTPException(422, f"unknown frames {unknown}; the codebook has {book.frame_ids}")
    frames = tuple(sorted(set(payload.frames))) if payload.relevant else ()
    dominant = payload.dominant if payload.relevant else None
    if dominant is not None and dominant not in frames:
        raise HTTPException(422, f"the dominant frame {dominant!r} must also be marked present")
    return Judgement(unit=unit_id, coder=coder, frames=frames, dominant=dominant, relevant=payload.relevant,
                     note=payload.note, codebook=book.name, codebook_version=book.version, created_at=now())


def codebook_json(book: Codebook) -> dict[str, Any]:
    """The codebook as the coding screens read it: each frame's guidance, and its guidance in
    other languages (``guidance``), shown for a unit in that language."""
    def guidance(g: Any) -> dict[str, Any]:
        return {"label": g.label, "description": g.description, "include": g.include, "exclude": g.exclude,
                "examples": g.examples.positive[:3]}

    return {"name": book.name, "version": book.version, "title": book.title, "unit": book.unit,
            "frames": [{"id": f.id, **guidance(f),
                        "guidance": {language: guidance(g) for language, g in f.guidance.items()}}
                       for f in book.frames]}


def unit_json(unit: Unit, show_outlet: bool) -> dict[str, Any]:
    body = {"unit_id": unit.unit_id, "title": unit.title, "language": unit.language, "round": unit.round,
            "published": unit.published, "url": unit.url,
            "sentences": [{"n": i + 1, "start": s, "text": unit.text[s:e]}
                          for i, (s, e) in enumerate(cached_sentences(unit.text, unit.language))]}
    if show_outlet:
        body["outlet"] = unit.outlet
    else:
        body["url"] = ""   # the address names the outlet too
    return body


@lru_cache(maxsize=512)
def cached_sentences(text: str, language: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentences(text, language))


def highlight_spans(tagger: RuleTagger, unit: Unit) -> list[dict[str, Any]]:
    return [{"start": h.start, "end": h.end, "frame": h.frame, "pattern": h.pattern}
            for h in tagger.hits(unit.text, unit.language or "en") if not h.negated]


def judgement_json(j: Judgement) -> dict[str, Any]:
    data = asdict(j)
    data.pop("meta", None)
    data["frames"] = list(j.frames)
    return data


def training_feedback(db: AnnotationDB, book: Codebook, judgement: Judgement) -> dict[str, Any] | None:
    """Where a coder's training answer differs from the key, and the codebook's guidance on why."""
    key = db.answer_key(judgement.unit)
    if key is None:
        return None
    differences = []
    for frame in book.frames:
        yours, expected = frame.id in judgement.frames, frame.id in key.frames
        if yours != expected:
            guidance = frame.include if expected else frame.exclude
            differences.append({"frame": frame.id, "label": frame.label, "yours": yours, "key": expected,
                                "why": guidance or frame.description})
    return {"key_frames": list(key.frames), "key_dominant": key.dominant, "key_relevant": key.relevant,
            "dominant_matches": key.dominant == judgement.dominant, "differences": differences,
            "source": key.meta.get("source", "")}


def review_rows(db: AnnotationDB) -> list[dict[str, Any]]:
    """Every main-round unit with its coding status, disagreements first."""
    order = {"disagreement": 0, "adjudicated": 1, "unanimous": 2, "single": 3, "incomplete": 4}
    rows = [{"unit_id": s.unit.unit_id, "title": s.unit.title, "outlet": s.unit.outlet, "status": s.status,
             "coders": len(s.labels), "assigned": s.assigned} for s in unit_statuses(db)]
    return sorted(rows, key=lambda r: (order[r["status"]], r["unit_id"]))
