-- _check_k(macro_name, k) -> bigint
--
-- Return k as a bigint when it is a positive whole number, else raise an error that
-- names the calling macro and the argument: `recall_at_k: invalid k: 0, expected a
-- positive integer`. A k of another type than a number, such as the text '10', is
-- rejected with its type: `recall_at_k: invalid k: 10 of type VARCHAR, ...`.
-- macro_name: name of the calling macro, put at the start of the message
-- k: the cutoff to check; NULL is rejected too
-- Caveat: callers check k in a one-row CTE, and with DuckDB 2.0 a bad k then raises
-- even when the input tables are empty.
-- Example: select _check_k('recall_at_k', 10);
create or replace macro _check_k(macro_name, k) as
    case
        when not _is_numeric_type(typeof(k))
            then error(
                macro_name || ': invalid k: ' || k::varchar || ' of type ' || typeof(k)
                || ', expected a positive integer'
            )
        -- The casts let a k of another type bind, so the branch above can name it.
        when k is null or k::double < 1 or k::double <> floor(k::double)
            then error(
                macro_name || ': invalid k: ' || coalesce(k::varchar, 'null')
                || ', expected a positive integer'
            )
        else k::bigint
    end;
