-- Quarterly hotspot lists (R3, R10): drafts, published versions that never change, and the
-- lifecycle of each listed hotspot with its evaluations.
ALTER TABLE hotspots ADD COLUMN carried_from text;

CREATE TABLE hotspot_lists (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
    version integer NOT NULL,
    state text NOT NULL CHECK (state IN ('draft', 'published')),
    based_on bigint REFERENCES hotspot_lists (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    published_at timestamptz,
    published_by text,
    revision integer NOT NULL DEFAULT 0,   -- bumped by every change to a draft
    UNIQUE (county_code, quarter, version)
);
CREATE UNIQUE INDEX hotspot_lists_one_draft ON hotspot_lists (county_code, quarter) WHERE state = 'draft';

CREATE TABLE hotspot_list_items (
    id bigserial PRIMARY KEY,
    list_id bigint NOT NULL REFERENCES hotspot_lists (id) ON DELETE CASCADE,
    code text NOT NULL,
    name text NOT NULL,
    level text NOT NULL CHECK (level IN ('county', 'township')),
    township_code text,
    unit text,
    deadline date,
    source text NOT NULL CHECK (source IN ('candidate', 'drawn', 'carried_over')),
    significant boolean,
    incident_count integer,
    gi_z double precision,
    carried_from text,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    UNIQUE (list_id, code)
);
CREATE INDEX hotspot_list_items_geom ON hotspot_list_items USING gist (geom);

CREATE TABLE hotspot_status_events (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    hotspot_code text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    user_name text NOT NULL,
    before_status text,
    after_status text NOT NULL,
    note text NOT NULL DEFAULT '',
    evaluation jsonb
);
CREATE INDEX hotspot_status_events_code ON hotspot_status_events (county_code, hotspot_code, id);
