#!/usr/bin/env python3
"""Write assets/quiz/neighbours.txt: English words one typo away from a
word of the quiz rubric.

The grader forgives one typo in a word it does not know ("comitted" for
"committed"). A real word it does not know is no typo: "clean" is not
"clear" misspelt, and read as one it made "the logs are clean after a
failover" say that the failover cleared the feed. This lists every
dictionary word within one edit of a rubric word, so the grader knows it.

Run it after changing the rubric's words, with Debian's wamerican
installed (/usr/share/dict/words):  python3 scripts/typo-neighbours.py
"""
import glob, hashlib, json, re, sys

DICT = '/usr/share/dict/words'
MIN = 5  # quiz.MinTypoLength: shorter words are never matched by typo

def strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, list):
        for x in o:
            yield from strings(x)
    elif isinstance(o, dict):
        for k, v in o.items():
            if k in ('terms', 'unless', 'notBetween', 'with', 'unlessInClause', 'topic'):
                yield from strings(v)
            elif isinstance(v, (dict, list)):
                yield from strings(v)

def words_of(s):
    for alt in s.split('|'):
        if alt.startswith('@'):
            continue
        for w in re.findall(r"[a-z]+", alt.lower()):
            yield w

def variant(a, b):
    """Spelling variants and inflections one edit apart are the same word
    to a reader: behaviour/behavior, acknowledgement/acknowledgment,
    serialise/serialize, cancelled/canceled, action/actions. They stay
    typos, so the grader keeps matching them."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 and {a[diff[0]], b[diff[0]]} == {'s', 'z'}
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    extra = b[i]
    doubled = (i > 0 and b[i - 1] == extra) or (i + 1 < len(b) and b[i + 1] == extra)
    return extra in 'eu' or doubled or i == len(a)

def one_edit(a, b):
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]

rubric = set()
concepts = json.load(open('assets/quiz/concepts.json'))
for alts in concepts.values():
    for s in alts:
        rubric.update(words_of(s))
for f in glob.glob('assets/quiz/sections/*.json'):
    for s in strings(json.load(open(f))):
        rubric.update(words_of(s))
rubric = {w for w in rubric if len(w) >= MIN}

english = set()
for line in open(DICT, encoding='utf-8', errors='ignore'):
    w = line.strip()
    if w.isascii() and w.isalpha() and w.islower() and len(w) >= MIN:
        english.add(w)

by_len = {}
for w in english:
    by_len.setdefault(len(w), []).append(w)
out = set()
for r in rubric:
    for n in (len(r) - 1, len(r), len(r) + 1):
        for w in by_len.get(n, ()):
            if w not in rubric and one_edit(r, w) and not variant(r, w):
                out.add(w)
with open('assets/quiz/neighbours.txt', 'w') as f:
    f.write('# English words one typo away from a rubric word; written by scripts/typo-neighbours.py. Do not edit.\n')
    # What TestNeighboursAreCurrent recomputes from the rubric, so a
    # rubric edit that was not followed by this script fails a test.
    f.write('# rubric words: %d, sha256 %s\n' % (len(rubric), hashlib.sha256('\n'.join(sorted(rubric)).encode()).hexdigest()))
    for w in sorted(out):
        f.write(w + '\n')
print(len(out), 'words', file=sys.stderr)
