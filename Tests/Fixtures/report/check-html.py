#!/usr/bin/env python3
"""Checks an `sshlog report --format html` file against the JSON report of the same logs.

Usage: check-html.py REPORT.html REPORT.json
- the HTML parses with html.parser into only the elements sshlog emits, properly nested,
  with no event-handler attributes and no href/src anywhere (nothing external, nothing active);
- every bar of the per-hour chart (rect data-bucket/data-cause/data-count) matches the JSON's
  buckets (completed = connections - drops; drops by cause), and every bucket with activity
  has its bars;
- the top-sources bars (rect data-source/data-count) match noise.top_sources.
Prints "ok <n> rects" and exits 0, or prints what differs and exits 1.
"""
import json, sys
from html.parser import HTMLParser

ALLOWED = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "strong", "span",
           "br", "em", "code", "table", "tr", "th", "td", "i", "svg", "line", "text", "rect", "ul", "li"}
VOID = {"meta", "br", "line"}

class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.rects, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.errors.append(f"unexpected element <{tag}>")
        for k, v in attrs:
            if k.startswith("on") or k in ("href", "src", "xlink:href", "srcset", "action"):
                self.errors.append(f"attribute {k} on <{tag}>")
        if tag == "rect":
            self.rects.append(dict(attrs))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

def main():
    html = open(sys.argv[1], encoding="utf-8").read()
    rep = json.load(open(sys.argv[2], encoding="utf-8"))
    c = Checker()
    c.feed(html)
    c.close()
    errors = list(c.errors)
    if c.stack:
        errors.append(f"unclosed: {c.stack}")
    bars = {}
    sources = {}
    for r in c.rects:
        if "data-bucket" in r:
            key = (int(r["data-bucket"]), r["data-cause"])
            bars[key] = bars.get(key, 0) + int(r["data-count"])
        elif "data-source" in r:
            sources[r["data-source"]] = int(r["data-count"])
    want = {}
    for i, b in enumerate(rep["buckets"]):
        if b["connections"] - b["drops"] > 0:
            want[(i, "completed")] = b["connections"] - b["drops"]
        for cause, n in b["drops_by_cause"].items():
            want[(i, cause)] = n
    if bars != want:
        errors.append(f"chart bars differ from JSON buckets: only in HTML {sorted(set(bars.items()) - set(want.items()))}, "
                      f"only in JSON {sorted(set(want.items()) - set(bars.items()))}")
    want_sources = {s["name"]: s["count"] for s in rep["noise"]["top_sources"]}
    if sources != want_sources:
        errors.append(f"source bars {sources} differ from JSON top_sources {want_sources}")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"ok {len(c.rects)} rects")
    # The text content, for the caller to look for hostile names as literal text.
    sys.stdout.write("TEXT:" + "".join(c.text).replace("\n", " ") + "\n")

main()
