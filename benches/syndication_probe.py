#!/usr/bin/env python3
"""A syndication corpus made another way than `wiretrace synth`, with its truth.

`synth` and the lineage code were written by the same hands, so a corpus of `synth` can
share their blind spots. This generator is independent of both: its wire stories are
real Reuters-21578 texts (read from ../shared/corpora, not copied into the repository),
and it lays them out as a crawl of outlets' pages does:

- four wires (AP, Reuters, AFP, Xinhua), each with its own dateline (`PARIS (AFP) - `,
  `WASHINGTON (AP) — `, `BEIJING (Xinhua) -- `) and closing line; a wire item gives its
  headline as the `title`, apart from its text, as a feed does;
- twelve outlets whose pages print the headline above the story between the outlet's
  header and footer; their clocks are in five time zones (ISO 8601 with the offset),
  one outlet dates to the day only, and 8 % of the pages carry no date;
- copies of a wire story: verbatim, edited (4 % of the words replaced, a sentence
  dropped, a sentence of the outlet's own added), truncated (its first paragraphs) and
  excerpted (a run of middle paragraphs), 30 % of them at the wire's own minute, each
  closing with the wire's line, `Source: <wire>` or nothing;
- reposts of an edited copy by another outlet, hours later, closing with `Originally
  published by <outlet>.`; roundups that merge the opening paragraphs of two wire
  stories a few hours after the later one; the outlets' own stories as distractors;
- `--missing F`: each wire story copied twice or more is left out with probability F
  (users crawl outlets, not the wire).

The truth (`--truth`) lists every copy edge, parent → child, labelled by kind; score with
`wiretrace eval OUT.json --truth TRUTH --corpus CORPUS --complete` (inferred sources are
matched to the missing wire stories by the copies they share).

    python3 benches/syndication_probe.py --seed 3 --missing 0.4 -o probe.jsonl --truth probe.truth.json
    target/release/wiretrace lineage probe.jsonl -q -o probe.lineage.json
    target/release/wiretrace eval probe.lineage.json --truth probe.truth.json --corpus probe.jsonl --complete
"""

import argparse
import datetime
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
REUTERS = os.path.join(HERE, "..", "..", "shared", "corpora", "reuters21578.jsonl")

WIRES = [
    ("AP", "(AP) —", "The Associated Press contributed to this report."),
    ("Reuters", "(Reuters) -", "Reporting by Reuters staff; editing by the desk."),
    ("AFP", "(AFP) -", "© Agence France-Presse"),
    ("Xinhua", "(Xinhua) --", "Source: Xinhua"),
]
CITIES = ["WASHINGTON", "LONDON", "BEIJING", "TOKYO", "PARIS", "NEW YORK", "SYDNEY", "CAIRO"]
OUTLETS = [
    "Daily Courier", "Metro Ledger", "Valley Times", "Harbor Post", "The Sentinel",
    "City Wire", "Northern Star", "Evening Gazette", "Coast Herald", "Capital Report",
    "Prairie News", "Lakeside Journal",
]
WIRE_STORIES = 150
OWN_STORIES = 250
ROUNDUPS = 25


def paragraphs(text):
    parts = re.split(r"\n\s{2,}|\n\n", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


def slug(name):
    return name.lower().replace(" ", "-")


class Probe:
    def __init__(self, seed, reuters):
        self.rng = random.Random(seed)
        self.pool = self.stories(reuters)
        self.vocab = [
            w for s in self.pool[:2000] for w in s["text"].split() if w.isalpha() and len(w) > 3
        ]
        self.outlets = [
            {
                "name": name,
                "header": f"{name} | Home | World | Business | Sport | Opinion\n"
                f"Subscribe to {name} for unlimited access.\n",
                "footer": f"\nShare this article. Follow {name} on social media.\n"
                f"Copyright 2026 {name}. All rights reserved. Privacy policy | Terms of use",
                "tz": self.rng.choice([0, 0, 1, 8, -5]),
                "day_only": i == len(OUTLETS) - 1,
            }
            for i, name in enumerate(OUTLETS)
        ]
        self.docs = []
        self.edges = []
        self.serial = 0

    def stories(self, path):
        """Distinct Reuters stories of 180 to 900 words, shuffled."""
        seen, pool = set(), []
        with open(path, encoding="utf-8") as f:
            for line in f:
                story = json.loads(line)
                words = story["text"].split()
                key = " ".join(words[:12])
                if 180 <= len(words) <= 900 and key not in seen:
                    seen.add(key)
                    pool.append(story)
        self.rng.shuffle(pool)
        return pool

    def stamp(self, when, outlet):
        if outlet["day_only"]:
            return when.date().isoformat()
        if self.rng.random() < 0.08:
            return None
        tz = datetime.timezone(datetime.timedelta(hours=outlet["tz"]))
        return when.replace(tzinfo=datetime.timezone.utc).astimezone(tz).isoformat()

    def edit(self, paras, rate, extra=None):
        out = [
            " ".join(self.rng.choice(self.vocab) if self.rng.random() < rate else w for w in p.split())
            for p in paras
        ]
        if len(out) > 3 and self.rng.random() < 0.6:
            del out[self.rng.randrange(1, len(out))]
        if extra:
            out.insert(self.rng.randrange(1, len(out) + 1), extra)
        return out

    def page(self, outlet, when, paras, title, closing=None):
        """An outlet's page: header, headline, story, closing line, footer."""
        self.serial += 1
        doc_id = f"{slug(outlet['name'])}-{self.serial:05d}"
        body = "\n\n".join(paras + ([closing] if closing else []))
        text = f"{outlet['header']}\n{title.title()}\n\n{body}{outlet['footer']}"
        self.docs.append(
            {"id": doc_id, "text": text, "source": outlet["name"], "date": self.stamp(when, outlet),
             "title": title.title()}
        )
        return doc_id

    def generate(self, missing):
        rng = self.rng
        base = datetime.datetime(2026, 3, 1, 6, 0)
        wires = []
        for i in range(WIRE_STORIES):
            story = self.pool[i]
            name, dateline, closing = WIRES[i % len(WIRES)]
            paras = paragraphs(story["text"])
            paras[0] = f"{rng.choice(CITIES)} {dateline} {paras[0]}"
            when = base + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
            wire = {"id": f"wire-{name.lower()}-{i:04d}", "wire": name, "when": when,
                    "paras": paras, "closing": closing, "title": story.get("title", "")}
            wires.append(wire)
            self.docs.append({
                "id": wire["id"], "text": "\n\n".join(paras + [closing]), "source": name,
                "date": when.replace(tzinfo=datetime.timezone.utc).isoformat(),
                "title": wire["title"].title(),
            })
        for wire in wires:
            edited = []
            for outlet in rng.sample(self.outlets, rng.choice([0, 1, 1, 2, 2, 3, 4, 5])):
                kind = rng.choice(["verbatim", "verbatim", "edited", "edited", "truncated", "excerpt"])
                paras = list(wire["paras"])
                if kind == "edited":
                    paras = self.edit(paras, 0.04, f"{outlet['name']} could not independently verify the report.")
                elif kind == "truncated":
                    paras = paras[: max(2, int(len(paras) * rng.uniform(0.4, 0.7)))]
                elif kind == "excerpt":
                    a = rng.randrange(0, max(1, len(paras) // 2))
                    paras = paras[a : min(len(paras), a + max(2, int(len(paras) * rng.uniform(0.3, 0.6))))]
                lag = 0 if rng.random() < 0.3 else rng.randrange(5, 240)
                when = wire["when"] + datetime.timedelta(minutes=lag)
                closing = rng.choice([wire["closing"], f"Source: {wire['wire']}", None])
                copy = self.page(outlet, when, paras, wire["title"], closing)
                self.edges.append({"parent": wire["id"], "child": copy, "label": kind})
                if kind == "edited":
                    edited.append((copy, outlet, when, paras))
            if edited and rng.random() < 0.5:
                copy, source, when, paras = edited[0]
                outlet = rng.choice([o for o in self.outlets if o is not source])
                repost = self.page(outlet, when + datetime.timedelta(hours=rng.randrange(2, 30)),
                                   self.edit(paras, 0.02), wire["title"],
                                   f"Originally published by {source['name']}.")
                self.edges.append({"parent": copy, "child": repost, "label": "repost-of-repost"})
        for _ in range(ROUNDUPS):
            a, b = sorted(rng.sample(wires, 2), key=lambda w: w["when"])
            outlet = rng.choice(self.outlets)
            roundup = self.page(outlet, b["when"] + datetime.timedelta(hours=rng.randrange(3, 30)),
                                a["paras"][:2] + b["paras"][:2], "Roundup: " + a["title"][:30])
            for w in (a, b):
                self.edges.append({"parent": w["id"], "child": roundup, "label": "merged"})
        for story in self.pool[WIRE_STORIES : WIRE_STORIES + OWN_STORIES]:
            outlet = rng.choice(self.outlets)
            self.page(outlet, base + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 20)),
                      paragraphs(story["text"]), story.get("title", ""))
        copied = {}
        for e in self.edges:
            copied[e["parent"]] = copied.get(e["parent"], 0) + 1
        left_out = {w["id"] for w in wires if copied.get(w["id"], 0) >= 2 and rng.random() < missing}
        self.docs = [d for d in self.docs if d["id"] not in left_out]
        rng.shuffle(self.docs)
        return left_out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--missing", type=float, default=0.0,
                    help="share of the wire stories copied twice or more left out (0 to 1)")
    ap.add_argument("-o", "--output", required=True, help="corpus to write (JSON Lines)")
    ap.add_argument("--truth", required=True, help="truth to write (wiretrace eval's format)")
    ap.add_argument("--reuters", default=REUTERS, help="Reuters-21578 as JSON Lines")
    args = ap.parse_args()
    if not 0.0 <= args.missing <= 1.0:
        ap.error("--missing is a share from 0 to 1")
    if os.path.abspath(args.output) == os.path.abspath(args.truth):
        ap.error("--output and --truth must be different files")
    probe = Probe(args.seed, args.reuters)
    left_out = probe.generate(args.missing)
    with open(args.output, "w", encoding="utf-8") as f:
        for d in probe.docs:
            f.write(json.dumps({k: v for k, v in d.items() if v is not None}, ensure_ascii=False) + "\n")
    with open(args.truth, "w", encoding="utf-8") as f:
        json.dump({"edges": probe.edges, "negatives": []}, f, indent=1)
    print(f"{len(probe.docs)} documents, {len(probe.edges)} copy edges, "
          f"{len(left_out)} wire stories left out")


if __name__ == "__main__":
    main()
