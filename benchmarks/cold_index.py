"""Cold ``mdnet index`` against the floor, alternating, in one run (a quicker loop than bench.py).

    python benchmarks/cold_index.py [--size 10k] [--repeat 5]

Each round times the floor (read + split + CSafeLoader, in this process), then
``mdnet index --json`` on the vault with its ``.mdnet/`` removed, and prints wall
and CPU (user + system of the command and its workers).  The ratio is of the
medians, as bench.py computes it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="10k")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-change", action="store_true", help="also time `mdnet index` with nothing changed")
    args = ap.parse_args(argv)
    size = bench.parse_size(args.size)
    vault = bench.ensure_vault(bench.HERE / "vaults", size)
    md = bench.Mdnet(vault)
    bench.read_bytes(vault)  # warm the page cache
    floor, cold, cold_cpu, same, same_cpu = [], [], [], [], []
    for i in range(args.repeat):
        floor.append(bench.timed(lambda: bench.floor(vault)))
        shutil.rmtree(vault / ".mdnet", ignore_errors=True)
        ms, p = md.run("index", "--json")
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            return 1
        cold.append(ms)
        cold_cpu.append(md.last_cpu_ms)
        line = f"round {i + 1}: floor {floor[-1]:.0f} ms, cold {ms:.0f} ms (cpu {md.last_cpu_ms:.0f})"
        if args.no_change:
            ms, p = md.run("index", "--json")
            same.append(ms)
            same_cpu.append(md.last_cpu_ms)
            line += f", no change {ms:.0f} ms (cpu {md.last_cpu_ms:.0f})"
        print(line, file=sys.stderr, flush=True)
    f, c = statistics.median(floor), statistics.median(cold)
    print(f"{bench.size_label(size)}: floor {f:.0f} ms; cold index {c:.0f} ms wall, "
          f"{statistics.median(cold_cpu):.0f} ms cpu; {c / f:.2f}x floor"
          + (f"; no change {statistics.median(same):.0f} ms wall, {statistics.median(same_cpu):.0f} ms cpu"
             if same else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
