"""The policy's numbers (REQUIREMENTS.md R1–R11), each written once.

Analyses, storage, pages and the map read them from here; a county that is held to
other numbers changes them in one place.
"""
# R1: remote villages remediated: 60% by 30 June, all by 31 December of the plan year
MID_YEAR_SHARE = 0.6
# R2: a village's video criterion: at least this share of its road length seen (and every school)
ROAD_SHARE_FOR_VIDEO = 0.5
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
