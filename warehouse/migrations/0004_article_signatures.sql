-- What the workers keep of each article's text to find its copies (flows/text/stories.py):
-- the MinHash signature of its shingles, computed once from the text, so that dbt decides
-- which articles are one story (int_stories__*) without reading a text again. Replaced with
-- the article's sentences whenever its text changes. Articles stored before this migration
-- get theirs on the next run, from their stored text (``analyser`` is the workers' version:
-- flows/text/tokens.py ANALYSER_VERSION), nothing fetched.

create table raw.article_signatures (
    article_id varchar not null,
    sketch varchar not null,  -- the shingling and hashing rules (flows.text.stories)
    shingle_count integer not null,  -- distinct shingles of the text
    minhashes uinteger[] not null,  -- one minimum per hash function
    analyser varchar not null,
    loaded_at timestamptz not null
);
