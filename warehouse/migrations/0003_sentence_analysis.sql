-- What the workers learn of each sentence and article without reading a seed
-- (flows/text/analysis.py), stored once so that dbt only joins it to the seeds: a seed edit
-- re-derives the history without reading a page again, and the hourly build does not scan
-- text. Null for sentences stored before: the next run analyses their stored text again
-- (nothing is fetched); ``analyser`` names the rules' version, so a change of them does too.

alter table raw.sentences add column paragraph_index integer;  -- 0-based; the title's is -1
alter table raw.sentences add column tokens varchar[];  -- the words matching reads
alter table raw.sentences add column separators varchar[];  -- text around them (tokens + 1)
-- runs of capitalized words that may name a person: each the (start, end) offsets of its
-- words in the sentence, flattened
alter table raw.sentences add column name_runs integer[][];
-- where words have no spaces (Chinese, Japanese, Korean): the word each token is in
alter table raw.sentences add column segments integer[];
alter table raw.sentences add column analyser varchar;

-- One row per pair of quotation marks of an article, found by the marks alone; who spoke
-- is decided in dbt (int_quotes__attributed).
create table raw.quotations (
    article_id varchar not null,
    quote_index integer not null,  -- 0-based, in reading order
    paragraph_index integer not null,  -- the paragraph of the opening mark
    char_start integer not null,  -- of the opening mark in the paragraph's sentences joined by spaces
    char_end integer not null,  -- just after the closing mark (the paragraph's end if unclosed)
    first_sentence_index integer not null,
    last_sentence_index integer not null,
    is_closed boolean not null,
    quote_text varchar not null,  -- between the marks; over paragraphs, the parts joined
    analyser varchar not null,
    loaded_at timestamptz not null
);
