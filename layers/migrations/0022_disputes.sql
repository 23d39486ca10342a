-- Dispute screening (矛盾纠纷排查, issue 16 item 4; seed §9): the county screens at least
-- once a calendar month, each township at least once in each half-month (1st–15th, 16th–end),
-- villages at any time. One row per screening a unit reports; a row removed by its author
-- (or an admin) on the day it was recorded is kept, marked deleted, with who and when.
CREATE TABLE dispute_screenings (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    level text NOT NULL CHECK (level IN ('county', 'township', 'village')),
    unit_code text NOT NULL CHECK (char_length(unit_code) BETWEEN 1 AND 100),  -- county, township or village code
    screened_on date NOT NULL CHECK (screened_on BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    disputes_found integer NOT NULL CHECK (disputes_found BETWEEN 0 AND 100000),
    resolved integer NOT NULL CHECK (resolved >= 0 AND resolved <= disputes_found),
    note text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_by text,
    deleted_at timestamptz,
    CHECK ((deleted_by IS NULL) = (deleted_at IS NULL)),
    CHECK (level <> 'county' OR unit_code = county_code)
);
CREATE INDEX dispute_screenings_county_day ON dispute_screenings (county_code, screened_on)
    WHERE deleted_at IS NULL;

-- Incidents that were civil disputes turned criminal cases (民转刑) and homicides arising
-- from civil disputes (民事纠纷引发的命案): importable, or marked by a planner.
ALTER TABLE incidents ADD COLUMN civil_to_criminal boolean NOT NULL DEFAULT false,
    ADD COLUMN dispute_homicide boolean NOT NULL DEFAULT false;
CREATE INDEX incidents_dispute_flags ON incidents (county_code, occurred_at)
    WHERE civil_to_criminal OR dispute_homicide;

-- A file without the columns (written as NULL by the importer) keeps what a row had, or false.
CREATE FUNCTION incidents_keep_dispute_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.civil_to_criminal IS NULL THEN
        NEW.civil_to_criminal := CASE WHEN TG_OP = 'UPDATE' THEN OLD.civil_to_criminal ELSE false END;
    END IF;
    IF NEW.dispute_homicide IS NULL THEN
        NEW.dispute_homicide := CASE WHEN TG_OP = 'UPDATE' THEN OLD.dispute_homicide ELSE false END;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incidents_keep_dispute_flags BEFORE INSERT OR UPDATE ON incidents
    FOR EACH ROW EXECUTE FUNCTION incidents_keep_dispute_flags();

-- Every change of an incident's flags made in the app: who, when, what before.
CREATE TABLE incident_dispute_marks (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    incident_code text NOT NULL,
    civil_to_criminal boolean NOT NULL,
    dispute_homicide boolean NOT NULL,
    was_civil_to_criminal boolean NOT NULL,
    was_dispute_homicide boolean NOT NULL,
    note text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    by_user text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_dispute_marks_incident ON incident_dispute_marks (county_code, incident_code, at);
