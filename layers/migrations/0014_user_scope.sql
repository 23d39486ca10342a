-- Users who see more than one county (issue 14, item 5): a user's scope is the list of
-- county codes they may see; NULL means the configured county only (COUNTY_CODE).
ALTER TABLE users ADD COLUMN counties text[]
    CHECK (counties IS NULL OR (cardinality(counties) BETWEEN 1 AND 5000
                                AND array_position(counties, NULL) IS NULL));

-- The names of the counties (code → name) the header's selector and the titles show;
-- a county without a row is shown by its code.
CREATE TABLE counties (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 64)
);
