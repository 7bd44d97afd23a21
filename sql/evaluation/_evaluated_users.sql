-- _evaluated_users(results, truth) -> (model, user_id, truth_count)
--
-- Every model of results paired with every user of truth: the rows a per-user metric
-- returns, so that a user the model recommended nothing to still gets a value (0).
-- results: table name with a model column (recommendations or held-out ranks)
-- truth: table name, one row per held-out (user_id, item_id); a pair listed twice
--     counts once in truth_count. A row with a NULL user_id or item_id is ignored,
--     so it adds no user and no held-out item.
-- Example: select * from _evaluated_users('recommendations', 'holdout');
create or replace macro _evaluated_users(results, truth) as table
with _models as (
    -- The padding lets a results table without a model column bind, so that the
    -- caller's own check of results can name the missing column.
    select distinct model
    from (
        select null as model
        where false
        union all by name
        select *
        from query_table(results)
    )
),

_truth_sizes as (
    select user_id, count(distinct item_id) as truth_count
    from query_table(truth)
    where user_id is not null and item_id is not null
    group by user_id
)

select m.model, t.user_id, t.truth_count
from _models as m
cross join _truth_sizes as t;
