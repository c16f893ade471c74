"""A practice harvest, as an attacker would run it: for N seconds, collect every question
(with its key) that 模拟练习 shows, then check that none of them is in any paper drawn.

Against a live server (gunicorn, as docs/deployment.md runs it) on a fresh database with the
demo data (`flask demo`: the shipped bank, its practice set, east's open sitting and its
public practice). Both practice doors are harvested: the public one (/practice/east, no
login) and an enrolled candidate's (/exam/practice).

    .venv/bin/python benchmarks/practice_harvest.py            # 60 s
    .venv/bin/python benchmarks/practice_harvest.py --seconds 5

Prints what was harvested and the overlap with the drawn papers and with the exam pool
(both must be 0); exits 1 when there is any overlap. Baseline (the landed main before
issue 16): 450 of 528 live questions harvested in 12 s, i.e. overlap 450.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.servers import Client, Server, free_port  # noqa: E402

BASELINE_OVERLAP = 450  # live questions harvested with keys before the fix (12 s)
_STEM = re.compile(r'<p class="stem">([^<]+)</p>')
_TOKEN = re.compile(r'name="question" value="([^"]+)"')
_CANDIDATE = re.compile(r"^candidate (\S+) (\S{6})$", re.M)


@dataclass
class Harvest:
    seconds: float
    pages: int
    practice_stems: set[str]
    paper_stems: set[str]
    exam_pool_stems: set[str]
    papers: int = 0

    @property
    def overlap_papers(self) -> int:
        return len(self.practice_stems & self.paper_stems)

    @property
    def overlap_pool(self) -> int:
        return len(self.practice_stems & self.exam_pool_stems)


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi:app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _harvest_door(client: Client, path: str, until: float, stems: set[str]) -> int:
    """Walk rounds of one practice page, answering each question to see its key."""
    pages = 0
    page = client.get(path + "?new=1")
    while time.time() < until:
        pages += 1
        stem, token = _STEM.search(page), _TOKEN.search(page)
        if stem is None or token is None:  # the round is over: start another
            page = client.get(path + "?new=1")
            continue
        stems.add(html.unescape(stem.group(1)))
        client.post_form(path, {"question": html.unescape(token.group(1)), "choice": "0"})
        page = client.get(path)
    return pages


def run(seconds: float = 60.0, database_url: str | None = None) -> Harvest:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/harvest.sqlite3"
        port = free_port()
        server = Server(url, port)
        env = server.env
        _flask(env, "db", "upgrade")
        logins = _CANDIDATE.findall(_flask(env, "demo"))
        assert logins, "flask demo printed no candidate lines"
        server.start()
        try:
            base = f"http://127.0.0.1:{port}"
            stems: set[str] = set()
            start = time.time()
            half = start + seconds / 2
            anonymous = Client(base)
            pages = _harvest_door(anonymous, "/practice/east", half, stems)
            code, secret = logins[0]
            sitter = Client(base)
            sitter.get("/exam/login")
            sitter.post_form("/exam/login", {"code": code, "id_tail": secret})
            pages += _harvest_door(sitter, "/exam/practice", start + seconds, stems)
            elapsed = time.time() - start
            sitter.post_form("/exam/logout", {})  # so the paper below may be opened
            # Every paper of the sitting, as the candidates see them.
            paper_stems: set[str] = set()
            papers = 0
            for code, secret in logins:
                c = Client(base)
                c.get("/exam/login")
                c.post_form("/exam/login", {"code": code, "id_tail": secret})
                c.get("/exam/")
                c.post_form("/exam/start", {})
                drawn = {html.unescape(s) for s in _STEM.findall(c.get("/exam/paper"))}
                papers += bool(drawn)
                paper_stems |= drawn
        finally:
            server.kill()
        pool = _exam_pool_stems(env)
    return Harvest(elapsed, pages, stems, paper_stems, pool, papers)


def _exam_pool_stems(env: dict[str, str]) -> set[str]:
    """Every stem a paper of east could draw (the live exam pool), asked of the app itself
    in a child process (its configuration is the server's)."""
    out = subprocess.run(
        [sys.executable, __file__, "--print-exam-pool"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out))


def _print_exam_pool() -> None:
    from sqlalchemy import select

    from examsite import create_app
    from examsite.bank.models import QuestionRevision
    from examsite.core.body import Body
    from examsite.exams.papers import pool_for
    from examsite.extensions import db

    app = create_app()
    with app.app_context():
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        ids = [item.revision_id for item in pool_for(east)]
        stems = db.session.scalars(
            select(QuestionRevision.stem).where(QuestionRevision.id.in_(ids))
        ).all()
    print(json.dumps(sorted(stems), ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--print-exam-pool", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.print_exam_pool:
        _print_exam_pool()
        return 0
    result = run(args.seconds, args.database_url)
    print(f"harvested for {result.seconds:.1f} s, {result.pages} practice pages")
    print(f"practice questions collected (with keys): {len(result.practice_stems)}")
    print(f"questions in the drawn papers: {len(result.paper_stems)} ({result.papers} papers)")
    print(f"exam pool: {len(result.exam_pool_stems)} questions")
    print(f"overlap with the drawn papers: {result.overlap_papers} (must be 0)")
    print(f"overlap with the exam pool: {result.overlap_pool} (must be 0)")
    ratio = result.overlap_pool / BASELINE_OVERLAP
    print(f"baseline overlap: {BASELINE_OVERLAP}; ratio now/baseline: {ratio:.3f}")
    return 1 if result.overlap_papers or result.overlap_pool else 0


if __name__ == "__main__":
    raise SystemExit(main())
