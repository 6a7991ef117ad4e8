#!/usr/bin/env python3
"""A helper program written for ExaBGP 4's API, run unchanged by ExaBGP
and by flowspecd (tests/interop/process.sh): it writes commands on its
stdout, one per line, and reads one answer ("done" or "error") on its
stdin after each, as ExaBGP does with api.ack on (its default).

  process-helper.py LOG [MARKER]

LOG gets "start PID" and one "answer N TEXT" line per command. With
MARKER, the first run (MARKER absent) creates it and exits with status 3
after its commands (to check the respawn); otherwise, and in later runs,
it stays until its stdin closes or it is killed."""
import os
import sys

NEIGHBOR_A = os.environ.get("HELPER_NEIGHBOR_A", "127.0.0.151")
NEIGHBOR_B = os.environ.get("HELPER_NEIGHBOR_B", "127.0.0.152")

COMMANDS = [
    # 1. every neighbor
    "announce flow route { match { destination 10.60.1.0/24; protocol tcp; "
    "destination-port =80; } then { discard; } }",
    # 2. one neighbor
    f"neighbor {NEIGHBOR_A} announce flow route {{ match {{ destination "
    f"10.60.2.0/24; protocol udp; source-port =53; }} then {{ rate-limit "
    f"1000; }} }}",
    # 3. ExaBGP's list form
    f"neighbor {NEIGHBOR_A} , neighbor {NEIGHBOR_B} announce flow route {{ "
    f"match {{ destination 10.60.3.0/24; }} then {{ redirect 65000:100; }} }}",
    # 4. a typo: error
    "announce flow route { match { destinaton 10.60.4.0/24; } then "
    "{ discard; } }",
    # 5. and 6. announce, then withdraw
    "announce flow route { match { destination 10.60.5.0/24; } then "
    "{ discard; } }",
    "withdraw flow route { match { destination 10.60.5.0/24; } then "
    "{ discard; } }",
    # 7. a neighbor that is not configured: error
    "neighbor 127.0.0.199 announce flow route { match { destination "
    "10.60.7.0/24; } then { discard; } }",
]


def main():
    log_path = sys.argv[1]
    marker = sys.argv[2] if len(sys.argv) > 2 else None
    with open(log_path, "a") as log:
        log.write(f"start {os.getpid()}\n")
        log.flush()
        for i, command in enumerate(COMMANDS, 1):
            sys.stdout.write(command + "\n")
            sys.stdout.flush()
            answer = sys.stdin.readline()
            if not answer:
                log.write(f"answer {i} EOF\n")
                return 1
            log.write(f"answer {i} {answer.strip()}\n")
            log.flush()
        if marker and not os.path.exists(marker):
            open(marker, "w").close()
            log.write("exit 3\n")
            return 3
    # Stay until the daemon closes our stdin or kills us.
    while sys.stdin.readline():
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
