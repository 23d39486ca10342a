-- Opinion calls imported from a call centre's file (issue 16, item 1): the importer's
-- upsert stamps updated_at on the rows a re-import touches.
ALTER TABLE survey_calls ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
