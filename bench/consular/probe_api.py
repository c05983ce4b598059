"""Sends odd values through every operation of the JSON API, as its own OpenAPI document
describes them; prints each answer of 500 or above and exits 1 if there was one. Standard
library only.

    probe_api.py BASE_URL SESSION_COOKIE

With the session cookie of a signed-in user (bench/consular/sign_in.py prints one) it creates a
personal access token with every scope the account page offers that user, through the page's
own form, then reads /api/v1/openapi.json and, for each operation:
  - once as documented: path parameters filled with real values read from the API's own lists
    (missions, cases, appointments, jobs, countries), the body built from the schema's
    examples;
  - each path parameter alone, then each query parameter alone, with each odd value below;
  - each property of the body alone (and each field of an object property) with each odd JSON
    value below, the rest of the body as documented;
  - whole bodies that are not what the operation reads: not JSON, truncated, nested 100,000
    deep, two megabytes, invalid UTF-8, a duplicated key, the wrong content type;
  - the Idempotency-Key header, where there is one, with odd values;
and finally each operation without a token and with a forged one. Operations that delete come
last, so that a case discarded or an appointment cancelled leaves the others something to act
on. It prints each operation's
answer as documented (to show how far the user's access lets the odd values in), every
answer of 500 or above, and a count of the answers by status. Write operations change data:
run it against a copy, such as the database bench/consular/run.sh loads."""
import collections
import html
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from probe_forms import NOISE, ODD, RAW_ODD, NoRedirect

# The form probe's values, and the API's date-times.
ODD_TEXT = ODD + ["2026-13-01T25:61:00Z", "275760-09-13T00:00:00Z"]
ODD_JSON = [
    None, "", -1, 0, 2**31, -2**63, 2**63, 10**30, 1e308, -1e308, 0.5, True, [], {}, [[[]]],
    {"a": {"b": [1, "x", None]}}, "a" * 20000, "\x00", "\u0640\u0640\u0640", "\ufdfa",
    "\u202eabc", "9999-99-99", "2026-02-30T25:61:00Z", "'\"<x>", "../../etc/passwd",
    "99999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", NOISE,
]
# A lone surrogate: valid JSON syntax, not a valid string.
LONE_SURROGATE = '"\\ud800"'
WHOLE_BODIES = [
    ("application/json", b""),
    ("application/json", b"{"),
    ("application/json", b"null"),
    ("application/json", b"[]"),
    ("application/json", b'"x"'),
    ("application/json", b"1"),
    ("application/json", b"[" * 100000),
    ("application/json", b'{"a":' * 50000),
    ("application/json", b'{"x":"' + b"a" * 2_000_000 + b'"}'),
    ("application/json", b'{"body":"\xff\xfe"}'),
    ("application/json", b'{"body":"a","body":"b"}'),
    ("text/plain", b"{}"),
    ("application/x-www-form-urlencoded", b"body=x&action=approve"),
]
IDEMPOTENCY_KEYS = ["", " ", "a" * 5000, "\u0640", "x\ty"]


OPENER = urllib.request.build_opener(NoRedirect)


def send(base, method, path, headers, body=None):
    # Header values go out as their UTF-8 bytes, as a client that does not check would send them.
    headers = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with OPENER.open(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError) as e:
        # A server that answers before reading a body it will refuse (413) closes the
        # connection while the body is still being sent; whether it is still up is checked.
        return 0, str(e).encode()


def mint_token(base, cookie):
    """A token with every scope the account page offers, through the page's form."""
    headers = {"Cookie": "safir_session=" + cookie, "Origin": base, "Accept-Language": "en"}
    status, page = send(base, "GET", "/account", headers)
    if status != 200:
        sys.exit("GET /account answered %d: is the cookie signed in?" % status)
    page = page.decode()
    form = page[page.index('action="/account/tokens"'):]
    form = form[:form.index("</form>")]
    fields = {"name": "probe", "expires": ""}
    fields["csrf_token"] = html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', form).group(1))
    for scope in re.findall(r'type="checkbox" name="([^"]+)"', form):
        fields[scope] = "on"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, created = send(base, "POST", "/account/tokens", headers, urllib.parse.urlencode(fields).encode())
    secret = re.search(r'class="token-secret">([^<]+)<', created.decode())
    if status != 200 or not secret:
        sys.exit("creating a token answered %d" % status)
    return html.unescape(secret.group(1))


def resolve(doc, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(schema, dict) and "oneOf" in schema:
        real = [s for s in schema["oneOf"] if s.get("type") != "null"]
        return resolve(doc, real[0]) if real else schema
    return schema


def example(doc, schema):
    """A value of the schema, from its example where there is one."""
    schema = resolve(doc, schema)
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {k: example(doc, v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(doc, schema.get("items", {}))]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    if schema.get("format") == "date-time":
        return "2030-01-07T09:00:00Z"
    return "x"


def strings_under(value, key):
    """Every string value of `key` anywhere in a JSON document."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                found.append(v)
            found.extend(strings_under(v, key))
    elif isinstance(value, list):
        for v in value:
            found.extend(strings_under(v, key))
    return found


def main():
    base, cookie = sys.argv[1].rstrip("/"), sys.argv[2]
    token = mint_token(base, cookie)
    auth = {"Authorization": "Bearer " + token, "Accept-Language": "ar"}
    status, raw = send(base, "GET", "/api/v1/openapi.json", auth)
    doc = json.loads(raw)

    def get_json(path):
        status, raw = send(base, "GET", path, auth)
        return json.loads(raw) if status == 200 else {}

    missions = strings_under(get_json("/api/v1/missions"), "code") or ["PAR"]
    services = get_json("/api/v1/consular/services").get("items", [])
    mission_cases = {m: strings_under(get_json("/api/v1/missions/%s/cases" % m), "id")[:3] for m in missions}
    slot = {}
    for svc in services:
        code = svc.get("code") or ""
        items = get_json("/api/v1/missions/%s/appointments/slots?service=%s" % (
            urllib.parse.quote(svc.get("mission", "")), urllib.parse.quote(code))).get("items", [])
        if items:
            slot = {"mission": svc.get("mission"), "service": code, "starts_at": items[-1]["starts_at"]}
            break
    real = {
        "mission": missions,
        "job": strings_under(get_json("/api/v1/admin/jobs"), "id")[:3],
        "country": strings_under(get_json("/api/v1/travel-advice"), "country")[:3],
        "appointment": strings_under(get_json("/api/v1/me/appointments"), "id")[:3],
        "case": strings_under(get_json("/api/v1/cases"), "id")[:3],
    }
    # Documents filed under the caller's own cases, and under the first cases of the missions.
    real["doc"] = [d["id"] for c in real["case"]
                   for d in get_json("/api/v1/cases/%s" % c).get("documents", [])][:3]
    for m, cs in mission_cases.items():
        for c in cs:
            real["doc"] += [d["id"] for d in
                            get_json("/api/v1/missions/%s/cases/%s" % (m, c)).get("documents", [])][:1]
    # Documented values the schemas' examples cannot know.
    query_values = {"service": slot.get("service", "passport_renewal"), "v": "X"}
    body_values = {
        "service_id": next((s["id"] for s in services if "id" in s), "x"),
        "mission": slot.get("mission", "PAR"),
        "service": slot.get("service", "passport_renewal"),
        "starts_at": slot.get("starts_at", "2030-01-07T09:00:00Z"),
    }

    failures = []
    statuses = collections.Counter()
    sent = 0

    def probe(method, path, body=None, content_type="application/json", headers=None, what=""):
        nonlocal sent
        h = dict(auth, **(headers or {}))
        if body is not None:
            h["Content-Type"] = content_type
        status, answer = send(base, method, path, h, body)
        sent += 1
        if status == 0 and send(base, "GET", "/healthz", {})[0] != 200:
            status = 599
        statuses[status] += 1
        if what == "as documented":
            print("  %d %s %s" % (status, method, path[:120]), flush=True)
        if status >= 500:
            failures.append((status, method, path[:200], what[:200], answer[:300]))
            print("%d %s %s %s" % (status, method, path[:200], what[:200]), flush=True)

    # Deletions last, so that a case discarded or an appointment cancelled by one operation
    # leaves the others something to act on.
    operations = sorted(((template, method.upper(), op) for template, ops in doc["paths"].items()
                         for method, op in ops.items()), key=lambda o: o[1] == "DELETE")
    for template, method, op in operations:
        params = op.get("parameters", [])
        path_params = [p["name"] for p in params if p["in"] == "path"]

        def candidates():
            """Values for the path parameters, those of a mission's own cases together."""
            if "mission" in path_params and "id" in path_params:
                combos = [{"mission": m, "id": c} for m, cs in mission_cases.items() for c in cs]
            elif "id" in path_params:
                kind = "appointment" if template.startswith("/api/v1/appointments") else "case"
                combos = [{"id": v} for v in real[kind]]
            else:
                combos = [{}]
                for name in path_params:
                    combos = [dict(c, **{name: v}) for c in combos for v in real.get(name, [])]
            # Any other parameter (a case's document): a real value of its kind, or "X".
            for c in combos:
                for name in path_params:
                    c.setdefault(name, (real.get(name) or ["X"])[0])
            return combos or [{name: "X" for name in path_params}]

        required_query = "&".join(
            "%s=%s" % (p["name"], urllib.parse.quote(query_values.get(p["name"], "x")))
            for p in params if p["in"] == "query" and p.get("required"))
        chosen = candidates()[0]
        if method == "GET" and path_params:
            # The first values the caller may read, so that the odd values reach past the
            # access check wherever this user has access.
            for combo in candidates():
                path = template
                for name, value in combo.items():
                    path = path.replace("{%s}" % name, urllib.parse.quote(value, safe=""))
                if send(base, "GET", path, auth)[0] < 400:
                    chosen = combo
                    break

        def fill(overrides, query=""):
            path = template
            for name in path_params:
                value = overrides.get(name)
                if value is None:
                    value = urllib.parse.quote(chosen[name], safe="")
                path = path.replace("{%s}" % name, value)
            # A parameter probed alone replaces its documented value.
            parts = [q for q in required_query.split("&")
                     if q and q.split("=")[0] != query.split("=")[0]] + ([query] if query else [])
            return path + ("?" + "&".join(parts) if parts else "")

        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        body_value = None
        if content is not None:
            body_value = content.get("example", example(doc, content.get("schema", {})))
            if isinstance(body_value, dict):
                body_value = {k: body_values.get(k, v) for k, v in body_value.items()}

        base_body = json.dumps(body_value).encode() if content is not None else None
        if method in ("POST", "PUT", "PATCH") and base_body is None:
            base_body = b""
        probe(method, fill({}), base_body, what="as documented")
        for name in path_params:
            for odd in ODD_TEXT:
                probe(method, fill({name: urllib.parse.quote(odd, safe="")}), base_body,
                      what="path %s=%r" % (name, odd[:40]))
            for odd in RAW_ODD:
                probe(method, fill({name: odd}), base_body, what="path %s=%s" % (name, odd))
        for p in params:
            if p["in"] != "query":
                continue
            for odd in ODD_TEXT:
                query = urllib.parse.urlencode({p["name"]: odd})
                probe(method, fill({}, query), base_body, what="query %s=%r" % (p["name"], odd[:40]))
            for odd in RAW_ODD:
                probe(method, fill({}, "%s=%s" % (p["name"], odd)), base_body,
                      what="query %s=%s" % (p["name"], odd))
        if content is not None:
            schema = resolve(doc, content.get("schema", {}))
            props = dict(schema.get("properties", {}))
            if isinstance(body_value, dict):
                for k in body_value:
                    props.setdefault(k, {})
            for prop, prop_schema in props.items():
                for odd in ODD_JSON:
                    value = dict(body_value) if isinstance(body_value, dict) else {}
                    value[prop] = odd
                    probe(method, fill({}), json.dumps(value).encode(), what="body %s=%r" % (prop, odd))
                value = dict(body_value) if isinstance(body_value, dict) else {}
                value[prop] = "@@"
                probe(method, fill({}), json.dumps(value).encode().replace(b'"@@"', LONE_SURROGATE.encode()),
                      what="body %s=lone surrogate" % prop)
                inner = example(doc, prop_schema)
                if isinstance(inner, dict):
                    for field in list(inner) + ["unknown_field", "\u0640"]:
                        for odd in ODD_JSON:
                            nested = dict(inner)
                            nested[field] = odd
                            value = dict(body_value) if isinstance(body_value, dict) else {}
                            value[prop] = nested
                            probe(method, fill({}), json.dumps(value).encode(),
                                  what="body %s.%s=%r" % (prop, field, odd))
            value = dict(body_value) if isinstance(body_value, dict) else {}
            value["unknown_field"] = 1
            probe(method, fill({}), json.dumps(value).encode(), what="body with an unknown field")
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            for content_type, raw_body in WHOLE_BODIES:
                probe(method, fill({}), raw_body, content_type,
                      what="whole body %s %r" % (content_type, raw_body[:30]))
        if any(p["in"] == "header" and p["name"].lower() == "idempotency-key" for p in params):
            for key in IDEMPOTENCY_KEYS:
                probe(method, fill({}), base_body, headers={"Idempotency-Key": key},
                      what="Idempotency-Key %r" % key[:40])
        for forged in (None, "Bearer safir_" + "0" * 40, "Bearer \u0640", "Basic eA=="):
            h = {"Authorization": forged} if forged else {}
            saved = auth.pop("Authorization")
            try:
                probe(method, fill({}), base_body, headers=h, what="authorization %r" % forged)
            finally:
                auth["Authorization"] = saved

    print("%d requests, %d operations; answers by status (0: connection closed while sending): %s" % (
        sent, sum(len(o) for o in doc["paths"].values()),
        ", ".join("%d: %d" % kv for kv in sorted(statuses.items()))))
    for status, method, path, what, answer in failures:
        print("FAIL %d %s %s (%s): %r" % (status, method, path, what, answer))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
