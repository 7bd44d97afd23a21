-- _sequence_hash(user_value, item_value) -> varchar
--
-- Lower-case hex SHA-256 of the text `user_id,item_id` (for example `1,61`): the key
-- that orders a user's interactions within one second under `loo-shuffled`, compared
-- as a string. Unlike item_id it carries no information about the items.
-- user_value, item_value: integer ids, cast to their decimal text
-- Example: select _sequence_hash(1, 61);
create or replace macro _sequence_hash(user_value, item_value) as
    sha256(user_value::varchar || ',' || item_value::varchar);
