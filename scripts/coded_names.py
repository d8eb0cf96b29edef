#!/usr/bin/env python3
"""How many coded attackers and targets that are proper names the entities stage tags.

GOLD: short human-coded incident reports (shared/news/*.jsonl), one JSON object a line with
`id`, `text` and `attackers`/`targets` as [[start, end]] code points of `text`.
PRED: EnrichResponse proto3 JSON lines (`enrich` output); mention offsets are code points of
the input text too.

An attacker coded by its malware's name ("Emotet", "the Ryuk ransomware") is found by a MALWARE
entity too: the news coders name the family when no group is named, and the family is what
the name is. The strict figure, without it, is printed beside.

A coded span counts when it is a proper name: after a leading article, it starts with an
uppercase letter and has a capitalised word that is not a pronoun, number or common noun
("They", "Hackers", "Four universities" do not count). It is found when a mention of an
entity of a fitting kind overlaps it.

usage: coded_names.py GOLD.jsonl [GOLD.jsonl ...] PRED.jsonl [PRED.jsonl ...] [--misses N]
       (GOLD and PRED files pair up in order: first half gold, second half predictions)
"""
import argparse
import json
import os
import re

FITTING = {
    "targets": {"ORGANIZATION", "GOVERNMENT_BODY", "COUNTRY", "PERSON", "PRODUCT"},
    "attackers": {"THREAT_ACTOR", "GROUP", "ORGANIZATION", "COUNTRY", "GOVERNMENT_BODY", "PERSON"},
}

# What an attacker coded by its family's name is found by as well.
FAMILY = "MALWARE"

# Capitalised words that do not make a span a name on their own.
COMMON = set("""
a an the this that these those they them their it its he she his her we our you i one two
three four five six seven eight nine ten several multiple many some unknown unidentified
undisclosed unnamed hackers hacker attackers attacker users user customers
researchers criminals cybercriminals group groups gang company companies firm organization
organizations organisations government governments website websites city state hospital
hospitals university universities school schools bank banks employees people victims
""".split())

ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)


def is_proper_name(span):
    rest = ARTICLE.sub("", span.strip())
    if not rest or not rest[0].isupper():
        return False
    words = re.findall(r"[^\W\d_][\w'’.&-]*", rest)
    return any(w[0].isupper() and w.lower().strip(".'’") not in COMMON for w in words)


def mentions_by_article(pred_path):
    out = {}
    for line in open(pred_path, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        out[r.get("articleId", "")] = [
            (e.get("kind"), e.get("name", ""), m.get("start", 0), m.get("end", 0))
            for e in r.get("entities", [])
            for m in e.get("mentions", [])
        ]
    return out


def score(gold_path, pred_path):
    """Per role: [found, proper names], and the misses as (id, span, text, tagged nearby)."""
    pred = mentions_by_article(pred_path)
    counts = {role: [0, 0] for role in FITTING}
    families = 0
    misses = []
    for line in open(gold_path, encoding="utf-8"):
        if not line.strip():
            continue
        g = json.loads(line)
        ours = pred.get(g["id"], [])
        for role, kinds in FITTING.items():
            for start, end in g.get(role, []):
                span = g["text"][start:end]
                if not is_proper_name(span):
                    continue
                counts[role][1] += 1
                over = [(k, n) for k, n, s, e in ours if s < end and start < e]
                if any(k in kinds for k, _ in over):
                    counts[role][0] += 1
                elif role == "attackers" and any(k == FAMILY for k, _ in over):
                    families += 1
                else:
                    misses.append((g["id"], role, span, g["text"], over))
    return counts, families, misses


def share(found, total):
    return f"{found / total:.3f} ({found}/{total})" if total else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help="GOLD files then as many PRED files")
    ap.add_argument("--misses", type=int, default=0, help="print this many missed spans per set")
    args = ap.parse_args()
    if len(args.files) % 2:
        ap.error("give as many PRED files as GOLD files")
    half = len(args.files) // 2
    total = {role: [0, 0] for role in FITTING}
    total_families = 0
    for gold_path, pred_path in zip(args.files[:half], args.files[half:]):
        counts, families, misses = score(gold_path, pred_path)
        total_families += families
        for role, (found, n) in counts.items():
            total[role][0] += found
            total[role][1] += n
        report(os.path.basename(gold_path), counts, families)
        for doc_id, role, span, text, over in misses[: args.misses]:
            print(f"  miss {role[:-1]:8} {span!r:40} tagged {over}\n       {doc_id}: {text[:160]}")
    report("all", total, total_families)


def report(name, counts, families):
    """One line of figures: targets, attackers with families, the strict attackers, both."""
    found, n = counts["attackers"]
    both = [sum(c[i] for c in counts.values()) for i in (0, 1)]
    print(f"{name:24} targets {share(*counts['targets'])}  attackers {share(found + families, n)}"
          f" (strict {share(found, n)})  both {share(both[0] + families, both[1])}")


if __name__ == "__main__":
    main()
