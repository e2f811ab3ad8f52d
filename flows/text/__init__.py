"""Text analysis: from a page's bytes to what its text says, with no I/O and no seeds' SQL.

- ``extract``: decode page bytes honestly, then trafilatura for the text and metadata.
- ``language``: the article's language, from its own text (CLD2).
- ``sentences``: title and body sentences with offsets; word counts for every script.
- ``tokens``: the words matching reads (Chinese, Japanese and Korean segmented: jieba with
  OpenCC for Traditional Chinese, fugashi, Kiwi), the same rule as dbt's ``macros/tokens.sql``.
- ``inflection``: every case form of a Russian alias or term (pymorphy3; dbt calls it).
- ``tone``: sentence tone (VADER plus GDELT-style shares); the model's name is a dbt var.
- ``analysis``: all of the above for one page (what a worker process returns).
- ``people``: persons an article names, by news writing's cues (dbt's Python model calls it).
- ``quotes``: direct quotations and their speakers (dbt's Python model calls it).
- ``stories``: shingles and their MinHash signature, to find an article's copies (dbt groups
  them into stories).
"""
