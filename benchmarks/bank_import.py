"""Benchmark: validate and import a 10,000-question xlsx on SQLite and on PostgreSQL.

Target (issue "Question bank"): under 10 s and under 300 MB peak memory for 10,000 questions
on either database. Each database runs in its own child process so peak RSS is its own.

    .venv/bin/python benchmarks/bank_import.py [--count 10000] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
TARGET_MB = 300.0
PG_ADMIN = os.environ.get(
    "EXAMSITE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
LAWS = [
    "宪法",
    "地方组织法",
    "监督法",
    "代表法",
    "选举法",
    "立法法",
    "监察法",
    "公务员法",
    "法官法",
    "检察官法",
]


def build_xlsx(count: int) -> bytes:
    """A template workbook with `count` distinct, valid questions of all three types."""
    from examsite.bank.formats.model import ParsedQuestion
    from examsite.bank.formats.template_xlsx import dump_xlsx

    questions = []
    for i in range(count):
        law = LAWS[i % len(LAWS)]
        kind = i % 4
        if kind == 3:
            questions.append(
                ParsedQuestion(
                    "true_false",
                    f"第{i}题：{law}规定的第{i}项制度是否成立。",
                    ("正确", "错误"),
                    (i % 2,),
                    "解析",
                    f"《{law}》第{i % 60 + 1}条",  # within every law's count (laws.csv)
                    law,
                    i % 5 + 1,
                )
            )
        else:
            qtype = "multiple" if kind == 2 else "single"
            answer = (0, 2) if qtype == "multiple" else (i % 4,)
            questions.append(
                ParsedQuestion(
                    qtype,
                    f"第{i}题：根据{law}，下列关于第{i}项规定的说法正确的是（　）。",
                    ("选项甲", "选项乙", "选项丙", "选项丁"),
                    answer,
                    "解析",
                    f"《{law}》第{i % 60 + 1}条",  # within every law's count (laws.csv)
                    law,
                    i % 5 + 1,
                )
            )
    return dump_xlsx(questions)


def run_child(db: str, count: int) -> dict[str, object]:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from examsite import create_app
    from examsite.bank import importing
    from examsite.bank.formats.detect import parse_file
    from examsite.core.body import Body
    from examsite.extensions import db as sqla

    data = build_xlsx(count)
    tmp = Path(tempfile.mkdtemp())
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        name = f"examsite_bench_{os.getpid()}"
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            upgrade()
            body = Body(code="bench", name="基准测试", level="municipal")
            sqla.session.add(body)
            sqla.session.commit()
            start = time.perf_counter()
            check = parse_file("bench.xlsx", data, max_bytes=50 * 1024 * 1024)
            validated = time.perf_counter() - start
            result = importing.import_file(body, "bench.xlsx", data, max_bytes=50 * 1024 * 1024)
            total = time.perf_counter() - start
            assert check.ok and len(result.questions) == count, check.problems[:3]
            sqla.engine.dispose()
    finally:
        if db != "sqlite":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "db": db,
        "questions": count,
        "file_mb": round(len(data) / 1e6, 2),
        "validate_s": round(validated, 2),
        "validate_and_import_s": round(total, 2),
        "rows_per_s": round(count / total),
        "peak_rss_mb": round(peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.db, args.count)))
        return
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(
        f"{'db':<11}{'questions':>10}{'validate s':>12}{'total s':>10}{'rows/s':>9}"
        f"{'peak MB':>9}{'time/target':>13}{'mem/target':>12}"
    )
    for db in dbs:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--db", db, "--count", str(args.count)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        time_ratio = r["validate_and_import_s"] / TARGET_SECONDS
        mem_ratio = r["peak_rss_mb"] / TARGET_MB
        print(
            f"{db:<11}{r['questions']:>10}{r['validate_s']:>12}{r['validate_and_import_s']:>10}"
            f"{r['rows_per_s']:>9}{r['peak_rss_mb']:>9}"
            f"{time_ratio:>13.2f}{mem_ratio:>12.2f}"
        )


if __name__ == "__main__":
    main()
