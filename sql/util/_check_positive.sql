-- _check_positive(macro_name, argument, value) -> bigint
--
-- Return value as a bigint when it is a positive whole number, else raise an error that
-- names the calling macro and the argument: `diversify: invalid max_per_key: 0,
-- expected a positive integer`. It is _check_k for settings other than k, and it
-- names the type of a value that is not a number.
-- macro_name: name of the calling macro, put at the start of the message
-- argument: name of the checked argument, as the caller spells it
-- value: the number to check; NULL is rejected too
-- Example: select _check_positive('diversify', 'max_per_key', 2);
create or replace macro _check_positive(macro_name, argument, value) as
    case
        when not _is_numeric_type(typeof(value))
            then error(
                macro_name || ': invalid ' || argument || ': ' || value::varchar
                || ' of type ' || typeof(value) || ', expected a positive integer'
            )
        -- The casts let a value of another type bind, so the branch above can name it.
        when value is null or value::double < 1 or value::double <> floor(value::double)
            then error(
                macro_name || ': invalid ' || argument || ': '
                || coalesce(value::varchar, 'null') || ', expected a positive integer'
            )
        else value::bigint
    end;
