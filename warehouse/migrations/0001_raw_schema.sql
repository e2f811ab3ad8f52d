-- Raw schema: written only by the Python flows; dbt reads it through sources.
-- Every table is keyed so that re-running a load, or a run after a crash, converges.

create schema if not exists raw;

create table raw.runs (
    run_id varchar primary key,
    flow_run_id varchar,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,  -- running | completed | failed
    feeds_file varchar,
    summary json
);

create table raw.feeds (
    feed_name varchar primary key,
    configured_url varchar not null,
    url varchar not null,  -- current URL: follows permanent redirects
    outlet varchar not null,
    language varchar,
    is_active boolean not null,  -- still listed in the feeds file
    etag varchar,  -- the server's validators, sent back verbatim
    last_modified varchar,
    body_sha256 varchar,
    last_fetched_at timestamptz,
    last_success_at timestamptz,
    last_status varchar,
    last_error varchar,
    consecutive_failures integer not null default 0,
    next_fetch_after timestamptz,
    last_new_entry_at timestamptz,
    updated_at timestamptz not null
);

create table raw.feed_fetches (
    fetch_id varchar primary key,
    run_id varchar not null,
    feed_name varchar not null,
    url varchar not null,
    final_url varchar,
    fetched_at timestamptz not null,
    status varchar not null,
    http_status integer,
    error varchar,
    is_bozo boolean,
    bozo_reason varchar,
    entries_seen integer not null,
    entries_new integer not null,
    body_bytes bigint,
    body_sha256 varchar,
    elapsed_ms integer,
    archive_file varchar,
    archive_offset bigint,
    loaded_at timestamptz not null
);

create table raw.feed_entries (
    feed_name varchar not null,
    entry_id varchar not null,
    article_id varchar,  -- null when the entry has no fetchable link
    guid varchar,
    url varchar,
    canonical_url varchar,
    title varchar,
    summary varchar,  -- plain text; markup removed
    author varchar,
    published_at timestamptz,
    updated_at timestamptz,
    first_seen_at timestamptz not null,
    run_id varchar not null,
    loaded_at timestamptz not null,
    primary key (feed_name, entry_id)
);

create table raw.page_fetches (
    fetch_id varchar primary key,
    run_id varchar not null,
    article_id varchar not null,
    url varchar not null,
    final_url varchar,
    fetched_at timestamptz not null,
    status varchar not null,
    http_status integer,
    content_type varchar,
    body_bytes bigint,
    error varchar,
    elapsed_ms integer,
    archive_file varchar,
    archive_offset bigint,
    loaded_at timestamptz not null
);

create table raw.articles (
    article_id varchar primary key,
    canonical_url varchar not null,
    url varchar not null,
    final_url varchar,
    status varchar not null,  -- pending, ok, empty, not_html, http_error, timeout, ...
    status_reason varchar,
    text_source varchar,  -- page | feed_summary | null (no text)
    title varchar,
    author varchar,
    page_published varchar,  -- the date as the page states it
    page_canonical_url varchar,
    language varchar,
    encoding varchar,
    text varchar,
    word_count integer,
    extractor varchar,
    fetch_attempts integer not null default 0,
    last_fetch_id varchar,
    archive_file varchar,
    archive_offset bigint,
    first_seen_at timestamptz not null,
    extracted_at timestamptz,
    loaded_at timestamptz not null,
    run_id varchar not null
);

-- Sentences and their tone are replaced per article whenever its text changes.
create table raw.sentences (
    article_id varchar not null,
    sentence_index integer not null,
    part varchar not null,  -- title | body
    text varchar not null,
    char_start integer,
    char_end integer,
    word_count integer not null,
    splitter varchar not null,
    loaded_at timestamptz not null
);

create table raw.sentence_tone (
    article_id varchar not null,
    sentence_index integer not null,
    tone_model varchar not null,
    tone double not null,
    positive_score double not null,
    negative_score double not null,
    neutral_score double not null,
    positive_share double not null,
    negative_share double not null,
    polarity double not null,
    word_count integer not null,
    scored_at timestamptz not null
);
