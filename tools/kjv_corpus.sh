#!/bin/sh
# Builds posbench's default book corpus, the King James Bible, in the PG-19 layout:
#   DIR/train/*.txt, DIR/validation/*.txt, DIR/test/*.txt, one file per biblical book.
# usage: tools/kjv_corpus.sh [DIR]          (default build/corpora/kjv)
#
# Source: Debian's bible-kjv (the `bible` program) and bible-kjv-text (the text), installed by
# `apt-get install --no-install-recommends bible-kjv bible-kjv-text`.
# Licence: the KJV text is in the public domain (translated 1611; the package's copyright file
# says "The copyright for the King James Version text of the Bible is expired"). Only the text
# is used here, not the package's GPL-2+ code.
#
# Extraction: `bible -l10000 'Gen1:1-Rev22:21'` prints "Book N" chapter headings, blank lines
# and "  V text" verse lines. We keep one line per verse (leading verse number and spaces
# removed, each line ending in "\n"), dropping blank lines and headings: 66 books, 31,102
# verses, 4,137,850 bytes of ASCII. The concatenation of the 66 books in canonical order has
# the sha256 below; another value means the package changed, and the script fails.
#
# Splits are fixed (by book, never by chunk), mixing Old and New Testament, long and short:
#   validation: Judges, Proverbs, Romans
#   test:       Isaiah, Luke, Hebrews
#   train:      the other 60 books
# Files are named NN_Name.txt (canonical number, spaces as '_'), e.g. 09_1_Samuel.txt.
#
# Idempotent: when DIR/.complete exists (written last, holding the checksum) nothing is done.
# The corpus is built in DIR.tmp.$$ and renamed to DIR, so a DIR that exists is complete.
set -eu

KJV_SHA256=b5c4940bcfeee072c0935b5200d0f9d88a00a0199cb0961d16133458fcdfae5d
dir=${1:-build/corpora/kjv}

if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$KJV_SHA256" ]; then
    echo "kjv_corpus: $dir is complete, nothing to do"
    exit 0
fi
if [ -e "$dir" ]; then
    echo "kjv_corpus: error: $dir exists but is not a complete corpus; remove it and rerun" >&2
    exit 1
fi
if ! command -v bible >/dev/null 2>&1; then
    echo "kjv_corpus: error: the 'bible' program is missing; run:" \
         "sudo apt-get install --no-install-recommends bible-kjv bible-kjv-text" >&2
    exit 1
fi

tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/train" "$tmp/validation" "$tmp/test"

# One awk pass: a heading starts a new book when its name changes; verse lines go to that
# book's file. Anything else is an unknown format and stops the script.
bible -l10000 'Gen1:1-Rev22:21' | LC_ALL=C awk -v out="$tmp" '
BEGIN {
    split("Judges Proverbs Romans", v, " "); for (i in v) split_of[v[i]] = "validation"
    split("Isaiah Luke Hebrews", t, " ");    for (i in t) split_of[t[i]] = "test"
}
/^$/ { next }
/^ +[0-9]+ / {
    if (file == "") { print "kjv_corpus: verse before any heading" > "/dev/stderr"; exit 1 }
    sub(/^ +[0-9]+ /, ""); print > file; next
}
/^[1-3]? ?[A-Z][A-Za-z ]* [0-9]+$/ {
    name = $0; sub(/ [0-9]+$/, "", name)
    if (name == book) next
    if (file != "") close(file)
    book = name; n++
    s = (name in split_of) ? split_of[name] : "train"
    fname = name; gsub(/ /, "_", fname)
    file = sprintf("%s/%s/%02d_%s.txt", out, s, n, fname)
    next
}
{ print "kjv_corpus: unexpected line: " $0 > "/dev/stderr"; exit 1 }
END { if (n != 66) { print "kjv_corpus: expected 66 books, found " n > "/dev/stderr"; exit 1 } }'

# The concatenation in canonical order: file names sort by their NN prefix across splits.
sum=$(find "$tmp" -name '*.txt' | awk -F/ '{ print $NF "\t" $0 }' | LC_ALL=C sort |
      cut -f2 | while IFS= read -r f; do cat "$f"; done | sha256sum | cut -d' ' -f1)
if [ "$sum" != "$KJV_SHA256" ]; then
    echo "kjv_corpus: error: extracted text has sha256 $sum, expected $KJV_SHA256" >&2
    echo "kjv_corpus: the bible-kjv packages changed; check the text, then update KJV_SHA256" >&2
    exit 1
fi
echo "$KJV_SHA256" > "$tmp/.complete"
mkdir -p "$(dirname "$dir")"
mv "$tmp" "$dir"
trap - EXIT INT TERM
count() { find "$1" -name '*.txt' | wc -l; }
n_train=$(count "$dir/train"); n_val=$(count "$dir/validation"); n_test=$(count "$dir/test")
echo "kjv_corpus: wrote $dir: $n_train train, $n_val validation, $n_test test books (sha256 ok)"
