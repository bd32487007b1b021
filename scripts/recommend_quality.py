#!/usr/bin/env python3
"""Recommendation quality through the API (issue 6). Standard library only; driven by scripts/recommend_quality.sh.

  split SRC DST [--users 2000] [--holdout 5] [--min-ratings 15] [--seed 42]
      SRC is a MovieLens-latest folder (movies.csv, ratings.csv; e.g. `cinerec generate --out-dir`). Picks --users
      users at random among those with at least --min-ratings ratings and holds out each one's --holdout newest
      ratings (by timestamp; ties by movie id). DST gets the other files unchanged, ratings.csv without the
      held-out rows (what is imported and trained on) and heldout.csv (userId,movieId,rating,timestamp).

  evaluate URL API_KEY DST [--k 10] [--relevant-min 3.5] [--threads 4]
      For every held-out user, GET URL/v1/users/{id}/recommendations?limit=K with the admin API key; a held-out
      movie rated >= --relevant-min is relevant (users with none are skipped). Prints precision@K, recall@K,
      NDCG@K and hit rate of the service beside the popularity baseline: the K movies with the most positive
      (>= --relevant-min) training ratings that the user has not rated in training (what a non-personal service
      would show). Also the sources the service answered with, and every non-200 answer.
"""
import argparse
import collections
import csv
import http.client
import json
import math
import os
import random
import shutil
import sys
import threading
import urllib.parse


def read_ratings(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            yield int(row[0]), int(row[1]), float(row[2]), int(row[3])


def split(args):
    by_user = collections.defaultdict(list)
    for user, movie, rating, ts in read_ratings(os.path.join(args.src, "ratings.csv")):
        by_user[user].append((ts, movie, rating))
    eligible = sorted(u for u, rows in by_user.items() if len(rows) >= args.min_ratings)
    rng = random.Random(args.seed)
    chosen = set(rng.sample(eligible, min(args.users, len(eligible))))
    os.makedirs(args.dst, exist_ok=True)
    for name in os.listdir(args.src):
        if name != "ratings.csv" and os.path.isfile(os.path.join(args.src, name)):
            shutil.copy(os.path.join(args.src, name), os.path.join(args.dst, name))
    kept = held = 0
    with open(os.path.join(args.dst, "ratings.csv"), "w", newline="") as train_file, \
            open(os.path.join(args.dst, "heldout.csv"), "w", newline="") as held_file:
        train, holdout = csv.writer(train_file), csv.writer(held_file)
        train.writerow(["userId", "movieId", "rating", "timestamp"])
        holdout.writerow(["userId", "movieId", "rating", "timestamp"])
        for user in sorted(by_user):
            rows = sorted(by_user[user])
            cut = len(rows) - args.holdout if user in chosen else len(rows)
            for i, (ts, movie, rating) in enumerate(rows):
                out = train if i < cut else holdout
                out.writerow([user, movie, f"{rating:g}", ts])
                if i < cut:
                    kept += 1
                else:
                    held += 1
    print(f"split: {len(by_user)} users, {len(eligible)} with >= {args.min_ratings} ratings, {len(chosen)} chosen; "
          f"{kept} ratings kept for training, {held} held out ({args.holdout} newest of each chosen user)")


def dcg(ranked, relevant, k):
    return sum(1.0 / math.log2(i + 2) for i, movie in enumerate(ranked[:k]) if movie in relevant)


def metrics(ranked, relevant, k):
    hits = sum(1 for movie in ranked[:k] if movie in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return hits / k, hits / len(relevant), dcg(ranked, relevant, k) / ideal, 1.0 if hits else 0.0


def evaluate(args):
    seen = collections.defaultdict(set)
    positives = collections.Counter()
    for user, movie, rating, _ in read_ratings(os.path.join(args.dst, "ratings.csv")):
        seen[user].add(movie)
        if rating >= args.relevant_min:
            positives[movie] += 1
    popular = [movie for movie, _ in positives.most_common()]
    relevant = collections.defaultdict(set)
    held_users = set()
    for user, movie, rating, _ in read_ratings(os.path.join(args.dst, "heldout.csv")):
        held_users.add(user)
        if rating >= args.relevant_min:
            relevant[user].add(movie)
    users = sorted(u for u in held_users if relevant[u])

    target = urllib.parse.urlsplit(args.url)
    answers, errors, sources = {}, [], collections.Counter()
    lock = threading.Lock()

    def worker(part):
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        for user in part:
            conn.request("GET", f"/v1/users/{user}/recommendations?limit={args.k}",
                         headers={"Authorization": "Bearer " + args.api_key})
            response = conn.getresponse()
            body = response.read()
            with lock:
                if response.status != 200:
                    errors.append(f"user {user}: {response.status} {body[:200]!r}")
                    continue
                answer = json.loads(body)
                sources[answer.get("source", "?")] += 1
                answers[user] = [item["movie_id"] for item in answer["items"]]

    threads = [threading.Thread(target=worker, args=(users[i::args.threads],)) for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    totals = {"service": [0.0] * 4, "popularity": [0.0] * 4}
    for user in answers:
        baseline = [m for m in popular if m not in seen[user]][: args.k]
        for name, ranked in (("service", answers[user]), ("popularity", baseline)):
            for i, value in enumerate(metrics(ranked, relevant[user], args.k)):
                totals[name][i] += value
    n = max(len(answers), 1)
    k = args.k
    print(f"evaluate: {len(held_users)} held-out users, {len(users)} with a relevant (rating >= {args.relevant_min:g}) "
          f"held-out movie, {len(answers)} answered 200, {len(errors)} did not; sources {dict(sources)}")
    print(f"  {'':<34} {'precision@' + str(k):>13} {'recall@' + str(k):>10} {'NDCG@' + str(k):>8} {'hit rate':>9}")
    for name, label in (("service", "service (GET .../recommendations)"), ("popularity", "popularity baseline")):
        p, r, g, h = (v / n for v in totals[name])
        print(f"  {label:<34} {p:13.4f} {r:10.4f} {g:8.4f} {h:9.4f}")
    for e in errors[:10]:
        print("  error:", e, file=sys.stderr)
    return 1 if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("--users", type=int, default=2000)
    s.add_argument("--holdout", type=int, default=5)
    s.add_argument("--min-ratings", type=int, default=15)
    s.add_argument("--seed", type=int, default=42)
    e = sub.add_parser("evaluate")
    e.add_argument("url")
    e.add_argument("api_key")
    e.add_argument("dst")
    e.add_argument("--k", type=int, default=10)
    e.add_argument("--relevant-min", type=float, default=3.5)
    e.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    return split(args) if args.command == "split" else evaluate(args)


if __name__ == "__main__":
    sys.exit(main() or 0)
