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
        when value is not null and list_contains(choices, value)
            then value
        else error(
            macro_name || ': invalid ' || argument || ': '
            || coalesce('''' || value || '''', 'null')
            || ', expected one of ' || array_to_string(choices, ', ')
        )
    end;
