-- ltr_labels(impressions) -> (stripe_id, user_id, item_id, position, label)
--
-- Skip-above labels for learning to rank, from impression stripes (the items one
-- screen showed a user, in order). A clicked item is 1, and an item shown above the
-- last click of its stripe and not clicked is 0. Items below the last click are left
-- out, because the user may never have looked at them. A stripe with several clicks
-- keeps every click as 1 and the unclicked items between them as 0.
-- impressions: table name, one row per (stripe_id, user_id, item_id, position,
--     clicked); position grows down the screen, clicked is a boolean or 0/1
-- Caveats: a stripe without a click is left out entirely. A NULL clicked counts as not
--     clicked, and a row with a NULL position is left out.
-- Example: select * from ltr_labels('impressions') order by stripe_id, position;
create or replace macro ltr_labels(impressions) as table
with _shown as (
    select
        stripe_id,
        user_id,
        item_id,
        position,
        coalesce(clicked::boolean, false) as is_click
    from query_table(impressions)
    where position is not null
),

_last_click as (
    select stripe_id, max(position) as click_position
    from _shown
    where is_click
    group by stripe_id
)

select s.stripe_id, s.user_id, s.item_id, s.position, s.is_click::integer as label
from _shown as s
join _last_click as c
    on c.stripe_id = s.stripe_id
where s.position <= c.click_position
order by s.stripe_id, s.position;
