-- Backfill (`newswatch backfill`): history read from web archives (WARC files) and from the
-- outlets' sitemaps, loaded through the same extraction and analysis as a run. A backfilled
-- article is an ordinary raw.articles row; these tables say where it came from (its outlet and
-- the date its sitemap gave it: dbt reads them in int_articles__versioned) and how far each
-- source was read, so that a backfill interrupted in any way goes on where it stopped.

create table raw.backfills (
    backfill_id varchar primary key,
    kind varchar not null,  -- warc | sitemaps
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,  -- running | completed | failed (an interrupted one stays running)
    arguments json,  -- the command's sources and date range
    summary json  -- records read, kept, skipped (and why), extracted, loaded
);

-- One row per article a backfill loaded (an article already in the warehouse is not one).
create table raw.backfilled_articles (
    article_id varchar primary key,
    backfill_id varchar not null,
    kind varchar not null,  -- warc | sitemap
    source varchar not null,  -- the WARC file (absolute path) or the sitemap that listed it
    source_offset bigint,  -- of the response record in the WARC file
    url varchar not null,
    host varchar not null,
    outlet varchar not null,  -- outlet name: the matching feed's, the outlets seed's, or the host
    feed_name varchar,  -- the feed whose host the page is on, if any
    payload_digest varchar,  -- WARC-Payload-Digest, or sha256 of the body we fetched
    archived_at timestamptz,  -- when the page was fetched (WARC-Date), never a publication date
    listed_published_at timestamptz,  -- the news sitemap's publication date (or lastmod)
    loaded_at timestamptz not null
);

-- How far each source has been read: a WARC file up to ``next_offset`` (its records before it
-- are loaded, in the same transaction as this row); a sitemap walk per host.
create table raw.backfill_sources (
    source varchar primary key,
    kind varchar not null,
    backfill_id varchar not null,
    next_offset bigint not null default 0,
    records_read bigint not null default 0,
    pages_kept bigint not null default 0,
    articles_loaded bigint not null default 0,
    is_finished boolean not null default false,
    problem varchar,  -- why the source could not be read to its end (a truncated record)
    updated_at timestamptz not null
);
