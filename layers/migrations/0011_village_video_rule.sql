-- The village video rule (R2 视频覆盖, 雪亮工程 practice) per county, and exceptions to it
-- recorded on remediation events.

-- A county's rule: the share of its 村口 (where roads cross into the village), schools and
-- junctions of main roads that working cameras must see, and the working cameras a village
-- must have. A county without a row uses the defaults below (geo.rules.DEFAULT_VIDEO_RULE).
CREATE TABLE village_video_rules (
    county_code text PRIMARY KEY,
    entrances_share double precision NOT NULL DEFAULT 1.0
        CHECK (entrances_share >= 0 AND entrances_share <= 1),
    schools_share double precision NOT NULL DEFAULT 1.0
        CHECK (schools_share >= 0 AND schools_share <= 1),
    main_junctions_share double precision NOT NULL DEFAULT 0.5
        CHECK (main_junctions_share >= 0 AND main_junctions_share <= 1),
    min_working_cameras integer NOT NULL DEFAULT 1
        CHECK (min_working_cameras >= 0 AND min_working_cameras <= 50),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A village confirmed 已整治 although the video criterion did not hold, on an explicit
-- exception: the planner's note (never empty) and what did not hold at the time.
ALTER TABLE remediation_events
    ADD COLUMN exception_note text
        CHECK (exception_note IS NULL OR (length(btrim(exception_note)) > 0 AND status = 'remediated')),
    ADD COLUMN exception_reasons text[] NOT NULL DEFAULT '{}';

-- the in-force index also carries whether the state stands on an exception, so progress
-- (remediated and remediated_with_exception) stays one index probe per village and day
DROP INDEX remediation_events_in_force;
CREATE INDEX remediation_events_in_force
    ON remediation_events (county_code, village_code, effective_on DESC, id DESC)
    INCLUDE (status, exception_note)
    WHERE reverted_by IS NULL AND kind <> 'revert';

-- Existing villages whose remediation stands while the video criterion now fails are
-- recorded as exceptions ("迁移时视频覆盖未达标") by layers.village_video.mark_legacy,
-- which layers.migrate runs once after this file (the rule is computed in Python).
