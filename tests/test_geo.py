"""A community from a planner's files (community/geo.py, issue 15): iterative proportional
fitting against known tables; the example town's synthesised population against each
neighbourhood's marginals; exposure by overlay on a hand-made square layout; the gravity
rule of bridging ties; determinism; malformed files in one line; a run from the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grassroots.community.geo import (
    AGE_COLUMNS, SIZE_COLUMNS, CommunityFileError, build_geo, exact_draw, gravity_bridging,
    ipf, read_community_file,
)
from grassroots.core.params import defaults
from grassroots.core.vocabulary import BRIDGING

ROOT = Path(__file__).resolve().parent.parent
TOWN = ROOT / "community" / "examples" / "riverside" / "riverside.toml"
CLI = [sys.executable, "-m", "grassroots"]


@pytest.mark.unit
def test_ipf_fits_both_margins_and_keeps_structural_zeros():
    rows, cols = np.array([30.0, 50.0, 20.0]), np.array([10.0, 60.0, 30.0])
    # from a uniform seed the fit is the independence table rows x cols / N
    t = ipf(np.ones((3, 3)), rows, cols)
    assert np.allclose(t, np.outer(rows, cols) / 100.0)
    # a structural zero stays zero and both margins still hold
    seed = np.ones((3, 3))
    seed[0, 0] = 0.0
    t = ipf(seed, rows, cols)
    assert t[0, 0] == 0.0
    assert np.allclose(t.sum(axis=1), rows) and np.allclose(t.sum(axis=0), cols)
    # Deming and Stephan's property: the fit keeps the seed's cross-product ratios
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = ipf(seed, [5.0, 5.0], [4.0, 6.0])
    assert t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0]) == pytest.approx(4.0 / 6.0)
    with pytest.raises(ValueError, match="did not converge"):
        ipf(np.array([[1.0, 0.0], [0.0, 1.0]]), [5.0, 5.0], [2.0, 8.0])


@pytest.mark.unit
def test_exact_draw_meets_each_groups_share_to_one_member():
    rng = np.random.default_rng(0)
    group = rng.integers(0, 5, 1000)
    share = np.array([0.0, 0.1, 0.35, 0.5, 1.0])
    got = exact_draw(group, share, rng)
    size = np.bincount(group)
    assert np.array_equal(np.bincount(group, weights=got).astype(int),
                          np.rint(share * size).astype(int))


@pytest.fixture(scope="module")
def town():
    geo = read_community_file(TOWN)
    return geo, build_geo(geo, defaults(), np.random.default_rng(7))


@pytest.mark.model
def test_the_example_town_matches_every_neighbourhoods_marginals_within_one_percent(town):
    geo, c = town
    table = geo.geometry
    assert 6 <= len(geo.names) <= 12
    for k, name in enumerate(geo.names):
        row = table.iloc[k]
        members = c.neighbourhood == k
        assert members.sum() == row["population"], name  # exact
        hh = np.unique(c.household[members])
        sizes = np.bincount(c.household)[hh]
        got = np.bincount(np.minimum(sizes, 5) - 1, minlength=5) / len(hh)
        want = np.array([row[col] for col in SIZE_COLUMNS])
        assert np.abs(got - want).max() <= 0.01, (name, got, want)
        # ages: adults are 18 or older; the 65+ are among the vulnerable
        want_age = np.array([row[col] for col in AGE_COLUMNS])
        assert abs((~c.adult[members]).mean() - want_age[0]) <= 0.01, name
        first = np.r_[True, np.diff(c.household) != 0]
        assert c.adult[first].all()  # every household has an adult first member
        low = c.low_resource[members][first[members]].mean()
        assert abs(low - row["low_resource"]) <= 0.01, name
        single = c.single_family[members][first[members]].mean()
        assert abs(single - row["single_family"]) <= 0.01, name
        renter = c.renter[members][first[members]].mean()
        assert abs(renter - row["renter"]) <= 0.01, name
        assert c.vulnerable[members].mean() >= want_age[2] - 0.01
    # the places sit in their points' neighbourhoods
    assert sorted(c.org_neighbourhood) == sorted(geo.places["organisation"])
    assert sorted(c.enterprise_neighbourhood) == sorted(geo.places["enterprise"])
    # the flood zone lies along the south row only
    assert (geo.exposure[:4] > 0).all() and (geo.exposure[4:] == 0).all()


@pytest.mark.model
def test_the_same_seed_gives_the_same_community(town):
    geo, c = town
    again = build_geo(read_community_file(TOWN), defaults(), np.random.default_rng(7))
    for key, value in vars(c).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, getattr(again, key)), key
    other = build_geo(geo, defaults(), np.random.default_rng(8))
    assert not np.array_equal(other.tie_i[:100], c.tie_i[:100])


def _squares(tmp_path, hazard_rows, extra_columns=None, places=None):
    """Two 100 m squares side by side (A west, B east) and a hazard layer."""
    import geopandas as gpd
    from shapely.geometry import box

    crs = "EPSG:32650"
    nb = gpd.GeoDataFrame({"name": ["A", "B"], "population": [40, 60],
                           **(extra_columns or {})},
                          geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=crs)
    nb.to_file(tmp_path / "nb.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"depth": [r[1] for r in hazard_rows]},
                     geometry=[box(*r[0]) for r in hazard_rows], crs=crs).to_file(
        tmp_path / "hz.geojson", driver="GeoJSON")
    text = ('name = "squares"\nneighbourhoods = "nb.geojson"\nid = "name"\n'
            '[hazard]\nfile = "hz.geojson"\nvalue = "depth"\nfull = 1.0\n')
    if places is not None:
        gpd.GeoDataFrame({"kind": [p[0] for p in places]},
                         geometry=[gpd.points_from_xy([p[1]], [p[2]])[0] for p in places],
                         crs=crs).to_file(tmp_path / "pl.geojson", driver="GeoJSON")
        text += '[places]\nfile = "pl.geojson"\n'
    (tmp_path / "c.toml").write_text(text)
    return tmp_path / "c.toml"


@pytest.mark.unit
def test_exposure_is_the_overlay_of_the_hazard_polygons(tmp_path):
    # the west half of A under 1 m; all of B under 0.5 m; a strip outside both
    path = _squares(tmp_path, [((0, 0, 50, 100), 1.0), ((100, 0, 200, 100), 0.5),
                               ((0, 200, 200, 300), 1.0)])
    geo = read_community_file(path)
    assert geo.exposure == pytest.approx([0.5, 0.5])
    # a quarter of B under 2 m, capped at full exposure 1 there: 0.25 x 2 = 0.5 of B
    path = _squares(tmp_path, [((100, 0, 150, 50), 2.0)])
    assert read_community_file(path).exposure == pytest.approx([0.0, 0.5])


@pytest.mark.model
def test_a_layer_per_hazard_is_the_exposure_of_that_shock_type_only(tmp_path):
    """[hazard] covers both squares; [hazards.flood] only the west one: floods reach the
    west square alone, earthquakes shake both by the general layer."""
    import geopandas as gpd
    from shapely.geometry import box

    from grassroots.model.run import make_model, run

    path = _squares(tmp_path, [((0, 0, 200, 100), 1.0)])
    gpd.GeoDataFrame({"depth": [1.0]}, geometry=[box(0, 0, 100, 100)],
                     crs="EPSG:32650").to_file(tmp_path / "fz.geojson", driver="GeoJSON")
    path.write_text(path.read_text() + '[hazards.flood]\nfile = "fz.geojson"\n'
                    'value = "depth"\nfull = 1.0\n')
    geo = read_community_file(path)
    assert geo.exposure == pytest.approx([1.0, 1.0])
    assert geo.hazard_exposure["flood"] == pytest.approx([1.0, 0.0])
    m = make_model({"days": 90}, seed=1, scenario="flood", network=str(path))
    assert list(m.exposure_for("flood")) == [1.0, 0.0]
    assert list(m.exposure_for("earthquake")) == [1.0, 1.0]
    result = run({"days": 90}, seed=1, scenario="flood", network=str(path), indicators=False)
    pop = result.model.residents
    assert pop.ever_displaced[pop.neighbourhood == 0].any()
    assert not pop.ever_displaced[pop.neighbourhood == 1].any()
    path.write_text(path.read_text() + '[hazards.epidemic]\nfile = "fz.geojson"\n')
    with pytest.raises(CommunityFileError, match="hazards.epidemic: not a shock type"):
        read_community_file(path)


@pytest.mark.unit
def test_bridging_ties_follow_the_gravity_rule():
    rng = np.random.default_rng(3)
    population = np.array([100, 100, 100])
    centroid = np.array([[0.0, 0.0], [1000.0, 0.0], [3000.0, 0.0]])
    neighbourhood = np.repeat(np.arange(3), population)
    i, j, kind = gravity_bridging(neighbourhood, population, centroid, 40.0, 2.0, rng)
    assert (kind == BRIDGING).all() and (neighbourhood[i] != neighbourhood[j]).all()
    pairs = {(0, 1): 1 / 1000.0 ** 2, (0, 2): 1 / 3000.0 ** 2, (1, 2): 1 / 2000.0 ** 2}
    total = sum(pairs.values())
    a, b = np.minimum(neighbourhood[i], neighbourhood[j]), np.maximum(
        neighbourhood[i], neighbourhood[j])
    for (x, y), w in pairs.items():
        got = np.mean((a == x) & (b == y))
        sd = np.sqrt(w / total * (1 - w / total) / len(i))
        assert abs(got - w / total) < 4 * sd, ((x, y), got, w / total)
    # exponent 0: distance does not matter, only the populations' product
    i, j, _ = gravity_bridging(neighbourhood, population, centroid, 40.0, 0.0, rng)
    share = np.mean(np.minimum(neighbourhood[i], neighbourhood[j]) == 0)
    assert abs(share - 2 / 3) < 0.03


@pytest.mark.parametrize("change, field", [
    ("unknown", "unknown key 'colour'"),
    ("no file", "neighbourhoods: no such file 'nope.geojson'"),
    ("bad id", "id: got 'nombre'"),
    ("bad value", "hazard.value: got 'height'"),
    ("shares", "hh1, hh2, hh3, hh4, hh5: got"),
    ("half shares", "nb.geojson: hh2: missing while hh1 is given"),
    ("population", "population: got -5"),
    ("outside", "places.file: feature 0 (shelter) lies in no neighbourhood"),
    ("kind", "kind: got 'castle'"),
])
def test_a_malformed_community_file_is_refused_in_one_line(tmp_path, change, field):
    extra, places = None, None
    if change == "shares":
        extra = {c: [0.5, 0.2] for c in SIZE_COLUMNS}
    elif change == "half shares":
        extra = {"hh1": [0.5, 0.5]}
    elif change == "population":
        extra = {"population": [-5, 60]}
    elif change == "outside":
        places = [("shelter", 500.0, 500.0)]
    elif change == "kind":
        places = [("castle", 50.0, 50.0)]
    path = _squares(tmp_path, [((0, 0, 50, 100), 1.0)], extra, places)
    text = path.read_text()
    text = {"unknown": 'colour = "red"\n' + text,
            "no file": text.replace('"nb.geojson"', '"nope.geojson"'),
            "bad id": text.replace('id = "name"', 'id = "nombre"'),
            "bad value": text.replace('value = "depth"', 'value = "height"')}.get(change, text)
    path.write_text(text)
    with pytest.raises(CommunityFileError) as err:
        build_geo(read_community_file(path), defaults(), np.random.default_rng(0))
    msg = str(err.value)
    assert "\n" not in msg and "c.toml" in msg and field in msg, msg


@pytest.mark.model
def test_outcomes_by_neighbourhood_add_up_to_the_runs_and_map(tmp_path):
    from grassroots.analysis.maps import community_map
    from grassroots.measures.neighbourhoods import OUTCOMES, by_neighbourhood
    from grassroots.model.run import run

    result = run({"days": 120}, seed=3, scenario="flood", network=str(TOWN), indicators=False)
    model, o = result.model, result.summary["outcomes"]
    size = np.bincount(model.residents.neighbourhood)
    values = {k: by_neighbourhood(model, k) for k in OUTCOMES}
    for k, v in values.items():
        assert v.shape == (8,) and ((v >= 0) & (v <= 1)).all(), k
    # the shares, weighted by the neighbourhoods' sizes, are the run's own counts
    assert (values["ever_displaced"] * size).sum() == pytest.approx(o["residents_ever_displaced"])
    assert (values["ever_in_need"] * size).sum() == pytest.approx(o["residents_ever_in_need"])
    assert (values["in_need"] * size).sum() == pytest.approx(
        result.timeseries["residents_in_need"].iloc[-1])
    # no one is flooded out of the neighbourhoods the flood zone does not reach
    geo = read_community_file(TOWN)
    assert (values["ever_displaced"][geo.exposure == 0] == 0).all()
    assert (values["ever_displaced"][geo.exposure > 0] > 0).all()
    with pytest.raises(ValueError, match="outcome: got"):
        by_neighbourhood(model, "happiness")
    fig = community_map(geo, {k: values[k] for k in ("ever_displaced", "at_home")})
    assert len([a for a in fig.axes if a.get_title()]) == 2
    fig.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_grassroots_run_takes_a_community_file(tmp_path):
    out = tmp_path / "run"
    res = subprocess.run([*CLI, "run", "--community", str(TOWN), "--scenario", "flood",
                          "--days", "120", "--out", str(out)], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["network"].endswith("riverside.toml")
    assert (out / "map.png").stat().st_size > 10_000 and "map.png" in res.stdout
    assert summary["outcomes"]["residents_ever_displaced"] > 0  # the flood zone floods
    bad = tmp_path / "bad.toml"
    bad.write_text('neighbourhoods = "nope.geojson"\n')
    res = subprocess.run([*CLI, "run", "--community", str(bad), "--out", str(tmp_path / "x")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "community bad.toml: neighbourhoods: no such file" in res.stderr
    assert not (tmp_path / "x").exists()
