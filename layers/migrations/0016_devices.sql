-- Patrol phones (issue 15, items 1 and 2): the devices that report positions over the
-- OsmAnd protocol, each for one team, known by a per-device secret token kept only as its
-- SHA-256; and what the positions imply the moment they arrive: a team arriving at or
-- leaving a listed hotspot or a school's 200 m area.
CREATE TABLE devices (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    device_id text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    team_code text NOT NULL CHECK (btrim(team_code) <> '' AND length(team_code) <= 100),
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text,
    revoked_at timestamptz,
    revoked_by text,
    last_seen_at timestamptz,
    last_battery real CHECK (last_battery IS NULL OR last_battery BETWEEN 0 AND 100),
    last_accuracy real CHECK (last_accuracy IS NULL OR last_accuracy >= 0)
);
-- A device id is in use by one device at a time, across counties: the classic OsmAnd path
-- (/track/osmand?id=…) has no county to tell two apart.
CREATE UNIQUE INDEX devices_active_id ON devices (device_id) WHERE revoked_at IS NULL;
CREATE INDEX devices_county_team ON devices (county_code, team_code);

CREATE TABLE patrol_events (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    team_code text NOT NULL,
    device_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('arrive', 'leave')),
    place_kind text NOT NULL CHECK (place_kind IN ('hotspot', 'school')),
    place_code text NOT NULL,
    place_name text,
    at timestamptz NOT NULL CHECK (moment_ok(at)),
    geom geometry(Point, 4326) NOT NULL,
    seen boolean NOT NULL DEFAULT false,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- a point the phone sends again makes no second event
    UNIQUE (county_code, team_code, place_kind, place_code, kind, at)
);
CREATE INDEX patrol_events_county_at ON patrol_events (county_code, at DESC);
CREATE INDEX patrol_events_unseen ON patrol_events (county_code) WHERE NOT seen;

-- Phones post a fix every 30 s per team (8 a second for a county): raising patrol_tracks'
-- version with each would change every kept page's key all day long. Their writer
-- (layers.devices.store_fixes) sets countymap.versions_coarse for its statements and raises
-- the version itself, at most once a minute. Every other writer raises it as before.
CREATE OR REPLACE FUNCTION layer_version_raise() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF current_setting('countymap.versions_coarse', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO layer_versions AS v (name, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (name) DO UPDATE SET version = v.version + 1, changed_at = now();
    RETURN NULL;
END $$;
