-- _is_numeric_type(type_name) -> boolean
--
-- Whether type_name, a type as typeof() spells it, is a number type: the signed and
-- unsigned integers, FLOAT, DOUBLE and DECIMAL(p,s). The type of a bare NULL ("NULL")
-- counts as one too, so that a NULL argument reaches the check that names it.
-- type_name: text such as 'BIGINT', 'DECIMAL(18,3)' or 'VARCHAR'
-- Example: select _is_numeric_type(typeof(10)), _is_numeric_type(typeof('10'));
create or replace macro _is_numeric_type(type_name) as
    regexp_full_match(
        type_name,
        'U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|"NULL"'
    );
