#!/usr/bin/env python3
"""Puts one section into Benchmarks/RESULTS.md: the section (a file whose first line is its "## " title) replaces the
section of the same title, up to the next "## " title, or is appended when there is none. The side benchmarks
(import.sh, offerings.sh, replicas.sh) write their figures this way; Benchmarks/run keeps them (report.py).
    put_section.py RESULTS.md SECTION_FILE
"""
import os
import sys

path, section = sys.argv[1], open(sys.argv[2]).read().strip("\n") + "\n"
title = section.split("\n", 1)[0]
text = open(path).read() if os.path.exists(path) else ""
if title + "\n" in text:
    start = text.index(title + "\n")
    nxt = text.find("\n## ", start + len(title))
    text = text[:start] + (section + "\n" + text[nxt + 1:] if nxt >= 0 else section)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
