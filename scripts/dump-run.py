#!/usr/bin/env python3
"""Dumps one run's stored rows through the API to a JSON file (OPTISCOPE_URL / OPTISCOPE_API_KEY)."""
import json
import os
import sys
import urllib.request

url, key = os.environ["OPTISCOPE_URL"].rstrip("/"), os.environ["OPTISCOPE_API_KEY"]
run_id, target = sys.argv[1], sys.argv[2]


def get(path):
    req = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req) as res:
        return json.load(res)


def paged(resource):
    rows, cursor = [], None
    while True:
        page = get(f"/api/v1/runs/{run_id}/{resource}?limit=200" + (f"&cursor={cursor}" if cursor else ""))
        rows += page["data"]
        cursor = page.get("nextCursor")
        if not cursor:
            return rows


drop = {"projectId", "runId", "createdAt", "updatedAt", "id"}
clean = lambda rows: [{k: v for k, v in r.items() if k not in drop} for r in rows]
run = get(f"/api/v1/runs/{run_id}")
iterations = get(f"/api/v1/runs/{run_id}/iterations")
dump = {
    "run": {k: run.get(k) for k in ("runName", "optimizerType", "status", "config", "metadata", "tags", "finalScore", "baselineScore")},
    "iterations": clean(iterations["data"] if isinstance(iterations, dict) and "data" in iterations else iterations),
    "candidates": clean(paged("candidates")),
    "candidatePool": clean(paged("candidate-pool")),
    "pareto": clean(paged("pareto")),
    "proposals": clean(paged("proposals")),
}
with open(target, "w") as f:
    json.dump(dump, f, indent=1, sort_keys=True)
print(f"{target}: {len(dump['iterations'])} iterations, {len(dump['candidates'])} candidates, "
      f"{len(dump['candidatePool'])} pool entries, {len(dump['pareto'])} fronts, {len(dump['proposals'])} proposals")
