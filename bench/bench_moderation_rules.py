"""The automatic flags of classified ads (``saypro_desktop.core.moderation_rules``):

(a) precision and recall of each rule on tests/data/moderation_labelled.jsonl, each ad scored with all the other
    ads of the file known (that is what its labels mean; scripts/make_moderation_labelled.py);
(b) throughput: ads made by the same generator (another seed), 50,000 indexed as known, then 10,000 more scored
    three times (the median round is reported: the machine is shared); ads per second, and the memory the index
    holds (tracemalloc, in a separate build, as tracing slows Python).

    .venv/bin/python bench/bench_moderation_rules.py [--known 50000] [--score 10000] [--skip quality,speed]
                                                     [--errors RULE]

``--errors RULE`` prints the ads the rule got wrong (false alarms and misses) with the why of each hit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_moderation_labelled import generate  # noqa: E402

from saypro_desktop.core.moderation_rules import RULES, AdImage, AdText, Scorer, default_ruleset  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "moderation_labelled.jsonl"
ROUNDS = 3


def to_ad(d: dict[str, Any]) -> AdText:
    fields = {k: v for k, v in d.items() if k not in ("labels", "images")}
    return AdText(**fields, images=tuple(AdImage(**i) for i in d["images"]))


def quality(errors: str | None) -> None:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    ads = [to_ad(r) for r in rows]
    scorer = Scorer(default_ruleset())
    for ad in ads:
        scorer.add_known(ad)
    tp = dict.fromkeys(RULES, 0)
    fp, fn = dict(tp), dict(tp)
    clean_flagged = clean = 0
    for row, ad in zip(rows, ads, strict=True):
        score = scorer.score(ad)
        truth, found = set(row["labels"]), score.rules
        if not truth:
            clean += 1
            clean_flagged += bool(found)
        for rule in RULES:
            tp[rule] += rule in truth and rule in found
            fp[rule] += rule not in truth and rule in found
            fn[rule] += rule in truth and rule not in found
        if errors and (errors in truth) != (errors in found):
            kind = "MISSED" if errors in truth else "FALSE ALARM"
            print(f"{kind} {ad.ad_id} [{ad.category} / {ad.subcategory}] labels={sorted(truth)}\n"
                  f"  {ad.title!r}\n  {ad.description!r}  price={ad.price_minor}")
            for hit in score.hits:
                print(f"    {hit.rule}: {hit.why}")
    print(f"\n(a) {len(ads)} labelled ads ({clean} clean), each scored with the other {len(ads) - 1} known\n")
    print(f"| {'rule':20} | labelled | flagged | precision | recall |")
    print(f"|{'-' * 22}|----------|---------|-----------|--------|")
    for rule in RULES:
        labelled, flagged = tp[rule] + fn[rule], tp[rule] + fp[rule]
        precision = f"{tp[rule] / flagged:.3f}" if flagged else "-"
        recall = f"{tp[rule] / labelled:.3f}" if labelled else "-"
        print(f"| {rule:20} | {labelled:8} | {flagged:7} | {precision:>9} | {recall:>6} |")
    print(f"\nclean ads with any hit: {clean_flagged} of {clean} ({clean_flagged / clean:.1%})")


def speed(known: int, to_score: int) -> None:
    t = time.perf_counter()
    rows = generate(known + to_score, seed=7)
    ads = [to_ad(r) for r in rows]
    made = time.perf_counter() - t
    known_ads, queries = ads[:known], ads[known:]

    gc.collect()
    tracemalloc.start()
    traced = Scorer(default_ruleset())
    for ad in known_ads:
        traced.add_known(ad)
    gc.collect()
    index_bytes, index_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    gc.collect()

    scorer = Scorer(default_ruleset())
    t = time.perf_counter()
    for ad in known_ads:
        scorer.add_known(ad)
    indexed = time.perf_counter() - t
    walls, cpus = [], []
    for _ in range(ROUNDS):  # score() leaves the index as it was, so the rounds are alike; the machine is not
        t, c = time.perf_counter(), time.process_time()
        flagged = sum(1 for ad in queries if scorer.score(ad).hits)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\n(b) {known:,} generated ads indexed, {to_score:,} more scored {ROUNDS} times (generating them took "
          f"{made:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| add_known | {known / indexed:,.0f} ads/s ({indexed:.1f} s) |")
    print(f"| score, median of {ROUNDS} rounds | {to_score / wall:,.0f} ads/s ({wall * 1e6 / to_score:.0f} µs per ad; "
          f"rounds {', '.join(f'{to_score / w:,.0f}' for w in walls)}) |")
    print(f"| score, by CPU time of the process | {to_score / cpu:,.0f} ads/s |")
    print(f"| ads scored with at least one hit | {flagged / to_score:.1%} |")
    print(f"| memory held by the index (tracemalloc) | {index_bytes / 2**20:.1f} MiB (peak while building "
          f"{index_peak / 2**20:.1f} MiB) |")
    print(f"| peak RSS of the whole process (with the generated ads) | {peak_rss:.0f} MiB |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--known", type=int, default=50_000)
    ap.add_argument("--score", type=int, default=10_000)
    ap.add_argument("--skip", default="", help="comma-separated: quality, speed")
    ap.add_argument("--errors", metavar="RULE", choices=RULES, help="print the ads this rule got wrong")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    print("command: .venv/bin/python bench/bench_moderation_rules.py " + " ".join(sys.argv[1:]))
    if "quality" not in skip:
        quality(args.errors)
    if "speed" not in skip:
        speed(args.known, args.score)


if __name__ == "__main__":
    main()
