-- coverage(recs, items, k := 10) -> (model, covered_item_count, item_count, value)
--
-- Catalogue coverage per model: the share of the items of the catalogue that appear in
-- the top k of at least one user's list, covered_item_count / item_count.
-- recs: table name, one row per (model, user_id, item_id, score). Lists are ranked by
--     score descending with ties to the lower item_id. An item listed twice counts
--     once, at its best position.
-- items: table name of the catalogue, one row per item_id; item_count counts its
--     distinct item_id values
-- k: positive integer cutoff; a k longer than a list takes the whole list
-- Caveats: a recommended item missing from items takes a place in the top k but is
--     not counted (drop such items first with candidates). An empty catalogue gives a
--     NULL value.
-- Example: select * from coverage('recommendations', 'items', k := 10);
create or replace macro coverage(recs, items, k := 10) as table
with _cutoff as (
    select _check_k('coverage', k) as k_value
),

_catalogue_size as (
    select count(distinct item_id) as item_count
    from query_table(items)
),

_covered as (
    select r.model, count(distinct i.item_id) as covered_item_count
    from _ranked_lists(recs, macro_name := 'coverage') as r
    cross join _cutoff as c
    left join query_table(items) as i
        on i.item_id = r.item_id
    where r.rank <= c.k_value
    group by r.model
)

select
    v.model,
    v.covered_item_count,
    g.item_count,
    v.covered_item_count::double / nullif(g.item_count, 0) as value
from _covered as v
cross join _catalogue_size as g
order by v.model;
