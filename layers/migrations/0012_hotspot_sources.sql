-- Hotspots from anywhere (issue 11): a draft item may be drawn, picked from a village,
-- school or road, or a point with a radius, and carries the planner's reason; a list
-- decided outside the system and imported as the hotspots layer is a published version
-- marked 'imported'.
ALTER TABLE hotspot_list_items DROP CONSTRAINT hotspot_list_items_source_check;
ALTER TABLE hotspot_list_items ADD CONSTRAINT hotspot_list_items_source_check
    CHECK (source IN ('candidate', 'drawn', 'picked', 'point', 'carried_over', 'imported'));
ALTER TABLE hotspot_list_items ADD COLUMN reason text NOT NULL DEFAULT ''
    CHECK (length(reason) <= 2000);
ALTER TABLE hotspot_list_items ADD COLUMN picked jsonb;   -- {layer, code, buffer_m} or {radius_m}

ALTER TABLE hotspot_lists ADD COLUMN origin text NOT NULL DEFAULT 'system'
    CHECK (origin IN ('system', 'imported'));
ALTER TABLE hotspot_lists ADD CONSTRAINT hotspot_lists_imported_published
    CHECK (origin = 'system' OR state = 'published');
