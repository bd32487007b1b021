#!/usr/bin/env python3
"""Asks the service once for each viewer of a token file (GET /v1/me/recommendations?explain=true).

Used by scripts/bench_recommend.sh to fill the candidate cache of the cache-hit users before the hit run, and to
check that every one of them answered 200 with a full list. Standard library only.

    bench/recommend_warm.py URL TOKEN_FILE [--threads 4] [--limit 20]

TOKEN_FILE holds "user_id token" lines. Prints one summary line: requests, non-200 answers, seconds, requests/s,
the cache outcomes (hit/miss/bypass) and sources, and how many answers had fewer items than asked.
"""
import argparse
import collections
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("tokens")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args()
    target = urllib.parse.urlsplit(args.url)
    with open(args.tokens) as f:
        tokens = [line.split()[1] for line in f if line.strip()]

    lock = threading.Lock()
    counts = collections.Counter()
    errors = []

    def worker(part):
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        local = collections.Counter()
        for token in part:
            for attempt in range(3):
                try:
                    conn.request("GET", f"/v1/me/recommendations?limit={args.limit}&explain=true",
                                 headers={"Authorization": "Bearer " + token})
                    response = conn.getresponse()
                    body = response.read()
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                    if attempt == 2:
                        raise
            local["requests"] += 1
            if response.status != 200:
                local["non200"] += 1
                if len(errors) < 5:
                    errors.append(f"{response.status} {body[:200]!r}")
                continue
            answer = json.loads(body)
            local["cache_" + answer.get("explain", {}).get("cache", "none")] += 1
            local["source_" + answer.get("source", "?")] += 1
            if len(answer["items"]) < args.limit:
                local["short"] += 1
        with lock:
            counts.update(local)

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(tokens[i::args.threads],)) for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    details = " ".join(f"{k}={v}" for k, v in sorted(counts.items()) if k not in ("requests", "non200", "short"))
    print(f"requests={counts['requests']} non200={counts['non200']} seconds={seconds:.1f} "
          f"per_s={counts['requests'] / max(seconds, 1e-9):.0f} short_lists={counts['short']} {details}")
    for e in errors:
        print("  error:", e, file=sys.stderr)
    return 1 if counts["non200"] else 0


if __name__ == "__main__":
    sys.exit(main())
