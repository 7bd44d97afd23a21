-- _normalized_title(title) -> varchar
--
-- The title in the form duplicate_candidates compares: lower case, accents and
-- apostrophes removed, the whole words "the", "a" and "an" dropped, every run of other
-- characters than a-z and 0-9 turned into one space, trimmed. 'The Iron Fury: Part 2!'
-- and 'Iron fury, the - part 2' both give 'iron fury part 2', "Dana's" gives 'danas'.
-- title: text; NULL gives NULL
-- Example: select _normalized_title('Shawshank Redemption, The (1994)');
create or replace macro _normalized_title(title) as
    trim(
        regexp_replace(
            regexp_replace(
                -- Both the ASCII and the typographic apostrophe (U+2019) go.
                regexp_replace(strip_accents(lower(title)), '[''\x{2019}]', '', 'g'),
                '\b(the|a|an)\b',
                ' ',
                'g'
            ),
            '[^a-z0-9]+',
            ' ',
            'g'
        )
    );
