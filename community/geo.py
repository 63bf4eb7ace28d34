"""A community from a planner's own files: neighbourhood polygons with census marginals,
optional hazard polygons and optional places (issue 15).

The community file is TOML; the layers it names are read with GeoPandas (GeoJSON, a
shapefile, a GeoPackage, anything `geopandas.read_file` reads), paths relative to the file:

    name = "riverside"
    description = "A small fictional river town."
    neighbourhoods = "riverside.geojson"   # polygons, one per neighbourhood (required)
    id = "name"                            # the column naming them (default: row number)

    [hazard]                               # optional: exposure per neighbourhood by overlay
    file = "riverside_flood.geojson"       # polygons
    value = "depth"                        # a column of depth or intensity (default: 1 each)
    full = 2.0                             # the value that counts as full exposure (default:
                                           # the layer's largest)

    [hazards.earthquake]                   # optional: a layer for one shock type (flood,
    file = "riverside_soil.geojson"        # earthquake, heatwave), same keys as [hazard];
    value = "amplification"                # that type's shocks use it, the others [hazard]'s

    [places]                               # optional points
    file = "riverside_places.geojson"
    kind = "kind"                          # column: organisation | enterprise | shelter |
                                           # department (the last two are kept, not used yet)

Neighbourhood columns, every one optional (a missing column or an empty cell takes the
default from the declared parameters, core/params.py):

    population          residents (default neighbourhood_size)
    hh1 ... hh5         shares of households of 1, 2, 3, 4 and 5 or more persons (sum 1;
                        default: household sizes 1 + Poisson(household_size - 1))
    age_0_17, age_18_64, age_65
                        shares of residents by age (sum 1; default: 1 - adult_share
                        children, the rest 18-64)
    disability          share of residents with a disability (default: none beyond
                        vulnerable_share when there are no age columns)
    low_resource        share of households with low income and little savings (default
                        low_resource_share)
    single_family       share of homes that are single-family houses (default
                        single_family_share)
    renter              share of households renting their home, the rest owning it
                        (default renter_share); a rented home is repaired by its landlord
                        (agents/housing.py, tenure)

Synthesis, per neighbourhood, all from the model's community generator:

1. Households: their number is the population over the mean size the shares imply; each
   size class gets its largest-remainder share, and the persons left over or missing are
   taken from or given to the 5+ households (then the 1-person ones), so the population is
   exact and each size share is kept to within one household.
2. Ages: a table persons x (household size class, age group) fitted to both marginals by
   iterative proportional fitting (Deming and Stephan 1940, "On a least squares adjustment
   of a sampled frequency table when the expected marginal totals are known", Annals of
   Mathematical Statistics 11:427-444), with a structural zero (a person alone is an adult),
   rounded by largest remainder; every household's first member is an adult.
3. Residents are vulnerable when 65 or older or disabled (when age or disability columns
   are given; else with probability vulnerable_share); adult = 18 or older.
4. Ties: household ties (every pair), neighbour ties within the neighbourhood (as the
   synthetic community draws them), bridging ties between neighbourhoods a and b with
   probability proportional to pop_a pop_b / d_ab^bridging_distance_exponent, d the distance
   between their centroids (the gravity model of spatial interaction; Zipf 1946, "The P1 P2/D
   hypothesis", American Sociological Review 11:677-686), and the linking ties to party
   members, as in the synthetic community.
   Disability, low-resource, single-family and renter shares are met exactly (the nearest whole
   number of residents or households of each neighbourhood, chosen at random).
5. Organisations and enterprises at their points' neighbourhoods; where the file has none of
   a kind, as many as the declared rates give, spread over neighbourhoods by population.
6. Exposure per neighbourhood: the area-weighted mean of the hazard polygons' value over the
   neighbourhood (0 where no polygon covers it; where polygons overlap, their values add),
   divided by `full` and capped at 1: with a
   depth column, a neighbourhood half under 2 m of water of a 2 m `full` has exposure 0.5.
   Without a hazard layer, exposure is drawn as in the synthetic community. A layer under
   `[hazards.<type>]` gives the exposure to that shock type only (a flood zone for floods,
   soil amplification for earthquakes, a heat-island map for heatwaves): the model's shocks
   read `exposure_for(type)`, which is that layer's where there is one and the general one
   (`[hazard]`, or drawn) otherwise.

Areas and distances are computed in a projected coordinate system: the layer's own if it is
projected, else the UTM zone GeoPandas estimates for it.

`load_geo_community(path, p, rng)` returns a `Community`; a malformed file or layer raises
CommunityFileError in one line naming the file and the field.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grassroots.community.network_io import NetworkFileError
from grassroots.core.io import check_keys, read_toml
from grassroots.community.synthetic import (
    BRIDGING, Community, _households, _household_ties, _linking_ties, _neighbour_ties,
    _resident_attributes, _typed, dedupe_ties, household_means, stratified_exposure,
)

#: the shipped example communities, one folder each
EXAMPLES = Path(__file__).resolve().parent / "examples"
TOP_KEYS = ("name", "description", "neighbourhoods", "id", "hazard", "hazards", "places")
#: the shock types whose damage reads a neighbourhood's exposure (scenarios/), each of which
#: may have its own layer under [hazards.<type>]
HAZARD_TYPES = ("flood", "earthquake", "heatwave")
HAZARD_KEYS = ("file", "value", "full")
PLACES_KEYS = ("file", "kind")
PLACE_KINDS = ("organisation", "enterprise", "shelter", "department")
SIZE_COLUMNS = ("hh1", "hh2", "hh3", "hh4", "hh5")
AGE_COLUMNS = ("age_0_17", "age_18_64", "age_65")
SHARE_COLUMNS = ("disability", "low_resource", "single_family", "renter")
#: shares that must sum to 1 may be off by this much (census tables are rounded)
SUM_TOLERANCE = 0.02
#: iterative proportional fitting: stop when every margin is within this (persons)
IPF_TOLERANCE = 1e-9
IPF_MAX_ITERATIONS = 1000


class CommunityFileError(NetworkFileError):
    """A malformed community file or layer; the one-line message names the file and field
    (a kind of malformed community input, as a bad network file is)."""


@dataclass
class GeoCommunity:
    """What a community file describes, before the residents are drawn: per neighbourhood
    (in file order) its name, population, marginals, centroid (projected, metres), exposure
    and places."""

    name: str
    names: list[str]
    population: np.ndarray  # int per neighbourhood
    size_shares: np.ndarray | None  # (n_nb, 5) household size shares, or None
    age_shares: np.ndarray | None  # (n_nb, 3), or None
    shares: dict[str, np.ndarray | None]  # disability, low_resource, single_family, renter
    centroid: np.ndarray  # (n_nb, 2) metres
    exposure: np.ndarray | None  # per neighbourhood, or None (drawn)
    hazard_exposure: dict  # shock type -> per neighbourhood, from [hazards.<type>]
    places: dict[str, np.ndarray]  # kind -> neighbourhood index per point
    geometry: Any = None  # the neighbourhoods' GeoDataFrame (for maps)
    hazard: Any = None  # the hazard layer's GeoDataFrame, or None
    points: Any = None  # the places' GeoDataFrame (column "kind"), or None


# -- reading ------------------------------------------------------------------------------
def read_community_file(path: str | Path) -> GeoCommunity:
    """Read and validate a community file and its layers (module doc)."""
    path = Path(path)
    where = f"community {path.name}"
    data = read_toml(path, "community", CommunityFileError)
    check_keys(data, TOP_KEYS, where, CommunityFileError)
    if "neighbourhoods" not in data:
        raise CommunityFileError(f"{where}: neighbourhoods: missing; it is required (a "
                                 f"polygon layer, e.g. a GeoJSON file)")
    gdf = _layer(path, data["neighbourhoods"], "neighbourhoods", where)
    layer = Path(str(data["neighbourhoods"])).name
    lw = f"{where}: neighbourhoods {layer}"
    if not len(gdf):
        raise CommunityFileError(f"{lw}: the layer has no features; allowed: polygons")
    kinds = set(gdf.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"} or gdf.geometry.isna().any():
        raise CommunityFileError(f"{lw}: got {sorted(kinds)} geometries; allowed: polygons")
    if not gdf.geometry.is_valid.all() or (gdf.geometry.area <= 0).any():
        k = int(np.flatnonzero(~(gdf.geometry.is_valid & (gdf.geometry.area > 0)))[0])
        raise CommunityFileError(f"{lw}: feature {k}: an invalid or empty polygon; "
                                 f"allowed: valid polygons with an area")
    gdf = _projected(gdf)
    id_col = data.get("id")
    if id_col is None:
        names = [str(k) for k in range(len(gdf))]
    else:
        if not isinstance(id_col, str) or id_col not in gdf.columns:
            raise CommunityFileError(f"{where}: id: got {id_col!r}; allowed: a column of "
                                     f"{layer} ({_columns(gdf)})")
        names = [str(x) for x in gdf[id_col]]
        if len(set(names)) != len(names):
            raise CommunityFileError(f"{where}: id: column {id_col!r} of {layer} repeats a "
                                     f"name; allowed: one name per neighbourhood")
    label = [f"{where}: {layer}: neighbourhood {n!r}" for n in names]

    population = _column(gdf, "population", label, low=0, high=10_000_000, whole=True)
    size_shares = _shares(gdf, SIZE_COLUMNS, label)
    age_shares = _shares(gdf, AGE_COLUMNS, label)
    shares = {c: _column(gdf, c, label, low=0, high=1) for c in SHARE_COLUMNS}
    centroid = np.column_stack([gdf.geometry.centroid.x, gdf.geometry.centroid.y])

    exposure = hazard = points = None
    if "hazard" in data:
        exposure, hazard = _exposure(path, data["hazard"], gdf, where)
    by_type, layers = {}, []
    hazards = data.get("hazards", {})
    if not isinstance(hazards, dict):
        raise CommunityFileError(f"{where}: hazards: got {hazards!r}; allowed: tables "
                                 f"[hazards.<type>], type one of {', '.join(HAZARD_TYPES)}")
    for kind, table in hazards.items():
        if kind not in HAZARD_TYPES:
            raise CommunityFileError(f"{where}: hazards.{kind}: not a shock type whose "
                                     f"damage reads exposure; allowed: "
                                     f"{', '.join(HAZARD_TYPES)}")
        by_type[kind], layer_gdf = _exposure(path, table, gdf, where, key=f"hazards.{kind}")
        layers.append(layer_gdf)
    if hazard is None and layers:  # the map outlines every hazard layer
        import pandas as pd
        hazard = pd.concat(layers, ignore_index=True)
    places: dict[str, np.ndarray] = {}
    if "places" in data:
        places, points = _places_layer(path, data["places"], gdf, where)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise CommunityFileError(f"{where}: name: got {name!r}; allowed: a non-empty name")
    return GeoCommunity(name, names, population, size_shares, age_shares, shares, centroid,
                        exposure, by_type, places, gdf, hazard, points)


def _layer(base: Path, value: Any, key: str, where: str):
    import geopandas as gpd

    if not isinstance(value, str) or not value.strip():
        raise CommunityFileError(f"{where}: {key}: got {value!r}; allowed: a file name")
    file = (base.parent / value)
    if not file.is_file():
        raise CommunityFileError(f"{where}: {key}: no such file {value!r}")
    try:
        with warnings.catch_warnings():  # a cell that is not JSON: our checks name it
            warnings.simplefilter("ignore")
            return gpd.read_file(file)
    except Exception as err:  # pyogrio's errors are many; each becomes one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CommunityFileError(f"{where}: {key}: {value!r} cannot be read as a map layer "
                                 f"({first})") from None


def _projected(gdf):
    """The layer in a projected CRS: its own, else its estimated UTM zone; a layer without
    a CRS is taken as already projected (metres)."""
    if gdf.crs is None or gdf.crs.is_projected:
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def _columns(gdf) -> str:
    return ", ".join(str(c) for c in gdf.columns if c != "geometry")


def _column(gdf, col, label, low, high, whole=False) -> np.ndarray | None:
    """A numeric column, None when absent; a cell that is empty is NaN (the default)."""
    if col not in gdf.columns:
        return None
    out = np.full(len(gdf), np.nan)
    for k, x in enumerate(gdf[col]):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            continue
        try:
            v = float(x)
        except (TypeError, ValueError):
            v = math.nan
        ok = math.isfinite(v) and low <= v <= high and (not whole or v == int(v))
        if not ok:
            what = "an integer" if whole else "a number"
            raise CommunityFileError(f"{label[k]}: {col}: got {x!r}; allowed: {what} in "
                                     f"[{low:g}, {high:g}]")
        out[k] = v
    return out


def _shares(gdf, cols, label) -> np.ndarray | None:
    """Shares that sum to 1 per neighbourhood (a row left empty takes the default), or None
    when none of the columns is there."""
    present = [c for c in cols if c in gdf.columns]
    if not present:
        return None
    if len(present) != len(cols):
        missing = [c for c in cols if c not in gdf.columns]
        raise CommunityFileError(f"{label[0].rsplit(': neighbourhood', 1)[0]}: "
                                 f"{missing[0]}: "
                                 f"missing while {present[0]} is given; allowed: all of "
                                 f"{', '.join(cols)} or none")
    table = np.column_stack([_column(gdf, c, label, 0, 1) for c in cols])
    for k, row in enumerate(table):
        if np.isnan(row).all():
            continue
        if np.isnan(row).any() or abs(row.sum() - 1.0) > SUM_TOLERANCE:
            raise CommunityFileError(f"{label[k]}: {', '.join(cols)}: got "
                                     f"{[None if math.isnan(v) else v for v in row]}; "
                                     f"allowed: shares that sum to 1 (within "
                                     f"{SUM_TOLERANCE:g})")
        table[k] = row / row.sum()
    return table


GEOMETRIES = {"polygons": {"Polygon", "MultiPolygon"}, "points": {"Point"}}


def _table_layer(base: Path, table: Any, key: str, keys, where: str, gdf, geometry: str):
    """The layer a `[key]` table names (its keys checked, `file` required), its geometries
    all of the kind `geometry` ("polygons" or "points"), in the neighbourhoods' CRS."""
    w = f"{where}: {key}"
    if not isinstance(table, dict):
        raise CommunityFileError(f"{w}: got {table!r}; allowed: a table ([{key}])")
    check_keys(table, keys, w, CommunityFileError)
    if "file" not in table:
        raise CommunityFileError(f"{w}.file: missing; it is required (a layer of "
                                 f"{geometry})")
    layer = _layer(base, table["file"], f"{key}.file", where)
    kinds = set(layer.geometry.geom_type.dropna())
    if not kinds <= GEOMETRIES[geometry]:
        raise CommunityFileError(f"{w}.file: got {sorted(kinds)} geometries; allowed: "
                                 f"{geometry}")
    if layer.crs is not None and gdf.crs is not None:
        layer = layer.to_crs(gdf.crs)
    return layer


def _exposure(base: Path, table: Any, gdf, where: str, key: str = "hazard"):
    """Area-weighted mean hazard value over each neighbourhood, over `full`, capped at 1;
    and the hazard layer (in the neighbourhoods' CRS). `key`: the table's name."""
    import geopandas as gpd

    w = f"{where}: {key}"
    hz = _table_layer(base, table, key, HAZARD_KEYS, where, gdf, "polygons")
    value_col = table.get("value")
    if value_col is None:
        values = np.ones(len(hz))
    else:
        if not isinstance(value_col, str) or value_col not in hz.columns:
            raise CommunityFileError(f"{w}.value: got {value_col!r}; allowed: a column of "
                                     f"the hazard layer ({_columns(hz)})")
        labels = [f"{w}.file: feature {k}" for k in range(len(hz))]
        values = _column(hz, value_col, labels, 0, 1e6)
        values = np.nan_to_num(values, nan=0.0)
    full = table.get("full", float(values.max()) if len(values) else 1.0)
    if isinstance(full, bool) or not isinstance(full, (int, float)) or not full > 0 \
            or not math.isfinite(full):
        raise CommunityFileError(f"{w}.full: got {full!r}; allowed: a number > 0")
    nb = gpd.GeoDataFrame({"nb": np.arange(len(gdf))}, geometry=gdf.geometry.values,
                          crs=gdf.crs)
    hzf = gpd.GeoDataFrame({"value": values}, geometry=hz.geometry.values, crs=gdf.crs)
    pieces = gpd.overlay(nb, hzf, how="intersection", keep_geom_type=True)
    covered = np.zeros(len(gdf))
    if len(pieces):
        np.add.at(covered, pieces["nb"].to_numpy(), pieces.geometry.area.to_numpy()
                  * pieces["value"].to_numpy())
    area = gdf.geometry.area.to_numpy()
    return np.minimum(1.0, covered / np.where(area > 0, area, 1.0) / float(full)), hzf


def _places_layer(base: Path, table: Any, gdf, where: str):
    """The neighbourhood index of each point, by kind (points outside every neighbourhood
    are refused); and the points (column "kind")."""
    import geopandas as gpd

    w = f"{where}: places"
    pts = _table_layer(base, table, "places", PLACES_KEYS, where, gdf, "points")
    kind_col = table.get("kind", "kind")
    if not isinstance(kind_col, str) or kind_col not in pts.columns:
        raise CommunityFileError(f"{w}.kind: got {kind_col!r}; allowed: a column of the "
                                 f"places layer ({_columns(pts)})")
    kinds = [str(k).strip().lower() for k in pts[kind_col]]
    for k, kind in enumerate(kinds):
        if kind not in PLACE_KINDS:
            raise CommunityFileError(f"{w}.file: feature {k}: {kind_col}: got {kind!r}; "
                                     f"allowed: {', '.join(PLACE_KINDS)}")
    nb = gpd.GeoDataFrame({"nb": np.arange(len(gdf))}, geometry=gdf.geometry.values,
                          crs=gdf.crs)
    joined = gpd.sjoin(gpd.GeoDataFrame({"kind": kinds}, geometry=pts.geometry.values,
                                        crs=gdf.crs), nb, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = joined["nb"].isna()
    if outside.any():
        k = int(np.flatnonzero(outside.to_numpy())[0])
        raise CommunityFileError(f"{w}.file: feature {k} ({kinds[k]}) lies in no "
                                 f"neighbourhood; allowed: points inside the neighbourhoods")
    nb_of = joined["nb"].astype(int).to_numpy()
    points = gpd.GeoDataFrame({"kind": kinds}, geometry=pts.geometry.values, crs=gdf.crs)
    return {kind: nb_of[np.array(kinds) == kind] for kind in PLACE_KINDS}, points


# -- synthesis ----------------------------------------------------------------------------
def ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray,
        tol: float = IPF_TOLERANCE, max_iter: int = IPF_MAX_ITERATIONS) -> np.ndarray:
    """Iterative proportional fitting of a 2-D table to row and column totals (Deming and
    Stephan 1940): rows and columns are scaled in turn until both margins hold to `tol`.
    Zeros of `seed` stay zero (structural zeros). The totals must agree (sum(rows) =
    sum(cols)); raises ValueError if the zeros make the margins unreachable."""
    t = np.asarray(seed, float).copy()
    rows, cols = np.asarray(rows, float), np.asarray(cols, float)
    for _ in range(max_iter):
        r = t.sum(axis=1)
        t *= np.divide(rows, r, out=np.zeros_like(r), where=r > 0)[:, None]
        c = t.sum(axis=0)
        t *= np.divide(cols, c, out=np.zeros_like(c), where=c > 0)[None, :]
        if (np.abs(t.sum(axis=1) - rows).max() <= tol
                and np.abs(t.sum(axis=0) - cols).max() <= tol):
            return t
    raise ValueError("iterative proportional fitting did not converge: the table's "
                     "structural zeros do not allow these margins")


def largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to `total` nearest to x (x sums to about total): floors, then
    one more to the largest remainders."""
    x = np.asarray(x, float)
    base = np.floor(x).astype(np.int64)
    short = int(total - base.sum())
    if short > 0:
        base[np.argsort(-(x - base), kind="stable")[:short]] += 1
    elif short < 0:
        base[np.argsort(x - base, kind="stable")[:(-short)]] -= 1
    return np.maximum(base, 0)


def household_sizes(population: int, shares: np.ndarray | None, mean_size: float,
                    rng: np.random.Generator, *, five_plus: float) -> np.ndarray:
    """The sizes of a neighbourhood's households (step 1 of the module doc); `five_plus`:
    the mean size of a 5+ household (five_plus_household_size)."""
    if population == 0:
        return np.zeros(0, np.int64)
    if shares is None:  # the synthetic community's rule: 1 + Poisson(mean - 1)
        return np.bincount(_households(population, mean_size, rng)).astype(np.int64)
    mean = float(np.dot(shares, [1, 2, 3, 4, five_plus]))
    n_hh = max(1, round(population / mean))
    counts = largest_remainder(shares * n_hh, n_hh)
    sizes = np.repeat(np.arange(1, 6), counts)
    extra = population - int(sizes.sum())
    five = np.flatnonzero(sizes == 5)
    if extra > 0:  # the 5+ households hold more than 5 each; else more 1-person homes
        if len(five):
            sizes[five] += np.bincount(np.arange(extra) % len(five), minlength=len(five))
        else:
            sizes = np.r_[sizes, np.ones(extra, np.int64)]
    while extra < 0:  # too many persons: shrink the largest households, never below 1
        k = int(np.argmax(sizes))
        if sizes[k] == 1:
            sizes = sizes[:-1]
        else:
            sizes[k] -= 1
        extra = population - int(sizes.sum())
    return rng.permutation(sizes)


def age_groups(sizes: np.ndarray, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Age group (0: 0-17, 1: 18-64, 2: 65+) of each member of households `sizes`, listed
    household by household (step 2 of the module doc)."""
    n = int(sizes.sum())
    size_class = np.minimum(sizes, 5) - 1
    persons = np.bincount(size_class, weights=sizes, minlength=5)
    seed = np.ones((5, 3))
    seed[0, 0] = 0.0  # a person alone is an adult
    totals = largest_remainder(shares * n, n)
    table = ipf(seed, persons, totals.astype(float))
    hh_count = np.bincount(size_class, minlength=5)
    ages = np.empty(n, np.int64)
    start = np.r_[0, np.cumsum(sizes)[:-1]]
    for s in range(5):
        members = sizes[size_class == s]
        if not len(members):
            continue
        count = largest_remainder(table[s], int(members.sum()))
        # every household needs an adult: move children to the larger adult group if not
        short = hh_count[s] - (count[1] + count[2])
        if short > 0:
            count[0] -= short
            count[1 if table[s, 1] >= table[s, 2] else 2] += short
        pool = rng.permutation(np.repeat(np.arange(3), count))
        firsts = start[size_class == s]
        # adults first for the first members, then the rest in random order
        adults = np.flatnonzero(pool > 0)
        first_age = pool[adults[:len(firsts)]]
        rest = np.delete(pool, adults[:len(firsts)])
        ages[firsts] = first_age
        others = (firsts[:, None] + np.arange(1, members.max())[None, :])
        mask = np.arange(1, members.max())[None, :] < members[:, None]
        ages[others[mask]] = rest
    return ages


def exact_draw(group: np.ndarray, share: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A bool per member of `group` (group index per member): in each group k exactly
    round(share[k] x its size) members, chosen at random — so a census share is met as
    closely as whole persons or households allow, not only on average."""
    group = np.asarray(group, np.int64)
    size = np.bincount(group, minlength=len(share))
    want = np.rint(np.asarray(share, float) * size).astype(np.int64)
    order = np.lexsort((rng.random(len(group)), group))  # random order within each group
    rank = np.empty(len(group), np.int64)
    start = np.r_[0, np.cumsum(size)[:-1]]
    rank[order] = np.arange(len(group)) - start[group[order]]
    return rank < want[group]


def gravity_bridging(neighbourhood: np.ndarray, population: np.ndarray,
                     centroid: np.ndarray, mean_ties: float, exponent: float,
                     rng: np.random.Generator):
    """Bridging ties (step 4 of the module doc): Poisson(n x mean_ties / 2) ties, each
    between the neighbourhoods of a pair drawn with weight pop_a pop_b / d_ab^exponent, and
    a resident drawn uniformly in each."""
    n = len(neighbourhood)
    n_nb = len(population)
    m = rng.poisson(n * mean_ties / 2.0)
    if m == 0 or n_nb < 2:
        return _typed([], [], BRIDGING)
    a, b = np.triu_indices(n_nb, 1)
    d = np.hypot(*(centroid[a] - centroid[b]).T)
    weight = population[a] * population[b] / np.maximum(d, 1.0) ** exponent
    if weight.sum() <= 0:
        return _typed([], [], BRIDGING)
    pair = rng.choice(len(a), size=m, p=weight / weight.sum())
    start = np.searchsorted(neighbourhood, np.arange(n_nb))
    size = np.bincount(neighbourhood, minlength=n_nb)
    i = start[a[pair]] + (rng.random(m) * size[a[pair]]).astype(np.int64)
    j = start[b[pair]] + (rng.random(m) * size[b[pair]]).astype(np.int64)
    return _typed([i], [j], BRIDGING)


def build_geo(geo: GeoCommunity, p: dict, rng: np.random.Generator) -> Community:
    """Draw the residents, households, ties and places of a community file (module doc)."""
    n_nb = len(geo.names)
    pop = np.where(np.isnan(geo.population), p["neighbourhood_size"],
                   geo.population).astype(np.int64) if geo.population is not None else \
        np.full(n_nb, int(p["neighbourhood_size"]), np.int64)
    default_ages = np.array([1.0 - p["adult_share"], p["adult_share"], 0.0])
    sizes, ages, nb_of_hh = [], [], []
    for k in range(n_nb):
        size_shares = geo.size_shares[k] if geo.size_shares is not None and not np.isnan(
            geo.size_shares[k]).any() else None
        s = household_sizes(int(pop[k]), size_shares, p["household_size"], rng,
                            five_plus=p["five_plus_household_size"])
        age_shares = geo.age_shares[k] if geo.age_shares is not None and not np.isnan(
            geo.age_shares[k]).any() else default_ages
        try:
            ages.append(age_groups(s, age_shares, rng) if len(s) else np.zeros(0, np.int64))
        except ValueError:
            raise CommunityFileError(
                f"community {geo.name}: neighbourhood {geo.names[k]!r}: age_0_17: "
                f"{age_shares[0]:.3g} of residents are children, more than households of "
                f"two or more can hold; allowed: a children's share the household sizes "
                f"allow") from None
        sizes.append(s)
        nb_of_hh.append(np.full(len(s), k, np.int64))
    sizes = np.concatenate(sizes)
    age = np.concatenate(ages)
    hh_nb = np.concatenate(nb_of_hh)
    n = int(sizes.sum())
    if n < 2:
        raise CommunityFileError(f"community {geo.name}: population: {n} residents in all; "
                                 f"allowed: at least 2")
    household = np.repeat(np.arange(len(sizes)), sizes)
    neighbourhood = hh_nb[household]
    first_member = np.r_[0, np.cumsum(sizes)[:-1]]
    adult = age >= 1

    def share(col: str, default: float) -> np.ndarray:
        v = geo.shares.get(col)
        return np.full(n_nb, default) if v is None else np.where(np.isnan(v), default, v)

    vulnerable = None  # drawn from vulnerable_share by _resident_attributes
    if geo.age_shares is not None or geo.shares.get("disability") is not None:
        disabled = exact_draw(neighbourhood, share("disability", 0.0), rng)
        vulnerable = (age == 2) | disabled
    attrs = _resident_attributes(n, adult, household, neighbourhood, p, rng,
                                 vulnerable=vulnerable)

    exposure = geo.exposure if geo.exposure is not None else stratified_exposure(n_nb, rng)
    hazard_exposure = {k: np.asarray(v, float) for k, v in geo.hazard_exposure.items()}
    org, org_nb = _placed(n, neighbourhood, pop, geo.places.get("organisation"),
                          round(n * p["organisations_per_1000"] / 1000.0), rng,
                          joins=rng.random(n) < p["membership_share"])
    employed = adult & (rng.random(n) < p["employment_rate"])
    employer, ent_nb = _placed(n, neighbourhood, pop, geo.places.get("enterprise"),
                               round(n * p["enterprises_per_1000"] / 1000.0), rng,
                               joins=employed, local=False)
    # the household means, with the neighbourhoods' own low-resource, single-family and
    # renter shares, met exactly
    low = exact_draw(hh_nb, share("low_resource", p["low_resource_share"]), rng)
    single = exact_draw(hh_nb, share("single_family", p["single_family_share"]), rng)
    renter = exact_draw(hh_nb, share("renter", p["renter_share"]), rng)
    means = household_means(household, p, rng, low=low, single=single, renter=renter)

    linking, patron = _linking_ties(attrs["party"], neighbourhood, rng)
    ties = [_household_ties(first_member, n),
            _neighbour_ties(neighbourhood, p["neighbour_ties"], rng),
            gravity_bridging(neighbourhood, pop, geo.centroid, p["bridging_ties"],
                             p["bridging_distance_exponent"], rng),
            linking]
    tie_i, tie_j, tie_type, tie_strength = dedupe_ties(n, ties, p, rng)
    return Community(
        n=n, household=household, neighbourhood=neighbourhood, adult=adult, **attrs,
        org=org, employer=employer,
        exposure=np.asarray(exposure, float), tie_i=tie_i, tie_j=tie_j, tie_type=tie_type,
        tie_strength=tie_strength, org_neighbourhood=org_nb,
        enterprise_neighbourhood=ent_nb, patron=patron, **means,
        hazard_exposure=hazard_exposure or None)


def _placed(n, neighbourhood, pop, at, count, rng, joins, local=True):
    """Places of one kind: at their points' neighbourhoods, else `count` of them spread by
    population; each joining resident goes to one of their own neighbourhood's (when
    `local` and there is one) or to any."""
    where = np.asarray(at, np.int64) if at is not None and len(at) else (
        rng.choice(len(pop), size=count, p=pop / pop.sum()) if count and pop.sum() else
        np.zeros(0, np.int64))
    member = np.full(n, -1, np.int64)
    if not len(where):
        return member, where
    u = rng.random(n)
    anywhere = (u * len(where)).astype(np.int64)
    if local:
        order = np.argsort(where, kind="stable")
        cnt = np.bincount(where, minlength=len(pop))
        offset = np.r_[0, np.cumsum(cnt)[:-1]]
        nb = neighbourhood
        own = order[np.minimum(offset[nb] + (u * cnt[nb]).astype(np.int64), len(where) - 1)]
        pick = np.where(cnt[nb] > 0, own, anywhere)
    else:
        pick = anywhere
    member[joins] = pick[joins]
    return member, where


def load_geo_community(path: str | Path, p: dict, rng: np.random.Generator) -> Community:
    """A Community from a community file (module doc)."""
    return build_geo(read_community_file(path), p, rng)
