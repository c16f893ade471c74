"""The whole-sitting load test: seed a fresh database, serve it with gunicorn in production
configuration, drive a sitting with locust, measure, then check that no acknowledged answer
was lost. Run it through ``bash benchmarks/load/run.sh`` (README.md beside this file).

Exit status: 0 when every acknowledged save and submit is in the database (the speed
targets are reported, not enforced), 1 when an answer was lost, a submit was not graded
exactly once or the scenario itself failed, 2 when the run could not be set up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RESULTS = ROOT / "benchmarks" / "results"
BANK_SIZE = 2000
INVIGILATORS = 5
STAFF_PASSWORD = "Load-test-2026"  # noqa: S105 (throw-away accounts of a throw-away database)
BODY_CODE = "city"
STEPS = ("login", "paper", "save", "save-steady", "state", "panel", "submit")
INFO_STEPS = ("staff-login",)
# (what, measured key, target, lower is better)
TARGETS = (
    ("login p95 (ms)", "login_p95", 300.0, True),
    ("paper p95 (ms)", "paper_p95", 300.0, True),
    ("steady save p95 (ms)", "save_p95", 50.0, True),
    ("errors", "errors", 0.0, True),
    ("lost answers", "lost", 0.0, True),
    ("saturation ratio save/trivial", "ratio", 0.5, False),
    ("peak RSS per worker (MB)", "rss_mb", 200.0, True),
)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bash benchmarks/load/run.sh",
        description="Load test of a whole sitting against gunicorn (see benchmarks/load/).",
    )
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("-n", "--candidates", type=int, default=200, help="candidates (default 200)")
    p.add_argument(
        "--workers",
        type=int,
        default=9,
        help="gunicorn workers (default 9: 4 x cores + 1 on this 2-core machine)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker (default 1: sync workers; more: gunicorn's gthread workers)",
    )
    p.add_argument(
        "--login-window",
        type=float,
        default=60.0,
        help="seconds over which all candidates log in (default 60)",
    )
    p.add_argument(
        "--questions-answered",
        type=int,
        default=20,
        help="answers each candidate saves, one every 10-20 s (default 20: about 6 minutes)",
    )
    p.add_argument(
        "--paper-size", type=int, default=50, help="questions on each paper (default 50)"
    )
    p.add_argument(
        "--saturation-users",
        type=int,
        default=32,
        help="concurrent clients of the throughput phases (default 32)",
    )
    p.add_argument(
        "--throughput-seconds",
        type=float,
        default=20.0,
        help="length of each throughput phase (default 20)",
    )
    p.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server where the fresh database is created and dropped",
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the work folder and the PostgreSQL database"
    )
    args = p.parse_args(argv)
    if min(args.candidates, args.workers, args.threads, args.saturation_users) < 1:
        p.error("--candidates, --workers, --threads and --saturation-users must be at least 1")
    if not 2 <= args.paper_size <= 400:
        p.error("--paper-size must be between 2 and 400 (the bank has 2,000 questions)")
    if not 1 <= args.questions_answered <= args.paper_size:
        p.error("--questions-answered must be between 1 and --paper-size")
    return args


# --------------------------------------------------------------------------- database


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def fresh_database(args: argparse.Namespace, work: Path) -> Iterator[str]:
    """A new, empty database; a PostgreSQL one is dropped afterwards (unless --keep)."""
    if args.db == "sqlite":
        yield f"sqlite:///{work / 'load.sqlite3'}"
        return
    import sqlalchemy as sa

    name = f"examsite_load_{os.getpid()}_{int(time.time())}"
    admin = sa.create_engine(sqlalchemy_url(args.pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield args.pg_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if args.keep:
            print(f"kept PostgreSQL database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str) -> Any:
    from examsite import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16)})


LAWS = ("宪法", "地方组织法", "监督法", "代表法", "选举法", "立法法", "监察法", "公务员法")


def make_bank(count: int) -> list[Any]:
    """60 % single, 20 % multiple, 20 % true/false choice questions over eight laws."""
    from examsite.bank.formats.model import ParsedQuestion

    questions = []
    for i in range(count):
        law = LAWS[i % len(LAWS)]
        kind = i % 5
        basis = f"《{law}》第{i % 90 + 1}条"
        if kind < 3:
            q = ParsedQuestion(
                "single",
                f"第{i}题：依照{law}，下列说法正确的是？",
                ("甲说法", "乙说法", "丙说法", "丁说法"),
                (i % 4,),
                "解析",
                basis,
                law,
                i % 5 + 1,
            )
        elif kind == 3:
            q = ParsedQuestion(
                "multiple",
                f"第{i}题：依照{law}，下列哪些说法正确？",
                ("甲说法", "乙说法", "丙说法", "丁说法", "戊说法"),
                (0, 2) if i % 2 else (1, 3, 4),
                "解析",
                basis,
                law,
                i % 5 + 1,
            )
        else:
            q = ParsedQuestion(
                "true_false",
                f"第{i}题：{law}规定的这一说法正确吗？",
                ("正确", "错误"),
                (i % 2,),
                "解析",
                basis,
                law,
                i % 5 + 1,
            )
        questions.append(q)
    return questions


def make_people(body: Any, count: int, offset: int) -> list[Any]:
    from examsite.exams.domain import idcard
    from examsite.exams.models import Candidate
    from examsite.extensions import db

    people = []
    for n in range(offset, offset + count):
        born = date(1965, 1, 1) + timedelta(days=n // 900)
        first17 = f"110101{born:%Y%m%d}{n % 900 + 100:03d}"
        people.append(
            Candidate(
                body_id=body.id,
                name=f"考生{n + 1}",
                id_number=first17 + idcard.check_char(first17),
                work_unit="某局",
                proposed_post="局长",
                post_category="government",
                batch="负载测试",
            )
        )
    db.session.add_all(people)
    db.session.commit()
    return people


def seed(url: str, args: argparse.Namespace, minutes: int) -> dict[str, Any]:
    """Schema by the migrations, then the bank, staff, sittings and papers by the app's
    own services, as an administrator would make them."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from examsite.auth import services as auth_services
    from examsite.bank import importing as bank_importing
    from examsite.bank import sharing as bank_sharing
    from examsite.bodies import services as body_services
    from examsite.core.body import LEVEL_MUNICIPAL
    from examsite.core.timeutil import utcnow
    from examsite.exams import sittings as exam_sittings
    from examsite.exams.domain import idcard
    from examsite.exams.models import Attempt
    from examsite.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        body = body_services.create_body(
            code=BODY_CODE, name="示例市人大常委会", level=LEVEL_MUNICIPAL, parent=None
        )
        bank_importing.add_questions(body, make_bank(BANK_SIZE), user_id=None, source="load")
        db.session.commit()
        bank_sharing.publish(body)
        singles = round(args.paper_size * 0.6)
        multiples = round(args.paper_size * 0.2)
        counts = {"single": singles, "multiple": multiples}
        counts["true_false"] = args.paper_size - singles - multiples
        template = exam_sittings.save_template(
            body,
            None,
            name="负载测试卷",
            duration_minutes=minutes,
            pass_mark=60.0,
            sections=[
                {"qtype": t, "count": c, "points": 2, "law_quotas": {}, "difficulty_quotas": {}}
                for t, c in counts.items()
                if c
            ],
            post_categories=[],
        )
        staff = [
            auth_services.create_staff(
                body,
                username=f"invigilator{i}",
                name=f"监考员{i}",
                role="staff",
                password=STAFF_PASSWORD,
            )[0]
            for i in range(1, INVIGILATORS + 1)
        ]
        now = utcnow()

        def sitting(title: str, count: int, offset: int, invigilators: list[Any]) -> Any:
            row = exam_sittings.save_sitting(
                body,
                None,
                title=title,
                room="第一考场",
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(minutes=minutes + 60),
                late_entry_minutes=minutes,
                template_id=template.id,
                category_templates={},
                show_score="at_submit",
                allow_review=False,
                scoring="all_or_nothing",
                second_login="refuse",
                allowed_networks="",
                invigilators=invigilators,
            )
            exam_sittings.enroll(row, make_people(body, count, offset))
            exam_sittings.open_sitting(row)
            return row

        main = sitting("负载测试", args.candidates, 0, staff)
        extra = sitting("负载测试（保存吞吐量）", args.saturation_users, args.candidates, [])

        def creds(sitting_id: int) -> list[dict[str, str]]:
            rows = db.session.scalars(
                select(Attempt).where(Attempt.sitting_id == sitting_id).order_by(Attempt.id)
            )
            return [
                {"code": a.admission_code or "", "tail": idcard.tail6(a.candidate.id_number)}
                for a in rows
            ]

        data = {
            "body": BODY_CODE,
            "sitting_id": main.id,
            "saturation_sitting_id": extra.id,
            "candidates": creds(main.id),
            "saturation": creds(extra.id),
            "invigilators": [{"username": u.username, "password": STAFF_PASSWORD} for u in staff],
        }
        db.session.remove()
        db.engine.dispose()
    return data


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
        return [int(p) for p in text.split()]
    except OSError:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
        return pids


def memory_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), or its current one."""
    peak = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    return peak


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """gunicorn serving wsgi:app in production configuration on a loopback port."""

    def __init__(self, url: str, workers: int, log: Path, threads: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.log = log
        self.env = {
            **os.environ,
            "EXAMSITE_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "EXAMSITE_SECURE_COOKIES": "0",  # plain http on loopback
            "DATABASE_URL": url,
            "EXAMSITE_BENCHMARK": "1",  # the /benchmark/ping baseline
        }
        self.env.pop("FLASK_DEBUG", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_kb: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)

    def start(self) -> None:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    # gunicorn picks gthread workers itself when threads > 1
                    "--threads",
                    str(self.threads),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--log-level",
                    "warning",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200 and len(worker_pids(self.proc.pid)) >= self.workers:
                        break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not answer within 60 s: see {self.log}")
        self._sampler.start()

    def _sample_loop(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        assert self.proc is not None
        for pid in worker_pids(self.proc.pid):
            self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), memory_kb(pid))
            self.cpu[pid] = cpu_seconds(pid)

    def cpu_total(self) -> float:
        self.sample()
        return sum(self.cpu.values())

    def stop(self) -> None:
        self._stop.set()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.sample()
        workers = worker_pids(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)  # graceful: requests in flight finish
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            for pid in workers:  # only the workers this server started
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- locust


def run_locust(
    phase: str,
    classes: Sequence[str],
    users: int,
    rate: float,
    run_time: int,
    base: str,
    work: Path,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """One headless locust run; its users' results, its wall time and its own CPU time."""
    out = work / f"{phase}.json"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "-u",
        str(users),
        "-r",
        f"{rate:.3f}",
        "--run-time",
        f"{run_time}s",
        "--csv",
        str(work / phase),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--load-data",
        str(work / "data.json"),
        "--load-out",
        str(out),
        *extra,
        *classes,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    with open(work / f"{phase}.log", "w", encoding="utf-8") as log:
        for line in proc.stdout:
            log.write(line)
            if line.startswith("progress:"):
                print(f"    {line.rstrip()}", flush=True)
    code = proc.wait()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if not out.exists():
        raise RuntimeError(f"locust wrote no results (exit {code}): see {work / phase}.log")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result.update(exit_code=code, wall_s=wall, client_cpu_s=cpu)
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (the value below which q of the samples lie)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def step_table(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    table = {}
    for name in (*STEPS, *INFO_STEPS):
        values = result["samples"].get(name, [])
        failures = result["failures"].get(name, {})
        table[name] = {
            "count": len(values),
            "p50_ms": percentile(values, 0.50),
            "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99),
            "max_ms": max(values) if values else float("nan"),
            "errors": sum(failures.values()),
            "error_kinds": dict(Counter(failures).most_common(5)),
        }
    return table


# --------------------------------------------------------------------------- the check


def check_database(url: str, results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Compare what the clients were told with what the database holds."""
    from sqlalchemy import select

    from examsite.core.audit import AuditEvent
    from examsite.exams.models import ATTEMPT_GRADED, Answer, Attempt
    from examsite.extensions import db

    acks = [a for r in results for a in r["acks"]]
    unacked = [a for r in results for a in r["unacked"]]
    submits = [s for r in results for s in r["submits"]]
    app = make_app(url)
    lost: list[str] = []
    applied_unacknowledged = 0
    submit_problems: list[str] = []
    with app.app_context():
        attempts = {a.id: a for a in db.session.scalars(select(Attempt))}
        rows = {(a.attempt_id, a.position): a for a in db.session.scalars(select(Answer))}
        graded_events = Counter(
            db.session.scalars(
                select(AuditEvent.target_id).where(
                    AuditEvent.action == "candidate.submit", AuditEvent.target_type == "Attempt"
                )
            )
        )

        def original(save: dict[str, Any]) -> list[int]:
            # The page sends displayed indexes; the table holds the original ones.
            paper = attempts[save["attempt"]].paper_items
            assert paper is not None
            return paper.displayed_to_original(save["position"], save["choice"])

        latest: dict[tuple[int, int], dict[str, Any]] = {}
        sent: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for save in acks:
            attempt = attempts.get(save["attempt"])
            if attempt is None or attempt.admission_code != save["code"]:
                lost.append(f"save acknowledged for an unknown attempt: {save}")
                continue
            key = (save["attempt"], save["position"])
            sent[key].append(save)
            if key not in latest or save["seq"] > latest[key]["seq"]:
                latest[key] = save
        for save in unacked:
            if save["attempt"] in attempts:
                sent[(save["attempt"], save["position"])].append(save)
        for key, save in sorted(latest.items()):
            row = rows.get(key)
            where = f"attempt {key[0]} ({save['code']}) position {key[1]}"
            told = f"acknowledged seq {save['seq']} choice {original(save)}"
            if row is None:
                lost.append(f"{where}: no row; {told}")
            elif row.seq < save["seq"]:
                lost.append(f"{where}: row has older seq {row.seq} {row.choice}; {told}")
            elif row.seq == save["seq"]:
                if row.choice != original(save) or row.flagged != save["flagged"]:
                    lost.append(
                        f"{where}: row seq {row.seq} holds {row.choice} flagged={row.flagged};"
                        f" {told} flagged={save['flagged']}"
                    )
            else:
                # A later save whose answer the client never saw (timed out, or the submit
                # form's plain save): fine if its value is one the client did send later.
                later = [original(s) for s in sent[key] if s["seq"] > save["seq"]]
                if row.choice in later:
                    applied_unacknowledged += 1
                else:
                    lost.append(f"{where}: row seq {row.seq} holds {row.choice}, never sent")
        for done in submits:
            if not done["acknowledged"]:
                continue
            attempt = attempts.get(done["attempt"])
            events = graded_events.get(str(done["attempt"]), 0)
            if attempt is None:
                submit_problems.append(f"submit acknowledged for unknown attempt {done}")
            elif attempt.status != ATTEMPT_GRADED or attempt.score is None or not attempt.graded_at:
                submit_problems.append(
                    f"attempt {attempt.id}: submit acknowledged but status {attempt.status}"
                    f" score {attempt.score}"
                )
            elif events != 1:
                submit_problems.append(f"attempt {attempt.id}: graded {events} times")
        statuses = Counter(a.status for a in attempts.values())
        db.session.remove()
        db.engine.dispose()
    return {
        "acknowledged_saves": len(acks),
        "unacknowledged_saves": len(unacked),
        "answers_checked": len(latest),
        "applied_unacknowledged": applied_unacknowledged,
        "lost": lost,
        "submits": len(submits),
        "submits_acknowledged": sum(1 for s in submits if s["acknowledged"]),
        "submit_problems": submit_problems,
        "attempt_statuses": dict(statuses),
    }


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "-s"))}


def server_log_summary(log: Path) -> dict[str, Any]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    bad = [
        line
        for line in lines
        if any(w in line for w in ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT"))
    ]
    return {"lines": len(lines), "problems": len(bad), "first_problems": bad[:10]}


def ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def report(summary: dict[str, Any]) -> None:
    steps = summary["steps"]
    print()
    print(
        f"Load test: {summary['db']}, {summary['candidates']} candidates, "
        f"{summary['workers']} workers × {summary.get('threads', 1)} threads, "
        f"{summary['questions_answered']} answers each, "
        f"papers of {summary['paper_size']}, logins over {summary['login_window_s']:g} s"
    )
    m = summary["machine"]
    print(f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB")
    print()
    print(
        f"{'step':<12}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    )
    for name, row in steps.items():
        print(
            f"{name:<12}{row['count']:>8}{ms(row['p50_ms']):>9}{ms(row['p95_ms']):>9}"
            f"{ms(row['p99_ms']):>9}{ms(row['max_ms']):>9}{row['errors']:>8}"
        )
    t = summary["throughput"]
    print()
    print(f"saves/s during the sitting        {summary['saves_per_s']:.1f}")
    print(
        f"trivial rps (/benchmark/ping)     {t['ping_rps']:.0f}"
        f"   (client CPU {t['ping_client_cpu']:.0%}, server CPU {t['ping_server_ms']:.2f} ms/req)"
    )
    print(
        f"save saturation rps               {t['save_rps']:.0f}"
        f"   (client CPU {t['save_client_cpu']:.0%}, server CPU {t['save_server_ms']:.2f} ms/req)"
    )
    print(f"ratio save/trivial                {t['ratio']:.2f}   ({t['users']} clients)")
    rss = summary["rss_mb"]
    print(
        f"peak RSS per worker (MB)          {rss['max']:.0f}   "
        f"(each: {', '.join(f'{v:.0f}' for v in rss['per_worker'])}; master excluded)"
    )
    i = summary["integrity"]
    print(
        f"acknowledged saves {i['acknowledged_saves']} (answers checked {i['answers_checked']},"
        f" later unacknowledged save applied {i['applied_unacknowledged']}),"
        f" unacknowledged {i['unacknowledged_saves']};"
        f" submits acknowledged {i['submits_acknowledged']}/{i['submits']}"
    )
    log = summary["server_log"]
    if log["problems"]:
        print(f"server log: {log['problems']} problem lines, first ones:")
        for line in log["first_problems"]:
            print(f"    {line}")
    print()
    print(f"{'target':<32}{'measured':>10}{'target':>9}{'ratio':>8}  met")
    for what, measured, target, lower, ratio, met in summary["targets"]:
        sign = "=" if target == 0 else "<" if lower else ">="
        shown = "—" if ratio is None else f"{ratio:.2f}"
        value = "—" if measured is None or math.isnan(measured) else f"{measured:.4g}"
        print(
            f"{what:<32}{value:>10}{sign + format(target, 'g'):>9}{shown:>8}  "
            f"{'yes' if met else 'NO'}"
        )
    errors = {n: r["error_kinds"] for n, r in steps.items() if r["errors"]}
    if errors:
        print("\nerrors by step (most frequent kinds):")
        for name, kinds in errors.items():
            for kind, count in kinds.items():
                print(f"    {name:<12}{count:>6}  {kind}")


def targets(summary: dict[str, Any]) -> list[tuple[str, float | None, float, bool, Any, bool]]:
    steps = summary["steps"]
    measured = {
        "login_p95": steps["login"]["p95_ms"],
        "paper_p95": steps["paper"]["p95_ms"],
        "save_p95": steps["save-steady"]["p95_ms"],
        "errors": float(sum(r["errors"] for r in steps.values())),
        "lost": float(len(summary["integrity"]["lost"])),
        "ratio": summary["throughput"]["ratio"],
        "rss_mb": summary["rss_mb"]["max"],
    }
    rows = []
    for what, key, target, lower in TARGETS:
        value = measured[key]
        ratio = None if target == 0 or math.isnan(value) else value / target
        if math.isnan(value):
            met = False
        elif target == 0:
            met = value == 0
        else:
            met = value < target if lower else value >= target
        rows.append((what, value, target, lower, ratio, met))
    return rows


def loud(lines: Sequence[str], title: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!!! {title}\n{bar}", file=sys.stderr)
    for line in lines[:50]:
        print(f"!!! {line}", file=sys.stderr)
    if len(lines) > 50:
        print(f"!!! ... and {len(lines) - 50} more (all in the results JSON)", file=sys.stderr)
    print(bar, file=sys.stderr)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="examsite-load-"))
    think = args.questions_answered * 20 + 10  # the slowest candidate's answers and submit
    minutes = max(60, math.ceil((args.login_window + think) / 60) + 30)
    started_at = datetime.now(UTC)
    failed = True
    try:
        with fresh_database(args, work) as url:
            print(f"==> Seeding {args.db}: {BANK_SIZE} questions, {args.candidates} candidates")
            t0 = time.monotonic()
            data = seed(url, args, minutes)
            (work / "data.json").write_text(json.dumps(data), encoding="utf-8")
            print(f"    done in {time.monotonic() - t0:.0f} s (work folder {work})")
            server = Server(url, args.workers, work / "server.log", args.threads)
            kind = f"gthread workers of {args.threads} threads" if args.threads > 1 else "workers"
            print(f"==> gunicorn with {args.workers} {kind} on {server.base}")
            server.start()
            try:
                users = args.candidates + INVIGILATORS
                print(
                    f"==> Sitting: {args.candidates} candidates log in over "
                    f"{args.login_window:g} s, {args.questions_answered} answers each"
                )
                sitting = run_locust(
                    "sitting",
                    ["CandidateUser", "InvigilatorUser"],
                    users,
                    users / args.login_window,
                    int(args.login_window + think * 2 + 300),  # a safety stop only
                    server.base,
                    work,
                    ["--questions-answered", str(args.questions_answered)],
                )
                phases = {}
                for phase, cls in (("ping", "PingUser"), ("save", "SaverUser")):
                    print(
                        f"==> Throughput of {phase}: {args.saturation_users} clients, "
                        f"{args.throughput_seconds:g} s"
                    )
                    cpu0 = server.cpu_total()
                    result = run_locust(
                        phase,
                        [cls],
                        args.saturation_users,
                        float(args.saturation_users),
                        int(args.throughput_seconds + 120),
                        server.base,
                        work,
                        ["--window-seconds", str(args.throughput_seconds)],
                    )
                    result["server_cpu_s"] = server.cpu_total() - cpu0
                    phases[phase] = result
            finally:
                server.stop()
            print("==> Checking the database against what the clients were told")
            integrity = check_database(url, [sitting, phases["save"]])
        summary = summarize(args, started_at, sitting, phases, server, integrity, work)
        report(summary)
        path = write_results(summary)
        print(f"\nresults: {path.relative_to(ROOT)}")
        harness = [e for r in (sitting, *phases.values()) for e in r["harness_errors"]]
        if integrity["lost"]:
            loud(integrity["lost"], f"{len(integrity['lost'])} ACKNOWLEDGED ANSWERS WERE LOST")
        if integrity["submit_problems"]:
            loud(integrity["submit_problems"], "ACKNOWLEDGED SUBMITS NOT GRADED EXACTLY ONCE")
        if harness:
            loud([line for e in harness for line in e.splitlines()], "THE SCENARIO FAILED")
        failed = bool(integrity["lost"] or integrity["submit_problems"] or harness)
        return 1 if failed else 0
    except Exception:
        traceback.print_exc()
        print("\nthe load test could not run (see above)", file=sys.stderr)
        failed = True
        return 2
    finally:
        if args.keep or failed:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def summarize(
    args: argparse.Namespace,
    started_at: datetime,
    sitting: dict[str, Any],
    phases: dict[str, dict[str, Any]],
    server: Server,
    integrity: dict[str, Any],
    work: Path,
) -> dict[str, Any]:
    def rate(result: dict[str, Any], name: str) -> float:
        window = result["window"]
        if len(window) != 2:
            return float("nan")
        return result["window_ok"].get(name, 0) / (window[1] - window[0])

    def server_ms(result: dict[str, Any], name: str) -> float:
        count = len(result["samples"].get(name, ()))
        return 1000 * result["server_cpu_s"] / count if count else float("nan")

    ping, save = phases["ping"], phases["save"]
    span = sitting["span"].get("save", [0.0, 0.0])
    saves = len(sitting["samples"].get("save", ()))
    per_worker = sorted((kb / 1024 for kb in server.peak_kb.values()), reverse=True)
    summary: dict[str, Any] = {
        "date": started_at.isoformat(timespec="seconds"),
        "db": args.db,
        "candidates": args.candidates,
        "workers": args.workers,
        "threads": args.threads,
        "worker_processes_seen": len(server.peak_kb),
        "questions_answered": args.questions_answered,
        "paper_size": args.paper_size,
        "login_window_s": args.login_window,
        "bank_questions": BANK_SIZE,
        "invigilators": INVIGILATORS,
        "machine": machine(),
        "git": git_state(),
        "steps": step_table(sitting),
        "sitting_wall_s": sitting["wall_s"],
        "sitting_client_cpu_s": sitting["client_cpu_s"],
        "saves_per_s": saves / (span[1] - span[0]) if span[1] > span[0] else float("nan"),
        "throughput": {
            "users": args.saturation_users,
            "seconds": args.throughput_seconds,
            "ping_rps": rate(ping, "ping"),
            "save_rps": rate(save, "save"),
            "ping_client_cpu": ping["client_cpu_s"] / ping["wall_s"],
            "save_client_cpu": save["client_cpu_s"] / save["wall_s"],
            "ping_server_ms": server_ms(ping, "ping"),
            "save_server_ms": server_ms(save, "save"),
            "save_errors": sum(save["failures"].get("save", {}).values()),
            "ping_errors": sum(ping["failures"].get("ping", {}).values()),
        },
        "rss_mb": {"max": per_worker[0] if per_worker else float("nan"), "per_worker": per_worker},
        "integrity": integrity,
        "server_log": server_log_summary(work / "server.log"),
        "harness_errors": [e for r in (sitting, ping, save) for e in r["harness_errors"]],
    }
    t = summary["throughput"]
    t["ratio"] = t["save_rps"] / t["ping_rps"] if t["ping_rps"] else float("nan")
    summary["targets"] = targets(summary)
    return summary


def write_results(summary: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"load-{summary['db']}-n{summary['candidates']}-{stamp}.json"
    rows = [
        {"what": w, "measured": v, "target": t, "lower_is_better": lo, "ratio": r, "met": m}
        for w, v, t, lo, r, m in summary["targets"]
    ]
    clean = {**summary, "targets": rows}
    path.write_text(json.dumps(_no_nan(clean), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _no_nan(value: Any) -> Any:
    """JSON has no NaN: a figure that could not be measured is null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
