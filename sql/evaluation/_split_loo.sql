-- _split_loo(interactions, phase, shuffled)
--     -> (user_id, item_id, timestamp, tie_hash, part)
--
-- Leave-last-out split behind protocol_split: sort each user's interactions by
-- (timestamp, tie key). The last one is the test interaction, the one before it the
-- validation interaction, all earlier ones train. Phase 'final' fits on train +
-- validation and holds out test. Any other phase fits on train and holds out
-- validation. part is 'fitted' or 'holdout'.
-- interactions: table name, one row per (user_id, item_id, timestamp)
-- phase: 'final' or 'tune', checked by protocol_split
-- shuffled: false breaks ties within one second by item_id (protocol `loo`), true by
--     tie_hash, the hex SHA-256 of `user_id,item_id` (protocol `loo-shuffled`)
-- Caveats: only users with at least 3 interactions are held out (evaluated). The
-- positions apply to every user, so a user with 1 or 2 interactions contributes only
-- the rows before the held-out position to the fitted part. While tuning, the test
-- rows appear in neither part. Exact duplicate rows tie fully, and either one may be
-- the held-out row.
-- Example:
--     select part, count(*) from _split_loo('interactions', 'tune', false)
--     group by part;
create or replace macro _split_loo(interactions, phase, shuffled) as table
with _hashed as (
    select user_id, item_id, timestamp, _sequence_hash(user_id, item_id) as tie_hash
    from query_table(interactions)
),

_numbered as (
    select
        *,
        row_number() over (
            partition by user_id
            order by
                timestamp desc,
                case when shuffled then tie_hash end desc,
                item_id desc
        ) as position_from_end,
        count(*) over (partition by user_id) as interaction_count,
        case when phase = 'final' then 1 else 2 end as holdout_position
    from _hashed
)

select
    user_id,
    item_id,
    timestamp,
    tie_hash,
    case when position_from_end > holdout_position then 'fitted' else 'holdout' end
        as part
from _numbered
where position_from_end > holdout_position
    or (position_from_end = holdout_position and interaction_count >= 3);
