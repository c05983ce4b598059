#!/usr/bin/env python3
"""Small database helper for bench/crisis/run.sh: the same statements on SQLite (through
Python's sqlite3) and PostgreSQL (through psql).

  db.py <url> seed-alert <alert-id> <polygon-geojson-file>   mission, crisis, alert 'sending', fan-out job
  db.py <url> count <sql>                                      print the single value of a query
  db.py <url> ceiling <n>                                      bare insert of n delivery-shaped rows, print seconds
"""
import datetime
import json
import subprocess
import sys
import time
import uuid


def connect(url):
    if url.startswith("sqlite://"):
        import sqlite3
        con = sqlite3.connect(url[len("sqlite://"):].split("?")[0], timeout=60)
        con.execute("PRAGMA busy_timeout=60000")
        return ("sqlite", con)
    return ("postgres", url)


def execute(db, statements, params_list):
    kind, con = db
    if kind == "sqlite":
        for sql, params in zip(statements, params_list):
            con.execute(sql, params)
        con.commit()
    else:
        script = []
        for sql, params in zip(statements, params_list):
            for p in params:
                lit = "NULL" if p is None else "'" + str(p).replace("'", "''") + "'"
                sql = sql.replace("?", lit, 1)
            script.append(sql + ";")
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", con, "-c", "BEGIN;" + "\n".join(script) + "COMMIT;"], check=True)


def scalar(db, sql):
    kind, con = db
    if kind == "sqlite":
        return con.execute(sql).fetchone()[0]
    out = subprocess.run(["psql", "-tA", con, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def seed_alert(db, alert_id, polygon_file):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ts = now.isoformat()
    geo = json.load(open(polygon_file))
    points = [{"lat": lat, "lon": lon} for lon, lat in geo["coordinates"][0]]
    target = json.dumps({"polygons": [{"points": points}]})
    mission = "bench-mission-khartoum"
    crisis = "bench-crisis-khartoum"
    expires = (now + datetime.timedelta(days=2)).isoformat()
    statements = [
        "INSERT INTO missions (id, code, kind, name_ar, name_en, country, city_ar, city_en, languages, time_zone, created_at, updated_at) "
        "VALUES (?, 'KRT', 'embassy', 'السفارة في الخرطوم', 'Embassy in Khartoum', 'SD', 'الخرطوم', 'Khartoum', 'ar en', 'Africa/Khartoum', ?, ?)",
        "INSERT INTO crises (id, mission_id, title_ar, title_en, country, area, status, presence_open, reminder_minutes, declared_at) "
        "VALUES (?, ?, 'اشتباكات في الخرطوم', 'Fighting in Khartoum', 'SD', ?, 'open', ?, 10080, ?)",
        "INSERT INTO crisis_alerts (id, identifier, crisis_id, mission_id, msg_type, status, headline_ar, headline_en, "
        "description_ar, description_en, instruction_ar, instruction_en, category, event, response_type, urgency, severity, "
        "certainty, onset, expires, target, area_desc, audience, source, created_at, updated_at, submitted_at, approved_at, sent_at) "
        "VALUES (?, ?, ?, ?, 'Alert', 'sending', 'اشتباكات في الخرطوم: ابقوا في أماكنكم', 'Fighting in Khartoum: shelter in place', "
        "'اشتباكات مسلحة في وسط المدينة.', 'Armed clashes in the city centre.', 'ابقوا في الداخل وأجيبوا على رسالة السلامة.', "
        "'Stay indoors and answer the safety check-in.', 'Security', 'Armed conflict', 'Shelter', 'Immediate', 'Severe', 'Observed', "
        "?, ?, ?, 'Khartoum', '{}', '', ?, ?, ?, ?, ?)",
        "INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, created_at, updated_at) "
        "VALUES (?, 'crisis.fanout', ?, ?, 'queued', 0, 8, ?, ?, ?)",
    ]
    presence = 1 if db[0] == "sqlite" else "true"
    params = [
        (mission, ts, ts),
        (crisis, mission, target, presence, ts),
        (alert_id, f"urn:safir:bench:{alert_id}", crisis, mission, ts, expires, target, ts, ts, ts, ts, ts),
        (str(uuid.uuid4()), json.dumps({"alert_id": alert_id}), f"fanout:{alert_id}", ts, ts, ts),
    ]
    execute(db, statements, params)


def ceiling(db, n):
    """A bare insert of n rows shaped like delivery rows, in one transaction, into a scratch
    table with the same columns and unique key: the floor under any fan-out."""
    kind, con = db
    ts = datetime.datetime.now(datetime.timezone.utc).isoformat()
    rows = [(f"d{i:08d}", "bench-alert", f"reg{i:08d}", "registration", "email", f"person{i}@example.org", "ar", "queued", 0, ts)
            for i in range(n)]
    ddl = ("CREATE TABLE bench_ceiling (id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, recipient_id TEXT NOT NULL, "
           "recipient_kind TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL, lang TEXT NOT NULL, status TEXT NOT NULL, "
           "attempts INTEGER NOT NULL, created_at TEXT NOT NULL, UNIQUE (alert_id, recipient_id, channel))")
    if kind == "sqlite":
        con.execute("DROP TABLE IF EXISTS bench_ceiling")
        con.execute(ddl)
        start = time.perf_counter()
        con.executemany("INSERT INTO bench_ceiling VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        con.commit()
        took = time.perf_counter() - start
        con.execute("DROP TABLE bench_ceiling")
        return took
    data = "\n".join("\t".join(str(v) for v in r) for r in rows) + "\n\\.\n"
    script = f"DROP TABLE IF EXISTS bench_ceiling;\n{ddl};\n\\timing on\nCOPY bench_ceiling FROM stdin;\n{data}"
    start = time.perf_counter()
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", con], input=script, text=True, check=True, capture_output=True)
    took = time.perf_counter() - start
    subprocess.run(["psql", "-q", con, "-c", "DROP TABLE bench_ceiling"], check=True)
    return took


def main():
    url, cmd = sys.argv[1], sys.argv[2]
    db = connect(url)
    if cmd == "seed-alert":
        seed_alert(db, sys.argv[3], sys.argv[4])
    elif cmd == "count":
        print(scalar(db, sys.argv[3]))
    elif cmd == "ceiling":
        print(f"{ceiling(db, int(sys.argv[3])):.2f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
