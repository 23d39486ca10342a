-- The county's layers. Geometries in EPSG:4326; every table carries the
-- county's administrative code (county_code) so a province can shard on it.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE townships (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiPolygon, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE villages (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    township_code text,
    remote boolean NOT NULL DEFAULT false,
    population integer,
    remediated_on date,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiPolygon, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE cameras (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('fixed', 'dome', 'ptz', 'checkpoint')),
    azimuth double precision CHECK (azimuth >= 0 AND azimuth <= 360),
    fov double precision NOT NULL CHECK (fov > 0 AND fov <= 360),
    range_m double precision NOT NULL CHECK (range_m > 0),
    status text NOT NULL CHECK (status IN ('working', 'faulty', 'offline')),
    networked boolean NOT NULL,
    installed_on date,
    township_code text,
    village_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE incidents (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    occurred_at timestamptz NOT NULL,
    category text NOT NULL,
    township_code text,
    village_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);
CREATE INDEX incidents_occurred_at ON incidents (occurred_at);

CREATE TABLE schools (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    township_code text,
    village_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Geometry, 4326) NOT NULL
        CHECK (GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE roads (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    class text NOT NULL,
    township_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiLineString, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE patrol_teams (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('township_fulltime', 'village_volunteer')),
    township_code text NOT NULL,
    village_code text,
    members integer NOT NULL CHECK (members >= 0),
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE patrol_routes (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    team_code text NOT NULL,
    shift text NOT NULL,
    township_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiLineString, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE TABLE patrol_tracks (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    team_code text NOT NULL,
    recorded_at timestamptz NOT NULL,
    township_code text,
    village_code text,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);
CREATE INDEX patrol_tracks_team_time ON patrol_tracks (team_code, recorded_at);

CREATE TABLE hotspots (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
    level text NOT NULL CHECK (level IN ('county', 'township')),
    township_code text,
    name text NOT NULL,
    status text NOT NULL CHECK (status IN ('listed', 'remediating', 'delisted', 'carried_over')),
    unit text,
    deadline date,
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiPolygon, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);

CREATE INDEX townships_geom ON townships USING gist (geom);
CREATE INDEX villages_geom ON villages USING gist (geom);
CREATE INDEX cameras_geom ON cameras USING gist (geom);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX schools_geom ON schools USING gist (geom);
CREATE INDEX roads_geom ON roads USING gist (geom);
CREATE INDEX patrol_teams_geom ON patrol_teams USING gist (geom);
CREATE INDEX patrol_routes_geom ON patrol_routes USING gist (geom);
CREATE INDEX patrol_tracks_geom ON patrol_tracks USING gist (geom);
CREATE INDEX hotspots_geom ON hotspots USING gist (geom);
