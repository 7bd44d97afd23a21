-- _check_choice(macro_name, argument, value, choices) -> varchar
--
-- Return value when it is one of choices, else raise an error that names the calling
-- macro and the argument:
-- `protocol_split: invalid phase: 'test', expected one of tune, final`.
-- macro_name: name of the calling macro, put at the start of the message
-- argument: name of the checked argument, as the caller spells it
-- value: the given text; NULL is rejected too
-- choices: varchar[] of the accepted values, compared case-sensitively
-- Example: select _check_choice('protocol_split', 'phase', 'tune', ['tune', 'final']);
create or replace macro _check_choice(macro_name, argument, value, choices) as
    case
        -- The cast gives a NULL value a type, because DuckDB folds an expression of
        -- type NULL to a constant and would drop the error() branch with it.
        when value::varchar is not null and list_contains(choices, value::varchar)
            then value::varchar
        else error(
            macro_name || ': invalid ' || argument || ': '
            || coalesce('''' || value || '''', 'null')
            || ', expected one of ' || array_to_string(choices, ', ')
        )
    end;
