-- A version per table that the maps draw from, raised by every statement that changes it.
-- Pages keep what they built from the data (map parts) keyed by these versions, so a
-- change shows at once and an unchanged county is not rebuilt for every visitor.
-- The raise is an UPDATE of the table's row: it is held until the writer commits, so two
-- writers of the same table take turns at that row (writes are rare next to reads).
CREATE TABLE layer_versions (
    name text PRIMARY KEY,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION layer_version_raise() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO layer_versions AS v (name, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (name) DO UPDATE SET version = v.version + 1, changed_at = now();
    RETURN NULL;
END $$;

-- Called for each table whose changes pages must see (layers.versions.track, at every
-- migrate, for the catalog's layers and the tables listed there).
CREATE FUNCTION track_layer_versions(target regclass) RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER layer_version_raise AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                   ' ON %s FOR EACH STATEMENT EXECUTE FUNCTION layer_version_raise()', target);
    INSERT INTO layer_versions (name) SELECT relname FROM pg_class WHERE oid = target
    ON CONFLICT (name) DO NOTHING;
END $$;
