#!/usr/bin/env python3
"""Writes the crisis benchmark's population: N registrations (one place each) across 200
countries, of which exactly MATCH are verified travellers whose place lies inside the
benchmark polygon around Khartoum and whose trip covers today. The rest miss on one count:
another country, Sudan but outside the polygon, a trip already over, or an unverified
presence registration.

  gen_registrations.py sqlite <db-file> [N] [MATCH]
  gen_registrations.py postgres [N] [MATCH]     (COPY text on stdout, for psql)

The polygon (lat/lon) is printed by `gen_registrations.py polygon` as GeoJSON.
"""
import datetime
import json
import os
import random
import sqlite3
import sys

POLYGON = [(15.0, 32.0), (15.0, 33.2), (16.2, 33.2), (16.2, 32.0), (15.0, 32.0)]

here = os.path.dirname(os.path.abspath(__file__))
codes_file = os.path.join(here, "..", "..", "..", "shared", "data", "geo", "country-codes.json")
COUNTRIES = [row[0] for row in json.load(open(codes_file)) if row[0] != "SD"][:199] + ["SD"]


def polygon_geojson():
    return json.dumps({"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in POLYGON]]})


def rows(n, match, now):
    rnd = random.Random(42)
    today = now.date()
    ts = now.isoformat()
    for i in range(n):
        reg = f"reg{i:08d}"
        verified = ts
        starts = (today - datetime.timedelta(days=rnd.randint(1, 30))).isoformat()
        ends = (today + datetime.timedelta(days=rnd.randint(1, 60))).isoformat()
        if i < match:
            country, lat, lon = "SD", rnd.uniform(15.01, 16.19), rnd.uniform(32.01, 33.19)
        else:
            miss = i % 4
            if miss == 0:
                country = COUNTRIES[i % 199]
                lat, lon = rnd.uniform(-50, 60), rnd.uniform(-120, 150)
            elif miss == 1:
                # Sudan, outside the polygon (Port Sudan, Nyala, ...).
                country, lat, lon = "SD", rnd.uniform(10.0, 14.9), rnd.uniform(22.0, 38.0)
            elif miss == 2:
                # Inside the polygon, but the trip is over.
                country, lat, lon = "SD", rnd.uniform(15.01, 16.19), rnd.uniform(32.01, 33.19)
                ends = (today - datetime.timedelta(days=1)).isoformat()
            else:
                # Inside the polygon, but an unverified presence registration.
                country, lat, lon = "SD", rnd.uniform(15.01, 16.19), rnd.uniform(32.01, 33.19)
                verified = None
        lang = "ar" if i % 3 else "en"
        yield (
            (reg, None, "trip", None, f"Traveller {i}", f"person{i}@example.org", None, lang,
             "email", "[]", 1, 0, False, False, "", "", "", "", verified, None, 0, ts, ts, ts, None,
             # The name's search key as the application writes it: an ASCII name, lowercased.
             f"traveller {i}"),
            (f"pl{i:08d}", reg, country, "", "", lat, lon, starts, ends),
        )


REG_COLS = ("id, user_id, kind, crisis_id, full_name, email, phone, lang, channels, companions, "
            "adults, children, elderly, medical, vulnerability_note, emergency_name, emergency_phone, "
            "emergency_email, verified_at, verify_code_hash, verify_attempts, consent_at, created_at, "
            "updated_at, purge_after, full_name_key")
PLACE_COLS = "id, registration_id, country, region, city, lat, lon, starts_on, ends_on"


def sqlite(path, n, match, now):
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    batch_r, batch_p = [], []
    def flush():
        con.executemany(f"INSERT INTO crisis_registrations ({REG_COLS}) VALUES ({','.join('?' * 26)})",
                        [tuple(int(v) if isinstance(v, bool) else v for v in r) for r in batch_r])
        con.executemany(f"INSERT INTO crisis_places ({PLACE_COLS}) VALUES ({','.join('?' * 9)})", batch_p)
        batch_r.clear(); batch_p.clear()
    for r, p in rows(n, match, now):
        batch_r.append(r); batch_p.append(p)
        if len(batch_r) == 50_000:
            flush()
    flush()
    con.commit()


def copy_value(v):
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def postgres(n, match, now):
    out = sys.stdout
    regs, places = [], []
    for r, p in rows(n, match, now):
        regs.append("\t".join(copy_value(v) for v in r))
        places.append("\t".join(copy_value(v) for v in p))
    out.write(f"COPY crisis_registrations ({REG_COLS}) FROM stdin;\n")
    out.write("\n".join(regs)); out.write("\n\\.\n")
    out.write(f"COPY crisis_places ({PLACE_COLS}) FROM stdin;\n")
    out.write("\n".join(places)); out.write("\n\\.\n")


def main():
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "polygon":
        print(polygon_geojson())
    elif mode == "sqlite":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
        match = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
        sqlite(sys.argv[2], n, match, now)
    elif mode == "postgres":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
        match = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
        postgres(n, match, now)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
