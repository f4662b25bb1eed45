"""What the `make bench-*` programs share: percentiles, benchmark databases, the results page."""

import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PAGE = ROOT / "docs" / "benchmarks.md"


def percentile(values, q: float) -> float:
    """Return the `q` quantile (0–1) of `values`, interpolating between neighbours."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def database_ensure(name: str, *, host: str = "127.0.0.1") -> None:
    """Create the benchmark database `name` on `host` if it does not exist."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"postgresql://postgres@{host}:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def results_section_write(title: str, section: str) -> Path:
    """Replace the `## {title}` section of docs/benchmarks.md with `section` (or append it)."""
    text = RESULTS_PAGE.read_text() if RESULTS_PAGE.exists() else "# Benchmarks\n"
    start = text.find(f"## {title}")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    RESULTS_PAGE.write_text(text)
    return RESULTS_PAGE
