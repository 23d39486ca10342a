-- Patrol members (issue 15, item 5): a role 'patrol' whose users belong to one team and
-- may use only their own page; their check-ins at the day's stops, with an optional photo.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('commander', 'planner', 'leader', 'admin', 'patrol'));
ALTER TABLE users ADD COLUMN team_code text
    CHECK (team_code IS NULL OR char_length(team_code) BETWEEN 1 AND 100);
ALTER TABLE users ADD CONSTRAINT users_patrol_team CHECK (role <> 'patrol' OR team_code IS NOT NULL);

-- A member's check-in at a stop (a listed hotspot, a school, a route's stop). geom is where
-- the browser said the member was (when they allowed it), with its accuracy in metres.
CREATE TABLE patrol_checkins (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    team_code text NOT NULL,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    user_name text NOT NULL,
    stop_kind text NOT NULL CHECK (stop_kind IN ('hotspot', 'school', 'route')),
    stop_code text NOT NULL,
    stop_name text NOT NULL DEFAULT '',
    at timestamptz NOT NULL DEFAULT now(),
    geom geometry(Point, 4326),
    accuracy_m double precision CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
    distance_m double precision CHECK (distance_m IS NULL OR distance_m >= 0),
    note text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patrol_checkins_county_at ON patrol_checkins (county_code, at);
CREATE INDEX patrol_checkins_team_at ON patrol_checkins (county_code, team_code, at);

-- The photo of a check-in, re-encoded (JPEG, no EXIF, at most 1600 px) with a thumbnail.
-- Kept in the database: backups and restores carry them, and access goes through the app.
CREATE TABLE patrol_checkin_photos (
    checkin_id bigint PRIMARY KEY REFERENCES patrol_checkins (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg')),
    bytes bytea NOT NULL CHECK (octet_length(bytes) <= 5 * 1024 * 1024),
    thumb bytea NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    original_bytes integer NOT NULL
);
