"""The policy's numbers (REQUIREMENTS.md R1–R11), each written once.

Analyses, storage, pages and the map read them from here; a county that is held to
other numbers changes them in one place.
"""
# R1: remote villages remediated: 60% by 30 June, all by 31 December of the plan year
MID_YEAR_SHARE = 0.6
# R2: a village's video criterion (雪亮工程 practice, METHODS.md): the shares of its 村口,
# schools and main-road junctions that working cameras must see, and the working cameras it
# must have. The defaults; an admin sets a county's own (table village_video_rules).
DEFAULT_VIDEO_RULE = {"entrances_share": 1.0, "schools_share": 1.0, "main_junctions_share": 0.5,
                      "min_working_cameras": 1}
MAX_MIN_WORKING_CAMERAS = 50
# a 村口 is seen when a working sector holds the road within this far of the crossing, inside
ENTRANCE_DEPTH_M = 30.0
# main roads: their junctions are the 国省干线 (and county-road) junctions of the rule
MAIN_ROAD_CLASSES = ("expressway", "national", "provincial", "county")
# R3: hotspots listed each quarter
COUNTY_REQUIRED = 10
TOWNSHIP_REQUIRED = 5
# R5, R6: a school's place is the 200 m around it
SCHOOL_RADIUS_M = 200.0
# R6: 见巡率 counts visits of at least 10 minutes
LONG_VISIT_MIN = 10.0
# R7: patrol team strength
TOWNSHIP_MIN = 15   # members of a township's full-time team
VILLAGE_MIN = 6     # members of a village's volunteer team
TEAM_MINIMUM = {"township_fulltime": TOWNSHIP_MIN, "village_volunteer": VILLAGE_MIN}
# R8: cameras working (完好率) and networked (联网率); junctions seen
WORKING_TARGET = 0.98
NETWORKED_TARGET = 1.0
JUNCTION_TARGET = 1.0
# R10: a township whose hotspot stays listed 2 quarters running is supervised, 3 vetoed
SUPERVISION_QUARTERS = 2
VETO_QUARTERS = 3
