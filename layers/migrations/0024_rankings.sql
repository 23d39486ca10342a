-- Township rankings and accountability (issue 16, item 3; seed §12, R10, R11).
-- ranking_config: the admin's score settings; every save is a new row (history kept), the
-- newest row of a county is the one in force.
CREATE TABLE ranking_config (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    period_kind text NOT NULL DEFAULT 'quarter' CHECK (period_kind IN ('month', 'quarter')),
    weights jsonb NOT NULL CHECK (jsonb_typeof(weights) = 'object'),   -- {input key: weight >= 0}
    bottom_places integer NOT NULL DEFAULT 1 CHECK (bottom_places BETWEEN 1 AND 100),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ranking_config_county ON ranking_config (county_code, id DESC);

-- ranking_results: a published period, one row per township. A published period is frozen:
-- re-publishing it (an explicit replace) marks the rows in force as replaced (who, when) and
-- writes new ones; no row is ever updated otherwise or deleted.
CREATE TABLE ranking_results (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])$'),   -- 2026-11 or 2026Q4
    period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    township_code text NOT NULL,
    score double precision,                       -- NULL: no input had a value for the township
    rank integer CHECK (rank IS NULL OR rank >= 1),
    inputs jsonb NOT NULL,                        -- {key: {value, normalised, weight}}
    bottom boolean NOT NULL,
    consecutive integer NOT NULL CHECK (consecutive >= 0),
    flag text CHECK (flag IN ('约谈', '挂牌督办', '一票否决')),
    config jsonb NOT NULL,                        -- the weights and bottom places used
    published_by text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    replaced_by text,
    replaced_at timestamptz,
    CHECK ((replaced_by IS NULL) = (replaced_at IS NULL)),
    CHECK (bottom OR consecutive = 0),
    CHECK ((flag IS NULL) = (consecutive = 0))
);
CREATE UNIQUE INDEX ranking_results_in_force ON ranking_results (county_code, period, township_code)
    WHERE replaced_at IS NULL;
CREATE INDEX ranking_results_township ON ranking_results (county_code, township_code, period);
