-- Spike alerts (flows/readers/alerts.py): one row per attempt to tell the receiver set in
-- NEWSWATCH_ALERT_URL about a spike (marts.fct_attention_spikes.subject_day_id). A spike with a
-- 'sent' row is never sent again; a 'failed' attempt is retried by the next run while the
-- spike's day is still recent. The receiver is kept without its credentials.

create table raw.alert_deliveries (
    subject_day_id varchar not null,
    run_id varchar not null,
    attempted_at timestamptz not null,
    receiver varchar not null,  -- scheme and host of the URL, nothing secret
    status varchar not null,  -- 'sent' or 'failed'
    error varchar  -- why it failed, as the receiver or the network said
);
