-- Opinion calls (民意调查; issue 16, items 1 and 6; seed §12): each call with its day, its
-- caller, the respondent's village (never a name; a phone number only as an HMAC-SHA256
-- hash, 64 hex digits, to avoid calling the same person twice in a quarter), 安全感 and
-- 满意度 on 1–5, answers to the county's question list and free-text problems. The township
-- is the village's, set by the trigger below whichever way the row comes in.
CREATE TABLE survey_calls (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    code text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 100),
    called_at timestamptz NOT NULL,
    village_code text NOT NULL CHECK (char_length(village_code) BETWEEN 1 AND 100),
    township_code text,
    caller text NOT NULL CHECK (char_length(caller) BETWEEN 1 AND 200),
    safety smallint NOT NULL CHECK (safety BETWEEN 1 AND 5),
    satisfaction smallint NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    phone_hash text CHECK (phone_hash ~ '^[0-9a-f]{64}$'),
    answers jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
    problems text NOT NULL DEFAULT '' CHECK (char_length(problems) <= 2000),
    props jsonb NOT NULL DEFAULT '{}',
    geom geometry(Point, 4326),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, code)
);
CREATE INDEX survey_calls_day ON survey_calls (county_code, called_at);
CREATE INDEX survey_calls_township ON survey_calls (county_code, township_code, called_at);
CREATE INDEX survey_calls_village ON survey_calls (county_code, village_code, called_at);
CREATE INDEX survey_calls_phone ON survey_calls (county_code, phone_hash, called_at) WHERE phone_hash IS NOT NULL;
CREATE INDEX survey_calls_geom ON survey_calls USING gist (geom);

CREATE FUNCTION survey_call_township() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT v.township_code INTO NEW.township_code FROM villages v
     WHERE v.county_code = NEW.county_code AND v.code = NEW.village_code;
    RETURN NEW;
END $$;
CREATE TRIGGER survey_call_township BEFORE INSERT OR UPDATE OF village_code, county_code ON survey_calls
    FOR EACH ROW EXECUTE FUNCTION survey_call_township();

-- The county's question list, edited by admins: key (the answers' key, q_<key> in files),
-- the question, its kind, its place on the form, whether it is asked now.
CREATE TABLE survey_questions (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('scale', 'yesno', 'text')),
    position integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 1000),
    active boolean NOT NULL DEFAULT true,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, key)
);

-- Calls required a day (seed §12: at least 50), per county; absent means 50.
CREATE TABLE survey_settings (
    county_code text PRIMARY KEY,
    required_daily integer NOT NULL DEFAULT 50 CHECK (required_daily BETWEEN 1 AND 10000),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
