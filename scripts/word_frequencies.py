#!/usr/bin/env python3
"""Print how common English words are, one "word<TAB>zipf" line each, most common first,
for `incident-enricher catalogue --word-frequencies`: the catalogue asks a name that reads as
an ordinary word ("Tick", "Lazarus", "Agent Smith") for a cyber cue before tagging it.

Frequencies come from the `wordfreq` package (pip install wordfreq==3.1.1); zipf is log10 of
a word's frequency per billion words (about 7 for "the", 3 for "machete", 0 for "emotet").

usage: scripts/word_frequencies.py > word-frequencies.tsv
"""
import wordfreq

for word in wordfreq.top_n_list("en", 400_000, wordlist="best"):
    print(f"{word}\t{wordfreq.zipf_frequency(word, 'en', wordlist='best'):.2f}")
