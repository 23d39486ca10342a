-- Every import of a file into a layer (issue 13, item 4): who, when, the file and its
-- SHA-256, what it did; and what undoing it needs, so that an admin can undo the last
-- import of a layer and get the layer back exactly as it was before it.
CREATE TABLE imports (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    layer text NOT NULL,
    actor text,
    at timestamptz NOT NULL DEFAULT now(),
    file_name text,
    checksum text CHECK (checksum ~ '^[0-9a-f]{64}$'),
    replace boolean NOT NULL DEFAULT false,
    rows_added integer NOT NULL DEFAULT 0,
    rows_updated integer NOT NULL DEFAULT 0,
    rows_removed integer NOT NULL DEFAULT 0,
    warnings jsonb NOT NULL DEFAULT '[]',
    undoes bigint UNIQUE REFERENCES imports (id),      -- set on an undo: the import it undid
    undone_by bigint UNIQUE REFERENCES imports (id),   -- set on an import once undone
    CHECK (undoes IS NULL OR undone_by IS NULL)         -- an undo is not undone
);
CREATE INDEX imports_layer ON imports (county_code, layer, id DESC);

-- The rows an import changed or removed, as they were before it (the row as jsonb, its
-- geometries as hex EWKB so they come back bit for bit), in the layer's table.
CREATE TABLE import_before_rows (
    import_id bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row_id bigint NOT NULL,
    image jsonb NOT NULL
);
CREATE INDEX import_before_rows_import ON import_before_rows (import_id);

-- The ids of the rows an import added, one array a chunk (compact: an import of new rows
-- keeps 8 bytes a row).
CREATE TABLE import_added_rows (
    import_id bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    ids bigint[] NOT NULL
);
CREATE INDEX import_added_rows_import ON import_added_rows (import_id);
