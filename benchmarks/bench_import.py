#!/usr/bin/env python3
"""Import benchmark: LinkedIn connections into an empty vault, then the same file again.

    python benchmarks/bench_import.py                # 10k rows, 3 runs, median
    python benchmarks/bench_import.py --rows 1000 --repeat 1 --json

Each run makes a fresh empty vault (the starter's Templates/Person.md, nothing
else), times ``mdnet import linkedin`` (every row a new note), then times the
same import again (every row a match, nothing to write; timed once the new notes
are older than the index's 2-second racy window) and checks that the second run
changed no byte.  Targets: under 10 s and under 3 s for 10k rows.
The CSV is generated from a seed (names in several scripts, a company with a
comma, emails for a third of the rows), byte-identical every time.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MDNET = Path(sys.executable).with_name("mdnet")
TARGETS = {"import": 10.0, "re-import": 3.0}

FIRST = ["Ana", "Chen", "José", "Priya", "Kenji", "Zoë", "Olu", "Maya", "Linh", "Rosa", "David", "Sofia", "Jörg",
         "太郎", "Ольга", "Fatima", "Liam", "Noor", "Mateo", "Aiko"]
LAST = ["Sousa", "Wei", "Núñez", "Shah", "Watanabe", "Ångström", "Adeyemi", "Okafor", "Nguyen", "Delgado", "Levi",
        "Marchetti", "Müller", "山田", "Иванова", "Haddad", "O'Brien", "Khan", "García", "Sato"]
COMPANIES = ["Fabrikam", "Contoso, Ltd.", "Northwind", "Litware", "Tailspin Toys", "Adatum", "Woodgrove Bank",
             "Proseware", "Wingtip", "Fourth Coffee"]
ROLES = ["Product Manager", "Staff Engineer", "Recruiter", "Data Scientist", "Engineering Manager", "Designer"]


def linkedin_csv(rows: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    out = io.StringIO()
    out.write("Notes:\n\"When exporting your connection data, you may notice that some of the email addresses "
              "are missing.\"\n\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    start = date(2015, 1, 1)
    for n in range(rows):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        slug = f"p{n:05d}"
        email = f"{slug}@example.com" if rnd.random() < 0.33 else ""
        when = start + timedelta(days=rnd.randrange(4000))
        w.writerow([first, f"{last} {n}", f"https://www.linkedin.com/in/{slug}", email, rnd.choice(COMPANIES),
                    rnd.choice(ROLES), when.strftime("%d %b %Y")])
    return out.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".mdnet" not in p.parts}


def run_once(csv_path: Path, work: Path) -> dict[str, float]:
    vault = work / "vault"
    shutil.rmtree(vault, ignore_errors=True)
    (vault / "Templates").mkdir(parents=True)
    (vault / ".obsidian").mkdir()
    shutil.copy(ROOT / "vault-template/Templates/Person.md", vault / "Templates/Person.md")
    times = {}
    for name in ("import", "re-import"):
        if name == "re-import":
            # The import does not index what it wrote: the next command does (timed here as
            # "index").  Notes written in the last 2 s are "racy" (docs/architecture.md) and
            # read again at every sync; a re-import comes next month, so it is timed after
            # that window.
            t = time.perf_counter()
            subprocess.run([str(MDNET), "--vault", str(vault), "index"], capture_output=True, check=True)
            times["index"] = time.perf_counter() - t
            time.sleep(2.5)
            subprocess.run([str(MDNET), "--vault", str(vault), "index"], capture_output=True, check=True)
        t = time.perf_counter()
        p = subprocess.run([str(MDNET), "--vault", str(vault), "import", "linkedin", str(csv_path), "--json"],
                           capture_output=True, text=True)
        times[name] = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(f"mdnet import failed ({p.returncode}): {p.stderr[-2000:]}")
        out = json.loads(p.stdout)
        if name == "import":
            before = snapshot(vault)
            print(f"  import: {len(out['created'])} created in {times[name]:.2f} s", file=sys.stderr)
        else:
            if out["created"] or out["filled"] or snapshot(vault) != before:
                sys.exit("the second import changed the vault")
            print(f"  re-import: {len(out['unchanged'])} unchanged in {times[name]:.2f} s", file=sys.stderr)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mdnet-import-bench-") as tmp:
        work = Path(tmp)
        csv_path = work / "Connections.csv"
        csv_path.write_text(linkedin_csv(args.rows), encoding="utf-8")
        runs = [run_once(csv_path, work) for _ in range(args.repeat)]
    result = {name: statistics.median(r[name] for r in runs) for name in ("import", "index", "re-import")}
    if args.json:
        print(json.dumps({"rows": args.rows, "repeat": args.repeat, "median_s": result, "target_s": TARGETS}, indent=2))
        return
    print(f"{'step':<10} {'rows':>6} {'median':>8} {'target':>8}")
    for name, secs in result.items():
        target = TARGETS.get(name)
        if target is None:
            print(f"{name:<10} {args.rows:>6} {secs:>7.2f}s {'-':>8}")
            continue
        ok = "ok" if secs < target * args.rows / 10_000 else "over"
        print(f"{name:<10} {args.rows:>6} {secs:>7.2f}s {target * args.rows / 10_000:>7.1f}s {ok}")


if __name__ == "__main__":
    main()
