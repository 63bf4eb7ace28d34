"""Make the example community files of Riverside, a small fictional river town: eight
neighbourhoods of 500 m squares (two rows of four) in UTM zone 50N, a river along the south
edge whose flood zone covers the southern row (2 m deep by the river, 0.5 m further up),
and its organisations, enterprises, a shelter and a department office. Run it to remake
community/examples/riverside/ (the files are committed)."""

from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

HERE = Path(__file__).parent / "riverside"
CRS = "EPSG:32650"
X0, Y0, SIDE = 500_000.0, 3_400_000.0, 500.0

# name, row (0 = by the river), column, population, household sizes 1..5+, ages
# 0-17/18-64/65+, disability, low-resource households, single-family homes, renting
# households (the old riverside streets and the market's flats rent most)
NEIGHBOURHOODS = [
    ("Old Quay", 0, 0, 620, (0.38, 0.30, 0.14, 0.12, 0.06), (0.12, 0.55, 0.33), 0.08, 0.45, 0.55,
     0.55),
    ("Mill Row", 0, 1, 540, (0.30, 0.30, 0.18, 0.15, 0.07), (0.18, 0.60, 0.22), 0.06, 0.40, 0.70,
     0.45),
    ("Ferry Lane", 0, 2, 480, (0.28, 0.32, 0.18, 0.14, 0.08), (0.20, 0.58, 0.22), 0.05, 0.35, 0.80,
     0.35),
    ("Reed Bank", 0, 3, 350, (0.25, 0.35, 0.18, 0.15, 0.07), (0.17, 0.55, 0.28), 0.07, 0.30, 0.90,
     0.25),
    ("Market Hill", 1, 0, 760, (0.35, 0.33, 0.15, 0.12, 0.05), (0.14, 0.66, 0.20), 0.04, 0.20, 0.25,
     0.60),
    ("Chapel Green", 1, 1, 690, (0.22, 0.30, 0.20, 0.20, 0.08), (0.24, 0.58, 0.18), 0.04, 0.15, 0.60,
     0.30),
    ("New Estate", 1, 2, 880, (0.12, 0.25, 0.25, 0.27, 0.11), (0.32, 0.60, 0.08), 0.03, 0.10, 0.85,
     0.15),
    ("Orchard End", 1, 3, 430, (0.20, 0.38, 0.17, 0.17, 0.08), (0.18, 0.52, 0.30), 0.05, 0.12, 0.95,
     0.10),
]


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, r, c, pop, hh, age, dis, low, single, renter in NEIGHBOURHOODS:
        x, y = X0 + c * SIDE, Y0 + r * SIDE
        rows.append({"name": name, "population": pop,
                     **{f"hh{k + 1}": v for k, v in enumerate(hh)},
                     "age_0_17": age[0], "age_18_64": age[1], "age_65": age[2],
                     "disability": dis, "low_resource": low, "single_family": single,
                     "renter": renter,
                     "geometry": box(x, y, x + SIDE, y + SIDE)})
    gpd.GeoDataFrame(rows, crs=CRS).to_file(HERE / "neighbourhoods.geojson", driver="GeoJSON")
    # the flood zone: 2 m deep within 150 m of the river (the south edge), 0.5 m up to 400 m;
    # it narrows towards the east, where the bank is higher
    east = X0 + 4 * SIDE
    zones = [{"depth": 2.0, "geometry": box(X0, Y0, east, Y0 + 150)},
             {"depth": 0.5, "geometry": box(X0, Y0 + 150, X0 + 3 * SIDE, Y0 + 400)}]
    gpd.GeoDataFrame(zones, crs=CRS).to_file(HERE / "flood_zone.geojson", driver="GeoJSON")
    places = [("organisation", 1, 0), ("organisation", 0, 1), ("organisation", 1, 2),
              ("organisation", 1, 3), ("organisation", 0, 0), ("enterprise", 1, 0),
              ("enterprise", 1, 0), ("enterprise", 0, 1), ("enterprise", 0, 1),
              ("enterprise", 1, 1), ("enterprise", 1, 2), ("enterprise", 0, 2),
              ("enterprise", 1, 3), ("shelter", 1, 1), ("department", 1, 0)]
    pts = [{"kind": kind, "geometry": Point(X0 + (c + 0.2 + 0.12 * (k % 5)) * SIDE,
                                            Y0 + (r + 0.6) * SIDE)}
           for k, (kind, r, c) in enumerate(places)]
    gpd.GeoDataFrame(pts, crs=CRS).to_file(HERE / "places.geojson", driver="GeoJSON")


if __name__ == "__main__":
    main()
