-- Grids and 一村（格）一警一法律顾问 (issue 16, item 5; seed §10). A grid (网格) is a part of a
-- village with its grid member (网格员); it is a catalog layer, imported like the others and
-- checked after the write (data.importer.grids): at least 95% of its area inside its
-- village, and at most 5% of its area shared with other grids.
CREATE TABLE grids (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    village_code text,                      -- 所属村: as the file says, else located
    township_code text,                     -- the village's township
    member text CHECK (member IS NULL OR char_length(member) BETWEEN 1 AND 100),
    member_phone text CHECK (member_phone IS NULL OR char_length(member_phone) BETWEEN 1 AND 40),
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(MultiPolygon, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);
CREATE INDEX grids_geom ON grids USING gist (geom);
CREATE INDEX grids_county_village ON grids (county_code, village_code);

-- Who holds each post: a village's 驻村民警 (police) and 法律顾问 (legal_adviser), or a
-- grid's (grid_code set) where a county posts them per grid; a grid's 网格员 (grid_member,
-- always per grid). One holder per post; who set it and when is kept, and every change
-- with what was there before in village_staff_changes.
CREATE TABLE village_staff (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    village_code text NOT NULL CHECK (char_length(village_code) BETWEEN 1 AND 100),
    grid_code text CHECK (grid_code IS NULL OR char_length(grid_code) BETWEEN 1 AND 100),
    role text NOT NULL CHECK (role IN ('grid_member', 'police', 'legal_adviser')),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    phone text CHECK (phone IS NULL OR char_length(phone) BETWEEN 1 AND 40),
    since date NOT NULL DEFAULT CURRENT_DATE,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'grid_member' OR grid_code IS NOT NULL)
);
CREATE UNIQUE INDEX village_staff_post ON village_staff (county_code, village_code, coalesce(grid_code, ''), role);

CREATE TABLE village_staff_changes (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    village_code text NOT NULL,
    grid_code text,
    role text NOT NULL,
    name_before text,
    phone_before text,
    name text,                               -- NULL: the post was emptied
    phone text,
    by_user text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX village_staff_changes_post ON village_staff_changes (county_code, village_code, at);
