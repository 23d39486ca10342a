-- Incident categories as the police write them (R4). An incident keeps `category` as written
-- in the file and carries `focus`, the R4 group it maps to: robbery, snatching, theft,
-- telecom_fraud, illegal_fundraising, drugs, assault, traffic_accident, dispute, or other.
--
-- The mapping is the shipped defaults (incident_focus_defaults(), code: tests empty every
-- table between tests and a restore replaces the tables, but never the shipped list) and
-- what a county's admin added (incident_focus_map, which wins). Categories are compared by
-- their key: NFKC (full-width letters and spaces become ordinary ones), surrounding
-- whitespace trimmed, lower case.

-- (no SET search_path, so that the planner inlines it: every name is pg_catalog's)
CREATE FUNCTION category_key(in_written text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT pg_catalog.lower(pg_catalog.btrim(pg_catalog.normalize(in_written, 'NFKC'), E' \t\r\n\v\f'))
$$;

CREATE FUNCTION incident_focus_ok(in_focus text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path FROM CURRENT AS $$
    SELECT in_focus IN ('robbery', 'snatching', 'theft', 'telecom_fraud', 'illegal_fundraising', 'drugs',
                     'assault', 'traffic_accident', 'dispute', 'other')
$$;

-- The shipped mapping: written (already a key: see tests/layers/test_categories.py) -> focus,
-- one constant that plans fold in.
CREATE FUNCTION incident_focus_default_map() RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{
    "robbery": "robbery", "抢劫": "robbery", "抢劫案": "robbery", "持刀抢劫": "robbery", "拦路抢劫": "robbery",
    "入户抢劫": "robbery", "持械抢劫": "robbery", "snatching": "snatching", "抢夺": "snatching",
    "抢夺案": "snatching", "飞车抢夺": "snatching", "theft": "theft", "盗窃": "theft", "盗窃案": "theft",
    "偷盗": "theft", "盗窃电动车": "theft", "盗窃电瓶车": "theft", "盗窃电动自行车": "theft", "盗窃摩托车": "theft",
    "盗窃自行车": "theft", "盗窃汽车": "theft", "盗窃机动车": "theft", "盗窃车内财物": "theft", "入室盗窃": "theft",
    "入户盗窃": "theft", "扒窃": "theft", "盗窃牲畜": "theft", "盗窃耕牛": "theft", "盗窃农用物资": "theft",
    "盗窃电力设施": "theft", "盗窃电缆": "theft", "telecom_fraud": "telecom_fraud", "电信诈骗": "telecom_fraud",
    "电信网络诈骗": "telecom_fraud", "网络诈骗": "telecom_fraud", "电话诈骗": "telecom_fraud", "诈骗": "telecom_fraud",
    "诈骗案": "telecom_fraud", "刷单诈骗": "telecom_fraud", "刷单返利诈骗": "telecom_fraud",
    "冒充公检法诈骗": "telecom_fraud", "冒充客服诈骗": "telecom_fraud", "贷款诈骗": "telecom_fraud",
    "网络贷款诈骗": "telecom_fraud", "虚假投资理财诈骗": "telecom_fraud",
    "illegal_fundraising": "illegal_fundraising", "非法集资": "illegal_fundraising",
    "集资诈骗": "illegal_fundraising", "非法吸收公众存款": "illegal_fundraising", "非法吸收存款": "illegal_fundraising",
    "drugs": "drugs", "涉毒": "drugs", "吸毒": "drugs", "贩毒": "drugs", "贩卖毒品": "drugs",
    "走私、贩卖、运输、制造毒品": "drugs", "制毒": "drugs", "制造毒品": "drugs", "容留他人吸毒": "drugs", "非法持有毒品": "drugs",
    "非法种植毒品原植物": "drugs", "assault": "assault", "伤害": "assault", "故意伤害": "assault", "故意伤害案": "assault",
    "殴打他人": "assault", "打架斗殴": "assault", "聚众斗殴": "assault", "traffic_accident": "traffic_accident",
    "交通事故": "traffic_accident", "道路交通事故": "traffic_accident", "交通肇事": "traffic_accident",
    "肇事逃逸": "traffic_accident", "交通肇事逃逸": "traffic_accident", "dispute": "dispute", "纠纷": "dispute",
    "矛盾纠纷": "dispute", "民间纠纷": "dispute", "邻里纠纷": "dispute", "家庭纠纷": "dispute", "婚姻家庭纠纷": "dispute",
    "经济纠纷": "dispute", "债务纠纷": "dispute", "劳资纠纷": "dispute", "土地纠纷": "dispute", "山林土地纠纷": "dispute",
    "医疗纠纷": "dispute", "消费纠纷": "dispute", "other": "other", "其他": "other", "其它": "other"
    }'::pg_catalog.jsonb
$$;

CREATE FUNCTION incident_focus_defaults() RETURNS TABLE (written text, focus text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
    SELECT key, value FROM jsonb_each_text(incident_focus_default_map())
$$;

-- What a county's admin mapped (web: /admin/categories, /api/incident-categories).
CREATE TABLE incident_focus_map (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    written text NOT NULL CHECK (char_length(btrim(written)) BETWEEN 1 AND 100),
    written_key text GENERATED ALWAYS AS (category_key(written)) STORED,
    focus text NOT NULL CHECK (incident_focus_ok(focus)),
    added_by text,
    added_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (county_code, written_key)
);

-- The group of a category in a county: the county's own mapping, else the shipped one;
-- NULL when neither knows it (incidents then count as 'other').
CREATE FUNCTION incident_focus(in_county text, in_written text) RETURNS text LANGUAGE plpgsql STABLE
    PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
    k text := category_key(in_written);
    f text;
BEGIN
    SELECT m.focus INTO f FROM incident_focus_map m WHERE m.county_code = in_county AND m.written_key = k;
    RETURN coalesce(f, incident_focus_default_map() ->> k);
END $$;

-- 'other' for every row at once (no rewrite), then the rows of a focus group: only rows
-- that pass the checks of 0008 kept NOT VALID, since an updated row must pass them (the
-- few that do not stay 'other'); new rows get their focus from the trigger below.
ALTER TABLE incidents ADD COLUMN focus text NOT NULL DEFAULT 'other';
UPDATE incidents SET focus = incident_focus(county_code, category)
WHERE incident_focus(county_code, category) IS NOT NULL AND lonlat_ok(geom) AND moment_ok(occurred_at);
ALTER TABLE incidents ALTER COLUMN focus DROP DEFAULT,
    ADD CONSTRAINT incidents_focus CHECK (incident_focus_ok(focus)),
    ADD CONSTRAINT incidents_category_length CHECK (char_length(category) BETWEEN 1 AND 100) NOT VALID;
DO $$
BEGIN
    ALTER TABLE incidents VALIDATE CONSTRAINT incidents_category_length;
EXCEPTION WHEN check_violation THEN
    RAISE WARNING 'incidents holds categories longer than 100 characters (kept NOT VALID: new rows are checked)';
END $$;
CREATE INDEX incidents_category_key ON incidents (county_code, category_key(category));

-- A row written without its focus (or whose category changed alone) gets it from the
-- mapping; the importer writes the focus it looked up with incident_focus() itself.
CREATE FUNCTION incidents_set_focus() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.focus IS NULL OR (TG_OP = 'UPDATE' AND NEW.category IS DISTINCT FROM OLD.category
                             AND NEW.focus IS NOT DISTINCT FROM OLD.focus) THEN
        NEW.focus := coalesce(incident_focus(NEW.county_code, NEW.category), 'other');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incidents_set_focus BEFORE INSERT OR UPDATE ON incidents
    FOR EACH ROW EXECUTE FUNCTION incidents_set_focus();
