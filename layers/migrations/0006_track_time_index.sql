-- The latest GPS time of a county, and a day's points, without reading every point.
CREATE INDEX patrol_tracks_county_time ON patrol_tracks (county_code, recorded_at);
CREATE INDEX incidents_county_time ON incidents (county_code, occurred_at);
