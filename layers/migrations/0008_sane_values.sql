-- The last line of defence behind the checks at the edge: no NaN or infinite coordinate,
-- no coordinate off the globe, no date outside 2000–2100, no quarter that is not one, no
-- NaN measure can be stored. Constraints are added NOT VALID (existing rows are not
-- rechecked on the way in) and then validated where the rows allow; a table holding
-- an old bad row keeps its constraint for every new row and says so in a warning.

CREATE FUNCTION lonlat_ok(g geometry) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    -- NaN is greater than every number in PostgreSQL: a NaN or infinite coordinate fails one side
    SELECT g IS NULL OR ST_IsEmpty(g) OR (ST_XMin(g) >= -180 AND ST_XMax(g) <= 180
                                          AND ST_YMin(g) >= -90 AND ST_YMax(g) <= 90)
$$;

CREATE FUNCTION day_ok(d date) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT d IS NULL OR d BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'
$$;

CREATE FUNCTION moment_ok(t timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT t IS NULL OR (t >= TIMESTAMPTZ '2000-01-01 00:00:00+08' AND t < TIMESTAMPTZ '2101-01-01 00:00:00+08')
$$;

CREATE FUNCTION number_ok(x double precision) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT x IS NULL OR (x > '-Infinity'::float8 AND x < 'Infinity'::float8)  -- NaN > Infinity
$$;

CREATE FUNCTION quarter_ok(q text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT q IS NULL OR (q ~ '^[0-9]{4}Q[1-4]$' AND left(q, 4)::int BETWEEN 2000 AND 2100)
$$;

-- A NaN or infinite range once reached ST_Buffer/ST_Project through the sector trigger and
-- crashed the database backend: the sector of such a camera is NULL, and the constraints
-- below refuse the row itself.
CREATE OR REPLACE FUNCTION camera_sector(pt geometry, kind text, azimuth double precision,
                                         fov double precision, range_m double precision,
                                         segments integer DEFAULT 64)
RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT CASE
        WHEN NOT (number_ok(range_m) AND range_m > 0 AND range_m <= 100000 AND number_ok(fov) AND fov > 0
                  AND number_ok(azimuth) AND lonlat_ok(pt)) THEN NULL
        WHEN kind IN ('dome', 'ptz') OR azimuth IS NULL OR fov >= 360 THEN
            ST_Buffer(pt::geography, range_m, 'quad_segs=' || greatest(segments / 4, 4))::geometry
        ELSE (
            SELECT ST_MakePolygon(ST_MakeLine(
                ARRAY[pt]
                || array_agg(ST_Project(pt::geography, range_m,
                                        radians(azimuth - fov / 2 + fov * i / s.n))::geometry
                             ORDER BY i)
                || ARRAY[pt]))
            FROM (SELECT greatest(4, ceil(segments * least(fov, 360) / 360.0))::int AS n) s,
                 generate_series(0, s.n) AS i)
    END
$$;

ALTER FUNCTION cameras_set_sector() SET search_path FROM CURRENT;

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('townships', 'townships_lonlat', 'lonlat_ok(geom)'),
        ('villages', 'villages_lonlat', 'lonlat_ok(geom)'),
        ('villages', 'villages_remediated_on', 'day_ok(remediated_on)'),
        ('cameras', 'cameras_lonlat', 'lonlat_ok(geom)'),
        ('cameras', 'cameras_installed_on', 'day_ok(installed_on)'),
        ('cameras', 'cameras_range_finite', 'number_ok(range_m) AND range_m <= 100000'),
        ('incidents', 'incidents_lonlat', 'lonlat_ok(geom)'),
        ('incidents', 'incidents_occurred_at', 'moment_ok(occurred_at)'),
        ('schools', 'schools_lonlat', 'lonlat_ok(geom)'),
        ('roads', 'roads_lonlat', 'lonlat_ok(geom)'),
        ('patrol_teams', 'patrol_teams_lonlat', 'lonlat_ok(geom)'),
        ('patrol_routes', 'patrol_routes_lonlat', 'lonlat_ok(geom)'),
        ('patrol_tracks', 'patrol_tracks_lonlat', 'lonlat_ok(geom)'),
        ('patrol_tracks', 'patrol_tracks_recorded_at', 'moment_ok(recorded_at)'),
        ('hotspots', 'hotspots_lonlat', 'lonlat_ok(geom)'),
        ('hotspots', 'hotspots_deadline', 'day_ok(deadline)'),
        ('hotspots', 'hotspots_quarter', 'quarter_ok(quarter)'),
        ('hotspot_lists', 'hotspot_lists_quarter', 'quarter_ok(quarter)'),
        ('hotspot_list_items', 'hotspot_list_items_lonlat', 'lonlat_ok(geom)'),
        ('hotspot_list_items', 'hotspot_list_items_deadline', 'day_ok(deadline)'),
        ('hotspot_list_items', 'hotspot_list_items_gi_z', 'number_ok(gi_z)'),
        ('remediation_events', 'remediation_events_days', 'day_ok(effective_on) AND day_ok(confirmed_on)')
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
