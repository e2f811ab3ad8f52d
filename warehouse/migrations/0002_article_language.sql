-- The language of each article, detected from its own text (flows/text/language.py), beside the
-- page's claim (raw.articles.language). Null until detected: articles stored before this
-- migration are detected from their stored text on the next run, without fetching anything.

alter table raw.articles add column detected_language varchar;  -- ISO 639-1, or 'und'
alter table raw.articles add column language_confidence double;  -- [0, 1]: the winner's share
alter table raw.articles add column language_reason varchar;  -- why 'und'
alter table raw.articles add column language_detector varchar;  -- e.g. pycld2-0.42/vote-1
