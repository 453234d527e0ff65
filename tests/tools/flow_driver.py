#!/usr/bin/python3
"""flow_driver.py - run any registered flow to an end without a terminal.

    flow_driver.py RUNBOOK FLOW OUTDIR NOTE [CONFIRM]

Starts FLOW with `runbook --json start FLOW --non-interactive [--confirm CONFIRM]`;
while it pauses (exit 3), answers what it waits for and resumes: a destructive action's confirmation with the
target it names, a choice or a manual step with options with the suggestion or the
first option (the next one each time the same state asks again, so that loops end), a
parameter with 12345, a free-text manual step with NOTE (a note the
caller wants journaled). Every command's stdout and stderr are appended to
OUTDIR/<flow>.out and OUTDIR/<flow>.err. Prints one JSON line: {"flow", "incident",
"closed", "end", "steps", "exits", "confirmed" (the targets confirmed on resume),
"seconds", "last_error"}; exits 0 when the incident closed (at most 40 commands).
"""

import json
import os
import subprocess
import sys
import time


def main():
    runbook, flow, outdir, note = sys.argv[1:5]
    confirm = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
    t0 = time.monotonic()
    flows = json.loads(subprocess.run([runbook, "--json", "flows"], capture_output=True,
                                      text=True, check=True).stdout)["flows"]
    kinds = {s["id"]: s["kind"] for f in flows if f["name"] == flow for s in f["states"]}
    out = open(os.path.join(outdir, flow + ".out"), "a")
    err = open(os.path.join(outdir, flow + ".err"), "a")
    args = [runbook, "--json", "start", flow, "--non-interactive"]
    if confirm:
        args += ["--confirm", confirm]
    visits = {}
    report = {"flow": flow, "incident": None, "closed": False, "end": None, "steps": 0,
              "exits": [], "confirmed": [], "seconds": 0, "last_error": ""}
    for _ in range(40):
        p = subprocess.run(args, capture_output=True, text=True, timeout=120)
        out.write(p.stdout)
        err.write(p.stderr)
        report["steps"] += 1
        report["exits"].append(p.returncode)
        try:
            j = json.loads(p.stdout)
        except ValueError:
            report["last_error"] = p.stderr.strip()[-300:]
            break
        report["incident"] = j.get("incident", report["incident"])
        if p.returncode == 0:
            report["closed"] = j.get("status") == "closed"
            report["end"] = j.get("end")
            break
        if p.returncode != 3 or "waiting_for" not in j:
            report["last_error"] = p.stderr.strip()[-300:]
            break
        w = j["waiting_for"]
        state, options = w["state"], w.get("options") or []
        args = [runbook, "--json", "resume", report["incident"], "--non-interactive"]
        if kinds.get(state) == "action" and len(options) == 1:
            args += ["--confirm", options[0]]
            report["confirmed"].append(options[0])
        elif options:
            order = options[:]
            if w.get("suggested") in order:
                order.remove(w["suggested"])
                order.insert(0, w["suggested"])
            visits[state] = visits.get(state, -1) + 1
            args += ["--answer", "%s=%s" % (state, order[visits[state] % len(order)])]
        elif kinds.get(state) == "action":
            args += ["--answer", state + "=12345"]
        else:
            args += ["--answer", "%s=%s" % (state, note)]
    report["seconds"] = round(time.monotonic() - t0, 2)
    print(json.dumps(report))
    return 0 if report["closed"] else 1


if __name__ == "__main__":
    sys.exit(main())
