-- Remote-village remediation (R1, R2): every change is an event; nothing is updated in place
-- but the pointer to the event that reverted another.
CREATE TABLE remediation_events (
    id bigserial PRIMARY KEY,
    county_code text NOT NULL,
    village_code text NOT NULL,
    effective_on date NOT NULL,            -- the day the change took effect (confirmation day)
    recorded_at timestamptz NOT NULL DEFAULT now(),
    user_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('change', 'revert', 'import')),
    status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'remediated')),
    orderly boolean NOT NULL DEFAULT false,      -- 管理有序
    services boolean NOT NULL DEFAULT false,     -- 服务规范
    video boolean NOT NULL DEFAULT false,        -- 视频覆盖
    confirmed_on date,
    confirmed_by text,
    note text NOT NULL DEFAULT '',
    before jsonb,                                -- the village's state before this event
    reverts bigint REFERENCES remediation_events (id),
    reverted_by bigint REFERENCES remediation_events (id)
);
CREATE INDEX remediation_events_village
    ON remediation_events (county_code, village_code, effective_on, id);
-- the events in force, newest first per village: one index probe gives a village's state
CREATE INDEX remediation_events_in_force
    ON remediation_events (county_code, village_code, effective_on DESC, id DESC) INCLUDE (status)
    WHERE reverted_by IS NULL AND kind <> 'revert';
