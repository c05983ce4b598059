"""Walks a running server as one signed-in user and sends odd values through every form it
finds; prints each answer of 500 or above and exits 1 if there was one. Standard library only.

    probe_forms.py BASE_URL SESSION_COOKIE [MAX_PAGES]

With `-` for the cookie it walks as a visitor who has not signed in, keeping the cookies the
site sets, and probes the sign-in, sign-up and password forms too.

It follows the site's own links from a few starting pages (at most three pages of each shape
of address, ids folded), and on each page:
  - every GET form (filters, searches): each field alone with each odd value below;
  - every other POST form with fields (once per shape of its action): all fields at once with
    each odd value, the page's CSRF token kept, redirects not followed; then, once the walk is
    done, each field alone with a few odd values (a choice the form does not offer among them)
    while the others hold what the form offers (its first button's value among them) or a
    person would type, so that the checks that only run on an otherwise valid form are reached
    too; then every such form seen (each of its addresses, not once per shape) sent again as a
    page kept open after the probes changed what it shows (an application submitted, a
    request answered): as offered, once with each of its buttons, then each field alone with a
    choice the form does not offer;
  - every POST form with nothing to fill in (discard, withdraw: one click), last of all, so
    that it takes nothing away from the probes above: each of its addresses, twice;
  - every POST form with files (multipart/form-data, once per shape of its action): odd
    values in the text fields beside a good file, then odd files (empty, truncated, forged
    types, images whose header claims 20,000 × 20,000 pixels, XML with a NUL or an external
    entity, …) and odd file names beside good text, then bodies that are not well-formed
    multipart.
Pages of a shape not yet visited come first. Sign-in, sign-out, password and two-factor forms
are left alone (they would end the session).
POST forms change data: run it against a copy, such as the database bench/consular/run.sh
loads, with a cookie from bench/consular/sign_in.py."""
import collections
import html
import http.cookiejar
import random
import re
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
import zlib

# Text that does not compress: too long for an index entry on PostgreSQL (2,704 bytes).
NOISE = "".join(random.Random(7).choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9000))
# Also sent by probe_api.py, which adds its own date-times and JSON values.
ODD = [
    "", "-1", "0", "99999999999999999999", "1e309", "null", "'\"<x>", "9999-99-99",
    "2026-02-30", "2026-13-01T25:61", "../../etc/passwd", "\x00x",
    "\u0640\u0640\u0640", "\ufdfa", "\u202eabc", "a" * 20000,
    # Past PostgreSQL's INTEGER and its dates; SQLite takes any 64-bit integer and any text.
    "2147483648", "-9223372036854775808", "99999-01-01", "0000-01-01", "275760-09-13T00:00",
    NOISE,
]
# Invalid UTF-8 once percent-decoded, sent as is in paths and query strings.
RAW_ODD = ["%FF%FE", "%C0%AF", "%"]
START = ["/", "/staff", "/account", "/admin", "/consular", "/abroad", "/appointments", "/account/documents",
         "/staff/crises"]
LEAVE = ("sign-out", "sign-in", "password", "two-factor")
# A visitor has no session to lose.
START_VISITOR = ["/", "/sign-in", "/sign-up", "/password/forgot", "/verify", "/subscribe", "/travel-advice",
                 "/appointments"]
LEAVE_VISITOR = ("sign-out",)
ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f-]{27}|\d+")
# A submit button that sends a value of its own (save or submit, safe or need help).
BUTTON = re.compile(r'<button[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')


def png(width, height, rows=None):
    """A greyscale PNG; `rows` limits the image data actually sent (a header that lies)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width
    data = b"".join(packer.compress(row) for _ in range(height if rows is None else rows))
    data += packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


GOOD_PNG = png(600, 800)
PFIF = ('<?xml version="1.0" encoding="UTF-8"?><pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">'
        '<pfif:person><pfif:person_record_id>probe.example/p1</pfif:person_record_id>'
        '<pfif:entry_date>2026-01-01T00:00:00Z</pfif:entry_date>'
        '<pfif:full_name>{name}</pfif:full_name></pfif:person></pfif:pfif>')
_bad_crc = bytearray(GOOD_PNG)
_bad_crc[29] ^= 0xFF
ODD_FILES = [
    b"", b"\x00" * 64, GOOD_PNG[:8], GOOD_PNG[:60], bytes(_bad_crc),
    png(20000, 20000, rows=4),  # the header claims 400 million pixels
    png(12000, 12000),  # and this one holds them: 144 MB once decoded
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    b"%PDF-1.4\n%%EOF\n", b"%PDF-" + random.Random(3).randbytes(5000),
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"<html><script>alert(1)</script></html>", b"PK\x03\x04" + b"\x00" * 100, b"MZ" + b"\x00" * 100,
    GOOD_PNG + random.Random(5).randbytes(11 * 1024 * 1024),
    PFIF.format(name="a\x00b").encode(), PFIF.format(name="a&#0;b").encode(),
    PFIF.format(name="a&#x1;b&#xFFFF;").encode(), PFIF.format(name="\u0640" * 20000).encode(),
    PFIF.format(name="caf\xe9").encode("latin-1"),
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    b"<a>" * 100000,
]
ODD_NAMES = ["", "../../../etc/passwd", "a" * 5000 + ".png", "\u202egnp.exe", "\u062c\u0648\u0627\u0632.png",
             "x\x00y.png", "con.png", "x\ty.png"]


# What a person who fills a field of this type in would type.
TYPED = {"date": "2027-03-15", "datetime-local": "2027-03-15T10:30", "time": "10:30", "email": "probe@example.org",
         "number": "1", "tel": "+33 1 23 45 67 89", "url": "https://example.org/", "month": "2027-03"}
# Sent in one field at a time, every other field as the form offers or a person fills it: the
# checks that only run once the rest of the form is valid (a choice the form does not offer, a
# value that has to be copied into a message or a record).
ONE_ODD = ["", "not-offered", "'\"<x>", "\x00x", "\u202eabc", "2026-02-30", "99999999999999999999", "a" * 20000]


def good_values(inner, names):
    """A value for each of `names` in the form `inner` (its HTML) that the form offers (the
    first choice of a list, the value it holds, its first button's) or a person would type (by
    the input's type)."""
    good = []
    for n in names:
        sel = re.search(r'<select[^>]*name="' + re.escape(n) + r'"[^>]*>(.*?)</select>', inner, re.S)
        opts = [o for o in re.findall(r'<option value="([^"]*)"', sel.group(1)) if o] if sel else []
        tag = re.search(r'<input[^>]*name="' + re.escape(n) + r'"[^>]*>', inner)
        val = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
        kind = re.search(r'type="([^"]+)"', tag.group(0)) if tag else None
        area = re.search(r'<textarea[^>]*name="' + re.escape(n) + r'"[^>]*>(.*?)</textarea>', inner, re.S)
        pressed = [v for b, v in BUTTON.findall(inner) if b == n]
        if opts:
            value = opts[0]
        elif val and val.group(1):
            value = val.group(1)
        elif area and area.group(1).strip():
            value = area.group(1)
        elif pressed and not tag:
            value = pressed[0]
        else:
            value = TYPED.get(kind.group(1) if kind else "", "Probe text")
        good.append((n, html.unescape(value)))
    return good


BOUNDARY = "probe-b0undary"
MULTIPART = "multipart/form-data; boundary=" + BOUNDARY


def multipart(parts, boundary=BOUNDARY):
    """`parts`: (name, value) for text, (name, file name, bytes) for files. A file name with a
    control character goes in the RFC 5987 form, as some clients send it."""
    out = []
    for part in parts:
        if len(part) == 2:
            name, value = part
            headers = f'Content-Disposition: form-data; name="{name}"\r\n'
            body = value.encode("utf-8", "surrogatepass")
        else:
            name, file_name, body = part
            if any(ord(c) < 0x20 for c in file_name):
                named = f"filename*=UTF-8''{urllib.parse.quote(file_name)}"
            else:
                named = f'filename="{file_name}"'
            headers = (f'Content-Disposition: form-data; name="{name}"; {named}\r\n'
                       "Content-Type: application/octet-stream\r\n")
        out += [f"--{boundary}\r\n{headers}\r\n".encode("utf-8"), body, b"\r\n"]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def multipart_bodies(inner, names, token):
    """What is sent to a form with files (`inner`: its HTML; `names`: its fields; `token`: the
    form token as a list of zero or one part): (what, body, content type) triples."""
    files = re.findall(r'<input[^>]*type="file"[^>]*name="([^"]+)"|<input[^>]*name="([^"]+)"[^>]*type="file"', inner)
    files = [a or b for a, b in files]
    texts = [n for n in names if n not in files]
    good = good_values(inner, texts)

    def with_files(file_name, data, copies=1):
        return [(f, file_name, data) for f in files] * copies

    parts = [(f"every text field {odd[:20]!r}", token + [(n, odd) for n in texts] + with_files("photo.png", GOOD_PNG))
             for odd in ODD]
    parts += [(f"odd file {i} ({data[:12]!r}, {len(data)} bytes)", token + good + with_files(f"file{i}.png", data))
              for i, data in enumerate(ODD_FILES)]
    parts += [(f"file name {name[:20]!r}", token + good + with_files(name, GOOD_PNG)) for name in ODD_NAMES]
    parts.append(("eleven files", token + good + with_files("photo.png", GOOD_PNG, 11)))
    bodies = [(what, multipart(p), MULTIPART) for what, p in parts]
    whole = multipart(token + good + with_files("photo.png", GOOD_PNG))
    bodies += [
        ("no boundary", whole, "multipart/form-data"),
        ("another boundary", whole, "multipart/form-data; boundary=other"),
        ("cut short", whole[: len(whole) // 2], MULTIPART),
        ("no closing boundary", whole[: whole.rindex(b"\r\n--" + BOUNDARY.encode())], MULTIPART),
        ("token not first", multipart(good + token), MULTIPART),
        ("a part without a name", whole.replace(b'name="', b'nom="', 2), MULTIPART),
        ("invalid UTF-8 in a text part", whole.replace(b"\r\n\r\n", b"\r\n\r\n\xff\xfe", 2), MULTIPART),
        ("40 MB", multipart(token + [("file", "big.png", b"\x00" * (40 * 1024 * 1024))]), MULTIPART),
    ]
    return bodies


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    base, cookie = sys.argv[1], sys.argv[2]
    max_pages = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    visitor = cookie == "-"
    start, leave = (START_VISITOR, LEAVE_VISITOR) if visitor else (START, LEAVE)
    handlers = [NoRedirect]
    if visitor:
        handlers.append(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener = urllib.request.build_opener(*handlers)
    langs = ["ar", "en", "fr"]
    sent = 0

    def request(path, data=None, content_type="application/x-www-form-urlencoded"):
        nonlocal sent
        sent += 1
        headers = {
            "Origin": base,
            "Accept-Language": langs[sent % 3],
            "Content-Type": content_type,
        }
        if not visitor:
            headers["Cookie"] = "safir_session=" + cookie
        req = urllib.request.Request(base + path, data=data, headers=headers)
        try:
            with opener.open(req, timeout=60) as r:
                return r.status, r.read().decode("utf-8", "replace"), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), ""
        except (urllib.error.URLError, ConnectionError) as e:
            # A server that refuses a body before reading it (413) may close the connection
            # while it is being sent; the next request shows whether the server is still up.
            return 0, str(e), ""

    failures = []
    # POST forms without files, probed one field at a time once the walk is done (so that an
    # action the form's own values carry out, such as revoking a session, ends no other probe).
    one_by_one = []
    # Every POST form with fields and without files seen, by its address, sent again after
    # that; then every form with nothing to fill in (discard, withdraw, revoke: one click each),
    # by its address, twice, last of all.
    kept_open, one_click = {}, {}

    def check(code, what):
        if code >= 500:
            failures.append(what)
            print(code, what[:300], flush=True)

    # Addresses of a shape not yet visited go first, so that the page budget reaches as many
    # kinds of page (and their forms) as it can.
    fresh, queue, seen, shapes, posted = collections.deque(start), collections.deque(), set(), {}, set()
    with_files = 0
    while (fresh or queue) and len(seen) < max_pages:
        path = fresh.popleft() if fresh else queue.popleft()
        if path in seen:
            continue
        shape = ID.sub("N", path.split("?")[0])
        if shapes.get(shape, 0) >= 3:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(path)
        code, body, ctype = request(path)
        check(code, "GET " + path)
        if "html" not in ctype:
            continue
        for href in re.findall(r'href="(/[^"#]*)"', body):
            href = html.unescape(href)
            if not href.startswith("/static") and not any(k in href for k in leave):
                shape = ID.sub("N", href.split("?")[0])
                (queue if shape in shapes else fresh).append(href)
        for attrs, inner in re.findall(r"<form([^>]*)>(.*?)</form>", body, re.S | re.I):
            method = re.search(r'method="(\w+)"', attrs, re.I)
            method = method.group(1).lower() if method else "get"
            action = re.search(r'action="([^"]*)"', attrs)
            target = html.unescape(action.group(1)) if action and action.group(1) else path.split("?")[0]
            if any(k in target for k in leave):
                continue
            names = [n for n in dict.fromkeys(re.findall(r'name="([^"]+)"', inner)) if n != "csrf_token"]
            if method == "get":
                sep = "&" if "?" in target else "?"
                for name in names:
                    for odd in ODD + RAW_ODD:
                        value = odd if odd in RAW_ODD else urllib.parse.quote(odd)
                        url = f"{target}{sep}{urllib.parse.quote(name)}={value}"
                        check(request(url)[0], "GET " + url)
            else:
                token = re.search(r'name="csrf_token" value="([^"]+)"', inner)
                token = [("csrf_token", html.unescape(token.group(1)))] if token else []
                multipart_form = re.search(r'enctype="multipart/form-data"', attrs, re.I)
                if not names:
                    one_click.setdefault(target, token)
                    continue
                if not multipart_form and target not in kept_open:
                    buttons = [tuple(html.unescape(v) for v in b) for b in BUTTON.findall(inner)]
                    kept_open[target] = (good_values(inner, names), token, buttons)
                form_shape = ID.sub("N", target)
                if form_shape in posted:
                    continue
                posted.add(form_shape)
                if multipart_form:
                    with_files += 1
                    for what, data, content_type in multipart_bodies(inner, names, token):
                        check(request(target, data, content_type)[0], f"POST {target} ({what})")
                    continue
                for odd in ODD:
                    data = urllib.parse.urlencode([(n, odd) for n in names] + token).encode()
                    check(request(target, data)[0], f"POST {target} (every field {odd[:20]!r})")
                one_by_one.append((target, good_values(inner, names), token))
    for target, good, token in one_by_one:
        for i, (name, _) in enumerate(good):
            for odd in ONE_ODD:
                fields = good[:i] + [(name, odd)] + good[i + 1:]
                data = urllib.parse.urlencode(fields + token).encode()
                check(request(target, data)[0], f"POST {target} ({name} {odd[:20]!r}, the rest as offered)")
    # A page kept open, or brought back, and its form sent after its moment passed (an
    # application submitted by the form itself or by the probes above): with each button as
    # offered, then with each field alone holding a choice the form does not offer.
    for target, (good, token, buttons) in kept_open.items():
        for button, value in buttons or [(None, None)]:
            fields = [(n, value if n == button else v) for n, v in good]
            data = urllib.parse.urlencode(fields + token).encode()
            check(request(target, data)[0], f"POST {target} (sent again as offered, {button}={value})")
    for target, (good, token, _) in kept_open.items():
        for i, (name, _) in enumerate(good):
            changed = good[:i] + [(name, "not-offered")] + good[i + 1:]
            data = urllib.parse.urlencode(changed + token).encode()
            check(request(target, data)[0], f"POST {target} (sent again, {name} 'not-offered')")
    for target, token in one_click.items():
        for _ in range(2):
            check(request(target, urllib.parse.urlencode(token).encode())[0], f"POST {target} (clicked twice)")
    print(f"{len(seen)} pages, {len(posted)} POST forms ({with_files} with files), "
          f"{len(kept_open)} sent again, {len(one_click)} with one click, {sent} requests, "
          f"{len(failures)} answers of 500 or above")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
