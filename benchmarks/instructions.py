"""Instructions per operation, counted by valgrind's callgrind: a cost that does not move with the machine.

Wall-clock medians on the 2-core development machine swing by up to 1.9× between runs of the same code
(docs/performance.md), so a change of 10 % cannot be seen in them. Callgrind counts the instructions
the CPU executes, the same figure each run whatever else the machine is doing; this script runs one
operation N and 5N times in a fresh interpreter under callgrind, and the difference divided by 4N is
the cost of one operation, start-up and warm-up cancelled out. The hash seed is fixed (0): string
hashing orders sets and dicts differently each run, which alone moves the count by up to 0.4 M.

    .venv/bin/python benchmarks/instructions.py determination   # bcf.determination.determine
    .venv/bin/python benchmarks/instructions.py http            # POST /api/v1/calculations (test client)
    .venv/bin/python benchmarks/instructions.py batch           # 152-board CSV upload → CSV

Needs valgrind (``apt-get install valgrind``); about a minute per operation. Not a target in itself:
the targets are wall-clock (issue texts), and this tells whether a change made the work smaller.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each operation: set-up code, the statement timed, and N (a few hundred ms of work under callgrind).
OPERATIONS = {
    "determination": (
        "from decimal import Decimal\n"
        "import determination as bench\n"
        "from bcf.determination import determine\n"
        "rules = bench.load_rule_sets(bench.ROOT / 'reference_data' / 'rules')['bcf-2015-16']\n"
        "catalogue = bench.load_catalogue(bench.ROOT / 'reference_data' / 'metric_catalogue.yaml')\n"
        "plan, pool = bench.full_plan(), Decimal('1000000.00')\n",
        "determine(plan, rules, catalogue, pool)",
        10,
    ),
    "http": (
        "import json, os, tempfile\n"
        "os.environ['BCF_INSTANCE_PATH'] = tempfile.mkdtemp()\n"
        "import determination_http as bench\n"
        "from api import create_app\n"
        "client = create_app().test_client()\n"
        "body = json.dumps(bench.full_plan())\n",
        "assert client.post(bench.PATH, data=body, content_type='application/json').status_code == 200",
        10,
    ),
    "batch": (
        "import io, os, tempfile\n"
        "os.environ['BCF_INSTANCE_PATH'] = tempfile.mkdtemp()\n"
        "import batch as bench\n"
        "from api import create_app\n"
        "client = create_app().test_client()\n"
        "data = bench.files()\n"
        "def upload():\n"
        "    form = {n: (io.BytesIO(v), n + '.csv') for n, v in data.items()}\n"
        "    r = client.post('/api/v1/calculations/csv', data=form, content_type='multipart/form-data',\n"
        "                    headers={'Accept': 'text/csv'})\n"
        "    assert r.status_code == 200\n",
        "upload()",
        1,
    ),
}

PROGRAM = """\
import sys
sys.path[:0] = [{root!r}, {benchmarks!r}]
{setup}
for _ in range(3):  # warm-up: first-call caches, lazy imports
    {statement}
for _ in range({count}):
    {statement}
"""


def instructions(operation: str, count: int) -> int:
    setup, statement, _ = OPERATIONS[operation]
    program = PROGRAM.format(root=str(ROOT), benchmarks=str(ROOT / "benchmarks"), setup=setup,
                             statement=statement, count=count)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "operation.py"
        script.write_text(program)
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.out",
             sys.executable, str(script)],
            capture_output=True, text=True, cwd=ROOT, check=False,
            env={**os.environ, "PYTHONHASHSEED": "0"},  # set iteration order moves the count ~0.4 M
        )
    if result.returncode != 0:
        raise SystemExit(f"{operation} failed under callgrind:\n{result.stderr[-2000:]}")
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operations", nargs="*", metavar="OPERATION",
                        help=f"any of {', '.join(OPERATIONS)} (all by default)")
    args = parser.parse_args()
    unknown = set(args.operations) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operation {', '.join(sorted(unknown))}: choose from {', '.join(OPERATIONS)}")
    args.operations = args.operations or list(OPERATIONS)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    for operation in args.operations:
        n = OPERATIONS[operation][2]
        few, many = instructions(operation, n), instructions(operation, 5 * n)
        per = (many - few) / (4 * n)
        print(f"{operation}: {per / 1e6:.2f} million instructions per operation "
              f"(callgrind, {n} and {5 * n} runs)", flush=True)


if __name__ == "__main__":
    main()
