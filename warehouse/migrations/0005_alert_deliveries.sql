-- Spike alerts (flows/readers/alerts.py): one row per attempt to tell the receiver set in
-- NEWSWATCH_ALERT_URL about a spike (marts.fct_attention_spikes.subject_day_id). A spike with a
-- 'sent' row is never sent again; a 'failed' attempt is retried by the next run while the
-- spike's day is still recent. The URL is a secret: the receiver is kept as its scheme and a
-- hash of the URL, and error texts lose every part of it (flows/readers/alerts.py).

create table raw.alert_deliveries (
    subject_day_id varchar not null,
    run_id varchar not null,
    attempted_at timestamptz not null,
    receiver varchar not null,  -- 'ntfy:// receiver #1a2b3c4d': the scheme and a hash
    status varchar not null,  -- 'sent' or 'failed'
    error varchar  -- why it failed, as the receiver or the network said
);
