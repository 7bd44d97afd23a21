-- _split_temporal(interactions, phase) -> (user_id, item_id, timestamp, tie_hash, part)
--
-- One global time cut behind protocol_split: sort all N timestamps ascending and take
-- T, the value at 0-based position floor(0.9 N). Rows before T are train, rows at or
-- after T are test. Phase 'final' fits on train and holds out test. Any other phase
-- repeats the cut inside train (T' at position floor(0.9 x train count)) and never
-- reads the test rows. part is 'fitted' or 'holdout'.
-- interactions: table name, one row per (user_id, item_id, timestamp)
-- phase: 'final' or 'tune', checked by protocol_split
-- Caveats: held-out rows are kept only for users with at least one fitted and one
-- held-out row, while every fitted row is kept. All rows that share T's timestamp go to
-- the held-out side, so the fitted part can hold less than 90 % of the rows. tie_hash
-- is the `loo-shuffled` key, included so that every split has the same columns.
-- Example:
--     select part, count(*) from _split_temporal('interactions', 'final')
--     group by part;
create or replace macro _split_temporal(interactions, phase) as table
with _final_cut as (
    -- DuckDB lists are 1-based, hence the + 1.
    select list_sort(list(timestamp))[floor(0.9 * count(*))::bigint + 1] as cut_time
    from query_table(interactions)
),

_tune_cut as (
    select list_sort(list(i.timestamp))[floor(0.9 * count(*))::bigint + 1] as cut_time
    from query_table(interactions) as i
    cross join _final_cut as f
    where i.timestamp < f.cut_time
),

_scoped as (
    select
        i.user_id,
        i.item_id,
        i.timestamp,
        case when phase = 'final' then f.cut_time else t.cut_time end as cut_time
    from query_table(interactions) as i
    cross join _final_cut as f
    cross join _tune_cut as t
    where phase = 'final' or i.timestamp < f.cut_time
),

_evaluated as (
    select user_id
    from _scoped
    group by user_id
    having min(timestamp) < min(cut_time) and max(timestamp) >= min(cut_time)
)

select
    user_id,
    item_id,
    timestamp,
    _sequence_hash(user_id, item_id) as tie_hash,
    case when timestamp < cut_time then 'fitted' else 'holdout' end as part
from _scoped
where timestamp < cut_time or user_id in (select user_id from _evaluated);
