-- School days as the county keeps them (issue 15, item 4).
-- calendar_days: holidays and 调休 make-up working days. county_code NULL = national (the
-- State Council's schedule); a county's own row for a day overrides the national one.
CREATE TABLE calendar_days (
    id bigserial PRIMARY KEY,
    county_code text CHECK (county_code IS NULL OR county_code ~ '^[0-9]{6}$'),
    day date NOT NULL CHECK (day BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 100 AND name !~ '[\x01-\x1f]'),
    changed_by text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_days_key UNIQUE NULLS NOT DISTINCT (county_code, day)
);
CREATE INDEX calendar_days_day ON calendar_days (day);

-- school_terms: the county's terms (2026秋季学期 …); school_code NULL = every school of the
-- county; a school with terms of its own follows those instead.
CREATE TABLE school_terms (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100 AND name !~ '[\x01-\x1f]'),
    starts date NOT NULL CHECK (starts BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    ends date NOT NULL CHECK (ends BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    school_code text CHECK (school_code IS NULL OR (btrim(school_code) <> '' AND length(school_code) <= 100)),
    changed_by text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts <= ends AND ends - starts <= 366),
    CONSTRAINT school_terms_key UNIQUE NULLS NOT DISTINCT (county_code, school_code, name)
);
CREATE INDEX school_terms_county ON school_terms (county_code, starts);
