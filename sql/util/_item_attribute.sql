-- _item_attribute(items, macro_name, argument, column_name) -> (item_id, value)
--
-- One metadata column of items, picked by name at call time, as text. A string stays
-- as it is, and a number or a list becomes its JSON text ('1995', '["Drama","War"]').
-- The rerank macros use it to take the column to constrain as an argument. A name
-- that is not a column of items raises an error that names the calling macro and the
-- argument: `diversify: invalid key: 'studio', expected one of item_id, title, ...`.
-- items: table name, one row per item_id
-- macro_name, argument: how the error names the caller and its argument
-- column_name: the column to read, compared case-sensitively
-- Caveat: two values are equal when their text is, so a list equals only the same list
--     in the same order.
-- Example: select * from _item_attribute('items', 'diversify', 'key', 'year');
create or replace macro _item_attribute(
    items, macro_name, argument, column_name
) as table
with _checked as (
    -- The left join on false yields one all-NULL row that still has the columns of
    -- items, so the name is checked against them even when items is empty.
    select _check_choice(macro_name, argument, column_name, struct_keys(i)) as name
    from (select 1) as one
    left join query_table(items) as i
        on false
)

select i.item_id, to_json(i) ->> c.name as value
from query_table(items) as i
cross join _checked as c;
