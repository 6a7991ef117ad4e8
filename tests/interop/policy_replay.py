#!/usr/bin/env python3
"""Checks `flowspecd replay --policy` on the attack captures against their
ground truth (pcaps/attacks.json, written from the traffic generator and
the packets as they were played, not from our program).

For each scenario it reads the decision lines of two runs and checks:
- determinism: both runs print the same lines;
- benign captures: no decision at all;
- attacks: exactly one announce and one withdraw of one rule (no flapping
  withdraw/announce during the attack), from the expected policy; the rule
  has the victim as destination, the protocol, the ports and TCP flags the
  scenario generated and the policy's action;
- timing: the announce comes no earlier than an exact sliding window over
  the played packets would cross the threshold (expect.announce) and no
  later than that plus the export delay (softflowd exports a flow at most
  EXPORT_LAG_S after its packets: maxlife 10 s, expint 1 s) plus one tick;
  the withdraw likewise against expect.withdraw.

Usage: policy_replay.py ATTACKS_JSON RUN1_DIR RUN2_DIR
(RUNn_DIR/<scenario>.jsonl holds the lines of run n.) Prints PASS/FAIL
lines; exit status 1 when any failed."""
import json
import os
import sys

EXPORT_LAG_S = 11.0   # softflowd -t maxlife=10 -t expint=1 (make-attacks.sh)
TICK_S = 1.0          # POLICY_TICK_MS

failed = False


def report(name, check, ok, what=""):
    global failed
    if ok:
        print("PASS: interop/policy_replay/%s/%s" % (name, check))
    else:
        failed = True
        print("FAIL: interop/policy_replay/%s/%s: %s" % (name, check, what))


def rule_has(rule, sc):
    """What of the scenario the rule's match must say, as rule text."""
    want = []
    dst = sc["victim"]
    want.append("destination %s/%d" % (dst, 128 if ":" in dst else 32))
    proto = sc["protocol"]
    want.append(("next-header =%s" if ":" in dst else "protocol =%s") % proto)
    if sc.get("destination_port") is not None and sc["policy"] == "syn-flood":
        want.append("destination-port =%d" % sc["destination_port"])
    if sc.get("source_port") is not None:
        want.append("source-port =%d" % sc["source_port"])
    if sc.get("tcp_flags") == "syn":
        want.append("syn")
    return [w for w in want if w not in rule]


def check(name, sc, lines):
    events = [json.loads(l) for l in lines]
    if sc["benign"]:
        report(name, "no-decision", not events,
               "%d decisions, first: %s" % (len(events), lines[:1]))
        return
    kinds = [e["type"] for e in events]
    report(name, "one-announce-one-withdraw",
           kinds.count("announce") == 1 and kinds.count("withdraw") == 1
           and set(kinds) <= {"announce", "extend", "withdraw"}
           and kinds[0] == "announce" and kinds[-1] == "withdraw",
           "decisions: %s" % kinds)
    ann = [e for e in events if e["type"] == "announce"]
    wd = [e for e in events if e["type"] == "withdraw"]
    if not ann or not wd:
        return
    ann, wd = ann[0], wd[0]
    report(name, "policy", ann["policy"] == sc["policy"],
           "policy %s, want %s" % (ann["policy"], sc["policy"]))
    missing = rule_has(ann["rule"], sc)
    report(name, "rule-match", not missing,
           "%s lacks %s" % (ann["rule"], missing))
    report(name, "same-rule-withdrawn", wd["rule"] == ann["rule"],
           "withdrew %s" % wd["rule"])
    exp = sc["expect"]
    for what, got, ideal in (("announce", ann["time"], exp["announce"]),
                             ("withdraw", wd["time"], exp["withdraw"])):
        late = got - ideal
        report(name, what + "-time", -TICK_S <= late <= EXPORT_LAG_S + TICK_S,
               "%s at %.3f, %.3f s after the exact-window time %.3f "
               "(allowed: -%g .. %g)" % (what, got, late, ideal, TICK_S,
                                         EXPORT_LAG_S + TICK_S))


def main():
    table, run1, run2 = sys.argv[1:4]
    scenarios = json.load(open(table))["scenarios"]
    for name, sc in sorted(scenarios.items()):
        l1 = open(os.path.join(run1, name + ".jsonl")).read().splitlines()
        l2 = open(os.path.join(run2, name + ".jsonl")).read().splitlines()
        report(name, "deterministic", l1 == l2, "two runs differ")
        check(name, sc, l1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
