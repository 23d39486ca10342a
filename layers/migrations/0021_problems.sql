-- The 四单制 problem list (issue 16, item 2; seed §11): a problem found by a call, a patrol
-- check-in, a planner or an incident goes 列单 listed → 交单 assigned (a department and a
-- deadline) → 办单 handling → 回访 callback → 销单 closed (only when the person called back
-- is satisfied; an unsatisfied callback sends it back to handling). The row holds the
-- current state and a version (optimistic concurrency); every step is kept in problem_steps.
CREATE TABLE problems (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 100),
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    category text NOT NULL CHECK (char_length(category) BETWEEN 1 AND 100),
    source_kind text NOT NULL CHECK (source_kind IN ('call', 'checkin', 'planner', 'incident', 'other')),
    source_ref text CHECK (source_ref IS NULL OR char_length(source_ref) BETWEEN 1 AND 200),
    geom geometry(Point, 4326),
    township_code text,                     -- located from geom (the township containing it)
    village_code text,                      -- located from geom (the village containing it)
    department text CHECK (department IS NULL OR char_length(department) BETWEEN 1 AND 200),  -- 责任单位
    deadline date,                          -- the last day the department has (local date)
    state text NOT NULL DEFAULT 'listed'
        CHECK (state IN ('listed', 'assigned', 'handling', 'callback', 'closed')),
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    UNIQUE (county_code, code),
    CHECK (state = 'listed' OR (department IS NOT NULL AND deadline IS NOT NULL)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX problems_county_state ON problems (county_code, state, deadline);
CREATE INDEX problems_county_township ON problems (county_code, township_code);
CREATE INDEX problems_geom ON problems USING gist (geom);

-- Every step of a problem, creation included (from_state NULL): who, when, a note; the
-- department and deadline handed out (交单); the callback's result (回访: satisfied).
CREATE TABLE problem_steps (
    id bigserial PRIMARY KEY,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    from_state text CHECK (from_state IN ('listed', 'assigned', 'handling', 'callback', 'closed')),
    to_state text NOT NULL CHECK (to_state IN ('listed', 'assigned', 'handling', 'callback', 'closed')),
    by_user text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    note text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    department text,
    deadline date,
    satisfied boolean,
    CHECK ((satisfied IS NOT NULL) = (from_state IS NOT DISTINCT FROM 'callback')),  -- the callback's result
    CHECK (to_state <> 'closed' OR satisfied)
);
CREATE INDEX problem_steps_problem ON problem_steps (problem_id, at, id);
