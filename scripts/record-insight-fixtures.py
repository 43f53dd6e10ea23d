#!/usr/bin/env python3
"""Records the real DSPy compiles the insight tests read (tests/data-layer/fixtures/*.json):
a MIPROv2 and a GEPA compile of clients/python/examples/log_miprov2_run.py (offline LM) into a
live server, then their runs, iterations and samples as the API returns them.

    node --conditions=react-server clients/python/tests/live-server.ts -- \
      .venv-python/bin/python scripts/record-insight-fixtures.py
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

from optiscope import Optiscope  # noqa: E402

OUT = os.path.join(ROOT, "tests", "data-layer", "fixtures")


def main() -> int:
    client = Optiscope(os.environ["OPTISCOPE_URL"], os.environ["OPTISCOPE_API_KEY"])
    for optimizer in ("miprov2", "gepa"):
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "clients/python/examples/log_miprov2_run.py"), "--optimizer", optimizer, "--tag", "insight-fixture"],
            check=True,
        )
    runs = client.list_runs(tags="insight-fixture", project_id=os.environ.get("OPTISCOPE_PROJECT_ID"), limit=10)["data"]
    for optimizer in ("miprov2", "gepa"):
        run = next(r for r in runs if r["optimizerType"] == optimizer)
        samples, cursor = [], None
        while True:
            page = client.list_samples(run["id"], limit=500, cursor=cursor)
            samples += page["data"]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        recorded = {
            "name": f"{optimizer} (recorded)",
            "run": {"optimizerType": run["optimizerType"], "config": run["config"], "status": run["status"]},
            "iterations": client.list_iterations(run["id"]),
            "samples": samples,
        }
        with open(os.path.join(OUT, f"{optimizer}-run.json"), "w") as f:
            json.dump(recorded, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{optimizer}: {len(recorded['iterations'])} iterations, {len(samples)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
