-- protocol_split(interactions, protocol := 'loo', phase := 'final')
--     -> (user_id, item_id, timestamp, tie_hash, part)
--
-- The fitted and held-out parts of one evaluation protocol, as `sqlrec evaluate` builds
-- them. part is 'fitted' (what models are fitted on) or 'holdout' (what they are
-- scored on). Interactions of neither part are left out.
-- interactions: table name, one row per (user_id, item_id, timestamp)
-- protocol: 'loo' (leave last out per user, ties within one second by item_id),
--     'loo-shuffled' (the same, ties by tie_hash, the hex SHA-256 of
--     `user_id,item_id`),
--     'temporal' (one global cut at the 90 % timestamp quantile)
-- phase: 'final' (hold out the test part) or 'tune' (hold out the validation part,
--     fitted part without validation and test)
-- Caveats: see _split_loo and _split_temporal for users with few interactions and for
-- timestamp ties at the temporal cut.
-- Example:
--     select part, count(*) from protocol_split('interactions', protocol := 'temporal')
--     group by part;
create or replace macro protocol_split(
    interactions, protocol := 'loo', phase := 'final'
) as table
with _settings as (
    select
        _check_choice(
            'protocol_split', 'protocol', protocol, ['loo', 'loo-shuffled', 'temporal']
        ) as protocol_name,
        _check_choice('protocol_split', 'phase', phase, ['tune', 'final']) as phase_name
)

-- Both branches read phase_name, so a bad phase raises whichever protocol is chosen.
-- They test it with "is not null", because "= phase" folds to NULL for a NULL phase
-- before the check runs.
select l.*
from _split_loo(interactions, phase, protocol = 'loo-shuffled') as l
where (
    select protocol_name in ('loo', 'loo-shuffled') and phase_name is not null
    from _settings
)

union all

select t.*
from _split_temporal(interactions, phase) as t
where (
    select protocol_name = 'temporal' and phase_name is not null
    from _settings
);
