"""Loads a seeded demo database with consular history: applicant accounts, cases in a
realistic state mix with every transition as an event, the messages of requests for
information, and the per-mission reference counters. Rows are written as the application
writes them (same columns, form JSON with sorted keys, UUIDv7 text ids, timestamps in the
text form sqlx gives DateTime<Utc> on SQLite), so the pages read them like their own.

    gen_cases.py sqlite PATH [CASES]       one transaction through the sqlite3 module
    gen_cases.py postgres URL [CASES]      COPY through psql

Standard library only. Deterministic for a given seed database (fixed random seed); the
last line printed is "status_case <id>": the demo citizen's case the status page is
measured on."""
import datetime as dt
import json
import os
import random
import subprocess
import sys

CASES = 100_000
APPLICANTS = 40_000
# Most cases at the embassy in Paris, so its queue has depth.
MISSION_SHARE = [("PAR", 0.70), ("DXB", 0.18), ("NBO", 0.12)]
OFFICER = {
    "PAR": "consul.paris@demo.safir.example",
    "DXB": "consul.dubai@demo.safir.example",
    "NBO": "duty.nairobi@demo.safir.example",
}
CITIZEN = "citizen@demo.safir.example"
VISITOR = "visitor@demo.safir.example"
KIND_SHARE = [
    ("passport_renewal", 0.45),
    ("visa", 0.40),
    ("emergency_travel_document", 0.07),
    ("emergency", 0.08),
]
# Final states: nine in ten files are finished; a few thousand wait for the mission.
STATE_SHARE = [
    ("closed", 0.880),
    ("rejected", 0.015),
    ("withdrawn", 0.010),
    ("draft", 0.010),
    ("submitted", 0.030),
    ("in_review", 0.030),
    ("needs_info", 0.010),
    ("approved", 0.008),
    ("ready_for_collection", 0.007),
]
EMERGENCY_ACK = dt.timedelta(minutes=30)
DRAFT_TTL = dt.timedelta(days=30)
# Within the default retention of closed cases (730 days), so the purge job finds nothing to
# delete while the pages are measured: the steady state of a mission that has run for years.
HISTORY = dt.timedelta(days=700)
REFUSALS = [
    "documents_incomplete", "identity_not_established", "purpose_not_justified",
    "insufficient_means", "previous_overstay", "security_grounds", "not_eligible", "other",
]
REQUESTS = [
    "الصورة المرفقة غير واضحة؛ يرجى إرسال صورة بخلفية بيضاء.",
    "يرجى إرفاق صورة صفحة البيانات في الجواز الحالي.",
    "Please upload the hotel booking or the letter of invitation.",
    "Please confirm your travel dates; the itinerary and the form differ.",
]
ANSWERS = [
    "أرسلت الصورة الجديدة، شكرًا.",
    "تم إرفاق المستند المطلوب.",
    "The booking confirmation is attached.",
    "The dates on the form are correct; I corrected the itinerary.",
]
SURNAMES_AR = ["الحداد", "المنصوري", "الكعبي", "النعيمي", "الشامسي", "البلوشي", "العامري", "الظاهري", "المزروعي", "السويدي"]
GIVEN_AR = ["ليلى", "سارة", "محمد", "أحمد", "فاطمة", "مريم", "خالد", "عمر", "نورة", "يوسف", "هند", "علي"]
SURNAMES_LAT = ["Martin", "Bernard", "Dubois", "Kamau", "Otieno", "Smith", "Müller", "Rossi", "García", "Novak", "Khan", "Silva"]
GIVEN_LAT = ["Claire", "Lucas", "Amina", "John", "Wanjiru", "Paul", "Sofia", "Marco", "Lena", "Daniel", "Aisha", "Hugo"]
NATIONALITIES = ["FR", "KE", "DE", "IT", "ES", "GB", "IN", "BR", "US", "CZ"]
CITIES = {"PAR": "Paris", "DXB": "Dubai", "NBO": "Nairobi"}


def ts(t):
    """DateTime<Utc> as sqlx writes it on SQLite: RFC 3339, only the sub-second digits
    there are (chrono's AutoSi), "+00:00"."""
    us = t.microsecond
    frac = "" if us == 0 else (".%03d" % (us // 1000) if us % 1000 == 0 else ".%06d" % us)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "+00:00"


class Ids:
    """UUIDv7 in the simple (32 hex digits) form: 48-bit millisecond time, version, random."""

    def __init__(self, rng):
        self.rng = rng

    def at(self, t):
        ms = int(t.timestamp() * 1000)
        r = self.rng.getrandbits(74)
        n = (ms << 80) | (0x7 << 76) | ((r >> 62) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
        return "%032x" % n


def pick(rng, shares):
    x = rng.random()
    for value, share in shares:
        x -= share
        if x < 0:
            return value
    return shares[-1][0]


def minutes(rng, lo, hi):
    return dt.timedelta(minutes=rng.uniform(lo, hi))


def form_for(rng, kind, mission, applicant_lang):
    if applicant_lang == "ar":
        surname, given = rng.choice(SURNAMES_AR), rng.choice(GIVEN_AR)
    else:
        surname, given = rng.choice(SURNAMES_LAT), rng.choice(GIVEN_LAT)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25_000))
    passport = "N%07d" % rng.randrange(10_000_000)
    phone = "+%d %d %04d %04d" % (rng.choice([33, 971, 254]), rng.randrange(1, 10), rng.randrange(10_000), rng.randrange(10_000))
    if kind == "passport_renewal":
        courier = rng.random() < 0.3
        f = {
            "surname": surname, "given_names": given, "birth_date": birth.isoformat(),
            "birth_place": rng.choice(["أبوظبي", "دبي", "العين", "الشارقة"]),
            "passport_number": passport,
            "passport_expiry": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(900))).isoformat(),
            "mrz": "", "phone": phone,
            "collection": "courier" if courier else "mission",
            "courier_address": "12 rue de la Paix, 75002 " + CITIES[mission] if courier else "",
        }
    elif kind == "emergency_travel_document":
        f = {
            "surname": surname, "given_names": given, "birth_date": birth.isoformat(),
            "birth_place": rng.choice(["أبوظبي", "دبي", "العين"]), "passport_number": passport,
            "police_report": "PR-%06d" % rng.randrange(1_000_000),
            "travel_date": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(400))).isoformat(),
            "destination": "Abu Dhabi", "phone": phone,
        }
    elif kind == "visa":
        arrival = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(800))
        f = {
            "surname": surname, "given_names": given, "birth_date": birth.isoformat(),
            "nationality": rng.choice(NATIONALITIES), "passport_number": "%02dAB%05d" % (rng.randrange(100), rng.randrange(100_000)),
            "passport_expiry": (arrival + dt.timedelta(days=rng.randrange(400, 3000))).isoformat(),
            "mrz": "", "visa_type": rng.choice(["tourist", "tourist", "business", "study", "transit"]),
            "arrival_date": arrival.isoformat(),
            "departure_date": (arrival + dt.timedelta(days=rng.randrange(2, 30))).isoformat(),
            "itinerary": "Abu Dhabi, then Dubai", "host_name": "Hotel Corniche",
            "host_address": "Corniche Road, Abu Dhabi", "fee_reference": "",
        }
    else:
        category = rng.choice(["arrest", "medical", "missing_person", "crime", "lost_passport", "lost_passport", "other"])
        f = {
            "category": category,
            "description": "سُرقت حقيبتي وفيها جوازي، وموعد رحلتي بعد ثلاثة أيام.",
            "location": CITIES[mission] + " city centre", "latitude": "", "longitude": "",
            "phone": phone, "surname": surname, "given_names": given,
        }
    return f


def priority_of(kind, f):
    if kind != "emergency":
        return 2
    return {"arrest": 0, "medical": 0, "missing_person": 0, "crime": 1, "lost_passport": 1}.get(f["category"], 2)


def steps_to(rng, final, kind, emergency, processing_days):
    """The (action, actor side, delay) steps from the draft to `final`."""
    fast = emergency
    submit = ("submit", "applicant", minutes(rng, 2, 15) if fast else minutes(rng, 5, 2 * 1440))
    review = ("start_review", "officer", minutes(rng, 3, 25) if fast else minutes(rng, 60, 3 * 1440))
    decide_in = minutes(rng, 30, 600) if fast else minutes(rng, 60, max(processing_days, 1) * 1440)
    info = []
    if rng.random() < 0.15:
        info = [("request_info", "officer", minutes(rng, 60, 2 * 1440)),
                ("provide_info", "applicant", minutes(rng, 60, 4 * 1440))]
    collect = kind in ("passport_renewal", "emergency_travel_document")
    if final == "draft":
        return []
    if final == "submitted":
        return [submit]
    if final == "withdrawn":
        return [submit, ("withdraw", "applicant", minutes(rng, 60, 3 * 1440))]
    if final == "in_review":
        return [submit, review] + info
    if final == "needs_info":
        return [submit, review, ("request_info", "officer", minutes(rng, 60, 2 * 1440))]
    approve = [submit, review] + info + [("approve", "officer", decide_in)]
    if final == "ready_for_collection" and collect:
        return approve + [("mark_ready_for_collection", "officer", minutes(rng, 1440, 5 * 1440))]
    if final in ("approved", "ready_for_collection"):
        # Visas and emergencies have no collection step: they wait approved until closed.
        return approve
    if final == "rejected":
        return [submit, review] + info + [("reject", "officer", decide_in)]
    # closed: most approved, some refused or withdrawn first
    r = rng.random()
    if r < 0.08:
        return [submit, review] + info + [("reject", "officer", decide_in), ("close", "officer", minutes(rng, 1440, 10 * 1440))]
    if r < 0.11:
        return [submit, ("withdraw", "applicant", minutes(rng, 60, 3 * 1440)), ("close", "officer", minutes(rng, 60, 5 * 1440))]
    if collect:
        return approve + [("mark_ready_for_collection", "officer", minutes(rng, 1440, 5 * 1440)),
                          ("close", "officer", minutes(rng, 1440, 20 * 1440))]
    return approve + [("close", "officer", minutes(rng, 60, 3 * 1440))]


# CaseState::apply, restated so a generator mistake fails here instead of loading a history
# the application could not have written.
LEGAL = {
    ("draft", "submit"): "submitted",
    ("submitted", "start_review"): "in_review",
    ("in_review", "request_info"): "needs_info",
    ("needs_info", "provide_info"): "in_review",
    ("in_review", "approve"): "approved",
    ("in_review", "reject"): "rejected",
    ("submitted", "withdraw"): "withdrawn",
    ("in_review", "withdraw"): "withdrawn",
    ("needs_info", "withdraw"): "withdrawn",
    ("ready_for_collection", "close"): "closed",
    ("rejected", "close"): "closed",
    ("withdrawn", "close"): "closed",
}


def next_state(state, action, kind):
    collect = kind in ("passport_renewal", "emergency_travel_document")
    if (state, action) == ("approved", "mark_ready_for_collection") and collect:
        return "ready_for_collection"
    if (state, action) == ("approved", "close") and not collect:
        return "closed"
    if (state, action) not in LEGAL:
        raise AssertionError("illegal move %s from %s (%s)" % (action, state, kind))
    return LEGAL[(state, action)]

CASE_COLUMNS = ("id", "reference", "mission_id", "service_id", "kind", "applicant_id", "state", "priority",
                "assignee_id", "form", "applicant_name", "lang", "idempotency_key", "decision_reason",
                "escalation_level", "created_at", "updated_at", "submitted_at", "state_changed_at",
                "acknowledged_at", "due_at", "closed_at", "expires_at", "awaiting_reply_since")
EVENT_COLUMNS = ("id", "case_id", "at", "actor_id", "action", "from_state", "to_state", "reason")
MESSAGE_COLUMNS = ("id", "case_id", "author_id", "from_staff", "internal", "body", "created_at")
USER_COLUMNS = ("id", "email", "display_name", "password_hash", "kind", "preferred_lang", "email_verified_at",
                "totp_secret", "totp_enabled_at", "totp_last_step", "failed_logins", "locked_until", "disabled_at",
                "created_at", "updated_at")


def build(ref, now, n_cases):
    rng = random.Random(20261128)
    ids = Ids(rng)
    users = []
    applicants = []  # (id, lang)
    # Bench applicants share the demo visitor's password hash: a valid PHC string, never used.
    for i in range(APPLICANTS):
        lang = "ar" if rng.random() < 0.55 else "en"
        # Accounts exist before the oldest case of the history.
        created = now - HISTORY - dt.timedelta(days=30 + rng.uniform(0, 30))
        uid = ids.at(created)
        name = ("%s %s" % (rng.choice(GIVEN_AR), rng.choice(SURNAMES_AR))) if lang == "ar" else \
            ("%s %s" % (rng.choice(GIVEN_LAT), rng.choice(SURNAMES_LAT)))
        users.append((uid, "applicant%05d@bench.safir.example" % i, name, ref["visitor_hash"], "public", lang,
                      ts(created), None, None, None, 0, None, None, ts(created), ts(created)))
        applicants.append((uid, lang))

    cases, events, messages = [], [], []
    counters = dict(ref["counters"])  # (mission_id, year) -> last
    numbered = []  # (mission_code, mission_id, submitted_at, case index) for references in order
    status_case = None
    for i in range(n_cases):
        citizen_case = i % 4000 == 7  # 25 cases over two years for the demo citizen
        code = "PAR" if citizen_case else pick(rng, MISSION_SHARE)
        mission_id = ref["missions"][code]
        kind = pick(rng, KIND_SHARE)
        if citizen_case:
            kind = "passport_renewal" if rng.random() < 0.8 else "emergency_travel_document"
            applicant_id, lang = ref["citizen"], "ar"
        else:
            applicant_id, lang = applicants[rng.randrange(APPLICANTS)]
            if kind == "visa" and rng.random() < 0.8:
                lang = "en"
        service_id, processing_days = ref["services"][(code, kind)]
        final = pick(rng, STATE_SHARE)
        if citizen_case and status_case is None:
            final = "in_review"
        emergency = kind == "emergency"
        steps = steps_to(rng, final, kind, emergency, processing_days)
        if citizen_case and status_case is None and not any(a == "request_info" for a, _, _ in steps):
            steps = steps[:2] + [("request_info", "officer", minutes(rng, 60, 2 * 1440)),
                                 ("provide_info", "applicant", minutes(rng, 60, 4 * 1440))]
        span = sum((d for _, _, d in steps), dt.timedelta())
        if final in ("closed",):
            back = dt.timedelta(days=45) + dt.timedelta(seconds=rng.randrange(int((HISTORY - dt.timedelta(days=45)).total_seconds())))
        elif final in ("rejected", "withdrawn"):
            back = dt.timedelta(days=rng.uniform(0, 20))
        elif final == "draft":
            back = dt.timedelta(days=rng.uniform(0, 20))
        else:
            back = dt.timedelta(days=rng.uniform(0, 25))
        created = (now - span - back - dt.timedelta(minutes=5)).replace(microsecond=rng.randrange(1_000_000))
        form = form_for(rng, kind, code, lang)
        name = ("%s %s" % (form.get("given_names", ""), form.get("surname", ""))).strip()[:200]
        case_id = ids.at(created)
        officer = ref["officers"][code]
        c = {
            "id": case_id, "reference": None, "mission_id": mission_id, "service_id": service_id, "kind": kind,
            # An emergency is triaged when submitted; a draft keeps the normal priority.
            "applicant_id": applicant_id, "state": "draft", "priority": 2 if final == "draft" else priority_of(kind, form),
            "assignee_id": None, "form": json.dumps(form, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
            "applicant_name": name, "lang": lang, "idempotency_key": ids.at(created - dt.timedelta(seconds=30)),
            "decision_reason": None, "escalation_level": 0, "created_at": created, "updated_at": created,
            "submitted_at": None, "state_changed_at": created, "acknowledged_at": None, "due_at": None,
            "closed_at": None, "expires_at": created + DRAFT_TTL,
            # Set by the applicant's answer until the mission writes again or the case ends.
            "awaiting_reply_since": None,
        }
        at = created
        for action, side, delay in steps:
            at = at + delay
            to = next_state(c["state"], action, kind)
            reason = None
            actor = applicant_id if side == "applicant" else officer
            if action == "submit":
                c["submitted_at"] = at
                c["due_at"] = at + (EMERGENCY_ACK if emergency else dt.timedelta(days=processing_days))
                c["expires_at"] = None
                numbered.append((code, mission_id, at, len(cases)))
            elif action == "start_review":
                c["acknowledged_at"] = at
                if rng.random() < 0.7:
                    c["assignee_id"] = officer
            elif action == "request_info":
                reason = rng.choice(REQUESTS[:2] if lang == "ar" else REQUESTS[2:])
                messages.append((ids.at(at), case_id, officer, 1, 0, reason, ts(at + dt.timedelta(microseconds=250))))
                c["awaiting_reply_since"] = None
            elif action == "provide_info":
                answer_at = at + dt.timedelta(microseconds=400)
                messages.append((ids.at(answer_at), case_id, applicant_id, 0, 0, rng.choice(ANSWERS[:2] if lang == "ar" else ANSWERS[2:]), ts(answer_at)))
                c["awaiting_reply_since"] = c["awaiting_reply_since"] or answer_at
            elif action == "reject":
                reason = rng.choice(REFUSALS)
                c["decision_reason"] = reason
            elif action == "close":
                c["closed_at"] = at
            events.append((ids.at(at), case_id, ts(at), actor, action, c["state"], to, reason))
            c["state"] = to
            if to in ("closed", "withdrawn"):
                c["awaiting_reply_since"] = None
            c["state_changed_at"] = at
            c["updated_at"] = at
        if emergency and c["state"] == "submitted" and c["due_at"] < now:
            c["escalation_level"] = 1
        if citizen_case and status_case is None:
            status_case = case_id
        assert c["state"] == final or final == "ready_for_collection", (final, c["state"])
        cases.append(c)

    # References in submission order within each mission and year, after the demo's own.
    numbered.sort(key=lambda x: x[2])
    for code, mission_id, at, idx in numbered:
        key = (mission_id, at.year)
        counters[key] = counters.get(key, 0) + 1
        cases[idx]["reference"] = "%s-%d-%06d" % (code, at.year, counters[key])

    def cell(v):
        return ts(v) if isinstance(v, dt.datetime) else v

    case_rows = [tuple(cell(c[k]) for k in CASE_COLUMNS) for c in cases]
    return users, case_rows, events, messages, counters, status_case


def sqlite_ref(conn):
    q = lambda sql, *a: conn.execute(sql, a).fetchall()
    missions = dict((code, mid) for mid, code in q("SELECT id, code FROM missions"))
    services = {}
    for mid, kind, sid, days in q("SELECT mission_id, kind, id, processing_days FROM consular_services"):
        code = next(c for c, m in missions.items() if m == mid)
        services[(code, kind)] = (sid, days)
    user = lambda email: q("SELECT id, password_hash FROM users WHERE email = ?", email)[0]
    return {
        "missions": missions, "services": services,
        "officers": {code: user(email)[0] for code, email in OFFICER.items()},
        "citizen": user(CITIZEN)[0], "visitor_hash": user(VISITOR)[1],
        "counters": {(m, y): last for m, y, last in q("SELECT mission_id, year, last FROM case_counters")},
    }


def load_sqlite(path, n_cases):
    import sqlite3
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    ref = sqlite_ref(conn)
    users, cases, events, messages, counters, status_case = build(ref, dt.datetime.now(dt.timezone.utc), n_cases)
    conn.execute("BEGIN IMMEDIATE")
    insert = lambda table, cols, rows: conn.executemany(
        "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(cols), ", ".join("?" * len(cols))), rows)
    insert("users", USER_COLUMNS, users)
    insert("cases", CASE_COLUMNS, cases)
    insert("case_events", EVENT_COLUMNS, events)
    insert("case_messages", MESSAGE_COLUMNS, messages)
    conn.executemany(
        "INSERT INTO case_counters (mission_id, year, last) VALUES (?, ?, ?) "
        "ON CONFLICT (mission_id, year) DO UPDATE SET last = excluded.last",
        [(m, y, last) for (m, y), last in counters.items()])
    conn.execute("COMMIT")
    conn.close()
    return len(users), len(cases), len(events), len(messages), status_case


def psql(url, sql, stdin=None):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql],
                         input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def copy_text(v):
    if v is None:
        return "\\N"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load_postgres(url, n_cases):
    missions = {code: mid for mid, code in psql(url, "SELECT id, code FROM missions")}
    services = {}
    for mid, kind, sid, days in psql(url, "SELECT mission_id, kind, id, processing_days FROM consular_services"):
        code = next(c for c, m in missions.items() if m == mid)
        services[(code, kind)] = (sid, int(days))
    user = lambda email: psql(url, "SELECT id, password_hash FROM users WHERE email = '%s'" % email)[0]
    ref = {
        "missions": missions, "services": services,
        "officers": {code: user(email)[0] for code, email in OFFICER.items()},
        "citizen": user(CITIZEN)[0], "visitor_hash": user(VISITOR)[1],
        "counters": {(m, int(y)): int(last) for m, y, last in psql(url, "SELECT mission_id, year, last FROM case_counters")},
    }
    users, cases, events, messages, counters, status_case = build(ref, dt.datetime.now(dt.timezone.utc), n_cases)
    boolean = lambda rows, cols: [tuple(("t" if r[i] else "f") if cols[i] in ("from_staff", "internal") else r[i]
                                        for i in range(len(cols))) for r in rows]
    parts = ["BEGIN;"]
    for table, cols, rows in (("users", USER_COLUMNS, users), ("cases", CASE_COLUMNS, cases),
                              ("case_events", EVENT_COLUMNS, events),
                              ("case_messages", MESSAGE_COLUMNS, boolean(messages, MESSAGE_COLUMNS))):
        parts.append("COPY %s (%s) FROM STDIN;" % (table, ", ".join(cols)))
        parts.extend("\t".join(copy_text(v) for v in r) for r in rows)
        parts.append("\\.")
    for (m, y), last in counters.items():
        parts.append("INSERT INTO case_counters (mission_id, year, last) VALUES ('%s', %d, %d) "
                     "ON CONFLICT (mission_id, year) DO UPDATE SET last = excluded.last;" % (m, y, last))
    parts.append("COMMIT;")
    parts.append("VACUUM ANALYZE;")
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
                         input="\n".join(parts) + "\n", capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("psql failed: " + out.stderr[-2000:])
    return len(users), len(cases), len(events), len(messages), status_case


def main():
    backend, target = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else CASES
    loader = {"sqlite": load_sqlite, "postgres": load_postgres}[backend]
    users, cases, events, messages, status_case = loader(target, n)
    print("loaded %d applicants, %d cases, %d events, %d messages" % (users, cases, events, messages), file=sys.stderr)
    print("status_case", status_case)


if __name__ == "__main__":
    main()
