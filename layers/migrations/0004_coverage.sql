-- Video coverage (R2, R5, R8): each camera's view sector kept beside it, so coverage is a query.

-- The area a camera sees: apex at the camera, radius range_m, centred on azimuth (degrees
-- clockwise from north), fov degrees wide; domes and PTZ cameras, cameras without an
-- azimuth and fov >= 360 see a full circle. Built on the ellipsoid (ST_Project), so the
-- radius is in true metres; about `segments` arc segments per full turn.
CREATE OR REPLACE FUNCTION camera_sector(pt geometry, kind text, azimuth double precision,
                                         fov double precision, range_m double precision,
                                         segments integer DEFAULT 64)
RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN kind IN ('dome', 'ptz') OR azimuth IS NULL OR fov >= 360 THEN
            ST_Buffer(pt::geography, range_m, 'quad_segs=' || greatest(segments / 4, 4))::geometry
        ELSE (
            SELECT ST_MakePolygon(ST_MakeLine(
                ARRAY[pt]
                || array_agg(ST_Project(pt::geography, range_m,
                                        radians(azimuth - fov / 2 + fov * i / s.n))::geometry
                             ORDER BY i)
                || ARRAY[pt]))
            FROM (SELECT greatest(4, ceil(segments * fov / 360.0))::int AS n) s,
                 generate_series(0, s.n) AS i)
    END
$$;

ALTER TABLE cameras ADD COLUMN sector geometry(Polygon, 4326);

CREATE OR REPLACE FUNCTION cameras_set_sector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sector := camera_sector(NEW.geom, NEW.kind, NEW.azimuth, NEW.fov, NEW.range_m);
    RETURN NEW;
END
$$;

CREATE TRIGGER cameras_sector BEFORE INSERT OR UPDATE OF geom, kind, azimuth, fov, range_m
    ON cameras FOR EACH ROW EXECUTE FUNCTION cameras_set_sector();

UPDATE cameras SET sector = camera_sector(geom, kind, azimuth, fov, range_m);
CREATE INDEX cameras_sector ON cameras USING gist (sector);

-- Camera status changes made by commanders: who, when, before, after.
CREATE TABLE camera_status_events (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    camera_code text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    user_name text NOT NULL,
    before_status text NOT NULL,
    after_status text NOT NULL CHECK (after_status IN ('working', 'faulty', 'offline')),
    note text NOT NULL DEFAULT ''
);
CREATE INDEX camera_status_events_camera ON camera_status_events (county_code, camera_code, id);
