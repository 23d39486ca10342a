-- Stored visit runs (issue 15, "a year of tracks stays fast"): for each past local day
-- (Asia/Shanghai) of a county, the runs of each team inside each place (a hotspot, a
-- school's 200 m), computed once from the day's points, so that /api/patrol/visits for a
-- month reads ~30 days of runs instead of millions of points. A day's runs are kept per
-- places_digest (a hash of the places they were computed for: a new hotspot list uses other
-- runs). Any change to a day's points (insert, update, delete, truncate) forgets that day.

CREATE TABLE patrol_visit_days (
    county_code text NOT NULL,
    day date NOT NULL,                 -- the local day
    places_digest text NOT NULL,
    points bigint NOT NULL,            -- the points of the day, fixes flagged as inaccurate left out
    settled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, day, places_digest)
);

CREATE TABLE patrol_visit_runs (
    county_code text NOT NULL,
    day date NOT NULL,
    places_digest text NOT NULL,
    place_kind text NOT NULL CHECK (place_kind IN ('hotspot', 'school')),
    place_code text NOT NULL,
    team_code text NOT NULL,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    points int NOT NULL CHECK (points > 0),
    FOREIGN KEY (county_code, day, places_digest)
        REFERENCES patrol_visit_days (county_code, day, places_digest) ON DELETE CASCADE
);
CREATE INDEX patrol_visit_runs_day ON patrol_visit_runs (county_code, places_digest, day);

-- A row per (county, past local day) whose points changed: the lock a report takes (row lock,
-- before reading a day's points) and a change takes (before forgetting the day), so that a
-- report never stores a day from points a concurrent change has made stale: either the
-- change waits for the report to commit, then forgets what it stored, or the report reads
-- the changed points.
CREATE TABLE patrol_visit_changes (
    county_code text NOT NULL,
    day date NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, day)
);

-- Points of these (county, local day)s changed: mark the past days changed (today's are never
-- stored: no lock on the live path) and forget the stored days.
CREATE FUNCTION patrol_visit_days_changed(counties text[], days date[]) RETURNS void LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO patrol_visit_changes AS c (county_code, day)
    SELECT k.c, k.d FROM unnest(counties, days) AS k(c, d)
    WHERE k.d < (now() AT TIME ZONE 'Asia/Shanghai')::date ORDER BY k.c, k.d
    ON CONFLICT (county_code, day) DO UPDATE SET changed_at = now();
    DELETE FROM patrol_visit_days d USING unnest(counties, days) AS k(c, d)
    WHERE d.county_code = k.c AND d.day = k.d;
END $$;

-- The (county, local day)s a statement on patrol_tracks touched (the transition tables hold
-- the rows of every partition).
CREATE FUNCTION patrol_visit_days_forget() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    counties text[];
    days date[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT array_agg(c ORDER BY c, d), array_agg(d ORDER BY c, d) INTO counties, days
        FROM (SELECT DISTINCT county_code, (recorded_at AT TIME ZONE 'Asia/Shanghai')::date FROM new_rows) AS k(c, d);
        PERFORM patrol_visit_days_changed(counties, days);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT array_agg(c ORDER BY c, d), array_agg(d ORDER BY c, d) INTO counties, days
        FROM (SELECT DISTINCT county_code, (recorded_at AT TIME ZONE 'Asia/Shanghai')::date FROM old_rows) AS k(c, d);
        PERFORM patrol_visit_days_changed(counties, days);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER patrol_visit_days_forget_insert AFTER INSERT ON patrol_tracks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION patrol_visit_days_forget();
CREATE TRIGGER patrol_visit_days_forget_update AFTER UPDATE ON patrol_tracks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION patrol_visit_days_forget();
CREATE TRIGGER patrol_visit_days_forget_delete AFTER DELETE ON patrol_tracks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION patrol_visit_days_forget();

CREATE FUNCTION patrol_visit_days_forget_all() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM patrol_visit_days;
    RETURN NULL;
END $$;

CREATE TRIGGER patrol_visit_days_forget_truncate AFTER TRUNCATE ON patrol_tracks
    FOR EACH STATEMENT EXECUTE FUNCTION patrol_visit_days_forget_all();
