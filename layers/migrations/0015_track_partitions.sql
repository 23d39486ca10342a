-- patrol_tracks partitioned by month (of the county's local time, Asia/Shanghai) on
-- recorded_at: a year of phones reporting every 30 s is ~80 million points, and a month's
-- visits read one partition. A point's identity includes its time: PK (id, recorded_at),
-- UNIQUE (county_code, code, recorded_at). Rows whose month has no partition yet land in
-- patrol_tracks_default; patrol_tracks_ensure_month creates a month (moving its rows out
-- of the default partition) and patrol_tracks_move_default empties the default partition
-- into months. Old months are detached and dropped by layers.track_partitions.prune.

ALTER TABLE patrol_tracks RENAME TO patrol_tracks_unpartitioned;
DROP TRIGGER IF EXISTS layer_version_raise ON patrol_tracks_unpartitioned;
DROP INDEX IF EXISTS patrol_tracks_team_time, patrol_tracks_geom, patrol_tracks_county_time;
ALTER TABLE patrol_tracks_unpartitioned
    DROP CONSTRAINT IF EXISTS patrol_tracks_pkey,
    DROP CONSTRAINT IF EXISTS patrol_tracks_county_code_code_key,
    DROP CONSTRAINT IF EXISTS patrol_tracks_lonlat,
    DROP CONSTRAINT IF EXISTS patrol_tracks_recorded_at;

CREATE TABLE patrol_tracks (
    id bigint NOT NULL DEFAULT nextval('patrol_tracks_id_seq'),
    county_code text NOT NULL,
    code text NOT NULL,
    team_code text NOT NULL,
    recorded_at timestamptz NOT NULL,
    township_code text,
    village_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, recorded_at),
    UNIQUE (county_code, code, recorded_at)
) PARTITION BY RANGE (recorded_at);
ALTER SEQUENCE patrol_tracks_id_seq OWNED BY patrol_tracks.id;
CREATE TABLE patrol_tracks_default PARTITION OF patrol_tracks DEFAULT;
CREATE INDEX patrol_tracks_county_time ON patrol_tracks (county_code, recorded_at);
CREATE INDEX patrol_tracks_team_time ON patrol_tracks (team_code, recorded_at);
CREATE INDEX patrol_tracks_geom ON patrol_tracks USING gist (geom);

-- The name of the month partition holding ``at``: patrol_tracks_y2026m05.
CREATE FUNCTION patrol_tracks_month_name(at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT 'patrol_tracks_' || to_char(at AT TIME ZONE 'Asia/Shanghai', '"y"YYYY"m"MM')
$$;

-- Create the partition of the month holding ``at`` when missing (its rows in the default
-- partition move into it); return its name. Cheap when the month exists.
CREATE FUNCTION patrol_tracks_ensure_month(at timestamptz) RETURNS text LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    local_month timestamp := date_trunc('month', at AT TIME ZONE 'Asia/Shanghai');
    lo timestamptz := local_month AT TIME ZONE 'Asia/Shanghai';
    hi timestamptz := (local_month + interval '1 month') AT TIME ZONE 'Asia/Shanghai';
    part text := patrol_tracks_month_name(at);
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN part;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('patrol_tracks_partitions'));
    IF to_regclass(part) IS NOT NULL THEN   -- made by another writer while we waited
        RETURN part;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE patrol_tracks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM patrol_tracks_default WHERE recorded_at >= $1 AND recorded_at < $2'
                   ' RETURNING *) INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
    -- the bound as a CHECK lets ATTACH skip scanning the new partition
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (recorded_at >= %L AND recorded_at < %L)',
                   part, part || '_bound', lo, hi);
    EXECUTE format('ALTER TABLE patrol_tracks ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bound');
    RETURN part;
END $$;

-- Move every row of the default partition into its month (creating the months); return
-- how many moved.
CREATE FUNCTION patrol_tracks_move_default() RETURNS bigint LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    before bigint;
    after bigint;
BEGIN
    SELECT count(*) INTO before FROM patrol_tracks_default;
    PERFORM patrol_tracks_ensure_month(m)
    FROM (SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'Asia/Shanghai')
                          AT TIME ZONE 'Asia/Shanghai' AS m FROM patrol_tracks_default) months ORDER BY m;
    SELECT count(*) INTO after FROM patrol_tracks_default;
    RETURN before - after;
END $$;

-- The months of the rows kept, and this month, then the rows themselves.
SELECT patrol_tracks_ensure_month(m)
FROM (SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'Asia/Shanghai')
                      AT TIME ZONE 'Asia/Shanghai' AS m FROM patrol_tracks_unpartitioned
      UNION SELECT now()) months ORDER BY m;
INSERT INTO patrol_tracks (id, county_code, code, team_code, recorded_at, township_code, village_code,
                           props, geom, updated_at)
SELECT id, county_code, code, team_code, recorded_at, township_code, village_code, props, geom, updated_at
FROM patrol_tracks_unpartitioned;
DROP TABLE patrol_tracks_unpartitioned;

-- The checks of 0008, added the same way (an old bad row keeps its check NOT VALID).
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('patrol_tracks', 'patrol_tracks_lonlat', 'lonlat_ok(geom)'),
        ('patrol_tracks', 'patrol_tracks_recorded_at', 'moment_ok(recorded_at)')
    ) AS t(tab, name, expr)
    LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%s) NOT VALID', c.tab, c.name, c.expr);
        BEGIN
            EXECUTE format('ALTER TABLE %I VALIDATE CONSTRAINT %I', c.tab, c.name);
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'table % holds rows that break % (kept NOT VALID: new rows are checked)', c.tab, c.name;
        END;
    END LOOP;
END $$;

SELECT track_layer_versions('patrol_tracks'::regclass);
ANALYZE patrol_tracks;
