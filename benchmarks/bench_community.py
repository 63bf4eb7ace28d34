"""How long a community file takes to become a community (issue 15): a grid of square
neighbourhoods with every census column, a hazard layer and places, written to a temporary
folder, then read (GeoPandas: the layers, the overlay, the point join) and built (households,
ages by iterative proportional fitting, ties, places), each timed; then a model is made from
it, as `grassroots run --community` does. Figures only: nothing here asserts.

    python benchmarks/bench_community.py [--residents 50000] [--neighbourhoods 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def write_town(folder: Path, residents: int, n_nb: int) -> Path:
    import geopandas as gpd
    from shapely.geometry import Point, box

    side, cols = 300.0, int(np.ceil(np.sqrt(n_nb)))
    rng = np.random.default_rng(0)
    pop = np.full(n_nb, residents // n_nb)
    pop[: residents - pop.sum()] += 1
    rows = []
    for k in range(n_nb):
        x, y = (k % cols) * side, (k // cols) * side
        hh = rng.dirichlet([3, 3, 2, 2, 1])
        age = rng.dirichlet([2, 6, 2])
        rows.append({"name": f"N{k}", "population": int(pop[k]),
                     **{f"hh{i + 1}": float(v) for i, v in enumerate(hh)},
                     "age_0_17": float(age[0]), "age_18_64": float(age[1]),
                     "age_65": float(age[2]), "disability": 0.05, "low_resource": 0.2,
                     "single_family": 0.5, "geometry": box(x, y, x + side, y + side)})
    crs = "EPSG:32650"
    gpd.GeoDataFrame(rows, crs=crs).to_file(folder / "nb.geojson", driver="GeoJSON")
    width = cols * side
    gpd.GeoDataFrame({"depth": [2.0, 0.5]}, geometry=[box(0, 0, width, 200),
                                                      box(0, 200, width, 600)],
                     crs=crs).to_file(folder / "hz.geojson", driver="GeoJSON")
    pts = [{"kind": "organisation" if k % 3 else "enterprise",
            "geometry": Point((k % cols) * side + 100, (k // cols) * side + 100)}
           for k in range(n_nb)]
    gpd.GeoDataFrame(pts, crs=crs).to_file(folder / "pl.geojson", driver="GeoJSON")
    path = folder / "town.toml"
    path.write_text('name = "bench"\nneighbourhoods = "nb.geojson"\nid = "name"\n'
                    '[hazard]\nfile = "hz.geojson"\nvalue = "depth"\nfull = 2.0\n'
                    '[places]\nfile = "pl.geojson"\n')
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=50_000)
    ap.add_argument("--neighbourhoods", type=int, default=100)
    args = ap.parse_args()
    t0 = time.perf_counter()
    from grassroots.community.geo import build_geo, read_community_file
    from grassroots.core.params import defaults
    from grassroots.model.run import make_model
    t_import = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        path = write_town(Path(d), args.residents, args.neighbourhoods)
        t0 = time.perf_counter()
        geo = read_community_file(path)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        c = build_geo(geo, defaults(), np.random.default_rng(1))
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        make_model({"days": 90}, seed=1, scenario="flood", network=str(path))
        t_model = time.perf_counter() - t0
    print(f"community file: {args.neighbourhoods} neighbourhoods, {c.n:,} residents, "
          f"{len(c.tie_i):,} ties")
    print(f"  import GeoPandas and Grassroots  {t_import:6.2f} s")
    print(f"  read the file and its layers     {t_read:6.2f} s")
    print(f"  build the community              {t_build:6.2f} s")
    print(f"  read + build                     {t_read + t_build:6.2f} s")
    print(f"  a model from the file (again)    {t_model:6.2f} s")


if __name__ == "__main__":
    main()
